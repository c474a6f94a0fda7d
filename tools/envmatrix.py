"""版本矩阵：在几套 PyTorch / torchvision / Python 组合的环境里跑所有课程，打印一张表。

Version matrix (issue 26, part 3): builds (or reuses) one virtual environment
per row of MATRIX, outside the repository, and runs in each, as a learner
would, each in a new interpreter:

  lessons     every lessons/pNN_*.py with the flags of tests/test_smoke.py (--tiny,
              offline), judged as that test judges: exit 0, no traceback or warning,
              its title first, its fact in the output or files
  P26→P31     p26_train.py --tiny saves into the project's checkpoints/, then
              p31_predict.py loads the newest one and predicts (both with their defaults)
  check_env   lessons/check_env.py: a report, no traceback
  exercises   python exercises/check.py --solutions
  tests       a fast subset of the test suite (TESTS below)
  pip -r      `pip install -r requirements.txt` as the learner's pip would run it (no
              machine-wide pip config): a dry run first; where it keeps torch, the real
              install into a hard-linked copy of the environment, then torch's version
              and its RECORD (every file's hash) are compared with the original's

Rows outside the supported range (below it, or numpy 2 under an old torchvision)
pass when every lesson and check_env.py end in ONE line: a non-zero exit, no
traceback. Every run works in a fresh copy of the project (git's tracked and
untracked-but-not-ignored files) under <envs>/runs/<row>/, so nothing is written
into the repository; each row's full outputs are kept there (log.txt, result.json).

This is not part of the test suite and not run by .ci/run: it downloads several GB.
It needs only the standard library; environments are built with uv when uv is found
(`pip install uv`: one shared cache, identical wheels hard-linked), else venv + pip.

    python3 tools/envmatrix.py --envs-dir ~/envs                 # every row
    python3 tools/envmatrix.py --envs-dir ~/envs --only torch2.0.1-tv0.15.2-py3.10
    python3 tools/envmatrix.py --envs-dir ~/envs --build-only     # just build the environments
"""
import argparse
import ast
import concurrent.futures
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# name, Python, torch, torchvision, numpy requirement, where it stands
IN, BELOW, NUMPY2 = "in range", "below range", "numpy 2"
MATRIX = [
    ("torch2.0.1-tv0.15.2-py3.10", "3.10", "2.0.1", "0.15.2", "numpy<2", IN),        # oldest pair, oldest Python
    ("torch2.0.1-tv0.15.2-py3.11", "3.11", "2.0.1", "0.15.2", "numpy<2", IN),        # oldest pair, its newest Python
    ("torch2.4.1-tv0.19.1-py3.11", "3.11", "2.4.1", "0.19.1", "numpy<2", IN),
    ("torch2.7.1-tv0.22.1-py3.10", "3.10", "2.7.1", "0.22.1", None, IN),             # middle
    ("torch2.7.1-tv0.22.1-py3.13", "3.13", "2.7.1", "0.22.1", None, IN),
    ("torch2.14.1-tv0.29.1-py3.10", "3.10", "2.14.1", "0.29.1", None, IN),           # newest, oldest Python
    ("torch2.14.1-tv0.29.1-py3.13", "3.13", "2.14.1", "0.29.1", None, IN),           # newest, newest Python
    ("torch2.0.1-tv0.15.2-py3.10-numpy2", "3.10", "2.0.1", "0.15.2", "numpy>=2", NUMPY2),
    ("torch1.13.1-tv0.14.1-py3.10", "3.10", "1.13.1", "0.14.1", "numpy<2", BELOW),
]
TOOLS = ["tensorboard", "tqdm", "pytest", "pytest-xdist", "pytest-timeout", "pip"]
# the test subset: the supported range and its one-line verdicts (support/versions.py), and the
# language catalogues (argparse's own strings change with Python: 3.13 added some)
TESTS = ["tests/test_versions.py", "tests/test_language.py"]
COLUMNS = ["lessons", "P26→P31", "check_env", "exercises", "tests", "pip -r"]
LESSON_TIMEOUT = 300


