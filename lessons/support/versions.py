"""Python、torch、torchvision、numpy 的版本：课程支持的范围，范围之外只说一行和修复命令。

Versions: the range the lessons support (Python 3.10-3.13, torch 2.0-2.14
with its own torchvision 0.15-0.29, README.md says why), checked before
anything imports torch: `require_supported()` runs when a lesson, check_env.py,
the exercise checker or a bench script first imports `support`. Outside the
range, for a torch/torchvision pair that does not match, a numpy built for
another ABI, or a torch that fails to import, it ends the program with one line:
what was found and the exact command that fixes it, as this system types it
(pip or conda; PowerShell, cmd or a POSIX shell).

The versions are read from the packages' own version.py files, found without
importing them (importlib.util.find_spec): well under a millisecond, and no
NumPy-ABI noise from importing a torch built for another numpy.

This file is read by old Pythons too (to tell them they are too old): it keeps
to syntax Python 3.5 parses, and imports nothing of ours before the check.
"""
import os
import re
import shlex
import sys

OLDEST_PYTHON, NEWEST_PYTHON = (3, 10), (3, 13)
OLDEST_TORCH, NEWEST_TORCH = (2, 0), (2, 14)
NEWEST_PAIR = ("2.14.1", "0.29.1")            # constraints.txt pins these
# the newest pair PyTorch's own conda channel has (it stopped publishing after 2.5)
CONDA_CHANNEL_PAIR = ("2.5.1", "0.20.1")
# numpy 2 changed its ABI: torch wheels built before 2.3 were built for numpy 1
NUMPY2_FROM_TORCH = (2, 3)
PYTORCH_INDEX = "https://download.pytorch.org/whl/"
VC_REDIST = "https://aka.ms/vs/17/release/vc_redist.x64.exe"
# torchvision's own pin (its Requires-Dist) where it is not torch 2.N.P <-> 0.(N+15).P
PAIRS = {"2.0.0": "0.15.1", "2.0.1": "0.15.2"}
_VERSION_LINE = re.compile(r"^(?:__version__|version)\s*(?::\s*\w+\s*)?=\s*['\"]([^'\"]+)['\"]", re.M)

_checked = []


# ---------------------------------------------------------------- reading versions without importing
def parse(version):
    """(major, minor, patch) of '2.4.1+cu121' / '1.26.4' / '2.0.0a0+git...' ((0, 0, 0) when unreadable)."""
    numbers = re.findall(r"\d+", (version or "").split("+")[0])[:3]
    numbers = [int(n) for n in numbers] + [0] * (3 - len(numbers))
    return tuple(numbers)


def local_label(version):
    """'cpu', 'cu121', 'rocm6.1'... after the '+' of a version, or ''."""
    return (version or "").partition("+")[2]


def installed(package):
    """The version of `package` as `import package` would find it, or None when it is not there.
    From the package's own version.py (torch, torchvision, numpy all have one), else its metadata."""
    import importlib.util
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError, AttributeError):
        spec = None
    if spec is None:
        return None
    for folder in list(spec.submodule_search_locations or []):
        try:
            with open(os.path.join(folder, "version.py"), encoding="utf-8") as f:
                found = _VERSION_LINE.search(f.read())
        except (OSError, ValueError):
            continue
        if found:
            return found.group(1)
    try:
        from importlib import metadata
        return metadata.version(package)
    except Exception:        # noqa: BLE001 - no metadata (a source checkout): present, version unknown
        return ""


def torchvision_for(torch_version):
    """The torchvision release built for this torch release: 2.N.P <-> 0.(N+15).P, 1.N.P <-> 0.(N+1).P."""
    major, minor, patch = parse(torch_version)
    base = "{}.{}.{}".format(major, minor, patch)
    if base in PAIRS:
        return PAIRS[base]
    return "0.{}.{}".format(minor + 15 if major == 2 else minor + 1, patch)


