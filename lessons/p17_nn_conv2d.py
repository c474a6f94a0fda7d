"""P17 神经网络 - 卷积层 (nn.Conv2d)

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


def as_picture(tensor):
    """Stretch each image to [0, 1]: conv outputs are any real numbers, and
    TensorBoard would clip everything outside [0, 1] to black or white."""
    flat = tensor.flatten(1)
    low, high = flat.min(1, keepdim=True).values, flat.max(1, keepdim=True).values
    return ((flat - low) / (high - low).clamp_min(1e-8)).view_as(tensor)


def parameter_effects(batch):
    """Each Conv2d parameter changed alone: its output shape and parameter count."""
    variants = {
        "Conv2d(3, 6, 3)  (the lesson's layer)": nn.Conv2d(3, 6, 3),
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
    loader = DataLoader(dataset, batch_size=args.batch_size)
    conv = nn.Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0).to(args.device)
    print(conv)

    writer = common.open_writer(args.logdir)
    with torch.no_grad():
        for step, (images, _) in common.first_batches(loader, args.log_batches):
            images = images.to(args.device)
            output = conv(images)
            if step == 0:
                print(f"input {list(images.shape)} -> output {list(output.shape)}   "
                      "(the video: [64, 3, 32, 32] -> [64, 6, 30, 30])")
                first_batch, first_output_shape = images, list(output.shape)
            writer.add_images("input", images, step)
            # [64,6,30,30] -> [128,3,30,30], as in the video
            writer.add_images("output", as_picture(output.reshape(-1, 3, 30, 30)), step)
            writer.add_images("output_channels", as_picture(output[0].unsqueeze(1)), step)
    writer.close()
    logged = step + 1
    print(f"logged {logged} batch(es): tags input, output, output_channels")

    print("\nOne parameter at a time, on the same batch:")
    effects = parameter_effects(first_batch)
    for name, (shape, params) in effects.items():
        print(f"  {name:<38} output {str(shape):<18} parameters {params}")
    print("  (parameters = out_channels * in_channels/groups * kH * kW, + out_channels for the bias)")
    # in_channels is not free to choose: it must equal the input's channels.
    try:
        nn.Conv2d(6, 6, 3).to(args.device)(first_batch)
        mismatch = None
    except RuntimeError as error:
        mismatch = str(error).splitlines()[0]
    print(f"  in_channels=6 on this 3-channel batch fails: {mismatch}")

    return {"input_shape": list(first_batch.shape), "output_shape": first_output_shape,
            "logged_batches": logged, "effects": effects, "in_channels_mismatch": mismatch}


if __name__ == "__main__":
    common.run(main)
