"""P22 损失函数与反向传播 - the loss functions

损失函数（loss function）衡量输出和目标差多少，给出一个数，训练就是把它变小。
视频的例子：inputs [1,2,3]，targets [1,2,5]（reshape 成 [1,1,1,3]）：
  L1Loss(reduction='sum') 绝对差之和 = 2；默认 reduction='mean' 时是平均 0.6667；
  MSELoss 平方差的平均 = (0+0+4)/3 = 1.3333。
交叉熵 CrossEntropyLoss 用于分类：3 个类别的分数 x = [0.1,0.2,0.3]，正确类别 y = 1，
  loss = -0.2 + log(e^0.1 + e^0.2 + e^0.3) = 1.1019。
然后看 weight（类别权重）、ignore_index（忽略的类别）、reduction（汇总方式）的作用，
以及为什么 CrossEntropyLoss 要输入原始分数（logits），不能先做 softmax。

A loss turns "how wrong is the output" into one number that training can
push down. The video's L1Loss uses reduction='sum'; the default 'mean'
divides by the 3 elements. CrossEntropyLoss takes raw scores (logits) and
the index of the right class.
"""
import torch
from torch import nn

import common


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    args = common.parse_args(parser, argv)
    device = args.device

    inputs = torch.tensor([1, 2, 3], dtype=torch.float32, device=device)
    targets = torch.tensor([1, 2, 5], dtype=torch.float32, device=device)
    inputs = torch.reshape(inputs, (1, 1, 1, 3))     # [batch, channel, H, W], as the video does
    targets = torch.reshape(targets, (1, 1, 1, 3))

    loss = nn.L1Loss(reduction="sum")
    result = loss(inputs, targets)
    l1_mean = nn.L1Loss()(inputs, targets)
    l1_none = nn.L1Loss(reduction="none")(inputs, targets)
    loss_mse = nn.MSELoss()
    result_mse = loss_mse(inputs, targets)
    print(f"L1Loss(reduction='sum')  {result.cpu()!r}   （视频中: tensor(2.)）")
    print(f"L1Loss() mean (默认)      {l1_mean.cpu()!r}   (2 / 3 elements)")
    print(f"L1Loss(reduction='none') {l1_none.flatten().tolist()}   (one loss per element, nothing summed)")
    print(f"MSELoss()                {result_mse.cpu()!r}   （视频中: tensor(1.3333)）")

    # 交叉熵: one image, three classes: raw scores and the index of the right class.
    x = torch.tensor([0.1, 0.2, 0.3], device=device)
    y = torch.tensor([1], device=device)
    x = torch.reshape(x, (1, 3))                     # [batch=1, classes=3]
    loss_cross = nn.CrossEntropyLoss()
    result_cross = loss_cross(x, y)
    print(f"CrossEntropyLoss（交叉熵） {result_cross.cpu()!r}   （视频中: tensor(1.1019)）")
    print(f"  by hand: -x[class 1] + log(e^0.1 + e^0.2 + e^0.3) = "
          f"{-0.2 + torch.log(torch.exp(torch.tensor([0.1, 0.2, 0.3])).sum()).item():.4f}")
    logits, label, cross_entropy = x, y, result_cross

    # A batch of two images, to see the parameters at work.
    batch_logits = torch.tensor([[0.1, 0.2, 0.3], [1.0, 0.1, 0.1]], device=device)
    batch_labels = torch.tensor([1, 0], device=device)
    per_image = nn.CrossEntropyLoss(reduction="none")(batch_logits, batch_labels)
    plain = nn.CrossEntropyLoss()(batch_logits, batch_labels)
    print(f"\n两张图 Two images, labels {batch_labels.tolist()}: reduction='none' -> "
          f"{[round(v, 4) for v in per_image.tolist()]}, mean {plain.item():.4f}, "
          f"reduction='sum' -> {nn.CrossEntropyLoss(reduction='sum')(batch_logits, batch_labels).item():.4f}")
    # weight: class 1 counts 3x. With 'mean' the sum is divided by the summed weights.
    class_weights = torch.tensor([1.0, 3.0, 1.0], device=device)
    weighted = nn.CrossEntropyLoss(weight=class_weights)(batch_logits, batch_labels)
    print(f"weight=[1,3,1]（类别权重）: class 1 counts three times -> {weighted.item():.4f} "
          f"(= (3*{per_image[0]:.4f} + 1*{per_image[1]:.4f}) / (3+1))")
    # ignore_index: images with this label are left out entirely.
    ignored = nn.CrossEntropyLoss(ignore_index=0)(batch_logits, batch_labels)
    print(f"ignore_index=0（忽略该类别）: the image labelled 0 is left out -> {ignored.item():.4f} "
          f"(the first image's loss alone; default ignore_index is -100, a label nobody uses)")

    # Why raw scores: CrossEntropyLoss applies log_softmax itself.
    by_hand = nn.NLLLoss()(torch.log_softmax(logits, dim=1), label)
    softmax_first = nn.CrossEntropyLoss()(torch.softmax(logits, dim=1), label)
    print(f"\nCrossEntropyLoss = NLLLoss(log_softmax(scores)): {by_hand.item():.4f}. It does the softmax "
          f"itself, so feeding it softmax output squashes twice: {softmax_first.item():.4f}, a wrong loss "
          "whose gradients are too small to train well. Give it the model's raw scores.")

    return {"l1_mean": l1_mean.item(), "l1_sum": result.item(), "l1_none": l1_none.flatten().tolist(),
            "mse": result_mse.item(), "inputs_shape": list(inputs.shape), "cross_entropy": cross_entropy.item(),
            "per_image": per_image.tolist(), "batch_mean": plain.item(),
            "weighted": weighted.item(), "ignored": ignored.item(),
            "by_hand": by_hand.item(), "softmax_first": softmax_first.item()}


if __name__ == "__main__":
    common.run(main)
