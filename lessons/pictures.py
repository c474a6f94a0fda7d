"""Picture folders for P6-P12: the video's ants and bees, or a stand-in.

The video reads `hymenoptera_data` (ants and bees, a 45 MB zip). A learner
who has it unpacks it under data/ and the lessons use it. Without it the
project draws its own small folder, in the two layouts the course uses:

    train/ants/*.jpg, train/bees/*.jpg              one folder per class (P6)
    train/ants_image/*.jpg + train/ants_label/*.txt  a label file per picture

The made-up pictures say on them that they are NOT ants or bees: red
blobs for "ants", yellow stripes for "bees", at the sizes real photos have.
"""
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, UnidentifiedImageError

import common

HYMENOPTERA_URL = "https://download.pytorch.org/tutorial/hymenoptera_data.zip"
REAL_FOLDER = "hymenoptera_data"
STANDIN_FOLDER = "made_up_ants_bees"
STANDIN_COUNTS = {"ants": 6, "bees": 5}
SIZES = [(500, 375), (375, 500), (400, 300), (500, 333)]
SKIPPED = {"Thumbs.db", "desktop.ini"}     # files an operating system leaves in picture folders


def train_folder(data_root):
    """`<data_root>/hymenoptera_data/train` when the learner has placed it, else the stand-in's train folder."""
    data_root = Path(data_root)
    real = data_root / REAL_FOLDER / "train"
    if (real / "ants").is_dir() and (real / "bees").is_dir():
        print(f"Pictures: the video's hymenoptera_data from {common.shown(real)}")
        return real, True
    standin = data_root / STANDIN_FOLDER / "train"
    if not all((standin / name).is_dir() for name in ("ants", "bees", "ants_image", "ants_label")):
        make_standin(standin)
    print(f"Pictures: a made-up stand-in in {common.shown(standin)} (NOT the video's ants and bees). "
          f"For the real ones, download {HYMENOPTERA_URL} (45 MB) and unzip it into {common.shown(data_root)}, "
          f"so that {common.shown(real / 'ants')} exists")
    return standin, False


def make_standin(train):
    """Draw the stand-in pictures, in both layouts."""
    rng = np.random.default_rng(0)
    for label, count in STANDIN_COUNTS.items():
        for k in range(count):
            picture = draw(label, SIZES[k % len(SIZES)], rng)
            name = f"{label[:-1]}_{k:03d}.jpg"
            for folder in (train / label, train / f"{label}_image"):
                common.write_atomically(folder / name, lambda out: picture.save(out, format="JPEG", quality=90))
            common.write_atomically(train / f"{label}_label" / f"{label[:-1]}_{k:03d}.txt",
                                    lambda out: out.write(label.encode()))


def draw(label, size, rng):
    """A picture that is plainly not a photo of `label`."""
    width, height = size
    if label == "ants":
        picture = Image.new("RGB", size, (70, 120, 60))
        pen = ImageDraw.Draw(picture)
        for _ in range(12):
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
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise common.LessonError(f"picture folder {common.shown(folder)} {what}")
    names = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.name not in SKIPPED)
    if not names:
        raise common.LessonError(f"picture folder {common.shown(folder)} is empty: put the pictures of one class in it")
    return names


def open_picture(path, flag=None):
    """Image.open, fully decoded, or one line saying why not. `flag` names the
    command-line option the path came from (P31's --image), for the message."""
    path = Path(path)
    what = f"{flag} {common.shown(path)}" if flag else common.shown(path)
    if path.is_dir():
        raise common.LessonError(f"{what} is a folder: name a picture file in it")
    try:
        with warnings.catch_warnings():
            # a picture the learner chose, not one from the internet: big is fine up to PIL's hard limit
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
            image.load()        # decode it all now: a file cut short fails here, not later
        return image
    except FileNotFoundError:
        raise common.LessonError(f"{what} not found: check the path "
                                 "(relative paths start from the folder you are in)") from None
    except Image.DecompressionBombError:
        raise common.LessonError(f"{what} is too large for PIL ({Image.MAX_IMAGE_PIXELS * 2:,} pixels at most, "
                                 "a guard against decompression bombs): shrink it first") from None
    except UnidentifiedImageError:
        raise common.LessonError(f"{what} is not a picture PIL can read (PNG, JPEG, BMP, GIF, WebP ... are)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise common.LessonError(f"{what} is damaged or cut short ({error})") from None


def first_picture(data_root):
    """One picture to work on (P8-P12): the first ant."""
    train, _ = train_folder(data_root)
    path = Path(train) / "ants" / picture_files(Path(train) / "ants")[0]
    return path, open_picture(path)
