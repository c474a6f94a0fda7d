"""练一练的检查：python exercises/check.py p17 检查一个文件，不写参数就检查全部并打印进度表。

Checks your exercise files: `python exercises/check.py p17` checks one file,
task by task (right or not, what it got, what was wanted, and the lesson line
that teaches it); `python exercises/check.py` checks them all and prints a
progress table. `--solutions` checks the reference solutions, and a path
(a file or a folder) checks the files there. `--lang en` for English.

Each file runs in a child process of its own (fork where the system has it,
spawn on Windows), with a time limit: a syntax error, an exception or an
endless loop in your file ends in one line that names the task and the line.
"""
import argparse
import multiprocessing
import os
import re
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

EXERCISES = Path(__file__).resolve().parent
sys.path.insert(0, str(EXERCISES.parent / "lessons"))      # support.i18n, as the lessons use it
import support  # noqa: E402,F401  (support/versions.py: outside the supported versions, one line with the fix)

from support import i18n  # noqa: E402

i18n.choose_language(sys.argv[1:])            # before checks.py is imported: its task titles are translated then
_ = i18n._

import checks  # noqa: E402
from support.flags import TranslatedHelp  # noqa: E402

FILE_NAME = re.compile(r"^(p\d\d)_\w+\.py$")


def exercise_files(folder):
    """{section: path} of the pNN_*.py files in a folder."""
    found = {}
    for path in sorted(Path(folder).glob("p[0-9][0-9]_*.py")):
        match = FILE_NAME.match(path.name)
        if match and match.group(1) in checks.TASKS:
            found[match.group(1)] = path
    return found


def chosen_files(names, solutions):
    """[(section, path)] for the command line's words: pNN, a file, or a folder."""
    home = exercise_files(EXERCISES / "solutions" if solutions else EXERCISES)
    if not names:
        return sorted(home.items())
    chosen = []
    for name in names:
        path = Path(name)
        key = name.lower()[:3]
        if path.is_dir():
            chosen += sorted(exercise_files(path).items())
        elif path.is_file() and FILE_NAME.match(path.name) and path.name[:3] in checks.TASKS:
            chosen.append((path.name[:3], path))
        elif re.fullmatch(r"p\d\d", key) and key in home and not path.suffix:
            chosen.append((key, home[key]))
        else:
            raise SystemExit(_("没有这个练习：{name}（可以写 {known}，或一个文件、文件夹的路径）").format(
                name=name, known=", ".join(sorted(home))))
    return chosen


