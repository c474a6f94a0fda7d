"""How long the README's test command takes, beside an earlier version in the same minutes.

    python bench/test_time.py [--baseline 5327be0] [--runs 3] [--venv .venv]

Clones this repository's HEAD and the baseline commit into a temporary folder
(fresh clones, as CI gets them), gives each the same virtual environment, and
runs `python -m pytest` in them in turn (HEAD, baseline, HEAD, ...), so that
both see the same machine: shared machines change speed from one hour to the
next. Reports each run's wall time and, on Linux, the CPU seconds the whole
machine spent meanwhile (/proc/stat), the medians, and HEAD's median as a
share of the baseline's. A run with a failing test keeps its whole output,
and its path is printed. The time of `import torch, torchvision` is measured
before and after, as the figure that says how fast the machine was.
Never part of the test suite.
"""
import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def busy_cpu_seconds():
    """Seconds of CPU the whole machine has spent busy since it started (Linux), else None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def machine():
    model = platform.processor() or platform.machine()
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1) if found else model
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def import_seconds(python):
    started = time.monotonic()
    subprocess.run([str(python), "-c", "import torch, torchvision"], check=True, capture_output=True)
    return time.monotonic() - started


def clone(revision, folder, venv):
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "--quiet", revision], check=True)
    (folder / ".venv").symlink_to(venv, target_is_directory=True)


def run_suite(folder, keep, label):
    """One run of the README's test command in `folder`: (wall s, machine CPU s or None, summary line)."""
    output = keep / f"{label}.txt"
    cpu_before, started = busy_cpu_seconds(), time.monotonic()
    with open(output, "wb") as out:
        done = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-rf"],
                              cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    cpu = None if cpu_before is None else busy_cpu_seconds() - cpu_before
    lines = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    summary = lines[-1].strip("= ") if lines else "(no output)"
    if done.returncode == 0:
        output.unlink()
    else:
        summary += f"   (whole output: {output})"
    return wall, cpu, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="5327be0", help="the earlier commit to compare with")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--venv", default=str(REPO / ".venv"), help="the virtual environment both use")
    args = parser.parse_args(argv)
    venv = Path(args.venv).resolve()
    python = venv / "bin" / "python"
    if not python.exists():
        sys.exit(f"no Python at {python}: make the venv first (README: the install line), or give --venv")
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    keep = Path(tempfile.mkdtemp(prefix="test-time-"))
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}  {machine()}")
    print(f"import torch, torchvision: {import_seconds(python):.2f} s, {import_seconds(python):.2f} s")
    with tempfile.TemporaryDirectory() as scratch:
        folders = {head: Path(scratch) / "head", args.baseline: Path(scratch) / "baseline"}
        for revision, folder in folders.items():
            clone(revision, folder, venv)
        results = {revision: [] for revision in folders}
        for number in range(args.runs):
            for revision, folder in folders.items():
                wall, cpu, summary = run_suite(folder, keep, f"{revision}-{number + 1}")
                results[revision].append((wall, cpu))
                cpu_text = "" if cpu is None else f", machine CPU {cpu:.1f} s"
                print(f"  {revision:>9} run {number + 1}: {wall:.1f} s{cpu_text}   {summary}", flush=True)
    print(f"import torch, torchvision: {import_seconds(python):.2f} s, {import_seconds(python):.2f} s")
    medians = {revision: statistics.median(wall for wall, _cpu in runs) for revision, runs in results.items()}
    for revision, runs in results.items():
        cpus = [cpu for _wall, cpu in runs if cpu is not None]
        cpu_text = f", machine CPU median {statistics.median(cpus):.1f} s" if cpus else ""
        print(f"{revision:>9}: median {medians[revision]:.1f} s{cpu_text}")
    print(f"{head} / {args.baseline}: {medians[head] / medians[args.baseline]:.2f}")
    if not any(keep.iterdir()):
        shutil.rmtree(keep)


if __name__ == "__main__":
    main()
