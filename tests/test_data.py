"""CIFAR10 for the lessons (support/data.py): the real data read through
torchvision, damaged files named, downloads that resume and fall back to
the tiny stand-in, offline in bounded time. Every problem is one line and
leaves the learner's files as they were."""
import hashlib
import http.server
import io
import socket
import tarfile
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import torchvision

from helpers import write_cifar_layout
from support import data, files

REAL_URLOPEN = urllib.request.urlopen     # the conftest fixture refuses the network; 127.0.0.1 is allowed here


def one_line(error_info):
    message = str(error_info.value)
    assert "\n" not in message
    return message


def data_args(root, url=None):
    return SimpleNamespace(tiny=False, data_root=root, cifar_url=url)


def load(args, train=False):
    """What a lesson does: the preparation line, then the video's literal call."""
    root = data.cifar10_ready(args)
    return torchvision.datasets.CIFAR10(root=root, train=train, transform=torchvision.transforms.ToTensor(),
                                        download=True)


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


# ------------------------------------------------------------------ on disk
def test_cifar10_layout_on_disk_is_read_by_torchvisions_own_class(tmp_path, monkeypatch):
    write_cifar_layout(tmp_path, monkeypatch)
    dataset = load(data_args(tmp_path))
    assert type(dataset) is data.REAL_CIFAR10 and torchvision.datasets.CIFAR10 is data.REAL_CIFAR10
    assert len(dataset) == 100 and dataset.classes == list(data.CLASSES)
    assert (dataset.data == data.make_tiny_images(train=False)[0]).all()
    assert dataset[0][0].shape == (3, 32, 32)


def test_tiny_flag_stands_in_with_the_same_signature_and_layout():
    dataset = load(SimpleNamespace(tiny=True), train=True)
    assert data.is_standin(dataset) and isinstance(dataset, data.REAL_CIFAR10)
    assert len(dataset) == 200 and dataset.data.shape == (200, 32, 32, 3)
    image, label = dataset[0]
    assert image.shape == (3, 32, 32) and 0.0 <= image.min() and image.max() <= 1.0
    assert label == dataset.targets[0] and dataset.classes == list(data.CLASSES)


def test_truncated_batch_file_is_named_with_the_fix(tmp_path, monkeypatch):
    folder = write_cifar_layout(tmp_path, monkeypatch)
    damaged = folder / "data_batch_3"
    damaged.write_bytes(damaged.read_bytes()[:1000])
    before = files_under(tmp_path)
    with pytest.raises(files.LessonError) as error:
        load(data_args(tmp_path), train=True)
    message = one_line(error)
    assert str(damaged) in message and "1,000" in message and str(folder) in message
    assert files_under(tmp_path) == before


def test_missing_batch_file_is_named(tmp_path, monkeypatch):
    folder = write_cifar_layout(tmp_path, monkeypatch)
    (folder / "test_batch").unlink()
    with pytest.raises(files.LessonError) as error:
        load(data_args(tmp_path))
    assert str(folder / "test_batch") in one_line(error)


def test_hand_placed_damaged_archive_is_named_with_size_and_checksum(tmp_path):
    archive = tmp_path / data.ARCHIVE_NAME
    archive.write_bytes(b"not really a tar.gz" * 100)
    with pytest.raises(files.LessonError) as error:
        load(data_args(tmp_path))
    message = one_line(error)
    assert str(archive) in message and "1,900" in message
    assert "170,498,071" in message and data.ARCHIVE_MD5 in message
    assert files_under(tmp_path) == [data.ARCHIVE_NAME]   # the learner's file is left alone


@pytest.mark.parametrize("make", [
    lambda p: p / "nowhere",
    lambda p: (p / "a-file").write_text("x") and p / "a-file",
])
def test_bad_data_root(tmp_path, make):
    root = make(tmp_path)
    with pytest.raises(files.LessonError) as error:
        load(data_args(root))
    assert f"--data-root {root}" in one_line(error)


