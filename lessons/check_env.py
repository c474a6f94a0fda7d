"""检查环境

不是课程，是开始之前跑一次的检查：一条命令查出学习者最容易卡住的地方，每项一行，
要么通过，要么说清哪里不对、用哪条命令修好。查的有：Python 版本；torch 和 torchvision
是否配对（不配对就会报 "operator torchvision::nms does not exist"）；装的是哪种 PyTorch
（CUDA 版、只有 CPU 的版本、Mac 上带 MPS 的版本），以及它和这台机器是否相配（有 NVIDIA
显卡却装了 CPU 版，或者没有显卡却装了带约 3 GB NVIDIA 库的 CUDA 版）；显卡（或苹果的 MPS）；
处理器的型号和它有没有 AVX-512、bfloat16（AVX-512 BF16）和 AMX 指令，以及 --amp 在这里
会怎么做；能否导入 TensorBoard；真正的 CIFAR10 还是小替代集；VGG16 的预训练权重；data/、
logs/、checkpoints/ 能否写入；路径里有没有 Windows 上 TensorBoard 打不开的字符；
TensorBoard 的端口是否空着。只有课程没法运行时才以非零状态退出。

    python lessons/check_env.py

English:
check_env: is this machine ready for the lessons?

Not a lesson: a check to run once before starting. One line per check, ok
or what is wrong and the command that fixes it: Python; torch and
torchvision and whether they pair (the cause of "operator torchvision::nms
does not exist"); which PyTorch build is installed (CUDA, CPU-only, or MPS
on a Mac) and whether it suits this machine (an NVIDIA GPU with a CPU-only
build, or a CUDA build with its ~3 GB of NVIDIA libraries and no NVIDIA
GPU); the GPU (or Apple's MPS); the processor's model and whether it has
AVX-512, bfloat16 (AVX-512 BF16) and AMX, and what --amp does here;
TensorBoard importable; real CIFAR10 or the tiny stand-in; the VGG16
weights; data/, logs/ and checkpoints/ writable; characters in the path
that TensorBoard on Windows cannot open; a free port for TensorBoard. It
exits non-zero only when a lesson could not run.

    python lessons/check_env.py
"""
import argparse
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

# This script reports on the environment itself, whatever it finds: importing `support`
# does not stop it at an unsupported torch (support/__init__.py reads this).
DIAGNOSES_ITSELF = True

from support import i18n, versions  # noqa: E402
from support.i18n import _  # noqa: E402

try:
    if versions.problem():
        raise ImportError("support.flags imports torch, which cannot run here")
    from support.flags import LessonParser, TranslatedHelp
except Exception:   # noqa: BLE001 - support.flags needs torch; without torch this check still has to speak
    LessonParser, TranslatedHelp = argparse.ArgumentParser, argparse.RawDescriptionHelpFormatter

REPO_ROOT = Path(__file__).resolve().parent.parent
OK, WARN, FAIL = "ok", "note", "FAIL"
PINNED = {"torch": "2.14.1", "torchvision": "0.29.1"}
PAIR = (f"torch=={PINNED['torch']}", f"torchvision=={PINNED['torchvision']}")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# PyTorch's own install line for the CPU-only build of the pinned pair (no NVIDIA libraries)
CPU_ONLY_INSTALL = f"pip install {PAIR[0]} {PAIR[1]} --index-url {CPU_INDEX}"


def python_command(*words):
    """`python words...` with the Python running this script, as the learner can paste it
    into the terminal of this system (versions.python_command: PowerShell and cmd on Windows)."""
    return versions.python_command(*words)


def lesson_path(name):
    """lessons/<name>.py as typed here: relative to the current folder when inside it,
    with the separator of this system (cmd does not complete paths written with /)."""
    path = REPO_ROOT / "lessons" / f"{name}.py"
    try:
        path = path.relative_to(Path.cwd())
    except ValueError:
        pass
    return str(path).replace("/", "\\") if sys.platform == "win32" else str(path)


def pip(*packages):
    """The pip command of the Python running this script, as the learner can paste it."""
    return python_command("-m", "pip", "install", *packages)


def requirements():
    return pip("-r", str(REPO_ROOT / "requirements.txt"))


