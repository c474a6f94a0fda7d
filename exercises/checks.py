"""练一练的判分：每个任务给什么输入、在学习者的代码上跑什么、怎么判对错。

Each task has three parts. cases(r): the inputs, made in the parent (check.py):
first the example the task shows, then some the learner has not seen, random
per run. probe(module, case): runs in the learner's child process (engine.py)
and returns what the learner's code gave on one case, as plain values.
judge(cases, outs): back in the parent, computes what is wanted with the
checker's own code and raises Wrong with what was got, what was wanted and,
only when the evidence shows that mistake, a hint that names it. Each task
gets the reference's inputs (the reference Dataset for the sum, the
reference flatten for Linear), so one mistake is one 不对. Checks look at
values, shapes and behaviour, never at the text of the learner's code.
"""
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision  # noqa: F401  (imported once here, not again in every child)
from PIL import Image
from torch import nn
from torch.utils.tensorboard import summary  # noqa: F401

EXERCISES = Path(__file__).resolve().parent
REPO_ROOT = EXERCISES.parent
LESSONS = REPO_ROOT / "lessons"
if str(LESSONS) not in sys.path:
    sys.path.insert(0, str(LESSONS))       # support.i18n: the same catalogue as the lessons

from support.i18n import _  # noqa: E402


def _engine():
    """exercises/engine.py: imported by name where check.py runs (its folder is on the path), else by its
    path, so that importing this file (the tests do) puts no exercise files on the path before the lessons."""
    if "engine" not in sys.modules:
        import importlib.util
        spec = importlib.util.spec_from_file_location("engine", EXERCISES / "engine.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["engine"] = module
        spec.loader.exec_module(module)
    return sys.modules["engine"]


_engine()
from engine import HEADER, NotDone, Picture, Thing, given, task_lines  # noqa: E402,F401

SCRATCH = []        # the parent's folder for the inputs it writes (pictures, saved models)


def scratch_folder():
    if not SCRATCH:
        SCRATCH.append(tempfile.mkdtemp(prefix="exercise_check_"))
    return Path(tempfile.mkdtemp(dir=SCRATCH[0]))


def scratch_folder_for_child():
    """The child's own folder (its files go there; engine.run_child removes it)."""
    folder = tempfile.mkdtemp(prefix="exercise_child_")
    SCRATCH[:] = [folder]
    return folder


def clean_scratch():
    for folder in SCRATCH:
        shutil.rmtree(folder, ignore_errors=True)
    SCRATCH.clear()


# ================================================================ verdicts
class Wrong(Exception):
    def __init__(self, got, wanted, hint=None):
        super().__init__(got)
        self.got, self.wanted, self.hint = got, wanted, hint


class Failed(Exception):
    """The learner's code raised an error on a case: shown as an error with its line (and a hint, when one fits)."""

    def __init__(self, out, hint=None):
        super().__init__(out.error)
        self.out, self.hint = out, hint


class Out:
    """What the learner's code gave on one case: a value, or an error with its line."""

    def __init__(self, kind, value, line):
        self.kind, self.line = kind, line
        self.value = value if kind in ("ok", "todo") else None
        self.error = value if kind == "error" else None

    def get(self, hint=None):
        if self.kind != "ok":
            raise Failed(self, hint)
        return self.value


class Task:
    def __init__(self, section, number, title, lesson, anchor, spec):
        self.section, self.number, self.title = section, number, title
        self.lesson, self.anchor = lesson, anchor
        self.cases, self.probe, self.judge = spec.cases, spec.probe, spec.judge
        self.time_factor = getattr(spec, "time_factor", 1)      # the DataLoader's worker processes take a while


TASKS = {}      # "p17" -> [Task, ...] in the order of the file


def task(section, title, lesson, anchor):
    """Register a task: `lesson` is the lesson file that teaches it, `anchor` the text of the line to point at."""
    def register(spec):
        tasks = TASKS.setdefault(section, [])
        tasks.append(Task(section, len(tasks) + 1, title, lesson, anchor, spec))
        return spec
    return register


def lesson_line(lesson, anchor):
    """'lessons/p17_nn_conv2d.py:43': the first line of code (not the docstring, not a comment) holding `anchor`.
    Searched each time, so the hint stays right when the lesson changes."""
    path = LESSONS / lesson
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return f"lessons/{lesson}"
    in_doc = False
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if text.startswith('"""'):
            in_doc = not (in_doc or (text.count('"""') == 2 and len(text) > 3))
            continue
        if in_doc:
            if '"""' in text:
                in_doc = False
            continue
        if not text.startswith("#") and anchor in line.split("  #")[0]:
            return f"lessons/{lesson}:{number}"
    return f"lessons/{lesson}"


class Random:
    """The inputs' randomness: one seed per run and task (the learner cannot know it beforehand)."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.torch = torch.Generator().manual_seed(seed)

    def int(self, low, high):
        return self.random.randint(low, high)

    def rand(self, *size):
        return torch.rand(*size, generator=self.torch)

    def randn(self, *size):
        return torch.randn(*size, generator=self.torch)


def make_cases(seed):
    """{section: {task number: [case, ...]}} for this run."""
    found = {}
    for section, tasks in TASKS.items():
        found[section] = {one.number: one.cases(Random(seed * 1000 + hash(section) % 1000 + one.number))
                          for one in tasks}
    return found


# ---------------------------------------------------------------- showing values
def rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def text(value):
    """How a value is shown after 得到 / 应该是."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "meta" or value.numel() > 8:
            return _("形状 {shape} 的张量").format(shape=list(value.shape))
        if value.dim() == 0:
            return _("张量 {value}").format(value=rounded(value.item()))
        return str(rounded(value.tolist()))
    if isinstance(value, float):
        return str(round(value, 4))
    if isinstance(value, str):
        return value
    if isinstance(value, Thing):
        return _("{text}（{kind} 类型）").format(text=" ".join(value.text.split())[:100], kind=value.type_name)
    if isinstance(value, dict):
        return _("dict（{n} 项：{keys}）").format(n=len(value), keys=", ".join(list(map(str, value))[:4]))
    shown = " ".join(str(value).split())
    return shown if len(shown) <= 160 else shown[:157] + "..."


def kind_of(value):
    if isinstance(value, torch.Tensor):
        return f"Tensor {str(value.dtype).replace('torch.', '')} {list(value.shape)}"
    if isinstance(value, Thing):
        return value.type_name
    return type(value).__name__


def two_texts(got, wanted):
    """The texts after 得到 and 应该是: never the same (when they print alike, what differs is said)."""
    a, b = text(got), text(wanted)
    if a != b:
        return a, b
    if kind_of(got) != kind_of(wanted):
        return f"{a} ({kind_of(got)})", f"{b} ({kind_of(wanted)})"
    if isinstance(got, (float, torch.Tensor)) and isinstance(wanted, (float, torch.Tensor)):
        try:
            gap = float((torch.as_tensor(got, dtype=torch.float64) - torch.as_tensor(wanted, dtype=torch.float64))
                        .abs().max())
            return a, _("{wanted}（差 {gap:.2g}）").format(wanted=b, gap=gap)
        except (RuntimeError, TypeError):
            pass
    return repr(got)[:120], _("{wanted}（打印出来一样，其实不同）").format(wanted=repr(wanted)[:120])


def number(value):
    """A learner's answer as a float (a number or a one-element tensor)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.device.type != "meta":
        return float(value.reshape(()).item())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Wrong(value, _("一个数"))


def is_tensor(value):
    return isinstance(value, torch.Tensor) and value.device.type != "meta"


def shape(value):
    return list(value.shape) if isinstance(value, torch.Tensor) else None


def tensor_of(value, wanted_shape=None, hint=None):
    """The learner's value as a tensor, or Wrong saying it is not one / has another shape."""
    if not isinstance(value, torch.Tensor):
        raise Wrong(value, _("一个张量") if wanted_shape is None else _("形状 {shape} 的张量").format(shape=wanted_shape),
                    hint)
    if wanted_shape is not None and list(value.shape) != list(wanted_shape):
        raise Wrong(_("形状 {shape}").format(shape=list(value.shape)),
                    _("形状 {shape}").format(shape=list(wanted_shape)), hint)
    return value


def close(got, wanted, atol=1e-5):
    return (isinstance(got, torch.Tensor) and got.device.type != "meta" and got.shape == wanted.shape
            and torch.allclose(got.double(), wanted.double(), atol=atol, rtol=1e-4))


def error_numbers(error):
    """The two matrices of 'mat1 and mat2 shapes cannot be multiplied (64x1024 and 3072x10)'."""
    found = re.search(r"\((\d+)x(\d+) and (\d+)x(\d+)\)", error or "") or \
        re.search(r"\[(\d+), (\d+)\] X \[(\d+), (\d+)\]", error or "")      # the same on the meta device
    return tuple(int(n) for n in found.groups()) if found else None


def image_bytes(r, mode, width, height, smooth=False):
    """Random pixels; smooth=True: a photo-like picture (a few random colours blended across it), on which
    any good way of resizing gives nearly the same result."""
    channels = len(Image.new(mode, (1, 1)).getbands())
    if not smooth:
        return (r.rand(height * width * channels) * 255).to(torch.uint8).numpy().tobytes()
    coarse = r.rand(1, channels, 3, 3)
    fine = F.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=True)[0]
    return (fine.permute(1, 2, 0) * 255).round().to(torch.uint8).contiguous().numpy().tobytes()


