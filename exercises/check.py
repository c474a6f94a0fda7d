"""练一练的检查：python exercises/check.py p17 检查一个文件，不写参数就检查全部并打印进度表。

Checks your exercise files: `python exercises/check.py p17` checks one file,
task by task (right or not, what it got, what was wanted, and the lesson line
that teaches it); `python exercises/check.py` checks them all and prints a
progress table. `--watch` checks again each time you save a file; `--hint`
gives a fuller nudge for the first task that is not right yet; `--solutions`
checks the reference solutions, and a path (a file or a folder) checks the
files there. `--lang en` for English.

Each file runs in a child process of its own (engine.py): the checker makes
the inputs and works out what is wanted itself, the child only runs your code
on them. Each task has a time limit (--timeout, 5 s); a syntax error, an
exception, sys.exit() or an endless loop in your file ends in one line that
names the task and the line. Progress (the tasks right in your own files
under exercises/) is kept in exercises/.progress.json, or in the file the
environment variable EXERCISES_PROGRESS names (the tests use that).
"""
import argparse
import gc
import hashlib
import json
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
sys.path.insert(0, str(EXERCISES))

from support import i18n  # noqa: E402

i18n.choose_language(sys.argv[1:])            # before checks.py is imported: its task titles are translated then
_ = i18n._

import torch  # noqa: E402

import checks  # noqa: E402
import engine  # noqa: E402
from support.flags import TranslatedHelp  # noqa: E402

FILE_NAME = re.compile(r"^(p\d\d)_\w+\.py$")
PROGRESS = EXERCISES / ".progress.json"


def exercise_files(folder):
    """{section: path} of the pNN_*.py files in a folder (the first of each section)."""
    found = {}
    for section, path in all_exercise_files(folder):
        found.setdefault(section, path)
    return found


def all_exercise_files(folder):
    """[(section, path)] of every pNN_*.py file in a folder (several may be for one section)."""
    found = []
    for path in sorted(Path(folder).glob("p[0-9][0-9]_*.py")):
        match = FILE_NAME.match(path.name)
        if match and match.group(1) in checks.TASKS:
            found.append((match.group(1), path))
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
            chosen += all_exercise_files(path)
        elif path.is_file() and FILE_NAME.match(path.name) and path.name[:3] in checks.TASKS:
            chosen.append((path.name[:3], path))
        elif re.fullmatch(r"p\d\d", key) and key in home and not path.suffix:
            chosen.append((key, home[key]))
        else:
            raise SystemExit(_("没有这个练习：{name}（可以写 {known}，或一个文件、文件夹的路径）").format(
                name=name, known=_("、").join(sorted(home))))
    return chosen


# ---------------------------------------------------------------- checking
def check_all(files, limit, jobs, seed=None):
    """Check the files, `jobs` at a time; returns the finished FileRun objects in the files' order."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    torch.set_num_threads(1)                     # no thread pool in the parent when it forks
    # what is imported by now (torch and the rest) stays out of the garbage collector's way: a forked child
    # that collects would otherwise walk all of it and copy every page it touches (gc.freeze's own use)
    gc.freeze()
    seed = int.from_bytes(os.urandom(4), "little") if seed is None else seed
    cases = checks.make_cases(seed)
    scratch = str(checks.scratch_folder())
    waiting, running, done = list(files), [], []
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                section, path = waiting.pop(0)
                running.append(engine.FileRun(context, section, path, limit, cases[section], i18n.current(),
                                              checks.TASKS[section], scratch))
            timeout = max(0.0, min(run.deadline for run in running) - time.monotonic())
            ready = wait([run.receive for run in running], timeout=timeout)
            for run in list(running):
                if run.receive in ready:
                    run.read()
                elif time.monotonic() > run.deadline:
                    run.expire()
                if run.finished:
                    running.remove(run)
                    done.append(run)
    finally:
        for run in running:
            run.kill()
        gc.unfreeze()                            # --watch checks again: what this round left may go
    order = [str(path) for _section, path in files]
    return sorted(done, key=lambda run: order.index(str(run.path))), cases


def verdict(one, outs, stopped, cases):
    """{status, got, wanted, hint, line} for one task, judged here from what the learner's code gave."""
    result = {"task": one.number, "status": "right", "got": None, "wanted": None, "hint": None, "line": None}
    if stopped is not None:
        result.update(status=stopped["kind"], line=stopped["line"], got=stopped["code"], loop=stopped.get("loop"))
        return result
    if outs is None:
        result.update(status="unchecked")
        return result
    outs = [checks.Out(kind, engine.unplain(value), line) for kind, value, line in outs]
    for out in outs:
        if out.kind == "todo":
            result.update(status="todo", got=out.value if isinstance(out.value, str) else None)
            return result
        if out.kind == "exit":
            result.update(status="exit", line=out.line)
            return result
    try:
        one.judge(cases, outs)
    except checks.Wrong as wrong:
        got, wanted = checks.two_texts(wrong.got, wrong.wanted)
        result.update(status="wrong", got=got, wanted=wanted, hint=wrong.hint)
    except checks.Failed as failed:
        hint = failed.hint
        if hint is None and str(failed.out.error).startswith("EOFError"):
            hint = _("检查时没有键盘输入：去掉 input()")
        result.update(status="error", got=failed.out.error, line=failed.out.line, hint=hint)
    except Exception as error:               # a value of a kind the task did not expect
        first = next((out.value for out in outs if out.kind == "ok"), None)
        result.update(status="wrong", got=_("{kind} 类型的值").format(kind=checks.kind_of(first)),
                      wanted=_("（{what}）").format(what=engine.describe(error)))
    return result


