"""How fast do the lessons train? Four ways to train the P21 network, measured
in one run, on the same machine and the same data:

  a  the video's P23 loop as written: DataLoader(batch_size=1) over a dataset
     that turns each PIL image into a tensor (ToTensor) one by one, SGD
     lr 0.01, `running_loss = running_loss + loss` (a tensor: every graph kept)
  b  the video's later loop: the same kind of DataLoader, batch 64
  c  p23_nn_optim.py itself, run through its main() as a learner runs it
     (its default settings), timed over its training epochs (the seconds
     each epoch's loop took, as P23 itself reports them)
  d  the ceiling: forward + backward + step on tensors already in memory,
     channels_last, at the best batch size found
  e  p23_nn_optim.py with --amp, in a process of its own: bfloat16 autocast
     where the processor or GPU has bfloat16, float32 where it has not
     (--amp then says so and costs nothing)

(a) and (b) each run in a fresh Python process, so one's memory does not
count against another; (c) and (d) share one, taking turns epoch by epoch, so
that a busy moment on a shared machine slows both alike (medians count). The
data is CIFAR10-shaped and made here (10,000 images, like the test split), or
real CIFAR10 with --data-root.

    python bench/train_speed.py                   # about 3 minutes on 2 cores
    python bench/train_speed.py --data-root data  # on real CIFAR10
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "lessons"))      # as `python lessons/x.py` has it: `support`, `models`
import support  # noqa: E402,F401  (support/versions.py: outside the supported versions, one line with the fix)

PARTS = {
    "a": "course loop, batch 1, per-image ToTensor, loss summed as a tensor",
    "b": "course loop, batch 64, per-image ToTensor",
    "c": "p23_nn_optim.py, as a learner runs it",
    "d": "ceiling: tensors in memory, channels_last, best batch",
    "e": "p23_nn_optim.py --amp (mixed precision)",
}
PROCESSES = {"a": "(a), the video's loop at batch 1 (the slow one)", "b": "(b), the video's loop at batch 64",
             "cd": "(c) p23 and (d) the ceiling, in turns", "e": "(e) p23 with --amp"}


# ---------------------------------------------------------------- data
def images_and_labels(args):
    """uint8 [N,32,32,3] and labels: real CIFAR10's test split, or made here."""
    import numpy as np

    if args.data_root:
        from support import data
        # finds, unpacks or downloads, and checks it, once
        dataset = data.real_cifar10(data.data_root(args.data_root), train=False)
        images, labels = dataset.data, list(dataset.targets)
    else:
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, size=(10_000, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, size=10_000).tolist()
    return images[:args.images], labels[:args.images]


def per_image_dataset(images, labels):
    """A dataset that behaves like torchvision's CIFAR10 with ToTensor: one PIL
    image converted per item (torchvision's own CIFAR10.__getitem__)."""
    import torchvision.transforms as T

    from support import data
    dataset = data.TinyCIFAR10(train=False, transform=T.ToTensor())
    dataset.data, dataset.targets = images, labels
    return dataset