def picture(mode, width, height, data=None):
    if data is None:
        count = width * height * len(Image.new(mode, (1, 1)).getbands())
        data = bytes(i % 256 for i in range(count))
    return Image.frombytes(mode, (width, height), data)


# ================================================================ P6 Dataset
class ReferenceData(torch.utils.data.Dataset):
    """The lesson's MyData: task 2 is judged with it, so a mistake in task 1 does not fail task 2 too."""

    def __init__(self, root_dir, label_dir):
        self.root_dir, self.label_dir = root_dir, label_dir
        self.img_path = sorted(os.listdir(os.path.join(root_dir, label_dir)))

    def __getitem__(self, idx):
        return Image.open(os.path.join(self.root_dir, self.label_dir, self.img_path[idx])), self.label_dir

    def __len__(self):
        return len(self.img_path)


def folder_of_pictures(counts):
    """root/<label>/: counts[label] pictures, each its own size (width 20+i, height 10+i)."""
    root = scratch_folder()
    for label, count in counts.items():
        (root / label).mkdir()
        for i in range(count):
            Image.new("RGB", (20 + i, 10 + i), (40 * i % 256, 100, 200)).save(root / label / f"{label}_{i}.jpg")
    return str(root)


@task("p06", _("MyData：一个文件夹就是一类，标签是文件夹名"), "p06_dataset.py", "def __getitem__")
class p06_mydata:
    def cases(r):
        counts = {"ants": 3, "bees": 2}
        other = {"ants": r.int(4, 7), "wasps": r.int(4, 7)}      # never the 3 and 2 of the example
        return [(folder_of_pictures(counts), "ants", 3), (folder_of_pictures(other), "wasps", other["wasps"])]

    def probe(module, case):
        root, label, count = case
        dataset = given(module, "MyData")(root, label)
        items = []
        for i in range(count):
            item = dataset[i]
            if isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], Image.Image):
                item = (item[0].size, item[1])
            items.append(item)
        return len(dataset), items

    def judge(cases, outs):
        for (root, label, count), out in zip(cases, outs):
            length, items = out.get()
            if length != count:
                raise Wrong(_("{label} 文件夹里 {n} 张").format(label=label, n=length),
                            _("{label} 文件夹里 {n} 张").format(label=label, n=count),
                            _("__len__ 要返回图片的张数：len(self.img_path)"))
            for item in items:
                if not (isinstance(item, tuple) and len(item) == 2):
                    raise Wrong(item, "(img, label)")
                if not isinstance(item[0], tuple):
                    raise Wrong(item[0], "PIL.Image", _("用 Image.open(图片的路径) 打开图片"))
                if item[1] != label:
                    raise Wrong(repr(item[1]), repr(label), _("标签就是文件夹名 label_dir"))
            sizes = sorted(Image.open(p).size for p in (Path(root) / label).iterdir())
            if sorted(size for size, _label in items) != sizes:
                raise Wrong(_("有的图片重复或缺了"), _("{n} 张不同的图片").format(n=count),
                            _("第 idx 张：用 self.img_path[idx] 拼出路径"))


def label_counts(labels):
    return _("{n} 张（{each}）").format(n=len(labels), each=", ".join(
        f"{label} {labels.count(label)}" for label in sorted(set(map(str, labels)))) or "-")


@task("p06", _("把蚂蚁和蜜蜂两个数据集合成一个"), "p06_dataset.py", "train_dataset = ants_dataset + bees_dataset")
class p06_both:
    def cases(r):
        return [(folder_of_pictures({"ants": 3, "bees": 2}), 3, 2)] + [
            (folder_of_pictures({"ants": a, "bees": b}), a, b) for a, b in ((r.int(4, 6), r.int(7, 9)),)]

    def probe(module, case):
        both = given(module, "ants_and_bees")
        mine = module.__dict__.get("MyData")
        module.MyData = ReferenceData            # the reference Dataset: only the joining is judged here
        try:
            dataset = both(case[0])
            return [str(dataset[i][1]) for i in range(len(dataset))]
        finally:
            module.MyData = mine

    def judge(cases, outs):
        for (_root, ants, bees), out in zip(cases, outs):
            labels = sorted(out.get())
            wanted = ["ants"] * ants + ["bees"] * bees
            if labels != wanted:
                hint = _("两个 Dataset 可以直接相加：ants_dataset + bees_dataset") if len(set(labels)) < 2 else None
                raise Wrong(label_counts(labels), label_counts(wanted), hint)


# ================================================================ P8 TensorBoard
class Recorder:
    """Stands in for SummaryWriter: keeps every call instead of writing files."""

    def __init__(self):
        self.scalars, self.images = [], []

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, **kwargs):
        self.scalars.append((tag, float(scalar_value), global_step))

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        self.images.append((tag, img_tensor, dataformats))

    def close(self):
        pass


@task("p08", _("用 add_scalar 画 y = 3x（x 从 0 到 99）"), "p08_tensorboard.py", "add_scalar(")
class p08_scalar:
    def cases(r):
        return [None]

    def probe(module, case):
        writer = Recorder()
        given(module, "draw")(writer)
        return [(str(tag), value, step if isinstance(step, int) else plain_number(step))
                for tag, value, step in writer.scalars]

    def judge(cases, outs):
        calls = outs[0].get()
        points = sorted((step, value) for tag, value, step in calls if tag == "y=3x")
        wanted = [(i, 3.0 * i) for i in range(100)]
        tags = sorted({tag for tag, _value, _step in calls} - {"y=3x"})
        if not points and tags:
            raise Wrong(_("tag 是 {tags}").format(tags=", ".join(repr(t) for t in tags[:3])), _("tag 是 'y=3x'"),
                        _("add_scalar 的第一个参数是 tag：这里要 \"y=3x\""))
        if points != wanted:
            swapped = points == [(3 * i, float(i)) for i in range(100)]     # y and x the other way round
            hint = _("add_scalar(tag, scalar_value, global_step) 的顺序：y 值在前，x（global_step）在后") \
                if swapped else None
            raise Wrong(_("{n} 个点，前几个 (x, y)：{first}").format(n=len(points), first=points[:3]),
                        _("100 个点，前几个 (x, y)：{first}").format(first=wanted[:3]), hint)


def plain_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return repr(value)[:40]


@task("p08", _("用 add_image 显示一张 numpy 图片（高 20，宽 30，HWC）"), "p08_tensorboard.py",
      "dataformats='HWC'")
