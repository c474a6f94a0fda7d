"""Things that go wrong that are not the learner's fault: each ends in one
clear line (and a non-zero exit where it is an error), and nothing the
learner had is lost or changed."""
import hashlib
import io
import socket
import tarfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

import cifar
import common
from helpers import run_lesson, write_cifar_layout


def one_line(error_info):
    message = str(error_info.value)
    assert "\n" not in message
    return message


def data_args(root):
    return SimpleNamespace(tiny=False, data_root=root)


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


# ------------------------------------------------------------------ data
def test_cifar10_layout_on_disk_is_read_through_torchvision(tmp_path, monkeypatch, capsys):
    write_cifar_layout(tmp_path, monkeypatch)
    dataset = cifar.cifar10(train=False, args=data_args(tmp_path))
    assert type(dataset).__name__ == "CIFAR10" and len(dataset) == 100
    assert dataset.classes == list(cifar.CLASSES)
    assert (dataset.data == cifar.make_tiny_images(train=False)[0]).all()
    assert "Data: CIFAR10 test split, 100 images" in capsys.readouterr().out


def test_truncated_batch_file_is_named_with_the_fix(tmp_path, monkeypatch):
    folder = write_cifar_layout(tmp_path, monkeypatch)
    damaged = folder / "data_batch_3"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    before = files_under(tmp_path)
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=True, args=data_args(tmp_path))
    message = one_line(error)
    assert "data_batch_3 is damaged or incomplete (1,000 bytes" in message
    assert f"delete the folder {folder}" in message
    assert files_under(tmp_path) == before


def test_missing_batch_file_is_named(tmp_path, monkeypatch):
    folder = write_cifar_layout(tmp_path, monkeypatch)
    (folder / "test_batch").unlink()
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=False, args=data_args(tmp_path))
    assert "test_batch is missing" in one_line(error)


def test_hand_placed_damaged_archive_is_named_with_size_and_checksum(tmp_path):
    archive = tmp_path / cifar.ARCHIVE_NAME
    archive.write_bytes(b"not really a tar.gz" * 100)
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=False, args=data_args(tmp_path))
    message = one_line(error)
    assert f"{archive} is damaged or incomplete (1,900 bytes" in message
    assert "170,498,071 bytes" in message and cifar.ARCHIVE_MD5 in message
    assert files_under(tmp_path) == [cifar.ARCHIVE_NAME]   # the learner's file is left alone


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "nowhere", "does not exist: create it first"),
    (lambda p: (p / "a-file").write_text("x") and p / "a-file", "is a file, not a folder"),
])
def test_bad_data_root(tmp_path, make, expected):
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=False, args=data_args(make(tmp_path)))
    assert expected in one_line(error)


def test_a_file_where_the_cifar10_folder_belongs(tmp_path):
    (tmp_path / cifar.BATCH_FOLDER).write_text("oops")
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=False, args=data_args(tmp_path))
    assert "is a file, where CIFAR10's folder belongs" in one_line(error)
    assert (tmp_path / cifar.BATCH_FOLDER).read_text() == "oops"


def test_unwritable_data_root(tmp_path):
    folder = Path("/sys")
    try:
        with open(folder / "probe", "wb"):
            pytest.skip("/sys is writable here")
    except OSError:
        pass
    with pytest.raises(common.LessonError) as error:
        cifar.cifar10(train=False, args=data_args(folder))
    assert "cannot write to /sys" in one_line(error) and "--data-root" in str(error.value)


class FakeResponse(io.BytesIO):
    """An HTTP answer that sends `payload`, then, optionally, breaks off."""

    def __init__(self, payload, length, break_after=None):
        super().__init__(payload)
        self.length, self.break_after, self.sent = length, break_after, 0

    def read(self, size=-1):
        if self.break_after is not None and self.sent >= self.break_after:
            raise ConnectionResetError(104, "Connection reset by peer")
        chunk = super().read(size)
        self.sent += len(chunk)
        return chunk


def serve(monkeypatch, response):
    monkeypatch.setattr(cifar, "unreachable", lambda url: None)
    monkeypatch.setattr(cifar.urllib.request, "urlopen", lambda request, timeout: response)


@pytest.mark.parametrize("break_after, expected", [
    (200_000, "the download broke off at 262,144 bytes (Connection reset by peer); run again to continue"),
    (None, "the download stopped at 300,000 of 170,498,071 bytes; run again to continue"),
])
def test_download_cut_off_halfway_keeps_the_part_for_later(tmp_path, monkeypatch, capsys, break_after, expected):
    serve(monkeypatch, FakeResponse(b"x" * 300_000, cifar.ARCHIVE_BYTES, break_after))
    dataset = cifar.cifar10(train=False, args=data_args(tmp_path))
    assert isinstance(dataset, cifar.TinyCIFAR10)
    notices = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Notice:")]
    assert len(notices) == 1 and expected in notices[0]
    assert cifar.ARCHIVE_NAME in notices[0] and str(tmp_path) in notices[0]
    # only the .part, which the next run continues; never a half file under the archive's own name
    assert files_under(tmp_path) == [cifar.ARCHIVE_NAME + ".part"]


