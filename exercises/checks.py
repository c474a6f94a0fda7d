"""练一练的判分：每个任务怎么判对错，以及在子进程里运行学习者的文件。

Each task is a function that gets the learner's module and either returns
(right), raises NotDone (the placeholder is still there), or raises Wrong
with what it got, what was wanted and, for a known mistake, a hint that
names it. Checks look at values, shapes and behaviour, never at the text of
the learner's code, so every right answer passes. check.py runs
run_file() in a child process, one per exercise file.
"""
import _thread
import os
import re
import shutil
import sys
import tempfile
import threading
import traceback
import types
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision  # noqa: F401  (imported once here, not again in every child)
from PIL import Image  # noqa: F401
from torch import nn
from torch.utils.tensorboard import summary  # noqa: F401

EXERCISES = Path(__file__).resolve().parent
REPO_ROOT = EXERCISES.parent
LESSONS = REPO_ROOT / "lessons"
if str(LESSONS) not in sys.path:
    sys.path.insert(0, str(LESSONS))       # support.i18n: the same catalogue as the lessons

from support import i18n  # noqa: E402
from support.i18n import _  # noqa: E402

HEADER = re.compile(r"^# ---- 任务 (\d+)")


class NotDone(Exception):
    """The marked line still holds its placeholder (None or ...)."""


class Wrong(Exception):
    def __init__(self, got, wanted, hint=None):
        super().__init__(got)
        self.got, self.wanted, self.hint = got, wanted, hint


class Task:
    def __init__(self, section, number, title, lesson, anchor, check):
        self.section, self.number, self.title = section, number, title
        self.lesson, self.anchor, self.check = lesson, anchor, check


TASKS = {}      # "p17" -> [Task, ...] in the order of the file


def task(section, title, lesson, anchor):
    """Register a check: `lesson` is the lesson file that teaches it, `anchor` the text of the line to point at."""
    def register(check):
        tasks = TASKS.setdefault(section, [])
        tasks.append(Task(section, len(tasks) + 1, title, lesson, anchor, check))
        return check
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


def given(module, name):
    """The learner's value `name`; NotDone while it is still None or `...`."""
    value = getattr(module, name, None)
    if value is None or value is Ellipsis:
        raise NotDone(name)
    return value


