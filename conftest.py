"""pytest setup: the lessons import each other as plain modules (`import
common`, `from models import Tudui`), exactly as they do when a learner runs
`python lessons/p21_nn_seq.py`, so lessons/ goes on the path here too."""
import sys
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO_ROOT / "lessons"))

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA GPU on this machine"))]


@pytest.fixture(params=DEVICES)
def device(request):
    """Each test that takes it runs on the CPU, and on CUDA where present."""
    return request.param


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests never touch the network: every name lookup and every download
    fails at once, as on a machine that is offline. (Subprocess tests get
    the same from a refusing proxy on 127.0.0.1.)"""
    import socket
    import urllib.error
    import urllib.request

    real_getaddrinfo = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host in ("localhost", "127.0.0.1", "::1", None):
            return real_getaddrinfo(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    def refuse(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return refuse
