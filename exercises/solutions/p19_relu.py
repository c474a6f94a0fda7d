"""参考答案：练一练 P19：非线性激活（对照 lessons/p19_nn_relu.py）。

改完运行 python exercises/check.py p19。
"""
from torch.nn import ReLU, Sigmoid  # noqa: F401


# ---- 任务 1：activation：把每个数各自压到 (0, 1) 之间，越大越接近 1（这一课讲的另一个激活函数）
# 练一练：换一个激活函数
activation = Sigmoid()


# ---- 任务 2：x = torch.tensor([1.0, -1.0])，运行 ReLU(inplace=True)(x) 之后，x 被改了吗？
# 练一练：改了填 True，没改填 False
input_changed = True
