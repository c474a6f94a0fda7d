"""P8 TensorBoard的使用（一）（二）

TensorBoard 把训练过程画出来。SummaryWriter(文件夹) 把数据写进事件文件，TensorBoard 读这个文件夹。
add_scalar(tag, scalar_value, global_step) 画曲线（P7：y 轴是 scalar_value，x 轴是 global_step），
视频画了 "y=x" 和 "y=2x"；add_image(tag, img_tensor, global_step) 显示图片（P8）：PIL 图片先用
np.array 转成 numpy 数组，它的形状是 (高, 宽, 通道)，所以要写 dataformats='HWC'
（默认是 CHW，不写就出错，本课会演示）。

常见问题：同一个文件夹、同一个 tag 写两次（视频把 2*i 改成 3*i 再运行），TensorBoard 会把两次的点
连成一条来回折返的线。办法：每次运行换一个文件夹，或者先删掉旧的事件文件（本课每次运行都这样做）。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from torch.utils.tensorboard import SummaryWriter

from support import board, files, flags, pictures          # 我们的支持代码，不是课程内容
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__, logs=True)
    parser.add_argument("--data-root", type=Path, default=files.DATA_ROOT,
                        help="放 hymenoptera_data 的文件夹（默认：%(default)s）")
    args = flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（P8_Tensorboard.py）
    log_dir = board.fresh_run(args.logdir)     # 我们加的：上一次的记录先放到一边，打印查看命令
    writer = SummaryWriter(log_dir)            # 视频中 SummaryWriter("logs")
    image_path = pictures.first_picture(args.data_root)[0]    # 视频中 "data/train/ants_image/6240329_72c01e663e.jpg"
    img_PIL = Image.open(image_path)
    img_array = np.array(img_PIL)
    print(type(img_array))
    print(img_array.shape)

    writer.add_image("train", img_array, 1, dataformats='HWC')
    # y = x（P7）
    for i in range(100):
        writer.add_scalar("y=x", i, i)
    # y = 2x
    for i in range(100):
        writer.add_scalar("y=2x", 2 * i, i)    # 视频最后改成了 3*i（tag 没改），用来演示下面的“来回折返”

    writer.close()

    # ------------------------------------------------ 我们加的（课程之外）
    writer = SummaryWriter(log_dir)            # 再打开一次：看看不写 dataformats 会怎样
    try:
        writer.add_image("without_dataformats", img_array, 1)
        without = _("成功了")
    except (TypeError, ValueError, AssertionError) as error:
        without = f"{type(error).__name__}: {error}"
    writer.close()
    print(_("add_image(\"without_dataformats\", img_array, 1)，不写 dataformats：{result}").format(result=without))
    print(_("  add_image 默认图片是 CHW（通道在前，和张量一样）；numpy 数组是 HWC，所以要写 dataformats='HWC'"))
    print(_("add_image(\"train\", img_array, 1, dataformats='HWC')：写好了（IMAGES 页）；"
            "add_scalar：tag \"y=x\" 和 \"y=2x\"，步数 0..99（SCALARS 页）"))

    # 来回折返：两次运行，同一个文件夹，同一个 tag
    scratch = Path(args.logdir) / "zigzag_demo"
    shutil.rmtree(scratch, ignore_errors=True)
    for factor in (2, 3):                      # 第二次运行把 2*i 改成了 3*i，和视频一样
        again = SummaryWriter(str(scratch))
        for i in range(100):
            again.add_scalar("y=2x", factor * i, i)
        again.close()
    steps = [step for step, _value in board.read_scalars(scratch, "y=2x")]
    print(_("两次运行都往 {folder} 写了 tag \"y=2x\"：100 步却有 {points} 个点，TensorBoard 把第一次的 step 99 "
            "连到第二次的 step 0，线就来回折返。办法：每次运行换一个文件夹，或者先删掉旧的事件文件"
            "（本课每次运行都会换掉自己上一次的记录）").format(folder=files.shown(scratch), points=len(steps)))
    print(_("视频用的命令是 tensorboard --logdir=logs --port=6006；6006 端口被占用时换一个 --port"))
    return {"image_shape": list(img_array.shape), "without_dataformats": without, "zigzag_points": len(steps),
            "zigzag_steps": steps}


if __name__ == "__main__":
    files.run(main)
