"""检查环境 check_env - is this machine ready for the lessons?

一条命令检查学习者最容易卡住的地方，每项一行：ok，或者哪里不对、以及修复它的命令。
只有在课程无法运行时才以非零状态退出（例如 torch 和 torchvision 版本不配对）。

One line per check, ok or what is wrong and the command that fixes it:
Python; torch and torchvision and whether they pair (the cause of
"operator torchvision::nms does not exist"); a CUDA build and a GPU (or
Apple's MPS); TensorBoard importable; real CIFAR10 or the tiny stand-in;
the VGG16 weights in torch's hub cache; data/, logs/ and checkpoints/
writable; characters in the path that TensorBoard on Windows cannot open;
a free port for TensorBoard. It exits non-zero only when a lesson could not run.

    python lessons/check_env.py
"""
import argparse
import os
import platform
import shutil
import socket
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OK, WARN, FAIL = "ok", "note", "FAIL"
PINNED = {"torch": "2.14.1", "torchvision": "0.29.1"}
PAIR = (f"torch=={PINNED['torch']}", f"torchvision=={PINNED['torchvision']}")


def pip(*packages):
    """The pip command of the Python running this script, as the learner can paste it."""
    return f"{sys.executable} -m pip install " + " ".join(packages)


# ---------------------------------------------------------------- the checks (each returns status, line)
def check_python(version=sys.version_info):
    if version < (3, 10):
        return FAIL, (f"Python {version[0]}.{version[1]}: the lessons need 3.10 or newer 需要 Python 3.10+; "
                      "install a newer Python, then make the virtual environment again")
    return OK, f"Python {version[0]}.{version[1]}.{version[2]}"


def expected_torchvision(torch_version):
    """The torchvision minor version built for a torch version: torch 2.N pairs with 0.(N+15), 1.N with 0.(N+1)."""
    major, minor = (int(part) for part in torch_version.split("+")[0].split(".")[:2])
    return f"0.{minor + 15}" if major == 2 else f"0.{minor + 1}"


def check_pair(torch_version, torchvision_version, nms_error=None):
    if torch_version is None:
        return FAIL, f"torch is not installed 未安装 torch: {pip('-r', str(REPO_ROOT / 'requirements.txt'))}"
    if torchvision_version is None:
        return FAIL, f"torchvision is not installed 未安装 torchvision: {pip(PAIR[1])}"
    wanted = expected_torchvision(torch_version)
    have = ".".join(torchvision_version.split("+")[0].split(".")[:2])
    fix = pip("--force-reinstall", *PAIR)
    if have != wanted:
        return FAIL, (f"torch {torch_version} and torchvision {torchvision_version} do not pair 版本不配对 "
                      f"(torch {torch_version.split('+')[0]} needs torchvision {wanted}.x; the mismatch gives "
                      f"\"operator torchvision::nms does not exist\"): {fix}")
    if nms_error:
        return FAIL, f"torchvision cannot run its operators ({nms_error}): {fix}"
    return OK, f"torch {torch_version} + torchvision {torchvision_version} 配对 pair"


def check_gpu(cuda_build, cuda_available, nvidia_gpu, mps_available, system=platform.system()):
    if cuda_available:
        return OK, f"CUDA {cuda_build}: the lessons run on the GPU 使用 GPU"
    if mps_available:
        return OK, "Apple GPU (MPS): --device auto uses it 使用 Apple GPU"
    if nvidia_gpu and not cuda_build:
        fix = (pip("--force-reinstall", *PAIR)
               if system == "Linux" else "the command https://pytorch.org/get-started/locally/ gives for CUDA")
        return WARN, (f"an NVIDIA GPU is here but this torch is a CPU-only build 装的是 CPU 版 torch: "
                      f"the lessons run on the CPU. For the GPU: {fix}")
    if nvidia_gpu:
        return WARN, (f"an NVIDIA GPU and a CUDA {cuda_build} build, but torch sees no GPU: update the NVIDIA "
                      "driver (nvidia-smi shows its version); the lessons run on the CPU meanwhile")
    return OK, "no GPU: every lesson runs on the CPU 没有 GPU，课程在 CPU 上运行"


def check_tensorboard(import_error):
    if import_error:
        return FAIL, (f"TensorBoard cannot be imported 无法导入 ({import_error}): "
                      f"{pip('-r', str(REPO_ROOT / 'requirements.txt'))}")
    return OK, "tensorboard imports"


def check_cifar(data_root):
    folder = Path(data_root) / "cifar-10-batches-py"
    names = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
             "batches.meta"]
    if folder.is_dir() and all((folder / name).is_file() for name in names):
        return OK, f"real CIFAR10 in {folder}"
    if (Path(data_root) / "cifar-10-python.tar.gz").is_file():
        return OK, f"CIFAR10's archive is in {data_root}: the first lesson that needs it unpacks it"
    return WARN, (f"no CIFAR10 in {data_root}: the lessons download it (170 MB), or the tiny stand-in set is used "
                  f"(没有 CIFAR10，将用小数据集代替). By hand: put https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz "
                  f"in {data_root}")


