"""`python tests/torchrun_forking.py ARGS...` is `torchrun ARGS...`: torch's own
launcher (torch.distributed.run.main: its flags, the static rendezvous of
--nnodes/--node-rank/--master-addr/--master-port, the variables it gives each
process, its monitoring and its shutdown), with one difference: each process
it starts (`python -u script args`) is a fork of this launcher that runs the
script as tests/zygote.py runs one (a new session, its own environment,
`__main__`, sys.argv, sys.path[0], exit status), instead of a new Python that
spends its first seconds of CPU importing torch and torchvision. Anything
else the launcher starts (another entry point, `--no-python`) is a real
new process as before.

tests/test_ddp.py runs README's two-machine commands with it; the launcher
itself is forked from tests/zygote.py, so nothing of the tests is imported.
"""
import os
import subprocess
import sys

import zygote                   # tests/zygote.py: how a forked child becomes `python script args`
from torch.distributed.elastic.multiprocessing.subprocess_handler import subprocess_handler
from torch.distributed.run import main


class ForkedPopen(subprocess.Popen):
    """subprocess.Popen, except that `python [-u] script args` becomes a fork of this process."""

    def _execute_child(self, args, executable, preexec_fn, close_fds, pass_fds, cwd, env, *rest):
        words = [os.fsdecode(word) for word in args]
        python_words = words[1:2] == ["-u"] and len(words) > 2 and not words[2].startswith("-")
        if os.path.realpath(words[0]) != os.path.realpath(sys.executable) or not python_words:
            return super()._execute_child(args, executable, preexec_fn, close_fds, pass_fds, cwd, env, *rest)
        request = {"argv": words[2:], "cwd": cwd or os.getcwd(), "env": dict(env if env is not None else os.environ),
                   "out": None, "err": None, "stdin": None, "fsize": None, "unbuffered": True}
        pid = os.fork()
        if pid == 0:
            zygote._child(request)          # never returns
        self.pid = pid
        self._child_created = True


subprocess_handler.Popen = ForkedPopen

if __name__ == "__main__":
    sys.exit(main())
