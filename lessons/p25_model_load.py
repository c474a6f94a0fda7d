"""P25 网络模型的保存与读取 - loading (run p25_model_save.py first)

读取的顺序和视频一样：先读保存方式1（整个模型），再读保存方式2（只有参数 state_dict，
一个 OrderedDict：参数名 -> 张量）。方式1 的文件按类名（如 models.Tudui）保存，读取时
这个类必须能被 import，否则就是视频里的"陷阱"：Can't get attribute 'Tudui' on
<module '__main__'>。本课在子进程里真的触发一次这个错误，捕获并解释。
torch >= 2.6 默认 weights_only=True，会拒绝方式1 的文件；笔记的 weights_only=False
能读，但会执行文件里的任意代码：只对自己保存的文件这样做。本课用更安全的 safe_globals。

Method 2 (parameters only): build the network with our own code, then pour
the saved tensors into it:
    model = Tudui(); model.load_state_dict(torch.load(path, weights_only=True))

Method 1 (whole model): the file is a pickle that names the classes to
rebuild. Since torch 2.6, torch.load defaults to weights_only=True, which
rebuilds tensors and plain containers only, and refuses the file:
"Unsupported global: GLOBAL models.Tudui". The notes' fix,
weights_only=False, lets the pickle rebuild ANY object, and a pickle can be
made to run any command while it loads: only ever do that with files you
made yourself. The safe way keeps weights_only=True and allows exactly the
classes our own models are made of:
    with torch.serialization.safe_globals([Tudui, nn.Sequential, ...]):
        model = torch.load(path, weights_only=True)

Both loaded models give the same output as the saved one.
"""
import functools
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

import common
import models
from p25_model_save import checkpoint_paths, fingerprint
from p25_model_save import main as save_lesson


def load_whole_model(path, name, device):
    """Method 1, safely: weights_only=True, plus exactly our own classes.

    The file's list of class names is read first, without running anything,
    so a file that names anything else is refused before it is unpickled.
    Returns the model and those class names.
    """
    allowed = models.whole_model_classes(name)
    allowed_names = {f"{cls.__module__}.{cls.__qualname__}" for cls in allowed}
    named = _read(path, torch.serialization.get_unsafe_globals_in_checkpoint, path)
    foreign = [g for g in named if g not in allowed_names]
    if foreign:
        raise common.LessonError(
            f"refusing to load {path}: it names {', '.join(foreign)}, which is not one of the classes a "
            f"{name} is made of. Unpickling a whole-model file runs whatever it names, so load only "
            "files you saved yourself with p25_model_save.py")
    with torch.serialization.safe_globals(allowed):
        model = _read(path, torch.load, path, map_location=device, weights_only=True)
    if not isinstance(model, torch.nn.Module):
        raise common.LessonError(f"{path} holds {type(model).__name__} data, not a whole model: "
                                 "was it saved with method 2 (state_dict)?")
    return model, named


def load_state_dict_into(path, name, device):
    """Method 2: a fresh network of our own, then its saved parameters."""
    model = models.build(name).to(device)
    state = _read(path, torch.load, path, map_location=device, weights_only=True)
    if not isinstance(state, dict):
        raise common.LessonError(f"{path} holds {type(state).__name__} data, not a state_dict "
                                 "(a dict of parameter name -> tensor)")
    mismatch = state_dict_mismatch(model.state_dict(), state)
    if mismatch:
        raise common.LessonError(f"{path} does not fit {type(model).__name__}: {mismatch} "
                                 "(saved from another network? pick it with --model)")
    model.load_state_dict(state)
    return model


# The trap, in two child processes: one saves a whole model whose class it
# defines itself, the other (a different __main__) loads it.
TRAP_SAVE = """
import sys, torch
from torch import nn
class Tudui(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3)
    def forward(self, x):
        return self.conv1(x)
torch.save(Tudui(), sys.argv[1])
"""
# weights_only=False is what reaches the trap; harmless here, the file was just made by us.
TRAP_LOAD = """
import sys, torch
try:
    torch.load(sys.argv[1], weights_only=False)
    print("loaded")
except AttributeError as error:
    print(f"AttributeError: {error}")
"""


@functools.lru_cache(maxsize=1)
def main_module_trap():
    """The error the video's trap gives, really raised (once per run), as one line."""
    with tempfile.TemporaryDirectory() as scratch:
        path = str(Path(scratch) / "tudui_method1.pth")
        for code in (TRAP_SAVE, TRAP_LOAD):
            done = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, timeout=120)
            if done.returncode != 0:
                return f"(the demonstration could not run: {done.stderr.strip().splitlines()[-1:]})"
        return done.stdout.strip().splitlines()[-1]


