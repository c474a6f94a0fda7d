"""What each training choice is worth, and how fast: every figure the README
and the lessons' --help quote, measured in one run on one machine.

Each row runs a lesson's main() in a fresh Python process, as a learner's
`python lessons/...` would, on the same data, one after another (never side
by side, so they do not slow each other), and reports its final test
accuracy and its time from start to finish. Then bench/train_speed.py runs in
the same invocation, so speed and accuracy come from the same machine and
the same hour.

    python bench/accuracy.py --data-root data          # real CIFAR10, about 15 minutes on 2 cores
    python bench/accuracy.py --data-root data --quick  # the P23 and P26 default and --amp rows only
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "lessons"))      # as `python lessons/x.py` has it: `support`, `models`
import support  # noqa: E402,F401  (support/versions.py: outside the supported versions, one line with the fix)

# (label, lesson, flags): each P23 row changes one default back to the video's
ROWS = [
    ("p23 default (Adam, one-cycle, normalized, batch 128, train split)", "p23_nn_optim", []),
    ("p23 --amp", "p23_nn_optim", ["--amp"]),
    ("p23 --split test (accuracy on the train split)", "p23_nn_optim", ["--split", "test"]),
    ("p23 --optimizer sgd", "p23_nn_optim", ["--optimizer", "sgd"]),
    ("p23 --schedule constant", "p23_nn_optim", ["--schedule", "constant"]),
    ("p23 --no-normalize", "p23_nn_optim", ["--no-normalize"]),
    ("p23 --batch-size 64", "p23_nn_optim", ["--batch-size", "64"]),
    ("p23 --video --epochs 2 (accuracy on the train split)", "p23_nn_optim", ["--video", "--epochs", "2"]),
    ("p26 default", "p26_train", []),
    ("p26 --amp", "p26_train", ["--amp"]),
    ("p26 --video (10 epochs)", "p26_train", ["--video"]),
]
QUICK = {"p23 default (Adam, one-cycle, normalized, batch 128, train split)", "p23 --amp", "p26 default", "p26 --amp"}


def child(lesson, flags, scratch):
    """In the child process: run the lesson, print its accuracy and time."""
    import importlib
    started = time.perf_counter()
    module = importlib.import_module(lesson)
    extra = ["--logdir", str(Path(scratch) / "logs")] + (["--out-dir", str(Path(scratch) / "ck")]
                                                         if lesson == "p26_train" else [])
    result = module.main(flags + extra)
    seconds = time.perf_counter() - started
    if lesson == "p23_nn_optim":
        accuracy = next(iter(result["histories"].values()))["accuracy"][-1]
    else:
        accuracy = result["test_accuracy"][-1]
    print("RESULT " + json.dumps({"accuracy": accuracy, "seconds": seconds}))


def load_train_speed():
    """bench/train_speed.py, the module beside this one."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("train_speed", Path(__file__).resolve().with_name("train_speed.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-root", type=Path, required=True, help="the folder holding real CIFAR10")
    parser.add_argument("--quick", action="store_true", help="only the P23 and P26 default and --amp rows, no speed part")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        scratch, lesson, *flags = args.child
        return child(lesson, flags, scratch)

    train_speed = load_train_speed()
    machine = train_speed.machine("cpu")
    print(f"machine: {machine}", flush=True)
    rows = [row for row in ROWS if not args.quick or row[0] in QUICK]
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for label, lesson, flags in rows:
            print(f"running {label} ...", flush=True)
            command = [sys.executable, str(Path(__file__).resolve()), "--data-root", str(args.data_root),
                       "--child", scratch, lesson, *flags, "--data-root", str(args.data_root), "--device", "cpu"]
            done = subprocess.run(command, capture_output=True, text=True)
            line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
            if done.returncode != 0 or line is None:
                sys.exit(f"{label} failed:\n{done.stderr[-3000:]}")
            results[label] = json.loads(line[len("RESULT "):])
    print(f"\nmachine: {machine}\ndata: real CIFAR10 from {args.data_root}; 2 epochs unless said\n")
    for label, r in results.items():
        print(f"  {r['accuracy']:7.2%}  {r['seconds']:6.0f} s   {label}")
    summary = {"machine": machine, "accuracy": results}
    if not args.quick:
        print("\nspeed (bench/train_speed.py), same run:", flush=True)
        summary["speed"] = train_speed.main(["--data-root", str(args.data_root), "--device", "cpu"])
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