# ---------------------------------------------------------------- the checks (each returns status, line)
def check_python(version=sys.version_info):
    if tuple(version[:2]) < versions.OLDEST_PYTHON:
        return FAIL, versions.problem({"python": tuple(version[:3])})[1]
    if tuple(version[:2]) > versions.NEWEST_PYTHON:
        return WARN, _("Python {version}：比课程试过的 Python 3.10 到 3.13 新；哪一课出错，就用 Python 3.13 新建环境").format(
            version="{}.{}.{}".format(*version[:3]))
    return OK, f"Python {version[0]}.{version[1]}.{version[2]}"


def expected_torchvision(torch_version):
    """The torchvision minor version built for a torch version: torch 2.N pairs with 0.(N+15), 1.N with 0.(N+1)."""
    major, minor = (int(part) for part in torch_version.split("+")[0].split(".")[:2])
    return f"0.{minor + 15}" if major == 2 else f"0.{minor + 1}"


def check_pair(torch_version, torchvision_version, nms_error=None, numpy_version=None, import_error=None):
    """The torch line: the version range, the pair, numpy's ABI (versions.problem), then
    torch's import and torchvision's operators. Each failure says the command that fixes it."""
    found = {**versions.facts(), "python": versions.OLDEST_PYTHON, "torch": torch_version,
             "torchvision": torchvision_version, "numpy": numpy_version}
    said = versions.problem(found)
    if said:
        return FAIL, said[1]
    if import_error:
        return FAIL, versions.import_problem(import_error, found)
    fix = pip("--force-reinstall", f"torch=={torch_version.split('+')[0]}",
              f"torchvision=={versions.torchvision_for(torch_version)}", *versions.release_index(torch_version))
    if versions.parse(torch_version)[:2] > versions.NEWEST_TORCH:
        return WARN, _("torch {torch} 比课程试过的 torch 2.14 新；哪一课出错，就装试过的一对：{command}").format(
            torch=torch_version, command=versions.newest_pair_command(found))
    if nms_error:
        return FAIL, _("torchvision 的算子运行不了（{error}）：{command}").format(error=nms_error, command=fix)
    return OK, _("torch {torch} 和 torchvision {torchvision} 配对").format(torch=torch_version,
                                                                          torchvision=torchvision_version)


def torch_build(cuda_version, hip_version=None, mps_built=False):
    """Which PyTorch build this is: 'cuda', 'rocm', 'mps' (a Mac's build) or 'cpu'."""
    if cuda_version:
        return "cuda"
    if hip_version:
        return "rocm"
    return "mps" if mps_built else "cpu"


def check_build(build, cuda_version=None, nvidia_gpu=False, hip_version=None):
    """Say which build is installed; a CUDA build on a machine with no NVIDIA GPU carries
    ~3 GB of NVIDIA libraries it cannot use, and the CPU-only build saves them."""
    if build == "cuda" and not nvidia_gpu:
        return WARN, _("CUDA {cuda} 版（带着约 3 GB 的 NVIDIA 库），但这台机器没有 NVIDIA 显卡，用不上它们；"
                       "换成只有 CPU 的版本能省下几个 GB：新建一个虚拟环境，先运行 {command}，"
                       "再装 requirements.txt").format(cuda=cuda_version, command=CPU_ONLY_INSTALL)
    if build == "cuda":
        return OK, _("CUDA {cuda} 版：能用 NVIDIA 显卡").format(cuda=cuda_version)
    if build == "rocm":
        return OK, _("ROCm {hip} 版：用 AMD 显卡").format(hip=hip_version)
    if build == "mps":
        return OK, _("Mac 版：CPU 加苹果 GPU（MPS）")
    return OK, _("只有 CPU 的版本（CPU 版）")


def check_gpu(cuda_build, cuda_available, nvidia_gpu, mps_available, system=platform.system()):
    if cuda_available:
        return OK, _("CUDA {cuda}：课程在显卡上运行").format(cuda=cuda_build)
    if mps_available:
        return OK, _("苹果 GPU（MPS）：--device auto 会用它")
    if nvidia_gpu and not cuda_build:
        fix = (pip("--force-reinstall", *PAIR) if system == "Linux"
               else _("按 https://pytorch.org/get-started/locally/ 选 CUDA 后给出的命令安装"))
        return WARN, _("有 NVIDIA 显卡，但装的是只有 CPU 的 PyTorch，课程只能在 CPU 上运行；"
                       "要用显卡就装 CUDA 版：{command}").format(command=fix)
    if nvidia_gpu:
        return WARN, _("有 NVIDIA 显卡，也装了 CUDA {cuda} 版，但 PyTorch 找不到显卡：更新 NVIDIA 驱动"
                       "（nvidia-smi 会显示驱动版本）；在这之前课程在 CPU 上运行").format(cuda=cuda_build)
    return OK, _("没有显卡：每一课都在 CPU 上运行")