class p08_image:
    def cases(r):
        height, width = r.int(11, 19), r.int(31, 45)
        return [(20, 30, None), (height, width, (r.rand(height, width, 3) * 255).to(torch.uint8).numpy())]

    def probe(module, case):
        import numpy as np
        height, width, pixels = case
        writer = Recorder()
        given(module, "show")(writer, np.full((20, 30, 3), 128, dtype=np.uint8) if pixels is None else pixels.copy())
        return [(img, str(dataformats)) for _tag, img, dataformats in writer.images]

    def judge(cases, outs):
        from torch.utils.tensorboard.summary import image
        for (height, width, _pixels), out in zip(cases, outs):
            images = out.get()
            if not images:
                raise Wrong(_("没有调用 add_image"), _("调用一次 add_image"))
            img, dataformats = images[-1]
            try:
                if not isinstance(img, torch.Tensor):
                    raise TypeError(type(img).__name__)
                pic = image("train", img.numpy(), dataformats=dataformats).value[0].image
                got = (pic.height, pic.width, pic.colorspace)
            except Exception as error:        # the shape and dataformats do not fit together
                got = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            if got != (height, width, 3):
                hint = _("numpy 图片是 (高, 宽, 通道)，add_image 默认以为是 (通道, 高, 宽)：要写 "
                         "dataformats='HWC'") if dataformats == "CHW" and shape(img) == [height, width, 3] else None
                raise Wrong(_("(高, 宽, 通道) = {got}").format(got=got) if isinstance(got, tuple) else got,
                            _("(高, 宽, 通道) = {got}").format(got=(height, width, 3)), hint)


# ================================================================ P9-P12 transforms
def pictures(r, count, mode="RGB"):
    """The task's picture (40 wide, 30 high), then `count` random ones of random sizes."""
    found = [(mode, 40, 30, None)]
    for _i in range(count):
        width, height = r.int(5, 50), r.int(5, 50)
        found.append((mode, width, height, image_bytes(r, mode, width, height)))
    return found


def to_tensor_reference(case):
    from torchvision import transforms
    return transforms.ToTensor()(picture(*case))


@task("p09", _("ToTensor：图片 -> 张量"), "p09_transforms.py", "tensor_trans = transforms.ToTensor()")
class p09_to_tensor:
    def cases(r):
        return pictures(r, 2)

    def probe(module, case):
        return given(module, "to_tensor")(picture(*case))

    def judge(cases, outs):
        for case, out in zip(cases, outs):
            got, wanted = out.get(), to_tensor_reference(case)
            if not isinstance(got, torch.Tensor):
                raise Wrong(got, _("一个张量"))
            if shape(got) == [case[2], case[1], 3] and shape(got) != shape(wanted):
                raise Wrong(_("形状 {shape}").format(shape=shape(got)), _("形状 {shape}").format(shape=shape(wanted)),
                            _("ToTensor 把 (高, 宽, 通道) 变成 (通道, 高, 宽)"))
            tensor_of(got, shape(wanted))
            if not close(got, wanted, 1e-5):
                if close(got.double() / 255, wanted, 1e-5):
                    raise Wrong(_("取值 {low} 到 {high}（{dtype}）").format(
                        low=text(float(got.min())), high=text(float(got.max())), dtype=got.dtype),
                        _("取值 {low} 到 {high}（{dtype}）").format(
                            low=text(float(wanted.min())), high=text(float(wanted.max())), dtype=wanted.dtype),
                        _("ToTensor 还把 [0, 255] 的整数除以 255，变成 [0, 1] 的 float32"))
                raise Wrong(_("和 ToTensor 的结果不同（差 {gap:.3g}）").format(
                    gap=float((got.double() - wanted.double()).abs().max())), _("和 ToTensor 的结果一样"))
            if got.dtype != wanted.dtype:
                raise Wrong(_("dtype {dtype}").format(dtype=got.dtype), _("dtype {dtype}").format(dtype=wanted.dtype))


@task("p09", _("不运行，先算出一张宽 40、高 30 的图片经过 ToTensor 的形状"), "p09_transforms.py",
      "tensor_img = tensor_trans(img)")
class p09_shape:
    def cases(r):
        return [None]

    def probe(module, case):
        answer = given(module, "tensor_shape")
        return list(answer) if isinstance(answer, (list, tuple, torch.Size)) else answer

    def judge(cases, outs):
        answer = outs[0].get()
        wanted = [3, 30, 40]
        if answer != wanted:
            hint = _("PIL 的 img.size 是 (宽, 高)；张量是 (通道, 高, 宽)") if answer == [3, 40, 30] else None
            raise Wrong(answer, wanted, hint)


@task("p09", _("Normalize：把 [0, 1] 变成 [-1, 1]"), "p11_useful_transforms.py", "transforms.Normalize(")
class p09_normalize:
    def cases(r):
        shown = torch.tensor([0.0, 0.25, 1.0]).reshape(3, 1, 1).repeat(1, 2, 2)
        return [shown, r.rand(3, r.int(2, 6), r.int(2, 6))]

    def probe(module, case):
        return given(module, "normalize")(case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            got, wanted = out.get(), x * 2 - 1
            if not close(got, wanted):
                tensor_of(got, list(x.shape))
                raise Wrong(got[:, 0, 0], wanted[:, 0, 0],
                            _("output = (input - mean) / std：0 要变 -1，1 要变 1，解出 mean 和 std"))


def resize_reference(width, height):
    from torchvision import transforms
    return transforms.Resize(20)(Image.new("RGB", (width, height))).size


@task("p09", _("Resize：短边变成 20，比例不变"), "p11_useful_transforms.py", "transforms.Resize(512)")
class p09_resize:
    def cases(r):
        return [(60, 40), (r.int(21, 30), r.int(60, 90)), (r.int(80, 120), r.int(21, 35))]

    def probe(module, case):
        got = given(module, "resize")(Image.new("RGB", case))
        return got.size if isinstance(got, Image.Image) else got

    def judge(cases, outs):
        for (width, height), out in zip(cases, outs):
            got, wanted = out.get(), resize_reference(width, height)
            if not isinstance(got, tuple):
                raise Wrong(got, _("一张 PIL 图片"))
            if tuple(got) != wanted:
                fixed = len({(w, h) for (w, h) in [tuple(o.value) for o in outs if o.kind == "ok"
                                                   and isinstance(o.value, tuple)]}) == 1 and len(outs) > 1
                hint = _("Resize((高, 宽)) 给两个数会直接缩放成那个大小（比例会变）；只给一个数才按比例缩放短边") \
                    if fixed else None
                raise Wrong(_("宽 {w}、高 {h} 的图片 -> {got}").format(w=width, h=height, got=tuple(got)),
                            str(wanted), hint)


@task("p09", _("Compose：先 ToTensor 再 Normalize"), "p11_useful_transforms.py", "transforms.Compose([trans_resize_2")
class p09_compose:
    def cases(r):
        return pictures(r, 2)

    def probe(module, case):
        return given(module, "pipeline")(picture(*case))

    def judge(cases, outs):
        for case, out in zip(cases, outs):
            if out.kind == "error" and "should be Tensor" in (out.error or ""):
                raise Failed(out, _("顺序反了：Normalize 只认张量，要先 ToTensor"))
            if out.kind == "error" and "float tensor" in (out.error or ""):
                raise Failed(out, _("Normalize 要 float 张量（取值 [0, 1]）：ToTensor 会给出它"))
            got, base = out.get(), to_tensor_reference(case)
            tensor_of(got, list(base.shape))
            if not close(got, base * 2 - 1):
                raise Wrong(_("取值 {low} 到 {high}").format(low=text(float(got.min())), high=text(float(got.max()))),
                            _("取值 {low} 到 {high}").format(low=-1.0, high=1.0),
                            _("Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])：(0 - 0.5) / 0.5 = -1，(1 - 0.5) / 0.5 = 1"))


# ================================================================ P13-P14 DataLoader
@task("p14", _("10000 张、batch_size=64、drop_last=True：一共几批"), "p14_dataloader.py", "test_loader = DataLoader(")
class p14_batches:
    def cases(r):
        return [None]

    def probe(module, case):
        return given(module, "batches")

    def judge(cases, outs):
        answer = outs[0].get()
        if answer != 156 or isinstance(answer, bool):
            hint = _("157 是 drop_last=False 的批数：drop_last=True 丢掉最后凑不满的 16 张") if answer == 157 else None
            raise Wrong(answer, 156, hint)


@task("p14", _("DataLoader：每批 4 个、每轮重新洗牌、丢掉凑不满的一批"), "p14_dataloader.py",
      "test_loader = DataLoader(")
class p14_loader:
    time_factor = 3             # num_workers > 0 starts new processes each epoch (on Windows: new Pythons)

    def cases(r):
        return [(10, 2), (r.int(13, 23), 2)]

    def probe(module, case):
        n, epochs = case
        loader = given(module, "make_loader")(torch.arange(n))
        torch.manual_seed(n)
        return [[batch.tolist() if isinstance(batch, torch.Tensor) else batch for batch in loader]
                for _epoch in range(epochs)]

    def judge(cases, outs):
        for (n, _epochs), out in zip(cases, outs):
            epochs = out.get()
            sizes = [len(batch) if isinstance(batch, list) else batch for batch in epochs[0]]
            wanted = [4] * (n // 4)
            if sizes != wanted:
                hint = _("drop_last=True 丢掉最后凑不满的一批") if sizes == wanted + [n % 4] else None
                if hint is None and sizes and len(set(sizes[:-1] or sizes)) == 1 and sizes[0] != 4:
                    hint = _("每批几个由 batch_size 决定：batch_size=4")
                raise Wrong(_("{n} 个数，每批大小 {sizes}").format(n=n, sizes=sizes),
                            _("{n} 个数，每批大小 {sizes}").format(n=n, sizes=wanted), hint)
            for epoch in epochs:
                seen = [v for batch in epoch for v in batch]
                if len(set(seen)) != len(seen) or not set(seen) <= set(range(n)):
                    raise Wrong(_("有的数重复了"), _("每轮每个数最多一次"))
            if len({str(epoch) for epoch in epochs}) == 1:
                raise Wrong(_("两轮顺序一样"), _("每轮顺序不同"), _("shuffle=True 每一轮重新洗牌"))


# ================================================================ P15 nn.Module
@task("p15", _("Tudui 的 forward：输出 = 输入 * 2 + 1"), "p15_nn_module.py", "def forward(")
class p15_forward:
    def cases(r):
        return [torch.tensor([1.0, -2.0, 0.5]), r.randn(r.int(2, 5)), r.randn(2, 3)]

    def probe(module, case):
        return given(module, "Tudui")()(case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            got = out.get()
            if not close(got, x * 2 + 1):
                raise Wrong(got, x * 2 + 1)


@task("p15", _("WithLayer：__init__ 里先做好 nn.Module 的准备，再加一层"), "p15_nn_module.py", "super().__init__()")
class p15_super:
    def cases(r):
        return [r.randn(r.int(1, 4), 2)]

    def probe(module, case):
        model = given(module, "WithLayer")()
        count = sum(p.numel() for p in model.parameters()) if isinstance(model, nn.Module) else 0
        return count, model(case.clone())

    def judge(cases, outs):
        out = outs[0]
        if out.kind == "error" and "before Module.__init__() call" in (out.error or ""):
            raise Failed(out, _("__init__ 第一行要调用 super().__init__()"))
        if out.kind == "error" and "object has no attribute" in (out.error or ""):
            raise Failed(out, _("层要放在 self 上：self.linear = ..."))
        count, got = out.get()
        if count == 0:
            raise Wrong(count, _("大于 0"), _("层要放在 self 上：self.linear = ..."))
        tensor_of(got, [cases[0].shape[0], 1])


# ================================================================ P16 convolution
COURSE_INPUT = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0],
                             [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]).reshape(1, 1, 5, 5)
COURSE_KERNEL = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]]).reshape(1, 1, 3, 3)


