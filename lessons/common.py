"""Plumbing shared by every lesson: paths, flags, device, seed, TensorBoard.

None of this is what a lesson teaches, so it lives here once and each lesson
is one call away from it. Paths are taken from where this file lies, never
from the folder the learner started in, so every lesson runs the same from
anywhere.
"""
import argparse
import contextlib
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
    parser = LessonParser(
        prog=f"python lessons/{name}.py",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(lesson=name, title=doc.strip().splitlines()[0])
    parser.add_argument("--device", type=str.lower, choices=["auto", "cpu", "cuda", "mps"], default="auto",
                        help="where the tensors live (设备); auto takes a CUDA GPU, else Apple's MPS, "
                             "else the CPU (default: auto)")
    parser.add_argument("--seed", type=seed_value, default=0,
                        help="random seed, so two runs print the same numbers (default: 0)")
    if data:
        parser.add_argument("--data-root", type=Path, default=DATA_ROOT,
                            help="folder that holds (or will hold) cifar-10-batches-py "
                                 f"(default: {DATA_ROOT})")
        parser.add_argument("--tiny", action="store_true",
                            help="use the project's tiny stand-in set instead of CIFAR10 "
                                 "(no download, a few images per class)")
        parser.add_argument("--cifar-url", metavar="URL", default=None,
                            help="where to download CIFAR10's archive from: a mirror of "
                                 "cifar-10-python.tar.gz (default: $CIFAR10_URL, else the official address)")
        parser.add_argument("--batch-size", type=positive_int, default=batch_size,
                            help=f"images per batch (default: {batch_size})")
    if logs:
        parser.add_argument("--logdir", type=Path, default=LOGS_ROOT / name,
                            help=f"TensorBoard folder for this lesson (default: {LOGS_ROOT / name})")
        parser.add_argument("--log-batches", type=batch_limit, default=4, metavar="N|all",
                            help="how many batches to log to TensorBoard; 'all' logs every "
                                 "batch as the video does (default: 4)")
    return parser


class LessonParser(argparse.ArgumentParser):
    """argparse, with one difference: main() called with no argument from
    Jupyter or the Python console reads no flags at all, instead of the
    kernel's own command line (`-f .../kernel-1234.json`)."""

    def error(self, message):
        """A bad flag: one line, not the whole usage block (--help shows that)."""
        self.exit(2, f"{self.prog}: error: {message} (--help lists the flags)\n")

    def parse_known_args(self, args=None, namespace=None):
        if args is None:
            args = command_line_flags(self.get_default("lesson"))
        return super().parse_known_args(args, namespace)


def command_line_flags(lesson):
    """sys.argv[1:] when this lesson is the script Python was started with, else []."""
    started_as = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return sys.argv[1:] if started_as == lesson else []


def parse_args(parser, argv=None, preset=None):
    """Parse flags, print the lesson's title, seed every generator, and turn
    --device into a torch.device. `preset` holds the defaults that --video
    sets (the video's settings); a flag given beside it still wins."""
    if preset is not None and parser.parse_args(argv).video:
        parser.set_defaults(**preset)
    args = parser.parse_args(argv)
    print(args.title)
    seed_everything(args.seed)
    try:
        args.device = pick_device(args.device)
    except LessonError as error:
        parser.error(str(error))
    return args


def video_differences(args, preset, describe=None):
    """'ours (视频中: the video's)' for each setting of `preset` this run does differently.
    `describe` turns a setting's value into words; by default 'key=value'."""
    describe = describe or {}

    def say(key, value):
        return describe[key](value) if key in describe else f"{key}={value}"

    return [f"{say(key, getattr(args, key))} (视频中: {say(key, value)})" for key, value in preset.items()
            if getattr(args, key) is not None and getattr(args, key) != value]


def logged_steps(loader, limit):
    """How many batches first_batches(loader, limit) gives: all of them when limit is None."""
    return len(loader) if limit is None else min(limit, len(loader))


def seed_everything(seed):
    random.seed(seed)
    torch.manual_seed(seed)


_said_cpu_fallback = False


def mps_available():
    mps = getattr(torch.backends, "mps", None)
    return bool(mps and mps.is_available())


def pick_device(choice):
    """'cpu', 'cuda', 'mps' or 'auto' (CUDA, else Apple's MPS, else the CPU, said once)."""
    global _said_cpu_fallback
    if choice == "cpu":
        return torch.device("cpu")
    if choice in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    if choice in ("auto", "mps") and mps_available():
        return torch.device("mps")
    if choice == "cuda":
        raise LessonError("--device cuda: this PyTorch sees no CUDA GPU "
                          f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'no'}); "
                          "use --device cpu, or install a CUDA build of PyTorch on a machine with an NVIDIA GPU")
    if choice == "mps":
        raise LessonError("--device mps: this PyTorch sees no Apple GPU (MPS needs a Mac with Apple silicon "
                          "and macOS 12.3+); use --device cpu")
    if not _said_cpu_fallback:
        print("Device: cpu (no CUDA or MPS GPU found; --device auto falls back to the CPU)")
        _said_cpu_fallback = True
    return torch.device("cpu")