# ------------------------------------------------------------------ environments
def find_python(version):
    """An interpreter for 'X.Y': pythonX.Y on PATH, then pyenv's, then uv's."""
    found = shutil.which(f"python{version}")
    if found:
        return found
    for root in (Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions",):
        for candidate in sorted(root.glob(f"{version}.*/bin/python"), reverse=True):
            return str(candidate)
    uv = find_uv()
    if uv:
        done = subprocess.run([uv, "python", "find", version], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.strip()
    return None


def find_uv():
    return shutil.which("uv") or next((str(p) for p in [Path(sys.executable).parent / "uv"] if p.exists()), None)


def env_python(env):
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def installed(env):
    """{distribution: version} in an environment, read without importing torch."""
    code = ("import importlib.metadata as m, json; print(json.dumps({d.metadata['Name'].lower(): d.version "
            "for d in m.distributions() if d.metadata['Name']}))")
    done = subprocess.run([str(env_python(env)), "-c", code], capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else None


def env_matches(env, torch, vision, numpy):
    have = installed(env) if env_python(env).exists() else None
    if not have or have.get("torch") != torch or have.get("torchvision") != vision:
        return False
    if numpy and "numpy" in have:
        major = int(have["numpy"].split(".")[0])
        return major < 2 if numpy == "numpy<2" else major >= 2
    return all(tool in have for tool in ("pytest", "pytest-xdist", "pytest-timeout", "tensorboard", "tqdm"))


def build(row, envs, log):
    name, py, torch, vision, numpy, _where = row
    env = envs / name
    if env_matches(env, torch, vision, numpy):
        return env, "reused"
    python = find_python(py)
    if not python:
        raise RuntimeError(f"no Python {py} found (pythonX.Y on PATH, pyenv or uv)")
    shutil.rmtree(env, ignore_errors=True)
    wanted = [f"torch=={torch}", f"torchvision=={vision}", *TOOLS] + ([numpy] if numpy else [])
    uv = find_uv()
    started = time.time()
    if uv:
        environ = dict(os.environ, UV_CACHE_DIR=str(envs / "uv-cache"), UV_LINK_MODE="hardlink",
                       UV_PYTHON_DOWNLOADS="never")
        steps = [[uv, "venv", "-q", "--python", python, str(env)],
                 [uv, "pip", "install", "--python", str(env_python(env)), *wanted]]
    else:
        environ = dict(os.environ)
        steps = [[python, "-m", "venv", str(env)], [str(env_python(env)), "-m", "pip", "install", *wanted]]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, env=environ)
        log.write(f"$ {' '.join(step)}\n{done.stdout}{done.stderr}\n")
        if done.returncode:
            raise RuntimeError(f"building {name} failed: {last_line(done.stderr or done.stdout)}")
    return env, f"built in {time.time() - started:.0f} s"


# ------------------------------------------------------------------ the project and the smoke table
def copy_project(target):
    """The working tree as git sees it (tracked, and untracked but not ignored) copied to target."""
    shutil.rmtree(target, ignore_errors=True)
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-co", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def smoke_table(project):
    """tests/test_smoke.py's SMOKE {lesson: (flags, fact)} and AFTER, read without importing
    the test module (it needs pytest and torch; this script needs neither)."""
    tree = ast.parse((project / "tests" / "test_smoke.py").read_text(encoding="utf-8"))
    body = [node for node in tree.body
            if isinstance(node, ast.Assign) or (isinstance(node, ast.FunctionDef)
                                                and not node.decorator_list and not node.name.startswith("test_"))]
    names = sorted(p.stem for p in (project / "lessons").glob("p[0-9]*.py"))
    namespace = {"Path": Path, "LESSONS": names}
    exec(compile(ast.Module(body=body, type_ignores=[]), "test_smoke.py", "exec"), namespace)  # noqa: S102
    return namespace["SMOKE"], namespace["AFTER"]


def title_of(path):
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))).splitlines()[0].strip()