def shape(tensor):
    return list(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__


def number(value):
    """A learner's answer as a float (a number or a one-element tensor)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.item())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Wrong(repr(value)[:80], _("一个数"))


def same_shape(got, wanted, hint=None):
    if shape(got) != wanted:
        raise Wrong(shape(got), wanted, hint)


# ================================================================ P6 Dataset
SCRATCH = []      # the child's own temporary folder (run_file makes it and removes it)


def scratch_folder():
    return Path(tempfile.mkdtemp(dir=SCRATCH[0] if SCRATCH else None))


def tiny_folder():
    """root/ants: 3 pictures, root/bees: 2, each a different size (the checker's own folder)."""
    root = scratch_folder()
    for label, count in (("ants", 3), ("bees", 2)):
        (root / label).mkdir()
        for i in range(count):
            Image.new("RGB", (20 + i, 10 + i), (40 * i, 100, 200)).save(root / label / f"{label}_{i}.jpg")
    return root


@task("p06", _("MyData：一个文件夹就是一类，标签是文件夹名"), "p06_dataset.py", "def __getitem__")
def p06_mydata(module):
    from PIL import Image
    MyData = given(module, "MyData")
    root = tiny_folder()
    dataset = MyData(str(root), "ants")
    if len(dataset) != 3:
        raise Wrong(len(dataset), 3, _("__len__ 要返回图片的张数：len(self.img_path)"))
    item = dataset[1]
    if not (isinstance(item, tuple) and len(item) == 2):
        raise Wrong(type(item).__name__, "(img, label)")
    img, label = item
    if not isinstance(img, Image.Image):
        raise Wrong(type(img).__name__, "PIL.Image", _("用 Image.open(图片的路径) 打开图片"))
    if label != "ants":
        raise Wrong(repr(label), repr("ants"), _("标签就是文件夹名 label_dir"))
    sizes = sorted(Image.open(p).size for p in (root / "ants").iterdir())
    if sorted(dataset[i][0].size for i in range(3)) != sizes:
        raise Wrong(_("有的图片重复或缺了"), _("3 张不同的图片"), _("第 idx 张：用 self.img_path[idx] 拼出路径"))


@task("p06", _("把蚂蚁和蜜蜂两个数据集合成一个"), "p06_dataset.py", "train_dataset = ants_dataset + bees_dataset")
def p06_both(module):
    both = given(module, "ants_and_bees")
    dataset = both(str(tiny_folder()))
    labels = sorted(dataset[i][1] for i in range(len(dataset)))
    if labels != ["ants"] * 3 + ["bees"] * 2:
        hint = _("两个 Dataset 可以直接相加：ants_dataset + bees_dataset") if len(labels) == 3 else None
        raise Wrong(len(labels), 5, hint)


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
def p08_scalar(module):
    draw = given(module, "draw")
    writer = Recorder()
    draw(writer)
    points = sorted((step, value) for tag, value, step in writer.scalars if tag == "y=3x")
    wanted = [(i, 3.0 * i) for i in range(100)]
    if points != wanted:
        got = _("{n} 个点，前几个 {first}").format(n=len(points), first=points[:3])
        swapped = points == [(3 * i, float(i)) for i in range(100)]     # y and x the other way round
        hint = _("参数顺序是 add_scalar(tag, scalar_value, global_step)：y 值在前，x（步数）在后") if swapped else None
        raise Wrong(got, _("100 个点 {first} ...").format(first=wanted[:3]), hint)


@task("p08", _("用 add_image 显示一张 numpy 图片（高 20，宽 30，HWC）"), "p08_tensorboard.py",
      "dataformats='HWC'")
def p08_image(module):
    import numpy as np
    from torch.utils.tensorboard.summary import image
    show = given(module, "show")
    writer = Recorder()
    show(writer, np.full((20, 30, 3), 128, dtype=np.uint8))
    if not writer.images:
        raise Wrong(_("没有调用 add_image"), _("一次 add_image"))
    tag, img, dataformats = writer.images[-1]
    try:
        picture = image(tag, img, dataformats=dataformats).value[0].image
        got = (picture.height, picture.width, picture.colorspace)
    except Exception as error:        # the shape and dataformats do not fit together
        got = str(error).splitlines()[0][:120]
    if got != (20, 30, 3):
        raise Wrong(got, (20, 30, 3), _("numpy 图片是 (高, 宽, 通道)，add_image 默认以为是 (通道, 高, 宽)：要写 "
                                       "dataformats='HWC'"))


# ================================================================ P9-P12 transforms
def picture(width, height, mode="RGB"):
    from PIL import Image
    pixels = torch.arange(width * height * len(mode), dtype=torch.uint8).reshape(height, width, len(mode))
    return Image.fromarray(pixels.numpy() if len(mode) > 1 else pixels[:, :, 0].numpy(), mode)


@task("p09", _("ToTensor：图片 -> 张量"), "p09_transforms.py", "tensor_trans = transforms.ToTensor()")
def p09_to_tensor(module):
    from torchvision import transforms
    to_tensor = given(module, "to_tensor")
    img = picture(40, 30)
    result = to_tensor(img)
    wanted = transforms.ToTensor()(img)
    if not isinstance(result, torch.Tensor):
        raise Wrong(type(result).__name__, "torch.Tensor")
    hint = _("ToTensor 把 (高, 宽, 通道) 的 0-255 变成 (通道, 高, 宽) 的 0-1") if shape(result) == [30, 40, 3] else None
    same_shape(result, [3, 30, 40], hint)
    if not torch.allclose(result.float(), wanted, atol=1e-6):
        hint = _("ToTensor 还把 0-255 除以 255 变成 0-1") if result.max() > 1 else None
        raise Wrong(_("最大值 {v}").format(v=round(float(result.max()), 3)),
                    _("最大值 {v}").format(v=round(float(wanted.max()), 3)), hint)


@task("p09", _("不运行，先算出一张宽 40、高 30 的图片经过 ToTensor 的形状"), "p09_transforms.py",
      "tensor_img = tensor_trans(img)")
def p09_shape(module):
    from torchvision import transforms
    answer = list(given(module, "tensor_shape"))
    wanted = list(transforms.ToTensor()(picture(40, 30)).shape)
    if answer != wanted:
        hint = _("PIL 的 img.size 是 (宽, 高)；张量是 (通道, 高, 宽)") if answer == [3, 40, 30] else None
        raise Wrong(answer, wanted, hint)


@task("p09", _("Normalize：把 [0, 1] 变成 [-1, 1]"), "p11_useful_transforms.py", "transforms.Normalize(")
def p09_normalize(module):
    normalize = given(module, "normalize")
    x = torch.tensor([0.0, 0.25, 1.0]).reshape(3, 1, 1).repeat(1, 2, 2)
    got = normalize(x)
    wanted = x * 2 - 1
    if not torch.allclose(got, wanted, atol=1e-5):
        raise Wrong(got[:, 0, 0].tolist(), wanted[:, 0, 0].tolist(),
                    _("output = (input - mean) / std：0 要变 -1，1 要变 1，解出 mean 和 std"))


@task("p09", _("Resize：短边变成 20，比例不变"), "p11_useful_transforms.py", "transforms.Resize(512)")
def p09_resize(module):
    resize = given(module, "resize")
    got = resize(picture(60, 40)).size
    if tuple(got) != (30, 20):
        hint = _("Resize((高, 宽)) 给两个数会压成那个大小；只给一个数才按比例缩放") if tuple(got) == (20, 20) else None
        raise Wrong(tuple(got), (30, 20), hint)


@task("p09", _("Compose：先 ToTensor 再 Normalize"), "p11_useful_transforms.py", "transforms.Compose([trans_resize_2")
def p09_compose(module):
    pipeline = given(module, "pipeline")
    try:
        got = pipeline(picture(8, 6))
    except TypeError as error:
        raise Wrong(str(error).splitlines()[0][:120], _("一个张量"),
                    _("顺序反了：Normalize 只认张量，要先 ToTensor")) from None
    if not isinstance(got, torch.Tensor) or got.min() < -1.001 or got.max() > 1.001 or got.min() >= 0:
        raise Wrong(_("取值 {low} 到 {high}").format(low=float(got.min()), high=float(got.max()))
                    if isinstance(got, torch.Tensor) else type(got).__name__, "[-1, 1]")


# ================================================================ P13-P14 DataLoader
@task("p14", _("10000 张、batch_size=64、drop_last=True：一共几批"), "p14_dataloader.py", "test_loader = DataLoader(")
def p14_batches(module):
    from torch.utils.data import DataLoader
    answer = given(module, "batches")
    wanted = len(DataLoader(range(10000), batch_size=64, drop_last=True))
    if answer != wanted:
        hint = _("157 是 drop_last=False 的批数：drop_last=True 丢掉最后凑不满的 16 张") \
            if answer == len(DataLoader(range(10000), batch_size=64)) else None
        raise Wrong(answer, wanted, hint)


@task("p14", _("DataLoader：每批 4 个、每轮重新洗牌、丢掉凑不满的一批"), "p14_dataloader.py",
      "test_loader = DataLoader(")
def p14_loader(module):
    make_loader = given(module, "make_loader")
    data = torch.arange(10)
    loader = make_loader(data)
    torch.manual_seed(0)
    epochs = [[batch.tolist() for batch in loader] for _epoch in range(3)]
    sizes = [len(batch) for batch in epochs[0]]
    if sizes != [4, 4]:
        hint = _("10 个数每批 4 个：drop_last=True 时只有 2 批") if sizes == [4, 4, 2] else None
        raise Wrong(_("每批大小 {sizes}").format(sizes=sizes), _("每批大小 [4, 4]"), hint)
    if len({str(epoch) for epoch in epochs}) == 1:
        raise Wrong(_("三轮顺序一样"), _("每轮顺序不同"), _("shuffle=True 每一轮重新洗牌"))


# ================================================================ P15 nn.Module
@task("p15", _("Tudui 的 forward：输出 = 输入 * 2 + 1"), "p15_nn_module.py", "def forward(")
def p15_forward(module):
    Tudui = given(module, "Tudui")
    x = torch.tensor([1.0, -2.0, 0.5])
    got = Tudui()(x)
    if not torch.allclose(got, x * 2 + 1):
        raise Wrong(got.tolist(), (x * 2 + 1).tolist())


@task("p15", _("WithLayer：__init__ 里先做好 nn.Module 的准备，再加一层"), "p15_nn_module.py", "super().__init__()")
def p15_super(module):
    WithLayer = given(module, "WithLayer")
    try:
        model = WithLayer()
    except AttributeError as error:
        raise Wrong(str(error).splitlines()[0][:120], _("建好的模型"),
                    _("__init__ 第一行要调用 super().__init__()")) from None
    count = sum(p.numel() for p in model.parameters())
    if count == 0:
        raise Wrong(count, _("大于 0"), _("层要放在 self 上：self.linear = ..."))
    model(torch.ones(1, 2))


# ================================================================ P16 convolution
COURSE_INPUT = torch.tensor([[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0],
                             [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]).reshape(1, 1, 5, 5)
COURSE_KERNEL = torch.tensor([[1, 2, 1], [0, 1, 0], [2, 1, 0]]).reshape(1, 1, 3, 3)


@task("p16", _("不运行，算出 stride=1 时输出左上角的数"), "p16_nn_conv.py", "F.conv2d(input, kernel, stride=1)")
def p16_corner(module):
    answer = number(given(module, "corner"))
    wanted = F.conv2d(COURSE_INPUT, COURSE_KERNEL)[0, 0, 0, 0].item()
    if answer != wanted:
        raise Wrong(answer, wanted, _("左上角 3x3 的输入和卷积核对应位置相乘，9 个积加起来"))


@task("p16", _("选 stride 和 padding，让 5x5 的输入得到 2x2 的输出"), "p16_nn_conv.py", "F.conv2d(input, kernel, stride=2)")
def p16_two_by_two(module):
    stride, padding = given(module, "stride"), given(module, "padding")
    got = F.conv2d(COURSE_INPUT, COURSE_KERNEL, stride=stride, padding=padding)
    same_shape(got, [1, 1, 2, 2], _("每条边：(5 + 2*padding - 3) // stride + 1"))


@task("p16", _("写出输出尺寸公式 out_size(size, kernel, stride, padding)"), "p16_nn_conv.py",
      "F.conv2d(input, kernel, stride=1, padding=1)")
def p16_formula(module):
    out_size = given(module, "out_size")
    for size, kernel, stride, padding in [(5, 3, 1, 0), (5, 3, 2, 0), (5, 3, 1, 1), (32, 5, 1, 2), (32, 5, 2, 0),
                                          (7, 2, 3, 1), (28, 3, 2, 1)]:
        wanted = F.conv2d(torch.ones(1, 1, size, size), torch.ones(1, 1, kernel, kernel),
                          stride=stride, padding=padding).shape[-1]
        got = out_size(size, kernel, stride, padding)
        if got != wanted:
            case = f"size={size}, kernel={kernel}, stride={stride}, padding={padding}"
            raise Wrong(f"{case} -> {got}", wanted, _("(size + 2*padding - kernel) // stride + 1：别忘了 +1 和两边的 padding"))


# ================================================================ P17 Conv2d
@task("p17", _("conv_same：[64, 3, 32, 32] -> [64, 6, 32, 32]"), "p17_nn_conv2d.py", "Conv2d(in_channels=3")
def p17_same(module):
    conv = given(module, "conv_same")
    with torch.no_grad():
        got = conv(torch.ones(64, 3, 32, 32))
    hint = None
    if shape(got) == [64, 6, 34, 34]:
        hint = _("多了 2：kernel_size=3 每条边少 2，padding=1 两边各补 1 就够了")
    elif shape(got) in ([64, 6, 30, 30], [64, 6, 31, 31]):
        hint = _("少了：kernel_size=3 每条边少 2，要用 padding 补回来")
    same_shape(got, [64, 6, 32, 32], hint)


@task("p17", _("不运行，算出 Conv2d(3, 6, 5, stride=2) 把 32x32 变成几乘几"), "p17_nn_conv2d.py", "Conv2d(3, 6, 3, stride=2)")
def p17_side(module):
    answer = given(module, "out_side")
    wanted = nn.Conv2d(3, 6, 5, stride=2)(torch.ones(1, 3, 32, 32)).shape[-1]
    if answer != wanted:
        raise Wrong(answer, wanted, _("(32 - 5) // 2 + 1：除完向下取整，再加 1"))


@task("p17", _("conv_half：[64, 3, 32, 32] -> [64, 16, 16, 16]"), "p17_nn_conv2d.py", "Conv2d(3, 6, 3, stride=2)")
def p17_half(module):
    conv = given(module, "conv_half")
    with torch.no_grad():
        got = conv(torch.ones(64, 3, 32, 32))
    hint = _("边长减半靠 stride=2；通道数是 out_channels") if shape(got)[:2] == [64, 16] else \
        _("out_channels 要是 16")
    same_shape(got, [64, 16, 16, 16], hint)


# ================================================================ P18 MaxPool2d
@task("p18", _("视频的 5x5 输入，池化得到 [[2, 3], [5, 1]]"), "p18_nn_maxpool.py", "ceil_mode=True)(input)")
def p18_ceil(module):
    pool = given(module, "pool")
    got = pool(COURSE_INPUT.float())
    if shape(got) != [1, 1, 2, 2] or got.flatten().tolist() != [2, 3, 5, 1]:
        hint = _("ceil_mode=False 扔掉不完整的窗口，只剩 [[2]]；ceil_mode=True 保留它们") \
            if got.flatten().tolist() == [2] else None
        raise Wrong(got.squeeze().tolist(), [[2, 3], [5, 1]], hint)


@task("p18", _("pool11：[64, 3, 32, 32] -> [64, 3, 11, 11]，窗口 3x3"), "p18_nn_maxpool.py", "MaxPool2d(kernel_size=3")
def p18_eleven(module):
    pool = given(module, "pool11")
    got = pool(torch.ones(64, 3, 32, 32))
    hint = _("32 / 3 = 10.67：向下取整得 10，要 11 就得向上取整") if shape(got) == [64, 3, 10, 10] else None
    same_shape(got, [64, 3, 11, 11], hint)
    window = [m for m in pool.modules() if isinstance(m, nn.MaxPool2d)] if isinstance(pool, nn.Module) else []
    if not window or window[0].kernel_size not in (3, (3, 3)):
        raise Wrong(_("窗口 {k}").format(k=window[0].kernel_size if window else "?"), _("窗口 3"))


# ================================================================ P19 activations
@task("p19", _("activation：把每个数压到 (0, 1) 之间"), "p19_nn_relu.py", "self.sigmoid1 = Sigmoid()")
def p19_squash(module):
    activation = given(module, "activation")
    x = torch.tensor([[1.0, -0.5], [-1.0, 3.0]])
    got = activation(x.clone())
    if not torch.allclose(got, torch.sigmoid(x)):
        hint = _("ReLU 只把负数变 0，不会压到 (0, 1)") if torch.equal(got, torch.relu(x)) else None
        raise Wrong(got.tolist(), [[round(v, 4) for v in row] for row in torch.sigmoid(x).tolist()], hint)


@task("p19", _("ReLU(inplace=True)(x) 之后 x 变没变？True 或 False"), "p19_nn_relu.py", "ReLU(inplace=True)")
def p19_inplace(module):
    answer = given(module, "input_changed")
    x = torch.tensor([1.0, -1.0])
    nn.ReLU(inplace=True)(x)
    wanted = bool(x[1] == 0)
    if answer is not wanted:
        raise Wrong(answer, wanted, _("inplace=True：直接改写传进去的张量"))


# ================================================================ P20 Linear
@task("p20", _("每张图各自展平：[64, 3, 32, 32] -> [64, 3072]"), "p20_nn_linear.py", "torch.flatten(imgs, start_dim=1)")
def p20_flatten(module):
    flatten = given(module, "flatten")
    got = flatten(torch.ones(64, 3, 32, 32))
    hint = _("torch.flatten(imgs) 把整批压成一行；start_dim=1 保留第 0 维（每张图）") if shape(got) == [196608] else None
    same_shape(got, [64, 3072], hint)


@task("p20", _("linear：每张图 10 个分数，一批几张都行"), "p20_nn_linear.py", "Linear(3072, 10)")
def p20_scores(module):
    flatten, linear = given(module, "flatten"), given(module, "linear")
    for batch in (64, 5):
        try:
            got = linear(flatten(torch.ones(batch, 3, 32, 32)))
        except RuntimeError as error:
            raise Wrong(str(error).splitlines()[0][:120], [batch, 10],
                        _("Linear 的 in_features 要等于每张图展平后的长度 3*32*32 = 3072")) from None
        same_shape(got, [batch, 10], _("先每张图各自展平（任务 1），Linear 才会给每张图 10 个分数"))


# ================================================================ P21 Sequential
@task("p21", _("Sequential：torch.ones((64, 3, 32, 32)) -> [64, 10]"), "p21_nn_seq.py", "Conv2d(3, 32, 5, padding=2)")
def p21_sequential(module):
    model = given(module, "model")
    try:
        got = model(torch.ones(64, 3, 32, 32))
    except RuntimeError as error:
        raise Wrong(str(error).splitlines()[0][:120], [64, 10],
                    _("卷积不加 padding 每层都变小，Flatten 之后的长度就对不上 Linear 的输入；用 padding=2 保持边长")) from None
    same_shape(got, [64, 10])


@task("p21", _("kernel_size=5、stride=1，边长不变要多少 padding"), "p21_nn_seq.py", "Conv2d(3, 32, 5, padding=2)")
def p21_padding(module):
    padding = given(module, "same_padding")
    got = nn.Conv2d(1, 1, 5, padding=padding)(torch.ones(1, 1, 32, 32)).shape[-1]
    if got != 32:
        raise Wrong(_("边长 {side}").format(side=got), _("边长 32"), _("out = 32 + 2*padding - 5 + 1，令它等于 32"))


@task("p21", _("Flatten 之后每张图有多少个数（64 通道，4x4）"), "p21_nn_seq.py", "Linear(1024, 64)")
def p21_features(module):
    answer = given(module, "flat_features")
    wanted = nn.Flatten()(torch.ones(1, 64, 4, 4)).shape[1]
    if answer != wanted:
        raise Wrong(answer, wanted, _("通道 * 高 * 宽"))


# ================================================================ P22 loss
@task("p22", _("loss_fn：inputs [1, 2, 3]、targets [1, 2, 5] 得到 2.0"), "p22_nn_loss.py", "L1Loss(reduction='sum')")
def p22_l1(module):
    loss_fn = given(module, "loss_fn")
    inputs = torch.tensor([1.0, 2.0, 3.0]).reshape(1, 1, 1, 3)
    targets = torch.tensor([1.0, 2.0, 5.0]).reshape(1, 1, 1, 3)
    got = number(loss_fn(inputs, targets))
    if abs(got - 2.0) > 1e-5:
        hint = _("默认 reduction='mean' 还要除以 3；用 reduction='sum'") if abs(got - 2 / 3) < 1e-4 else None
        raise Wrong(round(got, 4), 2.0, hint)


@task("p22", _("分类用的损失：3 类的分数 x 和正确类别 y"), "p22_nn_loss.py", "CrossEntropyLoss()")
def p22_cross_entropy(module):
    ce = given(module, "classification_loss")
    torch.manual_seed(1)
    for x, y in ((torch.tensor([[0.1, 0.2, 0.3]]), torch.tensor([1])),
                 (torch.randn(4, 3), torch.tensor([0, 2, 1, 1]))):
        wanted = F.cross_entropy(x, y).item()
        try:
            got = number(ce(x, y))
        except (RuntimeError, ValueError) as error:
            raise Wrong(str(error).splitlines()[0][:120], round(wanted, 4),
                        _("分类问题用交叉熵 nn.CrossEntropyLoss()：输入是分数，目标是类别序号")) from None
        if abs(got - wanted) > 1e-4:
            raise Wrong(round(got, 4), round(wanted, 4), _("分类问题用交叉熵 nn.CrossEntropyLoss()"))


# ================================================================ P23 optimizer
def regression():
    """A tiny problem the checker knows: y = 2x - 1, 16 points, a one-weight model."""
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 16).reshape(-1, 1)
    return x, 2 * x - 1


def train_with(optimizer_of, model, steps=30):
    x, y = regression()
    optimizer = optimizer_of(model)
    losses = []
    for _step in range(steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@task("p23", _("学习率 lr：30 步之内让 loss 降到开始的十分之一以下"), "p23_nn_optim.py", "optim.step()")
def p23_lr(module):
    lr = number(given(module, "lr"))
    torch.manual_seed(0)
    losses = train_with(lambda model: torch.optim.SGD(model.parameters(), lr=lr), nn.Linear(1, 1))
    if not losses[-1] < losses[0] / 10:
        hint = _("lr 太大，每一步都跳过了头，loss 越来越大") if losses[-1] > losses[0] * 1.01 else \
            _("lr 太小（或是 0），参数几乎不动")
        raise Wrong(_("loss {first} -> {last}").format(first=round(losses[0], 4), last=round(losses[-1], 4)),
                    _("最后小于 {bound}").format(bound=round(losses[0] / 10, 4)), hint)


@task("p23", _("make_optimizer：让模型的每一层都被训练"), "p23_nn_optim.py", "tudui.parameters()")
def p23_parameters(module):
    make_optimizer = given(module, "make_optimizer")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
    before = [p.detach().clone() for p in model.parameters()]
    train_with(make_optimizer, model, steps=3)
    still = [name for (name, p), old in zip(model.named_parameters(), before) if torch.equal(p.detach(), old)]
    if still:
        raise Wrong(_("没变的参数 {names}").format(names=still), _("全部都变"),
                    _("优化器要拿到整个模型的参数：model.parameters()"))


# ================================================================ P24 VGG16
@task("p24", _("for_cifar10(vgg)：把 VGG16 的最后一层改成 10 类"), "p24_model_pretrained.py", "classifier[6] = nn.Linear(4096, 10)")
def p24_ten_classes(module):
    from torchvision.models import vgg16
    for_cifar10 = given(module, "for_cifar10")
    with torch.device("meta"):               # the real structure, no memory and no time for 138M numbers
        model = vgg16(weights=None)
        model = for_cifar10(model) or model
        try:
            got = model(torch.empty(2, 3, 224, 224))
        except RuntimeError as error:
            raise Wrong(str(error).splitlines()[0][:120], [2, 10],
                        _("最后一层收到的是前一层的 4096 个数：nn.Linear(4096, 10)")) from None
    same_shape(got, [2, 10])
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) != 13:
        raise Wrong(_("{n} 个卷积层").format(n=len(convs)), _("13 个卷积层"), _("只改最后的分类层，前面的都留着"))


@task("p24", _("nn.Linear(4096, 10) 有多少个参数"), "p24_model_pretrained.py", "classifier[6] = nn.Linear(4096, 10)")
def p24_count(module):
    answer = given(module, "new_layer_parameters")
    wanted = sum(p.numel() for p in nn.Linear(4096, 10, device="meta").parameters())
    if answer != wanted:
        hint = _("还有 10 个偏置 bias") if answer == 40960 else _("权重 4096*10，加上偏置")
        raise Wrong(answer, wanted, hint)


# ================================================================ P25 save and load
@task("p25", _("save 和 load：读回来的模型输出一模一样"), "p25_model_load.py", "load_state_dict(")
def p25_round_trip(module):
    save, load, Tudui = given(module, "save"), given(module, "load"), given(module, "Tudui")
    torch.manual_seed(0)
    model = Tudui()
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        wanted = model(x)
    path = scratch_folder() / "tudui.pth"
    save(model, str(path))
    torch.manual_seed(1)                        # a fresh Tudui would now start from other numbers
    loaded = load(str(path))
    if not isinstance(loaded, nn.Module):
        raise Wrong(type(loaded).__name__, "nn.Module",
                    _("torch.load 读出的是参数字典：先建好 Tudui()，再 load_state_dict(...)"))
    with torch.no_grad():
        got = loaded(x)
    if not torch.allclose(got, wanted):
        raise Wrong(_("输出不同（差 {diff}）").format(diff=round(float((got - wanted).abs().max()), 4)),
                    _("输出相同"), _("只建了新模型，没有把保存的参数 load_state_dict 进去"))


@task("p25", _("load_small(path)：按文件里的参数建好模型再读入"), "p25_model_load.py", "load_state_dict(")
def p25_structure(module):
    load_small = given(module, "load_small")
    torch.manual_seed(0)
    saved = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    path = scratch_folder() / "small.pth"
    torch.save(saved.state_dict(), path)
    try:
        loaded = load_small(str(path))
    except RuntimeError as error:
        raise Wrong(str(error).splitlines()[-1].strip()[:100], _("读入成功"),
                    _("模型结构要和保存时一样：看报错里 size mismatch 的形状")) from None
    x = torch.randn(5, 4)
    with torch.no_grad():
        if not torch.allclose(loaded(x), saved(x)):
            raise Wrong(_("输出不同"), _("输出相同"))


# ================================================================ P26 training
@task("p26", _("right_count(outputs, targets)：一批里猜对几个"), "p26_train.py", "accuracy = (outputs.argmax(1) == targets).sum()")
def p26_accuracy(module):
    right_count = given(module, "right_count")
    outputs = torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.9, 0.1], [0.2, 0.8], [0.7, 0.6]])
    targets = torch.tensor([0, 1, 0, 1, 1])
    wanted = int((outputs.argmax(1) == targets).sum())
    hint = _("argmax(1) 是每一行（每张图）里分数最高的类别；argmax(0) 是每一列里比")
    try:
        got = number(right_count(outputs, targets))
    except RuntimeError as error:       # argmax(0) gives one number per class: its length does not fit targets
        raise Wrong(str(error).splitlines()[0][:120], wanted, hint) from None
    if got != wanted:
        raise Wrong(got, wanted, hint)


