"""模型文件（P25-P31）：找到 P26 训练好的模型，安全地读取，读不了就只说一行；P31 网络看到的图片。

Model files for P25-P31: finding the checkpoints P26 saved, reading them
safely, and one line instead of a traceback when a file cannot be read.
Also P31's side of a prediction: what convert('RGB') does to a picture, and
the 32x32 picture the network saw, saved beside the learner's.

The lessons write the course's own `torch.load(path, ..., weights_only=True)`;
`safe_loading(path, allow=[...])` is the `with` block around it:

- before anything is unpickled, the list of classes the file names is read
  (torch.serialization.get_unsafe_globals_in_checkpoint, which runs nothing):
  a file naming anything but the allowed classes (our own network's layers)
  is refused, so a file made to run a command never gets to run it;
- torch.load then runs with exactly those classes allowed (safe_globals);
- a missing, damaged or misfitting file ends in one line saying what to run.

torch before 2.6 has neither of those two functions: there (`listed_globals`,
`allowing`) the names are read with pickletools (which runs nothing either),
and inside the block torch.load unpickles with an Unpickler that returns only
the allowed classes and torch's own tensor-rebuilding functions (the
"restricting globals" recipe of Python's pickle documentation): the same files
load, the same files are refused. A missing API is never called damage.

P31 reads the course's network from whatever file holds it: `tudui_loading(path,
Tudui)` accepts the class Tudui under every name the course and our lessons give it
(`__main__`, `model`, `models`, a lesson's module), rebuilt as the loading script's
own Tudui (the course's test.py copies the class for this); `tudui_from` then checks
the parameter names and shapes and each layer's settings against the course's.
"""
import contextlib
import functools
import pickle
import pickletools
import re
import types
import sys
import tempfile
import zipfile
from pathlib import Path

import torch
import torchvision
from PIL import Image
from torch import nn

from support import i18n, versions
from support.data import CLASSES
from support.files import CHECKPOINTS_ROOT, REPO_ROOT, LessonError, save_picture, shown
from support.i18n import _

# where p26_train.py saves tudui_{i}.pth (its --checkpoint-dir / --out-dir default)
P26_CHECKPOINTS = CHECKPOINTS_ROOT / "p26"
P26_NAME = re.compile(r"tudui_(\d+)(_gpu)?\.pth")
READ_ERRORS = (RuntimeError, EOFError, ValueError, KeyError, OSError, pickle.UnpicklingError,
               AttributeError, IndexError, TypeError, zipfile.BadZipFile)
# torch 2.6 added get_unsafe_globals_in_checkpoint and safe_globals taking (class, name) pairs
NATIVE_SAFE_LOADING = hasattr(torch.serialization, "get_unsafe_globals_in_checkpoint")
# what a pickle of tensors, parameters and modules names besides the classes (protocol 2 says __builtin__)
PLAIN_GLOBALS = {"builtins.set": set, "__builtin__.set": set, "builtins.frozenset": frozenset,
                 "__builtin__.frozenset": frozenset, "collections.OrderedDict": __import__("collections").OrderedDict}


# ---------------------------------------------------------------- finding P26's checkpoints
def p26_checkpoints(folder=None):
    """The tudui_{i}.pth files in `folder`, the most recently written last."""
    folder = Path(folder or P26_CHECKPOINTS)
    found = [p for p in folder.glob("tudui_*.pth") if P26_NAME.fullmatch(p.name)] if folder.is_dir() else []
    return sorted(found, key=lambda p: (p.stat().st_mtime, int(P26_NAME.fullmatch(p.name)[1])))


def newest_p26_checkpoint(folder=None):
    """The newest checkpoint p26_train.py saved, or one line saying to train one first."""
    folder = folder or P26_CHECKPOINTS
    found = p26_checkpoints(folder)
    if not found:
        raise LessonError(_("{folder} 里还没有训练好的模型：先运行 python lessons/p26_train.py"
                            "（加 --tiny 几秒钟就训练好）").format(folder=shown(folder)))
    return found[-1]


# ---------------------------------------------------------------- reading safely
def torch_safe_globals():
    """{name: object} that torch.load(weights_only=True) allows by default: tensors, storages, dtypes..."""
    try:
        from torch._weights_only_unpickler import _get_allowed_globals
        allowed = dict(_get_allowed_globals())
    except (ImportError, AttributeError):
        allowed = {}
    return {**PLAIN_GLOBALS, **allowed}