def fake_archive(tmp_path, monkeypatch):
    """A tar.gz of the tiny set in CIFAR10's layout, with its md5 as the expected one."""
    source = tmp_path / "source"
    folder = write_cifar_layout(source, monkeypatch)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=cifar.BATCH_FOLDER)
    payload = buffer.getvalue()
    monkeypatch.setattr(cifar, "ARCHIVE_MD5", hashlib.md5(payload).hexdigest())
    return payload


def test_download_then_unpack_then_load(tmp_path, monkeypatch, capsys):
    payload = fake_archive(tmp_path, monkeypatch)
    root = tmp_path / "data"
    root.mkdir()
    serve(monkeypatch, FakeResponse(payload, len(payload)))
    dataset = cifar.cifar10(train=True, args=data_args(root))
    assert type(dataset).__name__ == "CIFAR10" and len(dataset) == 200
    assert (root / cifar.ARCHIVE_NAME).read_bytes() == payload
    assert sorted(p.name for p in root.iterdir()) == [cifar.BATCH_FOLDER, cifar.ARCHIVE_NAME]
    assert "Data: CIFAR10 train split, 200 images" in capsys.readouterr().out


def test_unpacking_cut_short_leaves_no_half_folder(tmp_path, monkeypatch):
    payload = fake_archive(tmp_path, monkeypatch)
    root = tmp_path / "data"
    root.mkdir()
    (root / cifar.ARCHIVE_NAME).write_bytes(payload)
    from torchvision.datasets import utils as tv_utils

    def extract_then_stop(archive, to):
        (Path(to) / cifar.BATCH_FOLDER).mkdir()
        (Path(to) / cifar.BATCH_FOLDER / "data_batch_1").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(tv_utils, "extract_archive", extract_then_stop)
    with pytest.raises(KeyboardInterrupt):
        cifar.cifar10(train=True, args=data_args(root))
    assert files_under(root) == [cifar.ARCHIVE_NAME]


# ------------------------------------------------------------------ network
def test_offline_lookup_gives_up_within_seconds(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(3))
    for key in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(key, raising=False)
    started = time.monotonic()
    reason = common.unreachable("https://example.invalid/file", seconds=0.3)
    assert time.monotonic() - started < 1.5
    assert "no answer looking up example.invalid within 0.3 s" in reason


def test_architecture_only_lessons_need_no_network(tmp_path):
    assert run_lesson("p21_nn_seq", "--device", "cpu", "--logdir", tmp_path)["parameters"] == 145_578


def test_damaged_vgg16_weights_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    weights = tmp_path / "checkpoints" / "vgg16-397923af.pth"
    weights.parent.mkdir()
    weights.write_bytes(b"\0" * 4096)
    with pytest.raises(common.LessonError) as error:
        run_lesson("p24_model_pretrained", "--device", "cpu", "--pretrained")
    assert f"{weights} is damaged or incomplete (4,096 bytes" in one_line(error)
    assert weights.read_bytes() == b"\0" * 4096


