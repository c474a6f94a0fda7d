"""P20 神经网络 - 线性层及其他层介绍 (flatten, nn.Linear)

线性层 nn.Linear(in_features, out_features) 作用在输入的最后一维上。视频先用
torch.reshape(imgs, (1, 1, 1, -1)) 把整批 64 张图变成 [1,1,1,196608]，经过
Tudui 的 linear1 = Linear(196608, 10) 得到 [1,1,1,10]；再改用 torch.flatten（展平）
得到 [196608] -> [10]。这要求每批正好 64 张，所以 DataLoader 用 drop_last=True。
实际的模型是每张图各自展平：flatten(start_dim=1) -> [64,3072] -> Linear(3072,10)。

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


class Tudui(nn.Module):
    """The video's module for this section: linear1 takes a whole batch of 64 images as one row."""

    def __init__(self, in_features=196608):
        super().__init__()
        self.linear1 = nn.Linear(in_features, 10)

    def forward(self, input):
        output = self.linear1(input)
        return output


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
    print("torch.flatten（展平） on a [2,3,2,2] tensor:")
    for start, end in [(0, -1), (1, -1), (1, 2), (2, 3)]:
        print(f"  start_dim={start}, end_dim={end:>2} -> {list(torch.flatten(sample, start, end).shape)}")

    dataset = cifar.cifar10(train=False, args=args)
    if args.batch_size > len(dataset):
        raise common.LessonError(f"--batch-size {args.batch_size}: with drop_last=True every batch must be "
                                 f"full, and this split has only {len(dataset)} images")
    # drop_last: the video's whole-batch flatten needs every batch full.
    dataloader = DataLoader(dataset, batch_size=args.batch_size, drop_last=True)
    whole_batch_size = args.batch_size * 3 * 32 * 32
    tudui = Tudui(whole_batch_size).to(device)
    print(tudui)
    per_image_linear = nn.Linear(3 * 32 * 32, 10).to(device)
    print(f"{len(dataset)} images = {len(dataset) // args.batch_size}*{args.batch_size} "
          f"+ {len(dataset) % args.batch_size}: with drop_last=True the last "
          f"{len(dataset) % args.batch_size} are skipped")
    video = "   （视频中: torch.Size([64, 3, 32, 32])）" if args.batch_size == 64 else f" (视频中 batch 64; here --batch-size {args.batch_size})"
    shapes = {}
    with torch.no_grad():
        for step, (imgs, targets) in common.first_batches(dataloader, args.batches):
            imgs = imgs.to(device)
            print(f"\nbatch {step}: imgs.shape {imgs.shape}{video}")
            # the video's first try: the whole batch as one row, by reshape
            reshaped = torch.reshape(imgs, (1, 1, 1, -1))
            reshaped_out = tudui(reshaped)
            print(f"  torch.reshape(imgs, (1, 1, 1, -1)) {reshaped.shape} -> tudui {reshaped_out.shape}"
                  "   (the video's first try, before flatten)")
            # then the same with torch.flatten（展平）
            output = torch.flatten(imgs)
            whole_out = tudui(output)
            print(f"  torch.flatten(imgs) {output.shape} -> tudui {whole_out.shape}"
                  f"   （视频中: torch.Size([196608]) -> torch.Size([10])）")
            per_image = torch.flatten(imgs, start_dim=1)  # one row per image
            per_image_out = per_image_linear(per_image)
            print(f"  per image（逐张展平）: torch.flatten(imgs, start_dim=1) {per_image.shape} "
                  f"-> Linear(3072, 10) {per_image_out.shape}")
            shapes = {
                "images": list(imgs.shape),
                "reshaped": list(reshaped.shape), "reshaped_out": list(reshaped_out.shape),
                "whole_batch_flat": list(output.shape), "whole_batch_out": list(whole_out.shape),
                "per_image_flat": list(per_image.shape), "per_image_out": list(per_image_out.shape),
            }
    print(f"\nLinear({whole_batch_size}, 10) holds {tudui.linear1.weight.numel():,} weights and gives "
          f"one answer per batch; Linear(3072, 10) holds {per_image_linear.weight.numel():,} "
          "and gives one per image, whatever the batch size: that is how networks use it (P21)")

    no_bias = nn.Linear(3072, 10, bias=False)
    print(f"bias=False（无偏置）: {sum(p.numel() for p in no_bias.parameters())} parameters instead of "
          f"{sum(p.numel() for p in per_image_linear.parameters())} (no +b after the multiply)")

    print("\nThe other layer families in the notes' table (input -> output shape):")
    families = other_layer_families(device)
    return {"shapes": shapes, "families": families, "printed": str(tudui)}


if __name__ == "__main__":
    common.run(main)
