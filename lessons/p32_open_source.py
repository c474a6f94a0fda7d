"""P32 看看开源项目 - reading a project's argparse options

开源的训练项目一般不改代码改参数：参数都用 argparse 定义，在命令行里给出。读一个项目，
先读它的参数定义：每个 add_argument 的 required（必须给出）、default（不给时的默认值）、
help（说明，--help 会打印）、type（把命令行里的文字转成 int、float……），
action='store_true'（开关：写上就是 True，不写就是 False）。
本课定义一组类似真实训练项目的参数，解析几条命令行并打印结果，再演示漏掉 required 参数时的报错。
我们的每一课也都用 argparse：python lessons/p26_train.py --help 就能看到它的全部参数。

The video reads the options file of a real open-source training project.
This lesson builds a parser of the same kind, parses a few command lines and
prints what each option became, and shows what a missing required option
does. Then read a real one: every lesson here has --help.
"""
import argparse
import contextlib
import io

import common


def project_parser():
    """Options of the kind a real training project declares."""
    parser = argparse.ArgumentParser(prog="train.py", description="a training project's options")
    parser.add_argument("--dataroot", required=True,
                        help="path to the images (required: no sensible default exists)")
    parser.add_argument("--name", type=str, default="experiment_name",
                        help="name of the experiment; decides where results are stored")
    parser.add_argument("--batch_size", type=int, default=1, help="input batch size")
    parser.add_argument("--lr", type=float, default=0.0002, help="initial learning rate")
    parser.add_argument("--gpu_ids", type=str, default="0", help="gpu ids: e.g. 0  0,1,2  or -1 for CPU")
    parser.add_argument("--continue_train", action="store_true", help="continue training: load the latest model")
    return parser


EXAMPLES = [
    ["--dataroot", "./datasets/horse2zebra"],
    ["--dataroot", "./datasets/horse2zebra", "--batch_size", "4", "--lr", "1e-3", "--gpu_ids", "-1",
     "--continue_train"],
]


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    common.parse_args(parser, argv)

    project = project_parser()
    print("the options 参数 (python train.py --help prints this):")
    print(project.format_help())
    results = []
    for example in EXAMPLES:
        options = project.parse_args(example)
        results.append(vars(options))
        print(f"python train.py {' '.join(example)}")
        for key, value in vars(options).items():
            given = f"--{key}" in example
            print(f"    {key:<15} = {value!r:<26} {type(value).__name__:<5} "
                  f"{'given 命令行给出' if given else 'default 默认值'}")

    # required: leaving it out stops the program with a usage message (exit status 2)
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.suppress(SystemExit):
        project.parse_args(["--batch_size", "4"])
    missing = said.getvalue().strip().splitlines()[-1]
    print(f"python train.py --batch_size 4   (no --dataroot) -> {missing}")
    # type: the text from the command line is converted, or refused
    said = io.StringIO()
    with contextlib.redirect_stderr(said), contextlib.suppress(SystemExit):
        project.parse_args(["--dataroot", "x", "--batch_size", "four"])
    wrong_type = said.getvalue().strip().splitlines()[-1]
    print(f"python train.py --dataroot x --batch_size four -> {wrong_type}")
    print("\nnow read a real one: python lessons/p26_train.py --help")
    return {"examples": results, "missing_required": missing, "wrong_type": wrong_type}


if __name__ == "__main__":
    common.run(main)
