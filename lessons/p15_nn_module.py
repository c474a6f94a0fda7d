"""P15 神经网络的基本骨架 - nn.Module 的使用

Every network in PyTorch is a subclass of `nn.Module`: `__init__` builds the
pieces, `forward` says what happens to the input. This one has no pieces at
all: its forward pass adds 1, so tensor(1.) goes in and tensor(2.) comes out,
as in the video.

We call the module, `model(x)`, and never `model.forward(x)` ourselves:
calling it goes through `nn.Module.__call__`, which runs the forward hooks
and the other bookkeeping PyTorch hangs on a module, then `forward`.
"""
import torch
from torch import nn

import common


class AddOne(nn.Module):
    """input -> forward -> output, with forward = "add one"."""

    def forward(self, x):
        return x + 1


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    args = common.parse_args(parser, argv)

    model = AddOne().to(args.device)
    x = torch.tensor(1.0, device=args.device)
    output = model(x)  # nn.Module.__call__ -> hooks -> forward
    print(f"input:  {x.cpu()!r}")
    print(f"output: {output.cpu()!r}   (the video: tensor(2.))")

    # Why model(x) and not model.forward(x): a hook is part of __call__ only.
    seen_by_hook = []
    handle = model.register_forward_hook(lambda module, inputs, out: seen_by_hook.append(out.item()))
    model(x)
    model.forward(x)
    handle.remove()
    print(f"forward hooks ran {len(seen_by_hook)} time(s) for one model(x) and one model.forward(x): "
          "calling forward directly skips them")

    return {"input": x.item(), "output": output.item(), "hook_calls": len(seen_by_hook)}


if __name__ == "__main__":
    common.run(main)
