"""P3-P13: dir/help, Dataset, TensorBoard, transforms, torchvision datasets."""
from pathlib import Path
import importlib.util

import pytest
from PIL import Image

from helpers import LESSONS_DIR, image_steps, lesson, read_events, run_lesson
from support import files, flags, i18n

MINE = ["p03_dir_help", "p06_dataset", "p08_tensorboard", "p09_transforms", "p11_useful_transforms",
        "p13_dataset_transform"]
TITLES = {
    "p03_dir_help": "P3 Python学习中的两大法宝函数",
    "p06_dataset": "P6 Dataset类代码实战",
    "p08_tensorboard": "P8 TensorBoard的使用",
    "p09_transforms": "P9 Transforms的使用",
    "p11_useful_transforms": "P11 常见的Transforms",
    "p13_dataset_transform": "P13 torchvision中的数据集使用",
}


# ---------------------------------------------------------------- P3
def test_p03_dir_and_help(capsys):
    result = run_lesson("p03_dir_help")
    assert result["has_cuda"] and result["has_is_available"] and result["tool_names_all_dunder"]
    assert "Return a bool indicating if CUDA is currently available" in result["help"]
    out = capsys.readouterr().out
    assert "Return a bool indicating if CUDA is currently available" in out      # help() printed, no pager
    assert f"torch.cuda.is_available(): {result['available']}" in out
    assert str(result["torch_names"]) in out


# ---------------------------------------------------------------- P6
def write_pictures(folder, count, colour, size=(64, 48), suffix=".png"):
    folder.mkdir(parents=True)
    for k in range(count):
        Image.new("RGB", size, colour).save(folder / f"pic_{k}{suffix}")


def test_p06_standin_in_both_layouts(tmp_path):
    result = run_lesson("p06_dataset", "--data-root", tmp_path, "--logdir", tmp_path / "logs")
    assert result["real"] is False
    assert result["lengths"] == {"ants": 6, "bees": 5} and result["total"] == 11
    assert result["first"] == "ants" and result["last_label"] == "bees"
    assert result["labelled"] == {"ants": (6, "ants"), "bees": (5, "bees")}
    assert len(list((tmp_path / "made_up_ants_bees" / "train" / "ants").glob("*.jpg"))) == 6
    # read_data.py's writer.add_image('error', train_dataset[119]['img']): the last of 11 here
    assert result["error_index"] == 10
    assert image_steps(read_events(tmp_path / "logs"), "error") == [0]


def test_p06_real_hymenoptera_layout_is_used(tmp_path, capsys):
    train = tmp_path / "hymenoptera_data" / "train"
    write_pictures(train / "ants", 3, "red", suffix=".jpg")
    write_pictures(train / "bees", 2, "yellow", suffix=".jpg")
    result = run_lesson("p06_dataset", "--data-root", tmp_path, "--logdir", tmp_path / "logs")
    assert result["real"] is True and result["lengths"] == {"ants": 3, "bees": 2}
    # read_data.py's layout made from it, under --data-root, and read by the course's code
    assert result["labelled"] == {"ants": (3, "ants"), "bees": (2, "bees")} and result["error_index"] == 4
    assert Path(result["labelled_root"]).parent == tmp_path / "read_data_layout"
    out = capsys.readouterr().out
    assert "hymenoptera_data" in out and "124" in out and "121" in out   # the video's counts, beside ours


def test_p06_a_folder_of_your_own(tmp_path):
    write_pictures(tmp_path / "mine" / "cats", 4, "grey", size=(300, 200))
    write_pictures(tmp_path / "mine" / "dogs", 3, "brown", suffix=".jpg")
    (tmp_path / "mine" / "cats" / ".DS_Store").write_bytes(b"\0\1")     # skipped, as a system file
    result = run_lesson("p06_dataset", "--root-dir", tmp_path / "mine", "--logdir", tmp_path / "logs",
                        "--data-root", tmp_path / "data")
    assert result["lengths"] == {"cats": 4, "dogs": 3} and result["total"] == 7
    assert result["last_label"] == "dogs" and result["labelled"] == {"cats": (4, "cats"), "dogs": (3, "dogs")}


