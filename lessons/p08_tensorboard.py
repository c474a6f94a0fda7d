"""P8 TensorBoard的使用（一）（二）- P7-P8: SummaryWriter, add_scalar, add_image

TensorBoard 把训练过程画出来。SummaryWriter(文件夹) 把数据写进事件文件；
add_scalar(tag, y, x) 画曲线：视频的 "y=x" 和 "y=2x"；add_image(tag, 图片, step) 显示图片：
PIL 图片先用 np.array 转成 numpy 数组，它的形状是 (高, 宽, 通道)，所以要写 dataformats='HWC'
（默认是 CHW，不写就报错，本课会演示并解释）。
常见问题：同一个文件夹、同一个 tag 写两次，TensorBoard 会把两次的点连成一条来回折返的线（zig-zag）。
办法：每次运行换一个文件夹，或者先删掉旧的事件文件（我们的课程就是这样做的）。

SummaryWriter writes event files into a folder; TensorBoard reads that
folder. The video's y=x and y=2x curves go in with add_scalar, a picture
with add_image from numpy in HWC order. A second run writing the same tag
into the same folder draws a zig-zag: shown here in a scratch folder, read
back, and avoided. The command that opens TensorBoard is printed, ready to paste.
"""
import shutil
from pathlib import Path

import numpy as np
from torch.utils.tensorboard import SummaryWriter

import common
import pictures


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=common.DATA_ROOT,
                        help="folder that holds hymenoptera_data (default: data/)")
    args = common.parse_args(parser, argv)

    writer = common.open_writer(args.logdir)
    for i in range(100):
        writer.add_scalar("y=x", i, i)          # add_scalar(tag, scalar_value（y 轴）, global_step（x 轴）)
        writer.add_scalar("y=2x", 2 * i, i)
    print("add_scalar: tags y=x and y=2x, steps 0..99 (SCALARS tab)")

    image_path, img_PIL = pictures.first_picture(args.data_root)
    img_array = np.array(img_PIL.convert("RGB"))
    print(f"img_array = np.array(Image.open({image_path.name})): {type(img_array)}, shape {img_array.shape} "
          "(height, width, channels: HWC)")
    try:
        writer.add_image("without_dataformats", img_array, 1)
        without = "worked"
    except (TypeError, ValueError, AssertionError) as error:
        without = f"{type(error).__name__}: {error}"
    print(f"add_image('train', img_array, 1) without dataformats -> {without}\n"
          "  add_image expects CHW (channels first, as tensors are) unless told otherwise")
    writer.add_image("train", img_array, 1, dataformats="HWC")
    print("add_image('train', img_array, 1, dataformats='HWC') -> ok (IMAGES tab)")
    writer.close()

    # The zig-zag: two runs, one folder, one tag.
    scratch = Path(args.logdir) / "zigzag_demo"
    shutil.rmtree(scratch, ignore_errors=True)
    for run, factor in ((1, 2), (2, 3)):     # the second run changed y=2x into 3*i (as the course's code has it)
        again = SummaryWriter(str(scratch))
        for i in range(100):
            again.add_scalar("y=2x", factor * i, i)
        again.close()
    steps = [step for step, _ in common.read_scalars(scratch, "y=2x")]
    print(f"\nzig-zag 折线来回: two runs wrote tag y=2x into {common.shown(scratch)}: {len(steps)} points for "
          f"100 steps; TensorBoard joins step 99 of one run to step 0 of the next. Fix: one folder per run, "
          "or delete the old event files first (this lesson replaces its own run each time)")
    print(f"open it: {common.tensorboard_command(args.logdir)}   (the notes add --port=6006; pick another "
          "--port when 6006 is taken)")
    return {"image_shape": list(img_array.shape), "without_dataformats": without, "zigzag_points": len(steps),
            "zigzag_steps": steps}


if __name__ == "__main__":
    common.run(main)
