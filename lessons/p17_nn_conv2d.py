"""P17 神经网络 - 卷积层 (nn.Conv2d)

nn.Conv2d 就是把 F.conv2d 的卷积核（权重）和偏置装进一个模块里，自动创建、初始化。
视频的 Tudui 里有一层 conv1 = Conv2d(3, 6, 3)：CIFAR10 的 3 个颜色通道变成 6 个通道，
[64,3,32,32] -> [64,6,30,30]。输入和输出图片写进 TensorBoard；6 通道无法显示成彩色，
所以像视频一样 reshape 成 [-1,3,30,30]。最后逐个改变参数，看输出形状和参数个数的变化。

`nn.Conv2d` is F.conv2d with its weights and bias kept inside a module,
created and initialised for us. `Conv2d(3, 6, 3)` takes CIFAR10's 3 colour
channels to 6 channels with 3x3 kernels: a batch [64,3,32,32] comes out as
[64,6,30,30] (no padding, so each side loses 2).

TensorBoard gets the input images and the output. A 6-channel image cannot
be shown as colour, so, as in the video, the output is reshaped to
[-1,3,30,30]: each image becomes two 3-channel pictures (channels 0-2 and
3-5), so "output" holds twice as many pictures as "input". Those colours mean
nothing; "output_channels" therefore also shows the first image's 6 channels
one by one in grey, which is what the layer really computed.

Then every parameter from the notes is changed one at a time to show what
it does to the output shape and to the number of learned values.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common


class Tudui(nn.Module):
    """The video's module for this section: one convolution layer, conv1."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0)

    def forward(self, x):
        x = self.conv1(x)
        return x


def as_picture(tensor):
    """Stretch each image to [0, 1]: conv outputs are any real numbers, and
    TensorBoard would clip everything outside [0, 1] to black or white."""
    flat = tensor.flatten(1)
    low, high = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    return ((flat - low) / (high - low).clamp_min(1e-8)).view_as(tensor)


# the notes' Chinese term for each parameter
TERMS = {"out_channels": "输出通道", "kernel_size": "卷积核", "stride": "步长", "padding=1, padding_mode": "填充模式",
         "padding": "填充", "dilation": "空洞", "groups": "分组", "bias": "偏置"}


def parameter_effects(batch):
    """Each Conv2d parameter changed alone: its output shape and parameter count."""
    variants = {
        "Conv2d(3, 6, 3)  (the video's conv1)": nn.Conv2d(3, 6, 3),
        "out_channels=12": nn.Conv2d(3, 12, 3),
        "kernel_size=5": nn.Conv2d(3, 6, 5),
        "kernel_size=(3, 5)": nn.Conv2d(3, 6, (3, 5)),
        "stride=2": nn.Conv2d(3, 6, 3, stride=2),
        "padding=1": nn.Conv2d(3, 6, 3, padding=1),
        "padding=1, padding_mode='reflect'": nn.Conv2d(3, 6, 3, padding=1, padding_mode="reflect"),
        "dilation=2": nn.Conv2d(3, 6, 3, dilation=2),
        "groups=3": nn.Conv2d(3, 6, 3, groups=3),
        "bias=False": nn.Conv2d(3, 6, 3, bias=False),
    }
    effects = {}
    with torch.no_grad():
        for name, layer in variants.items():
            output = layer.to(batch.device)(batch)
            params = sum(p.numel() for p in layer.parameters())
            effects[name] = (list(output.shape), params)
    return effects


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True)
    args = common.parse_args(parser, argv)

    dataset = cifar.cifar10(train=False, args=args)
    dataloader = DataLoader(dataset, batch_size=args.batch_size)
    tudui = Tudui().to(args.device)
    print(tudui)

    steps = common.logged_steps(dataloader, args.log_batches)
    writer = common.open_writer(args.logdir, image_steps=steps)
    with torch.no_grad():
        for step, (imgs, targets) in common.first_batches(dataloader, args.log_batches):
            imgs = imgs.to(args.device)
            output = tudui(imgs)
            if step == 0:
                print(f"imgs.shape   {imgs.shape}   （视频中: torch.Size([64, 3, 32, 32])）")
                print(f"output.shape {output.shape}   （视频中: torch.Size([64, 6, 30, 30])）")
                first_batch, first_output_shape = imgs, list(output.shape)
            writer.add_images("input", imgs, step)
            # [64,6,30,30] -> [128,3,30,30], as in the video
            writer.add_images("output", as_picture(torch.reshape(output, (-1, 3, 30, 30))), step)
            writer.add_images("output_channels", as_picture(output[0].unsqueeze(1)), step)
    writer.close()
    logged = step + 1
    print(f"logged {logged} of {len(dataloader)} batch(es): tags input, output, output_channels. "
          "The video logs every batch: add --log-batches all")
    print("note 注意: the output pictures are each rescaled to [0, 1] for display (卷积输出可正可负, "
          "TensorBoard would clip them to black and white); the video logs them unscaled")

    print("\nOne parameter at a time, on the same batch:")
    effects = parameter_effects(first_batch)
    for name, (shape, params) in effects.items():
        term = next((zh for key, zh in TERMS.items() if name.startswith(key)), "")
        print(f"  {name:<38} {term:<6} output {str(shape):<18} parameters（参数个数） {params}")
    print("  (parameters = out_channels * in_channels/groups * kH * kW, + out_channels for the bias)")
    # in_channels is not free to choose: it must equal the input's channels.
    try:
        nn.Conv2d(6, 6, 3).to(args.device)(first_batch)
        mismatch = None
    except RuntimeError as error:
        mismatch = str(error).splitlines()[0]
    print(f"  in_channels=6 on this 3-channel batch fails: {mismatch}")

    return {"input_shape": list(first_batch.shape), "output_shape": first_output_shape,
            "logged_batches": logged, "effects": effects, "in_channels_mismatch": mismatch, "printed": str(tudui)}


if __name__ == "__main__":
    common.run(main)