def learner_env(threads):
    """As a learner's shell: offline (downloads go to a port on this machine that refuses),
    no language chosen (Chinese), no PYTHONPATH."""
    env = dict(os.environ)
    for key in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "PYTHONPATH", "VIRTUAL_ENV", "no_proxy", "NO_PROXY"):
        env.pop(key, None)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[key] = "http://127.0.0.1:9"
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    return env


def run(cmd, cwd, env, timeout, log):
    started = time.time()
    try:
        done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, timeout=timeout)
        out, err, code = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"), done.returncode
    except subprocess.TimeoutExpired as stopped:
        out = (stopped.stdout or b"").decode("utf-8", "replace")
        err = (stopped.stderr or b"").decode("utf-8", "replace") + f"\n[stopped after {timeout} s]"
        code = "timeout"
    took = time.time() - started
    log.append(f"$ {' '.join(map(str, cmd))}   (cwd {cwd}; exit {code}; {took:.1f} s)\n--- stdout\n{out}--- stderr\n{err}\n")
    return code, out, err


def last_line(text):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def why(code, out, err):
    """A failure in a few words: the exception's last line, or the exit status."""
    if code == "timeout":
        return "timeout"
    if "Traceback" in err or "Traceback" in out:
        return "traceback: " + last_line(err if "Traceback" in err else out)[:110]
    if code:
        return f"exit {code}: " + last_line(err or out)[:110]
    return ""


def one_line(code, out, err):
    """An out-of-range run as it should end: non-zero exit, no traceback, one line in all."""
    lines = [line for line in (out + err).splitlines() if line.strip()]
    return code not in (0, "timeout") and "Traceback" not in out + err and len(lines) == 1