def current_rss_mb():
    """This process's resident memory now, in MB; None where the system does not say.
    Linux: /proc; Windows: the working set; elsewhere psutil when it is installed."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, AttributeError):
        pass
    if os.name == "nt":
        return _windows_memory_mb()[0]
    try:
        import psutil
        return psutil.Process().memory_info().rss / 1e6
    except Exception:            # noqa: BLE001 - psutil is not a requirement
        return None


def peak_rss_mb():
    """The most resident memory this process has used, in MB; None where the system does not say."""
    if os.name == "nt":
        return _windows_memory_mb()[1]
    try:
        import resource          # Unix only: never imported at the top, so the file runs on Windows
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3     # bytes on macOS, KB on Linux


def _windows_memory_mb():
    """(working set, peak working set) in MB, from GetProcessMemoryInfo."""
    import ctypes
    from ctypes import wintypes

    class Counters(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD),
                    ("PeakWorkingSetSize", ctypes.c_size_t), ("WorkingSetSize", ctypes.c_size_t),
                    ("QuotaPeakPagedPoolUsage", ctypes.c_size_t), ("QuotaPagedPoolUsage", ctypes.c_size_t),
                    ("QuotaPeakNonPagedPoolUsage", ctypes.c_size_t), ("QuotaNonPagedPoolUsage", ctypes.c_size_t),
                    ("PagefileUsage", ctypes.c_size_t), ("PeakPagefileUsage", ctypes.c_size_t)]
    try:
        counters = Counters(cb=ctypes.sizeof(Counters))
        process = ctypes.windll.kernel32.GetCurrentProcess()
        if ctypes.windll.psapi.GetProcessMemoryInfo(process, ctypes.byref(counters), counters.cb):
            return counters.WorkingSetSize / 1e6, counters.PeakWorkingSetSize / 1e6
    except Exception:            # noqa: BLE001 - the memory is only reported, never needed
        pass
    return None, None


def megabytes(value):
    return "?" if value is None else f"{value:.0f}"


def synchronize(device):
    import torch
    if device.type == "cuda":
        torch.cuda.synchronize()


# ---------------------------------------------------------------- the parts
def part_course(args, device, batch_size, keep_graph):
    """(a) and (b): the video's loops."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader

    from models import Tudui

    images, labels = images_and_labels(args)
    limit = args.course_images if batch_size == 1 else len(images)
    loader = DataLoader(per_image_dataset(images[:limit], labels[:limit]), batch_size=batch_size)
    model = Tudui().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    running_loss = 0.0
    seen, started = 0, None
    for step, (imgs, targets) in enumerate(loader):
        if step == args.warmup:           # the first steps warm up the kernels
            synchronize(device)
            started, seen = time.perf_counter(), 0
        imgs, targets = imgs.to(device), targets.to(device)
        outputs = model(imgs)
        result_loss = loss_fn(outputs, targets)
        optimizer.zero_grad()
        result_loss.backward()
        optimizer.step()
        if keep_graph:
            running_loss = running_loss + result_loss     # as the video writes it
        else:
            running_loss += result_loss.item()
        seen += len(targets)
    synchronize(device)
    return {"images_per_s": seen / (time.perf_counter() - started), "images": seen,
            "batch_size": batch_size, "peak_rss_mb": peak_rss_mb()}


def ceiling_pass(images, labels, batch_size, device, warmup):
    """(d), one pass: forward + backward + step over batches sliced from
    tensors already in memory, with a fresh network and p23's optimizer."""
    import torch
    from torch import nn

    from models import Tudui

    torch.manual_seed(0)
    model = Tudui().to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(images[i:i + batch_size], labels[i:i + batch_size])
               for i in range(0, len(labels) - batch_size + 1, batch_size)]
    for step, (imgs, targets) in enumerate(batches[:warmup] + batches):
        if step == warmup:
            synchronize(device)
            started = time.perf_counter()
        optimizer.zero_grad()
        loss_fn(model(imgs), targets).backward()
        optimizer.step()
    synchronize(device)
    return len(batches) * batch_size / (time.perf_counter() - started)