def test_a_file_where_the_cifar10_folder_belongs(tmp_path):
    (tmp_path / data.BATCH_FOLDER).write_text("oops")
    with pytest.raises(files.LessonError) as error:
        load(data_args(tmp_path))
    assert str(tmp_path / data.BATCH_FOLDER) in one_line(error)
    assert (tmp_path / data.BATCH_FOLDER).read_text() == "oops"


def test_unwritable_data_root():
    folder = Path("/sys")
    try:
        with open(folder / "probe", "wb"):
            pytest.skip("/sys is writable here")
    except OSError:
        pass
    with pytest.raises(files.LessonError) as error:
        load(data_args(folder))
    assert "/sys" in one_line(error) and "--data-root" in str(error.value)


# ------------------------------------------------------------------ downloads (faked answers)
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
    monkeypatch.setattr(data, "unreachable", lambda url: None)
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda request, timeout: response)


@pytest.mark.parametrize("break_after, expected", [
    (200_000, ["262,144", "Connection reset by peer"]),
    (None, ["300,000", "170,498,071"]),
])
def test_download_cut_off_halfway_keeps_the_part_for_later(tmp_path, monkeypatch, capsys, break_after, expected):
    serve(monkeypatch, FakeResponse(b"x" * 300_000, data.ARCHIVE_BYTES, break_after))
    dataset = load(data_args(tmp_path))
    assert data.is_standin(dataset)
    notices = [line for line in capsys.readouterr().out.splitlines() if data.ARCHIVE_MD5 in line]
    assert len(notices) == 1 and all(fact in notices[0] for fact in expected)
    assert str(tmp_path) in notices[0]
    # only the .part, which the next run continues; never a half file under the archive's own name
    assert files_under(tmp_path) == [data.ARCHIVE_NAME + ".part"]


def fake_archive(tmp_path, monkeypatch):
    """A tar.gz of the tiny set in CIFAR10's layout, with its md5 as the expected one."""
    folder = write_cifar_layout(tmp_path / "source", monkeypatch)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=data.BATCH_FOLDER)
    payload = buffer.getvalue()
    monkeypatch.setattr(data, "ARCHIVE_MD5", hashlib.md5(payload).hexdigest())
    return payload


def test_download_then_unpack_then_load(tmp_path, monkeypatch):
    payload = fake_archive(tmp_path, monkeypatch)
    root = tmp_path / "data"
    root.mkdir()
    serve(monkeypatch, FakeResponse(payload, len(payload)))
    dataset = load(data_args(root), train=True)
    assert type(dataset) is data.REAL_CIFAR10 and len(dataset) == 200
    assert (root / data.ARCHIVE_NAME).read_bytes() == payload
    assert sorted(p.name for p in root.iterdir()) == [data.BATCH_FOLDER, data.ARCHIVE_NAME]


def test_unpacking_cut_short_leaves_no_half_folder(tmp_path, monkeypatch):
    payload = fake_archive(tmp_path, monkeypatch)
    root = tmp_path / "data"
    root.mkdir()
    (root / data.ARCHIVE_NAME).write_bytes(payload)
    from torchvision.datasets import utils as tv_utils

    def extract_then_stop(archive, to):
        (Path(to) / data.BATCH_FOLDER).mkdir()
        (Path(to) / data.BATCH_FOLDER / "data_batch_1").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(tv_utils, "extract_archive", extract_then_stop)
    with pytest.raises(KeyboardInterrupt):
        load(data_args(root), train=True)
    assert files_under(root) == [data.ARCHIVE_NAME]


