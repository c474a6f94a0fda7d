"""Run the battery of 练一练 cases through the checker, as a learner runs it, and list every mismatch.

    python tests/exercise_cases/run_battery.py                 # every case, Chinese
    python tests/exercise_cases/run_battery.py --lang en       # the same cases in English
    python tests/exercise_cases/run_battery.py p22 p23         # some sections only
    python tests/exercise_cases/run_battery.py --cases 'w_*'   # some cases only (a glob on the name)
    python tests/exercise_cases/run_battery.py --findings FILE # also write the mismatches as markdown

Not part of the pytest suite: it takes minutes. The cases come from make_cases.py (the files and
cases.json are written into --keep DIR, or a temporary folder). The ordinary cases go to the checker in
one run, `python exercises/check.py FILE ...`; each hostile case (one with `seconds`) runs alone and is
timed. The checker's stdin is a pipe that stays open and silent, as a terminal would.

Reading the checker's verdicts is done in one place, read_output(): it uses `--json` when the checker's
--help offers it, and otherwise the printed report (both languages). Exit status 0: no mismatch.
"""
import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import make_cases  # noqa: E402

CHECK = [REPO_ROOT / "exercises" / "check.py"]     # --checker: another worktree's


# ================================================================ running the checker
def run_checker(python, names, folder, lang, use_json, limit):
    """(stdout, stderr, exit status, seconds) of one checker run over `names` (files in `folder`)."""
    command = [python, str(CHECK[0]), *names]
    if lang:
        command += ["--lang", lang]
    if use_json:
        command += ["--json"]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    start = time.monotonic()
    process = subprocess.Popen(command, cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = process.communicate(timeout=limit)   # stdin: open until the checker ends, never written
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    seconds = time.monotonic() - start
    return out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), code, seconds


def offers_json(python):
    help_text = subprocess.run([python, str(CHECK[0]), "--help"], capture_output=True, text=True,
                               encoding="utf-8", errors="replace", cwd=REPO_ROOT).stdout
    return "--json" in help_text


# ================================================================ reading its verdicts (the one place to adapt)
TASK_LINE = re.compile(r"^\s{1,4}(?:任务|Task)\s*(\d+)\s*(不对|对|not right|right|wrong)\s*[：:]?", re.I)
TABLE_ROW = re.compile(r"^\s+(p\d\d_\w+\.py)\s+(\d+)/(\d+)")
STATUS_WORDS = [("todo", ("还没做", "not done")), ("timeout", ("运行超过", "ran for more than")),
                ("error", ("调用了 sys.exit", "calls sys.exit", "意外结束", "ended unexpectedly", "出错", "failed:")),
                ("missing", ("没有检查", "not checked")), ("wrong", ("得到", "got "))]


def new_report():
    return {"blocks": 0, "heads": [], "problem": None, "tasks": {}, "table": None, "glued": None}


def read_output(out, names, use_json):
    """{file name: report}: report["tasks"][n] = {"status": right|wrong|todo|error|timeout|missing,
    "text": what was said about that task}, report["problem"] = the one line for a file that stopped."""
    if use_json:
        return read_json(out, names)
    reports = {name: new_report() for name in names}
    current, task = None, None
    for line in out.splitlines():
        if not line.strip():
            current = task = None
            continue
        row = TABLE_ROW.match(line)
        if row:
            if row.group(1) in reports:
                reports[row.group(1)]["table"] = (int(row.group(2)), int(row.group(3)))
            current = task = None
            continue
        if not line[0].isspace():
            head = line[2:] if line.startswith("./") else line
            hit = [name for name in names if name in head]
            current = max(hit, key=len) if hit else None
            task = None
            if current:
                report = reports[current]
                report["blocks"] += 1
                report["heads"].append(line)
                start = head.split(current)[0]
                if start and not start.endswith("/"):        # the file's own output glued in front
                    report["glued"] = start
                if head.strip() != current and not head.strip().endswith("/" + current):
                    report["problem"] = line
            continue
        if current is None:
            continue
        found = TASK_LINE.match(line)
        if found:
            number = int(found.group(1))
            status = "right" if found.group(2).lower() in ("对", "right") else "notright"
            task = reports[current]["tasks"][number] = {"status": status, "text": line, "said": ""}
            continue
        if task is not None:
            task["text"] += "\n" + line
            task["said"] += "\n" + line
            if task["status"] == "notright":
                for status, words in STATUS_WORDS:
                    if any(word.lower() in line.lower() for word in words):
                        task["status"] = status
                        break
    return reports


