"""Plumbing shared by every lesson: paths, flags, device, seed, TensorBoard.

None of this is what a lesson teaches, so it lives here once and each lesson
is one call away from it. Paths are taken from where this file lies, never
from the folder the learner started in, so every lesson runs the same from
anywhere.
"""
import argparse
import os
import random
import socket
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ROOT = REPO_ROOT / "data"
LOGS_ROOT = REPO_ROOT / "logs"
CHECKPOINTS_ROOT = REPO_ROOT / "checkpoints"
# Seconds without an answer before a download gives up.
NETWORK_TIMEOUT = 10


class LessonError(Exception):
    """A problem the learner can fix; shown as one line, never a traceback."""


# ---------------------------------------------------------------- flag types
def positive_int(text):
    value = _parse(int, text, "a whole number")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def non_negative_int(text):
    value = _parse(int, text, "a whole number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def seed_value(text):
    value = non_negative_int(text)
    if value >= 2 ** 63:
        raise argparse.ArgumentTypeError(f"must be below 2**63, got {text}")
    return value


def positive_float(text):
    value = _parse(float, text, "a number")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def non_negative_float(text):
    value = _parse(float, text, "a number")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def batch_limit(text):
    """How many batches to log: a positive number, or 'all' as the course does."""
    if text.strip().lower() == "all":
        return None
    return positive_int(text)


def _parse(kind, text, what):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


# ---------------------------------------------------------------- the parser
def lesson_parser(lesson_file, doc, *, data=False, logs=False, batch_size=64):
    """The flags every lesson shares; a lesson adds its own on top.

    `doc` is the lesson's module docstring: its text becomes `--help`.
    """
    name = Path(lesson_file).stem
    parser = argparse.ArgumentParser(
        prog=f"python lessons/{name}.py",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(lesson=name)
    parser.add_argument("--device", type=str.lower, choices=["auto", "cpu", "cuda"], default="auto",
                        help="where the tensors live; auto takes CUDA when present (default: auto)")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="random seed, so two runs print the same numbers (default: 0)")
    if data:
        parser.add_argument("--data-root", type=Path, default=DATA_ROOT,
                            help="folder that holds (or will hold) cifar-10-batches-py "
                                 f"(default: {DATA_ROOT})")
        parser.add_argument("--tiny", action="store_true",
                            help="use the project's tiny stand-in set instead of CIFAR10 "
                                 "(no download, a few images per class)")
        parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                            help=f"images per batch (default: {batch_size})")
    if logs:
        parser.add_argument("--logdir", type=Path, default=LOGS_ROOT / name,
                            help=f"TensorBoard folder for this lesson (default: {LOGS_ROOT / name})")
        parser.add_argument("--log-batches", type=batch_limit, default=4, metavar="N|all",
                            help="how many batches to log to TensorBoard; 'all' logs every "
                                 "batch as the video does (default: 4)")
    return parser


def parse_args(parser, argv=None):
    """Parse flags, seed every generator, and turn --device into a torch.device."""
    args = parser.parse_args(argv)
    seed_everything(args.seed)
    try:
        args.device = pick_device(args.device)
    except LessonError as error:
        parser.error(str(error))
    return args


def seed_everything(seed):
    random.seed(seed)
    torch.manual_seed(seed)


_said_cpu_fallback = False


def pick_device(choice):
    """'cpu', 'cuda' or 'auto' (CUDA when present, else the CPU, said once)."""
    global _said_cpu_fallback
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "cuda":
        raise LessonError("--device cuda: this PyTorch sees no CUDA GPU "
                          f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); "
                          "use --device cpu, or install a CUDA build of PyTorch on a machine with an NVIDIA GPU")
    if not _said_cpu_fallback:
        print("Device: cpu (no CUDA GPU found; --device auto falls back to the CPU)")
        _said_cpu_fallback = True
    return torch.device("cpu")


# ---------------------------------------------------------------- TensorBoard
def open_writer(logdir):
    """A SummaryWriter on `logdir`, holding only this run.

    Event files of an earlier run in the same folder are removed first:
    TensorBoard would draw both runs as one zig-zag line.
    """
    from torch.utils.tensorboard import SummaryWriter

    logdir = Path(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise LessonError(f"--logdir {shown(logdir)} is a file: TensorBoard needs a folder there")
    if logdir.is_dir():
        for old in logdir.glob("events.out.tfevents.*"):
            old.unlink()
    writer = SummaryWriter(str(logdir))
    print(f"TensorBoard: writing to {shown(logdir)}  (view: tensorboard --logdir {shown(logdir.parent)})")
    return writer


def first_batches(loader, limit):
    """(step, batch) for the first `limit` batches of `loader`; all when limit is None."""
    for step, batch in enumerate(loader):
        if limit is not None and step >= limit:
            break
        yield step, batch


def shown(path):
    """A path as short as it can be said: relative to the current folder when inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- files
def save_atomically(obj, path):
    """torch.save into a temporary file beside `path`, then rename it over `path`.

    A rename is all-or-nothing, so a save cut off midway (Ctrl-C, a full
    disk) leaves the earlier file at `path` exactly as it was.
    """
    path = Path(path)
    if path.parent.exists() and not path.parent.is_dir():
        raise LessonError(f"cannot save into {shown(path.parent)}: it is a file, not a folder")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            torch.save(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# ---------------------------------------------------------------- network
def network_reason(error):
    """A short reason for a failed download: 'Connection reset by peer', not a repr."""
    error = getattr(error, "reason", error)          # URLError wraps the real cause
    if isinstance(error, socket.timeout):
        return f"no answer within {NETWORK_TIMEOUT} s"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def unreachable(url, seconds=NETWORK_TIMEOUT):
    """None when `url`'s host can be looked up within `seconds`, else why not.

    urlopen's timeout does not cover the name lookup, which on a machine with
    a dead network can hang for minutes; this bounds it. With a proxy set,
    the proxy does the lookup, so there is nothing to check here.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if urllib.request.getproxies().get(parts.scheme):
        return None
    outcome = {}

    def look_up():
        try:
            socket.getaddrinfo(host, 443)
        except OSError as error:
            outcome["error"] = error

    # a daemon thread: if the lookup hangs, it must not keep Python from exiting
    lookup = threading.Thread(target=look_up, daemon=True)
    lookup.start()
    lookup.join(seconds)
    if lookup.is_alive():
        return f"no answer looking up {host} within {seconds} s: no network?"
    if "error" in outcome:
        return f"cannot look up {host}: {outcome['error'].strerror or outcome['error']}; no network?"
    return None


# ---------------------------------------------------------------- running
def run(main):
    """Call a lesson's main() the way the command line should see it.

    A LessonError becomes one line on stderr and exit status 1; Ctrl-C stops
    quietly with the usual status 130.
    """
    try:
        main()
    except LessonError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as the docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except torch.OutOfMemoryError:
        print("error: out of GPU memory: try a smaller --batch-size, or --device cpu", file=sys.stderr)
        sys.exit(1)
    except OSError as error:   # a full disk, a folder that is a file, no permission...
        where = f": {error.filename}" if error.filename else ""
        print(f"error: {error.strerror or error}{where}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nstopped (Ctrl-C)", file=sys.stderr)
        sys.exit(130)