def pickled_names(data):
    """Every module.name a pickle imports (GLOBAL, INST, STACK_GLOBAL), read by pickletools: nothing runs."""
    names, strings, memo = [], [], {}
    for op, arg, _pos in pickletools.genops(data):
        if op.name in ("GLOBAL", "INST"):
            names.append(arg.replace(" ", "."))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            names.append(f"{strings[-2]}.{strings[-1]}")
        if isinstance(arg, str) and ("UNICODE" in op.name or "STRING" in op.name):
            strings.append(arg)
        elif op.name in ("BINPUT", "LONG_BINPUT", "PUT") and strings:
            memo[arg] = strings[-1]
        elif op.name == "MEMOIZE" and strings:
            memo[len(memo)] = strings[-1]
        elif op.name in ("BINGET", "LONG_BINGET", "GET") and arg in memo:
            strings.append(memo[arg])
    return list(dict.fromkeys(names))


def listed_globals(path):
    """The classes and functions a torch.save file names beyond torch's safe ones, without running it:
    torch's own function (2.6+), else the file's data.pkl read by pickletools."""
    if NATIVE_SAFE_LOADING:
        return torch.serialization.get_unsafe_globals_in_checkpoint(path)
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if name.endswith("data.pkl")]
        if not pickles:
            raise ValueError("no data.pkl in the archive")
        data = archive.read(pickles[0])
    safe = torch_safe_globals()
    return [name for name in pickled_names(data) if name not in safe and "Storage" not in name.rsplit(".", 1)[-1]]


def restricted_pickle(allowed):
    """A pickle module for torch.load(pickle_module=...) whose Unpickler finds only `allowed`
    ({module.name: object}); any other name is refused as torch's weights_only refuses it."""
    class Unpickler(pickle.Unpickler):
        def find_class(self, module, name):
            found = allowed.get(f"{module}.{name}")
            if found is None:
                raise pickle.UnpicklingError(f"Unsupported global: GLOBAL {module}.{name}")
            return found

    module = types.ModuleType("restricted_pickle")
    module.Unpickler, module.UnpicklingError = Unpickler, pickle.UnpicklingError
    module.load = lambda file, **kwargs: Unpickler(file, **kwargs).load()
    module.__dict__.update(Pickler=pickle.Pickler, dump=pickle.dump, HIGHEST_PROTOCOL=pickle.HIGHEST_PROTOCOL)
    return module


@contextlib.contextmanager
def allowing(names):
    """Inside the block, torch.load(..., weights_only=True) also accepts these classes
    ({name in the file: class}): torch's safe_globals (2.6+), else torch.load with the
    restricted Unpickler above in place of the weights_only one (older torch's cannot
    be told about classes, or not under other names)."""
    if NATIVE_SAFE_LOADING:
        with torch.serialization.safe_globals([(cls, name) for name, cls in names.items()]):
            yield
        return
    module = restricted_pickle({**torch_safe_globals(), **names})
    plain_load = torch.load

    @functools.wraps(plain_load)
    def load(f, *args, **kwargs):
        if kwargs.get("weights_only"):
            kwargs.update(weights_only=False, pickle_module=module)
        return plain_load(f, *args, **kwargs)

    torch.load = load
    try:
        yield
    finally:
        torch.load = plain_load


def allowed_names(allow):
    """The names under which pickle itself would find these classes: module.Class, and
    __main__.Class when the running script has the same class (the course's trap, P25)."""
    names = {}
    main = sys.modules.get("__main__")
    for cls in allow:
        names[f"{cls.__module__}.{cls.__qualname__}"] = cls
        if cls.__module__ != "__main__" and getattr(main, cls.__qualname__, None) is cls:
            names[f"__main__.{cls.__qualname__}"] = cls
    return names


