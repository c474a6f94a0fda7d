"""文件与报错：写文件要么完整写好、要么保持原样；出错只说一行。

Files and errors. A file a lesson saves (a checkpoint, a picture) is written
into a temporary file beside it and renamed over it only when whole: a save
cut off (Ctrl-C, a full disk) leaves the earlier file as it was. A problem the
learner can fix is a `LessonError`, shown by `run(main)` as one line on
stderr, never a traceback; so is a refused write (full disk, no permission),
Ctrl-C and running out of GPU memory.
"""
import contextlib
import errno
import os
import shutil
import signal
import sys
from pathlib import Path

import torch

from support.i18n import _

# torch.OutOfMemoryError in newer torch; torch 2.0 has only torch.cuda.OutOfMemoryError (the same class later)
OUT_OF_MEMORY = getattr(torch, "OutOfMemoryError", None) or torch.cuda.OutOfMemoryError

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DATA_ROOT = REPO_ROOT / "data"
LOGS_ROOT = REPO_ROOT / "logs"
CHECKPOINTS_ROOT = REPO_ROOT / "checkpoints"


class LessonError(Exception):
    """A problem the learner can fix; shown as one line, never a traceback."""


def shown(path):
    """A path as short as it can be said: relative to the current folder when inside it."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- writing whole files
@contextlib.contextmanager
def written_whole(path):
    """`with written_whole(path) as f: torch.save(obj, f)`: the file appears at
    `path` only once it is written whole.

    f is a temporary file beside `path`; when the block ends it is synced and
    renamed over `path` in one step. When the system refuses (a full disk, no
    permission, a read-only folder) the learner gets one line saying what and
    why, the earlier file stays as it was and no temporary file is left.
    """
    path = Path(path)
    if path.parent.exists() and not path.parent.is_dir():
        raise LessonError(_("不能保存到 {folder}：那是一个文件，不是文件夹").format(folder=shown(path.parent)))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LessonError(_("不能创建文件夹 {folder}：{why}").format(
            folder=shown(path.parent), why=why_not_written(error, path.parent))) from None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    out = None
    try:
        with open(temporary, "wb") as raw:
            out = _RecordingFile(raw)
            yield out
            out.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except (OSError, RuntimeError) as error:
        # torch.save turns the system's refusal into a RuntimeError ("unexpected pos ..."): use the refusal
        cause = out.refused if out is not None and out.refused is not None else error
        kept = _("；原来的文件没有被改动") if path.exists() else ""
        raise LessonError(_("没能写入 {path}：{why}").format(path=shown(path), why=why_not_written(cause, path.parent))
                          + kept) from None
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(path, write):
    """write(file) into `path`, whole or not at all (see written_whole)."""
    with written_whole(path) as out:
        write(out)


def save_atomically(obj, path):
    """torch.save(obj, path), whole or not at all."""
    with written_whole(path) as out:
        torch.save(obj, out)


def save_picture(image, path):
    """A PIL image as a PNG file, whole or not at all."""
    with written_whole(path) as out:
        image.save(out, format="PNG")


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


def in_use(error):
    """Windows refuses to rename or delete a file another program holds open
    (WinError 32, a sharing violation; 33, a lock): TensorBoard holds the event
    files it reads. Python calls it PermissionError, as for a missing permission."""
    return getattr(error, "winerror", None) in (32, 33)


def why_not_written(error, folder):
    """The reason a write failed, in words: the disk is full, no permission..."""
    code = getattr(error, "errno", None)
    if in_use(error):
        return _("文件正被别的程序打开着（WinError {code}，比如 TensorBoard 或编辑器）：先关掉那个程序再试").format(
            code=error.winerror)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return _("硬盘满了（{detail}）：清理一些空间，或者换一个文件夹").format(detail=os.strerror(code))
    if code in (errno.EACCES, errno.EPERM):
        return _("没有在那里写文件的权限（Permission denied）：换一个你自己的文件夹")
    if code == errno.EROFS:
        return _("这个磁盘是只读的（Read-only file system）：换一个文件夹")
    if code == errno.EFBIG:
        return _("文件超过了这个系统允许的大小（File too large）")
    if code == errno.ENOTDIR:
        return _("路径里有一段是文件，不是文件夹（Not a directory）：换一个文件夹")
    if code == errno.EISDIR:
        return _("那里是一个文件夹，不是文件（Is a directory）：换一个文件名")
    if code == errno.ENOENT:
        return _("路径不存在（No such file or directory）")
    if code:
        return os.strerror(code)
    # torch.save reports a failed write as RuntimeError ("unexpected pos ..."): look at the disk
    try:
        if shutil.disk_usage(folder).free < 1 << 20:
            return _("硬盘满了：清理一些空间，或者换一个文件夹")
    except OSError:
        pass
    return (str(error).splitlines() or [type(error).__name__])[0]


# ---------------------------------------------------------------- running a lesson
_after_failure = []
_after_success = []


_inside_run = []


def after_run(success=None, failure=None):
    """Callbacks for run(): `success()` when main() returns; `failure(error)` when
    it fails, which may return the one line to show for a refused write.
    Outside run() (main() called from Jupyter or a test) nothing is kept."""
    if not _inside_run:
        return
    if success is not None:
        _after_success.append(success)
    if failure is not None:
        _after_failure.append(failure)


def _finish(callbacks, error=None):
    said = None
    while callbacks:
        callback = callbacks.pop()
        line = callback(error) if callbacks is _after_failure else callback()
        said = said or line
    _after_success.clear()
    _after_failure.clear()
    return said


def run(main):
    """Call a lesson's main() the way the command line should see it.

    A LessonError, a refused write and running out of GPU memory become one
    line on stderr and exit status 1; Ctrl-C stops quietly with status 130.
    """
    _inside_run.append(True)
    try:
        try:
            main()
        except BaseException:
            _stop_watching_workers()
            raise
    except LessonError as error:
        _finish(_after_failure, error)
        _fail(str(error))
    except (ConnectionError, EOFError) as error:
        if not from_a_worker(error):
            if not isinstance(error, BrokenPipeError):
                raise
            # the reader of our output went away (`... | head`): stop quietly, as the docs advise
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        _worker_died(error)
    except OUT_OF_MEMORY as error:
        _finish(_after_failure, error)
        _fail(_("显存不够了：把 --batch-size 调小，或者用 --device cpu"))
    except OSError as error:   # a full disk, a folder that is a file, no permission...
        said = _finish(_after_failure, error)
        if getattr(error, "winerror", None) == PAGING_FILE_TOO_SMALL:
            _worker_died(error)
        if getattr(error, "filename", None):
            _fail(f"{why_not_written(error, Path(error.filename).parent)}: {error.filename}")
        _fail(said or why_not_written(error, Path.cwd()))
    except RuntimeError as error:
        if not from_a_worker(error):
            raise
        _worker_died(error)
    except KeyboardInterrupt as error:
        _finish(_after_failure, error)
        print("\n" + _("已停止（Ctrl-C）"), file=sys.stderr)
        sys.exit(130)
    else:
        _finish(_after_success)
    finally:
        _inside_run.clear()


# ---------------------------------------------------------------- a DataLoader worker that died
PAGING_FILE_TOO_SMALL = 1455       # Windows: "页面文件太小，无法完成操作" / "The paging file is too small"


def from_a_worker(error):
    """Whether `error` says a DataLoader worker (a subprocess) died, rather than
    our own output pipe closing: torch's "DataLoader worker (pid(s) ...) exited
    unexpectedly", or a broken pipe met while talking to a worker (that is how
    a worker that never started shows on Windows)."""
    if isinstance(error, RuntimeError):
        return "DataLoader worker" in str(error)
    if isinstance(error, OSError) and getattr(error, "winerror", None) == PAGING_FILE_TOO_SMALL:
        return True
    # a broken pipe, a reset or an end of file talking to a worker is raised in multiprocessing
    # or torch.utils.data; our own output's broken pipe in print()
    traceback = error.__traceback__
    while traceback is not None:
        where = traceback.tb_frame.f_code.co_filename.replace("\\", "/")
        if "/multiprocessing/" in where or "/torch/utils/data/" in where:
            return True
        traceback = traceback.tb_next
    return False


def dead_worker(error, windows=None):
    """The one line for a DataLoader worker that died, with what to do about it."""
    windows = os.name == "nt" if windows is None else windows
    line = _("读数据的子进程（DataLoader worker）意外退出了（{what}）：用 --num-workers 0 在主进程里读数据").format(
        what=_first_line(error))
    if getattr(error, "winerror", None) == PAGING_FILE_TOO_SMALL:
        line += _("；WinError 1455 是 Windows 的页面文件（虚拟内存）不够：每个子进程都要载入一份 PyTorch，"
                  "把 num_workers 调小、装只用 CPU 的 PyTorch（小得多），或者把页面文件调大")
    elif windows:
        line += _("；在 Windows 上，子进程会重新运行你的脚本：用到 num_workers > 0 的代码必须放在 "
                  "if __name__ == '__main__': 下面")
    return line


def _stop_watching_workers():
    """main() failed: torch's SIGCHLD handler would raise a worker's death again
    (with a traceback) while we say what happened or while the DataLoader shuts
    its workers down on the way out. Only Unix has SIGCHLD."""
    if not hasattr(signal, "SIGCHLD"):
        return
    for _attempt in range(8):       # once per worker at most: each raise is one worker's death
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            return
        except RuntimeError as error:
            if "DataLoader worker" not in str(error):
                raise


def _quiet_orphan(kind, value, traceback, default=sys.excepthook):
    """In a DataLoader worker, losing the connection to the main process (it stopped
    because another worker died) is no news: the main process says the one line."""
    import multiprocessing
    if issubclass(kind, (ConnectionError, EOFError)) and multiprocessing.parent_process() is not None:
        return
    default(kind, value, traceback)


# a worker is a copy of this process (fork) or imports the lesson, and so this file, again (spawn)
sys.excepthook = _quiet_orphan


def _worker_died(error):
    _finish(_after_failure, error)
    _fail(dead_worker(error))


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _fail(message):
    print(_("错误：{message}").format(message=message), file=sys.stderr)
    sys.exit(1)
