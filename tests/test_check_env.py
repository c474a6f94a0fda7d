"""lessons/check_env.py: each check, with the conditions faked; the build and GPU
advice and the processor's features decided for machines we are not on; both languages."""
import re
import socket
from pathlib import Path

import pytest

import check_env as env
from support import i18n

REPO_ROOT = Path(__file__).resolve().parent.parent
FIX = "-m pip install --force-reinstall torch==2.14.1 torchvision==0.29.1"
CPU_LINE = "pip install torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu"
CJK = re.compile(r"[\u4e00-\u9fff]")

XEON_AMX = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu sse sse2 avx avx2 avx512f avx512bw avx512_bf16 amx_bf16 amx_tile amx_int8
"""
EPYC_ZEN3 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B13
flags\t\t: fpu sse sse2 avx avx2 fma
"""
SKYLAKE_AVX512 = "model name\t: Intel(R) Xeon(R) Gold 6148\nflags\t\t: avx2 avx512f avx512bw\n"
ARM = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes\nCPU implementer\t: 0x41\n"


def facts(tmp_path, **changes):
    """The facts of a healthy CPU-only machine, with some changed."""
    base = {"torch": "2.14.1+cpu", "torchvision": "0.29.1+cpu", "nms_error": None, "cuda_build": None,
            "hip_build": None, "mps_built": False, "cuda_available": False, "mps_available": False,
            "hub_dir": str(tmp_path), "tensorboard_error": None, "nvidia_gpu": False,
            "cpu": env.cpu_features(EPYC_ZEN3), "amp_reason": "--amp: float32"}
    return {**base, **changes}


def test_torch_and_torchvision_pairs():
    assert env.expected_torchvision("2.14.1+cu130") == "0.29"
    assert env.expected_torchvision("2.5.0") == "0.20" and env.expected_torchvision("1.13.1") == "0.14"
    assert env.check_pair("2.14.1+cu130", "0.29.1+cu130")[0] == env.OK
    # a mismatch keeps the learner's torch: the torchvision built for it, from the index its build came from
    status, line = env.check_pair("2.13.0+cpu", "0.29.1")
    assert status == env.FAIL and "2.13.0+cpu" in line and "0.29.1" in line
    assert "operator torchvision::nms does not exist" in line and "torch==" not in line
    assert line.endswith("-m pip install torchvision==0.28.0 --index-url https://download.pytorch.org/whl/cpu")
    status, line = env.check_pair("2.14.1", "0.29.1", nms_error="operator torchvision::nms does not exist")
    assert status == env.FAIL and FIX in line and "nms does not exist" in line
    status, line = env.check_pair(None, None)
    assert status == env.FAIL and "torch==2.14.1 torchvision==0.29.1" in line and "-m pip install" in line
    status, line = env.check_pair("1.13.1+cpu", "0.14.1+cpu")
    assert status == env.FAIL and "1.13.1" in line and line.endswith(CPU_LINE)
    status, line = env.check_pair("2.0.1", "0.15.2", numpy_version="2.1.0")
    assert status == env.FAIL and "2.1.0" in line and line.endswith("-m pip install 'numpy<2'")
    status, line = env.check_pair("2.14.1", None)
    assert status == env.FAIL and line.endswith("-m pip install torchvision==0.29.1")


def test_gpu_lines():
    assert env.check_gpu("13.0", True, True, False)[0] == env.OK
    status, line = env.check_gpu(None, False, False, True)
    assert status == env.OK and "MPS" in line
    status, line = env.check_gpu(None, False, True, False, system="Linux")
    assert status == env.WARN and FIX in line
    windows = env.check_gpu(None, False, True, False, system="Windows")
    assert windows[0] == env.WARN and "pytorch.org/get-started/locally" in windows[1] and FIX not in windows[1]
    status, line = env.check_gpu("13.0", False, True, False)      # a CUDA build that sees no GPU: the driver
    assert status == env.WARN and "nvidia-smi" in line and "13.0" in line
    assert env.check_gpu(None, False, False, False)[0] == env.OK


@pytest.mark.parametrize("cuda, hip, mps, build", [
    ("13.0", None, False, "cuda"), (None, "6.4", False, "rocm"), (None, None, True, "mps"), (None, None, False, "cpu"),
])
def test_which_build(cuda, hip, mps, build):
    assert env.torch_build(cuda, hip, mps) == build