# ---------------------------------------------------------------- mixed precision
def mixed_precision(device, enabled):
    """What --amp means on `device`: (autocast context factory, GradScaler or None, description).

    bfloat16 keeps float32's range, so it needs no loss scaling: it is used on
    CUDA GPUs that have it and on the CPU. float16 (older GPUs, Apple's MPS)
    loses small gradients unless the loss is scaled up first, which is what
    GradScaler does.
    """
    if not enabled:
        return contextlib.nullcontext, None, "float32 (add --amp for mixed precision 混合精度)"
    kind = device.type
    if kind == "cuda" and torch.cuda.is_bf16_supported():
        dtype, scaler, why = torch.bfloat16, None, "bfloat16 on this GPU"
    elif kind in ("cuda", "mps"):
        dtype, scaler = torch.float16, torch.amp.GradScaler(kind)
        why = f"float16 with GradScaler on {kind} (no bfloat16 here)"
    else:
        dtype, scaler = torch.bfloat16, None
        fast = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
        why = ("bfloat16 on the CPU, which has bfloat16 instructions (AVX-512 BF16/AMX)" if fast else
               "bfloat16 on the CPU, which has NO bfloat16 instructions: expect it to be slower than float32")
    return (lambda: torch.autocast(kind, dtype=dtype)), scaler, f"--amp: autocast {why}"


def backward_and_step(loss, optimizer, scaler=None):
    """loss.backward() then optimizer.step(); with float16's GradScaler, the
    loss is scaled up first so that small gradients do not round to zero."""
    if scaler is None:
        loss.backward()
        optimizer.step()
    else:
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()


# ---------------------------------------------------------------- TensorBoard
def open_writer(logdir, image_steps=0, view=None):
    """A SummaryWriter on `logdir`, holding only this run.

    Event files of an earlier run in the same folder are removed first:
    TensorBoard would draw both runs as one zig-zag line. `image_steps` is
    how many steps of pictures the lesson will log: TensorBoard shows only 10
    unless told otherwise, so the printed command then says so. `view` is the
    folder the printed command opens: by default logs/ when the run is
    inside it (every lesson's runs side by side), else the run itself.
    """
    from torch.utils.tensorboard import SummaryWriter

    logdir = Path(logdir)
    if logdir.exists() and not logdir.is_dir():
        raise LessonError(f"--logdir {shown(logdir)} is a file: TensorBoard needs a folder there")
    earlier = sorted(logdir.glob("events.out.tfevents.*")) if logdir.is_dir() else []
    try:
        writer = SafeWriter(SummaryWriter(str(logdir)), logdir, earlier)
    except OSError as error:
        raise LessonError(f"cannot write TensorBoard events to {shown(logdir)}: "
                          f"{why_not_written(error, logdir)}") from None
    print(f"TensorBoard: writing to {shown(logdir)}")
    if view is None:
        inside_logs = LOGS_ROOT.resolve() in logdir.resolve().parents
        view = LOGS_ROOT if inside_logs else logdir
    print(f"  查看 view it: {tensorboard_command(view, image_steps)}   then open http://localhost:6006")
    return writer