def part_p23_and_ceiling(args, device, amp=False):
    """(c) and (d), taken in turns in one process so that the machine's ups
    and downs hit both alike.

    (c) is p23's main(), unchanged, run as a learner runs it: its own
    `torchvision.datasets.CIFAR10(...)` call is served the benchmark's
    pictures, and each epoch's time is the one P23 reports. (d) runs on the
    same pictures as tensors: first one pass per batch size to find the
    best, then one pass at that size after every p23 epoch. The first epoch
    and pass warm up; the median of the rest counts.
    """
    import statistics

    import torchvision

    import p23_nn_optim
    from support import data, training

    images, labels = images_and_labels(args)

    class BenchmarkData(data.TinyCIFAR10):
        """The benchmark's pictures, with torchvision's CIFAR10 signature."""

        def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
            super().__init__(root, train, transform, target_transform)
            n = len(images) if train else min(1000, len(images))
            self.data, self.targets = images[:n], list(labels[:n])

    ceiling_data = data.as_tensors(BenchmarkData(".", True), device, normalize=True)
    by_batch_size = {} if amp else {bs: ceiling_pass(*ceiling_data, bs, device, args.warmup)
                                    for bs in args.ceiling_batches}
    best = max(by_batch_size, key=by_batch_size.get) if by_batch_size else None
    ceiling, rss = [], []
    real_epoch, real_ready = training.Record.epoch, p23_nn_optim.cifar10_ready

    def epoch_then_ceiling(record, *rest):
        real_epoch(record, *rest)
        rss.append(current_rss_mb())
        if not amp:
            ceiling.append(ceiling_pass(*ceiling_data, best, device, args.warmup))
        record.started = time.perf_counter()      # the ceiling's pass is not p23's time

    def ready(lesson_args):
        torchvision.datasets.CIFAR10 = BenchmarkData
        return "."

    # p23 runs unchanged; only where its pictures come from and what happens
    # between its epochs are swapped in, and put back afterwards.
    training.Record.epoch, p23_nn_optim.cifar10_ready = epoch_then_ceiling, ready
    try:
        started = time.perf_counter()
        result = p23_nn_optim.main(["--device", device.type, "--epochs", str(args.repeats + 1),
                                    "--logdir", str(Path(args.scratch) / "logs")] + (["--amp"] if amp else []))
    finally:
        training.Record.epoch, p23_nn_optim.cifar10_ready = real_epoch, real_ready
        torchvision.datasets.CIFAR10 = data.REAL_CIFAR10
    total = time.perf_counter() - started
    history = next(iter(result["histories"].values()))
    timed = [len(images) / seconds for seconds in history["seconds"]]
    counted = slice(1, None) if len(timed) > 1 else slice(None)
    epochs = [{"seconds": seconds, "rss_mb": mb} for seconds, mb in zip(history["seconds"], rss)]
    timing = {"images_per_s": statistics.median(timed[counted]), "per_epoch": timed,
              "images": len(images) * len(timed), "batch_size": result["setup"]["batch_size"], "epochs": epochs,
              "end_to_end_s": total, "peak_rss_mb": peak_rss_mb(), "settings": result["settings"],
              "accuracy": history["accuracy"][-1]}
    if amp:
        return {"e": timing}
    return {
        "c": timing,
        "d": {"images_per_s": statistics.median(ceiling[counted]), "batch_size": best, "repeats": ceiling,
              "by_batch_size": by_batch_size},
    }


def run_part(part, args):
    import torch

    from support import flags
    device = flags.pick_device(args.device)
    torch.manual_seed(0)
    if part == "a":
        return part_course(args, device, batch_size=1, keep_graph=True)
    if part == "b":
        return part_course(args, device, batch_size=64, keep_graph=False)
    return part_p23_and_ceiling(args, device, amp=part == "e")


