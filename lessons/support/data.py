"""CIFAR10 数据：让课程里那一行 torchvision.datasets.CIFAR10(...) 在任何机器上都能运行。

A lesson writes, as the video does:

    data_root = data.cifar10_ready(args)     # ours: the one line of preparation
    test_data = torchvision.datasets.CIFAR10(root=data_root, train=False,
                                             transform=torchvision.transforms.ToTensor(), download=True)

`cifar10_ready(args)` makes that call work and returns the folder to give it:

- the real data already under data/ (or --data-root): nothing to do, it is checked;
- a hand-placed archive: checked by its md5 and unpacked;
- not there: downloaded with a progress bar, resumable (HTTP Range), from
  the official address or a mirror (--cifar-url, CIFAR10_URL);
- no network (or --tiny): for this run, `torchvision.datasets.CIFAR10` is
  the project's tiny stand-in `TinyCIFAR10`, a subclass with the same
  signature and the same `.data` / `.targets` / `.classes`, made on the
  spot. It is NOT CIFAR10 and the run says so. This is the one place where
  the call the learner reads is served by a substitute: without the data,
  torchvision's own class has nothing to read.
"""
import contextlib
import http.client
import os
import pickle
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import torch
import torchvision

from support.files import DATA_ROOT, LessonError, shown, why_not_written
from support.i18n import _

CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")

# The official archive, as torchvision knows it. A mirror serving the same
# file can stand in for it (--cifar-url, or the CIFAR10_URL environment
# variable): the md5 decides whether what arrived is the real thing.
ARCHIVE_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE_NAME = "cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
ARCHIVE_BYTES = 170_498_071
BATCH_FOLDER = "cifar-10-batches-py"
# Seconds without an answer before a download gives up.
NETWORK_TIMEOUT = 10
# Seconds of downloading after which a slow download says how to do without it.
SLOW_CHECK_AFTER = 15
SLOW_LIMIT = 300

# torchvision's own class, whatever this module later puts in its place
REAL_CIFAR10 = torchvision.datasets.CIFAR10


class DownloadFailed(Exception):
    """The network could not deliver the file; the caller falls back to the stand-in."""


# data roots whose download already failed in this run: tried (and said) once
_failed_roots = set()


def cifar10_ready(args):
    """Make `torchvision.datasets.CIFAR10(root=..., download=True)` work for this
    run (`--data-root`, `--tiny`, `--cifar-url`) and return the root to give it."""
    if getattr(args, "tiny", False):
        use_standin()
        print(_("数据：项目自己生成的小替代集（--tiny，不是 CIFAR10；去掉 --tiny 就用真正的数据）"))
        return str(DATA_ROOT)
    root = data_root(args.data_root)
    if root in _failed_roots:
        use_standin()
        print(_("数据：小替代集（CIFAR10 拿不到，见上面）"))
        return str(root)
    try:
        prepare_real(root, url=archive_url(args))
    except DownloadFailed as reason:
        _failed_roots.add(root)
        use_standin()
        print(_("提示：{root} 里没有 CIFAR10，也没能下载（{reason}）；这次改用项目生成的小替代集"
                "（不是 CIFAR10）。要用真正的数据：把 {url} 的 {name}（{size:,} 字节，md5 {md5}）放进 {root} "
                "再运行，或者用 --cifar-url URL（或环境变量 CIFAR10_URL）指定镜像。").format(
            root=shown(root), reason=reason, url=ARCHIVE_URL, name=ARCHIVE_NAME, size=ARCHIVE_BYTES, md5=ARCHIVE_MD5))
        return str(root)
    torchvision.datasets.CIFAR10 = REAL_CIFAR10
    print(_("数据：CIFAR10，来自 {folder}").format(folder=shown(root / BATCH_FOLDER)))
    return str(root)


def use_standin():
    """For the rest of this run, torchvision.datasets.CIFAR10 is the tiny stand-in."""
    torchvision.datasets.CIFAR10 = TinyCIFAR10


def is_standin(dataset):
    return isinstance(dataset, TinyCIFAR10)


