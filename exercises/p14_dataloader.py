"""练一练 P13–P14：数据集和 DataLoader（对照 lessons/p14_dataloader.py）。

改完运行 python exercises/check.py p14。
"""
from torch.utils.data import DataLoader


# ---- 任务 1：不运行，先算：10000 张图片，batch_size=64，drop_last=True，一共几批？
# 练一练：填上批数
batches = None


# ---- 任务 2：make_loader(dataset)：每批 4 个，每一轮重新洗牌，凑不满的最后一批丢掉
def make_loader(dataset):
    # 练一练：还要加哪几项设置？
    return DataLoader(dataset)
