"""P14 DataLoader的使用 - batch_size, shuffle, num_workers, drop_last

Dataset 是一副扑克牌，DataLoader 是发牌的手：每次从 Dataset 取 batch_size 张，把图片叠成
[batch_size, 3, 32, 32]，标签叠成 [batch_size]。shuffle=True 每一轮（epoch）都重新洗牌；
drop_last=True 丢掉最后凑不满的一批（测试集 10000 张，每批 64：157 批，最后一批只有 16 张；
drop_last=True 时是 156 批）；num_workers 是用几个子进程读数据（0 = 主进程自己读）。
在 Windows 上 num_workers > 0 必须把代码放在 if __name__ == "__main__": 下面，否则报
freeze_support 相关的 BrokenPipeError/RuntimeError；我们的每一课都有这个保护。

Two epochs of batches go to TensorBoard under the tags "Epoch: 0" and
"Epoch: 1": with shuffle=True the same step shows other pictures in each
epoch. The video logs all 156 steps of each epoch (--log-batches all);
TensorBoard then needs --samples_per_plugin to show them all, and the
printed command says so.
"""
import math

import torch
from torch.utils.data import DataLoader

import cifar
import common


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=64)
    parser.add_argument("--num-workers", type=common.non_negative_int, default=0,
                        help="subprocesses that load the data (default: 0, the main process, as the video)")
    args = common.parse_args(parser, argv)

    test_data = cifar.cifar10(train=False, args=args)
    real = type(test_data).__name__ == "CIFAR10"
    img, target = test_data[0]
    video = "torch.Size([3, 32, 32]), 3"
    print(f"test_data[0]: img.shape {img.shape}, target {target}   "
          + (f"（视频中: {video}）" if real else f"(the video, on real CIFAR10: {video})"))

    if args.batch_size > len(test_data):
        raise common.LessonError(f"--batch-size {args.batch_size}: with drop_last=True every batch must be full, "
                                 f"and this split has only {len(test_data)} images")
    test_loader = DataLoader(dataset=test_data, batch_size=args.batch_size, shuffle=True,
                             num_workers=args.num_workers, drop_last=True)
    keep_last = DataLoader(dataset=test_data, batch_size=args.batch_size, drop_last=False)
    n = len(test_data)
    print(f"{n} images / batch_size {args.batch_size}: drop_last=False -> {len(keep_last)} batches "
          f"(ceil, the last holds {n - (len(keep_last) - 1) * args.batch_size}), drop_last=True -> "
          f"{len(test_loader)} batches (floor)"
          + ("   (the video's 10,000 at 64: 157 and 156)" if args.batch_size == 64 else ""))
    assert len(keep_last) == math.ceil(n / args.batch_size) and len(test_loader) == n // args.batch_size
    if args.num_workers:
        print(f"num_workers={args.num_workers}: {args.num_workers} subprocesses load batches while the main one "
              "works; they start by re-importing this script, which is why the if __name__ == '__main__': "
              "guard must keep the work from running again in them (Windows: freeze_support error)")

    steps_per_epoch = common.logged_steps(test_loader, args.log_batches)
    writer = common.open_writer(args.logdir, image_steps=steps_per_epoch)
    first_targets = []
    for epoch in range(2):
        for step, (imgs, targets) in common.first_batches(test_loader, args.log_batches):
            if step == 0:
                first_targets.append(targets[:8].tolist())
                if epoch == 0:
                    print(f"a batch: imgs {list(imgs.shape)}, targets {list(targets.shape)}")
            writer.add_images(f"Epoch: {epoch}", imgs, step)
    writer.close()
    print(f"shuffle=True: step 0 of epoch 0 starts with targets {first_targets[0]}, "
          f"of epoch 1 with {first_targets[1]}: a new order each epoch")
    print(f"logged {steps_per_epoch} step(s) per epoch under 'Epoch: 0' and 'Epoch: 1' "
          "(the video logs every batch: --log-batches all)")
    return {"img_shape": list(img.shape), "target": target, "batches": len(keep_last),
            "batches_drop_last": len(test_loader), "first_targets": first_targets, "real": real,
            "logged_steps": steps_per_epoch}


if __name__ == "__main__":
    common.run(main)