def data_root(path):
    """--data-root, checked: the default data/ is made when missing, a folder
    the learner named must exist."""
    root = Path(path).expanduser().resolve()
    if root == DATA_ROOT.resolve():
        root.mkdir(parents=True, exist_ok=True)
    if root.is_file():
        raise LessonError(_("--data-root {root} 是一个文件，不是文件夹：给出放（或将要放）"
                            "cifar-10-batches-py 的文件夹").format(root=shown(root)))
    if not root.is_dir():
        raise LessonError(_("--data-root {root} 不存在：先创建它，或者去掉 --data-root，用 {default}").format(
            root=shown(root), default=shown(DATA_ROOT)))
    return root


def archive_url(args):
    """--cifar-url, else $CIFAR10_URL, else the official address."""
    return getattr(args, "cifar_url", None) or os.environ.get("CIFAR10_URL") or ARCHIVE_URL


def prepare_real(root, url=ARCHIVE_URL):
    """The real CIFAR10 under `root`, checked: already unpacked, unpacked from a
    hand-placed archive, or downloaded first. Raises DownloadFailed when the
    network fails and LessonError for anything on disk the learner must fix."""
    root = Path(root)
    folder = root / BATCH_FOLDER
    if folder.exists() and not folder.is_dir():
        raise LessonError(_("{folder} 是一个文件，而那里应该是 CIFAR10 的文件夹：把它移走再运行").format(
            folder=shown(folder)))
    if not folder.is_dir():
        archive = root / ARCHIVE_NAME
        _check_writable(root, _("CIFAR10 要解压到那里") if archive.is_file() else _("CIFAR10 要下载到那里"))
        if not archive.is_file():
            download_archive(root, url)
        unpack_archive(archive, root)
    damage = describe_damage(root)
    if damage:
        raise LessonError(damage)


def real_cifar10(root, train, transform=None, target_transform=None, url=ARCHIVE_URL):
    """torchvision's own CIFAR10 from `root`, prepared as above (for the benchmark)."""
    prepare_real(Path(root), url)
    return REAL_CIFAR10(str(root), train=train, transform=transform, target_transform=target_transform)


def describe_damage(root):
    """One line naming the first missing or damaged file under cifar-10-batches-py, and the fix; None when all is well."""
    from torchvision.datasets import cifar as tv_cifar    # the same check torchvision's CIFAR10 makes

    folder = Path(root) / BATCH_FOLDER
    expected = REAL_CIFAR10.train_list + REAL_CIFAR10.test_list + [[REAL_CIFAR10.meta["filename"],
                                                                    REAL_CIFAR10.meta["md5"]]]
    fix = _("删掉文件夹 {folder} 再运行：{root} 里有 {name} 就会重新解压，没有就下载").format(
        folder=shown(folder), root=shown(root), name=ARCHIVE_NAME)
    for name, md5 in expected:
        path = folder / name
        if not path.is_file():
            return _("{path} 不见了（解压被打断了？）：{fix}").format(path=shown(path), fix=fix)
        if not tv_cifar.check_integrity(str(path), md5):
            return _("{path} 损坏或不完整（{size:,} 字节，md5 和 CIFAR10 的 {md5} 不同）：{fix}").format(
                path=shown(path), size=path.stat().st_size, md5=md5, fix=fix)
    return None


def _check_writable(root, why):
    try:
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise LessonError(_("不能往 {root} 写文件（{detail}），而{why}：用 --data-root 换一个能写的文件夹").format(
            root=shown(root), detail=error.strerror, why=why)) from None


