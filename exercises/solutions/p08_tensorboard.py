"""参考答案：练一练 P8：TensorBoard 的 add_scalar 和 add_image（对照 lessons/p08_tensorboard.py）。

检查程序给你的函数一个 writer（和 SummaryWriter 一样用），看你写进去了什么。
改完运行 python exercises/check.py p08。
"""


# ---- 任务 1：draw(writer)：画 y = 3x，tag 是 "y=3x"，x 从 0 到 99
def draw(writer):
    for i in range(100):
        # 练一练：y 是 3*i，x 是 i
        writer.add_scalar("y=3x", 3 * i, i)


# ---- 任务 2：show(writer, img_array)：img_array 是 numpy 图片，形状 (高, 宽, 通道)
def show(writer, img_array):
    # 练一练：这张图片的维度顺序要告诉 add_image
    writer.add_image("train", img_array, 1, dataformats='HWC')