# ------------------------------------------------------------------ the checks of one row
def check_row(row, env, project, jobs, log, do_tests=True):
    name, py, torch, vision, numpy, where = row
    python = env_python(env)
    inside = where == IN
    cells, notes = {}, []
    environ = learner_env(1 if jobs > 1 else None)
    scratch = project.parent / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    smoke, after = smoke_table(project)
    lessons_dir = project / "lessons"

    # every lesson, each in its own interpreter; a lesson that needs another's files runs after it
    chains = [[n] for n in smoke if n not in after and n not in after.values()] + [[a, b] for b, a in after.items()]

    def run_chain(chain):
        results = []
        tmp = scratch / chain[-1]
        tmp.mkdir()
        for lesson in chain:
            flags, fact = smoke[lesson]
            entry = []
            code, out, err = run([python, lessons_dir / f"{lesson}.py", *(f.format(tmp=tmp) for f in flags)],
                                 tmp, environ, LESSON_TIMEOUT, entry)
            if inside:
                problem = why(code, out, err)
                if not problem and "Warning" in err:
                    problem = "warning: " + next(l for l in err.splitlines() if "Warning" in l).strip()[:110]
                if not problem and (not out.strip() or out.splitlines()[0] != title_of(lessons_dir / f"{lesson}.py")):
                    problem = "title not first"
                if not problem and not fact(tmp, out):
                    problem = "its fact is missing from the output or files"
            else:
                problem = "" if one_line(code, out, err) else (why(code, out, err) or
                                                                f"{len((out + err).splitlines())} lines, exit {code}")
            results.append((lesson, problem, entry[0], last_line(err or out)))
        return results

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        outcomes = [r for chain in pool.map(run_chain, chains) for r in chain]
    outcomes.sort()
    failed = [(lesson, problem) for lesson, problem, _entry, _last in outcomes if problem]
    log.extend(entry for _l, _p, entry, _last in outcomes)
    total = len(outcomes)
    ok = total - len(failed)
    label = "" if inside else " one line"
    cells["lessons"] = f"{ok}/{total}{label}" + ("" if not failed else " ✗ " + ", ".join(l[:3] for l, _ in failed))
    notes += [f"{lesson}: {problem}" for lesson, problem in failed]
    if not inside:
        # the one line itself, as the learner reads it (the same line for every lesson, we hope)
        lines = sorted({last for _l, problem, _e, last in outcomes if not problem})
        notes += [f"one line: {line}" for line in lines[:3]]

    # P26 saves into the project's checkpoints/, P31 loads the newest one: both with their defaults
    entry = []
    for folder in ("checkpoints", "predictions", "logs"):
        shutil.rmtree(project / folder, ignore_errors=True)
    cifar = ["--tiny", "--data-root", scratch / "data26"]
    code, out, err = run([python, lessons_dir / "p26_train.py", *cifar, "--epochs", "1", "--device", "cpu"],
                         scratch, environ, LESSON_TIMEOUT, entry)
    saved = sorted((project / "checkpoints" / "p26").glob("*.pth")) if (project / "checkpoints").exists() else []
    if inside:
        problem = why(code, out, err) or ("" if saved else "P26 saved no model")
        if not problem:
            code, out, err = run([python, lessons_dir / "p31_predict.py", *cifar, "--device", "cpu", "--samples", "3"],
                                 scratch, environ, LESSON_TIMEOUT, entry)
            pictures = [p for p in (project / "predictions").rglob("*") if p.is_file()] \
                if (project / "predictions").exists() else []
            problem = why(code, out, err) or ("" if pictures and "tensor([" in out else
                                              "no prediction printed or no pictures written")
            problem = problem and "P31 " + problem
        else:
            problem = "P26 " + problem
        cells["P26→P31"] = "ok" if not problem else "✗"
    else:
        first = one_line(code, out, err)
        code31, out31, err31 = run([python, lessons_dir / "p31_predict.py", *cifar, "--device", "cpu"],
                                   scratch, environ, LESSON_TIMEOUT, entry)
        problem = "" if first and one_line(code31, out31, err31) else "not one line"
        cells["P26→P31"] = "one line" if not problem else "✗"
    log.extend(entry)
    if problem:
        notes.append(f"P26→P31: {problem}")

    # check_env.py
    entry = []
    code, out, err = run([python, lessons_dir / "check_env.py"], scratch, environ, LESSON_TIMEOUT, entry)
    log.extend(entry)
    if inside:
        problem = why(code, out, err) if (code != 1 or "Traceback" in out + err) else ""
        failing = [line.strip() for line in out.splitlines() if "FAIL" in line]
        cells["check_env"] = "ok" if code == 0 and not problem else ("✗" if problem else "exit 1")
        if problem:
            notes.append(f"check_env: {problem}")
        notes += [f"check_env FAIL line: {line[:120]}" for line in failing[:2]]
    else:
        # a report, one line per check: it passes where it exits non-zero without a traceback and one
        # of its lines carries the lessons' own line (what was found and the command that fixes it)
        said = {last for _l, problem, _e, last in outcomes if not problem}
        found = [line for line in out.splitlines() if any(s and s in line for s in said)]
        if one_line(code, out, err):
            cells["check_env"] = "one line"
        elif code not in (0, "timeout") and "Traceback" not in out + err and found:
            cells["check_env"] = "report + fix line"
        else:
            cells["check_env"] = "✗"
            notes.append("check_env: " + (why(code, out, err) or f"{len((out + err).splitlines())} lines, exit {code}"
                                          + ("" if found else ", no line with the lessons' fix")))

    # the exercises' checker on the reference solutions
    entry = []
    code, out, err = run([python, project / "exercises" / "check.py", "--solutions"], scratch, environ, 900, entry)
    log.extend(entry)
    if inside:
        cells["exercises"] = "ok" if code == 0 and "Traceback" not in err else "✗"
    else:
        cells["exercises"] = "one line" if one_line(code, out, err) else ("✗" if code == 0 or "Traceback" in err
                                                                            else "exit %s" % code)
    if cells["exercises"] not in ("ok", "one line"):
        notes.append("exercises: " + (why(code, out, err) or last_line(out)[:110]))

    # the test subset, in the project's copy, as the README's command runs the suite
    if inside and do_tests:
        entry = []
        env_tests = dict(os.environ)
        env_tests.pop("PYTHONPATH", None)
        code, out, err = run([python, "-m", "pytest", "-q", "-n", str(jobs), "-p", "no:cacheprovider",
                              *[t for t in TESTS if (project / t).exists()]],
                             project, env_tests, 1500, entry)
        log.extend(entry)
        summary = next((line.strip("= ") for line in reversed(out.splitlines()) if re.search(r"\d+ (passed|failed)", line)), "")
        counts = dict((k, int(v)) for v, k in re.findall(r"(\d+) (passed|failed|error|errors|skipped)", summary))
        cells["tests"] = (f"{counts.get('passed', 0)} passed" + (f", {counts['failed']} failed" if counts.get("failed") else "")
                          + (f", {counts.get('error', 0) + counts.get('errors', 0)} errors"
                             if counts.get("error") or counts.get("errors") else "")) if summary else f"✗ exit {code}"
        notes += [f"tests: {line.strip()[:140]}" for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))]
    else:
        cells["tests"] = "—"

    # pip install -r requirements.txt: does it keep the torch that is there?
    cells["pip -r"], pip_notes = pip_keeps_torch(env, project, log, inside)
    notes += pip_notes
    return cells, notes


