"""参考答案：练一练 P22：损失函数（对照 lessons/p22_nn_loss.py）。

改完运行 python exercises/check.py p22。
"""
from torch import nn
from torch.nn import L1Loss


# ---- 任务 1：loss_fn：把每个位置差的绝对值加起来（不求平均）；inputs = [1, 2, 3]、targets = [1, 2, 5] 时得到 2.0
# 练一练：reduction 取什么？
loss_fn = L1Loss(reduction='sum')


# ---- 任务 2：classification_loss：分类问题，x 是每张图对各个类别的分数，y 是正确类别的序号
# 练一练：换成分类用的损失函数
classification_loss = nn.CrossEntropyLoss()
