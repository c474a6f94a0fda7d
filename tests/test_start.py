"""P3-P14: dir/help, Dataset, TensorBoard, transforms, torchvision datasets, DataLoader; Jupyter."""
import sys

import numpy as np
import pytest
from PIL import Image

import common
from helpers import image_steps, read_events, run_lesson


def test_p03_dir_and_help(capsys):
    result = run_lesson("p03_dir_help", "--device", "cpu")
    assert result["has_cuda"] and result["has_is_available"] and result["tool_names_all_dunder"]
    assert "Return a bool indicating if CUDA is currently available" in result["help"]
    assert f"torch.cuda.is_available() -> {result['available']}" in capsys.readouterr().out


# ---------------------------------------------------------------- P6
def test_p06_standin_in_both_layouts(tmp_path, capsys):
    result = run_lesson("p06_dataset", "--data-root", tmp_path)
    assert result["real"] is False
    assert result["lengths"] == {"ants": 6, "bees": 5} and result["total"] == 11
    assert result["first"] == "ants" and result["last_label"] == "bees"
    assert result["labelled"] == {"ants": (6, "ants"), "bees": (5, "bees")}
    assert "NOT the video's ants and bees" in capsys.readouterr().out
    assert len(list((tmp_path / "made_up_ants_bees" / "train" / "ants").glob("*.jpg"))) == 6


def write_pictures(folder, count, colour, size=(64, 48), suffix=".png"):
    folder.mkdir(parents=True)
    for k in range(count):
        Image.new("RGB", size, colour).save(folder / f"pic_{k}{suffix}")


def test_p06_real_hymenoptera_layout_is_used(tmp_path, capsys):
    train = tmp_path / "hymenoptera_data" / "train"
    write_pictures(train / "ants", 3, "red", suffix=".jpg")
    write_pictures(train / "bees", 2, "yellow", suffix=".jpg")
    result = run_lesson("p06_dataset", "--data-root", tmp_path)
    assert result["real"] is True and result["lengths"] == {"ants": 3, "bees": 2}
    out = capsys.readouterr().out
    assert "the video's hymenoptera_data" in out and "(hymenoptera_data has 124)" in out


def test_p06_a_folder_of_your_own(tmp_path):
    write_pictures(tmp_path / "mine" / "cats", 4, "grey", size=(300, 200))
    write_pictures(tmp_path / "mine" / "dogs", 3, "brown", suffix=".jpg")
    (tmp_path / "mine" / "cats" / ".DS_Store").write_bytes(b"\0\1")     # skipped, as a system file
    result = run_lesson("p06_dataset", "--root-dir", tmp_path / "mine")
    assert result["lengths"] == {"cats": 4, "dogs": 3} and result["total"] == 7
    assert result["last_label"] == "dogs" and result["labelled"] == {}


@pytest.mark.parametrize("breaks, expected", [
    (lambda root: root / "nowhere", "has no subfolders of pictures"),
    (lambda root: (root / "cats" / "notes.txt").write_text("hi") and root, "notes.txt is not a picture"),
    (lambda root: (root / "empty").mkdir() or root, "is empty"),
])
def test_p06_bad_picture_folders(tmp_path, breaks, expected):
    write_pictures(tmp_path / "cats", 2, "grey")
    with pytest.raises(common.LessonError, match=expected) as error:
        run_lesson("p06_dataset", "--root-dir", breaks(tmp_path))
    assert "\n" not in str(error.value)


def test_p06_label_files_that_do_not_match(tmp_path):
    write_pictures(tmp_path / "ants", 2, "red")
    write_pictures(tmp_path / "ants_image", 2, "red")
    (tmp_path / "ants_label").mkdir()
    (tmp_path / "ants_label" / "pic_0.txt").write_text("ants")
    (tmp_path / "ants_label" / "other.txt").write_text("ants")
    with pytest.raises(common.LessonError, match="do not match .*first without a partner: other"):
        run_lesson("p06_dataset", "--root-dir", tmp_path)


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


def test_p09_totensor(tmp_path):
    result = run_lesson("p09_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs")
    assert result["shape"] == [3, 375, 500] and result["dtype"] == "torch.float32"
    low, high = result["range"]
    assert 0 <= low < high <= 1
    assert result["tensor_pixel"] == pytest.approx([v / 255 for v in result["pixel"]])
    assert result["numpy_same"] is True
    assert image_steps(read_events(tmp_path / "logs"), "Tensor_img") == [0]


