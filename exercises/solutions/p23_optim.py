"""参考答案：练一练 P23：优化器（对照 lessons/p23_nn_optim.py）。

检查程序用 torch.optim.SGD 训练一个很小的模型（拟合一条直线，例如 y = 2x - 1），看损失降没降。
改完运行 python exercises/check.py p23。
"""
import torch


# ---- 任务 1：lr：30 步之内让损失降到开始时的十分之一以下
# 练一练：学习率取多少？（太小损失几乎不降，太大损失来回跳、甚至越来越大）
lr = 0.5


# ---- 任务 2：make_optimizer(model)：模型有两层 Linear，两层都要训练
def make_optimizer(model):
    # 练一练：优化器要拿到哪些参数？
    return torch.optim.SGD(model.parameters(), lr=0.1)