# ------------------------------------------------------------------ downloads from a server on 127.0.0.1
class ArchiveServer:
    """Serves one file on 127.0.0.1, honouring Range; the first answer can stop after `cut` bytes."""

    def __init__(self, payload, cut=None):
        self.payload, self.cut, self.requests = payload, cut, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                asked = self.headers.get("Range")
                server.requests.append(asked)
                start = int(asked.split("=")[1].rstrip("-")) if asked else 0
                body = server.payload[start:]
                self.send_response(206 if asked else 200)
                self.send_header("Content-Length", str(len(body)))
                if asked:
                    self.send_header("Content-Range", f"bytes {start}-{len(server.payload) - 1}/{len(server.payload)}")
                self.end_headers()
                if server.cut is not None and len(server.requests) == 1:
                    self.wfile.write(body[:server.cut])     # then the connection drops
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{data.ARCHIVE_NAME}"
        # shutdown() waits for serve_forever to look again: every 0.05 s, not its default 0.5 s
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """The tiny set as a CIFAR10 tar.gz, whose md5 the project is told to expect."""
    payload = fake_archive(tmp_path, monkeypatch)
    monkeypatch.setattr(urllib.request, "urlopen", REAL_URLOPEN)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(key, raising=False)
    return payload


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, archive, capsys):
    server = ArchiveServer(archive, cut=len(archive) // 2)
    root = tmp_path / "data"
    root.mkdir()
    args = data_args(root, url=server.url)
    part = root / (data.ARCHIVE_NAME + ".part")
    try:
        first = load(args, train=True)           # cut off halfway: the tiny set stands in
        assert data.is_standin(first)
        assert part.stat().st_size == len(archive) // 2
        data._failed_roots.clear()               # "the next run"
        second = load(args, train=True)
    finally:
        server.close()
    assert type(second) is data.REAL_CIFAR10 and len(second) == 200
    assert server.requests == [None, f"bytes={len(archive) // 2}-"]   # the second asked for the rest only
    assert (root / data.ARCHIVE_NAME).read_bytes() == archive and not part.exists()
    assert server.url in capsys.readouterr().out


def test_a_mirror_from_the_environment_and_a_wrong_file_from_it(tmp_path, archive, monkeypatch, capsys):
    server = ArchiveServer(b"not the archive at all" * 1000)
    monkeypatch.setenv("CIFAR10_URL", server.url)
    root = tmp_path / "data"
    root.mkdir()
    try:
        dataset = load(data_args(root))
    finally:
        server.close()
    assert data.is_standin(dataset) and server.requests == [None]
    notice = next(line for line in capsys.readouterr().out.splitlines() if data.ARCHIVE_MD5 in line)
    assert "22,000" in notice and data.ARCHIVE_MD5 in notice
    assert list(root.iterdir()) == []


def test_offline_says_so_once_without_downloading_first(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    args = data_args(tmp_path / "data")
    load(args)
    load(args, train=True)
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if data.ARCHIVE_MD5 in line]) == 1 and "MB" not in out


def test_a_slow_download_says_once_how_to_do_without_it(tmp_path, archive, monkeypatch, capsys):
    monkeypatch.setattr(data, "SLOW_CHECK_AFTER", -1)     # judge the speed from the first chunk on
    monkeypatch.setattr(data, "SLOW_LIMIT", -1)           # and call any speed slow
    server = ArchiveServer(archive * 3)                   # several chunks; not the archive, so deleted after
    root = tmp_path / "data"
    root.mkdir()
    seen = []
    monkeypatch.setattr("tqdm.tqdm.write", classmethod(lambda cls, text, *a, **k: seen.append(text)))
    try:
        load(data_args(root, url=server.url))
    finally:
        server.close()
    assert len(seen) == 1
    assert data.ARCHIVE_URL in seen[0] and "--cifar-url" in seen[0] and "Ctrl-C" in seen[0]


# ------------------------------------------------------------------ network
def test_offline_lookup_gives_up_within_seconds(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(3))
    for key in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(key, raising=False)
    started = time.monotonic()
    reason = data.unreachable("https://example.invalid/file", seconds=0.3)
    assert time.monotonic() - started < 1.5
    assert "example.invalid" in reason and "0.3" in reason


def test_tensors_path_matches_totensor_and_normalize():
    dataset = data.TinyCIFAR10(train=False, transform=torchvision.transforms.ToTensor())
    images, labels = data.as_tensors(dataset)
    assert images.shape == (100, 3, 32, 32) and labels.tolist() == dataset.targets
    assert (images[0] - dataset[0][0]).abs().max() < 1e-6
    normalized, _ = data.as_tensors(dataset, normalize=True)
    by_transform = torchvision.transforms.Normalize(data.MEAN, data.STD)(dataset[0][0])
    assert (normalized[0] - by_transform).abs().max() < 1e-5
