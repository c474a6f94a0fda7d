"""参考答案：练一练 P15：nn.Module 的骨架（对照 lessons/p15_nn_module.py）。

改完运行 python exercises/check.py p15。
"""
import torch
from torch import nn


# ---- 任务 1：Tudui：输出 = 输入 * 2 + 1
class Tudui(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, input):
        # 练一练：乘 2 再加 1
        output = input * 2 + 1
        return output


# ---- 任务 2：WithLayer：有一层 nn.Linear(2, 1)；现在一建就报错，少了一行
class WithLayer(nn.Module):
    def __init__(self):
        # 练一练：这里少了一行（nn.Module 自己的准备工作）
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, x):
        return self.linear(x)