def value_task(name):
    """A task whose answer is a value the learner writes (worked out without running)."""
    class spec:
        def cases(r):
            return [None]

        def probe(module, case):
            return given(module, name)
    return spec


@task("p16", _("不运行，算出 stride=1 时输出左上角的数"), "p16_nn_conv.py", "F.conv2d(input, kernel, stride=1)")
class p16_corner(value_task("corner")):
    def judge(cases, outs):
        answer = number(outs[0].get())
        wanted = F.conv2d(COURSE_INPUT, COURSE_KERNEL)[0, 0, 0, 0].item()
        if answer != wanted:
            raise Wrong(answer, wanted, _("左上角 3x3 的输入和卷积核对应位置相乘，9 个积加起来"))


@task("p16", _("选 stride 和 padding，让 5x5 的输入得到 2x2 的输出"), "p16_nn_conv.py", "F.conv2d(input, kernel, stride=2)")
class p16_two_by_two:
    def cases(r):
        return [None]

    def probe(module, case):
        return given(module, "stride"), given(module, "padding")

    def judge(cases, outs):
        stride, padding = outs[0].get()
        try:
            got = F.conv2d(COURSE_INPUT, COURSE_KERNEL, stride=stride, padding=padding)
        except (RuntimeError, TypeError, ValueError) as error:
            raise Wrong(str(error).splitlines()[0][:120], _("形状 {shape}").format(shape=[1, 1, 2, 2])) from None
        tensor_of(got, [1, 1, 2, 2], _("每条边：(5 + 2*padding - 3) // stride + 1"))


def conv_side(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


@task("p16", _("写出输出尺寸公式 out_size(size, kernel, stride, padding)"), "p16_nn_conv.py",
      "F.conv2d(input, kernel, stride=1, padding=1)")
class p16_formula:
    def cases(r):
        fixed = [(5, 3, 1, 0), (5, 3, 2, 0), (5, 3, 1, 1), (32, 5, 1, 2), (32, 5, 2, 0), (7, 2, 3, 1), (28, 3, 2, 1)]
        more = []
        while len(more) < 6:
            size, kernel, stride, padding = r.int(5, 64), r.int(1, 7), r.int(1, 4), r.int(0, 3)
            if kernel <= size + 2 * padding:
                more.append((size, kernel, stride, padding))
        return fixed + more

    def probe(module, case):
        return given(module, "out_size")(*case)

    def judge(cases, outs):
        for case, out in zip(cases, outs):
            size, kernel, stride, padding = case
            got = out.get()
            wanted = F.conv2d(torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel),
                              stride=stride, padding=padding).shape[-1]
            if got == wanted and not isinstance(got, bool):
                continue
            hint = None
            answers = [(c, o.value) for c, o in zip(cases, outs) if o.kind == "ok"]
            for formula, words in (
                    (lambda s, k, st, p: (s + 2 * p - k) / st + 1, _("用 // 整除（向下取整），不是 /")),
                    (lambda s, k, st, p: (s + 2 * p - k) // st, _("别忘了 +1：第一个位置也算一个")),
                    (lambda s, k, st, p: (s + p - k) // st + 1, _("padding 两边都补：2 * padding")),
                    (lambda s, k, st, p: (s - k) // st + 1, _("别忘了两边补的 padding"))):
                if all(value == formula(*c) for c, value in answers):      # this mistake explains every answer
                    hint = words
                    break
            raise Wrong(f"size={size}, kernel={kernel}, stride={stride}, padding={padding} -> {text(got)}", wanted,
                        hint or _("(size + 2*padding - kernel) // stride + 1"))


# ================================================================ P17 Conv2d
def settings(layer):
    """(kernel, stride, padding) of the first Conv2d / MaxPool2d in what the learner gave (for a hint only)."""
    found = [m for m in layer.modules() if isinstance(m, (nn.Conv2d, nn.MaxPool2d))] \
        if isinstance(layer, nn.Module) else []
    if not found:
        return None
    m = found[0]

    def first(v):
        return v[0] if isinstance(v, (tuple, list)) else v
    extra = {"out_channels": m.out_channels} if isinstance(m, nn.Conv2d) else {"ceil_mode": m.ceil_mode}
    return {"kernel": first(m.kernel_size), "stride": first(m.stride), "padding": first(m.padding), **extra}


def run_layer(layer, x):
    with torch.no_grad():
        return settings(layer), layer(x)


@task("p17", _("conv_same：[64, 3, 32, 32] -> [64, 6, 32, 32]"), "p17_nn_conv2d.py", "Conv2d(in_channels=3")
class p17_same:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(1, 5), 3, 32, 32)]

    def probe(module, case):
        return run_layer(given(module, "conv_same"), case)

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            layer, got = out.get()
            wanted = [x.shape[0], 6, 32, 32]
            hint = None
            if isinstance(layer, dict) and isinstance(layer.get("padding"), int) and shape(got) != wanted:
                side = conv_side(32, layer["kernel"], layer["stride"], layer["padding"])
                hint = _("kernel_size={k}、stride={s}、padding={p}：每条边 (32 + 2*{p} - {k}) // {s} + 1 = {side}，"
                         "要等于 32").format(k=layer["kernel"], s=layer["stride"], p=layer["padding"], side=side)
            tensor_of(got, wanted, hint)


@task("p17", _("不运行，算出 Conv2d(3, 6, 5, stride=2) 把 32x32 变成几乘几"), "p17_nn_conv2d.py", "Conv2d(3, 6, 3, stride=2)")
class p17_side(value_task("out_side")):
    def judge(cases, outs):
        answer = outs[0].get()
        if answer != 14 or isinstance(answer, bool):
            hint = _("(32 - 5) / 2 = 13.5：向下取整得 13，再加 1") if answer in (13, 13.5, 14.5, 15) else \
                _("(32 + 2*padding - kernel_size) // stride + 1")
            raise Wrong(answer, 14, hint)


@task("p17", _("conv_half：[64, 3, 32, 32] -> [64, 16, 16, 16]"), "p17_nn_conv2d.py", "Conv2d(3, 6, 3, stride=2)")
class p17_half:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(1, 5), 3, 32, 32)]

    def probe(module, case):
        return run_layer(given(module, "conv_half"), case)

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            layer, got = out.get()
            wanted = [x.shape[0], 16, 16, 16]
            hint = None
            if isinstance(got, torch.Tensor) and got.dim() == 4 and got.shape[1] != 16:
                hint = _("通道数是 out_channels：要 16")
            elif isinstance(layer, dict) and shape(got) != wanted:
                side = conv_side(32, layer["kernel"], layer["stride"], layer["padding"])
                hint = _("kernel_size={k}、stride={s}、padding={p}：每条边 (32 + 2*{p} - {k}) // {s} + 1 = {side}，"
                         "要等于 16").format(k=layer["kernel"], s=layer["stride"], p=layer["padding"], side=side)
            tensor_of(got, wanted, hint)