def test_build_advice_for_the_machine():
    # a CUDA build on a machine with no NVIDIA GPU: the CPU-only install line saves several GB
    status, line = env.check_build("cuda", "13.0", nvidia_gpu=False)
    assert status == env.WARN and CPU_LINE in line and "13.0" in line and "3 GB" in line
    # the same build with a GPU, and the other builds: just which one it is
    status, line = env.check_build("cuda", "13.0", nvidia_gpu=True)
    assert status == env.OK and "13.0" in line and CPU_LINE not in line
    for build in ("cpu", "mps", "rocm"):
        status, line = env.check_build(build, None, nvidia_gpu=False, hip_version="6.4")
        assert status == env.OK and "pip" not in line
    assert "MPS" in env.check_build("mps")[1] and "6.4" in env.check_build("rocm", hip_version="6.4")[1]
    assert env.check_build("cpu")[1] != env.check_build("mps")[1]


def test_build_and_gpu_lines_together(tmp_path):
    """Each mismatch is said once: a CPU-only build beside an NVIDIA GPU on the GPU line (with the
    CUDA install), a CUDA build without one on the build line (with the CPU-only install)."""
    cpu_build_with_gpu = dict(env.run_checks(facts(tmp_path, nvidia_gpu=True), root=tmp_path))
    assert cpu_build_with_gpu["build"][0] == env.OK
    assert cpu_build_with_gpu["GPU"][0] == env.WARN and FIX in cpu_build_with_gpu["GPU"][1]
    cuda_build_no_gpu = dict(env.run_checks(facts(tmp_path, torch="2.14.1+cu130", cuda_build="13.0"),
                                            root=tmp_path))
    assert cuda_build_no_gpu["build"][0] == env.WARN and CPU_LINE in cuda_build_no_gpu["build"][1]
    assert cuda_build_no_gpu["GPU"][0] == env.OK
    # torch already sees a GPU, though nvidia-smi is not on PATH: no advice to drop CUDA
    seen = dict(env.run_checks(facts(tmp_path, torch="2.14.1+cu130", cuda_build="13.0", cuda_available=True),
                               root=tmp_path))
    assert seen["build"][0] == env.OK and seen["GPU"][0] == env.OK
    mac = dict(env.run_checks(facts(tmp_path, torch="2.14.1", mps_built=True, mps_available=True), root=tmp_path))
    assert mac["build"] == env.check_build("mps") and mac["GPU"][0] == env.OK


def test_nvidia_presence(tmp_path):
    assert env.nvidia_gpu(which=lambda name: "/usr/bin/nvidia-smi", proc_dir=tmp_path / "none")
    assert not env.nvidia_gpu(which=lambda name: None, proc_dir=tmp_path / "none")
    (tmp_path / "nvidia").mkdir()
    assert env.nvidia_gpu(which=lambda name: None, proc_dir=tmp_path / "nvidia")


@pytest.mark.parametrize("cpuinfo, model, avx512, bf16, amx", [
    (XEON_AMX, "Intel(R) Xeon(R) Platinum 8480+", True, True, True),
    (EPYC_ZEN3, "AMD EPYC 7B13", False, False, False),
    (SKYLAKE_AVX512, "Intel(R) Xeon(R) Gold 6148", True, False, False),
    (ARM, None, False, False, False),
])
def test_cpu_features_from_cpuinfo(cpuinfo, model, avx512, bf16, amx):
    features = env.cpu_features(cpuinfo, {"avx512": True, "bf16": True, "amx": True, "capability": "AVX2"})
    assert (features["model"], features["avx512"], features["bf16"], features["amx"]) == (model, avx512, bf16, amx)
    assert features["capability"] == "AVX2"          # torch's choice is shown as it is


def test_cpu_features_without_cpuinfo():
    """macOS and Windows have no /proc/cpuinfo: what torch detected decides; nothing known is None."""
    said = {"model": "Apple M2", "avx512": False, "bf16": False, "amx": False, "capability": "DEFAULT"}
    features = env.cpu_features("", said)
    assert features == {"model": "Apple M2", "avx512": False, "bf16": False, "amx": False, "capability": "DEFAULT"}
    assert env.cpu_features("", None) == {"model": None, "avx512": None, "bf16": None, "amx": None,
                                          "capability": None}


