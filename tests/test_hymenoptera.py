"""P6 and P11 on a folder laid out like hymenoptera_data as downloaded
(train/ and val/, each with ants/ and bees/; JPEGs of several sizes, one
grayscale, one PNG): every line of the course's read_data.py and
P9_transforms.py runs on it, through a second layout (ants_image/ +
ants_label/) that the lesson makes in a folder of its own, and the learner's
folder stays as it was. Each lesson runs as `python lessons/x.py`."""
import hashlib
from pathlib import Path

import pytest
from PIL import Image

from helpers import read_events, run_lesson_script

SIZES = [(500, 375), (375, 500), (640, 427), (300, 200), (256, 341)]


def make_hymenoptera(root):
    """hymenoptera_data as unzipped, small: 5 ants and 4 bees in train/, 2 and 2 in val/."""
    counts = {"train": {"ants": 5, "bees": 4}, "val": {"ants": 2, "bees": 2}}
    for split, classes in counts.items():
        for name, count in classes.items():
            folder = root / split / name
            folder.mkdir(parents=True)
            for k in range(count):
                colour = (150 + 20 * k, 40, 30) if name == "ants" else (240, 200, 40 + 30 * k)
                Image.new("RGB", SIZES[k % len(SIZES)], colour).save(folder / f"{k:07d}_{name}.jpg", quality=90)
    # the download has odd ones: a grayscale JPEG and a PNG among the bees
    Image.new("L", (320, 240), 128).save(root / "train" / "bees" / "gray_bee.jpg")
    Image.new("RGB", (400, 300), (250, 210, 60)).save(root / "train" / "bees" / "png_bee.png")
    return {name: len(list((root / "train" / name).iterdir())) for name in ("ants", "bees")}


def fingerprint(root):
    """Every file under root: its path and a hash of its bytes (and nothing added)."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
            for path in sorted(root.rglob("*"))}


@pytest.fixture
def learner(tmp_path):
    root = tmp_path / "downloads" / "hymenoptera_data"
    counts = make_hymenoptera(root)
    return root, counts, fingerprint(root)


def check_made_layout(made, train, counts):
    """One .txt per picture, named as the picture, holding its folder's name; the pictures copied byte for byte."""
    for name, count in counts.items():
        pictures = sorted(p.name for p in (train / name).iterdir())
        assert sorted(p.name for p in (made / f"{name}_image").iterdir()) == pictures
        labels = sorted((made / f"{name}_label").iterdir())
        assert [p.stem for p in labels] == sorted(Path(p).stem for p in pictures) and len(labels) == count
        assert {p.read_text(encoding="utf-8") for p in labels} == {name}
        for picture in pictures:
            assert (made / f"{name}_image" / picture).read_bytes() == (train / name / picture).read_bytes()


def test_p06_runs_read_data_py_on_the_learners_folder(tmp_path, learner):
    root, counts, before = learner
    work = tmp_path / "work"
    work.mkdir()
    result = run_lesson_script("p06_dataset", "--root-dir", root / "train", "--data-root", work / "data",
                               "--logdir", "logs", cwd=work, timeout=60)
    assert result.returncode == 0, result.stderr
    assert fingerprint(root) == before                       # the learner's files untouched

    made = work / "data" / "read_data_layout" / "hymenoptera_data_train"
    check_made_layout(made, root / "train", counts)
    assert str(made.relative_to(work)) in result.stdout      # the lesson says where it put them

    # the video's P6: print(len(train_dataset)) of ants_dataset + bees_dataset
    assert str(counts["ants"] + counts["bees"]) in result.stdout.splitlines()
    # read_data.py: writer.add_image('error', train_dataset[119]['img']) of Resize((256, 256)) pictures,
    # [119] being the last of these 11
    images = read_events(work / "logs").Images("error")
    assert [(image.step, image.width, image.height) for image in images] == [(0, 256, 256)]
    assert "train_dataset[{}]".format(counts["ants"] + counts["bees"] - 1) in result.stdout


def test_p11_runs_p9_transforms_py_on_the_learners_folder(tmp_path, learner):
    root, counts, before = learner
    work = tmp_path / "work"
    work.mkdir()
    result = run_lesson_script("p11_useful_transforms", "--root-dir", root / "train", "--data-root", work / "data",
                               "--logdir", "logs", "--crops", "2", cwd=work, timeout=60)
    assert result.returncode == 0, result.stderr
    assert fingerprint(root) == before

    made = work / "data" / "read_data_layout" / "hymenoptera_data_train"
    check_made_layout(made, root / "train", counts)
    # P9_transforms.py's MyData with Compose([Resize(400), ToTensor()]): the first ant (500×375) as a tensor
    assert "[3, 400, 533]" in result.stdout
    events = read_events(work / "logs")
    assert {"ToTensor", "Normalize", "Resize", "RandomCrop"} <= set(events.Tags()["images"])


def test_the_made_layout_follows_the_learners_folder(tmp_path, learner, capsys):
    """Run again after the learner adds and removes pictures: the copy is in step, nothing stale is read."""
    from support import pictures
    root, counts, _before = learner
    train = root / "train"
    made = pictures.second_layout(train, ["ants", "bees"], tmp_path / "data")
    check_made_layout(made, train, counts)
    (train / "ants" / "0000000_ants.jpg").unlink()
    Image.new("RGB", (300, 300), (200, 40, 30)).save(train / "bees" / "new_bee.jpg")
    counts = {"ants": counts["ants"] - 1, "bees": counts["bees"] + 1}
    assert pictures.second_layout(train, ["ants", "bees"], tmp_path / "data") == made
    check_made_layout(made, train, counts)
    assert str(made) in capsys.readouterr().out
    # a folder that has the second layout already is read where it is
    assert pictures.second_layout(made, ["ants", "bees"], tmp_path / "data") == made
