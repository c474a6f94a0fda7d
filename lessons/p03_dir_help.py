"""P3 Python学习中的两大法宝函数

dir() 打开一个“工具箱”，看里面有什么（属性和方法）；help() 是说明书，告诉你一个工具怎么用。
视频在 Python 控制台里一层层地看 torch：dir(torch) 里有 cuda，dir(torch.cuda) 里有 is_available；
再看 dir(torch.cuda.is_available)，只剩下前后都是双下划线的名字（__call__ 等），说明它已经是一个
“工具”（函数），不是工具箱了。help(torch.cuda.is_available) 告诉我们它返回一个 bool：
这台电脑上的 PyTorch 能不能用 CUDA（NVIDIA 显卡）。

dir(torch) 有一千多个名字，默认只列出前 12 个不以下划线开头的；--all 全部列出，和视频的控制台一样。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import pydoc

import torch

from support import files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__)
    parser.add_argument("--all", action="store_true",
                        help="把 dir() 返回的名字全部打印出来（默认只列前 12 个不以下划线开头的）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（视频在 Python 控制台里一行行输入，没有课程文件）
    # dir()：打开工具箱，看看里面有什么
    names = dir(torch)
    print("dir(torch):", listed(names, args.all))
    cuda_names = dir(torch.cuda)
    print("dir(torch.cuda):", listed(cuda_names, args.all))
    tool_names = dir(torch.cuda.is_available)
    print("dir(torch.cuda.is_available):", tool_names)

    # help()：工具的说明书
    pydoc.pager = pydoc.plainpager      # 我们加的：说明书直接打印在这里，不打开分页器（less），和视频的控制台一样
    help(torch.cuda.is_available)
    available = torch.cuda.is_available()
    print("torch.cuda.is_available():", available)

    # ------------------------------------------------ 我们加的（课程之外）
    all_dunder = all(n.startswith("__") and n.endswith("__") for n in tool_names)
    print(_("dir(torch) 一共 {n} 个名字，里面有 'cuda'：{has_cuda}；dir(torch.cuda) 里有 'is_available'：{has_tool}").format(
        n=len(names), has_cuda="cuda" in names, has_tool="is_available" in cuda_names))
    print(_("dir(torch.cuda.is_available) 的 {n} 个名字全是前后双下划线的：{all_dunder}（例如 __call__、__doc__）："
            "它是一个函数，是“工具”，不是“工具箱”").format(n=len(tool_names), all_dunder=all_dunder))
    if available:
        print(_("torch.cuda.is_available() 是 True：这个 PyTorch 能用 NVIDIA 显卡"))
    else:
        print(_("torch.cuda.is_available() 是 False：这里用不了 NVIDIA 显卡（装的是 CPU 版 PyTorch、没有显卡，"
                "或者没有驱动）。每一课照样能在 CPU 上运行"))
    print(_("自己在 Python 控制台里试试：dir(torch.nn)、help(torch.nn.Conv2d)"))
    return {"torch_names": len(names), "has_cuda": "cuda" in names, "has_is_available": "is_available" in cuda_names,
            "tool_names_all_dunder": all_dunder, "available": available,
            "help": pydoc.render_doc(torch.cuda.is_available, renderer=pydoc.plaintext)}


def listed(names, everything):
    """dir() 的结果：--all 时全部；默认只列前 12 个不以下划线开头的名字。"""
    if everything:
        return names
    public = [name for name in names if not name.startswith("_")]
    return str(public[:12])[:-1] + ", ...]"


if __name__ == "__main__":
    files.run(main)
