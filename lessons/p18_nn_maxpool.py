"""P18 神经网络 - 最大池化的使用 (nn.MaxPool2d)

最大池化（max pooling）在每个窗口里只保留最大的数：图变小，最强的响应留下，没有要学的参数。
视频先用 5x5 输入和 3x3 窗口：stride 默认等于 kernel_size，ceil_mode=True（向上取整）保留
超出边缘的窗口 -> [[2,3],[5,1]]，ceil_mode=False -> [[2]]。再把 CIFAR10 图片送进
Tudui 的 maxpool1 = MaxPool2d(3, ceil_mode=False)：32 -> 10，图片在 TensorBoard 里变成马赛克。

Max pooling keeps the largest number in each window. The window moves by its
own size (stride defaults to kernel_size), so on the video's 5x5 input only
one full 3x3 window fits: ceil_mode=True keeps the windows that hang over the
edge too -> [[2,3],[5,1]]; ceil_mode=False drops them -> [[2]].

Then CIFAR10 images go through the video's Tudui, whose maxpool1 is
MaxPool2d(kernel_size=3, ceil_mode=False): each side 32 -> 10 (11 with
ceil_mode=True), and TensorBoard shows them before and after. Finally
stride, padding, dilation and return_indices, one at a time.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from p16_nn_conv import INPUT_5X5  # the same 5x5 input as P16


class Tudui(nn.Module):
    """The video's module for this section: one max-pooling layer, maxpool1."""

    def __init__(self):
        super().__init__()
        self.maxpool1 = nn.MaxPool2d(kernel_size=3, ceil_mode=False)

    def forward(self, input):
        output = self.maxpool1(input)
        return output


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)
    device = args.device

    # The video adds dtype=torch.float32 because its (older) PyTorch had no
    # max pooling for whole numbers ("max_pool2d" not implemented for 'Long').
    input = torch.tensor(INPUT_5X5, device=device)
    input = torch.reshape(input, (-1, 1, 5, 5))
    integer_output = nn.MaxPool2d(kernel_size=3, ceil_mode=True)(input)
    print(f"integer input {input.dtype}: pools fine in PyTorch {torch.__version__.split('+')[0]} -> "
          f"{integer_output[0, 0].tolist()}; the video's error came from an older version, hence its float32")

    input = input.to(torch.float32)
    pool_ceil = nn.MaxPool2d(kernel_size=3, ceil_mode=True)
    pool_floor = nn.MaxPool2d(kernel_size=3, ceil_mode=False)
    ceil_output, floor_output = pool_ceil(input), pool_floor(input)
    print(f"{pool_ceil}   <- stride（步长） not given, so it equals kernel_size")
    print("ceil_mode=True（向上取整）: the windows over the edge count too")
    print(ceil_output[0, 0].cpu())
    print("ceil_mode=False（向下取整）: only the one full window")
    print(floor_output[0, 0].cpu())

    print("\nThe other parameters, on the same 5x5 input:")
    others = {
        "stride=1（步长）": nn.MaxPool2d(3, stride=1),
        "padding=1（填充）": nn.MaxPool2d(3, padding=1),
        "dilation=2（空洞）": nn.MaxPool2d(3, stride=1, dilation=2),
    }
    other_outputs = {}
    for name, pool in others.items():
        result = pool(input)[0, 0]
        other_outputs[name.split("（")[0]] = result.tolist()
        print(f"  {name:<16} -> {list(result.shape)} {result.tolist()}")
    values, indices = nn.MaxPool2d(3, ceil_mode=True, return_indices=True)(input)
    print(f"  return_indices=True -> values {values[0, 0].tolist()}, "
          f"flat positions in the 5x5 input {indices[0, 0].tolist()}")
    # padding pads with -inf, not 0: an all-negative input shows which.
    negative = -torch.ones(1, 1, 3, 3, device=device)
    padded_max = nn.MaxPool2d(3, stride=3, padding=1, ceil_mode=True)(negative)[0, 0, 0, 0].item()
    print(f"  correction 更正: padding fills with -inf, not 0 as the notes say (笔记写填充 0): "
          f"on an all -1 input the padded window's max is {padded_max}, not 0")

    dataset = cifar.cifar10(train=False, args=args)
    dataloader = DataLoader(dataset, batch_size=args.batch_size)
    tudui = Tudui()
    print(tudui)
    steps = common.logged_steps(dataloader, args.log_batches)
    writer = common.open_writer(args.logdir, image_steps=steps)
    for step, (imgs, targets) in common.first_batches(dataloader, args.log_batches):
        imgs = imgs.to(device)
        output = tudui(imgs)
        if step == 0:
            image_shapes = {"input": list(imgs.shape), "floor": list(output.shape),
                            "ceil": list(pool_ceil(imgs).shape)}
            print(f"CIFAR10 batch {image_shapes['input']} -> maxpool1 (ceil_mode=False) {image_shapes['floor']}; "
                  f"with ceil_mode=True it would be {image_shapes['ceil']}")
        writer.add_images("input", imgs, step)
        writer.add_images("output", output, step)
    writer.close()
    print(f"logged {step + 1} of {len(dataloader)} batch(es): tags input, output "
          "(the video logs every batch: add --log-batches all)")

    return {"ceil_mode": ceil_output[0, 0].tolist(), "floor_mode": floor_output[0, 0].tolist(),
            "integer_ceil_mode": integer_output[0, 0].tolist(), "padding_fill": padded_max,
            "others": other_outputs, "indices": indices[0, 0].tolist(),
            "image_shapes": image_shapes, "logged_batches": step + 1, "printed": str(tudui)}


if __name__ == "__main__":
    common.run(main)
