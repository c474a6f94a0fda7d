"""Getting CIFAR10 for the lessons: find it, download it, or stand in for it.

`cifar10(train, args)` is the one call a lesson makes. It returns
torchvision's own `CIFAR10` dataset when the real data is under `data/`
(or `--data-root`), downloads it when it is not, and falls back to the
tiny stand-in set, with a one-line notice, when the download cannot be had.

The tiny set is made here, on the spot, with no download: ten classes named
like CIFAR10's, 32x32 RGB pictures, the same `.data` / `.targets` /
`.classes` layout as torchvision's CIFAR10. It is NOT CIFAR10: each class is a
simple coloured pattern (stripes, a disk, a cross...) so that a network
learns it in a few steps. Tests always use it.
"""
import http.client
import os
import pickle
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from common import DATA_ROOT, NETWORK_TIMEOUT, LessonError, network_reason, shown, unreachable, why_not_written

CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck")

# The official archive, as torchvision knows it. A mirror serving the same
# file can stand in for it (--cifar-url, or the CIFAR10_URL environment
# variable): the md5 decides whether what arrived is the real thing.
ARCHIVE_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# Seconds of downloading after which a slow download says how to do without it.
SLOW_CHECK_AFTER = 15
SLOW_LIMIT = 300
ARCHIVE_NAME = "cifar-10-python.tar.gz"
ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
ARCHIVE_BYTES = 170_498_071
BATCH_FOLDER = "cifar-10-batches-py"


class DownloadFailed(Exception):
    """The network could not deliver the file; the caller may fall back."""


# data roots whose download already failed in this run: tried (and said) once
_failed_roots = set()


_TO_TENSOR = object()   # "no transform given": ToTensor, as in the video


def cifar10(train, args, transform=_TO_TENSOR, target_transform=None):
    """The CIFAR10 split a lesson asked for (`--data-root`, `--tiny`).

    `transform` defaults to `ToTensor()`, as in the video; None gives PIL pictures.
    """
    if transform is _TO_TENSOR:
        import torchvision.transforms as T
        transform = T.ToTensor()
    split = "train" if train else "test"
    if args.tiny:
        dataset = TinyCIFAR10(train=train, transform=transform, target_transform=target_transform)
        print(f"Data: tiny stand-in set, {split} split, {len(dataset)} images "
              "(made by the project, NOT CIFAR10; drop --tiny to use the real data)")
        return dataset
    root = data_root(args.data_root)
    if root in _failed_roots:
        dataset = TinyCIFAR10(train=train, transform=transform, target_transform=target_transform)
        print(f"Data: tiny stand-in set, {split} split, {len(dataset)} images (CIFAR10 unavailable, see above)")
        return dataset
    try:
        dataset = real_cifar10(root, train, transform, target_transform, url=archive_url(args))
    except DownloadFailed as reason:
        _failed_roots.add(root)
        print(f"Notice: CIFAR10 is not under {shown(root)} and could not be downloaded "
              f"({reason}); using the tiny stand-in set instead (NOT CIFAR10). To get the real data, "
              f"place {ARCHIVE_NAME} ({ARCHIVE_BYTES:,} bytes, md5 {ARCHIVE_MD5}) from {ARCHIVE_URL} "
              f"in {shown(root)} and run again, or name a mirror with --cifar-url URL (or CIFAR10_URL).")
        dataset = TinyCIFAR10(train=train, transform=transform, target_transform=target_transform)
        print(f"Data: tiny stand-in set, {split} split, {len(dataset)} images")
        return dataset
    print(f"Data: CIFAR10 {split} split, {len(dataset)} images from {shown(root / BATCH_FOLDER)}")
    return dataset


def data_root(path):
    """--data-root, checked: the default data/ is made when missing, a folder
    the learner named must exist."""
    root = Path(path).expanduser().resolve()
    if root == DATA_ROOT.resolve():
        root.mkdir(parents=True, exist_ok=True)
    if root.is_file():
        raise LessonError(f"--data-root {shown(root)} is a file, not a folder: "
                          "give the folder that holds (or will hold) cifar-10-batches-py")
    if not root.is_dir():
        raise LessonError(f"--data-root {shown(root)} does not exist: create it first, "
                          f"or leave out --data-root to use {shown(DATA_ROOT)}")
    return root


def archive_url(args):
    """--cifar-url, else $CIFAR10_URL, else the official address."""
    return getattr(args, "cifar_url", None) or os.environ.get("CIFAR10_URL") or ARCHIVE_URL