class SafeWriter:
    """A SummaryWriter whose failed writes end in one line.

    The run's event file replaces the earlier run's only when it is closed
    whole: the earlier files are deleted then. When the system refuses a
    write (a full disk, no permission), the new file is deleted and the
    earlier run stays as it was.
    """

    def __init__(self, writer, logdir, earlier):
        self._writer, self._logdir, self._earlier = writer, Path(logdir), earlier
        threading.excepthook = _quiet_writer_thread   # the same function each time: setting it twice is harmless

    def __getattr__(self, name):
        attribute = getattr(self._writer, name)
        if not callable(attribute):
            return attribute

        def guarded(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except OSError as error:
                self._give_up()
                raise LessonError(f"could not write TensorBoard events to {shown(self._logdir)}: "
                                  f"{why_not_written(error, self._logdir)}; the earlier run there is untouched") from None
        return guarded

    def close(self):
        self.__getattr__("close")()
        for old in self._earlier:
            old.unlink(missing_ok=True)

    def _give_up(self):
        try:
            self._writer.close()
        except OSError:
            pass
        for new in set(self._logdir.glob("events.out.tfevents.*")) - set(self._earlier):
            new.unlink(missing_ok=True)


def _quiet_writer_thread(args, default=threading.excepthook):
    """TensorBoard's writer thread re-raises a failed write in the main thread,
    where it becomes one line: no second traceback from the thread itself."""
    if isinstance(args.exc_value, OSError) and type(args.thread).__name__ == "_AsyncWriterThread":
        return
    default(args)


def tensorboard_command(logdir, image_steps=0):
    """The command that opens TensorBoard on `logdir`, as it can be pasted:
    the `tensorboard` installed beside the Python running this lesson (a
    learner who never activated the virtual environment has no other)."""
    python = Path(sys.executable)
    script = python.with_name("tensorboard.exe" if os.name == "nt" else "tensorboard")
    if script.is_file():
        words = [_quoted(shown(script))]
    else:
        words = [_quoted(str(python)), "-m", "tensorboard.main"]
    words += ["--logdir", _quoted(shown(logdir))]
    if image_steps and image_steps > 10:
        # TensorBoard keeps 10 image steps per tag unless told to keep more.
        words.append(f"--samples_per_plugin images={image_steps}")
    return " ".join(words)


def _quoted(text):
    if os.name == "nt":
        return f'"{text}"' if " " in text else text
    import shlex
    return shlex.quote(text)


def read_scalars(logdir, tag):
    """(step, value) of every point TensorBoard would draw for `tag` in `logdir`."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(logdir), size_guidance={"scalars": 0})
    events.Reload()
    return [(event.step, event.value) for event in events.Scalars(tag)]


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
    write_atomically(path, lambda out: torch.save(obj, out))


def save_picture(image, path):
    """A PIL image as a PNG file, written the same all-or-nothing way."""
    write_atomically(path, lambda out: image.save(out, format="PNG"))


def write_atomically(path, write):
    """write(file) into a temporary file beside `path`, then rename it over `path`.

    When the system refuses (a full disk, no permission, a read-only folder)
    the learner gets one line saying what and why, the earlier file stays as
    it was and no temporary file is left behind.
    """
    path = Path(path)
    if path.parent.exists() and not path.parent.is_dir():
        raise LessonError(f"cannot save into {shown(path.parent)}: it is a file, not a folder")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LessonError(f"cannot create the folder {shown(path.parent)}: {why_not_written(error, path.parent)}") from None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    out = None
    try:
        with open(temporary, "wb") as raw:
            out = _RecordingFile(raw)
            write(out)
            out.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except (OSError, RuntimeError) as error:
        # torch.save turns the system's refusal into a RuntimeError ("unexpected pos ..."): use the refusal
        cause = out.refused if out is not None and out.refused is not None else error
        kept = "; the earlier file is untouched" if path.exists() else ""
        raise LessonError(f"could not write {shown(path)}: {why_not_written(cause, path.parent)}{kept}") from None
    finally:
        temporary.unlink(missing_ok=True)


class _RecordingFile:
    """A file that remembers the OSError its last write or flush raised."""

    def __init__(self, raw):
        self.raw, self.refused = raw, None

    def write(self, data):
        try:
            return self.raw.write(data)
        except OSError as error:
            self.refused = error
            raise

    def flush(self):
        try:
            return self.raw.flush()
        except OSError as error:
            self.refused = error
            raise

    def __getattr__(self, name):
        return getattr(self.raw, name)


def why_not_written(error, folder):
    """The reason a write failed, in words: 'No space left on device', 'Permission denied'..."""
    import errno
    import shutil

    code = getattr(error, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the disk ({os.strerror(code)}): free some space or choose another folder"
    if code in (errno.EACCES, errno.EPERM):
        return "no permission to write there (Permission denied): choose a folder of your own"
    if code == errno.EROFS:
        return "the disk is read-only (Read-only file system): choose another folder"
    if code == errno.EFBIG:
        return "the file grew past the size this system allows a file (File too large)"
    if code:
        return os.strerror(code)
    # torch.save reports a failed write as RuntimeError ("unexpected pos ..."): look at the disk
    try:
        if shutil.disk_usage(folder).free < 1 << 20:
            return "no space left on the disk: free some space or choose another folder"
    except OSError:
        pass
    return (str(error).splitlines() or [type(error).__name__])[0]


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
