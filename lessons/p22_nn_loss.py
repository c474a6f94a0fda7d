"""P22 损失函数与反向传播 - the loss functions

A loss turns "how wrong is the output" into one number that training can
push down. With output [1,2,3] and target [1,2,5]:
  L1Loss  mean |difference| = (0+0+2)/3 = 0.6667, reduction='sum' -> 2.0,
          reduction='none' -> the three differences themselves;
  MSELoss mean squared difference = (0+0+4)/3 = 1.3333.
CrossEntropyLoss is the classification loss: scores (logits) [0.1,0.2,0.3]
for 3 classes, true class 1 -> -0.2 + log(e^0.1 + e^0.2 + e^0.3) = 1.1019.

Then what `weight`, `ignore_index` and `reduction` each change, and why
CrossEntropyLoss must get raw scores, not softmax output.
"""
import torch
from torch import nn

import common


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__)
    args = common.parse_args(parser, argv)
    device = args.device

    outputs = torch.tensor([1, 2, 3], dtype=torch.float32, device=device)
    targets = torch.tensor([1, 2, 5], dtype=torch.float32, device=device)
    l1_mean = nn.L1Loss()(outputs, targets)
    l1_sum = nn.L1Loss(reduction="sum")(outputs, targets)
    l1_none = nn.L1Loss(reduction="none")(outputs, targets)
    mse = nn.MSELoss()(outputs, targets)
    print(f"L1Loss (mean)      {l1_mean.item():.4f}   (the video: tensor(0.6667))")
    print(f"L1Loss sum         {l1_sum.item():.4f}   (the video: tensor(2.))")
    print(f"L1Loss none        {l1_none.tolist()}   (one loss per element, nothing summed)")
    print(f"MSELoss            {mse.item():.4f}   (the video: tensor(1.3333))")

    # One image, three classes: raw scores and the index of the right class.
    logits = torch.tensor([[0.1, 0.2, 0.3]], device=device)   # [batch=1, classes=3]
    label = torch.tensor([1], device=device)                  # [batch=1]
    cross_entropy = nn.CrossEntropyLoss()(logits, label)
    print(f"CrossEntropyLoss   {cross_entropy.item():.4f}   (the video: tensor(1.1019))")

    # A batch of two images, to see the parameters at work.
    batch_logits = torch.tensor([[0.1, 0.2, 0.3], [1.0, 0.1, 0.1]], device=device)
    batch_labels = torch.tensor([1, 0], device=device)
    per_image = nn.CrossEntropyLoss(reduction="none")(batch_logits, batch_labels)
    plain = nn.CrossEntropyLoss()(batch_logits, batch_labels)
    print(f"\nTwo images, labels {batch_labels.tolist()}: reduction='none' -> "
          f"{[round(v, 4) for v in per_image.tolist()]}, mean {plain.item():.4f}, "
          f"reduction='sum' -> {nn.CrossEntropyLoss(reduction='sum')(batch_logits, batch_labels).item():.4f}")
    # weight: class 1 counts 3x. With 'mean' the sum is divided by the summed weights.
    class_weights = torch.tensor([1.0, 3.0, 1.0], device=device)
    weighted = nn.CrossEntropyLoss(weight=class_weights)(batch_logits, batch_labels)
    print(f"weight=[1,3,1]: class 1 counts three times -> {weighted.item():.4f} "
          f"(= (3*{per_image[0]:.4f} + 1*{per_image[1]:.4f}) / (3+1))")
    # ignore_index: images with this label are left out entirely.
    ignored = nn.CrossEntropyLoss(ignore_index=0)(batch_logits, batch_labels)
    print(f"ignore_index=0: the image labelled 0 is left out -> {ignored.item():.4f} "
          f"(the first image's loss alone; default ignore_index is -100, a label nobody uses)")

    # Why raw scores: CrossEntropyLoss applies log_softmax itself.
    by_hand = nn.NLLLoss()(torch.log_softmax(logits, dim=1), label)
    softmax_first = nn.CrossEntropyLoss()(torch.softmax(logits, dim=1), label)
    print(f"\nCrossEntropyLoss = NLLLoss(log_softmax(scores)): {by_hand.item():.4f}. It does the softmax "
          f"itself, so feeding it softmax output squashes twice: {softmax_first.item():.4f}, a wrong loss "
          "whose gradients are too small to train well. Give it the model's raw scores.")

    return {"l1_mean": l1_mean.item(), "l1_sum": l1_sum.item(), "l1_none": l1_none.tolist(),
            "mse": mse.item(), "cross_entropy": cross_entropy.item(),
            "per_image": per_image.tolist(), "batch_mean": plain.item(),
            "weighted": weighted.item(), "ignored": ignored.item(),
            "by_hand": by_hand.item(), "softmax_first": softmax_first.item()}


if __name__ == "__main__":
    common.run(main)
