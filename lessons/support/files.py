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
import sys
from pathlib import Path

import torch

from support.i18n import _

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


def why_not_written(error, folder):
    """The reason a write failed, in words: the disk is full, no permission..."""
    code = getattr(error, "errno", None)
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
        main()
    except LessonError as error:
        _finish(_after_failure, error)
        _fail(str(error))
    except BrokenPipeError:
        # the reader went away (`... | head`): stop quietly, as the docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except torch.OutOfMemoryError as error:
        _finish(_after_failure, error)
        _fail(_("显存不够了：把 --batch-size 调小，或者用 --device cpu"))
    except OSError as error:   # a full disk, a folder that is a file, no permission...
        said = _finish(_after_failure, error)
        if getattr(error, "filename", None):
            _fail(f"{why_not_written(error, Path(error.filename).parent)}: {error.filename}")
        _fail(said or why_not_written(error, Path.cwd()))
    except KeyboardInterrupt as error:
        _finish(_after_failure, error)
        print("\n" + _("已停止（Ctrl-C）"), file=sys.stderr)
        sys.exit(130)
    else:
        _finish(_after_success)
    finally:
        _inside_run.clear()


def _fail(message):
    print(_("错误：{message}").format(message=message), file=sys.stderr)
    sys.exit(1)