def read_json(out, names):
    """The same from `check.py --json`: a list of files, or {"files": [...]}; each with its path, its
    tasks [{task, status, got, wanted, hint, line, ...}] and a problem {task, line, why} or null."""
    reports = {name: new_report() for name in names}
    try:
        data = json.loads(out)
    except ValueError:
        start = out.find("{") if out.find("{") >= 0 else out.find("[")
        data = json.loads(out[start:]) if start >= 0 else []
    files = data.get("files", data) if isinstance(data, dict) else data
    for entry in files:
        path = str(entry.get("path") or entry.get("file") or "")
        name = Path(path).name
        if name not in reports:
            continue
        report = reports[name]
        report["blocks"] += 1
        report["heads"].append(path)
        if entry.get("problem"):
            report["problem"] = json.dumps(entry["problem"], ensure_ascii=False)
        for one in entry.get("tasks", []):
            number = int(one.get("task") or one.get("number"))
            status = {"done": "right", "ok": "right", "not done": "todo", "not_done": "todo"}.get(
                one.get("status"), one.get("status"))
            said = {k: v for k, v in one.items() if k not in ("title", "status", "task", "number")}
            report["tasks"][number] = {"status": status, "text": json.dumps(one, ensure_ascii=False),
                                       "said": json.dumps(said, ensure_ascii=False)}
    return reports


# ================================================================ comparing with the manifest
def names_line(text, lines):
    return any(re.search(rf"(第\s*{line}\s*行|\bline\s*{line}\b|:{line}\b|\"line\":\s*{line}\b)", text, re.I)
               for line in lines)


def names_task(text, number):
    return bool(re.search(rf"(任务\s*{number}\b|\btask\s*\"?:?\s*{number}\b)", text, re.I))


SAME_TEXT = [re.compile(r"得到 (.+)，应该是 (.+)$", re.M), re.compile(r"\bgot (.+), wanted (.+)$", re.M)]


def compare(entry, report, seconds, whole_output, alone, start_up=0.0):
    """[(kind, text)] of what differs from the case's manifest entry."""
    found = []
    if report is None or report["blocks"] == 0:
        return [("output", "no report for this file")]
    if report["blocks"] > 1:
        found.append(("output", f"{report['blocks']} blocks for this file (the file's own prints taken "
                                "for the checker's?)"))
    if report.get("glued"):
        found.append(("output", f"the file's own output {report['glued']!r} glued in front of the checker's line"))
    problem = report["problem"] or ""
    for number_text, code in zip(map(str, range(1, 99)), entry["codes"]):
        number = int(number_text)
        task = report["tasks"].get(number)
        status = task["status"] if task else ("stopped" if problem else "absent")
        text = (task["said"] if task else "") + "\n" + problem     # what it says, not the task's title
        text = text.replace(entry["file"], "<file>")       # a keyword in the case's own name is no hint
        want = make_cases.VERDICTS[code]
        ok = {"R": status == "right",
              "W": status in ("wrong", "error", "notright"),
              "T": status == "todo",
              "E": status != "right" and entry["line"] is not None and names_line(text, entry["line"])
              and (task is not None or names_task(problem, number)),
              "N": status != "right",
              "?": True}[code]
        if not ok:
            said = " ".join((task["text"] if task else problem).split())[:220]
            found.append(("verdict", f"task {number}: expected {want}, got {status}: {said}"))
            continue
        if code in "WE" and task is not None and "lessons/" not in task["text"] and status != "timeout":
            found.append(("hint", f"task {number}: no lesson line (lessons/...) in what it says"))
        alternatives = entry["hint"].get(number_text)
        if alternatives and code != "R" and not any(a.lower() in text.lower() for a in alternatives):
            found.append(("hint", f"task {number}: none of {alternatives} in: {' '.join(text.split())[:220]}"))
        bad = [a for a in entry["avoid"].get(number_text, []) if a.lower() in text.lower()]
        if bad and code != "R":
            found.append(("hint", f"task {number}: a false hint ({bad}): {' '.join(text.split())[:220]}"))
        for pattern in SAME_TEXT:
            for got, wanted in pattern.findall(task["text"] if task else ""):
                if got.strip() == wanted.strip():
                    found.append(("output", f"task {number}: got and wanted read the same: {got.strip()}"))
    if report["table"] and report["table"][0] != sum(1 for t in report["tasks"].values() if t["status"] == "right"):
        found.append(("output", f"progress table says {report['table']}, the report says otherwise"))
    if alone:
        if entry["seconds"] and seconds is not None and seconds > start_up + entry["seconds"]:
            found.append(("time", f"took {seconds:.0f} s: more than the checker's start-up ({start_up:.0f} s "
                                  f"measured) + {entry['seconds']} s"))
        unindented = [line for line in whole_output.splitlines() if line and not line[0].isspace()
                      and entry["file"] in line]
        if entry["seconds"] and any(c in "E" for c in entry["codes"]) and len(unindented) != 1:
            found.append(("output", f"{len(unindented)} unindented lines name the file (one wanted)"))
    return found


