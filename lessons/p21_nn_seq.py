"""P21 神经网络 - 搭建小实战和 Sequential 的使用

The video's CIFAR10 network, written with `nn.Sequential`: the layers are
listed in order and the input flows through them one after another, so no
forward() has to spell out each step. Three 5x5 convolutions (padding 2
keeps the size) each followed by a 2x2 max-pool, 3 -> 32 -> 32 -> 64
channels and 32 -> 16 -> 8 -> 4 pixels a side, then Flatten (64*4*4 = 1024)
and two Linear layers down to the 10 class scores.

The network itself is defined once, in lessons/models.py, because P22-P25
use it too. Here we count its 145,578 parameters, push a batch of ones
[64,3,32,32] through it (-> [64,10]), print the shape after every layer,
and draw the graph in TensorBoard (GRAPHS tab).
"""
import warnings

import torch

import common
from models import Tudui, count_parameters


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, logs=True)
    args = common.parse_args(parser, argv)

    model = Tudui().to(args.device)
    print(model)
    parameters = count_parameters(model)
    print(f"parameters: {parameters:,}   (145,578 for the video's network)")

    x = torch.ones((64, 3, 32, 32), device=args.device)
    print(f"\ninput {list(x.shape)}")
    layer_shapes = []
    with torch.no_grad():
        out = x
        for layer in model.model:   # the Sequential, one layer at a time
            out = layer(out)
            layer_shapes.append((layer.__class__.__name__, list(out.shape)))
            print(f"  after {layer.__class__.__name__:<9} {list(out.shape)}")
        output = model(x)
    print(f"model(x) -> {list(output.shape)}   (the video: torch.Size([64, 10]))")

    writer = common.open_writer(args.logdir)
    with warnings.catch_warnings():
        # add_graph records the graph with torch.jit.trace, which PyTorch now
        # marks deprecated; TensorBoard has no other way in, so we hush that one warning.
        warnings.filterwarnings("ignore", category=FutureWarning, message=".*torch.jit.trace")
        writer.add_graph(model, x)
    writer.close()
    print("graph written: open TensorBoard's GRAPHS tab and double-click Tudui")

    return {"parameters": parameters, "output_shape": list(output.shape), "layer_shapes": layer_shapes}


if __name__ == "__main__":
    common.run(main)