def learner_pip_env():
    """pip as the learner has it: none of this machine's pip config (local indexes, caps)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in ("PIP_CERT", "PIP_DEFAULT_TIMEOUT")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PYTHONPATH", None)
    return env


def torch_record(env):
    """torch's version and the hash of its RECORD (every installed file and its hash)."""
    code = ("import importlib.metadata as m, hashlib; d = m.distribution('torch'); "
            "print(d.version, hashlib.sha256(d.read_text('RECORD').encode()).hexdigest()[:12], "
            "d.read_text('RECORD').count('nvidia') + sum(1 for f in (d.files or []) if 'cuda' in str(f)))")
    done = subprocess.run([str(env_python(env)), "-c", code], capture_output=True, text=True)
    return done.stdout.strip()


def pip_keeps_torch(env, project, log, inside=True):
    """`pip install -r requirements.txt`: into a hard-linked copy of the environment (the original
    stays as it is), with --report; then torch's version and RECORD are compared with the original's.
    Outside the range, where pip has to bring another torch (GB), only a dry run."""
    requirements = project / "requirements.txt"
    environ = learner_pip_env()
    before = torch_record(env)
    have = installed(env) or {}
    with tempfile.TemporaryDirectory(dir=env.parent) as tmp:
        report = Path(tmp) / "report.json"
        target = env
        how = ["--dry-run"]
        if inside:
            target = Path(tmp) / "overlay"
            subprocess.run(["cp", "-al", str(env), str(target)], check=True)
            (target / "pyvenv.cfg").unlink()                 # its own copy: pip must not write through a link
            shutil.copy2(env / "pyvenv.cfg", target / "pyvenv.cfg")
            how = []
        entry = []
        code, out, err = run([env_python(target), "-m", "pip", "install", *how, "--quiet", "--report", report,
                              "-r", requirements], project, environ, 900, entry)
        log.extend(entry)
        if code:
            return "✗", ["pip -r: " + (why(code, out, err) or last_line(err))]
        would = {item["metadata"]["name"].lower(): item["metadata"]["version"]
                 for item in json.loads(report.read_text())["install"]}
        after = torch_record(target)
    replaced = [f"{n} {have.get(n, '-')}→{would[n]}" for n in ("torch", "torchvision") if n in would]
    if replaced:
        return "replaces " + ", ".join(replaced), []
    others = sorted(would)
    if after != before or torch_record(env) != before:
        return "✗ torch changed", [f"pip -r: torch before {before}, after {after}"]
    return ("torch kept" if inside else "torch kept (dry run)") + (f" (+{len(others)})" if others else ""), \
        ([f"pip -r installs {', '.join(others)[:120]}"] if others else [])


