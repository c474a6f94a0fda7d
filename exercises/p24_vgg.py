"""练一练 P24：改现成的网络 VGG16（对照 lessons/p24_model_pretrained.py）。

检查程序用 vgg16(weights=None) 建模型（不下载），交给你的函数。
改完运行 python exercises/check.py p24。
"""
from torch import nn


# ---- 任务 1：for_cifar10(vgg)：改传进来的这个 vgg（保留它已有的参数），让它输出 10 个类别的分数（原来是 1000 个）
def for_cifar10(vgg):
    # 练一练：最后一层收到的是多少个数？
    vgg.classifier[6] = nn.Linear(1000, 10)
    return vgg


# ---- 任务 2：新的最后一层 nn.Linear(4096, 10) 一共有多少个参数？
# 练一练：填上一个整数（权重和偏置都算）
new_layer_parameters = None
