"""P22 损失函数与反向传播 - loss and backward() on the network

The P21 network meets real CIFAR10 batches: its 10 scores per image and the
true labels go into CrossEntropyLoss, and `loss.backward()` works out, for
every one of the 145,578 parameters, how the loss would change if that
parameter moved: its gradient, stored in `parameter.grad`.

Before the first backward() every `.grad` is None; after it each holds a
tensor of the parameter's own shape. Nothing is updated yet: changing the
parameters is the optimizer's job (P23). Note that a second backward() would
ADD to the stored gradients, which is why training loops clear them first.
"""
import torch
from torch import nn
from torch.utils.data import DataLoader

import cifar
import common
from models import Tudui


def main(argv=None):
    parser = common.lesson_parser(__file__, __doc__, data=True)
    parser.add_argument("--batches", type=common.positive_int, default=2,
                        help="how many batches to compute the loss for (default: 2)")
    args = common.parse_args(parser, argv)
    device = args.device

    dataset = cifar.cifar10(train=False, args=args)
    loader = DataLoader(dataset, batch_size=args.batch_size)
    model = Tudui().to(device)
    loss_fn = nn.CrossEntropyLoss()
    first_conv = model.model[0]

    losses = []
    grad_before = first_conv.weight.grad
    print(f"first conv layer's weight.grad before backward(): {grad_before}")
    for step, (images, targets) in common.first_batches(loader, args.batches):
        images, targets = images.to(device), targets.to(device)
        outputs = model(images)                 # [batch, 10] scores
        loss = loss_fn(outputs, targets)        # one number
        if step == 0:
            print(f"outputs {list(outputs.shape)}, targets {targets[:8].tolist()}...")
        model.zero_grad()                       # so each batch shows its own gradients
        loss.backward()
        losses.append(loss.item())
        grad = first_conv.weight.grad
        print(f"batch {step}: loss {loss.item():.4f} -> weight.grad {list(grad.shape)}, "
              f"mean |grad| {grad.abs().mean().item():.2e}")

    missing = [name for name, p in model.named_parameters() if p.grad is None]
    print(f"after backward(): {sum(p.grad is not None for p in model.parameters())} of "
          f"{len(list(model.parameters()))} parameter tensors have a gradient"
          + (f" (missing: {missing})" if missing else ""))
    print(f"a loss near ln(10) = {torch.log(torch.tensor(10.0)).item():.4f} is what an untrained "
          "network scores: it gives every class about the same chance")
    return {"grad_before": grad_before, "losses": losses,
            "grad_shapes": {name: list(p.grad.shape) for name, p in model.named_parameters()
                            if p.grad is not None}}


if __name__ == "__main__":
    common.run(main)