def cpu_features(cpuinfo="", torch_said=None):
    """The processor's model and whether it has AVX-512, AVX-512 BF16 and AMX.

    `cpuinfo` is the text of /proc/cpuinfo (empty where there is none); its
    flags decide. Without them, what torch detected decides (`torch_said`:
    capability, avx512, bf16, amx, model). A fact nobody knows is None."""
    torch_said = torch_said or {}
    model, flags = None, None
    for line in (cpuinfo or "").splitlines():
        key, _sep, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if model is None and key in ("model name", "cpu model", "hardware") and value:
            model = value
        if flags is None and key in ("flags", "features"):
            flags = set(value.split())

    def has(flag, torch_key):
        return flag in flags if flags is not None else torch_said.get(torch_key)

    return {"model": model or torch_said.get("model"), "avx512": has("avx512f", "avx512"),
            "bf16": has("avx512_bf16", "bf16"), "amx": has("amx_tile", "amx"),
            "capability": torch_said.get("capability")}


def check_cpu(features):
    def say(feature, value):
        if value is None:
            return _("不清楚有没有 {feature}").format(feature=feature)
        return (_("有 {feature}") if value else _("没有 {feature}")).format(feature=feature)

    line = _("{model}：{avx512}，{bf16}，{amx}").format(
        model=features["model"] or _("型号不明"), avx512=say("AVX-512", features["avx512"]),
        bf16=say(_("bfloat16（AVX-512 BF16）"), features["bf16"]), amx=say("AMX", features["amx"]))
    if features.get("capability"):
        line += _("；PyTorch 用的是 {capability} 指令").format(capability=features["capability"])
    return OK, line


def check_amp(reason):
    """What --amp does on the device --device auto picks (training.amp_plan's reason)."""
    return OK, reason


def check_tensorboard(import_error):
    if import_error:
        return FAIL, _("无法导入 TensorBoard（{error}）：{command}").format(error=import_error, command=requirements())
    return OK, _("能导入 tensorboard")


def check_cifar(data_root):
    folder = Path(data_root) / "cifar-10-batches-py"
    names = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch",
             "batches.meta"]
    if folder.is_dir() and all((folder / name).is_file() for name in names):
        return OK, _("真正的 CIFAR10 在 {folder}").format(folder=folder)
    if (Path(data_root) / "cifar-10-python.tar.gz").is_file():
        return OK, _("CIFAR10 的压缩包在 {folder}：第一个用到它的课会把它解压").format(folder=data_root)
    return WARN, _("{folder} 里还没有 CIFAR10：课程会下载它（170 MB），没有网络就用小替代集；也可以手动把 "
                   "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz 放进 {folder}").format(folder=data_root)


def check_vgg16(hub_dir):
    path = Path(hub_dir) / "checkpoints" / "vgg16-397923af.pth"
    if path.is_file():
        return OK, _("VGG16 的 ImageNet 预训练权重在 {path}").format(path=path)
    return WARN, _("还没有 VGG16 的 ImageNet 预训练权重（只有 P24 --pretrained 要用，528 MB）：会下载到 {path}；"
                   "也可以手动下载 https://download.pytorch.org/models/vgg16-397923af.pth 放到那里").format(path=path)


def check_writable(folder):
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return FAIL, _("无法写入 {folder}（{error}）：把项目复制到自己的文件夹里，或者改一下这个文件夹的权限").format(
            folder=folder, error=error.strerror or error)
    return OK, _("{name}/ 可以写入").format(name=folder.name)


