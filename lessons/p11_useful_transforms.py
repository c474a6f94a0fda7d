"""P11 常见的Transforms（一）（二）

先看 __call__：类写了 __call__，它的对象就能像函数一样调用，person("zhangsan")；transforms 的工具都是这样。
再逐个用 ToTensor、Normalize（output = (input - mean) / std）、Resize、Compose（前一个的输出是后一个的输入）、
RandomCrop，每一步写进 TensorBoard。最后是课程的 P9_transforms.py：Compose([Resize(400), ToTensor()])
交给自己写的 MyData，它读 ants_image/ + ants_label/（本课和 P6 一样在 data/read_data_layout/ 下做一份）。
视频的总结：关注输入和输出的类型，多看官方文档；不知道返回值是什么，就 print(type()) 或用调试器看。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import os
from pathlib import Path

from PIL import Image
from torch.utils.data import Dataset
from torch.utils.tensorboard import SummaryWriter
from torchvision import transforms

from support import board, files, flags, pictures          # 我们的支持代码，不是课程内容
from support.i18n import _


# ------------------------------------------------ 课程的代码（视频 P11 开头的 CallTest.py）
class Person:
    def __call__(self, name):
        print("__call__" + "Hello " + name)

    def hello(self, name):
        print("hello" + name)


# ------------------------------------------------ 课程的代码（P9_transforms.py：把 transform 用进自己的 Dataset）
class MyData(Dataset):

    def __init__(self, root_dir, image_dir, label_dir, transform=None):
        self.root_dir = root_dir
        self.image_dir = image_dir
        self.label_dir = label_dir
        self.label_path = os.path.join(self.root_dir, self.label_dir)
        self.image_path = os.path.join(self.root_dir, self.image_dir)
        self.image_list = os.listdir(self.image_path)
        self.label_list = os.listdir(self.label_path)
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

        if self.transform:
            img = self.transform(img)      # 我们改的 self.：课程文件写成 transform(img)，碰巧用上了外面的同名变量

        return img, label

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
    parser.add_argument("--crops", type=flags.positive_int, default=10,
                        help="随机裁剪多少次写进 TensorBoard（默认：10，和视频一样）")
    args = flags.parse_args(parser, argv)
    train, classes = pictures.two_classes(args.root_dir, args.data_root)     # 我们加的：图片文件夹和它的两类（hymenoptera_data 里是 ants、bees）
    img_path = pictures.first_big_picture(train / classes[0])    # 我们加的：坏图片只说一行
    # 我们加的：上一次的记录先放到一边（这次正常结束才删），并打印查看命令
    log_dir = board.fresh_run(args.logdir, image_steps=args.crops)

    # ------------------------------------------------ 课程的代码（视频 P11-P12）
    person = Person()
    person("zhangsan")
    person.hello("lisi")

    img_path = str(img_path)                                 # 视频中 "images/pytorch.png"
    writer = SummaryWriter(log_dir)                          # 视频中 SummaryWriter("logs")
    img = Image.open(img_path)
    print(img)

    # ToTensor
    trans_totensor = transforms.ToTensor()
    img_tensor = trans_totensor(img)
    writer.add_image("ToTensor", img_tensor)

    # Normalize
    print(img_tensor[0][0][0])
    trans_norm = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    img_norm = trans_norm(img_tensor)
    print(img_norm[0][0][0])
    writer.add_image("Normalize", img_norm)

    # Resize
    print(img.size)
    trans_resize = transforms.Resize((512, 512))
    # img PIL -> resize -> img_resize PIL
    img_resize = trans_resize(img)
    print(img_resize)
    # img_resize PIL -> totensor -> img_resize tensor
    img_resize = trans_totensor(img_resize)
    writer.add_image("Resize", img_resize, 0)

    # Compose - resize - 2
    trans_resize_2 = transforms.Resize(512)
    # PIL -> PIL -> tensor
    trans_compose = transforms.Compose([trans_resize_2, trans_totensor])
    img_resize_2 = trans_compose(img)
    writer.add_image("Resize", img_resize_2, 1)

    # RandomCrop
    trans_random = transforms.RandomCrop(256)
    trans_compose_2 = transforms.Compose([trans_random, trans_totensor])
    for i in range(args.crops):                # 视频中 range(10)
        img_crop = trans_compose_2(img)
        writer.add_image("RandomCrop", img_crop, i)

    writer.close()

    # 我们加的准备：P9_transforms.py 要 ants_image/ + ants_label/；hymenoptera_data 和你自己的文件夹没有，
    # 就在 data/ 下做一份（打印出位置）
    labelled_root = pictures.second_layout(train, classes[:2], args.data_root)
    ants, bees = classes[:2]

    # ------------------------------------------------ 课程的代码（P9_transforms.py：Compose 交给自己的 Dataset）
    transform = transforms.Compose([transforms.Resize(400), transforms.ToTensor()])
    root_dir = str(labelled_root)             # 视频中 root_dir = "dataset/train"
    image_ants = ants + "_image"              # 视频中 image_ants = "ants_image"
    label_ants = ants + "_label"              # 视频中 label_ants = "ants_label"
    ants_dataset = MyData(root_dir, image_ants, label_ants, transform=transform)
    image_bees = bees + "_image"              # 视频中 image_bees = "bees_image"
    label_bees = bees + "_label"              # 视频中 label_bees = "bees_label"
    bees_dataset = MyData(root_dir, image_bees, label_bees, transform=transform)

    # ------------------------------------------------ 我们加的（课程之外）
    crop_shapes = [list(img_crop.shape)]
    writer = SummaryWriter(log_dir)            # 再打开一次，写我们加的长方形裁剪
    trans_random_hw = transforms.RandomCrop((200, 400), pad_if_needed=True)   # 给 (高, 宽)：裁成长方形
    trans_compose_hw = transforms.Compose([trans_random_hw, trans_totensor])
    for i in range(args.crops):
        img_crop = trans_compose_hw(img)
        writer.add_image("RandomCropHW", img_crop, i)
    crop_shapes.append(list(img_crop.shape))
    writer.close()

    print(_("person(\"zhangsan\") 调用的是 Person.__call__；transforms 的工具也一样：trans_totensor(img) "
            "就是 trans_totensor.__call__(img)"))
    print(_("ToTensor：{before} -> {after} {shape}").format(
        before=type(img).__name__, after=type(img_tensor).__name__, shape=list(img_tensor.shape)))
    before, after = img_tensor[0][0][0].item(), img_norm[0][0][0].item()
    print(_("Normalize：img_tensor[0][0][0] {before:.4f} -> img_norm[0][0][0] {after:.4f}；"
            "手算 (x - mean) / std = ({before:.4f} - 0.5) / 0.5 = {by_hand:.4f}；"
            "范围 [0, 1] 变成 [{low:.2f}, {high:.2f}]").format(
        before=before, after=after, by_hand=(before - 0.5) / 0.5,
        low=img_norm.min().item(), high=img_norm.max().item()))
    print(_("Resize((512, 512))：PIL 大小（宽、高）{original} -> {pair}，被压成了正方形；"
            "Resize(512)：短边变成 512，比例不变，Compose 之后是 {shape} 的张量").format(
        original=img.size, pair=trans_resize(img).size, shape=list(img_resize_2.shape)))
    try:
        transforms.Compose([trans_norm, trans_totensor])(img)
        wrong_order = _("运行了")
    except TypeError as error:
        wrong_order = f"TypeError: {error}"
    print(_("Compose([trans_norm, trans_totensor])（顺序反了）：{result}").format(result=wrong_order))
    print(_("  Normalize 要的是张量，而这时图片还是 PIL 图片：ToTensor 必须在前面。看清每一步的输入和输出类型"))
    print(_("RandomCrop(256) 和 RandomCrop((200, 400)) 各 {crops} 次：形状 {shapes}，每次裁的位置都不同"
            "（tag RandomCrop 和 RandomCropHW）；pad_if_needed=True 让比裁剪尺寸小的图片先填充").format(
        crops=args.crops, shapes=crop_shapes))
    dataset_img, dataset_label = ants_dataset[0]
    print(_("MyData(..., transform=transform)：ants_dataset {ants} 张，bees_dataset {bees} 张；"
            "ants_dataset[0] 已经是 {shape} 的张量（Resize(400)：短边 400），标签 {label!r}").format(
        ants=len(ants_dataset), bees=len(bees_dataset), shape=list(dataset_img.shape), label=dataset_label))
    dataset_shape = list(dataset_img.shape)
    print(_("不清楚返回值是什么时：用 print(x)、print(type(x)) 看一看，或者用调试器（debug）"))
    return {"tensor_shape": list(img_tensor.shape), "normalize": (before, after),
            "norm_range": (img_norm.min().item(), img_norm.max().item()),
            "resize_pair": trans_resize(img).size, "resize_one": trans_resize_2(img).size, "original": img.size,
            "resize_shape": list(img_resize.shape), "compose_shape": list(img_resize_2.shape),
            "wrong_order": wrong_order, "crop_shapes": crop_shapes, "dataset_shape": dataset_shape,
            "dataset_lengths": [len(ants_dataset), len(bees_dataset)], "dataset_label": dataset_label,
            "labelled_root": str(labelled_root)}


if __name__ == "__main__":
    files.run(main)
