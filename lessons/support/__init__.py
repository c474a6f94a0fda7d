"""不是课程内容：每一课共用的支持代码（参数、数据、TensorBoard、文件与报错、图片、训练、翻译）。

Not a lesson: the support code every lesson shares, one module per job:

    flags.py     命令行参数、设备、随机种子          flags, device, seed
    data.py      CIFAR10：下载（断点续传）、离线替代集  CIFAR10: resumable download, offline stand-in
    board.py     TensorBoard 文件夹与查看命令          TensorBoard folders and the command to view them
    files.py     完整写入的文件、一行说清的错误        files written whole, one-line errors
    pictures.py  P6-P12 的图片文件夹                   picture folders of P6-P12
    training.py  我们在课程之外加的训练手段            our additions to the course's training
    i18n.py      中文 / English                        Chinese / English
    versions.py  支持的 Python、torch 版本             the Python and torch versions supported

Importing `support` first checks the versions (versions.require_supported):
outside the supported range it ends the program with one line and the command
that fixes it, before anything imports torch. A script that reports on the
environment itself (check_env.py) sets `DIAGNOSES_ITSELF = True` before it
imports `support`. This file keeps to syntax old Pythons parse.
"""
import sys


def _survive_any_console():
    """Output redirected on Windows (`python lessons\\p21_nn_seq.py > out.txt`) is
    encoded in the console's code page (GBK, cp1252), which cannot say every
    character we print: one it cannot say becomes "?" instead of stopping the
    lesson with UnicodeEncodeError. Every lesson imports `support` first, so
    this is the one place to do it."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):        # closed, or not a plain text stream (Jupyter)
                pass


_survive_any_console()
if not getattr(sys.modules.get("__main__"), "DIAGNOSES_ITSELF", False):
    from support import versions
    versions.require_supported()
