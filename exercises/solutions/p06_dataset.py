"""参考答案：练一练 P6：自己写一个 Dataset（对照 lessons/p06_dataset.py）。

改带“练一练”的那一行（或几行），然后运行 python exercises/check.py p06 检查。
检查程序会自己做一个文件夹 root，里面 ants、bees 两个子文件夹，各有几张图片。
"""
import os

from PIL import Image
from torch.utils.data import Dataset


# ---- 任务 1：MyData(root_dir, label_dir)：一个文件夹是一类，标签就是文件夹名
class MyData(Dataset):

    def __init__(self, root_dir, label_dir):
        self.root_dir = root_dir
        self.label_dir = label_dir
        self.path = os.path.join(self.root_dir, self.label_dir)
        self.img_path = sorted(os.listdir(self.path))

    def __getitem__(self, idx):
        img_name = self.img_path[idx]
        img_item_path = os.path.join(self.root_dir, self.label_dir, img_name)
        img = Image.open(img_item_path)
        # 练一练：标签应该是什么？
        label = self.label_dir
        return img, label

    def __len__(self):
        # 练一练：返回这个文件夹里图片的张数
        return len(self.img_path)


# ---- 任务 2：ants_and_bees(root)：蚂蚁和蜜蜂合成一个数据集（例如 3 张蚂蚁 + 2 张蜜蜂 = 5 张）
def ants_and_bees(root):
    ants_dataset = MyData(root, "ants")
    bees_dataset = MyData(root, "bees")
    # 练一练：把两个数据集拼成一个，返回它
    return ants_dataset + bees_dataset
