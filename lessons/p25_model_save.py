"""P25 网络模型的保存与读取（保存）

先运行这一课，再运行 p25_model_load.py。你会看到保存的三个文件和它们的大小：保存方式 1（整个模型）、
保存方式 2（只有参数，官方推荐），以及视频的“陷阱”文件（在这个脚本里定义的 class Tudui 保存的整个模型）。
默认保存 P21 的小网络 Tudui；--model vgg16 和视频一样保存 VGG16。文件放在项目的 checkpoints/（--out-dir）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
from pathlib import Path

import torch
import torchvision
from torch import nn

import models                                           # 课程的 model.py（P26）：P21 的网络 Tudui
from support import checkpoints, files, flags, networks   # 我们的支持代码，不是课程内容
from support.i18n import _


# 陷阱（视频里这个类写在保存 vgg16 之后；写在模块这一层，p25_model_load.py 的 from p25_model_save import * 才拿得到它）
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=3)

    def forward(self, x):
        x = self.conv1(x)
        return x


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, device=True)
    parser.add_argument("--model", type=str.lower, choices=networks.MODEL_NAMES, default="tudui",
                        help="tudui：P21 的小网络，每个文件约 0.6 MB；vgg16：视频里的，每个文件约 553 MB（默认：tudui）")
    parser.add_argument("--out-dir", type=Path, default=files.CHECKPOINTS_ROOT,
                        help=".pth 文件放在哪个文件夹（默认：%(default)s）")
    args = flags.parse_args(parser, argv)
    stem = "vgg16" if args.model == "vgg16" else "p21_tudui"    # 我们的小网络换个名字：tudui_method1.pth 留给陷阱
    method1, method2 = args.out_dir / f"{stem}_method1.pth", args.out_dir / f"{stem}_method2.pth"

    # ------------------------------------------------ 课程的代码（model_save.py）
    if args.model == "vgg16":
        vgg16 = torchvision.models.vgg16(weights=None)      # 视频中 pretrained=False（旧写法，已废弃）
    else:
        vgg16 = models.Tudui()       # 我们默认：P21 的小网络，名字仍用视频的 vgg16，下面的代码就和视频一样
    vgg16 = vgg16.to(args.device)                          # 我们加的：放到 --device 上
    # 保存方式1,模型结构+模型参数
    with files.written_whole(method1) as f:                # 我们加的：写完整才替换旧文件
        torch.save(vgg16, f)                                # 视频中 torch.save(vgg16, "vgg16_method1.pth")

    # 保存方式2，模型参数（官方推荐）
    with files.written_whole(method2) as f:
        torch.save(vgg16.state_dict(), f)                   # 视频中 torch.save(vgg16.state_dict(), "vgg16_method2.pth")

    # 陷阱（class Tudui 在上面）
    tudui = Tudui()
    trap = args.out_dir / "tudui_method1.pth"
    with files.written_whole(trap) as f:
        torch.save(tudui, f)                                # 视频中 torch.save(tudui, "tudui_method1.pth")

    # ------------------------------------------------ 我们加的（课程之外）
    for path, how in ((method1, "torch.save(vgg16, f)"), (method2, "torch.save(vgg16.state_dict(), f)"),
                      (trap, "torch.save(tudui, f)")):
        print(_("{how} -> {path}（{size:.1f} MB）").format(how=how, path=files.shown(path),
                                                          size=path.stat().st_size / 1e6))
    print(_("方式 1 的文件记下的类名是 {name}：能 import 它的脚本都能读。陷阱文件记下的是 {trap_name}"
            "（这个类写在被运行的脚本里），只有同样有这个类的脚本才能读").format(
        name=f"{type(vgg16).__module__}.{type(vgg16).__name__}", trap_name=f"{Tudui.__module__}.Tudui"))
    outputs = checkpoints.fingerprint(vgg16, args.device)
    print(_("输入 torch.ones(1, 3, 32, 32) 时输出的前几个数：{values}").format(
        values=[round(v, 4) for v in outputs[:4].tolist()]))
    print(_("下一步：python lessons/p25_model_load.py{flag}").format(
        flag=" --model vgg16" if args.model == "vgg16" else ""))
    return {"method1": method1, "method2": method2, "trap": trap, "outputs": outputs}


if __name__ == "__main__":
    files.run(main)