# ------------------------------------------------------------------ the table
def table(results):
    head = ["env", "Python", "torch / torchvision / numpy", "range"] + COLUMNS + ["commit", "time"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        lines.append("| " + " | ".join([r["name"], r["python"], r["versions"], r["where"]] +
                                       [r["cells"].get(c, "") for c in COLUMNS] +
                                       [r.get("commit", ""), f"{r['seconds']} s" if "seconds" in r else ""]) + " |")
    return "\n".join(lines)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def commit():
    """The commit the rows ran on, '+changes' when the working tree differed from it."""
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"],
                           capture_output=True, text=True).stdout.strip()
    return head.stdout.strip() + ("+changes" if dirty else "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs-dir", type=Path, default=Path(os.environ.get("ENVMATRIX_DIR",
                                                                              Path.home() / ".cache" / "tudui-envmatrix")),
                        help="where the environments live, outside the repository (default: $ENVMATRIX_DIR or "
                             "~/.cache/tudui-envmatrix)")
    parser.add_argument("--only", nargs="+", metavar="ROW", help="only these rows (names as in the table)")
    parser.add_argument("--build-only", action="store_true", help="build or reuse the environments, run nothing")
    parser.add_argument("--no-tests", action="store_true", help="leave out the test subset")
    parser.add_argument("--jobs", type=int, default=2, help="lessons run side by side in one row (default 2)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--table-only", action="store_true",
                        help="run nothing: print the table from each row's last stored result (with its commit)")
    args = parser.parse_args(argv)
    rows = [row for row in MATRIX if not args.only or row[0] in args.only]
    if args.only:                                       # in the order asked for
        rows.sort(key=lambda row: args.only.index(row[0]))
    if args.only and len(rows) != len(args.only):
        parser.error(f"unknown row; the rows are: {', '.join(r[0] for r in MATRIX)}")
    if REPO in args.envs_dir.resolve().parents or args.envs_dir.resolve() == REPO:
        parser.error("--envs-dir must be outside the repository")
    envs = args.envs_dir.resolve()
    envs.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results = []
    if args.table_only:
        for row in rows:
            stored = envs / "runs" / row[0] / "result.json"
            if stored.exists():
                results.append(json.loads(stored.read_text(encoding="utf-8")))
        rows = []
    for row in rows:
        name, py, torch, vision, numpy, where = row
        folder = envs / "runs" / name
        folder.mkdir(parents=True, exist_ok=True)
        row_started = time.time()
        with open(folder / "build.txt", "a", encoding="utf-8") as build_log:
            try:
                env, how = build(row, envs, build_log)
            except RuntimeError as failed:
                print(f"{name}: {failed}", flush=True)
                results.append({"name": name, "python": py, "versions": f"{torch} / {vision} / {numpy or '-'}",
                                "where": where, "cells": {c: "not built" for c in COLUMNS}, "notes": [str(failed)]})
                continue
        have = installed(env) or {}
        print(f"{name}: {how} (Python {py}, torch {have.get('torch')}, torchvision {have.get('torchvision')}, "
              f"numpy {have.get('numpy')})", flush=True)
        if args.build_only:
            continue
        project = copy_project(folder / "project")
        copied_from = commit()                          # what was copied: the commit, and whether files differed
        log = []
        cells, notes = check_row(row, env, project, args.jobs, log, do_tests=not args.no_tests)
        (folder / "log.txt").write_text("\n".join(log), encoding="utf-8")
        result = {"name": name, "python": py,
                  "versions": f"{have.get('torch')} / {have.get('torchvision')} / {have.get('numpy')}",
                  "where": where, "cells": cells, "notes": notes, "seconds": round(time.time() - row_started),
                  "commit": copied_from, "finished": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"}
        (folder / "result.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        results.append(result)
        print(f"  {result['seconds']} s: " + "; ".join(f"{c} {cells[c]}" for c in COLUMNS), flush=True)
        for note in notes:
            print(f"    {note}", flush=True)
    if args.build_only:
        return 0
    print()
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {machine()} · {time.time() - started:.0f} s · "
          f"commit(s) {', '.join(sorted({r.get('commit', '?') for r in results}))} · "
          f"row times {', '.join(str(r.get('seconds', '?')) + ' s' for r in results)}")
    print(table(results))
    for r in results:
        for note in r["notes"]:
            print(f"- {r['name']}: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
