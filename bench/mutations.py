"""Mutation check: break what a lesson teaches, one edit at a time, and see the tests turn red.

    .venv/bin/python bench/mutations.py                # every mutation, a table at the end
    .venv/bin/python bench/mutations.py --only p29     # the ones whose name starts with p29
    .venv/bin/python bench/mutations.py --list

The repository's files (git ls-files, with what is not yet committed) are copied
once into a temporary folder; each mutation replaces a piece of text in one
lesson there, runs that lesson's test files with pytest (stopping at the first
failure) and puts the file back. A mutation the tests do not catch is
"SURVIVED": a lesson's teaching that no test protects. The exit status is the
number of survivors (0: every mutation was caught).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# name, lesson file, text, replacement, test files. The text must occur in the
# lesson (every occurrence is replaced); "pass" keeps an indented line valid Python.
MUTATIONS = [
    ("p16_padding", "p16_nn_conv.py", "output3 = F.conv2d(input, kernel, stride=1, padding=1)",
     "output3 = F.conv2d(input, kernel, stride=1, padding=0)", ["test_p15_p21.py"]),
    ("p16_stride", "p16_nn_conv.py", "output2 = F.conv2d(input, kernel, stride=2)",
     "output2 = F.conv2d(input, kernel, stride=1)", ["test_p15_p21.py"]),
    ("p17_out_channels", "p17_nn_conv2d.py", "Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=0)",
     "Conv2d(in_channels=3, out_channels=6, kernel_size=3, stride=1, padding=1)", ["test_p15_p21.py"]),
    ("p17_reshape", "p17_nn_conv2d.py", "torch.reshape(output, (-1, 3, 30, 30))",
     "torch.reshape(output, (-1, 3, 60, 15))", ["test_p15_p21.py"]),
    ("p18_ceil_mode", "p18_nn_maxpool.py", "ceil_output = tudui(input), MaxPool2d(kernel_size=3, ceil_mode=True)(input)",
     "ceil_output = tudui(input), MaxPool2d(kernel_size=3, ceil_mode=False)(input)", ["test_p15_p21.py"]),
    ("p18_course_ceil_mode", "p18_nn_maxpool.py", "self.maxpool1 = MaxPool2d(kernel_size=3, ceil_mode=False)",
     "self.maxpool1 = MaxPool2d(kernel_size=3, ceil_mode=True)", ["test_p15_p21.py"]),
    ("p19_sigmoid_to_relu", "p19_nn_relu.py", "output = self.sigmoid1(input)",
     "output = self.relu1(input)", ["test_p15_p21.py"]),
    ("p21_padding", "p21_nn_seq.py", "            Conv2d(32, 32, 5, padding=2),",
     "            Conv2d(32, 32, 5, padding=1),", ["test_p15_p21.py"]),
    ("p22_reduction_sum", "p22_nn_loss.py", "loss = L1Loss(reduction='sum')",
     "loss = L1Loss(reduction='mean')", ["test_p22_p24.py"]),
    ("p22_backward", "p22_nn_loss_network.py", "        result_loss.backward()\n", "        pass\n",
     ["test_p22_p24.py"]),
    ("p23_step", "p23_nn_optim.py", "                optim.step()\n", "                pass\n", ["test_p23_p26.py"]),
    ("p23_backward", "p23_nn_optim.py", "                result_loss.backward()\n", "                pass\n",
     ["test_p23_p26.py"]),
    ("p23_zero_grad", "p23_nn_optim.py", "                optim.zero_grad()\n", "                pass\n",
     ["test_p23_p26.py"]),
    ("p25_weights_only", "p25_model_load.py",
     "model = torch.load(method1, map_location=args.device, weights_only=True)",
     "model = torch.load(method1, map_location=args.device, weights_only=False)", ["test_p25_p32.py"]),
    ("p26_step", "p26_train.py", "            optimizer.step()\n", "            pass\n", ["test_p23_p26.py"]),
    ("p26_backward", "p26_train.py", "            loss.backward()\n", "            pass\n", ["test_p23_p26.py"]),
    ("p26_zero_grad", "p26_train.py", "            optimizer.zero_grad()\n", "            pass\n", ["test_p23_p26.py"]),
    ("p26_train_mode", "p26_train.py", "        tudui.train()\n", "        pass\n", ["test_p23_p26.py"]),
    ("p26_eval_mode", "p26_train.py", "        tudui.eval()\n", "        pass\n", ["test_p23_p26.py"]),
    ("p26_accuracy_axis", "p26_train.py", "accuracy = (outputs.argmax(1) == targets).sum()",
     "accuracy = (outputs.argmax(0) == targets).sum()", ["test_p23_p26.py"]),
    ("p29_step", "p29_train_gpu_1.py", "            optimizer.step()\n", "            pass\n", ["test_p29_p30.py"]),
    ("p29_backward", "p29_train_gpu_1.py", "            loss.backward()\n", "            pass\n", ["test_p29_p30.py"]),
    ("p29_zero_grad", "p29_train_gpu_1.py", "            optimizer.zero_grad()\n", "            pass\n",
     ["test_p29_p30.py"]),
    ("p29_accuracy_size", "p29_train_gpu_1.py", "total_accuracy/test_data_size", "total_accuracy/train_data_size",
     ["test_p29_p30.py"]),
    ("p29_train_mode", "p29_train_gpu_1.py", "        tudui.train()\n", "        pass\n", ["test_p29_p30.py"]),
    ("p30_step", "p30_train_gpu_2.py", "            optimizer.step()\n", "            pass\n", ["test_p29_p30.py"]),
    ("p30_backward", "p30_train_gpu_2.py", "            loss.backward()\n", "            pass\n", ["test_p29_p30.py"]),
    ("p30_zero_grad", "p30_train_gpu_2.py", "            optimizer.zero_grad()\n            loss.backward()",
     "            loss.backward()", ["test_p29_p30.py"]),
    ("p30_eval_mode", "p30_train_gpu_2.py", "        tudui.eval()\n        total_test_loss",
     "        total_test_loss", ["test_p29_p30.py"]),
    ("p31_argmax_axis", "support/checkpoints.py", "index, truth = output.argmax(1).item()",
     "index, truth = output.argmax(0)[0].item()", ["test_p25_p32.py", "test_paths.py"]),
    ("p08_scalar_values", "p08_tensorboard.py", 'writer.add_scalar("y=2x", 2 * i, i)',
     'writer.add_scalar("y=2x", 3 * i, i)', ["test_p03_p13.py"]),
    ("p11_normalize_last", "p11_useful_transforms.py", "transforms.Normalize([6, 3, 2], [9, 3, 5])",
     "transforms.Normalize([6, 3, 2], [3, 2, 1])", ["test_p03_p13.py"]),
    ("p11_crop_rectangle", "p11_useful_transforms.py", 'writer.add_image("RandomCropHW", img_crop, i)', "pass",
     ["test_p03_p13.py"]),
    ("p14_no_shuffle", "p14_dataloader.py", "batch_size=args.batch_size, shuffle=True,",
     "batch_size=args.batch_size, shuffle=False,", ["test_p14.py"]),
    ("p14_keep_last", "p14_dataloader.py", "num_workers=args.num_workers, drop_last=True)",
     "num_workers=args.num_workers, drop_last=False)", ["test_p14.py"]),
    ("p20_flatten_per_image", "p20_nn_linear.py", "        output = torch.flatten(imgs)\n",
     "        output = torch.flatten(imgs, start_dim=1)\n", ["test_p15_p21.py"]),
    ("p31_eval_mode", "p31_predict.py", "        model.eval()\n", "        pass\n", ["test_p25_p32.py"]),
    ("p33_all_reduce", "p33_ddp_torchrun.py", "            dist.all_reduce(totals)\n", "            pass\n",
     ["test_ddp.py"]),
]


def copy_repository(to):
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)


def run_tests(root, test_files, workers, timeout):
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly",
               "-n", workers,
               *("tests/" + name for name in test_files)]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:
        return "TIMEOUT", time.monotonic() - started, ""
    lines = done.stdout.strip().splitlines()
    failed = next((line.split(" ", 1)[1].split(" - ")[0] for line in lines if line.startswith(("FAILED ", "ERROR "))), "")
    return done.returncode, time.monotonic() - started, failed or (lines[-1] if lines else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the mutations whose name starts with this "
                                                    "(several: separated by commas)")
    parser.add_argument("--workers", default="0", help="pytest-xdist workers per run (default 0: one process)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per test run (default 300)")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if m[0].startswith(tuple(args.only.split(",")))]
    if args.list:
        for name, lesson, old, new, tests in chosen:
            print(f"{name:22} lessons/{lesson}: {old.strip()!r} -> {new.strip()!r}  [{', '.join(tests)}]")
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="mutations-") as scratch:
        root = Path(scratch)
        copy_repository(root)
        for name, lesson, old, new, tests in chosen:
            path = root / "lessons" / lesson
            original = path.read_text(encoding="utf-8")
            if old not in original:
                rows.append((name, "NOT APPLIED", 0.0, "text not found in lessons/" + lesson))
                continue
            path.write_text(original.replace(old, new), encoding="utf-8")
            try:
                code, seconds, detail = run_tests(root, tests, args.workers, args.timeout)
            finally:
                path.write_text(original, encoding="utf-8")
            # 1: tests failed; 2: pytest-xdist stopped at the first failure (-x); both name the failing test
            caught = code == 1 or (code == 2 and "::" in detail)
            verdict = "caught" if caught else ("SURVIVED" if code == 0 else f"error {code}")
            rows.append((name, verdict, seconds, detail))
            print(f"{name:22} {verdict:9} {seconds:6.1f} s  {detail}", flush=True)
    print()
    print("| mutation | lesson | result | seconds | first failing test |")
    print("|---|---|---|---|---|")
    for (name, verdict, seconds, detail), mutation in zip(rows, chosen):
        print(f"| {name} | {mutation[1]} | {verdict} | {seconds:.0f} | {detail} |")
    survivors = sum(verdict != "caught" for _, verdict, _, _ in rows)
    print(f"\n{len(rows) - survivors} of {len(rows)} mutations caught")
    return survivors


if __name__ == "__main__":
    sys.exit(main())
