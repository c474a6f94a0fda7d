"""P14 DataLoader的使用

Dataset 是一副扑克牌，DataLoader 是发牌的手：每次从 Dataset 取 batch_size 张，把图片叠成
[batch_size, 3, 32, 32]，标签叠成 [batch_size]。shuffle=True 每一轮（epoch）都重新洗牌；
drop_last=True 丢掉最后凑不满的一批（测试集 10000 张，每批 64：一共 157 批，最后一批只有 16 张；
drop_last=True 时是 156 批）；num_workers 是用几个子进程读数据（0 表示主进程自己读）。
在 Windows 和 macOS 上 num_workers > 0 时，代码必须放在 if __name__ == "__main__": 下面
（Windows 上不这样会报 freeze_support 相关的错误）；每一课都有这个保护。

两轮的图片写进 TensorBoard，tag 是 "Epoch: 0" 和 "Epoch: 1"：因为 shuffle=True，同一步在两轮里
是不同的图片。视频把每轮 156 步都写进去（--log-batches all），这时 TensorBoard 要加
--samples_per_plugin 才能全部显示，打印出的命令会带上它。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torchvision
from torch.utils.data import DataLoader
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags          # 我们的支持代码，不是课程内容
from support.data import cifar10_ready, is_standin
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64, log_batches=True)
    parser.add_argument("--num-workers", type=flags.non_negative_int, default=0,
                        help="用几个子进程读数据（默认：0，主进程自己读，和视频一样）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（dataloader.py）
    # 准备的测试数据集
    data_root = cifar10_ready(args)      # 我们加的：数据不在就下载，没有网络就用小替代集
    test_data = torchvision.datasets.CIFAR10(data_root, train=False, transform=torchvision.transforms.ToTensor(),
                                             download=True)   # 视频中 root 是 "./dataset"，没有 download=True（我们加的）
    if args.batch_size > len(test_data):     # 我们加的：drop_last=True 时一批也凑不满，就什么都没有
        raise files.LessonError(_("--batch-size {batch_size}：drop_last=True 时每一批都要是满的，"
                                  "而测试集只有 {n} 张图片").format(batch_size=args.batch_size, n=len(test_data)))

    test_loader = DataLoader(dataset=test_data, batch_size=args.batch_size, shuffle=True,
                             num_workers=args.num_workers, drop_last=True)   # 视频中 batch_size=64，num_workers=0（默认一样）

    # 测试数据集中第一张图片及target
    img, target = test_data[0]
    print(img.shape)
    print(target)

    log_dir = board.fresh_run(args.logdir, image_steps=board.logged_steps(test_loader, args.log_batches))  # 我们加的
    writer = SummaryWriter(log_dir)                                          # 视频中 SummaryWriter("dataloader")
    first_targets = []
    for epoch in range(2):
        step = 0
        for data in test_loader:
            imgs, targets = data
            if step == 0:
                first_targets.append(targets[:8].tolist())                   # 我们加的：记下每轮第一批的标签
            writer.add_images("Epoch: {}".format(epoch), imgs, step)
            step = step + 1
            if args.log_batches is not None and step >= args.log_batches:
                break            # 我们加的：默认只写前 4 批，快一些；视频写全部（--log-batches all）

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    keep_last = DataLoader(dataset=test_data, batch_size=args.batch_size, drop_last=False)
    n = len(test_data)
    print(_("{n} 张图片，batch_size={batch_size}：drop_last=False 有 {kept} 批（向上取整，最后一批 {last} 张），"
            "drop_last=True 有 {dropped} 批（向下取整）").format(
        n=n, batch_size=args.batch_size, kept=len(keep_last), last=n - (len(keep_last) - 1) * args.batch_size,
        dropped=len(test_loader)))
    if args.num_workers:
        print(_("num_workers={workers}：{workers} 个子进程在主进程干活的同时读下一批；在 Windows、macOS 上它们启动时会重新 import "
                "这个脚本，所以要靠 if __name__ == '__main__': 挡住，不让课程的代码在子进程里再跑一遍"
                "（Windows 上不挡会报 freeze_support 错误）").format(workers=args.num_workers))
    print(_("shuffle=True：第 1 轮（epoch 0）第一批的前几个标签是 {first}，第 2 轮（epoch 1）是 {second}：每一轮顺序都不同").format(
        first=first_targets[0], second=first_targets[1]))
    print(_("每轮写了 {steps} 步图片，tag 是 'Epoch: 0' 和 'Epoch: 1'（视频写每一批：--log-batches all）").format(
        steps=board.logged_steps(test_loader, args.log_batches)))
    return {"img_shape": list(img.shape), "target": target, "batches": len(keep_last),
            "batches_drop_last": len(test_loader), "first_targets": first_targets,
            "real": not is_standin(test_data),
            "logged_steps": board.logged_steps(test_loader, args.log_batches)}


if __name__ == "__main__":
    files.run(main)