def real_cifar10(root, train, transform, target_transform=None, url=ARCHIVE_URL):
    """torchvision's CIFAR10 from `root`: extracted, unpacked from a hand-placed
    archive, or downloaded. Raises DownloadFailed when the network fails and
    LessonError for anything on disk the learner must fix."""
    from torchvision.datasets import CIFAR10

    folder = root / BATCH_FOLDER
    if folder.exists() and not folder.is_dir():
        raise LessonError(f"{shown(folder)} is a file, where CIFAR10's folder belongs: move it away and run again")
    if not folder.is_dir():
        archive = root / ARCHIVE_NAME
        _check_writable(root, "CIFAR10 is unpacked there" if archive.is_file() else "CIFAR10 is downloaded there")
        if not archive.is_file():
            download_archive(root, url)
        unpack_archive(archive, root)
    try:
        return CIFAR10(str(root), train=train, transform=transform, target_transform=target_transform,
                       download=False)
    except (RuntimeError, pickle.UnpicklingError, EOFError, ValueError):
        raise LessonError(describe_damage(root)) from None


def describe_damage(root):
    """One line naming the first missing or damaged file under cifar-10-batches-py, and the fix."""
    from torchvision.datasets import CIFAR10
    from torchvision.datasets import cifar as tv_cifar

    folder = root / BATCH_FOLDER
    expected = CIFAR10.train_list + CIFAR10.test_list + [[CIFAR10.meta["filename"], CIFAR10.meta["md5"]]]
    fix = (f"delete the folder {shown(folder)} and run again: the lesson then unpacks "
           f"{ARCHIVE_NAME} if it is in {shown(root)}, or downloads it")
    for name, md5 in expected:
        path = folder / name
        if not path.is_file():
            return f"{shown(path)} is missing (an unpacking cut short?): {fix}"
        if not tv_cifar.check_integrity(str(path), md5):
            return (f"{shown(path)} is damaged or incomplete ({path.stat().st_size:,} bytes, "
                    f"md5 differs from CIFAR10's {md5}): {fix}")
    return f"{shown(folder)} could not be read as CIFAR10: {fix}"


def _check_writable(root, why):
    try:
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise LessonError(f"cannot write to {shown(root)} ({error.strerror}), and {why}: "
                          "choose a folder you can write to with --data-root") from None


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
        raise DownloadFailed(f"the server answered {error.code} {error.reason} for {url}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DownloadFailed(f"download failed: {network_reason(error)}") from None
    with response:
        resumed = have > 0 and getattr(response, "status", 200) == 206
        if not resumed:
            have = 0                         # a server that ignores Range sends the whole file again
        total = have + response.length if response.length is not None else None
        if resumed:
            print(f"Resuming {url}: {have / 1e6:.1f} MB already in {shown(partial)}, "
                  f"{response.length / 1e6:.1f} MB to go")
        else:
            print(f"Downloading {url} ({(total or ARCHIVE_BYTES) / 1e6:.0f} MB) to {shown(root)}")
        try:
            out = open(partial, "ab" if resumed else "wb")
        except OSError as error:
            raise LessonError(f"cannot write {shown(partial)}: {why_not_written(error, root)}") from None
        started, said_slow = time.monotonic(), False
        with out, tqdm(total=total, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
                       desc=ARCHIVE_NAME, disable=None) as bar:
            while True:
                try:
                    chunk = response.read(1 << 16)
                except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
                    out.flush()
                    raise DownloadFailed(f"the download broke off at {partial.stat().st_size:,} bytes "
                                         f"({network_reason(error)}); run again to continue from there") from None
                if not chunk:
                    break
                try:
                    out.write(chunk)
                except OSError as error:
                    out.close()
                    partial.unlink(missing_ok=True)
                    raise LessonError(f"could not write {shown(partial)}: {why_not_written(error, root)}") from None
                bar.update(len(chunk))
                elapsed = time.monotonic() - started
                if not said_slow and total and elapsed > SLOW_CHECK_AFTER:
                    rate = (bar.n - have) / elapsed
                    if rate <= 0 or (total - bar.n) / rate > SLOW_LIMIT:
                        said_slow = True
                        tqdm.write(f"Slow: about {(total - bar.n) / max(rate, 1) / 60:.0f} more minutes at this speed. "
                                   f"Ctrl-C keeps what has arrived and the next run continues; or download "
                                   f"{ARCHIVE_URL} another way and put it in {shown(root)}; or name a faster "
                                   "mirror with --cifar-url URL (or CIFAR10_URL)")
    size = partial.stat().st_size
    if total is not None and size < total:
        raise DownloadFailed(f"the download stopped at {size:,} of {total:,} bytes; "
                             "run again to continue from there")
    _finish(partial, target, size)


def _finish(partial, target, size):
    """The whole .part: CIFAR10's md5 makes it the archive; anything else is deleted."""
    from torchvision.datasets import utils as tv_utils

    if not tv_utils.check_integrity(str(partial), ARCHIVE_MD5):
        partial.unlink(missing_ok=True)
        raise DownloadFailed(f"what arrived ({size:,} bytes) is not CIFAR10's archive (md5 differs from "
                             f"{ARCHIVE_MD5}) and was deleted")
    os.replace(partial, target)


def unpack_archive(archive, root):
    """Unpack into a scratch folder, then move the result into place in one
    rename: an unpacking cut short never leaves a half-filled cifar-10-batches-py."""
    from torchvision.datasets import utils as tv_utils

    if not tv_utils.check_integrity(str(archive), ARCHIVE_MD5):
        raise LessonError(f"{shown(archive)} is damaged or incomplete ({archive.stat().st_size:,} bytes; "
                          f"expected {ARCHIVE_BYTES:,} bytes, md5 {ARCHIVE_MD5}): delete it and run again "
                          f"to download it, or place a good copy from {ARCHIVE_URL} there")
    print(f"Unpacking {shown(archive)} ...")
    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root))
    try:
        tv_utils.extract_archive(str(archive), str(scratch))
        os.replace(scratch / BATCH_FOLDER, root / BATCH_FOLDER)
    except OSError as error:
        raise LessonError(f"could not unpack {shown(archive)} into {shown(root)}: "
                          f"{why_not_written(error, root)}; nothing was left half-unpacked") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


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


