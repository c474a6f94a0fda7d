"""练一练 P21：搭一个小网络，nn.Sequential（对照 lessons/p21_nn_seq.py）。

改完运行 python exercises/check.py p21。
"""
from torch.nn import Conv2d, Flatten, Linear, MaxPool2d, Sequential


# ---- 任务 1：model：torch.ones((64, 3, 32, 32)) 进去，[64, 10] 出来
# 练一练：现在把 torch.ones((64, 3, 32, 32)) 送进去会报错；运行 check.py p21 看报错再改（不止一种答案）
model = Sequential(
    Conv2d(3, 32, 5),
    MaxPool2d(2),
    Conv2d(32, 32, 5),
    MaxPool2d(2),
    Conv2d(32, 64, 5),
    MaxPool2d(2),
    Flatten(),
    Linear(1024, 64),
    Linear(64, 10),
)


# ---- 任务 2：kernel_size=5、stride=1 的卷积，边长不变，padding 要多少？
# 练一练：填上一个整数
same_padding = None


# ---- 任务 3：最后一次池化之后是 64 个通道、4x4，Flatten 之后每张图有多少个数？
# 练一练：填上一个整数
flat_features = None