def facts():
    return {"python": tuple(sys.version_info[:3]), "torch": installed("torch"),
            "torchvision": installed("torchvision"), "numpy": installed("numpy"),
            "conda": os.path.isdir(os.path.join(sys.prefix, "conda-meta")), "system": sys.platform}


# ---------------------------------------------------------------- commands as this system types them
def _translated():
    """support.i18n's _, in the language of this run's --lang (the lesson has not parsed its flags yet)."""
    from support import i18n
    if i18n._state["language"] is None:
        i18n.choose_language(sys.argv[1:])
    return i18n._


def _quote(word, system):
    word = str(word)
    if system != "win32":
        return shlex.quote(word)
    return '"{}"'.format(word) if any(c in word for c in ' &()<>|^') else word


def shell_line(words, system=None):
    """A command as the learner pastes it here. On Windows that is PowerShell (the default
    terminal of Windows 10/11 and of PyCharm there), where a quoted program needs `& `
    before it, or cmd, where it must not have it: with a quoted program both forms are given."""
    _ = _translated()
    system = system or sys.platform
    quoted = [_quote(word, system) for word in words]
    if system != "win32" or not quoted[0].startswith('"'):
        return " ".join(quoted)
    return _("{powershell}（cmd 里：{cmd}）").format(powershell="& " + " ".join(quoted), cmd=" ".join(quoted))


def python_command(*words, **options):
    """`python words...` with the Python running now, as it is typed on this system."""
    return shell_line((options.get("executable") or sys.executable,) + tuple(words), options.get("system"))


def pip_install(*words, **options):
    return python_command("-m", "pip", "install", *words, **options)


def conda_install(*words, **options):
    """`conda install ...` into this environment (named by its folder when it is not the active one)."""
    prefix = options.get("prefix") or sys.prefix
    where = () if os.environ.get("CONDA_PREFIX") == prefix else ("-p", prefix)
    return shell_line(("conda", "install") + where + tuple(words), options.get("system"))


def by_conda(package, prefix=None):
    """Whether conda (not pip) installed `package` here: its record is in conda-meta."""
    folder = os.path.join(prefix or sys.prefix, "conda-meta")
    names = {"torch": ("pytorch",), "torchvision": ("torchvision",), "numpy": ("numpy", "numpy-base")}[package]
    try:
        return any(re.match(r"({})-\d".format("|".join(names)), name) for name in os.listdir(folder))
    except OSError:
        return False


def nvidia_here():
    import shutil
    return shutil.which("nvidia-smi") is not None or os.path.isdir("/proc/driver/nvidia")


def release_index(torch_version):
    """--index-url for another package of this very torch release: the index its build came from
    (torch 2.4.1+cpu from .../whl/cpu); none for a torch without a build label (PyPI's own)."""
    label = local_label(torch_version)
    return ("--index-url", PYTORCH_INDEX + label) if label else ()


def newest_index(torch_version, system=None, gpu=None):
    """--index-url for the newest pair in the build that suits this machine: CPU-only stays
    CPU-only (and a machine without an NVIDIA GPU gets it), a CUDA build stays CUDA (PyPI's own
    torch is a CUDA build on Linux; on Windows it is CPU-only, so PyTorch's CUDA index)."""
    system = system or sys.platform
    if system == "darwin":
        return ()
    gpu = nvidia_here() if gpu is None else gpu
    if local_label(torch_version) == "cpu" or not gpu:
        return ("--index-url", PYTORCH_INDEX + "cpu")
    return () if system.startswith("linux") else ("--index-url", PYTORCH_INDEX + "cu130")


def newest_pair_command(found):
    """Installs the newest supported pair (conda's own channel: the newest it has), keeping the build."""
    system = found.get("system")
    if found.get("conda") and by_conda("torch"):
        gpu = nvidia_here() and "+cpu" not in (found.get("torch") or "")
        build = ("pytorch-cuda=12.4", "-c", "pytorch", "-c", "nvidia") if gpu else ("cpuonly", "-c", "pytorch")
        return conda_install("pytorch=={}".format(CONDA_CHANNEL_PAIR[0]),
                             "torchvision=={}".format(CONDA_CHANNEL_PAIR[1]), *build, system=system)
    return pip_install("torch=={}".format(NEWEST_PAIR[0]), "torchvision=={}".format(NEWEST_PAIR[1]),
                       *newest_index(found.get("torch") or "", system), system=system)