def noisy_model():
    """Dropout makes train mode random: only eval() gives the same answer twice."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.5), nn.Linear(16, 3))
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append((m.training, torch.is_grad_enabled())))
    return model, seen


@task("p26", _("evaluate(model, imgs)：测试时的两件事（eval 和 no_grad）"), "p26_train.py", "tudui.eval()")
def p26_evaluate(module):
    evaluate = given(module, "evaluate")
    model, seen = noisy_model()
    imgs = torch.randn(6, 4)
    model.train()
    got = evaluate(model, imgs)
    if not seen:
        raise Wrong(_("模型没有被调用"), _("model(imgs)"))
    training, grad = seen[-1]
    if training:
        raise Wrong("model.training = True", "False", _("测试前调用 model.eval()：Dropout、BatchNorm 换成测试时的做法"))
    if grad:
        raise Wrong("torch.is_grad_enabled() = True", "False", _("测试时放在 with torch.no_grad(): 里，不建计算图"))
    model.eval()
    with torch.no_grad():
        wanted = model(imgs)
    if not isinstance(got, torch.Tensor) or not torch.allclose(got, wanted):
        raise Wrong(shape(got), list(wanted.shape))


@task("p26", _("train_steps：修好这个训练循环（loss 应该一路往下走）"), "p26_train.py", "optimizer.zero_grad()")
def p26_zero_grad(module):
    train_steps = given(module, "train_steps")
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    start = [p.detach().clone() for p in model.parameters()]
    x, y = regression()
    train_steps(model, torch.optim.SGD(model.parameters(), lr=0.05), x, y, 20)
    torch.manual_seed(0)
    reference = nn.Linear(1, 1)
    with torch.no_grad():
        for p, value in zip(reference.parameters(), start):
            p.copy_(value)
    train_with(lambda m: torch.optim.SGD(m.parameters(), lr=0.05), reference, steps=20)
    gap = max(float((a - b).abs().max()) for a, b in zip(model.parameters(), reference.parameters()))
    if gap > 1e-5:
        raise Wrong(_("参数和正确的循环差 {gap}").format(gap=round(gap, 4)), _("参数一样"),
                    _("梯度会累加：每一步 backward() 之前先 optimizer.zero_grad()"))


# ================================================================ P31 prediction
@task("p31", _("prepare(image)：任意一张图片 -> [1, 3, 32, 32]"), "p31_predict.py", "image = image.convert('RGB')")
def p31_prepare(module):
    from torchvision import transforms
    prepare = given(module, "prepare")
    for mode in ("RGBA", "L", "RGB"):
        image = picture(50, 40, mode)
        got = prepare(image)
        hint = _("PNG 带透明通道有 4 个通道，灰度图只有 1 个：先 image.convert('RGB')") \
            if shape(got)[:2] in ([1, 4], [1, 1], [4], [1]) or (shape(got) and shape(got)[0] in (1, 4)) else None
        same_shape(got, [1, 3, 32, 32], hint)
        wanted = transforms.ToTensor()(transforms.Resize((32, 32))(image.convert("RGB"))).reshape(1, 3, 32, 32)
        if (got - wanted).abs().mean() > 0.05:
            raise Wrong(_("平均差 {d}").format(d=round(float((got - wanted).abs().mean()), 3)), "< 0.05",
                        _("Resize((32, 32)) 再 ToTensor()，取值在 0 到 1"))


@task("p31", _("predict(model, image)：返回类别序号（一个整数）"), "p31_predict.py", "print(output.argmax(1))")
def p31_predict(module):
    predict = given(module, "predict")
    model, seen = noisy_model()
    image = torch.randn(1, 4)
    model.train()
    answers = [predict(model, image) for _try in range(3)]
    learner_training = bool(seen) and seen[-1][0]       # before the checker's own call below
    model.eval()
    with torch.no_grad():
        wanted = int(model(image).argmax(1))
    try:
        got = [int(a) for a in answers]
    except (TypeError, ValueError, RuntimeError):
        raise Wrong([shape(a) if isinstance(a, torch.Tensor) else a for a in answers][0], wanted,
                    _("output 的形状是 [1, 10]：argmax(1) 在每一行里找最大，.item() 变成整数")) from None
    if learner_training:
        raise Wrong("model.training = True", "False", _("预测前调用 model.eval()"))
    if got != [wanted] * 3:
        raise Wrong(got, [wanted] * 3, _("argmax(1)：每一行里分数最高的那个"))


# ================================================================ running one file in a child
class time_limit:
    """Interrupt the main thread (KeyboardInterrupt) when the block runs past `seconds`:
    it ends an endless loop in the learner's code, and the traceback says where."""

    def __init__(self, seconds):
        self.seconds, self.lock, self.over = seconds, threading.Lock(), False

    def _ring(self):
        with self.lock:
            if not self.over:
                self.over = True
                _thread.interrupt_main()

    def __enter__(self):
        self.timer = threading.Timer(self.seconds, self._ring)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *exc):
        with self.lock:
            rang, self.over = self.over, True
        self.timer.cancel()
        return False if not rang else None


