"""P9 Transforms的使用（一）（二）- P9-P10: ToTensor, and why a tensor

transforms 是一个"工具箱"：先从里面拿一个工具（tensor_trans = transforms.ToTensor()），
再用它处理图片（tensor_img = tensor_trans(img)）。ToTensor 把 PIL 图片或 numpy 数组
（高, 宽, 通道，0-255 的整数）变成张量（通道, 高, 宽，0-1 的小数）。
为什么要 Tensor：它除了数据，还带着神经网络需要的东西：requires_grad / grad（梯度）、
grad_fn（反向传播用）、device（在 CPU 还是 GPU 上），以及网络要用的各种运算。

What goes in (a PIL picture, or a numpy array from cv2 or np.array), what
comes out (shape, dtype, range), and what a tensor carries that an array
does not. The picture is also written to TensorBoard, as in the video.
"""
from pathlib import Path

import numpy as np
import torch
from torchvision import transforms

import common
import pictures


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=common.DATA_ROOT,
                        help="folder that holds hymenoptera_data (default: data/)")
    args = common.parse_args(parser, argv)

    img_path, img = pictures.first_picture(args.data_root)
    img = img.convert("RGB")
    print(f"in: PIL {img}  (width x height = {img.size[0]} x {img.size[1]}, mode {img.mode})")

    tensor_trans = transforms.ToTensor()     # take a tool out of the box
    tensor_img = tensor_trans(img)           # use it
    print(f"out: tensor_trans(img) -> {type(tensor_img).__name__} shape {list(tensor_img.shape)} "
          f"(channels, height, width), dtype {tensor_img.dtype}, values {tensor_img.min():.3f}..{tensor_img.max():.3f}")
    first = np.array(img)[0, 0]
    print(f"  pixel (0, 0): PIL/numpy {first.tolist()} (0-255) -> tensor {[round(v, 4) for v in tensor_img[:, 0, 0].tolist()]}"
          f" = value / 255")

    array = np.array(img)                    # what cv2.imread would give (cv2 in BGR order)
    array_tensor = tensor_trans(array)
    print(f"in: numpy {array.shape} {array.dtype} -> out: {list(array_tensor.shape)} {array_tensor.dtype}; "
          f"same as from PIL: {torch.equal(array_tensor, tensor_img)}")

    print("\nwhy a tensor 为什么需要 Tensor:")
    weights = torch.ones(3, requires_grad=True)
    loss = (weights * tensor_img[:, 0, 0]).sum()
    loss.backward()
    print(f"  requires_grad / grad: the gradient of a sum w.r.t. weights is the pixel itself: "
          f"{[round(v, 4) for v in weights.grad.tolist()]}")
    print(f"  grad_fn: {loss.grad_fn} (how to go backward), device: {tensor_img.device} "
          "(.to('cuda') moves it to a GPU), and every operation a network needs; a numpy array has none of these")

    writer = common.open_writer(args.logdir)
    writer.add_image("Tensor_img", tensor_img)   # a tensor is CHW already: no dataformats needed
    writer.close()
    print("writer.add_image('Tensor_img', tensor_img): no dataformats needed, a tensor is CHW")
    return {"shape": list(tensor_img.shape), "dtype": str(tensor_img.dtype),
            "range": (tensor_img.min().item(), tensor_img.max().item()),
            "pixel": first.tolist(), "tensor_pixel": tensor_img[:, 0, 0].tolist(),
            "numpy_same": torch.equal(array_tensor, tensor_img), "size": img.size}


if __name__ == "__main__":
    common.run(main)
