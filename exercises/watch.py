"""check.py --watch：每次保存练习文件，就重新检查它。

Watches the folders of the chosen exercise files with watchdog (native file
events: inotify, ReadDirectoryChangesW, FSEvents). An editor's save is often
several events (PyCharm writes a temporary file and renames it over the old
one): they are gathered for a moment, and a file is checked again only when
its bytes changed. Where native events do not arrive (a Windows drive under
WSL, /mnt/c; network folders), a test write at the start shows it and
watchdog's PollingObserver is used instead (--poll forces it); without
watchdog installed, the files are looked at once a second.
"""
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

from support.i18n import _

SETTLE = 0.3            # seconds without a new event before a save counts as finished


def fingerprint(path):
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def on_windows_drive():
    """WSL with the files on a Windows drive (/mnt/c/...): inotify does not see Windows programs' writes."""
    try:
        wsl = "microsoft" in Path("/proc/version").read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        wsl = False
    return wsl


class Changes:
    """The files that changed, gathered from events until they settle."""

    def __init__(self, names):
        self.names = names               # {resolved path: (section, path as given)}
        self.lock = threading.Lock()
        self.pending, self.last, self.any_event = set(), 0.0, threading.Event()

    def saw(self, *paths):
        self.any_event.set()
        for raw in paths:
            if not raw:
                continue
            key = os.path.normcase(os.path.abspath(os.fsdecode(raw)))
            if key in self.names:
                with self.lock:
                    self.pending.add(key)
                    self.last = time.monotonic()

    def settled(self):
        with self.lock:
            if self.pending and time.monotonic() - self.last >= SETTLE:
                found, self.pending = self.pending, set()
                return found
        return set()


def start_observer(folders, changes, force_poll):
    """A watchdog observer on the folders ('native' or 'polling'), or (None, reason) without watchdog."""
    try:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return None, "none"

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            changes.saw(getattr(event, "src_path", None), getattr(event, "dest_path", None))

    def run(kind):
        observer = PollingObserver(timeout=0.5) if kind == "polling" else Observer()
        for folder in folders:
            observer.schedule(Handler(), str(folder), recursive=False)
        observer.daemon = True
        observer.start()
        return observer

    if force_poll or any(str(f).startswith("/mnt/") for f in folders) and on_windows_drive():
        return run("polling"), "polling"
    try:
        observer = run("native")
    except OSError:                      # too many watches, an unsupported file system
        return run("polling"), "polling"
    # a test write: do the native events arrive here?
    changes.any_event.clear()
    probe = Path(folders[0]) / ".check_watch_probe"
    try:
        probe.write_text("x", encoding="utf-8")
        arrived = changes.any_event.wait(1.5)
    except OSError:
        arrived = True                   # a read-only folder: trust the native events
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    if arrived:
        return observer, "native"
    observer.stop()
    return run("polling"), "polling"


def watch(files, check_round, force_poll=False):
    """Check the files now, then again each time one is saved; Ctrl-C ends it."""
    names = {os.path.normcase(os.path.abspath(path)): (section, path) for section, path in files}
    folders = sorted({str(Path(path).resolve().parent) for _section, path in files})
    check_round(files)
    seen = {key: fingerprint(key) for key in names}
    changes = Changes(names)
    observer, kind = start_observer(folders, changes, force_poll)
    if kind == "none":
        print(_("没有装 watchdog（pip install -r requirements.txt）：改为每秒看一次文件"))
    elif kind == "polling" and force_poll:
        print(_("--poll：每秒看一次文件"))
    elif kind == "polling":
        print(_("收不到文件系统的通知（比如 WSL 里的 /mnt/c、网络文件夹）：改为每秒看一次文件"))
    print(_("等你保存文件……（改完保存就会重新检查；Ctrl-C 结束）"))
    sys.stdout.flush()
    last_look = time.monotonic()
    try:
        while True:
            time.sleep(0.1)
            if kind == "none" and time.monotonic() - last_look >= 1.0:
                last_look = time.monotonic()
                changes.saw(*[key for key in names if fingerprint(key) != seen[key]])
            due = [key for key in sorted(changes.settled()) if fingerprint(key) != seen[key]]
            if not due:
                continue
            for key in due:
                seen[key] = fingerprint(key)
            chosen = [names[key] for key in due if seen[key] is not None]
            if not chosen:
                continue
            print()
            print(_("—— {time} 保存了 {files}，重新检查 ——").format(
                time=time.strftime("%H:%M:%S"), files=_("、").join(Path(p).name for _s, p in chosen)))
            check_round(chosen)
            print(_("等你保存文件……（改完保存就会重新检查；Ctrl-C 结束）"))
            sys.stdout.flush()
    finally:
        if observer is not None:
            observer.stop()
