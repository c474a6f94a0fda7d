"""P13 torchvision中的数据集使用 - torchvision.datasets.CIFAR10

torchvision.datasets 里有现成的数据集。CIFAR10 的参数：root（存放的文件夹）、train（True 训练集 /
False 测试集）、transform（对图片的处理，如 ToTensor）、target_transform（对标签的处理）、
download（不在 root 里就下载）。test_set[0] 是 (图片, 标签)，标签是类别的序号，
test_set.classes[target] 是它的名字。视频把测试集前 10 张图片写进 TensorBoard（tag "test_set"）。

CIFAR10 comes through lessons/cifar.py, which finds it under data/, downloads
it, or, offline, stands in for it with the tiny made-up set (and says so):
the same interface, so every line below reads as the video's. Without a
transform an item is a PIL picture; with ToTensor, a tensor.
"""
from pathlib import Path

import torchvision

import cifar
import common


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)

    # without a transform: PIL pictures, as the video first prints them
    plain_set = cifar.cifar10(train=False, args=args, transform=None)
    img, target = plain_set[0]
    real = type(plain_set).__name__ == "CIFAR10"
    print(f"test_set[0] -> ({img}, {target})")
    print(f"test_set.classes -> {plain_set.classes}")
    print(f"test_set.classes[target] -> {plain_set.classes[target]!r}"
          + "   (official CIFAR10's first test picture: 3, 'cat')")
    picture = Path(args.logdir) / "test_set_0.png"
    common.save_picture(img, picture)     # the video calls img.show(), which opens a picture viewer
    print(f"img.show() opens a viewer; saved here instead: {common.shown(picture)}")

    # with transform=ToTensor and a target_transform
    dataset_transform = torchvision.transforms.Compose([torchvision.transforms.ToTensor()])
    train_set = cifar.cifar10(train=True, args=args, transform=dataset_transform)
    test_set = cifar.cifar10(train=False, args=args, transform=dataset_transform)
    print(f"len(train_set) {len(train_set)}, len(test_set) {len(test_set)}   (real CIFAR10: 50000, 10000)")
    tensor_img, target = test_set[0]
    print(f"with transform=ToTensor: test_set[0][0] is a {type(tensor_img).__name__} {list(tensor_img.shape)}")
    named = cifar.cifar10(train=False, args=args, transform=dataset_transform,
                          target_transform=lambda index: plain_set.classes[index])
    print(f"with target_transform=lambda i: classes[i]: test_set[0][1] -> {named[0][1]!r}")

    writer = common.open_writer(args.logdir)
    for i in range(10):
        img, target = test_set[i]
        writer.add_image("test_set", img, i)
    writer.close()
    print("the first 10 test pictures -> TensorBoard tag test_set, steps 0..9 (IMAGES; drag the step slider)")
    return {"first_target": test_set[0][1], "classes": list(plain_set.classes),
            "lengths": (len(train_set), len(test_set)), "tensor_shape": list(tensor_img.shape),
            "named_target": named[0][1], "real": real, "picture": picture}


if __name__ == "__main__":
    common.run(main)
