"""P13 torchvision中的数据集使用

torchvision.datasets 里有现成的数据集。CIFAR10 的参数：root（存放的文件夹）、train（True 训练集 /
False 测试集）、transform（对图片的处理，如 ToTensor）、target_transform（对标签的处理）、
download（root 里没有就下载）。不加 transform 时 test_set[0] 是 (PIL 图片, 标签)，标签是类别的序号，
test_set.classes[target] 是它的名字；加上 transform=ToTensor 后图片就是张量。
视频把测试集前 10 张图片写进 TensorBoard（tag "test_set"）。

数据在 data/ 里就直接用；不在就下载（可以断点续传）；没有网络（或者 --tiny）就用项目生成的小替代集，
并且会说明：torchvision.datasets.CIFAR10(...) 这一行照样是视频里的写法。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
from pathlib import Path

import torchvision
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, is_standin
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（P10_dataset_transform.py）
    # 先不加 transform：视频先打印出来看看（课程文件里这一段后来注释掉了，并移到了 transform 那几行后面）
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    train_set = torchvision.datasets.CIFAR10(root=data_root, train=True, download=True)    # 视频中 root="./dataset"
    test_set = torchvision.datasets.CIFAR10(root=data_root, train=False, download=True)
    print(test_set[0])
    print(test_set.classes)

    img, target = test_set[0]
    print(img)
    print(target)
    print(test_set.classes[target])
    # img.show()                         # 视频用 img.show() 弹出看图软件；我们把图片存成文件（下一行），在哪里都能打开
    picture = Path(args.logdir) / "test_set_0.png"
    files.save_picture(img, picture)

    dataset_transform = torchvision.transforms.Compose([
        torchvision.transforms.ToTensor()
    ])

    train_set = torchvision.datasets.CIFAR10(root=data_root, train=True, transform=dataset_transform, download=True)
    test_set = torchvision.datasets.CIFAR10(root=data_root, train=False, transform=dataset_transform, download=True)
    print(test_set[0])                   # 课程文件最后一行注释掉的 print：加了 transform，图片变成了张量

    log_dir = board.fresh_run(args.logdir)     # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)            # 视频中 SummaryWriter("p10")
    for i in range(10):
        img, target = test_set[i]
        writer.add_image("test_set", img, i)

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    print(_("真正的 CIFAR10 测试集第一张是 3，'cat'；这次是 {target}，{name!r}").format(
        target=test_set[0][1], name=test_set.classes[test_set[0][1]]))
    print(_("img.show() 会打开看图软件；这里把图片存成了文件：{path}").format(path=files.shown(picture)))
    print(_("len(train_set) {train}，len(test_set) {test}（真正的 CIFAR10：50000，10000）").format(
        train=len(train_set), test=len(test_set)))
    tensor_img = test_set[0][0]
    print(_("加上 transform=dataset_transform 之后，test_set[0][0] 是 {kind}，形状 {shape}").format(
        kind=type(tensor_img).__name__, shape=list(tensor_img.shape)))
    named_set = torchvision.datasets.CIFAR10(root=data_root, train=False, transform=dataset_transform,
                                             target_transform=lambda index: test_set.classes[index], download=True)
    print(_("target_transform=lambda index: test_set.classes[index]：named_set[0][1] 是 {name!r}，不再是序号").format(
        name=named_set[0][1]))
    print(_("测试集前 10 张图片写进了 TensorBoard，tag \"test_set\"，步数 0..9（IMAGES 页，拖动步数滑块）"))
    return {"first_target": test_set[0][1], "classes": list(test_set.classes),
            "lengths": (len(train_set), len(test_set)), "tensor_shape": list(tensor_img.shape),
            "named_target": named_set[0][1], "real": not is_standin(test_set), "picture": picture}


if __name__ == "__main__":
    files.run(main)