# ================================================================ P18 MaxPool2d
@task("p18", _("视频的 5x5 输入，池化得到 [[2, 3], [5, 1]]"), "p18_nn_maxpool.py", "ceil_mode=True)(input)")
class p18_ceil:
    def cases(r):
        return [COURSE_INPUT.float()] + [(r.rand(1, 1, 5, 5) * 10).floor() for _i in range(2)]

    def probe(module, case):
        return run_layer(given(module, "pool"), case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            layer, got = out.get()
            wanted = F.max_pool2d(x, 3, ceil_mode=True)
            if not close(got, wanted):
                hint = None
                if is_tensor(got) and close(got, F.max_pool2d(x, 3)):
                    hint = _("ceil_mode=False 扔掉不完整的窗口，只剩 1 个数；ceil_mode=True 保留它们")
                shown = got.squeeze() if is_tensor(got) and got.numel() <= 8 else got
                if x is not cases[0]:
                    shown = _("输入 {x} -> {got}").format(x=x.squeeze().int().tolist(), got=text(shown))
                raise Wrong(shown, wanted.squeeze(), hint)


@task("p18", _("pool11：[64, 3, 32, 32] -> [64, 3, 11, 11]，窗口 3x3"), "p18_nn_maxpool.py", "MaxPool2d(kernel_size=3")
class p18_eleven:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(1, 4), 3, 32, 32)]

    def probe(module, case):
        return run_layer(given(module, "pool11"), case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            layer, got = out.get()
            hint = _("32 / 3 = 10.67：向下取整得 10，要 11 就得向上取整（或两边各补 1）") \
                if shape(got) == [x.shape[0], 3, 10, 10] else None
            tensor_of(got, [x.shape[0], 3, 11, 11], hint)
            # a 3x3 window: some stride, padding and rounding give 11 with exactly these maxima
            for stride in (1, 2, 3, 4):
                for padding in (0, 1):
                    for ceil in (False, True):
                        try:
                            wanted = F.max_pool2d(x, 3, stride=stride, padding=padding, ceil_mode=ceil)
                        except RuntimeError:
                            continue
                        if close(got, wanted):
                            break
                    else:
                        continue
                    break
                else:
                    continue
                break
            else:
                kernel = layer.get("kernel") if isinstance(layer, dict) else None
                raise Wrong(_("窗口 {k}").format(k=kernel) if kernel not in (None, 3) else
                            _("和 3x3 窗口的最大池化结果不同"), _("窗口 3x3 的最大池化"))


# ================================================================ P19 activations
@task("p19", _("activation：把每个数压到 (0, 1) 之间"), "p19_nn_relu.py", "self.sigmoid1 = Sigmoid()")
class p19_squash:
    def cases(r):
        return [torch.tensor([[1.0, -0.5], [-1.0, 3.0]]), r.randn(r.int(1, 3), 4) * 3]

    def probe(module, case):
        return given(module, "activation")(case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            got, wanted = out.get(), torch.sigmoid(x)
            if not close(got, wanted):
                hint = None
                if close(got, torch.relu(x)):
                    hint = _("ReLU 只把负数变 0，不会压到 (0, 1)：用 Sigmoid")
                elif is_tensor(got) and got.numel() and (float(got.min()) <= 0 or float(got.max()) >= 1):
                    hint = _("有的数不在 (0, 1) 之间：Sigmoid 把每个数压到 (0, 1)")
                raise Wrong(got, wanted, hint)


@task("p19", _("ReLU(inplace=True)(x) 之后 x 被改了吗？True 或 False"), "p19_nn_relu.py", "ReLU(inplace=True)")
class p19_inplace(value_task("input_changed")):
    def judge(cases, outs):
        answer = outs[0].get()
        x = torch.tensor([1.0, -1.0])
        nn.ReLU(inplace=True)(x)
        wanted = bool(x[1] == 0)
        if not (isinstance(answer, (bool, int)) and answer == wanted):
            raise Wrong(answer, wanted, _("inplace=True：直接改写传进去的张量"))


# ================================================================ P20 Linear
@task("p20", _("每张图各自展平：[64, 3, 32, 32] -> [64, 3072]"), "p20_nn_linear.py", "torch.flatten(imgs, start_dim=1)")
class p20_flatten:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(2, 9), 3, 32, 32)]

    def probe(module, case):
        return given(module, "flatten")(case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            batch = x.shape[0]
            if out.kind == "error" and batch != 64 and "64" in (out.error or ""):
                raise Failed(out, _("展平时别把批大小写死：imgs.shape[0]，或 start_dim=1"))
            got = out.get()
            hint = None
            if shape(got) == [x.numel()]:
                hint = _("torch.flatten(imgs) 把整批压成一行；start_dim=1 保留批这一维（dim 0）")
            elif batch != 64 and shape(got) and shape(got)[0] == 64:
                hint = _("展平时别把批大小写死：imgs.shape[0]，或 start_dim=1")
            tensor_of(got, [batch, 3072], hint)
            if not close(got, torch.flatten(x, 1)):
                raise Wrong(_("顺序和 torch.flatten(imgs, start_dim=1) 不同"),
                            _("每张图的数按原来的顺序排成一行"))


@task("p20", _("linear：每张图 10 个分数，一批几张都行"), "p20_nn_linear.py", "Linear(3072, 10)")
class p20_scores:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(2, 9), 3, 32, 32)]

    def probe(module, case):
        with torch.no_grad():
            return given(module, "linear")(torch.flatten(case, 1))     # the reference flatten: task 1 is not judged here

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            numbers = error_numbers(out.error) if out.kind == "error" else None
            if numbers:
                raise Failed(out, _("每张图展平后有 3*32*32 = 3072 个数，Linear 的 in_features 却是 {n}：要等于 3072")
                             .format(n=numbers[2]))
            tensor_of(out.get(), [x.shape[0], 10])


# ================================================================ P21 Sequential
@task("p21", _("Sequential：torch.ones((64, 3, 32, 32)) -> [64, 10]"), "p21_nn_seq.py", "Conv2d(3, 32, 5, padding=2)")
class p21_sequential:
    def cases(r):
        return [torch.ones(64, 3, 32, 32), r.randn(r.int(1, 4), 3, 32, 32)]

    def probe(module, case):
        with torch.no_grad():
            return given(module, "model")(case.clone())

    def judge(cases, outs):
        for x, out in zip(cases, outs):
            numbers = error_numbers(out.error) if out.kind == "error" else None
            if out.kind == "error" and "Output size is too small" in (out.error or ""):
                raise Failed(out, _("卷积不加 padding 每层都变小，图片在半路就缩没了：用 padding=2 保持边长"))
            if numbers:
                raise Failed(out, _("Flatten 之后每张图有 {n} 个数，Linear 要的是 {m} 个：卷积不加 padding 每层都变小；"
                                    "用 padding=2 保持边长，或改 Linear 的 in_features").format(n=numbers[1], m=numbers[2]))
            tensor_of(out.get(), [x.shape[0], 10])