@contextlib.contextmanager
def safe_loading(path, allow=(), *, fits=None, remedy=""):
    """`with safe_loading(path, allow=[...]): x = torch.load(path, weights_only=True)`.

    `allow`: the classes the file may name besides tensors and plain containers
    (for a whole model: the model's class and its layers). `fits`: the network a
    state_dict is poured into inside the block (load_state_dict), for saying what
    does not fit. `remedy`: what the learner should run when the file is bad.
    Yields the class names the file holds.
    """
    path = Path(path)
    said = f"{shown(path)}"
    if not path.is_file():
        what = _("是一个文件夹，不是模型文件") if path.is_dir() else _("不存在")
        raise LessonError(_("{path} {what}：{remedy}").format(path=said, what=what, remedy=remedy))
    names = allowed_names(allow)
    try:
        named = listed_globals(path)
    except READ_ERRORS as error:
        raise LessonError(damaged(said, error, remedy)) from None
    foreign = [name for name in named if name not in names]
    if any(name.startswith("__main__.") for name in foreign):
        raise LessonError(_("拒绝读取 {path}：文件里的类叫 {names}，也就是保存它的脚本自己定义的类（视频里的陷阱）；"
                            "读取的脚本里要有同一个类：P25 的陷阱文件用 from p25_model_save import *，"
                            "P29、P30 保存的整个模型用 python lessons/p31_predict.py --checkpoint 这个文件").format(
            path=said, names=", ".join(foreign)))
    if foreign:
        raise LessonError(_("拒绝读取 {path}：文件里引用了 {names}，不在允许的类之列（{allowed}）。"
                            "读取整个模型就是反序列化（unpickle），文件里引用的任何函数都可能被执行：只读取你自己保存的文件").format(
            path=said, names=", ".join(foreign), allowed=", ".join(sorted(names)) or _("只允许张量和字典")))
    try:
        with allowing(names):
            yield named
    except (RuntimeError, TypeError) as error:
        if fits is None or "state_dict" not in str(error):
            raise LessonError(damaged(said, error, remedy)) from None
        state = torch.load(path, map_location="cpu", weights_only=True)
        raise LessonError(not_fitting(said, fits, state)) from None
    except READ_ERRORS as error:
        raise LessonError(damaged(said, error, remedy)) from None


def damaged(said, error, remedy):
    """One line for a file that could not be read. Only a file really at fault is called
    damaged: a function this torch lacks, or a class refused, is said as what it is."""
    first = (str(error).strip().splitlines() or [type(error).__name__])[0].split(". ")[0]
    missing = re.match(r"module '(torch[\w.]*)' has no attribute '(\w+)'", first)
    if isinstance(error, AttributeError) and missing:
        return _("{path} 没有读：这里的 torch {version} 没有 {api}（读取它的代码要更新的 torch），文件本身没有问题；"
                 "装课程试过的最新 torch：{command}").format(
            path=said, version=torch.__version__, api=f"{missing[1]}.{missing[2]}",
            command=versions.newest_pair_command(versions.facts()))
    refused = re.search(r"Unsupported (?:global|class):? (?:GLOBAL )?([\w.]+)", str(error))
    if refused:
        return _("拒绝读取 {path}：文件里引用了 {names}，不在允许的类之列；{remedy}").format(
            path=said, names=refused[1], remedy=remedy)
    return _("{path} 损坏了、不完整，或者不是 PyTorch 保存的文件（{error}）：{remedy}").format(
        path=said, error=first, remedy=remedy)


def not_fitting(said, model, state):
    """One line: why the saved parameters do not fit the network."""
    if not isinstance(state, dict):
        return _("{path} 里是 {kind}，不是 state_dict（从参数名映射到张量的字典）").format(
            path=said, kind=type(state).__name__)
    return _("{path} 和 {model} 对不上：{details}（是别的网络保存的吗？）").format(
        path=said, model=type(model).__name__, details=state_dict_mismatch(model.state_dict(), state))


def state_dict_mismatch(expected, found):
    """What differs between two state_dicts, in one line ('' when they fit)."""
    def some(keys):
        keys = sorted(keys)
        more = _("，还有 {n} 个").format(n=len(keys) - 3) if len(keys) > 3 else ""
        return ", ".join(keys[:3]) + more

    missing, unexpected = expected.keys() - found.keys(), found.keys() - expected.keys()
    parts = [_("缺少 {keys}").format(keys=some(missing))] if missing else []
    parts += [_("多出 {keys}").format(keys=some(unexpected))] if unexpected else []
    parts += sorted(_("{key} 在文件里是 {found}，网络里是 {expected}").format(
        key=key, found=list(getattr(found[key], "shape", [])), expected=list(expected[key].shape))
        for key in expected.keys() & found.keys()
        if not hasattr(found[key], "shape") or found[key].shape != expected[key].shape)[:3]
    return "; ".join(parts)