def check_path(path, system=platform.system()):
    text = str(path)
    odd = sorted({c for c in text if ord(c) > 127})
    if odd:
        where = _("在 Windows 上 TensorBoard 打不开这样的路径") if system == "Windows" else \
            _("换到 Windows 上 TensorBoard 会打不开这样的路径")
        return WARN, _("路径 {path} 里有中文或其他非 ASCII 字符 {chars}：{where}。把项目移到 C:\\pytorch-course "
                       "或 ~/pytorch-course 这样的文件夹").format(path=text, chars="".join(odd), where=where)
    if " " in text and system == "Windows":
        return WARN, _("路径 {path} 里有空格：命令里要给它加引号，或者把项目移到 C:\\pytorch-course").format(path=text)
    return OK, _("项目的路径全是 ASCII 字符")


def check_port(port=6006, host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return WARN, _("端口 {port} 被占用了（另开着一个 TensorBoard？）：tensorboard 命令加上 --port {next}，"
                           "再打开 http://localhost:{next}").format(port=port, next=port + 1)
    return OK, _("端口 {port} 空着，TensorBoard 可以用").format(port=port)


# ---------------------------------------------------------------- gathering the facts
def torch_facts():
    """Versions, the nms probe, the build, CUDA and MPS, each None where it cannot be had.
    The versions are read from the packages' files first: a torch outside the range, or
    built for another numpy, is not imported at all (its import would print NumPy's noise)."""
    found = versions.facts()
    facts = {"torch": found["torch"], "torchvision": found["torchvision"], "numpy": found["numpy"],
             "nms_error": None, "import_error": None, "cuda_build": None, "hip_build": None,
             "mps_built": False, "cuda_available": False, "mps_available": False, "hub_dir": None}
    if found["torch"] is None or versions.problem(found):
        return facts
    try:
        import torch
    except Exception as error:   # noqa: BLE001 - any import failure means "not usable"
        facts["import_error"] = error
        return facts
    facts.update(torch=torch.__version__, cuda_build=torch.version.cuda, hub_dir=torch.hub.get_dir(),
                 hip_build=getattr(torch.version, "hip", None))
    facts["cuda_available"] = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None)
    facts["mps_built"] = bool(mps and mps.is_built())
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


def torch_cpu_facts():
    """What torch detected about the processor (empty without torch)."""
    try:
        import torch
    except Exception:            # noqa: BLE001 - without torch, /proc/cpuinfo alone decides
        return {}
    probes = {"capability": getattr(getattr(torch.backends, "cpu", None), "get_cpu_capability", None),
              "avx512": getattr(torch.cpu, "_is_avx512_supported", None),
              "bf16": getattr(torch.cpu, "_is_avx512_bf16_supported", None),
              "amx": getattr(torch.cpu, "_is_amx_tile_supported", None)}
    said = {}
    for key, probe in probes.items():   # an older torch lacks some of these (torch 2.0: all but the first two)
        try:
            if probe is not None:
                said[key] = probe()
        except Exception:        # noqa: BLE001 - a probe that fails knows nothing
            pass
    return said


def read_cpuinfo(path="/proc/cpuinfo"):
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def processor_model(system=platform.system()):
    """The processor's name where /proc/cpuinfo does not say it (macOS, Windows)."""
    try:
        if system == "Darwin":
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True,
                                  timeout=5).stdout.strip() or None
        if system == "Windows":
            import winreg
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
            return str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip() or None
    except Exception:            # noqa: BLE001 - the name is only shown, never needed
        pass
    return platform.processor() or None


def amp_reason(cuda_available, mps_available):
    """training.amp_plan's reason for --amp on the device --device auto picks (None without torch)."""
    try:
        from support import training
    except Exception:            # noqa: BLE001 - training needs torch
        return None
    device = "cuda" if cuda_available else "mps" if mps_available else "cpu"
    return training.amp_plan(device, "auto")[2]


def tensorboard_error():
    try:
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except Exception as error:   # noqa: BLE001 - an old numpy breaks it with AttributeError, not ImportError
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


def nvidia_gpu(which=shutil.which, proc_dir="/proc/driver/nvidia"):
    """An NVIDIA GPU with its driver: nvidia-smi on PATH, or the driver's folder in /proc (Linux)."""
    return which("nvidia-smi") is not None or Path(proc_dir).is_dir()


