"""练一练 P9–P12：transforms（对照 lessons/p09_transforms.py 和 lessons/p11_useful_transforms.py）。

改完运行 python exercises/check.py p09。
"""
import numpy as np
import torch
from torchvision import transforms


# ---- 任务 1：to_tensor(img)：PIL 图片 -> 张量，和 transforms.ToTensor() 的结果一样
def to_tensor(img):
    # 练一练：用 transforms 工具箱里的工具
    return torch.tensor(np.array(img))


# ---- 任务 2：不运行，先算：宽 40、高 30 的 RGB 图片经过 ToTensor 后的形状，写成 [?, ?, ?]
# 练一练：填上形状
tensor_shape = None


# ---- 任务 3：normalize：把 [0, 1] 的张量变成 [-1, 1]（0 -> -1，1 -> 1）
# 练一练：mean 和 std 取多少？
normalize = transforms.Normalize([0, 0, 0], [1, 1, 1])


# ---- 任务 4：resize：短边变成 20、比例不变（任何图片都行，例如宽 60、高 40 的图片 -> 宽 30、高 20）
# 练一练：Resize 给一个数还是两个数？
resize = transforms.Resize((20, 20))


# ---- 任务 5：pipeline：PIL 图片 -> 张量，像素值 0 变成 -1、255 变成 1（用 ToTensor 和任务 3 的 Normalize）
# 练一练：Compose 里的顺序
pipeline = transforms.Compose([transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5]), transforms.ToTensor()])