# ---------------------------------------------------------------- the network
def network_reason(error):
    """A short reason for a failed download: 'Connection reset by peer', not a repr."""
    error = getattr(error, "reason", error)          # URLError wraps the real cause
    if isinstance(error, socket.timeout):
        return _("{seconds} 秒内没有回应").format(seconds=NETWORK_TIMEOUT)
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def unreachable(url, seconds=NETWORK_TIMEOUT):
    """None when `url`'s host can be looked up within `seconds`, else why not.

    urlopen's timeout does not cover the name lookup, which on a machine with
    a dead network can hang for minutes; this bounds it. With a proxy set,
    the proxy does the lookup, so there is nothing to check here.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if urllib.request.getproxies().get(parts.scheme):
        return None
    outcome = {}

    def look_up():
        try:
            socket.getaddrinfo(host, 443)
        except OSError as error:
            outcome["error"] = error

    # a daemon thread: if the lookup hangs, it must not keep Python from exiting
    lookup = threading.Thread(target=look_up, daemon=True)
    lookup.start()
    lookup.join(seconds)
    if lookup.is_alive():
        return _("{seconds} 秒内没能查到 {host} 的地址：没有网络？").format(seconds=seconds, host=host)
    if "error" in outcome:
        return _("查不到 {host} 的地址：{detail}；没有网络？").format(
            host=host, detail=outcome["error"].strerror or outcome["error"])
    return None


def download_archive(root, url=ARCHIVE_URL):
    """Fetch the CIFAR10 archive into `root`, with a progress bar (speed, time left).

    Bytes go to a `.part` file. A download that breaks off keeps it, and the
    next run asks the server for the rest only (HTTP Range). The `.part`
    becomes the archive only once it is whole and its md5 is CIFAR10's; one
    that is whole but wrong is deleted.
    """
    from tqdm import tqdm

    target = root / ARCHIVE_NAME
    partial = target.with_name(target.name + ".part")
    offline = unreachable(url)
    if offline:
        raise DownloadFailed(offline)
    have = partial.stat().st_size if partial.is_file() else 0
    headers = {"User-Agent": "pytorch/vision"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=NETWORK_TIMEOUT)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:       # nothing left to send: the .part is already whole
            return _finish(partial, target, have)
        raise DownloadFailed(_("服务器对 {url} 的回答是 {code} {reason}").format(
            url=url, code=error.code, reason=error.reason)) from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DownloadFailed(_("下载失败：{why}").format(why=network_reason(error))) from None
    with response:
        resumed = have > 0 and getattr(response, "status", 200) == 206
        if not resumed:
            have = 0                         # a server that ignores Range sends the whole file again
        total = have + response.length if response.length is not None else None
        if resumed:
            print(_("继续下载 {url}：{path} 里已经有 {have:.1f} MB，还剩 {left:.1f} MB").format(
                url=url, path=shown(partial), have=have / 1e6, left=response.length / 1e6))
        else:
            print(_("下载 {url}（{size:.0f} MB）到 {root}").format(
                url=url, size=(total or ARCHIVE_BYTES) / 1e6, root=shown(root)))
        try:
            out = open(partial, "ab" if resumed else "wb")
        except OSError as error:
            raise LessonError(_("不能写入 {path}：{why}").format(
                path=shown(partial), why=why_not_written(error, root))) from None
        started, said_slow = time.monotonic(), False
        with out, tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=ARCHIVE_NAME, disable=None) as bar:
            while True:
                try:
                    chunk = response.read(1 << 16)
                except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                    out.flush()
                    raise DownloadFailed(_("下载在 {size:,} 字节处断了（{why}）；再运行一次会从那里接着下载").format(
                        size=partial.stat().st_size, why=network_reason(error))) from None
                if not chunk:
                    break
                try:
                    out.write(chunk)
                except OSError as error:
                    out.close()
                    partial.unlink(missing_ok=True)
                    raise LessonError(_("没能写入 {path}：{why}").format(
                        path=shown(partial), why=why_not_written(error, root))) from None
                bar.update(len(chunk))
                elapsed = time.monotonic() - started
                if not said_slow and total and elapsed > SLOW_CHECK_AFTER:
                    rate = (bar.n - have) / elapsed
                    if rate <= 0 or (total - bar.n) / rate > SLOW_LIMIT:
                        said_slow = True
                        tqdm.write(_("下载很慢：照这个速度还要大约 {minutes:.0f} 分钟。按 Ctrl-C 会保留已经下载的部分，"
                                     "下次运行接着下载；或者用别的方式下载 {url} 放进 {root}；"
                                     "或者用 --cifar-url URL（或 CIFAR10_URL）换一个更快的镜像").format(
                            minutes=(total - bar.n) / max(rate, 1) / 60, url=ARCHIVE_URL, root=shown(root)))
    size = partial.stat().st_size
    if total is not None and size < total:
        raise DownloadFailed(_("下载停在了 {size:,} / {total:,} 字节；再运行一次会从那里接着下载").format(
            size=size, total=total))
    _finish(partial, target, size)


def _finish(partial, target, size):
    """The whole .part: CIFAR10's md5 makes it the archive; anything else is deleted."""
    from torchvision.datasets import utils as tv_utils

    if not tv_utils.check_integrity(str(partial), ARCHIVE_MD5):
        partial.unlink(missing_ok=True)
        raise DownloadFailed(_("下载到的文件（{size:,} 字节）不是 CIFAR10 的压缩包（md5 和 {md5} 不同），已经删掉").format(
            size=size, md5=ARCHIVE_MD5))
    os.replace(partial, target)


