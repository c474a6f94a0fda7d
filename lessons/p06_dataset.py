"""P6 Dataset类代码实战 - your own Dataset (P5's idea, P6's code)

Dataset 提供一种方式去获取数据及其 label（P5）。自己写一个 Dataset 要继承 torch.utils.data.Dataset，
写三个方法：__init__（记下文件夹，列出所有图片名）、__getitem__（按序号 idx 打开一张图片，
返回图片和它的 label）、__len__（一共多少张）。视频的 MyData 用文件夹名作 label
（train/ants 里都是蚂蚁），ants_dataset + bees_dataset 把两个数据集拼成一个。
课程还用了第二种组织方式：ants_image/ 里放图片，ants_label/ 里每张图片一个同名 txt 文件写 label。

The video's MyData: the folder name is the label (root_dir/label_dir holds
the pictures of one class). `ants_dataset + bees_dataset` gives one dataset
of both (a ConcatDataset). Then the second layout the course uses: pictures
in ants_image/, and for each one a text file of the same name in ants_label/
holding its label. Works on the video's hymenoptera_data when it is under
data/, on a made-up stand-in otherwise, or on any folder of your own with one
subfolder per class (--root-dir).
"""
import os
from pathlib import Path

from torch.utils.data import Dataset

import common
import pictures


class MyData(Dataset):
    """The video's Dataset: every picture in root_dir/label_dir, labelled label_dir."""

    def __init__(self, root_dir, label_dir):
        self.root_dir = root_dir
        self.label_dir = label_dir
        self.path = os.path.join(self.root_dir, self.label_dir)
        # the video: os.listdir(self.path). Sorted here, so idx means the same
        # picture on every machine, and without hidden files such as .DS_Store.
        self.img_path = pictures.picture_files(self.path)

    def __getitem__(self, idx):
        img_name = self.img_path[idx]
        img_item_path = os.path.join(self.root_dir, self.label_dir, img_name)
        img = pictures.open_picture(img_item_path)
        label = self.label_dir
        return img, label

    def __len__(self):
        return len(self.img_path)


class MyLabelData(Dataset):
    """The second layout: pictures in image_dir, a label file of the same name in label_dir."""

    def __init__(self, root_dir, image_dir, label_dir):
        self.image_path = os.path.join(root_dir, image_dir)
        self.label_path = os.path.join(root_dir, label_dir)
        self.image_list = pictures.picture_files(self.image_path)
        self.label_list = pictures.picture_files(self.label_path)
        # sorted the same way, picture i and label file i belong together only if their names match
        images = [Path(name).stem for name in self.image_list]
        labels = [Path(name).stem for name in self.label_list]
        if images != labels:
            unmatched = sorted(set(images) ^ set(labels)) or [f"{a} / {b}" for a, b in zip(images, labels) if a != b]
            raise common.LessonError(
                f"{common.shown(self.image_path)} and {common.shown(self.label_path)} do not match "
                f"({len(images)} pictures, {len(labels)} label files; first without a partner: {unmatched[0]}): "
                "each picture needs a label file of the same name")

    def __getitem__(self, idx):
        img = pictures.open_picture(os.path.join(self.image_path, self.image_list[idx]))
        with open(os.path.join(self.label_path, self.label_list[idx]), encoding="utf-8") as f:
            label = f.readline().strip()
        return img, label

    def __len__(self):
        return len(self.image_list)


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--data-root", type=Path, default=common.DATA_ROOT,
                        help="folder that holds hymenoptera_data (default: data/)")
    parser.add_argument("--root-dir", type=Path,
                        help="a folder of your own with one subfolder of pictures per class "
                             "(default: hymenoptera_data/train, or the made-up stand-in)")
    args = common.parse_args(parser, argv)

    if args.root_dir is not None:
        root_dir, real = args.root_dir, False
    else:
        root_dir, real = pictures.train_folder(args.data_root)
    subfolders = [p.name for p in Path(root_dir).iterdir() if p.is_dir()] if Path(root_dir).is_dir() else []
    class_dirs = sorted(name for name in subfolders
                        if not name.endswith(("_image", "_label")) and not name.startswith("."))
    if not class_dirs:
        raise common.LessonError(f"--root-dir {common.shown(root_dir)} has no subfolders of pictures: "
                                 "make one folder per class (e.g. ants/, bees/) inside it")

    datasets = {}
    for label_dir in class_dirs:
        datasets[label_dir] = MyData(str(root_dir), label_dir)
        video = {"ants": "124", "bees": "121"}.get(label_dir) if real else None
        print(f"{label_dir}_dataset = MyData(root_dir, {label_dir!r}): len {len(datasets[label_dir])}"
              + (f"   (hymenoptera_data has {video})" if video else ""))
    first_label = class_dirs[0]
    img, label = datasets[first_label][0]
    print(f"{first_label}_dataset[0] -> ({img}, {label!r})")
    train_dataset = None
    for dataset in datasets.values():
        train_dataset = dataset if train_dataset is None else train_dataset + dataset
    print(f"train_dataset = {' + '.join(f'{name}_dataset' for name in class_dirs)}: "
          f"{type(train_dataset).__name__}, len {len(train_dataset)}"
          + ("   (hymenoptera_data: 124 + 121 = 245)" if real and class_dirs == ["ants", "bees"] else ""))
    last_img, last_label = train_dataset[len(train_dataset) - 1]
    print(f"train_dataset[{len(train_dataset) - 1}] (the last one) -> label {last_label!r}: "
          "the datasets follow one another in the order they were added")
    sizes = sorted({train_dataset[i][0].size for i in range(len(train_dataset))})
    print(f"every picture opened fine; sizes (width, height): {sizes[:4]}{' ...' if len(sizes) > 4 else ''}")

    labelled = {}
    pairs = sorted(p.name[:-len("_image")] for p in Path(root_dir).glob("*_image") if p.is_dir())
    for name in pairs:
        labelled[name] = MyLabelData(str(root_dir), f"{name}_image", f"{name}_label")
        img, label = labelled[name][0]
        print(f"\nsecond layout 第二种方式: {name}_image/ + {name}_label/: len {len(labelled[name])}; "
              f"[0] -> ({img.size[0]}x{img.size[1]} picture, label {label!r} read from "
              f"{labelled[name].label_list[0]})")
    if not pairs:
        print("\n(no *_image/*_label folders here for the second layout)")
    return {"lengths": {name: len(d) for name, d in datasets.items()}, "total": len(train_dataset),
            "first": (datasets[first_label][0][1]), "last_label": last_label, "real": real,
            "labelled": {name: (len(d), d[0][1]) for name, d in labelled.items()}}


if __name__ == "__main__":
    common.run(main)