# ---------------------------------------------------------------- report
def machine(device):
    """The machine in one line: processor, its AVX-512 / bfloat16 / AMX, cores, torch, GPU."""
    import torch

    import check_env
    features = check_env.cpu_features(check_env.read_cpuinfo(), check_env.torch_cpu_facts())

    def say(name, value):
        return f"{name} {'yes' if value else 'no' if value is not None else '?'}"

    text = (f"{features['model'] or platform.processor() or platform.machine()} "
            f"({say('AVX-512', features['avx512'])}, {say('bfloat16', features['bf16'])}, {say('AMX', features['amx'])}), "
            f"{os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads)")
    if device == "cuda" or (device == "auto" and torch.cuda.is_available()):
        text += f", GPU {torch.cuda.get_device_name(0)}"
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", type=Path, help="real CIFAR10 here (default: made-up CIFAR10-shaped data)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument("--images", type=int, default=10_000, help="images per epoch (default: 10000)")
    parser.add_argument("--course-images", type=int, default=10_000,
                        help="images timed for (a), which is slow (default: 10000, the whole split)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed passes of (c) (p23 runs one epoch more, to warm up) and of (d) "
                             "at its best batch size; the median counts (default: 3)")
    parser.add_argument("--warmup", type=int, default=5, help="steps run before timing starts (default: 5)")
    parser.add_argument("--ceiling-batches", type=int, nargs="+", default=[32, 64, 128, 256])
    parser.add_argument("--quick", action="store_true", help="a few batches of everything: a smoke test")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--part", choices=PROCESSES, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.images, args.course_images, args.repeats, args.warmup = 256, 32, 1, 1
        args.ceiling_batches = [32, 64]

    if args.part:   # a child process: measure one part, print it as JSON
        print("RESULT " + json.dumps(run_part(args.part, args)))
        return None

    import tempfile
    this_machine = machine(args.device)
    print(f"machine: {this_machine}", flush=True)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for part, title in PROCESSES.items():
            print(f"measuring {title} ...", flush=True)
            child = [sys.executable, str(Path(__file__).resolve()), "--part", part, "--scratch", scratch,
                     "--device", args.device, "--images", str(args.images),
                     "--course-images", str(args.course_images), "--repeats", str(args.repeats),
                     "--warmup", str(args.warmup), "--ceiling-batches", *map(str, args.ceiling_batches)]
            if args.data_root:
                child += ["--data-root", str(args.data_root)]
            done = subprocess.run(child, capture_output=True, text=True)
            line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                sys.exit(f"part ({part}) failed:\n{done.stderr[-3000:]}")
            measured = json.loads(line[len("RESULT "):])
            results.update(measured if part in ("cd", "e") else {part: measured})

    a, b, c, d, e = (results[p]["images_per_s"] for p in "abcde")
    print(f"\nmachine: {this_machine}")
    print(f"data: {'real CIFAR10 from ' + str(args.data_root) if args.data_root else 'CIFAR10-shaped, made here'}, "
          f"{args.images} images per epoch\n")
    for part, title in PARTS.items():
        r = results[part]
        print(f"  ({part}) {r['images_per_s']:8.0f} images/s   batch {r['batch_size']:<4} {title}")
    epochs = results["c"]["epochs"]
    first, last = epochs[0]["rss_mb"], epochs[-1]["rss_mb"]
    grows = None if first is None or last is None else last > first * 1.05 + 20
    print(f"\n  c/a = {c / a:.1f}x    (target: at least 8x)")
    print(f"  c/d = {c / d:.0%}     (target: at least 90%)")
    print(f"  e/a = {e / a:.1f}x    (p23 --amp against the video's loop; target: at least 8x)")
    print(f"  e/c = {e / c:.2f}x   (--amp against float32; target without bfloat16: at least 0.9x)")
    print(f"  (c) and (e) trained alike: accuracy on 1,000 of their own training pictures after the same epochs "
          f"{results['c']['accuracy']:.1%} and {results['e']['accuracy']:.1%}")
    print(f"  b/a = {b / a:.1f}x")
    print(f"  (c) peak resident memory {megabytes(results['c']['peak_rss_mb'])} MB; after each epoch "
          + ", ".join(f"{megabytes(e['rss_mb'])} MB" for e in epochs)
          + (": GROWS" if grows else ": does not grow" if grows is not None else ": not measured here"))
    print(f"  (a) peak resident memory {megabytes(results['a']['peak_rss_mb'])} MB after {results['a']['images']} images")
    print("  (d) by batch size: " + ", ".join(f"{k}: {v:.0f}/s" for k, v in results["d"]["by_batch_size"].items()))
    summary = {"machine": this_machine, "results": results,
               "ratios": {"c/a": c / a, "c/d": c / d, "b/a": b / a, "e/a": e / a, "e/c": e / c},
               "memory_grows": grows}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
