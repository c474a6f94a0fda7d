"""P24 现有网络模型的使用及修改

你会看到：两个 VGG16（vgg16_false 随机参数；vgg16_true 预训练，默认不下载所以也是随机参数，
加 --pretrained 才下载），以及视频的两种改法之后网络的样子：add_module 加一层 Linear(1000, 10)，
classifier[6] 换成 Linear(4096, 10)。最后 4 张 CIFAR10 图片过一遍改过的网络，输出形状是 [4, 10]；
笔记里的 classifier[6] = nn.Linear(1000, 10) 也运行一次，看它为什么出错。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
import torchvision
from torch import nn
from torchvision.models import VGG16_Weights

from support import files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, pretrained_download, weights_file
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True)
    parser.add_argument("--pretrained", action="store_true",
                        help="vgg16_true 用 ImageNet 预训练权重（第一次要下载 553 MB，存进 torch 的 hub 缓存）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（model_pretrained.py）
    # train_data = torchvision.datasets.ImageNet("../data_image_net", split='train', download=True,
    #                                            transform=torchvision.transforms.ToTensor())
    # 我们加的：说明视频为什么把上面这一行注释掉
    print(_("视频把加载 ImageNet 数据集的那一行注释掉了：ImageNet 已经不公开下载，torchvision.datasets.ImageNet 只读"
            "手动放好的压缩包（ILSVRC2012_img_train.tar 等，约 150 GB，要先在 image-net.org 注册），"
            "所以视频改用 CIFAR10"))

    vgg16_false = torchvision.models.vgg16(weights=None)            # 视频中 pretrained=False
    if args.pretrained:                     # 我们加的：553 MB 的预训练权重，要 --pretrained 才下载
        with pretrained_download(VGG16_Weights.IMAGENET1K_V1):   # 我们加的：没有网络、下载失败、文件损坏，都只说一行
            vgg16_true = torchvision.models.vgg16(weights=VGG16_Weights.IMAGENET1K_V1)   # 视频中 pretrained=True
    else:
        vgg16_true = torchvision.models.vgg16(weights=None)         # 我们加的：默认随机参数，不下载

    print(vgg16_true)

    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    train_data = torchvision.datasets.CIFAR10(data_root, train=True, transform=torchvision.transforms.ToTensor(),
                                              download=True)                 # 视频中 root 是 '../data'

    vgg16_true.classifier.add_module('add_linear', nn.Linear(1000, 10))
    print(vgg16_true)

    print(vgg16_false)
    vgg16_false.classifier[6] = nn.Linear(4096, 10)
    print(vgg16_false)

    # ------------------------------------------------ 我们加的（课程之外）
    if args.pretrained:
        print(_("vgg16_true 用的是 ImageNet 预训练权重，来自 {path}").format(path=weights_file(VGG16_Weights.IMAGENET1K_V1)))
    else:
        imagenet = VGG16_Weights.IMAGENET1K_V1
        print(_("vgg16_true 这次是随机参数，和 vgg16_false 一样；加 --pretrained 才用 ImageNet 预训练权重"
                "（{url}，553 MB，ImageNet 上 top-1 正确率 {acc}%）。无论加不加 --pretrained，上面的改法都一样").format(
            url=imagenet.url, acc=imagenet.meta["_metrics"]["ImageNet-1K"]["acc@1"]))
    imgs = torch.stack([train_data[i][0] for i in range(4)])      # 4 张训练图片：[4, 3, 32, 32]
    with torch.no_grad():
        # vgg16_true(imgs) 就是 features -> avgpool -> flatten -> classifier；拆开来能看原来那 7 层的输出
        features = torch.flatten(vgg16_true.avgpool(vgg16_true.features(imgs)), 1)
        original_shape = list(vgg16_true.classifier[:7](features).shape)
        added_shape = list(vgg16_true.classifier(features).shape)
        print(_("{imgs} -> features 等 -> {features} -> 原来的 classifier -> {original}（1000 个 ImageNet 类别）"
                " -> add_linear -> {added}").format(imgs=list(imgs.shape), features=list(features.shape),
                                                    original=original_shape, added=added_shape))

        replacement = vgg16_false.classifier[6]
        vgg16_false.classifier[6] = nn.Linear(1000, 10)             # 笔记的写法
        try:
            vgg16_false(imgs)
            broken_error = None
        except RuntimeError as error:
            broken_error = str(error).splitlines()[0]
        vgg16_false.classifier[6] = replacement
        replaced_shape = list(vgg16_false(imgs).shape)
    print(_("笔记的写法 classifier[6] = nn.Linear(1000, 10) 会出错：{error}。classifier[6] 收到的仍然是 classifier[3] 输出的 "
            "4096 个数（经过 ReLU 和 Dropout），所以 in_features 必须是 4096").format(error=broken_error))
    print(_("vgg16_false.classifier[6] = nn.Linear(4096, 10) 之后：{imgs} -> {replaced}").format(
        imgs=list(imgs.shape), replaced=replaced_shape))

    return {"original_shape": original_shape, "added_shape": added_shape, "broken_error": broken_error,
            "replaced_shape": replaced_shape, "pretrained": args.pretrained, "features_shape": list(features.shape),
            "added_classifier": [type(m).__name__ for m in vgg16_true.classifier],
            "replaced_last": (vgg16_false.classifier[6].in_features, vgg16_false.classifier[6].out_features)}


if __name__ == "__main__":
    files.run(main)
