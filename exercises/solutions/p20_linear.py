"""参考答案：练一练 P20：线性层 nn.Linear（对照 lessons/p20_nn_linear.py）。

改完运行 python exercises/check.py p20。
"""
import torch
from torch.nn import Linear


# ---- 任务 1：flatten(imgs)：[64, 3, 32, 32] -> [64, 3072]，每张图各自展平（一批几张都行，别把 64 写死）
def flatten(imgs):
    # 练一练：别把整批压成一行
    return torch.flatten(imgs, start_dim=1)


# ---- 任务 2：linear：展平之后，每张图得到 10 个分数（一批几张都行）
# 练一练：in_features 是多少？
linear = Linear(3072, 10)