@pytest.mark.parametrize("breaks, expected", [
    (lambda root: root / "nowhere", "nowhere"),
    (lambda root: (root / "cats" / "notes.txt").write_text("hi") and root, "notes.txt"),
    (lambda root: (root / "empty").mkdir() or root, "empty"),
])
def test_p06_bad_picture_folders(tmp_path, breaks, expected):
    write_pictures(tmp_path / "cats", 2, "grey")
    with pytest.raises(files.LessonError, match=expected) as error:
        run_lesson("p06_dataset", "--root-dir", breaks(tmp_path), "--logdir", tmp_path / "logs")
    assert "\n" not in str(error.value)


def test_p06_label_files_that_do_not_match(tmp_path):
    write_pictures(tmp_path / "ants", 2, "red")
    write_pictures(tmp_path / "ants_image", 2, "red")
    (tmp_path / "ants_label").mkdir()
    (tmp_path / "ants_label" / "pic_0.txt").write_text("ants")
    (tmp_path / "ants_label" / "other.txt").write_text("ants")
    with pytest.raises(files.LessonError) as error:
        run_lesson("p06_dataset", "--root-dir", tmp_path, "--logdir", tmp_path / "logs")
    message = str(error.value)
    assert "ants_image" in message and "ants_label" in message and "other" in message and "\n" not in message


