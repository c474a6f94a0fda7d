"""P9 Transforms的使用（一）（二）

transforms 是一个“工具箱”：先从里面拿一个工具（tensor_trans = transforms.ToTensor()），
再用它处理图片（tensor_img = tensor_trans(img)）。工具能像函数一样调用，是因为它的类写了
__call__（P11 用一个自己的小类演示）。ToTensor 把 PIL 图片或 numpy 数组（高, 宽, 通道，0-255 的整数）
变成张量（通道, 高, 宽，0-1 的小数）。

P10：为什么需要 Tensor 数据类型。它除了数据，还带着神经网络要用的东西：requires_grad / grad（梯度）、
grad_fn（反向传播用）、device（在 CPU 还是 GPU 上）。视频还用 cv2.imread 读同一张图片，得到
numpy 数组，ToTensor 也能处理；注意 cv2 的通道顺序是 BGR（蓝、绿、红），和 PIL 的 RGB 相反。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import importlib.util
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.tensorboard import SummaryWriter
from torchvision import transforms

from support import board, files, flags, pictures          # 我们的支持代码，不是课程内容
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=files.DATA_ROOT,
                        help="放 hymenoptera_data 的文件夹（默认：%(default)s）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（视频 P9-P10 里输入的；课程的 src 里没有这个文件，笔记里的变量名和这里不同）
    # python的用法 -》 tensor数据类型
    # 通过 transforms.ToTensor去看两个问题
    # 1、transforms该如何使用(python)
    # 2、为什么我们需要Tensor数据类型
    img_path = pictures.first_picture(args.data_root)[0]    # 视频中 "data/train/ants_image/0013035.jpg"
    img = Image.open(img_path)

    log_dir = board.fresh_run(args.logdir)     # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)            # 视频中 SummaryWriter("logs")

    # 1、transforms该如何使用(python)
    tensor_trans = transforms.ToTensor()
    tensor_img = tensor_trans(img)
    print(tensor_img)

    writer.add_image("Tensor_img", tensor_img)
    writer.close()

    # 2、为什么我们需要Tensor数据类型：还可以用 cv2 读图片，得到 numpy 数组
    try:
        import cv2                             # pip install opencv-python
        cv_img = cv2.imread(str(img_path))
    except ImportError:                        # 我们加的：没装 OpenCV 时，做出 cv2.imread 会给的数组：BGR 顺序
        cv_img = np.array(img.convert("RGB"))[:, :, ::-1].copy()
    print(type(cv_img))

    # ------------------------------------------------ 我们加的（课程之外）
    print(_("输入：PIL 图片，宽×高 = {width}×{height}，mode {mode}").format(
        width=img.size[0], height=img.size[1], mode=img.mode))
    print(_("输出：tensor_trans(img) 是 {kind}，形状 {shape}（通道, 高, 宽），dtype {dtype}，数值 {low:.3f} 到 {high:.3f}").format(
        kind=type(tensor_img).__name__, shape=list(tensor_img.shape), dtype=tensor_img.dtype,
        low=tensor_img.min().item(), high=tensor_img.max().item()))
    pixel = np.array(img.convert("RGB"))[0, 0]
    print(_("  左上角的像素：PIL/numpy 是 {pixel}（0-255），张量是 {tensor}，也就是 值 / 255").format(
        pixel=pixel.tolist(), tensor=[round(v, 4) for v in tensor_img[:, 0, 0].tolist()]))
    print(_("  tensor_trans(img) 其实是 tensor_trans.__call__(img)：结果一样吗？{same}").format(
        same=torch.equal(tensor_trans.__call__(img), tensor_img)))

    if importlib.util.find_spec("cv2") is None:
        print(_("（没有装 OpenCV：cv_img 是把 PIL 图片的通道倒过来做的，和 cv2.imread 给的一样是 BGR 顺序）"))
    cv_tensor = tensor_trans(cv_img)
    same_as_pil = torch.equal(cv_tensor, tensor_img)
    flipped_matches = torch.allclose(cv_tensor.flip(0), tensor_img, atol=3 / 255)   # 不同的 JPEG 解码器可能差 1-2
    print(_("cv2 读出的 numpy 数组：形状 {shape}，dtype {dtype}，左上角像素 {pixel}（B, G, R）；ToTensor 之后形状 {tshape}").format(
        shape=cv_img.shape, dtype=cv_img.dtype, pixel=cv_img[0, 0].tolist(), tshape=list(cv_tensor.shape)))
    print(_("  和 PIL 得到的张量一样吗：{same}（通道顺序是 BGR，不是 RGB）；把通道倒过来（cv_tensor.flip(0)）"
            "就一样了：{flipped}。要用 cv2 的图片，先 cv2.cvtColor(cv_img, cv2.COLOR_BGR2RGB)").format(
        same=same_as_pil, flipped=flipped_matches))

    print(_("为什么需要 Tensor："))
    weights = torch.ones(3, requires_grad=True)
    loss = (weights * tensor_img[:, 0, 0]).sum()
    loss.backward()
    print(_("  requires_grad / grad：loss = (weights * 左上角像素).sum()，loss 对 weights 的梯度正好是像素值 {grad}").format(
        grad=[round(v, 4) for v in weights.grad.tolist()]))
    print(_("  grad_fn：{grad_fn}（反向传播时知道怎么往回算）；device：{device}（.to('cuda') 就搬到 GPU 上）。"
            "numpy 数组这些都没有").format(grad_fn=loss.grad_fn, device=tensor_img.device))
    print(_("writer.add_image(\"Tensor_img\", tensor_img)：张量本来就是 CHW，不用写 dataformats"))
    return {"shape": list(tensor_img.shape), "dtype": str(tensor_img.dtype),
            "range": (tensor_img.min().item(), tensor_img.max().item()),
            "pixel": pixel.tolist(), "tensor_pixel": tensor_img[:, 0, 0].tolist(),
            "cv_same_as_pil": same_as_pil, "cv_flipped_matches": flipped_matches,
            "call_same": torch.equal(tensor_trans.__call__(img), tensor_img), "size": img.size}


if __name__ == "__main__":
    files.run(main)
