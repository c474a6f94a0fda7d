"""P18 神经网络 - 最大池化的使用 (nn.MaxPool2d)

Max pooling keeps the largest number in each window: the picture shrinks,
the strongest responses stay, and there is nothing to learn. We pool the
video's 5x5 input with a 3x3 window: the window moves by its own size
(stride defaults to kernel_size), so only one full window fits. With
ceil_mode=True the windows hanging over the edge are kept too -> [[2,3],[5,1]];
with ceil_mode=False they are dropped -> [[2]].

Then CIFAR10 images go through MaxPool2d(3, ceil_mode=True): each side
32 -> 11 (10 with ceil_mode=False), and TensorBoard shows them before and
after, blurred into blocks. Finally stride, padding, dilation and
return_indices, one at a time.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from p16_nn_conv import INPUT_5X5  # the same 5x5 input as P16


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)
    device = args.device

    # Pooling compares values, so it needs floats (the video: dtype=torch.float32).
    grid = torch.tensor(INPUT_5X5, dtype=torch.float32, device=device).reshape(1, 1, 5, 5)
    pool_ceil = nn.MaxPool2d(kernel_size=3, ceil_mode=True)
    pool_floor = nn.MaxPool2d(kernel_size=3, ceil_mode=False)
    ceil_output, floor_output = pool_ceil(grid), pool_floor(grid)
    print(f"{pool_ceil}   <- stride was not given, so it equals kernel_size")
    print("MaxPool2d(3, ceil_mode=True)  (the video: [[2,3],[5,1]])")
    print(ceil_output[0, 0].cpu())
    print("MaxPool2d(3, ceil_mode=False) (the video: [[2]])")
    print(floor_output[0, 0].cpu())

    print("\nThe other parameters, on the same 5x5 input:")
    others = {
        "stride=1": nn.MaxPool2d(3, stride=1),
        "padding=1": nn.MaxPool2d(3, padding=1),
        "dilation=2": nn.MaxPool2d(3, stride=1, dilation=2),
    }
    other_outputs = {}
    for name, pool in others.items():
        result = pool(grid)[0, 0]
        other_outputs[name] = result.tolist()
        print(f"  {name:<11} -> {list(result.shape)} {result.tolist()}")
    values, indices = nn.MaxPool2d(3, ceil_mode=True, return_indices=True)(grid)
    print(f"  return_indices=True -> values {values[0, 0].tolist()}, "
          f"flat positions in the 5x5 input {indices[0, 0].tolist()}")
    # padding pads with -inf, not 0, so a padded border never wins the max.

    dataset = cifar.cifar10(train=False, args=args)
    loader = DataLoader(dataset, batch_size=args.batch_size)
    writer = common.open_writer(args.logdir)
    for step, (images, _) in common.first_batches(loader, args.log_batches):
        images = images.to(device)
        pooled = pool_ceil(images)
        if step == 0:
            image_shapes = {"input": list(images.shape), "ceil": list(pooled.shape),
                            "floor": list(pool_floor(images).shape)}
            print(f"\nCIFAR10 batch {image_shapes['input']} -> ceil_mode=True {image_shapes['ceil']}, "
                  f"ceil_mode=False {image_shapes['floor']}")
        writer.add_images("input", images, step)
        writer.add_images("output", pooled, step)
    writer.close()
    print(f"logged {step + 1} batch(es): tags input, output")

    return {"ceil_mode": ceil_output[0, 0].tolist(), "floor_mode": floor_output[0, 0].tolist(),
            "others": other_outputs, "indices": indices[0, 0].tolist(),
            "image_shapes": image_shapes, "logged_batches": step + 1}


if __name__ == "__main__":
    common.run(main)