def gather_facts():
    facts = torch_facts()
    usable = facts["hub_dir"] is not None         # torch imported; otherwise nothing below imports it
    facts.update(tensorboard_error=tensorboard_error() if usable else None, nvidia_gpu=nvidia_gpu())
    cpuinfo = read_cpuinfo()
    said = torch_cpu_facts() if usable else {}
    if "model name" not in cpuinfo.lower():
        said["model"] = processor_model()
    facts["cpu"] = cpu_features(cpuinfo, said)
    facts["amp_reason"] = amp_reason(facts["cuda_available"], facts["mps_available"]) if usable else None
    return facts


def run_checks(facts=None, root=REPO_ROOT):
    """[(name, (status, line))] for every check; `facts` (as gather_facts() makes them) can be given."""
    facts = facts or gather_facts()
    # a GPU torch already sees is there, whatever nvidia-smi says
    gpu_here = bool(facts["nvidia_gpu"] or facts["cuda_available"])
    checks = [("Python", check_python()),
              ("torch", check_pair(facts["torch"], facts["torchvision"], facts["nms_error"], facts.get("numpy"),
                                   facts.get("import_error")))]
    if facts["torch"] and facts["hub_dir"]:          # torch imported: its build is known
        build = torch_build(facts["cuda_build"], facts.get("hip_build"), facts.get("mps_built", False))
        checks.append(("build", check_build(build, facts["cuda_build"], gpu_here, facts.get("hip_build"))))
    checks.append(("GPU", check_gpu(facts["cuda_build"], facts["cuda_available"], facts["nvidia_gpu"],
                                    facts["mps_available"])))
    checks.append(("CPU", check_cpu(facts.get("cpu") or cpu_features())))
    if facts.get("amp_reason"):
        checks.append(("--amp", check_amp(facts["amp_reason"])))
    if facts["hub_dir"]:                            # torch imported: TensorBoard's writer can be tried
        checks.append(("TensorBoard", check_tensorboard(facts["tensorboard_error"])))
    checks.append(("CIFAR10", check_cifar(root / "data")))
    if facts["hub_dir"]:
        checks.append(("VGG16", check_vgg16(facts["hub_dir"])))
    checks += [(f"{name}/", check_writable(root / name)) for name in ("data", "logs", "checkpoints")]
    checks += [("path", check_path(root)), ("port", check_port())]
    return checks


# ---------------------------------------------------------------- printing
def labels():
    """How each check and each status is called in the chosen language."""
    return {"build": _("PyTorch 安装包"), "GPU": _("显卡"), "CPU": _("处理器"), "path": _("路径"),
            "port": _("端口"), OK: _("通过"), WARN: _("注意"), FAIL: _("失败")}


def padded(text, width, right=False):
    """`text` padded to `width` columns of a terminal, where a Chinese character takes two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    space = " " * max(0, width - columns)
    return space + text if right else text + space


def make_parser():
    parser = LessonParser(prog="python lessons/check_env.py", description=__doc__, formatter_class=TranslatedHelp,
                          add_help=False)
    parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示这段帮助然后退出")
    parser.set_defaults(lesson="check_env")
    parser.add_argument("--lang", type=str.lower, choices=i18n.LANGUAGES, default=None,
                        help="说明和提示用的语言：zh 中文，en English（默认：看环境变量 LANGUAGE/LC_ALL/LANG，"
                             "以 en 开头就用英文，否则中文）")
    return parser


def main(argv=None, facts=None, root=REPO_ROOT):
    if argv is None:     # from Jupyter or another script: no flags, not theirs
        argv = sys.argv[1:] if sys.argv and Path(sys.argv[0]).stem == "check_env" else []
    argv = [str(a) for a in argv]
    i18n.choose_language(argv)
    make_parser().parse_args(argv)
    print(_("检查环境：这台机器能跑课程吗？"))
    checks = run_checks(facts, root)
    said = labels()
    for name, (status, line) in checks:
        print(f"[{padded(said[status], 4, right=True)}] {padded(said.get(name, name), 14)} {line}")
    failed = [name for name, (status, _line) in checks if status == FAIL]
    if failed:
        print(_("有 {n} 项问题要先修好，课程才能运行：{names}").format(
            n=len(failed), names=", ".join(said.get(name, name) for name in failed)))
    else:
        print(_("可以开始了：{command}").format(command=python_command(lesson_path("p21_nn_seq"))))
    return {"checks": checks, "failed": failed, "language": i18n.current()}


if __name__ == "__main__":
    sys.exit(1 if main()["failed"] else 0)