@task("p21", _("kernel_size=5、stride=1，边长不变要多少 padding"), "p21_nn_seq.py", "Conv2d(3, 32, 5, padding=2)")
class p21_padding(value_task("same_padding")):
    def judge(cases, outs):
        padding = outs[0].get()
        if padding != 2 or isinstance(padding, bool):
            got = conv_side(32, 5, 1, padding) if isinstance(padding, int) else padding
            raise Wrong(_("边长 {side}").format(side=got), _("边长 {side}").format(side=32),
                        _("out = 32 + 2*padding - 5 + 1，令它等于 32"))


@task("p21", _("Flatten 之后每张图有多少个数（64 通道，4x4）"), "p21_nn_seq.py", "Linear(1024, 64)")
class p21_features(value_task("flat_features")):
    def judge(cases, outs):
        answer = outs[0].get()
        if answer != 1024 or isinstance(answer, bool):
            raise Wrong(answer, 1024, _("通道 * 高 * 宽"))


# ================================================================ P22 loss
@task("p22", _("loss_fn：inputs [1, 2, 3]、targets [1, 2, 5] 得到 2.0"), "p22_nn_loss.py", "L1Loss(reduction='sum')")
class p22_l1:
    def cases(r):
        shown = (torch.tensor([1.0, 2.0, 3.0]).reshape(1, 1, 1, 3), torch.tensor([1.0, 2.0, 5.0]).reshape(1, 1, 1, 3))
        n = r.int(4, 8)
        return [shown, (r.randn(1, 1, 1, n), r.randn(1, 1, 1, n)), (r.randn(2, n), r.randn(2, n))]

    def probe(module, case):
        return given(module, "loss_fn")(case[0].clone(), case[1].clone())

    def judge(cases, outs):
        for (x, y), out in zip(cases, outs):
            got, wanted = number(out.get()), float((x - y).abs().sum())
            if abs(got - wanted) > 1e-4:
                hint = None
                if abs(got - wanted / x.numel()) < 1e-4:
                    hint = _("默认 reduction='mean' 还要除以 {n}；用 reduction='sum'").format(n=x.numel())
                elif abs(got - float(((x - y) ** 2).sum())) < 1e-4:
                    hint = _("这是差的平方之和（MSELoss）；要的是差的绝对值之和（L1Loss）")
                got_text, wanted_text = two_texts(round(got, 4), round(wanted, 4))
                if x is not cases[0][0]:
                    got_text = _("inputs {x}、targets {y}：{got}").format(
                        x=[round(v, 2) for v in x.flatten().tolist()], y=[round(v, 2) for v in y.flatten().tolist()],
                        got=got_text)
                raise Wrong(got_text, wanted_text, hint)


@task("p22", _("分类用的损失：3 类的分数 x 和正确类别 y"), "p22_nn_loss.py", "CrossEntropyLoss()")
class p22_cross_entropy:
    def cases(r):
        classes = r.int(4, 7)
        return [(torch.tensor([[0.1, 0.2, 0.3]]), torch.tensor([1])),
                (r.randn(4, 3), torch.tensor([0, 2, 1, 1])),
                (r.randn(5, classes), torch.tensor([r.int(0, classes - 1) for _i in range(5)]))]

    def probe(module, case):
        return given(module, "classification_loss")(case[0].clone(), case[1].clone())

    def judge(cases, outs):
        for (x, y), out in zip(cases, outs):
            wanted = F.cross_entropy(x, y).item()
            if out.kind == "error":
                raise Failed(out, _("分类问题用交叉熵 nn.CrossEntropyLoss()：输入是分数，目标是类别序号"))
            got = number(out.get())
            if abs(got - wanted) > 1e-4:
                hint = None
                if abs(got - F.cross_entropy(x, y, reduction="sum").item()) < 1e-4 and len(y) > 1:
                    hint = _("reduction='sum' 把每张图的损失加起来了；这里要默认的平均（reduction='mean'）")
                elif not any(abs(got - F.cross_entropy(x, y, reduction=k).item()) < 1e-3 for k in ("mean", "sum")):
                    hint = _("分类问题用交叉熵 nn.CrossEntropyLoss()：输入是分数，目标是类别序号")
                raise Wrong(*two_texts(round(got, 4), round(wanted, 4)), hint)


# ================================================================ P23 optimizer
def regression(slope=2.0, intercept=-1.0):
    """A tiny problem the checker knows: y = 2x - 1 (or another line), 16 points, a one-weight model."""
    x = torch.linspace(-1, 1, 16).reshape(-1, 1)
    return x, slope * x + intercept


def train_with(optimizer_of, model, steps=30, data=None):
    x, y = data or regression()
    optimizer = optimizer_of(model)
    losses = []
    for _step in range(steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@task("p23", _("学习率 lr：30 步之内让损失降到开始时的十分之一以下"), "p23_nn_optim.py", "optim.step()")
class p23_lr(value_task("lr")):
    def cases(r):
        return [(0, 2.0, -1.0), (r.int(1, 10 ** 6), 0.5 + r.rand(1).item() * 3, r.randn(1).item())]

    def judge(cases, outs):
        lr = number(outs[0].get())

        def losses_with(rate, seed, slope, intercept):
            torch.manual_seed(seed)
            return train_with(lambda model: torch.optim.SGD(model.parameters(), lr=rate), nn.Linear(1, 1),
                              data=regression(slope, intercept))

        def final(losses):
            return losses[-1] if losses[-1] == losses[-1] else float("inf")      # nan counts as worst

        if lr <= 0:
            raise Wrong(lr, _("大于 0"), _("lr 要大于 0：lr = 0 参数不动，小于 0 往错的方向走"))
        for seed, slope, intercept in cases:
            losses = losses_with(lr, seed, slope, intercept)
            if losses[-1] < losses[0] / 10:
                continue
            # too big or too small: read from what a smaller and a bigger lr would have done on the same problem
            if final(losses) == float("inf") or abs(losses[-1]) == float("inf"):
                hint = _("lr 太大：损失变成了 nan 或 inf")
            elif final(losses_with(lr / 2, seed, slope, intercept)) < final(losses):
                rises = sum(1 for a, b in zip(losses, losses[1:]) if b > a)
                hint = _("lr 太大：每一步都跳过了头，损失来回跳或越来越大（{rises} 步不降反升）；lr 小一半反而降得更多"
                         ).format(rises=rises)
            elif final(losses_with(lr * 2, seed, slope, intercept)) < final(losses):
                hint = _("lr 太小：损失一直在降，但太慢；lr 大一倍降得更多")
            else:
                hint = None
            shown = [round(v, 4) for v in losses[:4]] + ["...", round(losses[-1], 4)]
            raise Wrong(_("损失 {losses}").format(losses=shown),
                        _("最后一步小于 {bound}").format(bound=round(losses[0] / 10, 4)), hint)


def small_model(r, layers):
    sizes = [1] + [r.int(2, 6) for _i in range(layers - 1)] + [1]
    parts = []
    for a, b in zip(sizes, sizes[1:]):
        parts += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*parts[:-1])


@task("p23", _("make_optimizer：让模型的每一层都被训练"), "p23_nn_optim.py", "tudui.parameters()")
class p23_parameters:
    def cases(r):
        torch.manual_seed(r.int(0, 10 ** 6))
        shown = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
        return [shown, small_model(r, 2)]          # two Linear layers, as the task says; other sizes

    def probe(module, case):
        make_optimizer = given(module, "make_optimizer")
        model = case
        train_with(make_optimizer, model, steps=3)
        return [(name, p.detach()) for name, p in model.named_parameters()]

    def judge(cases, outs):
        for model, out in zip(cases, outs):
            after = dict(out.get())
            still = [name for name, p in model.named_parameters() if torch.equal(after.get(name, p), p.detach())]
            if still:
                hint = _("优化器要拿到整个模型的参数：model.parameters()") if len(still) < len(after) else None
                raise Wrong(_("没变的参数 {names}").format(names=still), _("每个参数都变了"), hint)