def shown(path):
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def marked_line(run, number):
    """The line of the task's first `# 练一练：` comment in the learner's file (where to change)."""
    start = next((line for line, n in run.headers if n == number), None)
    if start is None:
        return None
    for i in range(start, len(run.lines)):
        if "练一练" in run.lines[i]:
            return i + 1
        if i + 1 > start and engine.HEADER.match(run.lines[i]):
            break
    return start


def line_words(line, loop=None):
    """第 15 行, or 第 15 行（第 14 行开始的循环里） when the time ran out inside a loop."""
    if loop:
        return _("第 {line} 行（第 {loop} 行开始的循环里）").format(line=line, loop=loop)
    return _("第 {line} 行").format(line=line)


def place_of(problem):
    if problem.get("line") is not None and problem.get("task") is not None:
        return _("任务 {task}，{where}").format(task=problem["task"], where=line_words(problem["line"], problem.get("loop")))
    if problem.get("line") is not None:
        return line_words(problem["line"], problem.get("loop"))
    if problem.get("task") is not None:
        return _("任务 {task}").format(task=problem["task"])
    return _("文件")


def problem_text(problem, limit):
    kind = problem["kind"]
    if kind == "syntax":
        return _("语法错误：{what}").format(what=problem["error"])
    if kind == "exit":
        return _("调用了 sys.exit() 或 os._exit()：检查没法往下走，删掉这一行")
    if kind == "timeout":
        return _("运行超过 {seconds} 秒（死循环，或在等输入？）").format(seconds=f"{limit:g}")
    if kind == "crash":
        return _("运行这个文件的进程意外结束了（退出码 {code}）").format(code=problem.get("error"))
    if str(problem["error"]).startswith("EOFError"):
        return _("{error}（检查时没有键盘输入：去掉 input()）").format(error=problem["error"])
    return problem["error"]