# ================================================================ main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help="p06 ... p31 (default: all)")
    parser.add_argument("--cases", help="globs on the case names, e.g. 'w_*' or 'h_*,r_own*'")
    parser.add_argument("--lang", choices=["zh", "en"])
    parser.add_argument("--keep", help="write the cases here and keep them (default: a temporary folder)")
    parser.add_argument("--findings", help="also write the mismatches, as markdown, to this file")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs the checker")
    parser.add_argument("--jobs", type=int, default=2, help="the checker's --jobs for the ordinary cases")
    parser.add_argument("--parallel", type=int, default=2, help="hostile cases run alone, this many at a time")
    parser.add_argument("--checker", help="another check.py to run (default: this worktree's)")
    parser.add_argument("--no-json", action="store_true", help="read the printed report even if --json exists")
    args = parser.parse_args(argv)

    if args.checker:
        CHECK[0] = Path(args.checker).resolve()
    problems = make_cases.check_counts()
    if problems:
        raise SystemExit("\n".join(problems))
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="exercise_cases_"))
    manifest = make_cases.write_all(folder, set(args.sections) or None)
    if args.cases:
        manifest = [e for e in manifest if any(fnmatch.fnmatch(e["file"][4:-3], glob)
                                               for glob in args.cases.split(","))]
    use_json = not args.no_json and offers_json(args.python)
    print(f"{len(manifest)} cases in {folder}; reading the checker's {'--json' if use_json else 'printed report'}",
          flush=True)

    results = {}        # file -> (report, seconds, whole output, alone)
    ordinary = [e["file"] for e in manifest if not e["seconds"]]
    if ordinary:
        out, err, code, seconds = run_checker(args.python, ordinary + ["--jobs", str(args.jobs)], folder, args.lang,
                                              use_json, limit=1800)
        reports = read_output(out, ordinary, use_json)
        print(f"ordinary cases: {len(ordinary)} files in one run, {seconds:.0f} s, exit status {code}", flush=True)
        if "Traceback" in out + err:
            results["(ordinary run)"] = "Traceback in the output: " + (out + err)[-600:]
        for name in ordinary:
            results[name] = (reports[name], None, out, False)
    hostile = [e for e in manifest if e["seconds"]]
    start_up = 0.0
    if hostile:
        # the checker's own start-up on this machine now (torch's import on a busy machine is most of it):
        # a plain solution checked alone, before and after; a hostile case may take that plus its seconds
        plain = make_cases.write_all(folder / "plain", {"p19"})
        plain = [e["file"] for e in plain if e["file"].endswith("s_solution.py")]
        start_up = run_checker(args.python, plain, folder / "plain", args.lang, use_json, limit=300)[3]

        def one(entry):
            out, err, code, seconds = run_checker(args.python, [entry["file"]], folder, args.lang, use_json,
                                                  limit=entry["seconds"] + start_up + 120)
            report = read_output(out, [entry["file"]], use_json)[entry["file"]]
            if code is None:
                report["problem"] = (report["problem"] or "") + " [killed by the battery]"
            if "Traceback" in out + err:
                report["traceback"] = True
            print(f"  {entry['file']:<44} {seconds:5.1f} s  exit {code}", flush=True)
            return entry["file"], (report, seconds, out, True)

        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max(1, args.parallel)) as pool:
            results.update(pool.map(one, hostile))
        again = run_checker(args.python, plain, folder / "plain", args.lang, use_json, limit=300)[3]
        print(f"the checker's start-up (a plain solution alone): {start_up:.0f} s before, {again:.0f} s after",
              flush=True)
        start_up = max(start_up, again)

    mismatches = {}
    for entry in manifest:
        report, seconds, out, alone = results[entry["file"]]
        found = compare(entry, report, seconds, out, alone, start_up)
        if report.get("traceback"):
            found.append(("output", "a Traceback in the output"))
        if found:
            mismatches[entry["file"]] = (entry, found)
    kinds = {}
    for _entry, found in mismatches.values():
        for kind, _text in found:
            kinds[kind] = kinds.get(kind, 0) + 1
    lines = [f"{len(manifest) - len(mismatches)} of {len(manifest)} cases as expected; "
             f"{len(mismatches)} not: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))]
    if "(ordinary run)" in results:
        lines.append(results["(ordinary run)"])
    for name, (entry, found) in sorted(mismatches.items()):
        note = f"  ({entry['note']})" if entry["note"] else ""
        lines.append(f"- {name} [{entry['codes']}]{note}")
        lines += [f"    {kind}: {text}" for kind, text in found]
    print("\n".join(lines))
    if args.findings:
        Path(args.findings).write_text(
            f"# battery run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, lang {args.lang or 'zh'}, "
            f"checker {CHECK[0]}\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
