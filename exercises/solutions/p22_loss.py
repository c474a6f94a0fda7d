"""参考答案：练一练 P22：损失函数（对照 lessons/p22_nn_loss.py）。

改完运行 python exercises/check.py p22。
"""
from torch import nn
from torch.nn import L1Loss


# ---- 任务 1：loss_fn：inputs = [1, 2, 3]，targets = [1, 2, 5]，要得到 2.0
# 练一练：reduction 取什么？
loss_fn = L1Loss(reduction='sum')


# ---- 任务 2：classification_loss：分类问题（每个样本几个类别的分数 x，正确类别 y）
# 练一练：换成分类用的损失函数
classification_loss = nn.CrossEntropyLoss()