def report(run, results, limit, hint_wanted, lines_out):
    """The lines for one file; returns the numbers of the right tasks."""
    say = lines_out.append
    name = shown(run.path)
    if run.problem is not None:
        say(_("{file}（{place}）：{why}").format(file=name, place=place_of(run.problem),
                                               why=problem_text(run.problem, limit)))
    else:
        say(name)
    right, first_wrong = [], True
    for one in checks.TASKS[run.section]:
        result = results[one.number]
        status = result["status"]
        if run.problem is not None and status == "unchecked":
            continue
        if status == "right":
            right.append(one.number)
            say(_("  任务 {n} 对：{title}").format(n=one.number, title=one.title))
            continue
        say(_("  任务 {n} 不对：{title}").format(n=one.number, title=one.title))
        where = lambda line: line_words(line, result.get("loop")) if line else ""   # noqa: E731
        if status == "todo":
            say(_("    还没做：{name} 还是 None（找到带“练一练”的那一行）").format(name=result["got"]))
        elif status == "wrong":
            say(_("    得到 {got}，应该是 {wanted}").format(got=result["got"], wanted=result["wanted"]))
            if result["hint"]:
                say(_("    提示：{hint}").format(hint=result["hint"]))
        elif status == "timeout":
            say(_("    {where}运行超过 {seconds} 秒（死循环，或在等输入？）").format(
                where=where(result["line"]) or _("你的代码"), seconds=f"{limit:g}"))
        elif status == "exit":
            say(_("    {where}调用了 sys.exit() 或 os._exit()：检查没法往下走，删掉这一行").format(
                where=where(result["line"]) or _("你的代码")))
        elif status == "crash":
            say(_("    {where}运行时进程意外结束了（退出码 {code}）").format(
                where=where(result["line"]) or _("你的代码"), code=result["got"]))
        elif status == "unchecked":
            say(_("    没有检查：这个文件已经超时两次"))
        else:
            say(_("    {where}出错：{error}").format(where=where(result["line"]) or _("运行你的代码时"), error=result["got"]))
            if result["hint"]:
                say(_("    提示：{hint}").format(hint=result["hint"]))
        if first_wrong:
            first_wrong = False
            line = result["line"] or marked_line(run, one.number)
            if line:
                say(_("    要改的地方：{file}:{line}").format(file=name, line=line))
        say(_("    看课程：{place}").format(place=checks.lesson_line(one.lesson, one.anchor)))
        if not first_wrong and not getattr(run, "hinted", False):
            run.hinted = True
            if hint_wanted:
                fuller_hint(run, one, lines_out)
            else:
                say(_("    想要更多提示：python exercises/check.py {name} --hint").format(name=command_word(run)))
    return right


def command_word(run):
    """p17 for the learner's own file, else its path: what to type to check it again."""
    home = exercise_files(EXERCISES).get(run.section)
    return run.section if home is not None and home.resolve() == Path(run.path).resolve() else shown(run.path)


def fuller_hint(run, one, lines_out):
    """--hint: the task's own words from the file, the lesson's line itself, and where the solution is."""
    say = lines_out.append
    start = next((line for line, n in run.headers if n == one.number), None)
    if start is not None:
        notes = [run.lines[start - 1].lstrip("# -")]
        for text in run.lines[start:start + 12]:
            if engine.HEADER.match(text):
                break
            if "练一练" in text:
                notes.append(text.strip().lstrip("# "))
        say(_("    任务说的：{words}").format(words="；".join(notes)))
    place = checks.lesson_line(one.lesson, one.anchor)
    if ":" in place:
        path, number = place.rsplit(":", 1)
        try:
            code = (EXERCISES.parent / path).read_text(encoding="utf-8").splitlines()[int(number) - 1].strip()
            say(_("    课程里的这一行：{code}").format(code=code))
        except (OSError, IndexError, ValueError):
            pass
    solution = EXERCISES / "solutions" / Path(run.path).name
    say(_("    还是卡住：参考答案在 {path}（先自己试过再看）").format(path=shown(solution)))


# ---------------------------------------------------------------- progress kept between runs
def progress_path():
    return Path(os.environ.get("EXERCISES_PROGRESS") or PROGRESS)


