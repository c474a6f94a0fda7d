"""Does DDP pay on this machine? lessons/p33_ddp_torchrun.py, started by
torchrun, in two ways on the same data, in one run:

  2x1  2 processes x 1 thread each  (torchrun --nproc_per_node=2, OMP_NUM_THREADS=1),
       batch B per process: B x 2 images per step
  1x2  1 process  x 2 threads       (torchrun --nproc_per_node=1, OMP_NUM_THREADS=2),
       batch 2B: the same images per step, the same number of steps

Both train the same epochs from the same starting weights (--seed), so the
accuracies should be close (the order of the images differs); images/s
counts training and testing, as the lesson times them, and not the start
of the processes. The data is the tiny stand-in set (--tiny), or real
CIFAR10 with --data-root.

    python bench/ddp_speed.py                         # tiny set, a minute or two
    python bench/ddp_speed.py --data-root data --epochs 1
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LESSON = REPO_ROOT / "lessons" / "p33_ddp_torchrun.py"
sys.path.insert(0, str(REPO_ROOT / "lessons"))      # as `python lessons/x.py` has it: `support`
import support  # noqa: E402,F401  (support/versions.py: outside the supported versions, one line with the fix)

from support.distributed import free_port  # noqa: E402


def machine():
    """The processor with its AVX-512 / bfloat16 / AMX, as bench/train_speed.py reports it."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("train_speed", Path(__file__).resolve().with_name("train_speed.py"))
    train_speed = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_speed)
    return train_speed.machine("cpu")


def torchrun():
    script = Path(sys.executable).with_name("torchrun")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "torch.distributed.run"]


def load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run(processes, threads, batch_size, args, scratch):
    report = scratch / f"{processes}x{threads}.json"
    command = torchrun() + [f"--nproc_per_node={processes}", "--master-port", str(free_port()), str(LESSON),
                            "--epochs", str(args.epochs), "--batch-size", str(batch_size), "--lr", str(args.lr),
                            "--device", "cpu", "--seed", str(args.seed), "--print-every", "1000000",
                            "--logdir", str(scratch / f"logs_{processes}x{threads}"),
                            "--out-dir", str(scratch / f"ck_{processes}x{threads}"), "--report", str(report)]
    command += ["--data-root", str(args.data_root)] if args.data_root else ["--tiny"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), LANGUAGE="en")
    started = time.time()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{processes}x{threads} failed:\n{done.stderr[-3000:]}")
    result = json.loads(report.read_text())
    result["wall"] = time.time() - started
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", type=Path, default=None, help="real CIFAR10 here (default: the tiny set)")
    parser.add_argument("--epochs", type=int, default=None, help="default: 10 on the tiny set, 1 on CIFAR10")
    parser.add_argument("--batch-size", type=int, default=32, help="per process in 2x1; 1x2 uses twice it (default 32)")
    parser.add_argument("--lr", type=float, default=0.05, help="SGD learning rate (default 0.05)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 1 if args.data_root else 10
    print(f"machine: {machine()}; torch via {sys.executable}")
    print(f"data: {'CIFAR10 from ' + str(args.data_root) if args.data_root else 'tiny stand-in set (200 train, 100 test)'}"
          f", {args.epochs} epoch(s), {args.batch_size * 2} images per step, SGD lr {args.lr}")
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for processes, threads in ((2, 1), (1, 2)):
            before = load()
            result = run(processes, threads, args.batch_size * 2 // processes, args, Path(scratch))
            result["load"] = (before, load())
            results[f"{processes}x{threads}"] = result
            print(f"{processes} process(es) x {threads} thread(s): {result['images_per_second']:7.1f} images/s "
                  f"(training + testing {result['seconds']:.1f} s, with start-up {result['wall']:.1f} s), "
                  f"test accuracy {result['test_accuracy'][-1]:.3f} after {args.epochs} epoch(s); "
                  f"load average {result['load'][0]:.1f} -> {result['load'][1]:.1f}")
    ratio = results["2x1"]["images_per_second"] / results["1x2"]["images_per_second"]
    print(f"2x1 / 1x2 = {ratio:.2f}: " + ("two processes were faster" if ratio > 1.05 else
                                           "two processes did not pay here" if ratio < 0.95 else "about the same"))
    return results


if __name__ == "__main__":
    main()
