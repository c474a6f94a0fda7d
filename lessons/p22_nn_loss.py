"""P22 损失函数与反向传播

损失函数（loss function）衡量模型的输出和目标差多少，结果是一个数；训练就是想办法让它变小。
视频的例子：inputs = [1, 2, 3]，targets = [1, 2, 5]，reshape 成 [1, 1, 1, 3]：
  L1Loss(reduction='sum') 是绝对差之和 0 + 0 + 2 = 2；默认的 reduction='mean' 再除以 3 个元素，得 0.6667；
  MSELoss 是平方差的平均 (0 + 0 + 4) / 3 = 1.3333。
交叉熵 CrossEntropyLoss 用于分类：3 个类别的分数 x = [0.1, 0.2, 0.3]，正确类别 y = 1，
  loss = -0.2 + log(e^0.1 + e^0.2 + e^0.3) = 1.1019。
课程的代码之后，我们再看 reduction（汇总方式）、weight（类别权重）、ignore_index（忽略的类别）
的作用，以及为什么 CrossEntropyLoss 要输入模型的原始分数（logits），不能先做 softmax。
"""
import support          # 先查 Python、torch、torchvision 的版本：不合适就说一行怎么修（我们的支持代码，不是课程内容）
import torch
from torch.nn import L1Loss
from torch import nn

from support import files, flags          # 我们的支持代码，不是课程内容
from support.i18n import _


def main(argv=None):
    parser = flags.lesson_parser(__file__, __doc__)
    flags.parse_args(parser, argv)

    # ------------------------------------------------ 课程的代码（nn_loss.py）
    inputs = torch.tensor([1, 2, 3], dtype=torch.float32)
    targets = torch.tensor([1, 2, 5], dtype=torch.float32)

    inputs = torch.reshape(inputs, (1, 1, 1, 3))        # [batch_size, 通道, 高, 宽]
    targets = torch.reshape(targets, (1, 1, 1, 3))

    loss = L1Loss(reduction='sum')
    result = loss(inputs, targets)

    loss_mse = nn.MSELoss()
    result_mse = loss_mse(inputs, targets)

    print(result)
    print(_("（视频中: {}）").format("tensor(2.)"))              # 我们加的：视频打印的值，下同
    print(result_mse)
    print(_("（视频中: {}）").format("tensor(1.3333)"))

    x = torch.tensor([0.1, 0.2, 0.3])
    y = torch.tensor([1])
    x = torch.reshape(x, (1, 3))                        # [batch_size=1, 类别数=3]
    loss_cross = nn.CrossEntropyLoss()
    result_cross = loss_cross(x, y)
    print(result_cross)
    print(_("（视频中: {}）").format("tensor(1.1019)"))

    # ------------------------------------------------ 我们加的（课程之外）
    # reduction：每个元素的损失怎么汇总成一个数
    l1_mean = L1Loss()(inputs, targets)
    l1_none = L1Loss(reduction="none")(inputs, targets).flatten()
    print(_("L1Loss() 默认 reduction='mean'：{mean:.4f}（2 ÷ 3 个元素）；reduction='none'：{none}"
            "（每个元素一个损失，不汇总）").format(mean=l1_mean.item(), none=l1_none.tolist()))
    by_formula = -0.2 + torch.log(torch.exp(torch.tensor([0.1, 0.2, 0.3])).sum()).item()
    print(_("交叉熵按公式算：-x[1] + log(e^0.1 + e^0.2 + e^0.3) = {value:.4f}").format(value=by_formula))

    # 两张图一批，看 CrossEntropyLoss 的参数
    batch_logits = torch.tensor([[0.1, 0.2, 0.3], [1.0, 0.1, 0.1]])
    batch_labels = torch.tensor([1, 0])
    per_image = nn.CrossEntropyLoss(reduction="none")(batch_logits, batch_labels)
    plain = nn.CrossEntropyLoss()(batch_logits, batch_labels)
    summed = nn.CrossEntropyLoss(reduction="sum")(batch_logits, batch_labels)
    print(_("两张图，标签 {labels}：reduction='none' 得到每张图的损失 {each}，默认 'mean' 是平均 {mean:.4f}，"
            "'sum' 是总和 {total:.4f}").format(labels=batch_labels.tolist(),
                                          each=[round(v, 4) for v in per_image.tolist()],
                                          mean=plain.item(), total=summed.item()))
    # weight：类别 1 的损失算 3 倍；'mean' 时除以权重之和，不是除以图片数
    weighted = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 3.0, 1.0]))(batch_logits, batch_labels)
    print(_("weight=[1, 3, 1]（类别权重）：类别 1 的损失算 3 倍，结果 {value:.4f} = "
            "(3 × {first:.4f} + 1 × {second:.4f}) ÷ (3 + 1)").format(
        value=weighted.item(), first=per_image[0].item(), second=per_image[1].item()))
    ignored = nn.CrossEntropyLoss(ignore_index=0)(batch_logits, batch_labels)
    print(_("ignore_index=0（忽略的类别）：标签是 0 的那张图不算，结果 {value:.4f} 就是第一张图自己的损失"
            "（默认 ignore_index=-100，没有哪个标签会是它）").format(value=ignored.item()))

    # 为什么要原始分数：CrossEntropyLoss 自己会做 log_softmax
    by_hand = nn.NLLLoss()(torch.log_softmax(x, dim=1), y)
    softmax_first = nn.CrossEntropyLoss()(torch.softmax(x, dim=1), y)
    print(_("CrossEntropyLoss 等于 NLLLoss(log_softmax(分数))：{by_hand:.4f}。它自己会做 softmax，"
            "先 softmax 再送进去就压缩了两次：得到 {twice:.4f}，损失不对，梯度也太小，训练不好；"
            "所以要给它模型的原始分数").format(by_hand=by_hand.item(), twice=softmax_first.item()))

    return {"l1_mean": l1_mean.item(), "l1_sum": result.item(), "l1_none": l1_none.tolist(),
            "mse": result_mse.item(), "inputs_shape": list(inputs.shape), "cross_entropy": result_cross.item(),
            "by_formula": by_formula, "per_image": per_image.tolist(), "batch_mean": plain.item(),
            "batch_sum": summed.item(), "weighted": weighted.item(), "ignored": ignored.item(),
            "by_hand": by_hand.item(), "softmax_first": softmax_first.item()}


if __name__ == "__main__":
    files.run(main)
