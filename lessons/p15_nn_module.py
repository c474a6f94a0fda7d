"""P15 神经网络的基本骨架 - nn.Module 的使用

所有网络都继承 nn.Module：__init__ 里先调用 super().__init__()，再搭好要用的层；
forward 写明输入怎样变成输出（前向传播 input -> forward -> output）。
这一节的 Tudui 没有任何层，forward 只做"加 1"：输入 tensor(1.)，输出 tensor(2.)。
调用时写 tudui(x)，不要写 tudui.forward(x)。

Every network subclasses nn.Module. `__init__` first calls
`super().__init__()` (which sets up the bookkeeping every module needs: its
list of layers, parameters and hooks), then builds the layers; `forward`
says what happens to the input. The video's Tudui has no layers: forward
adds 1, so tensor(1.) goes in and tensor(2.) comes out.

We call the module, `tudui(x)`, never `tudui.forward(x)`: the call goes
through `nn.Module.__call__`, which runs the forward *pre*-hooks, then
`forward`, then the forward hooks (which see the output). Calling forward
directly skips both kinds of hook.
"""
import torch
from torch import nn

import common


class Tudui(nn.Module):
    """The video's first module: no layers, forward adds one."""

    def __init__(self):
        super().__init__()   # without it, nn.Module's bookkeeping is missing and assigning a layer fails

    def forward(self, input):
        output = input + 1
        return output


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    args = common.parse_args(parser, argv)

    tudui = Tudui().to(args.device)
    print(f"print(tudui) -> {tudui}")
    x = torch.tensor(1.0, device=args.device)
    output = tudui(x)  # nn.Module.__call__: pre-hooks -> forward -> hooks
    print(f"input  x = {x.cpu()!r}")
    print(f"output tudui(x) = {output.cpu()!r}   （视频中: tensor(2.)）")

    # The order __call__ runs things in, recorded by one hook of each kind.
    order = []
    pre = tudui.register_forward_pre_hook(lambda module, inputs: order.append("pre-hook（前置钩子）"))
    post = tudui.register_forward_hook(lambda module, inputs, out: order.append(f"hook（钩子） sees {out.item()}"))
    original_forward = tudui.forward
    tudui.forward = lambda input: (order.append("forward"), original_forward(input))[1]
    tudui(x)
    called_by_call = list(order)
    order.clear()
    tudui.forward(x)
    called_directly = list(order)
    pre.remove()
    post.remove()
    del tudui.forward   # back to the class's forward
    print(f"tudui(x) runs:         {' -> '.join(called_by_call)}")
    print(f"tudui.forward(x) runs: {' -> '.join(called_directly)}   (no hooks: always call tudui(x))")

    return {"input": x.item(), "output": output.item(), "printed": str(tudui),
            "call_order": called_by_call, "forward_only": called_directly,
            "hook_calls": sum(step.startswith("hook") for step in called_by_call + called_directly)}


if __name__ == "__main__":
    common.run(main)