def test_p11_common_transforms(tmp_path):
    result = run_lesson("p11_useful_transforms", "--data-root", tmp_path / "data", "--logdir", tmp_path / "logs",
                        "--crops", "3")
    before, after = result["normalize"]
    assert after == pytest.approx((before - 0.5) / 0.5, abs=1e-6)
    low, high = result["norm_range"]
    assert -1 <= low < 0 < high <= 1
    assert result["original"] == (500, 375)
    assert result["resize_pair"] == (512, 512) and result["resize_one"] == (682, 512)
    assert result["compose_shape"] == [3, 512, 682]
    assert "should be Tensor" in result["wrong_order"]
    assert result["crop_shapes"] == [[3, 256, 256], [3, 200, 400]]
    events = read_events(tmp_path / "logs")
    assert image_steps(events, "RandomCrop") == [0, 1, 2]
    assert {"ToTensor", "Normalize", "Resize", "RandomCrop", "RandomCropHW"} <= set(events.Tags()["images"])


# ---------------------------------------------------------------- P13-P14
def test_p13_cifar10_through_torchvision_interface(tmp_path):
    result = run_lesson("p13_dataset_transform", "--tiny", "--logdir", tmp_path)
    assert result["lengths"] == (200, 100) and result["tensor_shape"] == [3, 32, 32]
    assert result["named_target"] == result["classes"][result["first_target"]]
    assert Image.open(result["picture"]).size == (32, 32)
    assert image_steps(read_events(tmp_path), "test_set") == list(range(10))


def test_p14_batches_with_and_without_drop_last(tmp_path):
    result = run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--batch-size", "16")
    assert (result["batches"], result["batches_drop_last"]) == (7, 6)
    assert result["img_shape"] == [3, 32, 32]
    assert result["first_targets"][0] != result["first_targets"][1]       # shuffle=True
    events = read_events(tmp_path)
    assert set(events.Tags()["images"]) == {"Epoch: 0", "Epoch: 1"}
    assert image_steps(events, "Epoch: 1") == [0, 1, 2, 3]


def test_p14_batch_bigger_than_the_split(tmp_path):
    with pytest.raises(common.LessonError, match="--batch-size 500: with drop_last=True every batch must be full, "
                                                 "and this split has only 100 images"):
        run_lesson("p14_dataloader", "--tiny", "--logdir", tmp_path, "--batch-size", "500")


def test_p14_on_a_split_the_size_of_cifar10s(tmp_path, monkeypatch):
    import cifar

    big = cifar.TinyCIFAR10(train=False, transform=__import__("torchvision").transforms.ToTensor())
    big.data, big.targets = np.concatenate([big.data] * 100), big.targets * 100      # 10,000 pictures
    monkeypatch.setattr(cifar, "cifar10", lambda train, args, transform=None: big)
    result = run_lesson("p14_dataloader", "--logdir", tmp_path, "--log-batches", "1", "--num-workers", "1")
    assert (result["batches"], result["batches_drop_last"]) == (157, 156)


# ---------------------------------------------------------------- Jupyter and the console (P4)
@pytest.mark.parametrize("argv", [
    ["/usr/lib/python3/dist-packages/ipykernel_launcher.py", "-f", "/root/.local/share/jupyter/runtime/kernel-1.json"],
    [""],                                      # the Python console
    ["-c"],                                    # python -c "..."
])
def test_main_with_no_argument_ignores_the_kernels_command_line(argv, monkeypatch):
    import p15_nn_module
    monkeypatch.setattr(sys, "argv", argv)
    assert p15_nn_module.main()["output"] == 2.0


def test_flags_still_come_from_the_command_line_when_run_as_a_script(monkeypatch, capsys):
    import p15_nn_module
    monkeypatch.setattr(sys, "argv", ["lessons/p15_nn_module.py", "--seed", "-1"])
    with pytest.raises(SystemExit) as exit_info:
        p15_nn_module.main()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip() == ("python lessons/p15_nn_module.py: error: argument --seed: "
                                               "must be 0 or more, got -1 (--help lists the flags)")
