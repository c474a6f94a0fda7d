"""P19 神经网络 - 非线性激活 (ReLU, Sigmoid)

Without a non-linear step between them, any stack of layers is one linear
map. ReLU sets negatives to 0 and keeps the rest: [[1,-0.5],[-1,3]] ->
[[1,0],[0,3]]. Sigmoid squeezes every number into (0, 1):
1/(1+e^-x) -> [[0.7311,0.3775],[0.2689,0.9526]].

`inplace=True` makes ReLU overwrite its input instead of making a new
tensor: it saves memory, and the original values are gone. Both are shown on
the same tensor. Then CIFAR10 images go through Sigmoid into TensorBoard:
pixels in [0,1] map into [0.5,0.73], so the pictures come out washed out.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)
    device = args.device

    x = torch.tensor([[1, -0.5], [-1, 3]], device=device)
    relu_output = nn.ReLU()(x)
    print(f"input:\n{x.cpu()}")
    print(f"ReLU(inplace=False) output (the video: [[1,0],[0,3]]):\n{relu_output.cpu()}")
    print(f"the input afterwards, unchanged:\n{x.cpu()}")

    overwritten = x.clone()
    same_tensor = nn.ReLU(inplace=True)(overwritten)
    print(f"ReLU(inplace=True): the input itself is now\n{overwritten.cpu()}\n"
          f"(the returned tensor is the input: {same_tensor is overwritten})")

    sigmoid_output = nn.Sigmoid()(x)
    print(f"Sigmoid output (the video: [[0.7311,0.3775],[0.2689,0.9526]]):\n{sigmoid_output.cpu()}")

    dataset = cifar.cifar10(train=False, args=args)
    loader = DataLoader(dataset, batch_size=args.batch_size)
    sigmoid = nn.Sigmoid()
    writer = common.open_writer(args.logdir)
    for step, (images, _) in common.first_batches(loader, args.log_batches):
        images = images.to(device)
        squeezed = sigmoid(images)
        writer.add_images("input", images, step)
        writer.add_images("output", squeezed, step)
    writer.close()
    print(f"Sigmoid of the images: pixel range [{images.min():.2f}, {images.max():.2f}] -> "
          f"[{squeezed.min():.4f}, {squeezed.max():.4f}]; logged {step + 1} batch(es): tags input, output")

    return {"relu": relu_output.tolist(), "input_after_relu": x.tolist(),
            "relu_inplace": overwritten.tolist(), "inplace_returns_input": same_tensor is overwritten,
            "sigmoid": sigmoid_output.tolist(),
            "sigmoid_image_range": (squeezed.min().item(), squeezed.max().item()),
            "logged_batches": step + 1}


if __name__ == "__main__":
    common.run(main)
