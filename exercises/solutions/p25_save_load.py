"""参考答案：练一练 P25：保存和读取模型（对照 lessons/p25_model_save.py 和 lessons/p25_model_load.py）。

改完运行 python exercises/check.py p25。
"""
import torch
from torch import nn


class Tudui(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, kernel_size=3)

    def forward(self, x):
        return self.conv1(x)


# ---- 任务 1：save(model, path) 和 load(path)：保存方式 2（只存参数），读回来的模型输出和保存前一模一样
def save(model, path):
    torch.save(model.state_dict(), path)


def load(path):
    model = Tudui()
    # 练一练：少了一步：把文件里的参数放进 model
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


# ---- 任务 2：load_small(path)：文件里是 Sequential(Linear(4, 8), ReLU(), Linear(8, 3)) 的 state_dict
def load_small(path):
    # 练一练：模型的结构要和保存时一样
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    model.load_state_dict(torch.load(path, weights_only=True))
    return model