def read_progress():
    try:
        data = json.loads(progress_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save_progress(runs_right, solutions):
    """Remember which tasks are right, for the learner's own files (not the solutions, not other folders)."""
    if solutions:
        return read_progress()
    progress = read_progress()
    mine = {section: path for section, path in exercise_files(EXERCISES).items()}
    changed = False
    for run, right in runs_right:
        if os.environ.get("EXERCISES_PROGRESS") or Path(run.path).resolve() == mine.get(run.section, Path()).resolve():
            progress[run.section] = {"right": right, "total": len(checks.TASKS[run.section]),
                                     "file": Path(run.path).name}
            changed = True
    if changed:
        target = progress_path()
        try:
            temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(progress, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(temporary, target)
        except OSError:                   # a read-only folder: the table still shows this run
            pass
    return progress


def next_step(progress, current=None):
    """The first section with a task not right yet, from the one just checked on (then from the start):
    (section, task) or None."""
    order = sorted(checks.TASKS)
    if current in order:
        order = order[order.index(current):] + order[:order.index(current)]
    for section in order:
        right = progress.get(section, {}).get("right", [])
        for one in checks.TASKS[section]:
            if one.number not in right:
                return section, one.number
    return None


def summary(progress, lines_out, current=None):
    say = lines_out.append
    done = sum(len([n for n in progress.get(s, {}).get("right", []) if isinstance(n, int)]) for s in checks.TASKS)
    total = sum(len(tasks) for tasks in checks.TASKS.values())
    coming = next_step(progress, current)
    if coming is None:
        say(_("全部 {total} 个任务都做对了").format(total=total))
        return
    section, number = coming
    name = exercise_files(EXERCISES).get(section)
    say(_("一共做对 {done}/{total} 个任务（记在 {file}）；下一个：{name} 的任务 {n}，改完运行 "
          "python exercises/check.py {section}").format(done=done, total=total, file=shown(progress_path()),
                                                     name=name.name if name else section, n=number, section=section))


# ---------------------------------------------------------------- one round: check, report, table
def one_round(files, args, out=print):
    runs, cases = check_all(files, args.timeout, max(1, args.jobs))
    lines, table = [], []
    for run in runs:
        results = {one.number: verdict(one, run.outs.get(one.number), run.stopped.get(one.number),
                                       cases[run.section][one.number]) for one in checks.TASKS[run.section]}
        right = report(run, results, args.timeout, args.hint, lines)
        table.append((run, right))
    checks.clean_scratch()
    if len(runs) > 1 or (not args.names and not args.watch):
        lines.append("")
        lines.append(_("进度："))
        for run, right in table:
            total = len(checks.TASKS[run.section])
            todo = [str(t.number) for t in checks.TASKS[run.section] if t.number not in right]
            left = _("全对") if not todo else _("还差任务 {tasks}").format(tasks=_("、").join(todo))
            lines.append(f"  {Path(run.path).name:<28} {len(right)}/{total}  {left}")
        done = sum(len(right) for _run, right in table)
        total = sum(len(checks.TASKS[run.section]) for run, _right in table)
        lines.append(_("这次做对 {done}/{total} 个任务").format(done=done, total=total))
    progress = save_progress(table, args.solutions)
    if not args.solutions:
        wrong = [run for run, right in table if len(right) < len(checks.TASKS[run.section])]
        if any(Path(run.path).resolve().parent == EXERCISES for run, _right in table) or args.watch:
            summary(progress, lines, table[-1][0].section if len(table) == 1 else None)
    out("\n".join(lines))
    sys.stdout.flush()
    return all(len(right) == len(checks.TASKS[run.section]) for run, right in table)


def main(argv=None):
    # the flags' help is written in Chinese and translated when --help is shown, as in the lessons
    parser = argparse.ArgumentParser(prog="python exercises/check.py", formatter_class=TranslatedHelp,
                                     description=_("检查练一练：写 p17 检查一个文件，不写就检查全部。"))
    parser.add_argument("names", nargs="*", help="p17 这样的练习编号，或一个文件、文件夹的路径")
    parser.add_argument("--solutions", action="store_true", help="检查 exercises/solutions/ 里的参考答案")
    parser.add_argument("--watch", action="store_true", help="一直开着：每次保存文件就重新检查它（Ctrl-C 结束）")
    parser.add_argument("--poll", action="store_true", help="和 --watch 一起用：每秒看一次文件有没有变（收不到文件事件时用）")
    parser.add_argument("--hint", action="store_true", help="给第一个不对的任务更多提示")
    parser.add_argument("--timeout", type=float, default=5.0, help="每个任务最多运行几秒")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1), help="同时检查几个文件")
    parser.add_argument("--lang", choices=i18n.LANGUAGES, help="界面语言：zh（默认）或 en")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(_("--timeout 要大于 0"))
    files = chosen_files(args.names, args.solutions)
    if args.watch:
        import watch
        return watch.watch(files, lambda chosen: one_round(chosen, args), force_poll=args.poll)
    return 0 if one_round(files, args) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print(_("已停止（Ctrl-C）"), file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:                 # `check.py | head`: the reader has gone, nothing more to say
        os._exit(1)
