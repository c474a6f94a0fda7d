"""`python tests/windows_like.py [options] script.py args...`: run a script as
`python script.py args...` would, with some of Windows' ways (nothing in the
lessons knows about this file):

  --spawn        DataLoader workers (every multiprocessing process) start with
                 `spawn`, as on Windows and macOS: a process that has never run
                 the script imports it again as __mp_main__ and unpickles its
                 work. The process is a fork of this one made before the script
                 ran (multiprocessing's own forkserver, started by fork instead
                 of as a new Python, which would import torch again for seconds);
                 each worker runs spawn's own child code (spawn._main). Where
                 that forkserver's interface is not the one known here, a new
                 Python, as spawn itself starts it
  --no-unix      no `resource` module, no os.fork, no fork start method and
                 nothing under /proc, as on Windows; processes start with
                 `spawn`, each a new Python unless --spawn is given too
  --kill-worker  a DataLoader worker is killed (SIGKILL) shortly after it
                 started, as a worker that dies mid-epoch
  --workers N    every DataLoader the script makes with num_workers=0 gets N
                 workers instead (for lessons that have no --num-workers)
  --weights-as-allocated
                 torch.nn.init leaves weights as allocated instead of drawing
                 random numbers (VGG16's 138 million take seconds of CPU): for
                 tests that check the console and the exit, not the values

Tests start it through helpers.run_python.
"""
import builtins
import io
import multiprocessing
import os
import runpy
import signal
import sys
import threading
import time


def no_unix():
    sys.modules["resource"] = None                 # `import resource` raises ImportError, as on Windows
    for name in ("fork", "forkpty", "register_at_fork"):
        if hasattr(os, name):
            delattr(os, name)
    multiprocessing.get_all_start_methods = lambda: ["spawn"]

    def no_proc(function):
        def without_proc(path, *args, **kwargs):
            if isinstance(path, (str, os.PathLike)) and os.fspath(path).startswith("/proc"):
                raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
            return function(path, *args, **kwargs)
        return without_proc

    builtins.open = io.open = no_proc(io.open)
    os.stat = no_proc(os.stat)
    os.listdir = no_proc(os.listdir)
    os.scandir = no_proc(os.scandir)


def workers_from_a_clean_fork():
    """Every process the spawn method starts comes from a fork of this process as it is now,
    before the script runs: multiprocessing's forkserver loop (forkserver.main), with this
    process as its client, through the forkserver's Popen under the name `spawn`. The worker
    then does what a spawned Python does after its imports: spawn._main reads the parent's
    preparation data (sys.path, folder, argv, the script's path), imports the script as
    __mp_main__ and unpickles the process object. Returns a function that ends the server;
    None where this Python's forkserver is not the one this was written against."""
    import inspect
    import shutil
    import socket
    import tempfile
    from multiprocessing import forkserver, popen_forkserver, popen_spawn_posix
    if list(inspect.signature(forkserver.main).parameters) != ["listener_fd", "alive_r", "preload", "main_path",
                                                                "sys_path"]:
        return None
    folder = tempfile.mkdtemp(prefix="windows-like-")
    address = os.path.join(folder, "forkserver")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen()
    alive_r, alive_w = os.pipe()              # the server ends when this process ends (its end of the pipe closes)
    pid = os.fork()
    if pid == 0:
        try:
            os.close(alive_w)
            forkserver.main(listener.fileno(), alive_r, [])
        except SystemExit:
            pass
        finally:
            os._exit(0)
    os.close(alive_r)
    listener.close()
    server = forkserver._forkserver
    server._forkserver_address, server._forkserver_alive_fd, server._forkserver_pid = address, alive_w, pid

    class Popen(popen_forkserver.Popen):
        method = "spawn"
    popen_spawn_posix.Popen = Popen

    def end():
        os.close(alive_w)
        shutil.rmtree(folder, ignore_errors=True)
    return end


def kill_a_worker(after=0.05):
    """SIGKILL the first worker process of this one, `after` seconds after it started
    (by then the DataLoader watches its workers)."""
    def killer():
        while True:
            children = multiprocessing.active_children()
            if children:
                time.sleep(after)
                os.kill(children[0].pid, signal.SIGKILL)
                return
            time.sleep(0.01)
    threading.Thread(target=killer, daemon=True).start()


def with_workers(count):
    from torch.utils.data import DataLoader
    made = DataLoader.__init__

    def init(self, *args, **kwargs):
        if len(args) < 5 and not kwargs.get("num_workers"):          # num_workers is the 6th parameter
            kwargs["num_workers"] = count
        made(self, *args, **kwargs)
    DataLoader.__init__ = init


def weights_as_allocated():
    import torch
    for name in ("kaiming_normal_", "kaiming_uniform_", "normal_", "uniform_", "constant_", "zeros_", "ones_"):
        setattr(torch.nn.init, name, lambda tensor, *args, **kwargs: tensor)


def main():
    args = sys.argv[1:]
    options = set()
    while args and args[0].startswith("--"):
        option = args.pop(0)
        if option == "--workers":
            with_workers(int(args.pop(0)))
        options.add(option)
    end_server = None
    if "--spawn" in options:
        end_server = workers_from_a_clean_fork()            # before any of the changes below, and the script
    if "--no-unix" in options:
        no_unix()
    if options & {"--spawn", "--no-unix"}:
        multiprocessing.set_start_method("spawn", force=True)
    if "--weights-as-allocated" in options:
        weights_as_allocated()
    if "--kill-worker" in options:
        kill_a_worker()
    script = os.path.abspath(args[0])
    sys.argv = [args[0], *args[1:]]
    sys.path[0] = os.path.dirname(script)
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        if end_server is not None:
            end_server()


if __name__ == "__main__":
    main()
