"""lessons/check_env.py: each check, with the conditions faked."""
import socket
from pathlib import Path

import check_env as env

REPO_ROOT = Path(__file__).resolve().parent.parent
FIX = "-m pip install --force-reinstall torch==2.14.1 torchvision==0.29.1"


def test_torch_and_torchvision_pairs():
    assert env.expected_torchvision("2.14.1+cu130") == "0.29"
    assert env.expected_torchvision("2.5.0") == "0.20" and env.expected_torchvision("1.13.1") == "0.14"
    assert env.check_pair("2.14.1+cu130", "0.29.1+cu130")[0] == env.OK
    status, line = env.check_pair("2.13.0+cpu", "0.29.1")
    assert status == env.FAIL and "do not pair" in line and "torchvision 0.28.x" in line
    assert "operator torchvision::nms does not exist" in line and FIX in line
    status, line = env.check_pair("2.14.1", "0.29.1", nms_error="operator torchvision::nms does not exist")
    assert status == env.FAIL and FIX in line
    assert env.check_pair(None, None)[0] == env.FAIL and "not installed" in env.check_pair(None, None)[1]
    assert "torchvision is not installed" in env.check_pair("2.14.1", None)[1]


def test_gpu_lines():
    assert env.check_gpu("13.0", True, True, False)[0] == env.OK
    assert env.check_gpu(None, False, False, True)[1].startswith("Apple GPU (MPS)")
    status, line = env.check_gpu(None, False, True, False, system="Linux")
    assert status == env.WARN and "CPU-only build" in line and FIX in line
    assert "pytorch.org/get-started/locally" in env.check_gpu(None, False, True, False, system="Windows")[1]
    assert "update the NVIDIA driver" in env.check_gpu("13.0", False, True, False)[1]
    assert env.check_gpu(None, False, False, False)[0] == env.OK


def test_tensorboard_next_to_a_newer_numpy():
    status, line = env.check_tensorboard("AttributeError: module 'numpy' has no attribute 'object'")
    assert status == env.FAIL and "numpy" in line and "requirements.txt" in line
    assert env.check_tensorboard(None)[0] == env.OK


def test_a_path_with_chinese_characters_or_spaces():
    status, line = env.check_path(Path("C:/Users/学生/pytorch"), system="Windows")
    assert status == env.WARN and "学生" in line and "TensorBoard cannot open it" in line
    assert env.check_path(Path("C:/My Files/pytorch"), system="Windows")[0] == env.WARN
    assert env.check_path(Path("/home/me/pytorch"), system="Linux")[0] == env.OK


def test_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, line = env.check_port(port)
    assert status == env.WARN and f"--port {port + 1}" in line


def test_folders_data_and_weights(tmp_path):
    assert env.check_writable(tmp_path / "logs")[0] == env.OK
    (tmp_path / "a-file").write_text("x")
    assert env.check_writable(tmp_path / "a-file" / "logs")[0] == env.FAIL
    assert env.check_cifar(tmp_path)[0] == env.WARN
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"x")
    assert env.check_cifar(tmp_path)[0] == env.OK
    assert env.check_vgg16(tmp_path)[0] == env.WARN
    assert env.check_python((3, 8, 10))[0] == env.FAIL


def test_only_a_blocking_problem_fails_the_run(tmp_path):
    facts = {"torch": "2.14.1", "torchvision": "0.28.0", "nms_error": None, "cuda_build": None,
             "cuda_available": False, "mps_available": False, "hub_dir": str(tmp_path), "tensorboard_error": None,
             "nvidia_gpu": True}
    checks = dict(env.run_checks(facts, root=tmp_path))
    assert checks["torch"][0] == env.FAIL and checks["GPU"][0] == env.WARN and checks["CIFAR10"][0] == env.WARN
    result = env.main([])
    assert result["failed"] == []             # this machine can run the lessons
    names = [name for name, _ in result["checks"]]
    assert names[:5] == ["Python", "torch", "GPU", "TensorBoard", "CIFAR10"] and names[-2:] == ["path", "port"]