def plain_refusal(path):
    """What a plain torch.load(path) (weights_only=True, the default since torch 2.6)
    says about a whole-model file: the 'Unsupported global' line, or None when it loads."""
    try:
        torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        line = next((s.strip() for s in str(error).splitlines() if "Unsupported global" in s), str(error))
        return line.split(". Please")[0]
    return None


def fingerprint(model, device):
    """The model's first outputs for one fixed input: equal fingerprints, equal models."""
    model.eval()
    with torch.no_grad():
        return model(torch.ones(1, 3, 32, 32, device=device)).flatten()[:10].cpu()


# ---------------------------------------------------------------- P25's trap, really
# The course's model_save.py defines class Tudui in the script it runs and saves it
# whole: the file names the class __main__.Tudui. A different script (another
# __main__, one without that class) that loads it fails. Both scripts are run here,
# one after the other, each with a __main__ of its own, as two programs would have:
# the same lookup, the same error, without the seconds a second Python takes to start.
COURSE_TRAP_SAVE = """
import torch
from torch import nn
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3)
    def forward(self, x):
        x = self.conv1(x)
        return x
tudui = Tudui()
torch.save(tudui, path)
"""
# weights_only=False is what reaches the trap; harmless here: the file was just made above.
COURSE_TRAP_LOAD = """
import torch
try:
    torch.load(path, weights_only=False)
    result = "loaded"
except AttributeError as error:
    result = f"AttributeError: {error}"
"""


def as_a_script(code, path, name):
    """Run `code` as a script's __main__ does (its classes are named __main__.X, and
    __main__ holds only what it defines), with `path` given; returns its variables.
    The running program's own __main__ is put back afterwards."""
    import types

    script = types.ModuleType("__main__")
    script.path = str(path)
    running = sys.modules["__main__"]
    sys.modules["__main__"] = script
    try:
        exec(compile(code, name, "exec"), script.__dict__)
    finally:
        sys.modules["__main__"] = running
    return script.__dict__


@functools.lru_cache(maxsize=1)
def main_module_trap():
    """The error the course's trap gives, really raised: one script saves, another
    script (whose __main__ has no Tudui) loads. As one line."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "tudui_method1.pth"
        try:
            as_a_script(COURSE_TRAP_SAVE, path, "<model_save.py>")
            return as_a_script(COURSE_TRAP_LOAD, path, "<model_load.py>")["result"]
        except (RuntimeError, OSError, pickle.PicklingError) as error:
            return _("（演示没能运行：{error}）").format(error=error)


# ---------------------------------------------------------------- P31: the course's network, from any file that holds it
# The classes a whole Tudui is made of, besides Tudui itself (the course's model.py).
TUDUI_LAYERS = (nn.Sequential, nn.Conv2d, nn.MaxPool2d, nn.Flatten, nn.Linear)
# The modules the course and our lessons define Tudui in. A whole model is pickled by
# *name*: `__main__` when the saving script defines the class (train_gpu_1.py,
# train_gpu_2.py, P29, P30, P25's trap), `model` after train.py's `from model import *`,
# `models` for P26, and a lesson's own module when a lesson is imported (Jupyter).
COURSE_SCRIPTS = ("__main__", "model", "models", "train", "train_gpu_1", "train_gpu_2", "test",
                  "model_save", "model_load")


def p31_reads():
    """The advice every P31 refusal ends with: the files P31 does read."""
    return _("P31 读得了：p26_train.py、p29_train_gpu_1.py、p30_train_gpu_2.py、p33_ddp_torchrun.py 保存的 tudui_N.pth，"
             "课程的 train.py、train_gpu_1.py、train_gpu_2.py 保存的整个模型，Tudui 的 state_dict；"
             "例如先运行 python lessons/p26_train.py --tiny，再不加 --checkpoint 运行本课")


def tudui_names():
    """Every name under which a file may hold the course's Tudui."""
    lessons = [p.stem for p in (REPO_ROOT / "lessons").glob("p[0-9]*.py")]
    return [f"{module}.Tudui" for module in (*COURSE_SCRIPTS, *sorted(lessons))]


