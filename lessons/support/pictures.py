"""图片文件夹（P6-P12）：视频里的蚂蚁和蜜蜂，或者项目画的替代图片。

Picture folders for P6-P12: the video's ants and bees, or a stand-in.

The video reads `hymenoptera_data` (ants and bees, a 45 MB zip). A learner
who has it unpacks it under data/ and the lessons use it. Without it the
project draws its own small folder, in the two layouts the course uses:

    train/ants/*.jpg, train/bees/*.jpg              one folder per class (P6)
    train/ants_image/*.jpg + train/ants_label/*.txt  a label file per picture

The made-up pictures say on them that they are NOT ants or bees: red
blobs for "ants", yellow stripes for "bees", at the sizes real photos have.
"""
import shutil
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

from support.files import LessonError, shown, write_atomically
from support.i18n import _

HYMENOPTERA_URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"
REAL_FOLDER = "hymenoptera_data"
STANDIN_FOLDER = "made_up_ants_bees"
LAYOUT_FOLDER = "read_data_layout"      # where the second layout is made from a learner's folder (under data/)
STANDIN_COUNTS = {"ants": 6, "bees": 5}
SIZES = [(500, 375), (375, 500), (400, 300), (500, 333)]
SKIPPED = {"Thumbs.db", "desktop.ini"}     # files an operating system leaves in picture folders


def train_folder(data_root):
    """`<data_root>/hymenoptera_data/train` when the learner has placed it, else the stand-in's train folder."""
    data_root = Path(data_root)
    real = data_root / REAL_FOLDER / "train"
    if (real / "ants").is_dir() and (real / "bees").is_dir():
        print(_("图片：视频里的 hymenoptera_data，来自 {path}").format(path=shown(real)))
        return real, True
    standin = data_root / STANDIN_FOLDER / "train"
    if not all((standin / name).is_dir() for name in ("ants", "bees", "ants_image", "ants_label")):
        make_standin(standin)
    print(_("图片：项目画的替代图片，在 {path}（不是视频里的蚂蚁和蜜蜂）。要用真的：下载 {url}（45 MB），"
            "解压到 {root}，使 {ants} 存在").format(path=shown(standin), url=HYMENOPTERA_URL, root=shown(data_root),
                                                ants=shown(real / "ants")))
    return standin, False


def make_standin(train):
    """Draw the stand-in pictures, in both layouts."""
    rng = np.random.default_rng(0)
    for label, count in STANDIN_COUNTS.items():
        for k in range(count):
            picture = draw(label, SIZES[k % len(SIZES)], rng)
            name = f"{label[:-1]}_{k:03d}.jpg"
            for folder in (train / label, train / f"{label}_image"):
                write_atomically(folder / name, lambda out: picture.save(out, format="JPEG", quality=90))
            write_atomically(train / f"{label}_label" / f"{label[:-1]}_{k:03d}.txt",
                                    lambda out: out.write(label.encode()))


def draw(label, size, rng):
    """A picture that is plainly not a photo of `label`."""
    width, height = size
    if label == "ants":
        picture = Image.new("RGB", size, (70, 120, 60))
        pen = ImageDraw.Draw(picture)
        for _unused in range(12):
            x, y = rng.integers(0, width - 40), rng.integers(0, height - 20)
            pen.ellipse([x, y, x + 40, y + 20], fill=(150, 30, 20))
    else:
        picture = Image.new("RGB", size, (90, 140, 220))
        pen = ImageDraw.Draw(picture)
        shift = int(rng.integers(0, 30))
        for x in range(-shift, width, 60):
            pen.rectangle([x, 0, x + 30, height], fill=(240, 200, 40))
    pen.text((10, 10), f"made-up {label[:-1]}, NOT a photo", fill=(255, 255, 255))
    return picture


def picture_files(folder):
    """The files of a picture folder, sorted, without hidden and system files."""
    folder = Path(folder)
    if not folder.is_dir():
        if folder.exists():
            raise LessonError(_("图片文件夹 {folder} 是一个文件，不是文件夹").format(folder=shown(folder)))
        raise LessonError(_("图片文件夹 {folder} 不存在").format(folder=shown(folder)))
    names = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.name not in SKIPPED)
    if not names:
        raise LessonError(_("图片文件夹 {folder} 是空的：把同一类的图片放进去").format(folder=shown(folder)))
    return names