# ================================================================ P24 VGG16
@task("p24", _("for_cifar10(vgg)：把 VGG16 的最后一层改成 10 类"), "p24_model_pretrained.py", "classifier[6] = nn.Linear(4096, 10)")
class p24_ten_classes:
    def cases(r):
        return [2, r.int(3, 9)]

    def probe(module, case):
        from torchvision.models import vgg16
        for_cifar10 = given(module, "for_cifar10")
        with torch.device("meta"):               # the real structure, no memory and no time for 138M numbers
            given_model = vgg16(weights=None)
            before = [id(p) for p in given_model.parameters()]
            model = for_cifar10(given_model) or given_model
            got = model(torch.empty(case, 3, 224, 224))
        convs = len([m for m in model.modules() if isinstance(m, nn.Conv2d)]) if isinstance(model, nn.Module) else 0
        kept = len(set(before) & {id(p) for p in model.parameters()}) if isinstance(model, nn.Module) else 0
        return list(got.shape) if isinstance(got, torch.Tensor) else got, convs, kept, len(before)

    def judge(cases, outs):
        for batch, out in zip(cases, outs):
            numbers = error_numbers(out.error) if out.kind == "error" else None
            if numbers:
                raise Failed(out, _("最后一层收到的是前一层的 {n} 个数：nn.Linear({n}, 10)").format(n=numbers[1]))
            got, convs, kept, total = out.get()
            if got != [batch, 10]:
                raise Wrong(_("形状 {shape}").format(shape=got), _("形状 {shape}").format(shape=[batch, 10]))
            if convs != 13:
                raise Wrong(_("{n} 个卷积层").format(n=convs), _("13 个卷积层"), _("只改最后的分类层，前面的都留着"))
            if kept < total - 2:
                raise Wrong(_("传进来的 VGG16 留下了 {kept} 个参数张量（共 {total} 个）").format(kept=kept, total=total),
                            _("除了最后一层，都是传进来的那些（{n} 个）").format(n=total - 2),
                            _("改传进来的 vgg 的最后一层，别新建一个：新建的模型丢掉了原来（训练好）的参数"))


@task("p24", _("nn.Linear(4096, 10) 有多少个参数"), "p24_model_pretrained.py", "classifier[6] = nn.Linear(4096, 10)")
class p24_count(value_task("new_layer_parameters")):
    def judge(cases, outs):
        answer = outs[0].get()
        wanted = sum(p.numel() for p in nn.Linear(4096, 10, device="meta").parameters())
        if answer != wanted or isinstance(answer, bool):
            hint = _("还有 10 个偏置 bias") if answer == 40960 else _("权重 4096*10，加上偏置")
            raise Wrong(answer, wanted, hint)


# ================================================================ P25 save and load
@task("p25", _("save 和 load：读回来的模型输出一模一样"), "p25_model_load.py", "load_state_dict(")
class p25_round_trip:
    def cases(r):
        return [(r.int(0, 10 ** 6), r.randn(2, 3, 8, 8))]

    def probe(module, case):
        save, load, Tudui = given(module, "save"), given(module, "load"), given(module, "Tudui")
        seed, x = case
        folder = Path(tempfile.mkdtemp(dir=SCRATCH[0] if SCRATCH else None))
        wanted, paths = [], []
        for i in range(2):                       # two models, two files: each must come back as itself
            torch.manual_seed(seed + i)
            model = Tudui()
            with torch.no_grad():
                wanted.append(model(x))
            paths.append(str(folder / f"tudui_{i}.pth"))
            save(model, paths[-1])
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(1.0)                  # the object in memory is no longer what was saved
        torch.manual_seed(seed + 7)              # a fresh Tudui would now start from other numbers
        got = []
        for path in paths:
            loaded = load(path)
            if not isinstance(loaded, nn.Module):
                return wanted, [loaded]
            with torch.no_grad():
                got.append(loaded(x))
        return wanted, got

    def judge(cases, outs):
        wanted, got = outs[0].get()
        if len(got) == 1 and not isinstance(got[0], torch.Tensor):
            raise Wrong(got[0], "nn.Module", _("torch.load 读出的是参数字典：先建好 Tudui()，再 load_state_dict(...)"))
        for a, b in zip(got, wanted):
            if not close(a, b):
                gap = float((a.double() - b.double()).abs().max()) if is_tensor(a) and a.shape == b.shape else None
                raise Wrong(_("输出不同（差 {diff}）").format(diff=round(gap, 4)) if gap is not None else a,
                            _("输出相同"), _("只建了新模型，没有把保存的参数 load_state_dict 进去"))


@task("p25", _("load_small(path)：按文件里的参数建好模型再读入"), "p25_model_load.py", "load_state_dict(")
class p25_structure:
    def cases(r):
        torch.manual_seed(r.int(0, 10 ** 6))
        saved = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        path = scratch_folder() / "small.pth"
        torch.save(saved.state_dict(), path)
        return [(str(path), saved, r.randn(5, 4))]

    def probe(module, case):
        loaded = given(module, "load_small")(case[0])
        with torch.no_grad():
            return loaded(case[2].clone())

    def judge(cases, outs):
        _path, saved, x = cases[0]
        out = outs[0]
        if out.kind == "error" and "size mismatch" in (out.error or "") or "Missing key" in (out.error or ""):
            raise Failed(out, _("模型结构要和保存时一样：看报错里 size mismatch 的形状"))
        got = out.get()
        with torch.no_grad():
            wanted = saved(x)
        tensor_of(got, list(wanted.shape))
        if not close(got, wanted):
            raise Wrong(_("输出不同"), _("输出相同"), _("建好模型之后，用 load_state_dict 读入文件里的参数"))


# ================================================================ P26 training
@task("p26", _("right_count(outputs, targets)：一批里猜对几个"), "p26_train.py", "accuracy = (outputs.argmax(1) == targets).sum()")
class p26_accuracy:
    def cases(r):
        shown = (torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.9, 0.1], [0.2, 0.8], [0.7, 0.6]]), torch.tensor([0, 1, 0, 1, 1]))
        found = [shown]
        for batch, classes in ((4, 4), (r.int(6, 12), r.int(3, 5))):
            outputs = r.randn(batch, classes)
            targets = outputs.argmax(1).clone()
            flip = r.rand(batch) < 0.5
            targets[flip] = (targets[flip] + 1) % classes
            found.append((outputs, targets))
        return found

    def probe(module, case):
        return given(module, "right_count")(case[0].clone(), case[1].clone())

    def judge(cases, outs):
        rows = _("argmax(1) 在每一行（每张图）里找分数最高的类别；argmax(0) 是在每一列（每个类别）里比哪张图最高")
        for (outputs, targets), out in zip(cases, outs):
            wanted = int((outputs.argmax(1) == targets).sum())
            if out.kind == "error":
                columns = outputs.shape[0] != outputs.shape[1] and "size of tensor" in (out.error or "")
                raise Failed(out, rows if columns else None)
            got = number(out.get())
            if got != wanted:
                hint = None
                if outputs.shape[0] == outputs.shape[1] and got == float((outputs.argmax(0) == targets).sum()):
                    hint = rows
                elif abs(got - wanted / len(targets)) < 1e-6:
                    hint = _("要的是猜对的个数，不是比例：别除以 {n}").format(n=len(targets))
                raise Wrong(*two_texts(got, float(wanted)), hint)


def noisy_model(state=None):
    """Dropout makes train mode random: only eval() gives the same answer twice."""
    model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    if state is not None:
        model.load_state_dict(state)
    return model


def watched(model):
    """The model, with a record of each call: (in train mode?, building the graph?)."""
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append((m.training, torch.is_grad_enabled())))
    return model, seen


