"""P24 现有网络模型的使用及修改 - using and changing VGG16

torchvision.models 里有现成的网络。视频建了两个 VGG16：vgg16_false（pretrained=False，
随机参数）和 vgg16_true（pretrained=True，预训练：ImageNet 上训练好的参数）。VGG16 为
ImageNet 的 1000 类而设计，要用于 CIFAR10 的 10 类，视频演示两种修改：
  vgg16_true.classifier.add_module('add_linear', nn.Linear(1000, 10))   添加一层
  vgg16_false.classifier[6] = nn.Linear(4096, 10)                       替换一层
笔记写的 classifier[6] = nn.Linear(1000, 10) 会出错（下面会运行并解释）。
pretrained=True 是旧写法，现在写 weights=VGG16_Weights.IMAGENET1K_V1。

torchvision ships ready-made networks. `vgg16()` builds VGG16 (138 million
parameters) for ImageNet's 1000 classes; its last part, `classifier`, is a
Sequential whose layer [6] is Linear(4096, 1000). To use it for CIFAR10's 10
classes we change it, in the two ways the video shows:

  add a layer       classifier.add_module('add_linear', nn.Linear(1000, 10))
                    1000 ImageNet scores -> 10 CIFAR10 scores
  replace a layer   classifier[6] = nn.Linear(4096, 10)
                    the new layer takes the 4096 numbers layer [6] always got

The notes write `classifier[6] = nn.Linear(1000, 10)`: that layer would
expect 1000 inputs but still receives 4096, so the forward pass fails. We
run it and show the error. A forward pass on a CIFAR-sized batch [4,3,32,32]
proves each changed model works.

The video's `pretrained=True` is the old spelling; current torchvision takes
`weights=VGG16_Weights.IMAGENET1K_V1` (and `pretrained=False` is
`weights=None`). Without --pretrained the weights are random and nothing is
downloaded; with it the ImageNet weights (528 MB) are downloaded once into
torch's hub cache.
"""
import copy
import http.client
import pickle
import socket
import urllib.error
from pathlib import Path

import torch
from torch import nn
from torchvision.models import VGG16_Weights, vgg16

import common

PRETRAINED = VGG16_Weights.IMAGENET1K_V1   # what pretrained=True meant


def weights_file():
    """Where torch keeps downloaded weights on this machine."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(PRETRAINED.url).name


def load_pretrained_vgg16():
    """VGG16 with ImageNet weights: from the hub cache, else downloaded with a progress bar."""
    target = weights_file()
    if not target.is_file():
        offline = common.unreachable(PRETRAINED.url)
        if offline:
            raise common.LessonError(_place_by_hand(offline))
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(common.NETWORK_TIMEOUT)   # give up on a dead network in seconds
    try:
        # torch.hub downloads into a temporary file and renames it when complete
        return vgg16(weights=PRETRAINED, progress=True)
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout) as error:
        raise common.LessonError(_place_by_hand(common.network_reason(error))) from None
    except (RuntimeError, pickle.UnpicklingError, EOFError, KeyError):
        if not target.is_file():
            raise
        raise common.LessonError(
            f"{target} is damaged or incomplete ({target.stat().st_size:,} bytes; the real file is about "
            f"528 MB): delete it and run again to download it afresh, or replace it with a good copy "
            f"of {PRETRAINED.url}") from None
    finally:
        socket.setdefaulttimeout(previous_timeout)


def _place_by_hand(reason):
    return (f"could not download the VGG16 ImageNet weights ({reason}). Download {PRETRAINED.url} "
            f"(about 528 MB) by hand and save it as {weights_file()}, then run again "
            "(or drop --pretrained for random weights)")


def imagenet_note():
    """Why the video's ImageNet line stays commented out, as it is in the course's code."""
    return ("torchvision.datasets.ImageNet(..., download=True) cannot work: ImageNet is not public any more; "
            "the class only reads archives placed by hand (ILSVRC2012_devkit_t12.tar.gz and "
            "ILSVRC2012_img_train.tar, ~150 GB, after registering at image-net.org), so the video keeps CIFAR10")


def forward_shape(model, batch):
    with torch.no_grad():
        return list(model(batch).shape)


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--pretrained", action="store_true",
                        help=f"start from the ImageNet weights (downloads 528 MB once to {weights_file()})")
    args = common.parse_args(parser, argv)
    device = args.device

    print(imagenet_note())
    print("pretrained=False  ->  vgg16(weights=None)")
    print(f"pretrained=True   ->  vgg16(weights=VGG16_Weights.IMAGENET1K_V1)   "
          f"(file {weights_file().name}, {PRETRAINED.meta['_metrics']['ImageNet-1K']['acc@1']}% top-1 on ImageNet)")
    vgg16_false = vgg16(weights=None)
    if args.pretrained:
        vgg16_true = load_pretrained_vgg16()
        print(f"vgg16_true: the ImageNet weights（预训练参数）, from {weights_file()}")
    else:
        vgg16_true = vgg16(weights=None)
        print("vgg16_true: random weights here, like vgg16_false (add --pretrained for the ImageNet ones, "
              "a 528 MB download); the changes below are the same either way")
    print(vgg16_true)   # the whole network, once: features, avgpool, classifier
    for model in (vgg16_true, vgg16_false):
        model.eval().to(device)   # Dropout off, so the forward passes below are repeatable

    batch = torch.rand(4, 3, 32, 32, device=device)   # CIFAR-sized: 4 images, 3 colours, 32x32
    original_shape = forward_shape(vgg16_true, batch)
    print(f"\nunchanged: {list(batch.shape)} -> {original_shape} (1000 ImageNet classes)")

    # 添加 add a layer, on vgg16_true (as the video does)
    vgg16_true.classifier.add_module("add_linear", nn.Linear(1000, 10).to(device))
    added_shape = forward_shape(vgg16_true, batch)
    print(f"vgg16_true.classifier.add_module('add_linear', nn.Linear(1000, 10)) -> {added_shape}; "
          f"the classifier now:\n{vgg16_true.classifier}")

    # 修改 replace a layer, on vgg16_false; first as the notes write it
    broken = copy.deepcopy(vgg16_false)
    broken.classifier[6] = nn.Linear(1000, 10).to(device)
    try:
        forward_shape(broken, batch)
        broken_error = None
    except RuntimeError as error:
        broken_error = str(error).splitlines()[0]
    print(f"\nclassifier[6] = nn.Linear(1000, 10) (笔记的写法): fails with \"{broken_error}\"\n"
          f"    layer [6] still receives the 4096 outputs of layer [3] (through ReLU and Dropout), "
          "so its in_features must be 4096")

    vgg16_false.classifier[6] = nn.Linear(4096, 10).to(device)
    replaced_shape = forward_shape(vgg16_false, batch)
    print(f"vgg16_false.classifier[6] = nn.Linear(4096, 10) -> {replaced_shape}; the classifier now:\n"
          f"{vgg16_false.classifier}")
    model, replaced = vgg16_true, vgg16_false

    return {"original_shape": original_shape, "added_shape": added_shape, "broken_error": broken_error,
            "replaced_shape": replaced_shape, "pretrained": args.pretrained,
            "added_classifier": [type(m).__name__ for m in model.classifier],
            "replaced_last": (replaced.classifier[6].in_features, replaced.classifier[6].out_features)}


if __name__ == "__main__":
    common.run(main)