def open_picture(path, flag=None):
    """Image.open, fully decoded, or one line saying why not. `flag` names the
    command-line option the path came from (P31's --image), for the message."""
    path = Path(path)
    what = f"{flag} {shown(path)}" if flag else shown(path)
    if path.is_dir():
        raise LessonError(_("{what} 是一个文件夹：请给出里面的一个图片文件").format(what=what))
    try:
        with warnings.catch_warnings():
            # a picture the learner chose, not one from the internet: big is fine up to PIL's hard limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
            image.load()        # decode it all now: a file cut short fails here, not later
        return image
    except FileNotFoundError:
        raise LessonError(_("找不到 {what}：检查一下路径（相对路径是从你当前所在的文件夹算起的）").format(what=what)) from None
    except Image.DecompressionBombError:
        raise LessonError(_("{what} 太大了，PIL 不肯打开（最多 {pixels:,} 像素，防止“解压炸弹”）：先把它缩小").format(
            what=what, pixels=Image.MAX_IMAGE_PIXELS * 2)) from None
    except UnidentifiedImageError:
        raise LessonError(_("{what} 不是 PIL 能读的图片（PNG、JPEG、BMP、GIF、WebP……可以）").format(what=what)) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise LessonError(_("{what} 损坏了或者不完整（{error}）").format(what=what, error=error)) from None


def first_picture(data_root):
    """One picture to work on (P8-P12): the first ant."""
    train, _real = train_folder(data_root)
    path = Path(train) / "ants" / picture_files(Path(train) / "ants")[0]
    return path, open_picture(path)


def class_folders(root):
    """The class subfolders of `root` (ants/, bees/ ...), sorted: not hidden, not *_image or *_label."""
    return sorted(p.name for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith(".")
                  and not p.name.endswith(("_image", "_label")))


def has_second_layout(root, classes):
    """Whether `root` holds <class>_image/ and <class>_label/ for each class."""
    return all((Path(root) / f"{name}_image").is_dir() and (Path(root) / f"{name}_label").is_dir()
               for name in classes)


def second_layout(root, classes, data_root, course_file="read_data.py"):
    """A folder with the layout of the course's read_data.py and P9_transforms.py
    (ants_image/ + ants_label/, one .txt per picture holding its class) for
    `classes` of `root`: `root` itself when it has it, else one made here from
    root's class folders, under <data_root>/read_data_layout/. The learner's
    folder is only read. Kept in step with it: pictures copied when new or
    changed, dropped when gone. `course_file` is the course file named in the
    printed line (P6: read_data.py, P11: P9_transforms.py). Returns the folder."""
    root = Path(root)
    if has_second_layout(root, classes):
        return root
    made = Path(data_root) / LAYOUT_FOLDER / f"{root.parent.name}_{root.name}"
    for name in classes:
        pictures = picture_files(root / name)
        images, labels = made / f"{name}_image", made / f"{name}_label"
        images.mkdir(parents=True, exist_ok=True)
        labels.mkdir(parents=True, exist_ok=True)
        for old in images.iterdir():
            if old.name not in pictures:
                old.unlink()
        stems = {Path(picture).stem for picture in pictures}
        for old in labels.iterdir():
            if old.stem not in stems or old.suffix != ".txt":
                old.unlink()
        for picture in pictures:
            source, copy = (root / name / picture), images / picture
            here = source.stat()
            if not copy.is_file() or (copy.stat().st_size, copy.stat().st_mtime_ns) != (here.st_size, here.st_mtime_ns):
                shutil.copy2(source, copy)      # copy2 keeps the time: unchanged pictures are not copied again
            label = labels / f"{Path(picture).stem}.txt"
            if not label.is_file() or label.read_text(encoding="utf-8") != name:
                label.write_text(name, encoding="utf-8")     # the practice set's label file: the class name
    print(_("第二种组织方式（{course_file} 要的 {example}_image/ + {example}_label/）：{root} 里没有，从它的 {classes} "
            "做了一份，放在 {made}（图片复制过去，每张配一个同名 .txt，内容是文件夹名；你的文件夹没有改动）").format(
        course_file=course_file, example=classes[0], root=shown(root), classes=_("、").join(f"{name}/" for name in classes), made=shown(made)))
    return made