class Child:
    """One exercise file being checked in its own process."""

    def __init__(self, context, section, path, limit):
        self.section, self.path, self.limit = section, path, limit
        self.results, self.problem, self.current, self.finished = {}, None, None, False
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=checks.run_file, daemon=True,
                                       args=(str(path), section, i18n.current(), limit, send))
        self.process.start()
        send.close()
        # each task has its own limit inside the child; this one catches what no Python code can interrupt
        self.deadline = time.monotonic() + limit * (len(checks.TASKS[section]) + 1) + 15

    def read(self):
        try:
            while self.receive.poll():
                kind, data = self.receive.recv()
                if kind == "start":
                    self.current = data["task"]
                elif kind == "result":
                    self.results[data["task"]] = data
                elif kind == "file":
                    self.problem = data
                elif kind == "done":
                    self.stop()
        except (EOFError, OSError):            # the child ended without saying "done" (os._exit, a crash)
            if not self.finished:
                self.problem = self.problem or {"line": None, "task": self.current,
                                                "why": _("检查进程意外结束了（退出码 {code}）").format(
                                                    code=self.process.exitcode)}
                self.stop()

    def expire(self):
        self.problem = {"line": None, "task": self.current,
                        "why": _("运行超过 {seconds} 秒，检查被停止").format(seconds=f"{self.limit:g}")}
        self.stop()

    def stop(self):
        self.finished = True
        self.process.join(1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.receive.close()


def check_all(files, limit, jobs):
    """Check the files, `jobs` children at a time; returns the finished Child objects in the files' order."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    waiting, running, done = list(files), [], []
    while waiting or running:
        while waiting and len(running) < jobs:
            section, path = waiting.pop(0)
            running.append(Child(context, section, path, limit))
        timeout = max(0.0, min(child.deadline for child in running) - time.monotonic())
        ready = wait([child.receive for child in running], timeout=timeout)
        for child in list(running):
            if child.receive in ready:
                child.read()
            elif time.monotonic() > child.deadline:
                child.expire()
            if child.finished:
                running.remove(child)
                done.append(child)
    order = [path for _section, path in files]
    return sorted(done, key=lambda child: order.index(child.path))


def shown(path):
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def report(child):
    """The lines for one file; returns how many tasks are right."""
    tasks = checks.TASKS[child.section]
    name = shown(child.path)
    if child.problem is not None:
        where = child.problem
        if where["line"] is not None and where["task"] is not None:
            place = _("任务 {task}，第 {line} 行").format(task=where["task"], line=where["line"])
        elif where["line"] is not None:
            place = _("第 {line} 行").format(line=where["line"])
        elif where["task"] is not None:
            place = _("任务 {task}").format(task=where["task"])
        else:
            place = _("文件")
        print(_("{file}（{place}）：{why}").format(file=name, place=place, why=where["why"]))
    right = 0
    for one in tasks:
        result = child.results.get(one.number)
        hint = checks.lesson_line(one.lesson, one.anchor)
        if result is None:
            if child.problem is None:
                print(_("  任务 {n} 不对：没有检查到").format(n=one.number))
            continue
        status = result["status"]
        if status == "right":
            right += 1
            print(_("  任务 {n} 对：{title}").format(n=one.number, title=one.title))
            continue
        print(_("  任务 {n} 不对：{title}").format(n=one.number, title=one.title))
        if status == "todo":
            print(_("    还没做：{name} 还是 None 或 ...（找到带“练一练”的那一行）").format(name=result["got"]))
        elif status == "wrong":
            print(_("    得到 {got}，应该是 {wanted}").format(got=result["got"], wanted=result["wanted"]))
            if result["hint"]:
                print(_("    提示：{hint}").format(hint=result["hint"]))
        elif status == "timeout":
            where = _("第 {line} 行").format(line=result["line"]) if result["line"] else _("你的代码")
            print(_("    {where}运行超过 {seconds} 秒（死循环？）").format(where=where, seconds=result["got"]))
        else:
            where = _("第 {line} 行").format(line=result["line"]) if result["line"] else _("检查时")
            print(_("    {where}出错：{error}").format(where=where, error=result["got"]))
        print(_("    看课程：{place}").format(place=hint))
    return right


def main(argv=None):
    # the flags' help is written in Chinese and translated when --help is shown, as in the lessons
    parser = argparse.ArgumentParser(prog="python exercises/check.py", formatter_class=TranslatedHelp,
                                     description=_("检查练一练：写 p17 检查一个文件，不写就检查全部。"))
    parser.add_argument("names", nargs="*", help="p17 这样的练习编号，或一个文件、文件夹的路径")
    parser.add_argument("--solutions", action="store_true", help="检查 exercises/solutions/ 里的参考答案")
    parser.add_argument("--timeout", type=float, default=10.0, help="每个任务最多运行几秒")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="同时检查几个文件")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help="界面语言：zh（默认）或 en")
    args = parser.parse_args(argv)
    files = chosen_files(args.names, args.solutions)
    children = check_all(files, args.timeout, max(1, args.jobs))
    table = []
    for child in children:
        if child.problem is None:          # a file that did not run is said in one line, by report()
            print(shown(child.path))
        table.append((child, report(child)))
    if len(children) > 1 or not args.names:
        print()
        print(_("进度："))
        for child, right in table:
            total = len(checks.TASKS[child.section])
            todo = [str(t.number) for t in checks.TASKS[child.section] if t.number not in child.results
                    or child.results[t.number]["status"] != "right"]
            left = _("全对") if not todo else _("还差任务 {tasks}").format(tasks=", ".join(todo))
            print(f"  {child.path.name:<28} {right}/{total}  {left}")
        done = sum(right for _child, right in table)
        total = sum(len(checks.TASKS[child.section]) for child, _right in table)
        print(_("一共做对 {done}/{total} 个任务").format(done=done, total=total))
        if not args.solutions and done < total:
            print(_("卡住了？参考答案在 exercises/solutions/，自己先试过再看"))
    return 0 if all(right == len(checks.TASKS[child.section]) for child, right in table) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(_("已停止（Ctrl-C）"), file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:                 # `check.py | head`: the reader has gone, nothing more to say
        os._exit(1)
