"""练一练 P17：卷积层 nn.Conv2d（对照 lessons/p17_nn_conv2d.py）。

改完运行 python exercises/check.py p17。
"""
from torch.nn import Conv2d


# ---- 任务 1：conv_same：[64, 3, 32, 32] -> [64, 6, 32, 32]（边长不变）
# 练一练：改 padding（或别的设置）
conv_same = Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0)


# ---- 任务 2：不运行，先算：Conv2d(3, 6, 5, stride=2) 把 32x32 的图片变成几乘几？填一条边的长度
# 练一练：填上一个整数
out_side = None


# ---- 任务 3：conv_half：[64, 3, 32, 32] -> [64, 16, 16, 16]
# 练一练：out_channels、kernel_size、stride、padding 怎么取？
conv_half = Conv2d(3, 6, 3)