def torchvision_command(torch_version, found):
    """Installs the torchvision built for the torch that is there (the torch stays)."""
    wanted = torchvision_for(torch_version)
    if found.get("conda") and by_conda("torch"):
        return conda_install("torchvision=={}".format(wanted), "-c", "pytorch", system=found.get("system"))
    return pip_install("torchvision=={}".format(wanted), *release_index(torch_version), system=found.get("system"))


# ---------------------------------------------------------------- the diagnosis
def _stop_old_python(version):
    """Python older than the range: said without our other modules (they may not parse there)."""
    words = [w.lower() for w in sys.argv[1:]]
    flag = [words[i + 1] for i in range(len(words) - 1) if words[i] == "--lang"]
    flag += [w.split("=", 1)[1] for w in words if w.startswith("--lang=")]
    environment = [os.environ[n] for n in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(n)]
    english = (flag or environment or ["zh"])[0].lower().startswith("en")
    if os.path.isdir(os.path.join(sys.prefix, "conda-meta")):
        fix = "conda create -n xiaotudui python=3.12"
    elif sys.platform == "win32":
        fix = "py -3.12 -m venv .venv"
    else:
        fix = "python3.12 -m venv .venv"
    found = "{}.{}.{}".format(*version[:3])
    if english:
        return ("Python {}: the lessons need Python 3.10 to 3.13; make a new environment with Python 3.12: {} "
                "(then README.md's install steps)").format(found, fix)
    return "Python {}：课程需要 Python 3.10 到 3.13；用 Python 3.12 新建一个环境：{}（然后按 README.md 安装）".format(found, fix)


def quiet_old_torch(found):
    """torch 2.0's own torch.load(weights_only=True) touches the deprecated TypedStorage
    and warns about it on every state_dict it reads (fixed in torch 2.1): a warning
    about torch's insides, not about the learner's code, so it is not shown there."""
    torch_version = found.get("torch")
    if torch_version and parse(torch_version)[:2] < (2, 1):
        import warnings
        warnings.filterwarnings("ignore", message="TypedStorage is deprecated", category=UserWarning)


def problem(found=None):
    """(kind, line) for what stops the lessons here, or None. Kinds: python, torch-missing,
    torch-old, torchvision-missing, mismatch, numpy."""
    found = found or facts()
    if tuple(found["python"][:2]) < OLDEST_PYTHON:
        return "python", _stop_old_python(found["python"])
    def _(message):            # support.i18n is imported only when there is something to say
        return _translated()(message)

    torch_version, torchvision_version = found.get("torch"), found.get("torchvision")
    if torch_version is None:
        return "torch-missing", _("没有安装 torch：{command}").format(command=newest_pair_command(found))
    if torch_version and parse(torch_version)[:2] < OLDEST_TORCH:
        return "torch-old", _("torch {torch}：课程需要 torch 2.0 到 2.14（配对的 torchvision 0.15 到 0.29）；"
                              "换成最新的一对：{command}").format(torch=torch_version,
                                                                  command=newest_pair_command(found))
    if torchvision_version is None:
        return "torchvision-missing", _("没有安装 torchvision（要和 torch {torch} 配对的 {wanted}）：{command}").format(
            torch=torch_version, wanted=torchvision_for(torch_version),
            command=torchvision_command(torch_version, found))
    if torch_version and torchvision_version and \
            parse(torchvision_version)[:2] != parse(torchvision_for(torch_version))[:2]:
        return "mismatch", _("torch {torch} 和 torchvision {torchvision} 版本不配对（torch {torch_base} 要配 "
                             "torchvision {wanted}，不配对就会报 \"operator torchvision::nms does not exist\"）；"
                             "torch 不用换，装配对的 torchvision：{command}").format(
            torch=torch_version, torchvision=torchvision_version, torch_base=torch_version.split("+")[0],
            wanted=torchvision_for(torch_version), command=torchvision_command(torch_version, found))
    numpy_version = found.get("numpy")
    if numpy_version and torch_version and parse(numpy_version)[0] >= 2 \
            and parse(torch_version)[:2] < NUMPY2_FROM_TORCH:
        command = conda_install('numpy<2', system=found.get("system")) if found.get("conda") and by_conda("numpy") \
            else pip_install('numpy<2', system=found.get("system"))
        return "numpy", _("numpy {numpy} 和 torch {torch}：torch 2.3 以前的 torch、torchvision 是为 numpy 1 编译的，"
                          "在 numpy 2 上导入就出错；换回 numpy 1：{command}").format(
            numpy=numpy_version, torch=torch_version, command=command)
    return None