def test_cpu_line_in_both_languages():
    features = env.cpu_features(XEON_AMX, {"capability": "AVX512"})
    status, zh = env.check_cpu(features)
    assert status == env.OK and "Intel(R) Xeon(R) Platinum 8480+" in zh and "AVX512" in zh and CJK.search(zh)
    i18n.set_language("en")
    en = env.check_cpu(features)[1]
    none = env.check_cpu(env.cpu_features(EPYC_ZEN3))[1]
    unknown = env.check_cpu(env.cpu_features(""))[1]
    assert not CJK.search(en + none + unknown)
    assert en.count("has ") == 3 and none.count("no ") == 3 and unknown.count("unknown") == 4


def test_amp_line_says_the_decision(tmp_path):
    from support import training
    reason = training.amp_plan("cpu", "auto", cpu_bfloat16=False)[2]
    checks = dict(env.run_checks(facts(tmp_path, amp_reason=reason), root=tmp_path))
    assert checks["--amp"] == (env.OK, reason) and "--amp bf16" in reason
    assert "--amp" not in dict(env.run_checks(facts(tmp_path, amp_reason=None), root=tmp_path))
    # on this machine the line is what amp_plan decides for the device --device auto picks
    assert env.amp_reason(False, False) == training.amp_plan("cpu", "auto")[2]


def test_tensorboard_next_to_a_newer_numpy():
    status, line = env.check_tensorboard("AttributeError: module 'numpy' has no attribute 'object'")
    assert status == env.FAIL and "numpy" in line and "requirements.txt" in line
    assert env.check_tensorboard(None)[0] == env.OK


def test_a_path_with_chinese_characters_or_spaces():
    status, windows = env.check_path(Path("C:/Users/学生/pytorch"), system="Windows")
    assert status == env.WARN and "学生" in windows and "C:\\pytorch-course" in windows
    status, linux = env.check_path(Path("/home/学生/pytorch"), system="Linux")
    assert status == env.WARN and windows.split("：")[-1] != linux.split("：")[-1]   # "cannot" here, "could" there
    status, line = env.check_path(Path("C:/My Files/pytorch"), system="Windows")
    assert status == env.WARN and "My Files" in line
    assert env.check_path(Path("/home/me/My Files"), system="Linux")[0] == env.OK
    assert env.check_path(Path("/home/me/pytorch"), system="Linux")[0] == env.OK


def test_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, line = env.check_port(port)
    assert status == env.WARN and f"--port {port + 1}" in line and f"http://localhost:{port + 1}" in line


def test_folders_data_and_weights(tmp_path):
    assert env.check_writable(tmp_path / "logs")[0] == env.OK
    (tmp_path / "a-file").write_text("x")
    status, line = env.check_writable(tmp_path / "a-file" / "logs")
    assert status == env.FAIL and str(tmp_path / "a-file" / "logs") in line
    assert env.check_cifar(tmp_path)[0] == env.WARN
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(b"x")
    assert env.check_cifar(tmp_path)[0] == env.OK
    batches = tmp_path / "real" / "cifar-10-batches-py"
    batches.mkdir(parents=True)
    for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
                 "batches.meta"]:
        (batches / name).write_bytes(b"x")
    status, line = env.check_cifar(tmp_path / "real")
    assert status == env.OK and str(batches) in line
    assert env.check_vgg16(tmp_path)[0] == env.WARN
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "vgg16-397923af.pth").write_bytes(b"x")
    assert env.check_vgg16(tmp_path)[0] == env.OK
    assert env.check_python((3, 8, 10))[0] == env.FAIL
    assert env.check_python((3, 12, 1)) == (env.OK, "Python 3.12.1")


def test_only_a_blocking_problem_fails_the_run(tmp_path):
    checks = dict(env.run_checks(facts(tmp_path, torchvision="0.28.0", nvidia_gpu=True), root=tmp_path))
    assert checks["torch"][0] == env.FAIL and checks["GPU"][0] == env.WARN and checks["CIFAR10"][0] == env.WARN
    result = env.main([], facts=facts(tmp_path, torchvision="0.28.0"), root=tmp_path)
    assert result["failed"] == ["torch"]
    result = env.main([])
    assert result["failed"] == []             # this machine can run the lessons
    names = [name for name, _ in result["checks"]]
    assert names[:4] == ["Python", "torch", "build", "GPU"] and names[-2:] == ["path", "port"]
    assert {"CPU", "--amp", "TensorBoard", "CIFAR10", "VGG16", "data/", "logs/", "checkpoints/"} <= set(names)
    without_torch = [name for name, _ in env.run_checks(facts(tmp_path, torch=None, torchvision=None, hub_dir=None,
                                                              amp_reason=None), root=tmp_path)]
    assert "build" not in without_torch and "VGG16" not in without_torch and "CPU" in without_torch


