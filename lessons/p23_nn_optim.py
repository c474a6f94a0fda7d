"""P23 优化器 - the training loop

Training repeats four steps on batch after batch:
    optimizer.zero_grad()   forget the last batch's gradients
    outputs = model(x)      forward
    loss.backward()         gradients of the loss for every parameter
    optimizer.step()        move every parameter a little against its gradient
One pass over the training images is an epoch; the running loss (the batch
losses summed with .item(), as plain numbers) should fall from one epoch to
the next, and the accuracy on the held-out test split should rise.

Every optimizer in the notes' table can be picked with --optimizer, and the
common parameters set where the optimizer has them (--lr, --weight-decay,
--momentum, --dampening, --nesterov, --eps, --amsgrad). LBFGS looks at the
loss several times per step, so it is handed a closure that recomputes it.
--compare sgd adam ... trains the same starting weights with each optimizer
and writes one TensorBoard run per optimizer, so their curves sit together.

The defaults are chosen so that two epochs on real CIFAR10 (about a minute
and a half on a 2-core laptop CPU) reach about 67% test accuracy:
  * Adam, whose step adapts to each parameter; the video's SGD (lr 0.01, no
    momentum, fixed) reaches about 51% after 3 epochs. Try
    `--optimizer sgd --schedule constant --batch-size 64`.
  * a one-cycle learning-rate schedule (torch.optim.lr_scheduler.OneCycleLR):
    the rate climbs to --lr (Adam: 0.003) over the first 30% of the steps,
    then falls to almost 0, so training takes big steps early and settles at
    the end. `--schedule constant` keeps --lr fixed, as the video does.
  * inputs normalized per colour channel (as transforms.Normalize does):
    centred numbers train faster than ToTensor's 0..1.
  * batches of 128 (the video: 64): a processor does more per second on
    bigger batches, and this network still learns as well per epoch.
    `--batch-size 64` gives the video's.
"""
import copy
import inspect
import time

import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset
from tqdm import tqdm

import cifar
import common
from models import Tudui

# name -> (class, learning rate used when --lr is not given; with the one-cycle
# schedule, the peak rate)
OPTIMIZERS = {
    "sgd": (torch.optim.SGD, 0.01),          # the video's choice
    "adam": (torch.optim.Adam, 3e-3),
    "adamw": (torch.optim.AdamW, 3e-3),
    "rmsprop": (torch.optim.RMSprop, 1e-3),  # PyTorch's 0.01 is too big for this network
    "adagrad": (torch.optim.Adagrad, 0.01),
    "adadelta": (torch.optim.Adadelta, 1.0),
    "lbfgs": (torch.optim.LBFGS, 0.1),       # PyTorch's 1.0 overshoots on small batches
}
COMMON_SETTINGS = ("weight_decay", "momentum", "dampening", "nesterov", "eps", "amsgrad")


def optimizer_settings(name, args):
    """The keyword arguments for optimizer `name`: --lr (or its default) and
    each common setting the learner gave that this optimizer accepts.
    Returns (settings, names of the given settings it does not accept)."""
    cls, default_lr = OPTIMIZERS[name]
    accepted = inspect.signature(cls.__init__).parameters
    settings = {"lr": args.lr if args.lr is not None else default_lr}
    not_accepted = []
    for key in COMMON_SETTINGS:
        value = getattr(args, key)
        if value is None:
            continue
        if key in accepted:
            settings[key] = value
        else:
            not_accepted.append(key)
    return settings, not_accepted


def make_loader(images, labels, batch_size, shuffle):
    """A DataLoader over tensors already in memory.

    The BatchSampler hands the dataset a whole list of indices at once, so a
    batch is cut out of the big tensor in one indexing operation, instead of
    64 single-image lookups glued back together.
    """
    dataset = TensorDataset(images, labels)
    # A new shuffle each epoch, drawn from torch's seeded generator (--seed).
    order = RandomSampler(dataset) if shuffle else SequentialSampler(dataset)
    return DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None)


