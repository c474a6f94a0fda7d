"""P3 Python学习中的两大法宝函数 - dir() and help()

dir() 打开一个"工具箱"，列出里面有什么（属性和方法）；help() 是说明书，告诉你一个工具怎么用。
视频用它们一层层探索 torch：dir(torch) 里有 cuda，dir(torch.cuda) 里有 is_available，
再 dir(torch.cuda.is_available) 只剩下双下划线开头的名字（__call__ 等），说明它已经是一个
"工具"（函数）而不是工具箱了；help(torch.cuda.is_available) 告诉我们它返回一个 bool：
这台电脑的 PyTorch 能不能用 CUDA（GPU）。

dir() opens a toolbox and lists what is inside; help() reads the manual of
one tool. The video walks torch -> torch.cuda -> torch.cuda.is_available:
the last one's dir() holds only double-underscore names (__call__, __doc__,
...), the sign of a function rather than a package, and help() says it
returns a bool telling whether CUDA can be used.
"""
import pydoc

import torch

import common


def public(names):
    """The names a beginner reads first: those that do not start with an underscore."""
    return [name for name in names if not name.startswith("_")]


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    parser.add_argument("--all", action="store_true", help="print every name dir() returns, not only the first ones")
    args = common.parse_args(parser, argv)
    shown = None if args.all else 12

    names = dir(torch)
    print(f"dir(torch): {len(names)} names, {len(public(names))} without a leading underscore; "
          f"'cuda' among them: {'cuda' in names}")
    print(f"  first ones: {public(names)[:shown]}{'' if args.all else ' ...'}")
    cuda_names = dir(torch.cuda)
    print(f"dir(torch.cuda): {len(cuda_names)} names; 'is_available' among them: {'is_available' in cuda_names}")
    print(f"  first ones: {public(cuda_names)[:shown]}{'' if args.all else ' ...'}")
    tool_names = dir(torch.cuda.is_available)
    print(f"dir(torch.cuda.is_available): {len(tool_names)} names, all with double underscores: "
          f"{all(n.startswith('__') and n.endswith('__') for n in tool_names)} "
          f"(e.g. {', '.join(n for n in tool_names if n in ('__call__', '__doc__', '__name__'))}): "
          "a function, a tool, not a toolbox")

    manual = pydoc.render_doc(torch.cuda.is_available, renderer=pydoc.plaintext).strip()
    print("\nhelp(torch.cuda.is_available):")
    print("  " + "\n  ".join(manual.splitlines()[:8]))
    available = torch.cuda.is_available()
    print(f"\ntorch.cuda.is_available() -> {available}   "
          + ("(this PyTorch can use an NVIDIA GPU)" if available else
             "(no NVIDIA GPU usable here: a CPU-only PyTorch, no GPU, or no driver. "
              "Every lesson still runs, on the CPU)"))
    print("Try them yourself in the Python console: dir(torch.nn), help(torch.nn.Conv2d)")
    return {"torch_names": len(names), "has_cuda": "cuda" in names, "has_is_available": "is_available" in cuda_names,
            "tool_names_all_dunder": all(n.startswith("__") for n in tool_names), "available": available,
            "help": manual}


if __name__ == "__main__":
    common.run(main)
