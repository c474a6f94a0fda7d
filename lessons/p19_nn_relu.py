"""P19 神经网络 - 非线性激活 (ReLU, Sigmoid)

非线性激活让网络能表示非线性的关系：没有它，多少层叠起来都只是一次线性变换。
ReLU 把负数变成 0、正数不变：[[1,-0.5],[-1,3]] -> [[1,0],[0,3]]。
inplace（原地操作）=True 直接改写输入，省内存但原值丢失。Sigmoid 把每个数压到 (0,1)。
视频的 Tudui 有 relu1 和 sigmoid1 两层，把 CIFAR10 图片经过 Sigmoid 写进 TensorBoard。

Without a non-linear step between them, any stack of layers is one linear
map. ReLU sets negatives to 0 and keeps the rest. The video reshapes its
2x2 tensor to [-1, 1, 2, 2] (batch, channel, H, W) and prints
torch.Size([1, 1, 2, 2]), then ReLU gives [[1,0],[0,3]]. `inplace=True`
overwrites the input instead of making a new tensor. Sigmoid, 1/(1+e^-x),
squeezes every number into (0, 1); the video applies it to the CIFAR10
images only (pixels in [0,1] map into [0.5,0.73]: washed-out pictures);
here it is also shown on the 2x2 tensor.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common


class Tudui(nn.Module):
    """The video's module for this section: relu1 and sigmoid1; forward uses sigmoid1."""

    def __init__(self):
        super().__init__()
        self.relu1 = nn.ReLU()
        self.sigmoid1 = nn.Sigmoid()

    def forward(self, input):
        output = self.sigmoid1(input)
        return output


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)
    device = args.device

    input = torch.tensor([[1, -0.5], [-1, 3]], device=device)
    input = torch.reshape(input, (-1, 1, 2, 2))
    print(f"input.shape {input.shape}   （视频中: torch.Size([1, 1, 2, 2])）")
    tudui = Tudui().to(device)
    print(tudui)

    relu_output = tudui.relu1(input)
    print(f"relu1(input), inplace=False（不原地）: negatives become 0\n{relu_output[0, 0].cpu()}")
    print(f"the input afterwards, unchanged:\n{input[0, 0].cpu()}")

    overwritten = input.clone()
    same_tensor = nn.ReLU(inplace=True)(overwritten)
    print(f"ReLU(inplace=True)（原地操作）: the input itself is now\n{overwritten[0, 0].cpu()}\n"
          f"(the returned tensor is the input: {same_tensor is overwritten})")

    sigmoid_output = tudui.sigmoid1(input)
    print(f"sigmoid1(input) on the same 2x2 (not in the video; 1/(1+e^-x)):\n{sigmoid_output[0, 0].cpu()}")

    dataset = cifar.cifar10(train=False, args=args)
    dataloader = DataLoader(dataset, batch_size=args.batch_size)
    steps = common.logged_steps(dataloader, args.log_batches)
    writer = common.open_writer(args.logdir, image_steps=steps)
    for step, (imgs, targets) in common.first_batches(dataloader, args.log_batches):
        imgs = imgs.to(device)
        output = tudui(imgs)
        writer.add_images("input", imgs, global_step=step)
        writer.add_images("output", output, step)
    writer.close()
    print(f"tudui(imgs) = sigmoid1(imgs): pixel range [{imgs.min():.2f}, {imgs.max():.2f}] -> "
          f"[{output.min():.4f}, {output.max():.4f}]; logged {step + 1} of {len(dataloader)} batch(es): "
          "tags input, output (the video logs every batch: --log-batches all)")

    return {"input_shape": list(input.shape), "relu": relu_output[0, 0].tolist(),
            "input_after_relu": input[0, 0].tolist(), "relu_inplace": overwritten[0, 0].tolist(),
            "inplace_returns_input": same_tensor is overwritten, "sigmoid": sigmoid_output[0, 0].tolist(),
            "sigmoid_image_range": (output.min().item(), output.max().item()),
            "logged_batches": step + 1, "printed": str(tudui)}


if __name__ == "__main__":
    common.run(main)
