"""P31 完整的模型验证套路

用训练好的模型认一认图片（视频的 test.py）：Image.open、convert('RGB')、Resize((32, 32))、ToTensor，
torch.load 读取整个模型（map_location），reshape 成 [1, 3, 32, 32]，model.eval() 加 torch.no_grad()，
argmax(1) 就是类别。和视频一样，class Tudui 在这里又写了一遍（P25 的陷阱）。
--image 给出你的图片，不给就预测测试集里的几张；--checkpoint 默认用 p26_train.py 最新保存的模型
（能读哪些文件见 README「预测你自己的图片」）。课程之外：前 3 个类别的概率，网络看到的 32×32 小图存在 predictions/。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
from pathlib import Path

import torch
import torchvision
from PIL import Image
from torch import nn
from torch.utils.tensorboard import SummaryWriter

from support import board, checkpoints, files, flags, pictures    # 我们的支持代码，不是课程内容
from support.data import cifar10_ready
from support.i18n import _

PREDICTIONS = files.REPO_ROOT / "predictions"


# ------------------------------------------------ 课程的代码（test.py 里的 class Tudui）
# 视频在 test.py 里把 class Tudui 又抄了一遍，为什么？train_gpu_1.py 保存的是整个模型，文件里只记下类的名字
# __main__.Tudui（类写在运行的脚本里，就叫 __main__.xxx，见 P25 的陷阱），没有类的代码；读取的脚本里要有
# 一个同名的类，才能把模型建回来。本课也抄了一遍（放在 main() 外面，和视频一样在脚本的 __main__ 里）。
# 我们加的：文件里的 __main__.Tudui、model.Tudui（train.py 的 from model import *）、models.Tudui（P26）……
# 都用这一个类建回来，而且先确认参数的名字和形状、每层的设置正是这个网络的
class Tudui(nn.Module):
    def __init__(self):
        super(Tudui, self).__init__()
        self.model = nn.Sequential(
            nn.Conv2d(3, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, 1, 2),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64*4*4, 64),
            nn.Linear(64, 10)
        )

    def forward(self, x):
        x = self.model(x)
        return x


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, device=True, data=True, logs=True)
    parser.add_argument("--image", type=Path, nargs="+", metavar="PATH",
                        help="你的图片（可以几张）：任意大小，PNG、JPEG……（默认：测试集里的几张）")
    parser.add_argument("--checkpoint", type=Path,
                        help="模型文件：P26、P29、P30、P33 或课程的 train.py、train_gpu_1.py 保存的 tudui_N.pth，"
                             "或 Tudui 的 state_dict（默认：checkpoints/p26/ 里最新的一个）")
    parser.add_argument("--samples", type=flags.positive_int, default=5,
                        help="没给 --image 时，预测测试集里的几张图片（默认：%(default)s）")
    parser.add_argument("--out-dir", type=Path, default=PREDICTIONS,
                        help="网络看到的 32×32 小图存在哪里（默认：%(default)s）")
    args = flags.parse_args(parser, argv)
    device = args.device
    checkpoint = args.checkpoint or checkpoints.newest_p26_checkpoint()   # 我们加的：默认用 P26 最新保存的模型
    # 我们加的：没给 --image 就用测试集的几张
    image_paths = args.image or checkpoints.save_test_pictures(cifar10_ready(args), args.samples, args.out_dir)
    # 我们加的：每张图片先完整读一遍，坏图片只报一行，而且那时什么都还没写
    originals = [pictures.open_picture(image_path, "--image") for image_path in image_paths]

    # ------------------------------------------------ 课程的代码（test.py）
    images = []                                         # 我们加的：几张图片放在一起
    for image_path in image_paths:                      # 视频只有一张：image_path = "../imgs/airplane.png"
        image = Image.open(image_path)
        print(image)
        image = image.convert('RGB')
        transform = torchvision.transforms.Compose([torchvision.transforms.Resize((32, 32)),
                                                    torchvision.transforms.ToTensor()])
        image = transform(image)
        print(image.shape)
        images.append(image)                            # 我们加的

    # 视频中 torch.load("tudui_29_gpu.pth", map_location=torch.device('cpu'))：读整个模型，torch >= 2.6 默认拒绝，
    # weights_only=False 又可能执行文件里引用的任何函数；所以保持 weights_only=True，只允许 Tudui 和它的那几种层。
    # map_location：在显卡上保存的模型（train_gpu_1.py 的 tudui_29_gpu.pth）在只有 CPU 的机器上也能读
    with checkpoints.tudui_loading(checkpoint, Tudui):     # 我们加的：只允许 Tudui 和它的那几种层
        model = torch.load(checkpoint, map_location=device, weights_only=True)
    model, normalization = checkpoints.tudui_from(model, checkpoint, Tudui, device)   # 我们加的：确认是课程的网络，取出训练时的归一化
    print(model)
    outputs = []                                        # 我们加的
    for image in images:                                # 我们加的：每张图片都走一遍下面视频的几行
        if normalization:    # 我们加的：这个模型是用 Normalize 过的图片训练的（P26 的默认），这里也要一样
            image = torchvision.transforms.Normalize(normalization["mean"], normalization["std"])(image)
        image = torch.reshape(image, (1, 3, 32, 32)).to(device)    # 我们加的 .to(device)：和模型在同一个设备上
        model.eval()
        with torch.no_grad():
            output = model(image)
        print(output)
        print(output.argmax(1))
        outputs.append(output)                          # 我们加的

    # ------------------------------------------------ 我们加的（课程之外）
    log_dir = board.fresh_run(args.logdir, image_steps=len(image_paths))
    writer = SummaryWriter(log_dir)
    predictions = [checkpoints.explain(*each, step, args.out_dir, writer)
                   for step, each in enumerate(zip(image_paths, originals, outputs))]
    writer.close()
    print(_("网络看到的 32×32 小图，和你的图片并排放在：{folder}").format(folder=files.shown(args.out_dir)))
    return {"checkpoint": checkpoint, "predictions": predictions, "normalize": bool(normalization)}


if __name__ == "__main__":
    files.run(main)