def test_both_languages(tmp_path, capsys, monkeypatch):
    """Chinese by default, English with --lang en or LANG=en_*: the same checks and statuses,
    one line each, and no Chinese in the English run but names (here, a path's)."""
    root = tmp_path / "学生"
    root.mkdir()
    machine = facts(tmp_path, torch="2.14.1+cu130", cuda_build="13.0")
    zh = env.main([], facts=machine, root=root)
    zh_out = capsys.readouterr().out
    en = env.main(["--lang", "en"], facts=machine, root=root)
    en_out = capsys.readouterr().out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    from_env = env.main([], facts=machine, root=root)
    env_out = capsys.readouterr().out
    assert (zh["language"], en["language"], from_env["language"]) == ("zh", "en", "en")
    assert [(n, s) for n, (s, _) in zh["checks"]] == [(n, s) for n, (s, _) in en["checks"]]
    assert en_out == env_out and en["checks"] == from_env["checks"]
    lines = zh_out.splitlines()
    assert len(lines) == len(zh["checks"]) + 2 == len(en_out.splitlines())
    assert all(CJK.search(line) for line in lines)
    assert [line for line in en_out.replace(str(root), "").replace("学生", "").splitlines() if CJK.search(line)] == []
    assert CPU_LINE in zh_out and CPU_LINE in en_out
    assert sorted(re.findall(r"\d+", zh_out)) == sorted(re.findall(r"\d+", en_out))     # the same numbers


def test_help_in_both_languages(capsys):
    with pytest.raises(SystemExit):
        env.main(["--help"])
    zh = capsys.readouterr().out
    with pytest.raises(SystemExit):
        env.main(["--help", "--lang", "en"])
    en = capsys.readouterr().out
    assert zh.startswith("用法：") and "--lang" in zh and "--seed" not in zh
    assert en.startswith("usage: ") and "show this help message and exit" in en
    assert [line for line in en.splitlines() if CJK.search(line)] == [env.__doc__.splitlines()[0]]


@pytest.mark.parametrize("python, typed", [
    (r"C:\Users\xm\anaconda3\envs\pytorch\python.exe", [r"C:\Users\xm\anaconda3\envs\pytorch\python.exe"]),
    (r"C:\Program Files\Python311\python.exe", [r'& "C:\Program Files\Python311\python.exe"',     # PowerShell
                                                r'"C:\Program Files\Python311\python.exe"'])])     # cmd
def test_commands_as_typed_on_windows(monkeypatch, tmp_path, python, typed):
    """On Windows the printed commands are PowerShell's and cmd's: the interpreter quoted
    where its path has a space (PowerShell then needs `& `), lessons\\ with a backslash."""
    monkeypatch.setattr(env.sys, "platform", "win32")
    monkeypatch.setattr(env.sys, "executable", python)
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(i18n, "_state", dict(i18n._state))     # the language goes back after the test
    i18n.choose_language(["--lang", "en"])
    fix = env.check_pair("2.14.1", "0.28.0")[1] + env.check_pair("2.0.1", "0.15.2", numpy_version="2.0.0")[1]
    start = env.python_command(env.lesson_path("p21_nn_seq"))
    for form in typed:
        assert f"{form} -m pip install torchvision==0.29.1" in fix
        assert f'{form} -m pip install "numpy<2"' in fix          # cmd would read < as a redirection
        assert f"{form} lessons\\p21_nn_seq.py" in start
    assert "/" not in start and "&&" not in fix + start
    monkeypatch.setattr(env.sys, "platform", "linux")
    monkeypatch.setattr(env.sys, "executable", "/home/xm/my env/bin/python")
    assert env.python_command(env.lesson_path("p21_nn_seq")) == "'/home/xm/my env/bin/python' lessons/p21_nn_seq.py"
