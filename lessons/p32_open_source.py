"""P32 看看开源项目

开源的训练项目一般不改代码，改命令行选项：选项都用 argparse 定义，在命令行里给出。读一个项目，先读它的
选项定义：每个 add_argument 的 required（必须给出）、default（不给时的默认值）、help（说明，
--help 会打印出来）、type（把命令行里的文字转成 int、float……）、action='store_true'（开关：
写上就是 True，不写就是 False）。
视频读的是一个真实项目（pytorch-CycleGAN-and-pix2pix）的选项文件。本课定义一组同样风格的选项，
解析几条命令行，打印每个选项最后的值和它是从哪里来的，再演示漏掉 required 选项、类型写错时的报错。
我们的每一课也都用 argparse：python lessons/p26_train.py --help 就能看到它的全部选项。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import argparse
import contextlib
import io

from support import files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


def project_parser():
    """Options of the kind a real training project declares (as in its options/base_options.py)."""
    parser = argparse.ArgumentParser(prog="train.py", formatter_class=flags.TranslatedHelp)
    parser.add_argument("--dataroot", required=True, help="图片在哪里（required：没有合理的默认值，必须给出）")
    parser.add_argument("--name", type=str, default="experiment_name", help="这次实验的名字，决定结果存在哪里")
    parser.add_argument("--batch_size", type=int, default=1, help="每批多少张图片")
    parser.add_argument("--lr", type=float, default=0.0002, help="初始学习率")
    parser.add_argument("--gpu_ids", type=str, default="0", help="用哪几块显卡：例如 0、0,1,2，-1 表示用 CPU")
    parser.add_argument("--continue_train", action="store_true", help="接着训练：先读取最新保存的模型")
    return parser


EXAMPLES = [
    ["--dataroot", "./datasets/horse2zebra"],
    ["--dataroot", "./datasets/horse2zebra", "--batch_size", "4", "--lr", "1e-3", "--gpu_ids", "-1",
     "--continue_train"],
]


def refusal(parser, argv):
    """The one line argparse prints (on stderr) before it stops the program with exit status 2."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.suppress(SystemExit):
        parser.parse_args(argv)
    return said.getvalue().strip().splitlines()[-1]


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__)
    flags.parse_args(parser, argv)

    project = project_parser()
    print(_("项目的选项（python train.py --help 打印的就是这些）："))
    print(project.format_help())
    results = []
    for example in EXAMPLES:
        options = project.parse_args(example)
        results.append(vars(options))
        print("python train.py " + " ".join(example))
        for key, value in vars(options).items():
            where = _("命令行给出") if f"--{key}" in example else _("默认值")
            print(f"    {key:<15} = {value!r:<26} {type(value).__name__:<5} {where}")

    # required：不给就停下，打印用法，退出码 2
    missing = refusal(project, ["--batch_size", "4"])
    print(_("python train.py --batch_size 4（没有 --dataroot）-> {said}").format(said=missing))
    # type：命令行里的文字要能转成这个类型，否则同样停下
    wrong_type = refusal(project, ["--dataroot", "x", "--batch_size", "four"])
    print(_("python train.py --dataroot x --batch_size four -> {said}").format(said=wrong_type))
    print(_("现在去读一个真的：python lessons/p26_train.py --help"))
    return {"examples": results, "missing_required": missing, "wrong_type": wrong_type}


if __name__ == "__main__":
    files.run(main)