def unpack_archive(archive, root):
    """Unpack into a scratch folder, then move the result into place in one
    rename: an unpacking cut short never leaves a half-filled cifar-10-batches-py."""
    from torchvision.datasets import utils as tv_utils

    if not tv_utils.check_integrity(str(archive), ARCHIVE_MD5):
        raise LessonError(_("{path} 损坏或不完整（{size:,} 字节；应该是 {expected:,} 字节，md5 {md5}）："
                            "删掉它再运行就会重新下载，或者把 {url} 的完好文件放在那里").format(
            path=shown(archive), size=archive.stat().st_size, expected=ARCHIVE_BYTES, md5=ARCHIVE_MD5,
            url=ARCHIVE_URL))
    print(_("正在解压 {path} ...").format(path=shown(archive)))
    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root))
    try:
        tv_utils.extract_archive(str(archive), str(scratch))
        os.replace(scratch / BATCH_FOLDER, root / BATCH_FOLDER)
    except OSError as error:
        raise LessonError(_("没能把 {path} 解压到 {root}：{why}；没有留下解压了一半的文件").format(
            path=shown(archive), root=shown(root), why=why_not_written(error, root))) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- pretrained weights (P24)
def weights_file(weights):
    """Where torch.hub keeps the downloaded file of `weights` (e.g. VGG16_Weights.IMAGENET1K_V1)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name


@contextlib.contextmanager
def pretrained_download(weights):
    """Around `torchvision.models.vgg16(weights=...)`: offline, say at once where to put the file
    by hand; a failed download or a damaged file is one line. (torch.hub downloads into a
    temporary file and renames it only when whole.)"""
    target, url = weights_file(weights), weights.url
    place_by_hand = _("没能下载 VGG16 的 ImageNet 预训练权重（{reason}）：手动下载 {url}（约 553 MB），"
                      "存为 {path} 再运行；或者去掉 --pretrained，用随机参数")
    if not target.is_file():
        offline = unreachable(url)
        if offline:
            raise LessonError(place_by_hand.format(reason=offline, url=url, path=target))
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(NETWORK_TIMEOUT)       # a dead network gives up within seconds, not minutes
    try:
        yield
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout) as error:
        raise LessonError(place_by_hand.format(reason=network_reason(error), url=url, path=target)) from None
    except (RuntimeError, pickle.UnpicklingError, EOFError, KeyError):
        if not target.is_file():
            raise
        raise LessonError(_("{path} 损坏或不完整（{size:,} 字节，完整的文件约 553 MB）：删掉它再运行就会重新下载，"
                            "或者换成 {url} 的完好副本").format(
            path=target, size=target.stat().st_size, url=url)) from None
    finally:
        socket.setdefaulttimeout(previous_timeout)


# ---------------------------------------------------------------- tensors
# CIFAR10's average colour and spread per channel (red, green, blue), over
# its training images, as transforms.Normalize takes them.
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def as_tensors(dataset, device="cpu", normalize=False):
    """The whole split as two tensors, made once: images [N,3,32,32] and labels [N].

    The images are what ToTensor gives, in [0,1], laid out channels_last;
    with `normalize`, what Normalize(MEAN, STD) then gives: each channel
    centred on 0 with spread 1. Converting 10,000 PIL images one by one
    costs more than training on them; this costs a fraction of a second.
    """
    pixels = torch.from_numpy(np.asarray(dataset.data)).to(device)       # [N,32,32,3] uint8
    # NHWC in memory seen as NCHW is exactly the channels_last layout.
    images = pixels.permute(0, 3, 1, 2).float().div_(255)
    if normalize:
        images.sub_(torch.tensor(MEAN, device=device).view(1, 3, 1, 1))
        images.div_(torch.tensor(STD, device=device).view(1, 3, 1, 1))
    labels = torch.as_tensor(dataset.targets, dtype=torch.long, device=device)
    return images, labels


# ---------------------------------------------------------------- the tiny stand-in
TINY_IMAGES_PER_CLASS = {"train": 20, "test": 10}
# CIFAR10_STANDIN_SIZE=50000,10000 makes the stand-in as large as CIFAR10 (train, test):
# for measuring speed where the real data cannot be had (bench/gpu_check.sh)
STANDIN_SIZE_VARIABLE = "CIFAR10_STANDIN_SIZE"


def images_per_class(split):
    sizes = os.environ.get(STANDIN_SIZE_VARIABLE, "")
    try:
        train, test = (int(n) for n in sizes.split(","))
        return max(1, (train if split == "train" else test) // len(CLASSES))
    except ValueError:
        return TINY_IMAGES_PER_CLASS[split]

# One colour per class, far enough apart that colour alone tells them apart.
_PALETTE = np.array([
    [230, 60, 50], [240, 150, 40], [235, 225, 60], [120, 210, 70], [50, 170, 120],
    [60, 200, 220], [60, 110, 230], [140, 80, 220], [220, 90, 200], [235, 235, 235],
], dtype=np.float32)


# Where each class's pattern is drawn (a boolean 32x32 array), from the pixel grid (yy, xx), the
# picture's shift and its centre's offsets (dy, dx) and squared distance r2. Only the picture's own
# pattern is computed.
_PATTERNS = (
    lambda yy, xx, shift, dy, dx, r2: ((yy + shift) // 4) % 2 == 0,                        # horizontal stripes
    lambda yy, xx, shift, dy, dx, r2: ((xx + shift) // 4) % 2 == 0,                        # vertical stripes
    lambda yy, xx, shift, dy, dx, r2: ((xx + yy + shift) // 4) % 2 == 0,                   # diagonal stripes
    lambda yy, xx, shift, dy, dx, r2: ((yy + shift) // 8 + (xx + shift) // 8) % 2 == 0,    # checkerboard
    lambda yy, xx, shift, dy, dx, r2: r2 < 64,                                             # disk
    lambda yy, xx, shift, dy, dx, r2: (r2 > 30) & (r2 < 90),                               # ring
    lambda yy, xx, shift, dy, dx, r2: (abs(dy) < 3) | (abs(dx) < 3),                       # cross
    lambda yy, xx, shift, dy, dx, r2: np.maximum(abs(dy), abs(dx)) // 3 == 3,              # square outline
    lambda yy, xx, shift, dy, dx, r2: (dx < dy) & (abs(dy) < 10) & (abs(dx) < 10),         # triangle
    lambda yy, xx, shift, dy, dx, r2: ((yy + shift) % 8 < 3) & ((xx + shift) % 8 < 3),     # dots
)


def _class_mask(label, yy, xx, shift, cy, cx):
    """Where class `label`'s pattern is drawn, as a boolean 32x32 array."""
    dy, dx = yy - cy, xx - cx
    return _PATTERNS[label](yy, xx, shift, dy, dx, dy ** 2 + dx ** 2)


