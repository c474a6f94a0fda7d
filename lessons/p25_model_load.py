"""P25 网络模型的保存与读取（读取）

先运行 p25_model_save.py，再运行这一课。按视频的顺序读取：保存方式 1（整个模型），保存方式 2（state_dict：
参数名 -> 张量），最后是“陷阱”文件。你会看到读出的网络、方式 1 和方式 2 的输出一样，以及陷阱的报错
Can't get attribute 'Tudui' on <module '__main__'>（在子进程里真的触发一次）和视频的解决办法。
读取都用 weights_only=True，只允许我们网络用到的那几个类（为什么见 README「出错时」）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
from p25_model_save import *          # 视频中 from model_save import *（陷阱的解决办法；视频的这一行会把 model_save.py 再运行一遍，我们的不会）
from pathlib import Path

import torch
import torchvision
from torch import nn

import models
from support import checkpoints, files, flags, networks   # 我们的支持代码，不是课程内容
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, device=True)
    parser.add_argument("--model", type=str.lower, choices=networks.MODEL_NAMES, default="tudui",
                        help="读取哪一个保存的模型（默认：tudui）")
    parser.add_argument("--out-dir", type=Path, default=files.CHECKPOINTS_ROOT,
                        help="p25_model_save.py 保存到的文件夹（默认：%(default)s）")
    args = flags.parse_args(parser, argv)
    stem = "vgg16" if args.model == "vgg16" else "p21_tudui"
    method1, method2 = args.out_dir / f"{stem}_method1.pth", args.out_dir / f"{stem}_method2.pth"
    trap = args.out_dir / "tudui_method1.pth"
    remedy = _("先运行 python lessons/p25_model_save.py{flag}，把文件重新写一遍").format(
        flag=" --model vgg16" if args.model == "vgg16" else "")

    # ------------------------------------------------ 课程的代码（model_load.py）
    # 视频的 torch.load("...") 在 torch >= 2.6 会拒绝方式 1 的文件；weights_only=False 能读但不安全
    # （文件里引用了什么就运行什么）。所以保持 weights_only=True，只允许我们网络的那几个类（我们加的 safe_loading）：
    # 方式1-》保存方式1，加载模型
    with checkpoints.safe_loading(method1, networks.whole_model_classes(args.model), remedy=remedy) as named:
        model = torch.load(method1, map_location=args.device, weights_only=True)   # 视频中 torch.load("vgg16_method1.pth")
    print(model)                                             # 视频中这一行注释掉了：# print(model)

    # 方式2，加载模型
    if args.model == "vgg16":
        vgg16 = torchvision.models.vgg16(weights=None)      # 视频中 pretrained=False（旧写法，已废弃）
    else:
        vgg16 = models.Tudui()                               # 我们默认的小网络，见 p25_model_save.py
    vgg16 = vgg16.to(args.device)                            # 我们加的：放到 --device 上
    with checkpoints.safe_loading(method2, fits=vgg16, remedy=remedy):
        # 视频中 vgg16.load_state_dict(torch.load("vgg16_method2.pth"))
        vgg16.load_state_dict(torch.load(method2, map_location=args.device, weights_only=True))
    # print(vgg16)

    # 陷阱1（class Tudui 不用再写一遍：from p25_model_save import * 已经把它拿过来了）
    with checkpoints.safe_loading(trap, [Tudui, nn.Conv2d], remedy=remedy):
        model_trap = torch.load(trap, map_location=args.device, weights_only=True)   # 视频中 model = torch.load('tudui_method1.pth')
    print(model_trap)

    # ------------------------------------------------ 我们加的（课程之外）
    refusal = checkpoints.plain_refusal(method1)
    if refusal:
        print(_("不加 safe_globals 的 torch.load（weights_only=True，torch 2.6 起的默认）拒绝方式 1 的文件：{refusal}")
              .format(refusal=refusal))
    state_dict = torch.load(method2, map_location=args.device, weights_only=True)
    keys = list(state_dict)
    print(_("方式 2 的文件是一个 {kind}，{n} 项，参数名 -> 张量：{keys}").format(
        kind=type(state_dict).__name__, n=len(keys), keys=", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "")))
    trap_error = checkpoints.main_module_trap()
    print(_("陷阱：在一个脚本里定义 class Tudui 并保存整个模型，再在另一个没有这个类的脚本里读取（刚才真的运行了一次，两个脚本各有自己的 __main__）："))
    print("  " + trap_error)
    print(_("  文件里的类名是 __main__.Tudui，而读取的脚本的 __main__ 里没有 Tudui。视频的解决办法：import 这个类"
            "（from model_save import *）；我们的网络都写在 lessons/models.py 里，文件里记下的是 models.Tudui"))
    outputs1, outputs2 = checkpoints.fingerprint(model, args.device), checkpoints.fingerprint(vgg16, args.device)
    same = _("一样") if torch.equal(outputs1, outputs2) else _("不一样")
    print(_("输入 torch.ones(1, 3, 32, 32)，输出的前几个数：方式 1 {first}，方式 2 {second}：{same}"
            "（和 p25_model_save.py 打印的比一比）").format(
        first=[round(v, 4) for v in outputs1[:4].tolist()], second=[round(v, 4) for v in outputs2[:4].tolist()],
        same=same))
    return {"outputs_method1": outputs1, "outputs_method2": outputs2, "named_globals": named,
            "plain_refusal": refusal, "state_dict_keys": keys, "printed_method1": str(model),
            "trap": trap_error, "trap_model": model_trap}


if __name__ == "__main__":
    files.run(main)
