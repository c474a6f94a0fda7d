"""P15 神经网络的基本骨架 - nn.Module 的使用

所有神经网络都继承 nn.Module：__init__ 里先调用 super().__init__()，再搭好要用的层；
forward 写明输入怎样变成输出（前向传播：input -> forward -> output）。
这一节的 Tudui 还没有任何层，forward 只做"加 1"：输入 tensor(1.)，输出 tensor(2.)。

调用时写 tudui(x)，不写 tudui.forward(x)：tudui(x) 走的是 nn.Module.__call__，它先运行前置钩子
（forward pre-hook），再运行 forward，最后运行钩子（forward hook）；直接调用 forward 会跳过钩子。
课程的代码之后，我们挂两个钩子，把这个顺序打印出来。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
from torch import nn

from support import files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


# ------------------------------------------------ 课程的代码（nn_module.py）：这个类，和课程文件一样写在最前面；课程其余的代码在 main() 里
class Tudui(nn.Module):
    def __init__(self):
        super().__init__()     # 少了这一行，nn.Module 内部登记层、参数、钩子的地方没有建好，一加层就报错

    def forward(self, input):
        output = input + 1
        return output


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__)
    flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_module.py）
    tudui = Tudui()
    x = torch.tensor(1.0)
    output = tudui(x)
    print(output)
    print(_("（视频中: {}）").format("tensor(2.)"))

    # ------------------------------------------------ 我们加的（课程之外）
    print(tudui)
    calls = []
    tudui.register_forward_pre_hook(lambda module, inputs: calls.append(("pre-hook", inputs[0].item())))
    tudui.register_forward_hook(lambda module, inputs, out: calls.append(("hook", out.item())))
    tudui(x)
    call_order = list(calls)
    calls.clear()
    tudui.forward(x)
    said = {"pre-hook": _("前置钩子（看到输入 {}）"), "hook": _("钩子（看到 forward 的输出 {}）")}
    print(_("tudui(x) 依次运行：{steps}").format(steps=" -> ".join(said[kind].format(value) for kind, value in call_order)))
    print(_("tudui.forward(x) 只运行 forward，钩子运行了 {n} 次：所以总是写 tudui(x)").format(n=len(calls)))
    return {"input": x.item(), "output": output.item(), "printed": str(tudui),
            "call_order": call_order, "forward_only": calls}


if __name__ == "__main__":
    files.run(main)
