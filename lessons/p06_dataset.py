"""P6 Dataset类代码实战

自己写一个 Dataset：继承 torch.utils.data.Dataset，写 __init__、__getitem__、__len__ 三个方法。
视频的 MyData 用文件夹名作标签（label），ants_dataset + bees_dataset 拼成一个数据集；课程的 read_data.py
用第二种组织方式（ants_image/ 放图片，ants_label/ 放同名的标签文件），交给 DataLoader，
再把 train_dataset[119] 写进 TensorBoard（tag 'error'）。
图片用 data/ 下的 hymenoptera_data，没有就用项目画的替代图片；--root-dir 换成你自己的文件夹
（每一类一个子文件夹，至少两类）。第二种组织方式本课在 data/read_data_layout/ 下做一份。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import os
from pathlib import Path

from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torch.utils.tensorboard import SummaryWriter
from torchvision import transforms

from support import board, files, flags, pictures          # 我们的支持代码，不是课程内容
from support.i18n import _


# ------------------------------------------------ 课程的代码（视频 P6）
class MyData(Dataset):

    def __init__(self, root_dir, label_dir):
        self.root_dir = root_dir
        self.label_dir = label_dir
        self.path = os.path.join(self.root_dir, self.label_dir)
        self.img_path = os.listdir(self.path)
        self.img_path = pictures.without_hidden(self.img_path)     # 我们加的：去掉 .DS_Store 这类系统文件，并排好序

    def __getitem__(self, idx):
        img_name = self.img_path[idx]
        img_item_path = os.path.join(self.root_dir, self.label_dir, img_name)
        img = Image.open(img_item_path)
        label = self.label_dir
        return img, label

    def __len__(self):
        return len(self.img_path)


# ------------------------------------------------ 课程的代码（read_data.py，第二种组织方式）
class MyLabelData(Dataset):          # read_data.py 里也叫 MyData；换个名字，两种写法才能放进一个文件

    def __init__(self, root_dir, image_dir, label_dir, transform):
        self.root_dir = root_dir
        self.image_dir = image_dir
        self.label_dir = label_dir
        self.label_path = os.path.join(self.root_dir, self.label_dir)
        self.image_path = os.path.join(self.root_dir, self.image_dir)
        self.image_list = pictures.without_hidden(os.listdir(self.image_path))     # 我们加的 without_hidden，同上
        self.label_list = pictures.without_hidden(os.listdir(self.label_path))     # 我们加的 without_hidden
        self.transform = transform
        # 因为label 和 Image文件名相同，进行一样的排序，可以保证取出的数据和label是一一对应的
        self.image_list.sort()
        self.label_list.sort()

    def __getitem__(self, idx):
        img_name = self.image_list[idx]
        label_name = self.label_list[idx]
        img_item_path = os.path.join(self.root_dir, self.image_dir, img_name)
        label_item_path = os.path.join(self.root_dir, self.label_dir, label_name)
        img = Image.open(img_item_path)

        with open(label_item_path, 'r') as f:
            label = f.readline()

        img = self.transform(img)
        sample = {'img': img, 'label': label}
        return sample

    def __len__(self):
        assert len(self.image_list) == len(self.label_list)
        return len(self.image_list)


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=files.DATA_ROOT,
                        help="放 hymenoptera_data 的文件夹（默认：%(default)s）")
    parser.add_argument("--root-dir", type=Path,
                        help="你自己的图片文件夹，里面每一类一个子文件夹，至少两类"
                             "（默认：hymenoptera_data/train，没有就用项目画的替代图片）")
    args = flags.parse_args(parser, argv)
    root_dir, real, label_dirs = pictures.dataset_folders(args.root_dir, args.data_root)   # 我们加的：找到图片，坏图片只说一行
    first, second = label_dirs[:2]                          # 我们加的：hymenoptera_data 里是 "ants" 和 "bees"

    # ------------------------------------------------ 课程的代码（视频 P6）
    root_dir = str(root_dir)              # 视频中 root_dir = "dataset/train"
    ants_label_dir = first                # 视频中 ants_label_dir = "ants"
    bees_label_dir = second               # 视频中 bees_label_dir = "bees"
    ants_dataset = MyData(root_dir, ants_label_dir)
    bees_dataset = MyData(root_dir, bees_label_dir)
    img, label = ants_dataset[0]
    print(img, label)                     # 视频里 img.show() 打开这张图片看
    train_dataset = ants_dataset + bees_dataset
    print(len(train_dataset))
    p6_root, p6_datasets, p6_train = root_dir, [ants_dataset, bees_dataset], train_dataset   # 我们加的：留给最后的输出

    # 我们加的准备：read_data.py 的第二种组织方式（ants_image/ + ants_label/）在哪里；
    # hymenoptera_data 和你自己的文件夹没有，就在 data/ 下做一份（打印出位置）
    labelled_root = pictures.second_layout(root_dir, [first, second], args.data_root)
    log_dir = board.fresh_run(args.logdir)    # 我们加的：上一次的记录先放到一边（正常结束才删），打印查看命令

    # ------------------------------------------------ 课程的代码（read_data.py）
    writer = SummaryWriter(log_dir)           # 视频中 SummaryWriter("logs")，在文件开头
    transform = transforms.Compose([transforms.Resize((256, 256)), transforms.ToTensor()])
    root_dir = str(labelled_root)             # 视频中 root_dir = "dataset/train"
    image_ants = first + "_image"             # 视频中 image_ants = "ants_image"
    label_ants = first + "_label"             # 视频中 label_ants = "ants_label"
    ants_dataset = MyLabelData(root_dir, image_ants, label_ants, transform)
    image_bees = second + "_image"            # 视频中 image_bees = "bees_image"
    label_bees = second + "_label"            # 视频中 label_bees = "bees_label"
    bees_dataset = MyLabelData(root_dir, image_bees, label_bees, transform)
    train_dataset = ants_dataset + bees_dataset

    dataloader = DataLoader(train_dataset, batch_size=1, num_workers=2)

    error_index = min(119, len(train_dataset) - 1)     # 我们加的：视频中 119（图片少于 120 张时用最后一张）
    writer.add_image('error', train_dataset[error_index]['img'])
    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    for name in label_dirs[2:]:              # 你的文件夹多于两类时，其余的也加上
        p6_datasets.append(MyData(p6_root, name))
        p6_train = p6_train + p6_datasets[-1]
    for label_dir, dataset in zip(label_dirs, p6_datasets):
        video = {"ants": 124, "bees": 121}.get(label_dir) if real else None
        print(_("{name}_dataset = MyData(root_dir, {label!r})：{n} 张").format(
            name=label_dir, label=label_dir, n=len(dataset))
              + (_("（hymenoptera_data 有 {video} 张）").format(video=video) if video else ""))
    last_img, last_label = p6_train[len(p6_train) - 1]
    print(_("train_dataset = {names}：类型是 {kind}，共 {n} 张；最后一张 train_dataset[{last}] 的标签是 {label!r}"
            "——数据集相加，就是按相加的顺序首尾相接").format(
        names=" + ".join(f"{name}_dataset" for name in label_dirs), kind=type(p6_train).__name__,
        n=len(p6_train), last=len(p6_train) - 1, label=last_label))
    sizes = sorted({p6_train[i][0].size for i in range(len(p6_train))})
    print(_("每张图片都能打开；大小（宽×高）：{sizes}").format(
        sizes=", ".join(f"{w}×{h}" for w, h in sizes[:4]) + (" ..." if len(sizes) > 4 else "")))
    labelled = {first: ants_dataset, second: bees_dataset}
    for name, dataset in labelled.items():
        sample = dataset[0]
        print(_("第二种组织方式 {name}_image/ + {name}_label/：{n} 张；[0] 是形状为 {shape} 的张量，标签是 {label!r}"
                "（读自 {file}）").format(name=name, n=len(dataset), shape=list(sample['img'].shape),
                                       label=sample['label'], file=dataset.label_list[0]))
    print(_("DataLoader(batch_size=1)：{n} 批；TensorBoard 的 'error' 是 train_dataset[{index}] 那张").format(
        n=len(dataloader), index=error_index))
    return {"lengths": {name: len(d) for name, d in zip(label_dirs, p6_datasets)}, "total": len(p6_train),
            "first": label, "last_label": last_label, "real": real, "labelled_root": str(labelled_root),
            "labelled": {name: (len(d), d[0]['label']) for name, d in labelled.items()},
            "error_index": error_index, "labelled_total": len(train_dataset)}


if __name__ == "__main__":
    files.run(main)
