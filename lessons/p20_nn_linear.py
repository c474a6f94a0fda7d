"""P20 神经网络 - 线性层及其他层介绍 (flatten, nn.Linear)

`nn.Linear(in_features, out_features)` multiplies the LAST dimension of its
input by a weight matrix (and adds a bias): [..., in] -> [..., out]. Images
must be flattened first.

The video flattens a whole batch [64,3,32,32] into one long row of 196608
numbers and feeds it to Linear(196608, 10): ten numbers for the whole batch.
That only works if every batch has exactly 64 images, so it needs
`drop_last=True` (the test split has 10000 = 156*64 + 16 images). Models
flatten per image instead, `torch.flatten(x, start_dim=1)` -> [64,3072],
then Linear(3072, 10) gives ten scores for EACH image, whatever the batch
size. Both are run here side by side, then one line for each other layer
family in the notes' table.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common


def other_layer_families(device):
    """One example each from the notes' table: name -> (input shape, output shape)."""
    examples = {
        "Normalization  BatchNorm2d(3)": (nn.BatchNorm2d(3), torch.randn(64, 3, 32, 32)),
        "Recurrent      LSTM(10, 20, batch_first=True)": (nn.LSTM(10, 20, batch_first=True), torch.randn(4, 7, 10)),
        "Transformer    TransformerEncoderLayer(16, nhead=4)":
            (nn.TransformerEncoderLayer(16, nhead=4, batch_first=True), torch.randn(4, 7, 16)),
        "Dropout        Dropout(p=0.5)": (nn.Dropout(p=0.5), torch.ones(64, 3072)),
        "Sparse         Embedding(1000, 8)": (nn.Embedding(1000, 8), torch.randint(0, 1000, (4, 7))),
    }
    shapes = {}
    for name, (layer, sample) in examples.items():
        layer.to(device)
        output = layer(sample.to(device))
        if isinstance(output, tuple):   # LSTM also returns its final (h, c)
            output = output[0]
        shapes[name] = (list(sample.shape), list(output.shape))
        note = ""
        if isinstance(layer, nn.Dropout):
            note = f"   ({(output == 0).float().mean():.0%} zeroed, the rest x2, in training mode)"
        print(f"  {name:<52} {str(list(sample.shape)):<16} -> {list(output.shape)}{note}")
    return shapes


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True)
    parser.add_argument("--batches", type=common.positive_int, default=2,
                        help="how many batches to run through both layers (default: 2)")
    args = common.parse_args(parser, argv)
    device = args.device

    sample = torch.arange(24).reshape(2, 3, 2, 2)
    print("torch.flatten on a [2,3,2,2] tensor:")
    for start, end in [(0, -1), (1, -1), (1, 2), (2, 3)]:
        print(f"  start_dim={start}, end_dim={end:>2} -> {list(torch.flatten(sample, start, end).shape)}")

    dataset = cifar.cifar10(train=False, args=args)
    if args.batch_size > len(dataset):
        raise common.LessonError(f"--batch-size {args.batch_size}: with drop_last=True every batch must be "
                                 f"full, and this split has only {len(dataset)} images")
    # drop_last: the video's whole-batch flatten needs every batch full.
    loader = DataLoader(dataset, batch_size=args.batch_size, drop_last=True)
    whole_batch_size = args.batch_size * 3 * 32 * 32
    whole_batch_linear = nn.Linear(whole_batch_size, 10).to(device)
    per_image_linear = nn.Linear(3 * 32 * 32, 10).to(device)
    print(f"\n{len(dataset)} images = {len(dataset) // args.batch_size}*{args.batch_size} "
          f"+ {len(dataset) % args.batch_size}: with drop_last=True the last "
          f"{len(dataset) % args.batch_size} are skipped")
    shapes = {}
    with torch.no_grad():
        for step, (images, _) in common.first_batches(loader, args.batches):
            images = images.to(device)
            whole = torch.flatten(images)                   # the video: one row per batch
            per_image = torch.flatten(images, start_dim=1)  # one row per image
            shapes = {
                "images": list(images.shape),
                "whole_batch_flat": list(whole.shape),
                "whole_batch_out": list(whole_batch_linear(whole).shape),
                "per_image_flat": list(per_image.shape),
                "per_image_out": list(per_image_linear(per_image).shape),
            }
            print(f"batch {step}: {shapes['images']} -> flatten {shapes['whole_batch_flat']} "
                  f"-> Linear({whole_batch_size}, 10) {shapes['whole_batch_out']}   |   "
                  f"flatten(start_dim=1) {shapes['per_image_flat']} -> Linear(3072, 10) {shapes['per_image_out']}")
    print(f"Linear({whole_batch_size}, 10) holds {whole_batch_linear.weight.numel():,} weights and gives "
          f"one answer per batch; Linear(3072, 10) holds {per_image_linear.weight.numel():,} "
          "and gives one per image")

    no_bias = nn.Linear(3072, 10, bias=False)
    print(f"bias=False: {sum(p.numel() for p in no_bias.parameters())} parameters instead of "
          f"{sum(p.numel() for p in per_image_linear.parameters())} (no +b after the multiply)")

    print("\nThe other layer families in the notes' table (input -> output shape):")
    families = other_layer_families(device)
    return {"shapes": shapes, "families": families}


if __name__ == "__main__":
    common.run(main)