def what_it_holds(path, named):
    """One phrase: what a file that is not the course's Tudui holds, from the classes it names."""
    if any(name.startswith("torchvision.models.") for name in named):
        kind = next(n for n in named if n.startswith("torchvision.models."))
        return _("一个 torchvision 的网络 {kind}（整个模型）").format(kind=kind.rsplit(".", 1)[-1])
    tudui = [name for name in named if name.rsplit(".", 1)[-1] == "Tudui"]
    layers = {f"{cls.__module__}.{cls.__qualname__}" for cls in TUDUI_LAYERS}
    others = [name for name in named if name not in layers and name not in tudui]
    if tudui and all(name.startswith("torch.nn.") for name in others):
        return _("一个叫 {name} 的网络，但里面有课程的 Tudui 没有的层：{layers}").format(
            name=tudui[0], layers=", ".join(n.rsplit(".", 1)[-1] for n in others))
    if tudui:
        return _("类 {name} 的整个模型（不是课程和本项目的脚本给它的名字）：用 torch.save(model.state_dict(), ...) "
                 "保存参数，P31 就能读").format(name=tudui[0])
    return _("对 {names} 的引用，不是课程的网络 Tudui；读取整个模型就是反序列化（unpickle），文件里引用的函数都可能被执行，"
             "所以不读").format(names=", ".join(named))


def picture_given(path):
    """'PNG 640x480' when the file is a picture (given as --checkpoint by mistake), else None."""
    try:
        with open(path, "rb") as f:
            start = f.read(4)
        # what torch.save writes (a zip archive; a pickle before torch 1.6) is no picture: Pillow is not asked,
        # which would import every picture format it knows (a third of a second) before saying so
        if start == b"PK\x03\x04" or start[:1] == b"\x80":
            return None
        with Image.open(path) as picture:
            return f"{picture.format} {picture.width}×{picture.height}"
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def older_format(path):
    """Whether the file starts as torch.save wrote files before torch 1.6 (not a zip archive)."""
    magic = pickle.dumps(torch.serialization.MAGIC_NUMBER, protocol=2)
    with open(path, "rb") as f:
        return f.read(len(magic)) == magic


@contextlib.contextmanager
def tudui_loading(path, tudui):
    """`with tudui_loading(path, Tudui): model = torch.load(path, weights_only=True)` for P31.

    Like safe_loading, but the file may name the class Tudui under any module the
    course and our lessons give it: each of those names is rebuilt as `tudui` (the
    class the loading script has, as the course's test.py copies it). Nothing but
    Tudui's own layers is allowed; tudui_from then checks that what was read is
    really the course's network. Every refusal says what the file holds."""
    path = Path(path)
    said = shown(path)
    if not path.is_file():
        what = _("是一个文件夹，不是模型文件") if path.is_dir() else _("不存在")
        raise LessonError(_("{path} {what}：{remedy}").format(path=said, what=what, remedy=p31_reads()))
    picture = picture_given(path)
    if picture:
        raise LessonError(_("{path} 是一张图片（{picture}），不是模型文件：图片用 --image 给出。{remedy}").format(
            path=said, picture=picture, remedy=p31_reads()))
    try:
        named = listed_globals(path)
    except READ_ERRORS as error:
        if zipfile.is_zipfile(path) or not older_format(path):
            raise LessonError(damaged(said, error, p31_reads())) from None
        named = []     # torch's older format (before 1.6): the weights_only unpickler checks each name itself
    allowed = {f"{cls.__module__}.{cls.__qualname__}": cls for cls in TUDUI_LAYERS}
    allowed.update((name, tudui) for name in tudui_names())

    def refuse(named):
        return LessonError(_("拒绝读取 {path}：文件里是{holds}。{remedy}").format(
            path=said, holds=what_it_holds(path, named), remedy=p31_reads()))

    if any(name not in allowed for name in named):
        raise refuse(named)
    try:
        with allowing(allowed):
            yield named
    except pickle.UnpicklingError as error:
        unsupported = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(error))
        if unsupported:
            raise refuse([unsupported[1]]) from None
        if "persistent_load" in str(error):    # the older format keeps a whole model's source code in the file
            raise LessonError(_("{path} 是 torch 1.6 以前的格式保存的整个模型，weights_only=True 读不了："
                                "用保存它的脚本再存一次 torch.save(model.state_dict(), ...)，P31 就能读。{remedy}").format(
                path=said, remedy=p31_reads())) from None
        raise LessonError(damaged(said, error, p31_reads())) from None
    except READ_ERRORS as error:
        raise LessonError(damaged(said, error, p31_reads())) from None