def train_one_epoch(model, loader, loss_fn, optimizer, scheduler, device, progress):
    """One pass over the training data; returns (running loss, batches)."""
    model.train()
    needs_closure = isinstance(optimizer, torch.optim.LBFGS)
    running_loss = 0.0
    for images, targets in tqdm(loader, desc=progress, leave=False, unit="batch", disable=None):
        images, targets = images.to(device, non_blocking=True), targets.to(device, non_blocking=True)
        if needs_closure:
            def closure():
                optimizer.zero_grad()
                loss = loss_fn(model(images), targets)
                loss.backward()
                return loss
            loss = optimizer.step(closure)
        else:
            optimizer.zero_grad()
            outputs = model(images)
            loss = loss_fn(outputs, targets)
            loss.backward()
            optimizer.step()
        if scheduler is not None:
            scheduler.step()        # the learning rate for the next batch
        # .item() gives a plain number; adding the tensor itself would keep
        # every batch's autograd graph alive until the end of the epoch.
        running_loss += loss.item()
    return running_loss, len(loader)


def evaluate(model, loader, device):
    """Share of images whose highest score is the right class."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, targets in loader:
            images, targets = images.to(device, non_blocking=True), targets.to(device, non_blocking=True)
            correct += (model(images).argmax(dim=1) == targets).sum().item()
            total += len(targets)
    return correct / total


def train(name, settings, start_weights, train_loader, test_loader, args, writer):
    """Train a fresh copy of the network from `start_weights` with one optimizer."""
    # channels_last (pixels stored colour-by-colour side by side) is the layout
    # the CPU and GPU convolution kernels run fastest on. LBFGS flattens the
    # gradients with .view(), which needs the default layout.
    layout = torch.contiguous_format if name == "lbfgs" else torch.channels_last
    model = Tudui().to(args.device, memory_format=layout)
    model.load_state_dict(start_weights)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = OPTIMIZERS[name][0](model.parameters(), **settings)
    scheduler = None
    # LBFGS sizes its own steps from the curvature it measures, and a rate
    # that changes under it breaks that (the loss turns into nan): no schedule.
    if args.schedule == "onecycle" and name != "lbfgs":
        # Adam's beta1 (or SGD's momentum, if set) swings against the rate, as in the paper.
        swings = "betas" in optimizer.defaults or optimizer.defaults.get("momentum", 0) > 0
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=settings["lr"], epochs=args.epochs, steps_per_epoch=len(train_loader),
            cycle_momentum=swings)
    print(f"\n{optimizer.__class__.__name__}({', '.join(f'{k}={v}' for k, v in settings.items())})"
          + (f", one-cycle schedule peaking at lr={settings['lr']}" if scheduler else ", constant lr"))
    history = {"running_loss": [], "accuracy": []}
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        running_loss, batches = train_one_epoch(model, train_loader, loss_fn, optimizer, scheduler, args.device,
                                                progress=f"{name} epoch {epoch}/{args.epochs}")
        speed = len(train_loader.dataset) / (time.perf_counter() - started)
        accuracy = evaluate(model, test_loader, args.device)
        history["running_loss"].append(running_loss)
        history["accuracy"].append(accuracy)
        print(f"  epoch {epoch}/{args.epochs}: running loss {running_loss:.2f} "
              f"(sum of {batches} batch losses, mean {running_loss / batches:.4f}), "
              f"test accuracy {accuracy:.2%}  [{speed:.0f} images/s]")
        writer.add_scalar("running_loss", running_loss, epoch)
        writer.add_scalar("test_accuracy", accuracy, epoch)
        writer.add_scalar("learning_rate", optimizer.param_groups[0]["lr"], epoch)
    return model, history


def build_parser():
    parser = common.lesson_parser(__file__, __doc__, data=True, logs=True, batch_size=128)
    parser.add_argument("--optimizer", type=str.lower, choices=OPTIMIZERS, default="adam",
                        help="which torch.optim optimizer trains the network (default: adam)")
    parser.add_argument("--compare", nargs="+", type=str.lower, choices=OPTIMIZERS, metavar="OPTIMIZER",
                        help="train the same starting weights once with each of these optimizers "
                             "(e.g. --compare sgd adam); one TensorBoard run each")
    parser.add_argument("--epochs", type=common.positive_int, default=2, help="passes over the training split (default: 2)")
    parser.add_argument("--schedule", choices=["onecycle", "constant"], default="onecycle",
                        help="learning rate over time: one cycle up to --lr and down, or --lr throughout "
                             "as in the video (default: onecycle)")
    parser.add_argument("--lr", type=common.positive_float,
                        help="learning rate (default: per optimizer, " +
                             ", ".join(f"{k} {lr}" for k, (_, lr) in OPTIMIZERS.items()) + ")")
    parser.add_argument("--weight-decay", type=common.non_negative_float, help="L2 penalty on the weights")
    parser.add_argument("--momentum", type=common.non_negative_float, help="momentum factor (SGD, RMSprop)")
    parser.add_argument("--dampening", type=common.non_negative_float, help="dampening for momentum (SGD)")
    parser.add_argument("--nesterov", action="store_true", default=None,
                        help="Nesterov momentum (SGD; needs --momentum and no dampening)")
    parser.add_argument("--eps", type=common.positive_float, help="term added to denominators (Adam, RMSprop, ...)")
    parser.add_argument("--amsgrad", action="store_true", default=None, help="the AMSGrad variant (Adam, AdamW)")
    return parser


def main(argv=None):
    parser = build_parser()
    args = common.parse_args(parser, argv)
    names = list(dict.fromkeys(args.compare or [args.optimizer]))   # each optimizer once

    all_settings = {}
    for name in names:
        settings, not_accepted = optimizer_settings(name, args)
        if not_accepted and not args.compare:
            accepted = [k for k in COMMON_SETTINGS if k in inspect.signature(OPTIMIZERS[name][0].__init__).parameters]
            parser.error(f"{name} has no {', '.join('--' + k.replace('_', '-') for k in not_accepted)} "
                         f"(it takes --lr{''.join(' --' + k.replace('_', '-') for k in accepted)})")
        if not_accepted:
            print(f"{name}: has no {', '.join('--' + k.replace('_', '-') for k in not_accepted)}, "
                  "so those are left out for it")
        try:  # the optimizer checks its own values (e.g. nesterov needs momentum)
            OPTIMIZERS[name][0]([torch.zeros(1, requires_grad=True)], **settings)
        except ValueError as error:
            parser.error(f"{name}: {error}")
        all_settings[name] = settings

    train_set = cifar.cifar10(train=True, args=args)
    test_set = cifar.cifar10(train=False, args=args)
    # Converted to tensors once, on the training device; the DataLoaders then
    # only cut batches out of them.
    train_loader = make_loader(*cifar.as_tensors(train_set, args.device, normalize=True), args.batch_size,
                               shuffle=True)
    test_loader = make_loader(*cifar.as_tensors(test_set, args.device, normalize=True), 1000, shuffle=False)

    start_weights = copy.deepcopy(Tudui().state_dict())  # the same start for every optimizer
    histories = {}
    for name in names:
        writer = common.open_writer(args.logdir / name)
        common.seed_everything(args.seed)
        _, histories[name] = train(name, all_settings[name], start_weights, train_loader, test_loader, args, writer)
        writer.close()

    if len(names) > 1:
        print("\nfinal test accuracy: " + ", ".join(f"{n} {h['accuracy'][-1]:.2%}" for n, h in histories.items()))
    return {"histories": histories, "settings": all_settings}


if __name__ == "__main__":
    common.run(main)