def state_dict_mismatch(expected, found):
    """What differs between two state_dicts, in one line ('' when they fit)."""
    def some(keys):
        keys = sorted(keys)
        return ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")

    missing, unexpected = expected.keys() - found.keys(), found.keys() - expected.keys()
    reshaped = [f"{k} is {list(found[k].shape)} in the file but {list(expected[k].shape)} in the model"
                for k in expected.keys() & found.keys()
                if not hasattr(found[k], "shape") or found[k].shape != expected[k].shape]
    parts = []
    if missing:
        parts.append(f"missing {some(missing)}")
    if unexpected:
        parts.append(f"unexpected {some(unexpected)}")
    parts += sorted(reshaped)[:3]
    return "; ".join(parts)


def _read(path, reader, *args, **kwargs):
    """Run a torch reader, turning a refused or damaged file into one clear line."""
    try:
        return reader(*args, **kwargs)
    except pickle.UnpicklingError as error:
        refused = next((line.strip() for line in str(error).splitlines() if "Unsupported global" in line), None)
        if refused:
            raise common.LessonError(f"refusing to load {path}: {refused.split('. Please')[0]}") from None
        raise common.LessonError(f"{path} is not a PyTorch file this lesson can read ({error})") from None
    except (RuntimeError, EOFError, ValueError, KeyError, OSError) as error:
        first_line = str(error).split(". ")[0].splitlines()[0] if str(error) else type(error).__name__
        raise common.LessonError(f"{path} is damaged or incomplete ({first_line}): "
                                 "run python lessons/p25_model_save.py again to write it afresh") from None


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--model", type=str.lower, choices=models.MODEL_NAMES, default="tudui",
                        help="which saved model to load (default: tudui)")
    parser.add_argument("--out-dir", type=Path, default=common.CHECKPOINTS_ROOT,
                        help=f"folder p25_model_save.py wrote to (default: {common.CHECKPOINTS_ROOT})")
    args = common.parse_args(parser, argv)
    method1, method2 = checkpoint_paths(args.out_dir, args.model)
    save_command = "python lessons/p25_model_save.py" + (f" --model {args.model}" if args.model != "tudui" else "")
    if not method1.exists() and not method2.exists():
        # Nothing saved yet: do what the learner would have done first.
        print(f"no saved {args.model} in {common.shown(args.out_dir)} yet: running {save_command} first\n")
        save_lesson(["--model", args.model, "--out-dir", str(args.out_dir),
                             "--device", args.device.type, "--seed", str(args.seed)])
        print()
    for path in (method1, method2):
        if not path.is_file():
            raise common.LessonError(f"{path} not found: run {save_command} again to write both files")

    # 保存方式1: the whole model
    model1, named = load_whole_model(method1, args.model, args.device)
    print(f"保存方式1 method 1: {method1.name} names these classes: {', '.join(named)}")
    try:
        torch.load(method1, map_location=args.device, weights_only=True)
        plain_refusal = None
    except pickle.UnpicklingError as error:
        plain_refusal = next(line for line in str(error).splitlines() if "Unsupported global" in line).strip()
        print(f"  plain torch.load (weights_only=True, the default since torch 2.6) refuses it: "
              f"{plain_refusal.split('. Please')[0]}")
    print(f"  with safe_globals([{', '.join(c.__name__ for c in models.whole_model_classes(args.model))}]): "
          f"loaded a {type(model1).__module__}.{type(model1).__name__}; print(model):")
    print(model1)

    # 保存方式2 method 2: the parameters only
    state_dict = _read(method2, torch.load, method2, map_location=args.device, weights_only=True)
    keys = list(state_dict) if isinstance(state_dict, dict) else []
    print(f"\n保存方式2 method 2: torch.load({method2.name}) is a {type(state_dict).__name__} of parameter names -> "
          f"tensors, {len(keys)} entries: {', '.join(keys[:4])}{', ...' if len(keys) > 4 else ''}")
    model2 = load_state_dict_into(method2, args.model, args.device)
    print(f"  {type(model2).__name__}() + load_state_dict(torch.load({method2.name}, weights_only=True))  ok")

    trap = main_module_trap()
    print(f"\n陷阱 the trap: a whole model saved from a script that defines class Tudui itself, loaded in "
          f"another script, fails with:\n  {trap}\n  The file names the class __main__.Tudui, and the loading "
          "script's __main__ has no Tudui. The video's fix: import the class (from model_save import *); "
          "ours: the class lives in lessons/models.py, so the file names models.Tudui")

    outputs1, outputs2 = fingerprint(model1, args.device), fingerprint(model2, args.device)
    print(f"\noutput for torch.ones(1,3,32,32), first values: method 1 {[round(v, 4) for v in outputs1[:4].tolist()]}, "
          f"method 2 {[round(v, 4) for v in outputs2[:4].tolist()]}: "
          f"{'the same' if torch.equal(outputs1, outputs2) else 'DIFFERENT'}"
          " (compare with what p25_model_save.py printed)")
    return {"outputs_method1": outputs1, "outputs_method2": outputs2, "named_globals": named,
            "plain_refusal": plain_refusal, "state_dict_keys": keys, "printed_method1": str(model1), "trap": trap}


if __name__ == "__main__":
    common.run(main)