# ---------------------------------------------------------------- tiny set
TINY_IMAGES_PER_CLASS = {"train": 20, "test": 10}

# One colour per class, far enough apart that colour alone tells them apart.
_PALETTE = np.array([
    [230, 60, 50], [240, 150, 40], [235, 225, 60], [120, 210, 70], [50, 170, 120],
    [60, 200, 220], [60, 110, 230], [140, 80, 220], [220, 90, 200], [235, 235, 235],
], dtype=np.float32)


def _class_mask(label, yy, xx, shift, cy, cx):
    """Where class `label`'s pattern is drawn, as a boolean 32x32 array."""
    dy, dx = yy - cy, xx - cx
    r2 = dy ** 2 + dx ** 2
    return [
        ((yy + shift) // 4) % 2 == 0,                            # horizontal stripes
        ((xx + shift) // 4) % 2 == 0,                            # vertical stripes
        ((xx + yy + shift) // 4) % 2 == 0,                       # diagonal stripes
        ((yy + shift) // 8 + (xx + shift) // 8) % 2 == 0,        # checkerboard
        r2 < 64,                                                 # disk
        (r2 > 30) & (r2 < 90),                                   # ring
        (abs(dy) < 3) | (abs(dx) < 3),                           # cross
        np.maximum(abs(dy), abs(dx)) // 3 == 3,                  # square outline
        (dx < dy) & (abs(dy) < 10) & (abs(dx) < 10),             # triangle
        ((yy + shift) % 8 < 3) & ((xx + shift) % 8 < 3),         # dots
    ][label]


def make_tiny_images(train, seed=0):
    """Deterministic pictures and labels: uint8 [N,32,32,3] and a list of ints."""
    split = "train" if train else "test"
    rng = np.random.default_rng([seed, 1 if train else 2])
    yy, xx = np.mgrid[0:32, 0:32]
    images, labels = [], []
    for label in range(len(CLASSES)):
        for _ in range(TINY_IMAGES_PER_CLASS[split]):
            shift = rng.integers(0, 8)
            cy, cx = rng.integers(12, 21, size=2)
            mask = _class_mask(label, yy, xx, shift, cy, cx)[..., None]
            background = rng.uniform(20, 90, size=3).astype(np.float32)
            colour = _PALETTE[label] * rng.uniform(0.8, 1.0)
            picture = np.where(mask, colour, background) + rng.normal(0, 12, size=(32, 32, 3))
            images.append(np.clip(picture, 0, 255).astype(np.uint8))
            labels.append(label)
    order = rng.permutation(len(labels))
    return np.stack(images)[order], [labels[i] for i in order]


class TinyCIFAR10(torch.utils.data.Dataset):
    """The tiny stand-in: CIFAR10's layout and class names, simple pictures.

    Same interface as torchvision's CIFAR10: `.data` is uint8 [N,32,32,3],
    `.targets` a list of ints, items are (transform(PIL image), label).
    """

    classes = list(CLASSES)

    def __init__(self, train=True, transform=None, target_transform=None, seed=0):
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        self.data, self.targets = make_tiny_images(train, seed)
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        image, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target