def layer_mismatch(found, expected):
    """The first layer whose settings (kernel, stride, padding...) differ, in one line ('' when none):
    the same parameter shapes do not make the same network (padding 0 instead of 2, for one)."""
    found_layers, expected_layers = dict(found.named_modules()), dict(expected.named_modules())
    for name, layer in expected_layers.items():
        if list(layer.children()):                  # a container: its layers are compared one by one
            continue
        if repr(found_layers.get(name)) != repr(layer):
            there = repr(found_layers[name]) if name in found_layers else _("没有这一层")
            return _("{name} 在文件里是 {found}，课程的是 {expected}").format(name=name, found=there, expected=repr(layer))
    return ""


def tudui_from(saved, path, tudui, device):
    """What P31 read from a checkpoint, as the course's Tudui (class `tudui`), and how its
    inputs were normalized in training (None: not at all). The checkpoint may be a whole
    model (P25 method 1; the course's train.py and train_gpu_*.py; P26's, which carries
    `input_normalization`), an older P26 dict {"state_dict": ..., "normalize": ...,
    "mean": ..., "std": ...} or a bare state_dict (method 2; P33). Whatever it is, its
    parameter names and shapes and its layers' settings must be the course's."""
    from support.data import MEAN, STD

    expected = tudui()
    said = shown(path)
    if isinstance(saved, torch.nn.Module):
        found = saved.state_dict() if isinstance(saved, tudui) else {}
        differs = state_dict_mismatch(expected.state_dict(), found)
        differs = differs or layer_mismatch(saved, expected)
        if differs:
            raise LessonError(_("{path} 里是一个叫 {kind} 的网络，但不是课程的 Tudui：{details}{p22}。{remedy}").format(
                path=said, kind=type(saved).__name__, details=differs, remedy=p31_reads(),
                p22=_("（P22 的 model1 版本？）") if any(k.startswith("model1.") for k in found) else ""))
        return saved.to(device), getattr(saved, "input_normalization", None)
    state, normalization = saved, None
    if isinstance(saved, dict) and "state_dict" in saved:
        state = saved["state_dict"]
        if saved.get("normalize"):
            normalization = {"mean": list(saved.get("mean", MEAN)), "std": list(saved.get("std", STD))}
    if not isinstance(state, dict) or state_dict_mismatch(expected.state_dict(), state):
        raise LessonError(not_fitting(said, expected, state) + _("。{remedy}").format(remedy=p31_reads()))
    expected.load_state_dict(state)
    return expected.to(device), normalization