def import_problem(error, found):
    """One line for a torch (or torchvision) that is there but fails to import: reinstall the pair."""
    _ = _translated()
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    torch_version = found.get("torch") or NEWEST_PAIR[0]
    if found.get("conda") and by_conda("torch"):
        command = conda_install("--force-reinstall", "pytorch", "torchvision", "-c", "pytorch",
                                system=found.get("system"))
    else:
        command = pip_install("--force-reinstall", "torch=={}".format(torch_version.split("+")[0]),
                              "torchvision=={}".format(torchvision_for(torch_version)),
                              *release_index(torch_version), system=found.get("system"))
    line = _("import {package} 失败（{error}）：重新安装 torch {torch}：{command}").format(
        package=_failed_import(error) or "torch", error="{}: {}".format(type(error).__name__, first),
        torch=torch_version, command=command)
    if (found.get("system") or sys.platform) == "win32" and "DLL" in first:
        line += _("；如果还是失败，装微软的 VC++ 运行库：{url}").format(url=VC_REDIST)
    return line


def package_folders():
    """{'torchvision': [folder], 'torch': [folder]}: where `import` finds them (nothing is imported)."""
    import importlib.util
    folders = {}
    for name in ("torchvision", "torch"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            spec = None
        folders[name] = [os.path.normcase(os.path.abspath(f)) + os.sep
                         for f in ((spec and spec.submodule_search_locations) or [])]
    return folders


def _failed_import(error):
    """'torch' or 'torchvision' when `error` was raised while one of them was being imported
    (a frame runs a module of that package at its top level), else None."""
    tb, folders = error.__traceback__, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "<module>":
            folders = folders or package_folders()
            path = os.path.normcase(os.path.abspath(code.co_filename))
            for name, places in folders.items():
                if any(path.startswith(place) for place in places):
                    return name
        tb = tb.tb_next
    return None


def _say_failed_imports(found):
    """From now on, an uncaught error from importing torch or torchvision (a DLL or .so that
    does not load, a half-installed package) ends in import_problem's one line, not a traceback."""
    previous = sys.excepthook

    def hook(kind, error, tb):
        if isinstance(error, Exception) and _failed_import(error):
            try:
                print(import_problem(error, found), file=sys.stderr)
                return
            except Exception:   # noqa: BLE001 - never hide the original error
                pass
        previous(kind, error, tb)

    sys.excepthook = hook


def require_supported(import_torch=True):
    """End the program with one line when the lessons cannot run here; else return quietly.
    Cheap: the versions are read from files, and torch is imported only where the caller
    imports it next anyway. Runs once per process."""
    if _checked:
        return
    version = tuple(sys.version_info[:3])
    if version[:2] < OLDEST_PYTHON:
        raise SystemExit(_stop_old_python(version))
    found = facts()
    said = problem(found)
    if said:
        raise SystemExit(said[1])
    if import_torch:
        try:
            import torch  # noqa: F401
        except Exception as error:   # noqa: BLE001 - a DLL that does not load, a broken install...
            raise SystemExit(import_problem(error, found))
        _say_failed_imports(found)
    quiet_old_torch(found)
    _checked.append(found)
