"""TensorBoard：每次运行一个干净的文件夹，以及一条能直接复制的查看命令。

TensorBoard. A lesson writes `board.fresh_run(log_dir)` on the line before
its `SummaryWriter(log_dir)`: the event files of an earlier run in that
folder are set aside (TensorBoard would draw both runs as one zig-zag line),
and the command that opens TensorBoard is printed. When the lesson ends well
(files.run), the earlier run is deleted; when a write is refused (a full
disk, no permission), the new files are deleted and the earlier run is put
back as it was.
"""
import os
import shlex
import sys
import threading
from pathlib import Path

from support import files
from support.files import LOGS_ROOT, LessonError, shown
from support.i18n import _

EVENTS = "events.out.tfevents."
SET_ASIDE = ".earlier-run."        # TensorBoard reads only files whose name holds "tfevents"


def fresh_run(log_dir, image_steps=0, view=None):
    """Make `log_dir` ready for a new SummaryWriter(log_dir) and print how to view it.

    `image_steps` is how many steps of pictures the lesson will log:
    TensorBoard shows only 10 unless told otherwise, so the printed command
    then says so. `view` is the folder the printed command opens: by default
    logs/ when the run is inside it (every lesson's runs side by side), else
    the run itself. Returns `log_dir` as a string, for SummaryWriter.
    """
    log_dir = Path(log_dir)
    if log_dir.exists() and not log_dir.is_dir():
        raise LessonError(_("--logdir {path} 是一个文件：TensorBoard 需要那里是文件夹").format(path=shown(log_dir)))
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        for stale in log_dir.glob(SET_ASIDE + "*"):
            # set aside by a run that ended without files.run (main() called from Jupyter or a test):
            # the run after it finished, so the one before is no longer needed
            stale.unlink()
        _set_aside(sorted(log_dir.glob(EVENTS + "*")))
    except OSError as error:
        if not files.in_use(error):
            raise LessonError(_("不能往 {path} 写 TensorBoard 事件文件：{why}").format(
                path=shown(log_dir), why=files.why_not_written(error, log_dir))) from None
        # Windows: TensorBoard holds the earlier run's file open, and an open file can be
        # neither renamed nor deleted. This run goes to a fresh folder of its own beside it
        # (TensorBoard shows it as a run of its own: no zig-zag), the earlier run stays.
        held, log_dir = error.filename or log_dir, _fresh_folder(log_dir)
        print(_("上一次运行的事件文件 {file} 正被别的程序打开着（WinError {code}，多半是 TensorBoard），"
                "不能先放到一边：这次写到 {folder}（TensorBoard 里是单独的一次运行）").format(
            file=shown(held), code=error.winerror, folder=shown(log_dir)))
        files.after_run(success=lambda: None, failure=lambda error: _drop_folder(log_dir, error))
    else:
        files.after_run(success=lambda: _drop_earlier(log_dir), failure=lambda error: _restore_earlier(log_dir, error))
    threading.excepthook = _quiet_writer_thread   # the same function each time: setting it twice is harmless
    print(_("TensorBoard：写入 {path}").format(path=shown(log_dir)))
    if view is None:
        inside_logs = LOGS_ROOT.resolve() in log_dir.resolve().parents
        view = LOGS_ROOT if inside_logs else log_dir
    print(_("  查看：{command}   然后打开 http://localhost:6006").format(command=tensorboard_command(view, image_steps)))
    return str(log_dir)


def _set_aside(earlier):
    """Rename the earlier run's event files out of TensorBoard's sight, all or none:
    Windows refuses to rename a file TensorBoard holds open, and then the ones
    already renamed go back."""
    done = []
    try:
        for old in earlier:
            aside = old.with_name(SET_ASIDE + old.name[len(EVENTS):])
            old.rename(aside)
            done.append((old, aside))
    except OSError:
        for old, aside in done:
            aside.rename(old)
        raise


RUN_FOLDER = "run-"      # the fresh folders of runs made while the earlier one was held open


def _fresh_folder(log_dir):
    """log_dir/run-N, the first N not taken, made."""
    number = 2
    while (Path(log_dir) / f"{RUN_FOLDER}{number}").exists():
        number += 1
    folder = Path(log_dir) / f"{RUN_FOLDER}{number}"
    try:
        folder.mkdir()
    except OSError as error:
        raise LessonError(_("不能往 {path} 写 TensorBoard 事件文件：{why}").format(
            path=shown(folder), why=files.why_not_written(error, folder))) from None
    return folder


def _drop_earlier(log_dir):
    for old in Path(log_dir).glob(SET_ASIDE + "*"):
        old.unlink(missing_ok=True)
    for folder in Path(log_dir).glob(RUN_FOLDER + "*"):
        # runs written while an earlier one was held open: earlier runs too, now replaced
        _drop_folder(folder)


def _drop_folder(folder, error=None):
    """Delete a fresh run folder (what a failed run wrote, or an earlier run), as far
    as it goes: a file still held open stays. For a refused write, the one line."""
    for path in sorted(Path(folder).glob("*"), reverse=True):
        try:
            path.unlink()
        except OSError:
            pass
    try:
        Path(folder).rmdir()
    except OSError:
        pass
    if isinstance(error, OSError):
        return _("没能往 {path} 写 TensorBoard 事件文件：{why}").format(
            path=shown(folder), why=files.why_not_written(error, folder))
    return None


def _restore_earlier(log_dir, error=None):
    """The run failed: delete what it wrote and put the earlier run back.
    For a refused write, returns the one line that says so."""
    log_dir = Path(log_dir)
    earlier = list(log_dir.glob(SET_ASIDE + "*"))
    if earlier:
        for new in log_dir.glob(EVENTS + "*"):
            new.unlink(missing_ok=True)
        for old in earlier:
            old.rename(old.with_name(EVENTS + old.name[len(SET_ASIDE):]))
    if isinstance(error, OSError):
        kept = _("；那里上一次运行的记录原样保留") if earlier else ""
        return _("没能往 {path} 写 TensorBoard 事件文件：{why}").format(
            path=shown(log_dir), why=files.why_not_written(error, log_dir)) + kept
    return None


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
    if on_windows():
        # a venv has python.exe and tensorboard.exe in Scripts\; a conda env has python.exe
        # at its root and tensorboard.exe in Scripts\ below it
        beside = [python.with_name("tensorboard.exe"), python.parent / "Scripts" / "tensorboard.exe"]
    else:
        beside = [python.with_name("tensorboard")]
    script = next((path for path in beside if path.is_file()), None)
    if script is not None:
        words = [_quoted(shown(script))]
    else:
        words = [_quoted(str(python)), "-m", "tensorboard.main"]
    words += ["--logdir", _quoted(shown(logdir))]
    if image_steps and image_steps > 10:
        # TensorBoard keeps 10 image steps per tag unless told to keep more.
        words.append(f"--samples_per_plugin images={image_steps}")
    return " ".join(words)


def on_windows():
    return os.name == "nt"


def _quoted(text):
    if on_windows():
        return f'"{text}"' if " " in text else text
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


def logged_steps(loader, limit):
    """How many batches first_batches(loader, limit) gives: all of them when limit is None."""
    return len(loader) if limit is None else min(limit, len(loader))