# ------------------------------------------------------------------ device
def test_auto_device_falls_back_to_the_cpu_and_says_so_once(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(common, "_said_cpu_fallback", False)
    assert common.pick_device("auto") == torch.device("cpu")
    assert common.pick_device("auto") == torch.device("cpu")
    assert capsys.readouterr().out.count("falls back to the CPU") == 1


# ------------------------------------------------------------------ checkpoints
@pytest.fixture
def saved(tmp_path):
    """A good pair of checkpoints, and the outputs they give."""
    result = run_lesson("p25_model_save", "--device", "cpu", "--out-dir", tmp_path)
    return tmp_path, result["outputs"]


def load_outputs(folder):
    result = run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    assert torch.equal(result["outputs_method1"], result["outputs_method2"])
    return result["outputs_method1"]


def test_interrupted_save_keeps_the_earlier_checkpoint(saved, monkeypatch):
    folder, outputs = saved
    real_save = torch.save

    def save_half_then_stop(obj, f, *args, **kwargs):
        real_save(obj, f, *args, **kwargs)
        f.truncate(100)
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", save_half_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run_lesson("p25_model_save", "--device", "cpu", "--seed", "1", "--out-dir", folder)
    monkeypatch.setattr(torch, "save", real_save)
    assert sorted(p.name for p in folder.iterdir()) == ["tudui_method1.pth", "tudui_method2.pth"]
    assert torch.equal(load_outputs(folder), outputs)


class RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return os.system, (f"touch {self.marker}",)


def test_a_checkpoint_that_would_run_code_is_refused(saved, tmp_path):
    folder, outputs = saved
    marker = tmp_path / "payload-ran"
    torch.save({"model": RunsACommand(marker)}, folder / "tudui_method1.pth")
    with pytest.raises(common.LessonError) as error:
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    message = one_line(error)
    assert f"refusing to load {folder / 'tudui_method1.pth'}: it names {RunsACommand(marker).__reduce__()[0].__module__}.system" in message
    assert not marker.exists()
    # the refused file was only read: the other checkpoint is untouched and still loads
    import p25_model_load
    model = p25_model_load.load_state_dict_into(folder / "tudui_method2.pth", "tudui", "cpu")
    from p25_model_save import fingerprint
    assert torch.equal(fingerprint(model, "cpu"), outputs)


def test_state_dict_of_another_architecture_says_what_differs(saved):
    folder, _ = saved
    from models import Tudui

    narrower = Tudui()
    narrower.model[7] = torch.nn.Linear(1024, 32)
    narrower.model[8] = torch.nn.Linear(32, 10)
    torch.save(narrower.state_dict(), folder / "tudui_method2.pth")
    with pytest.raises(common.LessonError) as error:
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    message = one_line(error)
    assert "does not fit Tudui" in message
    assert "model.7.weight is [32, 1024] in the file but [64, 1024] in the model" in message

    torch.save({"features.0.weight": torch.zeros(1)}, folder / "tudui_method2.pth")
    with pytest.raises(common.LessonError) as error:
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    assert "missing model.0.bias, model.0.weight, model.2.bias and 7 more; unexpected features.0.weight" in one_line(error)


def test_damaged_checkpoint_is_named(saved):
    folder, _ = saved
    method1 = folder / "tudui_method1.pth"
    method1.write_bytes(method1.read_bytes()[:3000])
    with pytest.raises(common.LessonError) as error:
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    assert f"{method1} is damaged or incomplete" in one_line(error)


def test_method2_file_holding_a_whole_model_is_explained(saved):
    folder, _ = saved
    (folder / "tudui_method2.pth").write_bytes((folder / "tudui_method1.pth").read_bytes())
    with pytest.raises(common.LessonError) as error:
        run_lesson("p25_model_load", "--device", "cpu", "--out-dir", folder)
    assert "refusing to load" in one_line(error) and "models.Tudui" in str(error.value)


# ------------------------------------------------------------------ flags
@pytest.mark.parametrize("lesson, flags, message", [
    ("p23_nn_optim", ["--batch-size", "0"], "--batch-size: must be at least 1, got 0"),
    ("p23_nn_optim", ["--batch-size", "-8"], "--batch-size: must be at least 1, got -8"),
    ("p23_nn_optim", ["--epochs", "0"], "--epochs: must be at least 1, got 0"),
    ("p23_nn_optim", ["--epochs", "two"], "--epochs: expected a whole number, got 'two'"),
    ("p23_nn_optim", ["--optimizer", "adamax"], "--optimizer: invalid choice: 'adamax'"),
    ("p23_nn_optim", ["--lr", "-0.1"], "--lr: must be a number above 0, got -0.1"),
    ("p23_nn_optim", ["--lr", "nan"], "--lr: must be a number above 0, got nan"),
    ("p23_nn_optim", ["--momentum", "-1", "--optimizer", "sgd"], "--momentum: must be 0 or more"),
    ("p23_nn_optim", ["--compare", "sgd", "newton"], "--compare: invalid choice: 'newton'"),
    ("p17_nn_conv2d", ["--log-batches", "0"], "--log-batches: must be at least 1, got 0"),
    ("p17_nn_conv2d", ["--log-batches", "some"], "--log-batches: expected a whole number, got 'some'"),
    ("p15_nn_module", ["--seed", "-3"], "--seed: must be 0 or more, got -3"),
    ("p15_nn_module", ["--seed", str(2 ** 70)], "--seed: must be below 2**63"),
    ("p15_nn_module", ["--device", "gpu"], "--device: invalid choice: 'gpu'"),
    ("p20_nn_linear", ["--batches", "0"], "--batches: must be at least 1, got 0"),
    ("p25_model_save", ["--model", "resnet"], "--model: invalid choice: 'resnet'"),
])
def test_nonsense_flags_are_refused(lesson, flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson(lesson, "--tiny", *flags) if lesson in ("p23_nn_optim", "p17_nn_conv2d", "p20_nn_linear") \
            else run_lesson(lesson, *flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_batch_bigger_than_the_split_in_p20(capsys):
    with pytest.raises(common.LessonError) as error:
        run_lesson("p20_nn_linear", "--tiny", "--batch-size", "500")
    assert "only 100 images" in one_line(error)


def test_logdir_that_is_a_file(tmp_path):
    (tmp_path / "logs").write_text("notes")
    with pytest.raises(common.LessonError) as error:
        run_lesson("p21_nn_seq", "--logdir", tmp_path / "logs")
    assert "is a file" in one_line(error)
    assert (tmp_path / "logs").read_text() == "notes"
