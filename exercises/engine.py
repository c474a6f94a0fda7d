"""练一练的检查引擎：学习者的文件在子进程里运行，对错在父进程里判。

The learner's file runs in a child process of its own. The parent (check.py)
makes each task's inputs (the example the task shows, then some the learner
has not seen, random per run) and computes what is wanted on its side; the
child only runs the learner's code on those inputs and sends back plain
values (numbers, strings, lists, and tensors as raw bytes), read in the parent
with an unpickler that builds no objects of any class. So nothing the file
does (patching torch, the checker, the pipe) can change what is expected.

Time: each task has its own limit (check.py --timeout, 5 s); the file's own
code at import time has the same. faulthandler in the child writes the stack
and ends the child when a limit passes, whatever the code is doing (a C call
that never returns, SIGINT ignored, exceptions swallowed); the parent reads
the learner's line from that stack, and kills the child itself a little later
if even that did not end it. After a task's time is up the file goes on in a
new child from the next task; after two, the rest of the file is not checked,
so one file takes at most about 2 x the limit.
"""
import faulthandler
import io
import os
import pickle
import re
import sys
import time
import tokenize
import traceback
import types
import warnings
from pathlib import Path

import torch

HEADER = re.compile(r"^# ---- 任务 (\d+)")
MARK = "\x00plain"          # tags the checker's own encodings among the learner's plain values
DTYPES = {"float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
          "complex64", "complex128"}


class NotDone(Exception):
    """The marked line still holds its placeholder (None or ...)."""


class ExitCalled(BaseException):
    """os._exit() in the learner's code, turned into an exception the checker can catch."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def given(module, name):
    """The learner's value `name`; NotDone while it is still None or `...`."""
    value = getattr(module, name, None)
    if value is None or value is Ellipsis:
        raise NotDone(name)
    return value


