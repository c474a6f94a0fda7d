"""参考答案：练一练 P16：卷积是怎么算的（对照 lessons/p16_nn_conv.py）。

输入是视频里 5x5 的 input，卷积核是 3x3 的 kernel（见 lessons/p16_nn_conv.py）。
改完运行 python exercises/check.py p16。
"""


# ---- 任务 1：不运行，先算：F.conv2d(input, kernel, stride=1) 输出左上角的数
# 练一练：填上一个数
corner = 10


# ---- 任务 2：选 stride 和 padding，让 5x5 的输入、3x3 的卷积核得到 2x2 的输出
# 练一练：改这两个数（不止一种答案）
stride = 2
padding = 0


# ---- 任务 3：输出尺寸公式：输入一条边的长度 size，卷积核的边长 kernel（一个整数，比如 3），步长 stride，填充 padding
def out_size(size, kernel, stride, padding):
    # 练一练：写出公式
    return (size + 2 * padding - kernel) // stride + 1