@task("p26", _("evaluate(model, imgs)：测试时的两件事（eval 和 no_grad）"), "p26_train.py", "tudui.eval()")
class p26_evaluate:
    def cases(r):
        torch.manual_seed(r.int(0, 10 ** 6))
        return [(noisy_model().state_dict(), r.randn(r.int(3, 8), 4))]

    def probe(module, case):
        evaluate = given(module, "evaluate")
        model, seen = watched(noisy_model(case[0]))
        model.train()
        got = evaluate(model, case[1].clone())
        return got, seen

    def judge(cases, outs):
        state, imgs = cases[0]
        got, seen = outs[0].get()
        if not seen:
            raise Wrong(_("模型没有被调用"), "model(imgs)")
        if any(training for training, _grad in seen):
            raise Wrong("model.training = True", "False", _("测试前调用 model.eval()：Dropout、BatchNorm 换成测试时的做法"))
        if any(grad for _training, grad in seen):
            raise Wrong("torch.is_grad_enabled() = True", "False", _("测试时放在 with torch.no_grad(): 里，不建计算图"))
        model = noisy_model(state).eval()
        with torch.no_grad():
            wanted = model(imgs)
        tensor_of(got, list(wanted.shape))
        if not close(got, wanted):
            raise Wrong(_("和模型的输出不同"), _("model(imgs) 的输出"))


def train_reference(start, data, steps, zero_grad=True):
    model = nn.Linear(1, 1)
    model.load_state_dict(start)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = data
    for _step in range(steps):
        loss = F.mse_loss(model(x), y)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.detach() for p in model.parameters()]


@task("p26", _("train_steps：修好这个训练循环（损失应该一路往下走）"), "p26_train.py", "optimizer.zero_grad()")
class p26_zero_grad:
    def cases(r):
        torch.manual_seed(r.int(0, 10 ** 6))
        return [(nn.Linear(1, 1).state_dict(), regression(), 20),
                (nn.Linear(1, 1).state_dict(), regression(r.randn(1).item() * 2, r.randn(1).item()), r.int(10, 30))]

    def probe(module, case):
        train_steps = given(module, "train_steps")
        model = nn.Linear(1, 1)
        model.load_state_dict(case[0])
        x, y = case[1]
        train_steps(model, torch.optim.SGD(model.parameters(), lr=0.05), x.clone(), y.clone(), case[2])
        return [p.detach() for p in model.parameters()]

    def judge(cases, outs):
        for (start, data, steps), out in zip(cases, outs):
            got = out.get()
            wanted = train_reference(start, data, steps)
            if not (isinstance(got, list) and len(got) == 2 and all(close(a, b) for a, b in zip(got, wanted))):
                accumulated = train_reference(start, data, steps, zero_grad=False)
                forgot = isinstance(got, list) and len(got) == 2 and all(close(a, b) for a, b in zip(got, accumulated))
                gap = max(float((a.double() - b.double()).abs().max()) for a, b in zip(got, wanted)) \
                    if isinstance(got, list) and all(is_tensor(a) and a.shape == b.shape for a, b in zip(got, wanted)) \
                    else float("nan")
                still = isinstance(got, list) and len(got) == 2 and all(
                    close(a, b) for a, b in zip(got, [start["weight"], start["bias"]]))
                hint = _("梯度会累加：每一步 backward() 之前先 optimizer.zero_grad()") if forgot else \
                    _("参数一点没变：zero_grad() 要放在 backward() 之前；放在 backward() 和 step() 之间，梯度刚算好就被清掉了") \
                    if still else None
                raise Wrong(_("训练后的参数和正确的循环相差 {gap}").format(gap=round(gap, 4)), _("参数一样"), hint)


# ================================================================ P31 prediction
@task("p31", _("prepare(image)：任意一张图片 -> [1, 3, 32, 32]"), "p31_predict.py", "image = image.convert('RGB')")
class p31_prepare:
    def cases(r):
        found = []
        for mode in ("RGBA", "L", "RGB"):
            width, height = r.int(20, 80), r.int(20, 80)
            found.append((mode, width, height, image_bytes(r, mode, width, height, smooth=True)))
        return [("RGBA", 50, 40, None)] + found

    def probe(module, case):
        return given(module, "prepare")(picture(*case))

    def judge(cases, outs):
        from torchvision import transforms
        for case, out in zip(cases, outs):
            image = picture(*case)
            bands = len(image.getbands())
            size = re.search(r"input of size (\d+)", out.error or "") if out.kind == "error" else None
            if size and int(size.group(1)) == bands * 32 * 32 and bands != 3:
                raise Failed(out, _("带透明的 PNG 有 4 个通道（RGBA），灰度图只有 1 个：先 image.convert('RGB')"))
            if size and int(size.group(1)) % 3 == 0 and int(size.group(1)) != 3 * 32 * 32:
                raise Failed(out, _("Resize((32, 32)) 给两个数才是 32x32；只给一个数只把短边变成 32"))
            got = out.get()
            if shape(got) != [1, 3, 32, 32]:
                hint = _("带透明的 PNG 有 4 个通道（RGBA），灰度图只有 1 个：先 image.convert('RGB')") \
                    if is_tensor(got) and got.numel() == bands * 32 * 32 and bands != 3 else None
                raise Wrong(_("{mode} 图片 -> {got}").format(mode=case[0], got=_("形状 {shape}").format(shape=shape(got))
                                                           if isinstance(got, torch.Tensor) else text(got)),
                            _("形状 {shape}").format(shape=[1, 3, 32, 32]), hint)
            wanted = transforms.ToTensor()(transforms.Resize((32, 32))(image.convert("RGB"))).reshape(1, 3, 32, 32)
            gap = float((got.double() - wanted.double()).abs().mean())
            if not gap < 0.05:
                rgb_right = all(o.kind == "ok" and is_tensor(o.value) and shape(o.value) == [1, 3, 32, 32]
                                and float((o.value.double() - transforms.ToTensor()(transforms.Resize((32, 32))(
                                    picture(*c))).reshape(1, 3, 32, 32).double()).abs().mean()) < 0.05
                                for c, o in zip(cases, outs) if c[0] == "RGB")
                if float(got.max()) > 1.5:
                    hint = _("ToTensor() 把 [0, 255] 变成 [0, 1]")
                elif case[0] != "RGB" and rgb_right:
                    hint = _("RGB 图片对了，{mode} 图片不对：image.convert('RGB') 把 RGBA、灰度图都变成 3 个通道"
                             ).format(mode=case[0])
                else:
                    hint = _("Resize((32, 32)) 再 ToTensor()，取值在 0 到 1")
                raise Wrong(_("平均差 {d}").format(d=round(gap, 3)), "< 0.05", hint)


@task("p31", _("predict(model, image)：返回类别序号（一个整数）"), "p31_predict.py", "print(output.argmax(1))")
class p31_predict:
    def cases(r):
        found = []
        for classes in (3, 10):
            torch.manual_seed(r.int(0, 10 ** 6))
            model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, classes))
            found.append((model.state_dict(), r.randn(1, 4), classes))
        return found

    def probe(module, case):
        predict = given(module, "predict")
        state, image, classes = case
        model, seen = watched(nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, classes)))
        model.load_state_dict(state)
        model.train()
        return [predict(model, image.clone()) for _try in range(3)], seen

    def judge(cases, outs):
        for (state, image, classes), out in zip(cases, outs):
            answers, seen = out.get()
            model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, classes))
            model.load_state_dict(state)
            model.eval()
            with torch.no_grad():
                scores = model(image)
            wanted = int(scores.argmax(1))
            first = answers[0]
            if isinstance(first, torch.Tensor) and first.numel() != 1:
                hint = _("output 的形状是 [1, 类别数]：argmax(1) 在每一行里找最大，再用 .item() 变成整数") \
                    if shape(first) == [classes] else None
                raise Wrong(_("形状 {shape} 的张量（不是一个整数）").format(shape=shape(first)), wanted, hint)
            if isinstance(first, torch.Tensor):
                raise Wrong(_("形状 {shape} 的张量（不是一个整数）").format(shape=shape(first)), wanted,
                            _("用 .item() 把只有一个数的张量变成整数"))
            if any(training for training, _grad in seen):
                raise Wrong("model.training = True", "False", _("预测前调用 model.eval()"))
            if any(grad for _training, grad in seen):
                raise Wrong("torch.is_grad_enabled() = True", "False", _("预测时放在 with torch.no_grad(): 里，不建计算图"))
            try:
                got = [number(a) for a in answers]
            except Wrong:
                raise Wrong(first, wanted) from None
            if got != [wanted] * 3:
                raise Wrong(*two_texts(got[0] if len(set(got)) == 1 else got, float(wanted)),
                            _("argmax(1)：每一行里分数最高的那个") if got[0] == 0 and wanted != 0 else None)
