"""P22 损失函数与反向传播 - loss and backward() on the network

把 P21 的网络接到 CIFAR10 上：视频用 batch_size=1，每张图输出 10 个类别分数 outputs，
和真实类别 targets 一起送进 loss = nn.CrossEntropyLoss()，得到 result_loss。
result_loss.backward()（反向传播）为每个参数算出梯度（grad）：backward 之前
conv 的 weight.grad 是 None，之后是和 weight 同形状的张量。反向传播只算梯度，
不更新参数；更新参数是优化器的事（P23）。

The P21 network meets CIFAR10 one image at a time, as in the video
(--batch-size 1 is the default here): its 10 scores and the true class are
printed for each image, the loss follows, and `backward()` fills every
parameter's `.grad`. A second backward() would ADD to the stored gradients,
which is why training loops clear them first (zero_grad, P23).
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from models import Tudui


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, batch_size=1)
    parser.add_argument("--batches", type=common.positive_int, default=2,
                        help="how many batches to compute the loss for (default: 2)")
    args = common.parse_args(parser, argv)
    device = args.device

    dataset = cifar.cifar10(train=False, args=args)
    dataloader = DataLoader(dataset, batch_size=args.batch_size)
    loss = nn.CrossEntropyLoss()
    tudui = Tudui().to(device)
    first_conv = tudui.model[0]

    losses = []
    grad_before = first_conv.weight.grad
    print(f"model[0] (the first Conv2d) weight.grad（梯度） before backward(): {grad_before}")
    for step, (imgs, targets) in common.first_batches(dataloader, args.batches):
        imgs, targets = imgs.to(device), targets.to(device)
        outputs = tudui(imgs)                   # [batch, 10] scores
        result_loss = loss(outputs, targets)    # one number
        shown_rows = min(len(outputs), 4)
        print(f"\nbatch {step}: outputs {list(outputs.shape)} (10 scores per image), targets {list(targets.shape)}")
        for row in range(shown_rows):
            scores = ", ".join(f"{v:.4f}" for v in outputs[row].tolist())
            print(f"  outputs[{row}] [{scores}]  target {targets[row].item()} "
                  f"({dataset.classes[targets[row].item()]})")
        if len(outputs) > shown_rows:
            print(f"  ... {len(outputs) - shown_rows} more images")
        tudui.zero_grad()                       # so each batch shows its own gradients
        result_loss.backward()                  # 反向传播
        losses.append(result_loss.item())
        grad = first_conv.weight.grad
        print(f"  result_loss {result_loss.item():.4f} -> backward() -> weight.grad {list(grad.shape)}, "
              f"mean |grad| {grad.abs().mean().item():.2e}")

    missing = [name for name, p in tudui.named_parameters() if p.grad is None]
    print(f"\nafter backward(): {sum(p.grad is not None for p in tudui.parameters())} of "
          f"{len(list(tudui.parameters()))} parameter tensors have a gradient"
          + (f" (missing: {missing})" if missing else ""))
    print(f"a loss near ln(10) = {torch.log(torch.tensor(10.0)).item():.4f} is what an untrained "
          "network scores: it gives every class about the same chance. The video's debugger shows the same "
          "grad; its numbers differ from ours because its weights start from other random values")
    return {"grad_before": grad_before, "losses": losses, "batch_size": args.batch_size,
            "grad_shapes": {name: list(p.grad.shape) for name, p in tudui.named_parameters()
                            if p.grad is not None}}


if __name__ == "__main__":
    common.run(main)