_made = {}          # (train, seed, pictures per class): what make_tiny_images made in this process


def make_tiny_images(train, seed=0):
    """Deterministic pictures and labels: uint8 [N,32,32,3] and a list of ints.
    The same arguments give the same pictures (made once per process; each call gets its own copy)."""
    split = "train" if train else "test"
    key = (bool(train), seed, images_per_class(split))
    if key not in _made:
        _made[key] = _draw_tiny_images(*key)
    images, labels = _made[key]
    return images.copy(), list(labels)


def _draw_tiny_images(train, seed, per_class):
    rng = np.random.default_rng([seed, 1 if train else 2])
    yy, xx = np.mgrid[0:32, 0:32]
    pictures = np.empty((len(CLASSES) * per_class, 32, 32, 3))
    labels = []
    for label in range(len(CLASSES)):
        for _unused in range(per_class):
            shift = rng.integers(0, 8)
            cy, cx = rng.integers(12, 21, size=2)
            mask = _class_mask(label, yy, xx, shift, cy, cx)[..., None]
            background = rng.uniform(20, 90, size=3).astype(np.float32)
            colour = _PALETTE[label] * rng.uniform(0.8, 1.0)
            pictures[len(labels)] = np.where(mask, colour, background) + rng.normal(0, 12, size=(32, 32, 3))
            labels.append(label)
    order = rng.permutation(len(labels))
    images = np.clip(pictures, 0, 255).astype(np.uint8)[order]
    images.flags.writeable = False          # kept for the process: callers get copies
    return images, tuple(labels[i] for i in order)


