"""参考答案：练一练 P18：最大池化 nn.MaxPool2d（对照 lessons/p18_nn_maxpool.py）。

改完运行 python exercises/check.py p18。
"""
from torch.nn import MaxPool2d


# ---- 任务 1：pool：视频的 5x5 输入 -> [[2, 3], [5, 1]]（3x3 的窗口）
# 练一练：窗口走到边上、只盖住一部分输入时怎么办？
pool = MaxPool2d(kernel_size=3, ceil_mode=True)


# ---- 任务 2：pool11：[64, 3, 32, 32] -> [64, 3, 11, 11]，窗口还是 3x3
# 练一练：让边长是 11
pool11 = MaxPool2d(kernel_size=3, ceil_mode=True)