def check_vgg16(hub_dir):
    path = Path(hub_dir) / "checkpoints" / "vgg16-397923af.pth"
    if path.is_file():
        return OK, f"VGG16 ImageNet weights in {path}"
    return WARN, (f"no VGG16 ImageNet weights yet (only P24 --pretrained needs them, 528 MB): they go to {path}; "
                  "by hand from https://download.pytorch.org/models/vgg16-397923af.pth")


def check_writable(folder):
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return FAIL, (f"cannot write to {folder} 无法写入 ({error.strerror or error}): copy the project to a "
                      "folder of your own, or fix the folder's permissions")
    return OK, f"{folder.name}/ can be written"


def check_path(path, system=platform.system()):
    text = str(path)
    odd = sorted({c for c in text if ord(c) > 127})
    if odd:
        where = "on Windows TensorBoard cannot open it" if system == "Windows" else "TensorBoard on Windows could not"
        return WARN, (f"the path {text} holds non-ASCII characters {''.join(odd)} (路径中有中文或特殊字符): {where}. "
                      "Move the project to a folder such as C:\\pytorch-course or ~/pytorch-course")
    if " " in text and system == "Windows":
        return WARN, f"the path {text} holds spaces: quote it in commands, or move the project to C:\\pytorch-course"
    return OK, "the project's path is plain ASCII"


def check_port(port=6006, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return WARN, (f"port {port} is taken (another TensorBoard?) 端口被占用: add --port {port + 1} to the "
                          "tensorboard command, then open http://localhost:" + str(port + 1))
    return OK, f"port {port} is free for TensorBoard"


# ---------------------------------------------------------------- gathering the facts
def torch_facts():
    """Versions, the nms probe, CUDA and MPS, each None where it cannot be had."""
    facts = {"torch": None, "torchvision": None, "nms_error": None, "cuda_build": None,
             "cuda_available": False, "mps_available": False, "hub_dir": None}
    try:
        import torch
    except Exception:            # noqa: BLE001 - any import failure means "not usable"
        return facts
    facts.update(torch=torch.__version__, cuda_build=torch.version.cuda, hub_dir=torch.hub.get_dir())
    facts["cuda_available"] = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None)
    facts["mps_available"] = bool(mps and mps.is_available())
    try:
        import torchvision
        facts["torchvision"] = torchvision.__version__
        torchvision.ops.nms(torch.zeros(1, 4), torch.zeros(1), 0.5)
    except ImportError:
        pass
    except Exception as error:   # noqa: BLE001 - the mismatch shows up as a RuntimeError here
        facts["nms_error"] = str(error).splitlines()[0]
    return facts


def tensorboard_error():
    try:
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except Exception as error:   # noqa: BLE001 - an old numpy breaks it with AttributeError, not ImportError
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


def nvidia_gpu():
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia/gpus").is_dir()


def run_checks(facts=None, root=REPO_ROOT):
    facts = facts or {**torch_facts(), "tensorboard_error": tensorboard_error(), "nvidia_gpu": nvidia_gpu()}
    checks = [("Python", check_python()),
              ("torch", check_pair(facts["torch"], facts["torchvision"], facts["nms_error"])),
              ("GPU", check_gpu(facts["cuda_build"], facts["cuda_available"], facts["nvidia_gpu"],
                                facts["mps_available"])),
              ("TensorBoard", check_tensorboard(facts["tensorboard_error"])),
              ("CIFAR10", check_cifar(root / "data"))]
    if facts["hub_dir"]:
        checks.append(("VGG16", check_vgg16(facts["hub_dir"])))
    checks += [(f"{name}/", check_writable(root / name)) for name in ("data", "logs", "checkpoints")]
    checks += [("path", check_path(root)), ("port", check_port())]
    return checks


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python lessons/check_env.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args([] if argv is None and Path(sys.argv[0]).stem != "check_env" else argv)
    print("检查环境 check_env: is this machine ready for the lessons?")
    checks = run_checks()
    for name, (status, line) in checks:
        print(f"[{status:>4}] {name:<12} {line}")
    failed = [name for name, (status, _) in checks if status == FAIL]
    print("ready 可以开始: python lessons/p21_nn_seq.py" if not failed else
          f"{len(failed)} problem(s) stop the lessons 有问题需要先修复: {', '.join(failed)}")
    return {"checks": checks, "failed": failed}


if __name__ == "__main__":
    sys.exit(1 if main()["failed"] else 0)
