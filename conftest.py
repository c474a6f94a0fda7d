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


@pytest.fixture
def no_network(monkeypatch):
    """Every download attempt fails at once, as on a machine that is offline."""
    import socket
    import urllib.error
    import urllib.request

    def refuse(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return refuse
