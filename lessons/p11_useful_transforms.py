"""P11 常见的Transforms（一）（二）- P11-P12: ToTensor, Normalize, Resize, Compose, RandomCrop

常用的 transforms：ToTensor（转成张量）；Normalize（归一化，output = (input - mean) / std，
视频用 mean = std = [0.5, 0.5, 0.5]，把 [0,1] 变成 [-1,1]）；Resize（缩放：给 (高, 宽) 两个数
就缩放到这个大小，只给一个数就按比例缩放，短边等于这个数）；Compose（把几个 transforms 串起来，
前一个的输出是后一个的输入，所以顺序很重要）；RandomCrop（随机裁剪）。每一步都写进 TensorBoard。
视频的建议：关注输入和输出类型，多看官方文档，关注方法需要什么参数；不知道返回值时
print、print(type())、或者 debug。

Each transform on the same picture, its input and output types printed, the
Normalize arithmetic checked on one pixel by hand, a Compose in the wrong
order run and its error explained, and ten random crops of two sizes.
"""
from pathlib import Path

from torchvision import transforms

import common
import pictures


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=common.DATA_ROOT,
                        help="folder that holds hymenoptera_data (default: data/)")
    parser.add_argument("--crops", type=common.positive_int, default=10,
                        help="how many random crops of each size to log (default: 10, as the video)")
    args = common.parse_args(parser, argv)

    _, img = pictures.first_picture(args.data_root)
    img = img.convert("RGB")
    writer = common.open_writer(args.logdir, image_steps=args.crops)

    # ToTensor
    trans_totensor = transforms.ToTensor()
    img_tensor = trans_totensor(img)
    print(f"ToTensor: {type(img).__name__} -> {type(img_tensor).__name__} {list(img_tensor.shape)}")
    writer.add_image("ToTensor", img_tensor)

    # Normalize（归一化）: output[channel] = (input[channel] - mean[channel]) / std[channel]
    trans_norm = transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    img_norm = trans_norm(img_tensor)
    before, after = img_tensor[0][0][0].item(), img_norm[0][0][0].item()
    print(f"Normalize([0.5]*3, [0.5]*3): img_tensor[0][0][0] {before:.4f} -> img_norm[0][0][0] {after:.4f}; "
          f"by hand (x - mean) / std = ({before:.4f} - 0.5) / 0.5 = {(before - 0.5) / 0.5:.4f}; "
          f"the range [0, 1] becomes [{img_norm.min():.2f}, {img_norm.max():.2f}]")
    writer.add_image("Normalize", img_norm)

    # Resize（缩放）: a pair is (height, width); one number keeps the proportions
    trans_resize = transforms.Resize((512, 512))
    img_resize = trans_resize(img)
    print(f"Resize((512, 512)): PIL {img.size} -> PIL {img_resize.size} (width, height): squashed to a square")
    writer.add_image("Resize", trans_totensor(img_resize), 0)
    trans_resize_2 = transforms.Resize(512)
    img_resize_2 = trans_resize_2(img)
    print(f"Resize(512): PIL {img.size} -> PIL {img_resize_2.size}: the shorter side becomes 512, "
          "the proportions stay")

    # Compose: each step's output is the next step's input
    trans_compose = transforms.Compose([trans_resize_2, trans_totensor])
    img_compose = trans_compose(img)
    print(f"Compose([Resize(512), ToTensor()]) -> {type(img_compose).__name__} {list(img_compose.shape)}")
    writer.add_image("Resize", img_compose, 1)
    try:
        transforms.Compose([trans_norm, trans_totensor])(img)
        wrong_order = "ran"
    except TypeError as error:
        wrong_order = f"TypeError: {error}"
    print(f"Compose([Normalize, ToTensor]) (wrong order) -> {wrong_order}\n"
          "  Normalize takes a tensor, and the picture is still PIL: ToTensor must come first. "
          "看输入输出类型 (read each step's input and output type)")

    # RandomCrop（随机裁剪）
    crop_shapes = []
    for size, tag in ((256, "RandomCrop"), ((200, 400), "RandomCropHW")):
        trans_random = transforms.RandomCrop(size, pad_if_needed=True)
        trans_compose_2 = transforms.Compose([trans_random, trans_totensor])
        for i in range(args.crops):
            img_crop = trans_compose_2(img)
            writer.add_image(tag, img_crop, i)
        crop_shapes.append(list(img_crop.shape))
        print(f"RandomCrop({size}) x{args.crops} -> {list(img_crop.shape)} each, a different place every time "
              f"(tag {tag}); pad_if_needed=True pads a picture smaller than the crop")
    writer.close()
    print("\n不知道返回值的时候 when unsure what came back: print(x), print(type(x)), or the debugger")
    return {"tensor_shape": list(img_tensor.shape), "normalize": (before, after),
            "norm_range": (img_norm.min().item(), img_norm.max().item()),
            "resize_pair": img_resize.size, "resize_one": img_resize_2.size, "original": img.size,
            "compose_shape": list(img_compose.shape), "wrong_order": wrong_order, "crop_shapes": crop_shapes}


if __name__ == "__main__":
    common.run(main)