class TinyCIFAR10(REAL_CIFAR10):
    """The tiny stand-in: torchvision's CIFAR10 class, with pictures made here.

    Same signature as torchvision.datasets.CIFAR10 (root, train, transform,
    target_transform, download) and the same `.data` (uint8 [N,32,32,3]),
    `.targets`, `.classes`; items are (transform(PIL image), label), by
    torchvision's own __getitem__. Nothing is read or downloaded: each class
    is a simple coloured pattern (stripes, a disk, a cross...) that a
    network learns in a few steps. Tests always use it.
    """

    def __init__(self, root=str(DATA_ROOT), train=True, transform=None, target_transform=None, download=False,
                 seed=0):
        torchvision.datasets.VisionDataset.__init__(self, root, transform=transform,
                                                    target_transform=target_transform)
        self.train = train
        self.data, self.targets = make_tiny_images(train, seed)
        self.classes = list(CLASSES)
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __repr__(self):
        return _("TinyCIFAR10（项目生成的小替代集，不是 CIFAR10）：{split}，{n} 张").format(
            split="train" if self.train else "test", n=len(self))


# ---------------------------------------------------------------- P14: what each DataLoader setting does
def say_loader_settings(loader):
    """P14: every DataLoader setting the learners' notes name, what it does, and its value in `loader`
    (read back from the DataLoader itself). Returns {setting: value}."""
    shuffled = isinstance(loader.sampler, torch.utils.data.RandomSampler)   # shuffle=True made a RandomSampler
    values = {"batch_size": loader.batch_size, "shuffle": shuffled, "num_workers": loader.num_workers,
              "drop_last": loader.drop_last, "sampler": type(loader.sampler).__name__,
              "batch_sampler": type(loader.batch_sampler).__name__,
              "collate_fn": getattr(loader.collate_fn, "__name__", type(loader.collate_fn).__name__),
              "pin_memory": loader.pin_memory, "timeout": loader.timeout}
    print(_("DataLoader 的设置：视频写了 batch_size=64、shuffle=True、num_workers=0、drop_last=True，其余用默认值；"
            "这次的值（从 test_loader 读出来的）："))
    print(_("  batch_size={batch_size}：每批取几张（默认 1）").format(**values))
    print(_("  shuffle={shuffle}：每一轮开始前打乱顺序（默认 False）").format(**values))
    print(_("  num_workers={num_workers}：用几个子进程读数据，0 是主进程自己读（默认 0）").format(**values))
    print(_("  drop_last={drop_last}：丢掉最后凑不满 batch_size 的那一批（默认 False）").format(**values))
    print(_("  sampler：按什么顺序取图片的序号；不给时 shuffle=True 用 RandomSampler，否则 SequentialSampler，"
            "这次是 {sampler}（给了 sampler 就不能再给 shuffle）").format(**values))
    print(_("  batch_sampler：把序号分成一批一批；不给时用 batch_size 和 drop_last 建一个，这次是 {batch_sampler}"
            "（给了它就不能再给 batch_size、shuffle、sampler、drop_last）").format(**values))
    print(_("  collate_fn：把一批里的样本拼在一起；不给时是 {collate_fn}：图片叠成 [batch_size, 3, 32, 32]，"
            "标签叠成 [batch_size]").format(**values))
    print(_("  pin_memory={pin_memory}：把每批放进锁页内存，往 CUDA 显卡上复制更快；没有显卡时没有用（默认 False）").format(
        **values))
    print(_("  timeout={timeout}：等子进程交出一批最多等几秒，0 是一直等；只在 num_workers > 0 时有用（默认 0）").format(
        **values))
    return values