def without_hidden(names):
    """os.listdir 的结果去掉 .DS_Store、Thumbs.db 这类系统文件，排好序（每台电脑上 idx 指同一张图片）。"""
    return sorted(name for name in names if not name.startswith(".") and name not in SKIPPED)


def dataset_folders(root_dir, data_root):
    """P6 我们加的准备：图片文件夹在哪里、有哪些类（至少两类）；
    先把每张图片打开一遍，坏图片、空文件夹、对不上的标签文件只说一行（视频里会是一大段 traceback）。"""
    if root_dir is not None:
        real = False
    else:
        root_dir, real = train_folder(data_root)
    root = Path(root_dir)
    if not root.is_dir():
        raise LessonError(_("--root-dir {root} 不存在，或者不是文件夹").format(root=shown(root)))
    subfolders = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    label_dirs = class_folders(root)
    if not label_dirs:
        raise LessonError(_("--root-dir {root} 里没有放图片的子文件夹：每一类建一个子文件夹"
                             "（比如 ants/、bees/），把图片放进去").format(root=shown(root)))
    pairs = [name[:-len("_image")] for name in subfolders
             if name.endswith("_image") and name[:-len("_image")] + "_label" in subfolders]
    for folder in label_dirs + [name + "_image" for name in pairs]:
        for name in picture_files(root / folder):
            open_picture(root / folder / name)
    for name in pairs:
        images = [Path(n).stem for n in picture_files(root / (name + "_image"))]
        labels = [Path(n).stem for n in picture_files(root / (name + "_label"))]
        if images != labels:
            unmatched = sorted(set(images) ^ set(labels)) or [a for a, b in zip(images, labels) if a != b]
            raise LessonError(_("{images} 和 {labels} 对不上（{n_images} 张图片，{n_labels} 个标签文件；"
                                 "第一个没有配对的：{first}）：每张图片要有一个同名的标签文件").format(
                images=shown(root / (name + "_image")), labels=shown(root / (name + "_label")),
                n_images=len(images), n_labels=len(labels), first=unmatched[0]))
    if len(label_dirs) < 2:
        raise LessonError(_("--root-dir {root} 里只有一类（{name}/）：视频把两类加起来"
                             "（ants_dataset + bees_dataset），再建一个子文件夹放另一类图片").format(
            root=shown(root), name=label_dirs[0]))
    return root_dir, real, label_dirs


def first_big_picture(folder):
    """P11: the first picture of `folder` with both sides at least 256: the lesson's RandomCrop(256) needs that
    (the video's RandomCrop(512) cut a bigger picture than hymenoptera_data's 500×375)."""
    for name in picture_files(folder):
        if min(open_picture(folder / name).size) >= 256:
            return folder / name
    raise LessonError(_("{folder} 里没有宽和高都至少 256 像素的图片：本课的 RandomCrop(256)（视频中: RandomCrop(512)）"
                         "要从图片里裁出 256×256，放一张大一点的进去").format(folder=shown(folder)))


def two_classes(root_dir, data_root):
    """P11: the picture folder (--root-dir, else hymenoptera_data/train, else the stand-in) and its classes."""
    if root_dir is None:
        train = Path(train_folder(data_root)[0])
    else:
        train = Path(root_dir)
        if not train.is_dir():
            raise LessonError(_("--root-dir {root} 不存在，或者不是文件夹").format(root=shown(train)))
    classes = class_folders(train)
    if len(classes) < 2:
        raise LessonError(_("{root} 里要有两个放图片的子文件夹（比如 ants/、bees/）："
                             "P9_transforms.py 读两类").format(root=shown(train)))
    return train, classes