# ---------------------------------------------------------------- P8-P12
def test_p08_scalars_image_and_the_zigzag(tmp_path):
    result = run_lesson("p08_tensorboard", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs")
    assert result["image_shape"] == [375, 500, 3]
    assert "Cannot handle this data type" in result["without_dataformats"]
    assert result["zigzag_points"] == 200 and result["zigzag_steps"][99:101] == [99, 0]
    events = read_events(tmp_path / "logs")
    assert [e.value for e in events.Scalars("y=2x")] == [2 * i for i in range(100)]
    assert [e.step for e in events.Scalars("y=x")] == list(range(100))
    assert image_steps(events, "train") == [1]
    assert events.Tags()["images"] == ["train"]           # the call without dataformats wrote nothing


def test_p09_totensor_and_what_cv2_gives(tmp_path):
    result = run_lesson("p09_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs")
    assert result["shape"] == [3, 375, 500] and result["dtype"] == "torch.float32"
    low, high = result["range"]
    assert 0 <= low < high <= 1
    assert result["tensor_pixel"] == pytest.approx([v / 255 for v in result["pixel"]])
    # cv2.imread gives BGR: not the same tensor as from PIL, the same once the channels are reversed.
    # Without OpenCV (it is not in requirements.txt) the lesson builds that array itself, so only a real
    # cv2 makes this a check of anything
    if importlib.util.find_spec("cv2") is not None:
        assert result["cv_same_as_pil"] is False and result["cv_flipped_matches"] is True
    assert result["call_same"] is True
    assert image_steps(read_events(tmp_path / "logs"), "Tensor_img") == [0]


def test_p11_call_and_common_transforms(tmp_path, capsys):
    result = run_lesson("p11_useful_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs",
                        "--crops", "3")
    out = capsys.readouterr().out.splitlines()
    at = out.index("__call__Hello zhangsan")                      # the video's Person, __call__ first
    assert out[at + 1] == "hellolisi" and not any(line.startswith("<PIL") for line in out[:at])
    before, after = result["normalize"]
    assert after == pytest.approx((before - 0.5) / 0.5, abs=1e-6)
    assert result["normalize_last"] == pytest.approx((before - 6) / 9, abs=1e-6)     # the video's last values
    low, high = result["norm_range"]
    assert -1 <= low < 0 < high <= 1
    assert result["original"] == (500, 375)
    assert result["resize_pair"] == (512, 512) and result["resize_one"] == (682, 512)
    assert result["resize_shape"] == [3, 512, 512] and result["compose_shape"] == [3, 512, 682]
    assert "should be Tensor" in result["wrong_order"]
    assert result["crop_shapes"] == [[3, 256, 256], [3, 200, 400]]
    assert result["dataset_shape"] == [3, 400, 533]          # P9_transforms.py: Resize(400) inside MyData
    events = read_events(tmp_path / "logs")
    assert image_steps(events, "RandomCrop") == [0, 1, 2] and image_steps(events, "Resize") == [0, 1]
    assert image_steps(events, "RandomCropHW") == [0, 1, 2] and image_steps(events, "Normalize") == [0, 1, 2]
    assert {"ToTensor", "Normalize", "Resize", "RandomCrop", "RandomCropHW"} <= set(events.Tags()["images"])


# ---------------------------------------------------------------- P13
def test_p13_cifar10_through_torchvisions_interface(tmp_path):
    result = run_lesson("p13_dataset_transform", "--tiny", "--logdir", tmp_path)
    assert result["lengths"] == (200, 100) and result["tensor_shape"] == [3, 32, 32] and result["real"] is False
    assert result["named_target"] == result["classes"][result["first_target"]]
    assert Image.open(result["picture"]).size == (32, 32)
    assert image_steps(read_events(tmp_path), "test_set") == list(range(10))


def test_p13_calls_cifar10_as_the_video_does():
    source = (LESSONS_DIR / "p13_dataset_transform.py").read_text(encoding="utf-8")
    assert "torchvision.datasets.CIFAR10(root=data_root, train=True, transform=dataset_transform, download=True)" \
        in source
    assert "plain_set" not in source


# ---------------------------------------------------------------- every lesson of P3-P13
class Stop(Exception):
    pass


@pytest.mark.parametrize("name", MINE)
def test_first_printed_line_is_the_chinese_title(name, capsys, monkeypatch):
    real_parse_args = flags.parse_args

    def parse_then_stop(parser, argv=None, **kwargs):
        real_parse_args(parser, argv, **kwargs)
        raise Stop

    monkeypatch.setattr(flags, "parse_args", parse_then_stop)
    with pytest.raises(Stop):
        run_lesson(name)
    assert capsys.readouterr().out.splitlines()[0].startswith(TITLES[name])
    # the docstring is the Chinese explanation; its English is the catalogue's entry for it
    # (or, in the older form, the text after an "English:" line)
    doc = lesson(name).__doc__.strip("\n")
    chinese = doc.split("\nEnglish:\n")[0]
    english = doc.split("\nEnglish:\n")[1] if "\nEnglish:\n" in doc else i18n.Catalogue("en").gettext(doc)
    assert english != doc
    assert chinese.startswith(TITLES[name]) and sum("\u4e00" <= c <= "\u9fff" for c in chinese) > 100
    assert not any("\u4e00" <= c <= "\u9fff" for c in english)


@pytest.mark.parametrize("name, absent", [
    ("p03_dir_help", ["--device", "--logdir", "--data-root", "--tiny", "--batch-size", "--log-batches"]),
    ("p06_dataset", ["--device", "--tiny", "--cifar-url", "--batch-size", "--log-batches"]),
    ("p08_tensorboard", ["--device", "--tiny", "--batch-size", "--log-batches"]),
    ("p09_transforms", ["--device", "--tiny", "--batch-size", "--log-batches"]),
    ("p11_useful_transforms", ["--device", "--tiny", "--batch-size", "--log-batches"]),
    ("p13_dataset_transform", ["--device", "--batch-size", "--log-batches"]),
])
def test_help_lists_only_the_flags_the_lesson_reads(name, absent, capsys):
    for lang, word in (("zh", "选项"), ("en", "options")):
        with pytest.raises(SystemExit) as exit_info:
            run_lesson(name, "--help", "--lang", lang)
        assert exit_info.value.code == 0
        shown = capsys.readouterr().out
        assert TITLES[name] in shown and word in shown and "--seed" in shown
        for flag in absent:
            assert flag not in shown, (name, flag)
        title = lesson(name).__doc__.strip().splitlines()[0]
        has_chinese = any("\u4e00" <= c <= "\u9fff" for c in shown.replace(title, ""))
        assert has_chinese == (lang == "zh")


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    catalogue = i18n.read_po(LESSONS_DIR / "support" / "locale" / "en" / "p03_p13.po")
    for name in MINE:
        for line, message in i18n.messages_in_source(LESSONS_DIR / f"{name}.py"):
            assert message is not None, f"{name}.py:{line}: _() of something other than a plain string"
            assert message in catalogue, f"{name}.py:{line}: no English for {message!r}"
            assert i18n.placeholders(catalogue[message]) == i18n.placeholders(message), message


def test_english_gives_the_same_numbers(tmp_path, capsys):
    chinese = run_lesson("p11_useful_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "zh",
                         "--crops", "2")
    english = run_lesson("p11_useful_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "en",
                         "--crops", "2", "--lang", "en")
    assert english == chinese
    out = capsys.readouterr().out
    english_part = out[out.index("P11", 1):]
    title = lesson("p11_useful_transforms").__doc__.strip().splitlines()[0]
    assert not any("\u4e00" <= c <= "\u9fff" for c in english_part.replace(title, ""))

