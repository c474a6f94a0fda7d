"""练一练 P26：完整的训练套路（对照 lessons/p26_train.py）。

改完运行 python exercises/check.py p26。
"""
import torch


# ---- 任务 1：right_count(outputs, targets)：outputs 是 [一批几张, 类别数] 的分数，一批里猜对了几个？
def right_count(outputs, targets):
    # 练一练：每张图（每一行）分数最高的类别
    preds = outputs.argmax(0)
    return (preds == targets).sum()


# ---- 任务 2：evaluate(model, imgs)：测试时的输出（模型里有 Dropout）
def evaluate(model, imgs):
    # 练一练：测试前还要做两件事
    outputs = model(imgs)
    return outputs


# ---- 任务 3：train_steps：这个训练循环有个错，损失不会好好往下走
def train_steps(model, optimizer, x, y, steps):
    loss_fn = torch.nn.MSELoss()
    for step in range(steps):
        outputs = model(x)
        loss = loss_fn(outputs, y)
        # 练一练：backward 之前少了一步
        loss.backward()
        optimizer.step()