def task_lines(source):
    """[(line, task number)] of the `# ---- 任务 N` headers."""
    return [(i, int(m.group(1))) for i, line in enumerate(source.splitlines(), 1) if (m := HEADER.match(line))]


def task_at(headers, line):
    found = None
    for start, number in headers:
        if line is not None and start <= line:
            found = number
    return found


def learner_line(error, path):
    """The last line of the learner's file in the error's traceback (None when it is not there)."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if os.path.abspath(frame.filename) == os.path.abspath(path)]
    return lines[-1] if lines else None


def describe(error):
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:120]}" if text else type(error).__name__


def run_file(path, section, language, limit, connection):
    """In the child: run the learner's file, then every task of its section; send each result to the parent."""
    i18n.set_language(language)
    SCRATCH[:] = [tempfile.mkdtemp(prefix="exercise_check_")]
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")           # PyTorch's warnings about the learner's tensors: the result says it
    send = connection.send
    try:
        source = Path(path).read_text(encoding="utf-8")
        headers = task_lines(source)
        try:
            code = compile(source, path, "exec")
        except SyntaxError as error:
            send(("file", {"line": error.lineno, "task": task_at(headers, error.lineno),
                           "why": _("语法错误：{what}").format(what=error.msg)}))
            return
        module = types.ModuleType(f"exercise_{section}")
        module.__file__ = path
        sys.modules[module.__name__] = module          # so torch.save(model) can pickle the learner's classes
        torch.manual_seed(0)
        try:
            with time_limit(limit):
                exec(code, module.__dict__)
        except KeyboardInterrupt as error:
            line = learner_line(error, path)
            send(("file", {"line": line, "task": task_at(headers, line),
                           "why": _("运行超过 {seconds} 秒（死循环？）").format(seconds=f"{limit:g}")}))
            return
        except BaseException as error:          # SystemExit too: the checker goes on and says so
            line = learner_line(error, path)
            send(("file", {"line": line, "task": task_at(headers, line), "why": describe(error)}))
            return
        for one in TASKS[section]:
            send(("start", {"task": one.number}))
            send(("result", judge(one, module, path, limit)))
    except BaseException as error:               # never a traceback: the parent shows one line
        send(("file", {"line": None, "task": None, "why": describe(error)}))
    finally:
        shutil.rmtree(SCRATCH[0], ignore_errors=True)
        send(("done", {}))
        connection.close()


def judge(one, module, path, limit):
    result = {"task": one.number, "status": "right", "got": None, "wanted": None, "hint": None, "line": None}
    try:
        with time_limit(limit):
            one.check(module)
    except NotDone as missing:
        result.update(status="todo", got=str(missing))
    except Wrong as wrong:
        result.update(status="wrong", got=str(wrong.got), wanted=str(wrong.wanted), hint=wrong.hint)
    except KeyboardInterrupt as error:
        result.update(status="timeout", line=learner_line(error, path), got=f"{limit:g}")
    except Exception as error:
        result.update(status="error", line=learner_line(error, path), got=describe(error))
    return result