# ---------------------------------------------------------------- plain values across the pipe
def plain(value, depth=0):
    """The learner's value as builtins only (tensors as raw bytes), so the parent never runs the learner's classes."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str, complex):
        return value
    if depth > 6:
        return (MARK, "object", kind.__name__, "...")
    if isinstance(value, torch.Tensor):
        t = torch.Tensor.detach(value)
        if t.device.type != "cpu":
            t = t.to("meta") if t.device.type == "meta" else t.cpu()
        if t.is_sparse:
            t = t.to_dense()
        name = str(t.dtype).replace("torch.", "")
        grad = bool(value.requires_grad)
        if t.device.type == "meta" or t.numel() > 20_000_000:      # too big to send: its shape is enough to say so
            return (MARK, "tensor", name, list(t.shape), None, grad)
        if name not in DTYPES:
            t, name = t.float(), "float32"
        if name == "bfloat16":
            t, name = t.float(), "float32"
        return (MARK, "tensor", name, list(t.shape), t.contiguous().numpy().tobytes(), grad)
    if kind.__module__ == "numpy" and hasattr(value, "dtype"):
        import numpy as np
        if isinstance(value, np.ndarray):
            try:
                return (MARK, "numpy", *plain(torch.from_numpy(np.ascontiguousarray(value)), depth + 1)[2:])
            except (TypeError, ValueError):
                return (MARK, "object", "ndarray", repr(value)[:80])
        return plain(value.item(), depth + 1)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        items = [plain(v, depth + 1) for v in list(value)[:10000]]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in list(value.items())[:1000]}
    try:
        from PIL import Image
        if isinstance(value, Image.Image):
            return (MARK, "image", value.mode, tuple(value.size))
    except ImportError:
        pass
    try:
        text = repr(value)[:80]
    except Exception:
        text = "?"
    return (MARK, "object", kind.__name__, text)


class Tensor:
    pass


class Thing:
    """A value of some other type the learner gave (only its type's name and its repr came back)."""

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text

    def __repr__(self):
        return self.text


class Picture:
    def __init__(self, mode, size):
        self.mode, self.size = mode, tuple(size)

    def __repr__(self):
        return f"PIL.Image({self.mode}, {self.size[0]}x{self.size[1]})"


def unplain(value):
    """The parent's side of plain(): tensors rebuilt from bytes, other objects as Thing/Picture."""
    if isinstance(value, tuple) and len(value) >= 2 and value[0] == MARK:
        kind = value[1]
        if kind in ("tensor", "numpy"):
            name, shape, data, grad = value[2], value[3], value[4], value[5]
            if name not in DTYPES:
                return Thing("Tensor", "tensor")
            dtype = getattr(torch, name)
            if data is None:
                t = torch.empty(shape, dtype=dtype, device="meta")
            elif len(data) == 0:
                t = torch.empty(shape, dtype=dtype)
            else:
                t = torch.frombuffer(bytearray(data), dtype=dtype).reshape(shape)
            t.learner_requires_grad = grad
            t.learner_numpy = kind == "numpy"
            return t
        if kind == "image":
            return Picture(value[2], value[3])
        return Thing(value[2], value[3])
    if isinstance(value, list):
        return [unplain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(unplain(v) for v in value)
    if isinstance(value, dict):
        return {k: unplain(v) for k, v in value.items()}
    return value


class _Builtins(pickle.Unpickler):
    def find_class(self, module, name):          # the child sends builtins only: anything else is refused
        raise pickle.UnpicklingError(f"{module}.{name}")


def loads(data):
    return _Builtins(io.BytesIO(data)).load()


# ---------------------------------------------------------------- reading a file as Python does
def source_lines(data):
    """The file's lines, decoded as Python decodes it (BOM, a coding line); [] when it cannot be."""
    try:
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding).splitlines()
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return []


def task_lines(source):
    """[(line, task number)] of the `# ---- 任务 N` headers."""
    lines = source.splitlines() if isinstance(source, str) else source
    return [(i, int(m.group(1))) for i, line in enumerate(lines, 1) if (m := HEADER.match(line.lstrip("\ufeff")))]


def task_at(headers, line):
    found = None
    for start, number in headers:
        if line is not None and start <= line:
            found = number
    return found


def learner_line(error, path):
    """The last line of the learner's file in the error's traceback (None when it is not there)."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if os.path.abspath(frame.filename) == os.path.abspath(path)]
    return lines[-1] if lines else None


def describe(error):
    try:
        text = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    except Exception:
        text = []
    if len(text) > 1 and text[0].endswith(":"):         # load_state_dict: "Error(s) in loading ...:" then the cause
        text = [f"{text[0]} {text[1]}"]
    return f"{type(error).__name__}: {text[0][:240]}" if text else type(error).__name__


def loop_at(lines, line):
    """The line of the innermost loop (while / for) around `line` in the learner's file, else `line` itself:
    a loop that never ends is named by its own first line, wherever in its body the time ran out."""
    if line is None or not lines:
        return line
    import ast
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return line
    found = [node.lineno for node in ast.walk(tree) if isinstance(node, (ast.While, ast.For, ast.AsyncFor))
             and node.lineno <= line <= (node.end_lineno or node.lineno)]
    return max(found) if found else line


def line_from_dump(dump_path, path):
    """The innermost line of the learner's file in faulthandler's dump (the main thread first)."""
    try:
        text = Path(dump_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, False
    timed_out = "Timeout (" in text
    target = os.path.abspath(path)
    blocks = re.split(r"\n(?=(?:Current thread|Thread) 0x)", text)
    blocks.sort(key=lambda block: "<module>" not in block and "run_child" not in block)
    for block in blocks:
        for filename, line in re.findall(r'File "(.*)", line (\d+)', block):
            if os.path.abspath(filename) == target:
                return int(line), timed_out
    return None, timed_out


# ---------------------------------------------------------------- the child
def run_child(path, section, language, limit, first, cases, dump_path, connection):
    """In the child: run the learner's file, then its tasks from `first` on; send what the learner's code gave."""
    from support import i18n
    import checks
    send = connection.send_bytes

    def say(*message):
        send(pickle.dumps(message))

    if hasattr(os, "setpgrp"):
        try:
            os.setpgrp()                    # the parent ends this process and any it starts (DataLoader workers)
        except OSError:
            pass
    dump = open(dump_path, "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):                    # the learner's prints do not mix into the report; input() sees the end
        os.dup2(devnull, fd)
    i18n.set_language(language)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    real_exit = os._exit
    child_pid = os.getpid()

    learner_file = os.path.abspath(path)

    def learner_exit(code=0):
        # only the learner's own call: a DataLoader worker (a fork of this process) ends with os._exit too
        caller = sys._getframe(1).f_code.co_filename
        if os.path.abspath(caller) != learner_file or os.getpid() != child_pid:
            real_exit(code)
        raise ExitCalled(code)

    os._exit = learner_exit
    try:
        import posix
        posix._exit = learner_exit
    except ImportError:
        pass
    scratch = checks.scratch_folder_for_child()
    try:
        data = Path(path).read_bytes()
        lines = source_lines(data)
        headers = task_lines(lines)
        try:
            code = compile(data, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as error:
            line = getattr(error, "lineno", None)
            say("file", {"kind": "syntax", "line": line, "task": task_at(headers, line),
                         "error": getattr(error, "msg", None) or describe(error)})
            return
        module = types.ModuleType(f"exercise_{section}")
        module.__file__ = path
        sys.modules[module.__name__] = module          # so torch.save(model) can pickle the learner's classes
        torch.manual_seed(0)
        say("loading")
        faulthandler.dump_traceback_later(limit, exit=True, file=dump)
        try:
            exec(code, module.__dict__)
        except (SystemExit, ExitCalled) as error:
            faulthandler.cancel_dump_traceback_later()
            line = learner_line(error, path)
            say("file", {"kind": "exit", "line": line, "task": task_at(headers, line), "error": None})
            return
        except BaseException as error:
            faulthandler.cancel_dump_traceback_later()
            line = learner_line(error, path)
            say("file", {"kind": "error", "line": line, "task": task_at(headers, line), "error": describe(error)})
            return
        faulthandler.cancel_dump_traceback_later()
        for one in checks.TASKS[section][first - 1:]:
            say("start", one.number)
            faulthandler.dump_traceback_later(limit * one.time_factor, exit=True, file=dump)
            outs = []
            for case in cases[one.number]:
                torch.manual_seed(0)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        value = one.probe(module, case)
                    outs.append(("ok", plain(value), None))
                except NotDone as missing:
                    outs.append(("todo", str(missing), None))
                    break
                except (SystemExit, ExitCalled) as error:
                    outs.append(("exit", None, learner_line(error, path)))
                    break
                except BaseException as error:
                    outs.append(("error", describe(error), learner_line(error, path)))
                    break
            faulthandler.cancel_dump_traceback_later()
            say("result", one.number, outs)
    except BaseException as error:               # never a traceback: the parent shows one line
        try:
            say("file", {"kind": "error", "line": None, "task": None, "error": describe(error)})
        except BaseException:
            pass
    finally:
        try:
            say("done")
            connection.close()
        finally:
            import shutil
            shutil.rmtree(scratch, ignore_errors=True)
            dump.flush()
            real_exit(0)


# ---------------------------------------------------------------- the parent's side of one file
class FileRun:
    """One exercise file being checked: one child at a time, a new one after a task's time ran out."""

    def __init__(self, context, section, path, limit, cases, language, tasks, scratch):
        self.context, self.section, self.path, self.limit = context, section, path, limit
        self.cases, self.language, self.tasks, self.scratch = cases, language, tasks, scratch
        self.outs, self.stopped, self.problem, self.finished = {}, {}, None, False
        self.timeouts, self.first = 0, 1
        self.dump_path = os.path.join(scratch, f"dump_{section}_{id(self)}.txt")
        try:
            self.lines = source_lines(Path(path).read_bytes())
        except OSError:
            self.lines = []
        self.headers = task_lines(self.lines)
        self.start()

    def start(self):
        self.current, self.loaded = None, False
        open(self.dump_path, "w").close()
        self.receive, send = self.context.Pipe(duplex=False)
        self.process = self.context.Process(target=run_child, daemon=False,      # DataLoader workers need a non-daemon
                                            args=(str(self.path), self.section, self.language, self.limit,
                                                  self.first, self.cases, self.dump_path, send))
        self.process.start()
        send.close()
        # until the file is read: room for a new Python to import torch (spawn, on Windows)
        self.deadline = time.monotonic() + 120

    def read(self):
        try:
            while self.receive.poll():
                message = loads(self.receive.recv_bytes())
                kind = message[0]
                if kind == "loading":
                    self.deadline = time.monotonic() + self.limit + 3
                elif kind == "start":
                    self.current = message[1]
                    factor = self.tasks[self.current - 1].time_factor if 0 < self.current <= len(self.tasks) else 1
                    self.deadline = time.monotonic() + self.limit * factor + 3
                elif kind == "result":
                    self.outs[message[1]] = message[2]
                    self.current = None
                elif kind == "file":
                    self.problem = message[1]
                elif kind == "done":
                    self.end()
                    return
        except (EOFError, OSError, pickle.UnpicklingError, ValueError, IndexError, TypeError):
            self.ended_early()

    def ended_early(self):
        """The child ended without saying "done": its time ran out (faulthandler), os._exit, or a crash."""
        self.kill()
        line, timed_out = line_from_dump(self.dump_path, self.path)
        code = self.process.exitcode
        self.after_stop(line, "timeout" if timed_out else "crash", code)

    def expire(self):
        """Past the deadline and the child still runs: killed here; its stack says where it was if it could."""
        self.kill()
        line, _timed_out = line_from_dump(self.dump_path, self.path)
        self.after_stop(line, "timeout", None)

    def after_stop(self, line, why, code):
        if self.finished:
            return
        loop = loop_at(self.lines, line) if why == "timeout" else None
        loop = loop if loop != line else None     # the loop around the line the time ran out on, when there is one
        if self.current is None:                  # while the file itself ran (or before any task started)
            if self.problem is None:
                self.problem = {"kind": why, "line": line, "task": task_at(self.headers, loop or line), "error": code,
                                "loop": loop}
            self.finished = True
            return
        self.stopped[self.current] = {"kind": why, "line": line, "code": code, "loop": loop}
        if why == "timeout":
            self.timeouts += 1
        self.first = self.current + 1
        if self.first > len(self.tasks) or self.timeouts >= 2:
            self.finished = True
            return
        self.start()

    def end(self):
        self.finished = True
        self.kill(gently=True)

    def kill(self, gently=False):
        if gently:
            self.process.join(2)
        if self.process.is_alive() or not gently:
            pid = self.process.pid
            try:
                if hasattr(os, "killpg"):
                    os.killpg(pid, 9)
            except (OSError, ProcessLookupError):
                pass
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        elif hasattr(os, "killpg"):
            try:
                os.killpg(self.process.pid, 9)       # any worker it left behind
            except (OSError, ProcessLookupError):
                pass
        try:
            self.receive.close()
        except OSError:
            pass
