"""On the learner's own machine: downloads that resume, writes that fail cleanly."""
import hashlib
import http.server
import io
import os
import resource
import signal
import subprocess
import sys
import tarfile
import threading
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

import cifar
import common
from helpers import write_cifar_layout

REAL_URLOPEN = urllib.request.urlopen     # the conftest fixture refuses the network; 127.0.0.1 is allowed here
REPO_ROOT = Path(__file__).resolve().parent.parent


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
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{cifar.ARCHIVE_NAME}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """The tiny set as a CIFAR10 tar.gz, whose md5 the project is told to expect."""
    folder = write_cifar_layout(tmp_path / "source", monkeypatch)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname=cifar.BATCH_FOLDER)
    payload = buffer.getvalue()
    monkeypatch.setattr(cifar, "ARCHIVE_MD5", hashlib.md5(payload).hexdigest())
    monkeypatch.setattr(urllib.request, "urlopen", REAL_URLOPEN)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(key, raising=False)
    return payload


def test_an_interrupted_download_resumes_where_it_stopped(tmp_path, archive, capsys):
    server = ArchiveServer(archive, cut=len(archive) // 2)
    root = tmp_path / "data"
    root.mkdir()
    args = SimpleNamespace(tiny=False, data_root=root, cifar_url=server.url)
    try:
        first = cifar.cifar10(train=True, args=args)            # cut off halfway: the tiny set stands in
        assert isinstance(first, cifar.TinyCIFAR10)
        part = root / (cifar.ARCHIVE_NAME + ".part")
        assert part.stat().st_size == len(archive) // 2
        cifar._failed_roots.clear()                              # "the next run"
        second = cifar.cifar10(train=True, args=args)
    finally:
        server.close()
    assert type(second).__name__ == "CIFAR10" and len(second) == 200
    assert server.requests == [None, f"bytes={len(archive) // 2}-"]   # the second asked for the rest only
    assert (root / cifar.ARCHIVE_NAME).read_bytes() == archive and not part.exists()
    out = capsys.readouterr().out
    assert f"Resuming {server.url}" in out and "stopped at" in out


def test_a_mirror_from_the_environment_and_a_wrong_file_from_it(tmp_path, archive, monkeypatch, capsys):
    server = ArchiveServer(b"not the archive at all" * 1000)
    monkeypatch.setenv("CIFAR10_URL", server.url)
    root = tmp_path / "data"
    root.mkdir()
    try:
        dataset = cifar.cifar10(train=False, args=SimpleNamespace(tiny=False, data_root=root))
    finally:
        server.close()
    assert isinstance(dataset, cifar.TinyCIFAR10)
    notice = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Notice:"))
    assert "is not CIFAR10's archive (md5 differs" in notice and "was deleted" in notice
    assert list(root.iterdir()) == []


def test_offline_says_so_once_without_downloading_first(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    cifar.cifar10(train=False, args=SimpleNamespace(tiny=False, data_root=tmp_path / "data"))
    out = capsys.readouterr().out
    assert "Downloading" not in out and out.count("could not be downloaded") == 1


# ---------------------------------------------------------------- writes that fail
def limited(size):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def run_limited(size, *command):
    return subprocess.run([sys.executable, *map(str, command)], preexec_fn=limited(size),
                          capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)


def test_a_checkpoint_that_cannot_be_written_keeps_the_earlier_one(tmp_path):
    from helpers import run_lesson
    run_lesson("p25_model_save", "--device", "cpu", "--out-dir", tmp_path)
    save = [REPO_ROOT / "lessons" / "p25_model_save.py", "--device", "cpu", "--out-dir", tmp_path]
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    done = run_limited(100_000, *save, "--seed", "1")          # the files are ~580 KB: the first write fails
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: could not write {tmp_path / 'tudui_method1.pth'}: the file grew past the size this system "
        "allows a file (File too large); the earlier file is untouched"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before     # no .tmp left, nothing changed


@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB file system, where this machine lets the tests mount one."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    yield folder
    subprocess.run(["umount", str(folder)], capture_output=True)


def test_tensorboard_on_a_full_disk(small_disk):
    logs = small_disk / "logs"
    logs.mkdir()
    (logs / "events.out.tfevents.1.earlier").write_bytes(b"earlier run")
    done = subprocess.run([sys.executable, str(REPO_ROOT / "lessons" / "p17_nn_conv2d.py"), "--tiny",
                           "--logdir", str(logs)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: could not write TensorBoard events to {logs}: no space left on the disk (No space left on "
        "device): free some space or choose another folder; the earlier run there is untouched"]
    assert [p.name for p in logs.iterdir()] == ["events.out.tfevents.1.earlier"]


def test_a_checkpoint_on_a_full_disk(small_disk):
    (small_disk / "filler").write_bytes(b"\0" * 200_000)
    with pytest.raises(common.LessonError) as error:
        common.save_atomically(torch.nn.Linear(100, 500).state_dict(), small_disk / "model.pth")
    assert str(error.value) == (f"could not write {small_disk / 'model.pth'}: no space left on the disk (No space "
                                "left on device): free some space or choose another folder")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_a_slow_download_says_once_how_to_do_without_it(tmp_path, archive, monkeypatch, capsys):
    monkeypatch.setattr(cifar, "SLOW_CHECK_AFTER", -1)     # judge the speed from the first chunk on
    monkeypatch.setattr(cifar, "SLOW_LIMIT", -1)           # and call any speed slow
    payload = archive * 3                                  # several chunks; not the archive, so deleted after
    server = ArchiveServer(payload)
    root = tmp_path / "data"
    root.mkdir()
    try:
        cifar.cifar10(train=False, args=SimpleNamespace(tiny=False, data_root=root, cifar_url=server.url))
    finally:
        server.close()
    out = capsys.readouterr().out
    assert out.count("Slow: about") == 1
    slow = next(line for line in out.splitlines() if line.startswith("Slow: about"))
    assert cifar.ARCHIVE_URL in slow and "--cifar-url" in slow and "Ctrl-C keeps what has arrived" in slow
