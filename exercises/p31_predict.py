"""练一练 P31：用训练好的模型认图片（对照 lessons/p31_predict.py）。

改完运行 python exercises/check.py p31。
"""
import torch
import torchvision


# ---- 任务 1：prepare(image)：任意一张 PIL 图片（包括带透明通道的 PNG 和灰度图）-> [1, 3, 32, 32] 的张量，取值 0 到 1（和训练时一样）
def prepare(image):
    # 练一练：网络要 3 个通道
    transform = torchvision.transforms.Compose([torchvision.transforms.Resize((32, 32)),
                                                torchvision.transforms.ToTensor()])
    image = transform(image)
    return torch.reshape(image, (1, -1, 32, 32))


# ---- 任务 2：predict(model, image)：返回类别的序号（一个整数）；模型里有 Dropout
def predict(model, image):
    # 练一练：预测前要做的两件事
    output = model(image)
    # 练一练：output 是 [1, 类别数]：在哪一维上找最大？
    return output.argmax(0)