# ---------------------------------------------------------------- P31: what the network saw
CHINESE = dict(zip(("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                   ("飞机", "汽车", "鸟", "猫", "鹿", "狗", "青蛙", "马", "船", "卡车")))


def class_named(name):
    """A class as the learner reads it: 'truck 卡车' in Chinese, 'truck' in English."""
    return f"{name} {CHINESE[name]}" if i18n.current() == "zh" else name


def sample_class(path):
    """The true class of a test picture P31 saved (test_<index>_<class>.png), else None."""
    parts = Path(path).stem.split("_")
    return parts[2] if len(parts) == 3 and parts[0] == "test" and parts[2] in CHINESE else None


def why_rgb(image):
    """One line: what convert('RGB') does to a picture of this mode."""
    mode = "I;16" if image.mode.startswith("I;16") else image.mode
    why = {
        "RGB": _("本来就是 RGB：convert('RGB') 什么都不改"),
        "RGBA": _("带透明通道的 PNG 有 4 个通道（RGBA），网络只要 3 个：透明通道被去掉"),
        "LA": _("带透明通道的灰度图有 2 个通道：convert('RGB') 把灰度复制到 R、G、B"),
        "L": _("灰度图只有 1 个通道：convert('RGB') 把它复制到 R、G、B"),
        "1": _("黑白图只有 1 个通道，值是 0 或 1：convert('RGB') 变成 3 个通道"),
        "P": _("调色板图片存的是颜色的编号：convert('RGB') 查表换成真正的颜色"),
        "CMYK": _("CMYK 图片有 4 个印刷用的通道：convert('RGB') 换成屏幕用的 3 种颜色"),
        "I;16": _("16 位的图片：convert('RGB') 把超过 255 的值都截成 255，图片可能整张发白"),
        "I": _("32 位整数的图片：convert('RGB') 把超过 255 的值都截成 255，图片可能整张发白"),
        "F": _("浮点数的图片（例如 float TIFF）：convert('RGB') 把值截到 0-255，0 到 1 之间的值会变成黑色"),
    }.get(mode) or _("模式 {mode}：convert('RGB') 变成 R、G、B 三个通道").format(mode=image.mode)
    if getattr(image, "is_animated", False):
        why += _("；动图有 {n} 帧，只用第一帧").format(n=image.n_frames)
    return why




def save_what_it_saw(original, image_path, out_dir):
    """The 32x32 picture Resize((32, 32)) gives the network, and it enlarged beside the
    learner's picture, saved as PNG files. Returns (thumbnail, 32x32, their two paths)."""
    rgb = original.convert("RGB")
    seen = rgb.resize((32, 32), Image.BILINEAR)          # what Resize((32, 32)) hands the network
    big = rgb.copy()
    big.thumbnail((256, 256))
    pair = Image.new("RGB", (big.width + 8 + big.height, big.height), "white")
    pair.paste(big, (0, 0))
    pair.paste(seen.resize((big.height, big.height), Image.NEAREST), (big.width + 8, 0))   # blocky on purpose
    stem = Path(image_path).stem
    seen_path, pair_path = Path(out_dir) / f"{stem}_32x32.png", Path(out_dir) / f"{stem}_side_by_side.png"
    save_picture(seen, seen_path)
    save_picture(pair, pair_path)
    return big, seen, seen_path, pair_path


def explain(image_path, original, output, step, out_dir, writer):
    """P31: one picture after the course's part: why convert('RGB'), the top 3, the 32x32 picture it saw."""
    print("\n" + shown(image_path))
    print("  " + why_rgb(original))
    probabilities = torch.softmax(output[0].float().cpu(), dim=0)
    top3 = [(CLASSES[i], p) for p, i in zip(*(t.tolist() for t in probabilities.topk(3)))]
    index, truth = output.argmax(1).item(), sample_class(image_path)
    verdict = "" if truth is None else (_("（真实类别 {truth}：对）") if truth == CLASSES[index] else
                                        _("（真实类别 {truth}：错）")).format(truth=class_named(truth))
    print("  " + _("output.argmax(1) = {index} -> {name}{verdict}").format(
        index=index, name=class_named(CLASSES[index]), verdict=verdict))
    print("  " + _("前 3 名：{top3}").format(top3=", ".join(f"{class_named(c)} {p:.1%}" for c, p in top3)))
    big, seen, seen_path, pair_path = save_what_it_saw(original, image_path, out_dir)
    print("  " + _("网络看到的：{seen}；并排对比：{pair}").format(seen=shown(seen_path), pair=shown(pair_path)))
    as_tensor = torchvision.transforms.functional.to_tensor
    writer.add_image(f"yours/{Path(image_path).stem}", as_tensor(big), step)
    writer.add_image(f"seen_32x32/{Path(image_path).stem}", as_tensor(seen), step)
    return {"image": str(image_path), "mode": original.mode, "class": CLASSES[index], "index": index,
            "chinese": CHINESE[CLASSES[index]], "top3": top3, "seen": seen_path, "true": truth}


def save_test_pictures(data_root, samples, out_dir):
    """P31: a few test pictures, one per class, as ordinary PNG files named after their class."""
    test_data = torchvision.datasets.CIFAR10(data_root, train=False, download=True)   # 不要 transform：原图
    chosen = {}
    for index, target in enumerate(test_data.targets):
        chosen.setdefault(target, index)
        if len(chosen) == samples:
            break
    paths = []
    for target, index in chosen.items():
        path = Path(out_dir) / "samples" / f"test_{index}_{CLASSES[target]}.png"
        save_picture(Image.fromarray(test_data.data[index]), path)
        paths.append(path)
    print(_("没给 --image：把测试集里的 {n} 张图片存成了 PNG 文件，放在 {folder}（文件名里有真实类别），"
            "下面就预测这些文件").format(n=len(paths), folder=shown(Path(out_dir) / "samples")))
    return paths
