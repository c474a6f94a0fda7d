"""support/versions.py: the supported range, and one line with the fix outside it.

The lessons and check_env.py are run in new interpreters whose path holds a fake
torch, torchvision or numpy (their version.py files, which is all the check reads;
importing the fake torch raises): below the range, a mismatched pair, numpy 2 under
a torch built for numpy 1, a torch that fails to import. Each run must end in one
line naming what it found and the command that fixes it, never a traceback, and
must stop before anything imports torch."""
import os
import re
import subprocess
import sys

import pytest

from helpers import LESSONS_DIR, REPO_ROOT
from support import i18n, versions

NEVER_IMPORT = "raise RuntimeError('the check imported this fake package')\n"


def fake_site(root, **packages):
    """A folder for PYTHONPATH with packages whose version.py says `version` and whose
    __init__.py runs `init` (by default: raise, the check must not import them)."""
    for name, spec in packages.items():
        version, init = spec if isinstance(spec, tuple) else (spec, NEVER_IMPORT)
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text(init, encoding="utf-8")
        (folder / "version.py").write_text(f"__version__ = '{version}'\n", encoding="utf-8")
    return root


def run_new_python(script, site, *args, lang="zh"):
    environment = {**os.environ, "PYTHONPATH": str(site), "LANGUAGE": lang, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, str(script), *args], cwd=str(site), env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    return done.returncode, done.stdout + done.stderr


def found(**changes):
    return {"python": (3, 12, 1), "torch": "2.14.1", "torchvision": "0.29.1", "numpy": "2.2.0",
            "conda": False, "system": "linux", **changes}


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(i18n, "_state", dict(i18n._state))
    i18n.set_language("zh")


def test_the_pairs_torchvision_publishes():
    """torchvision's own Requires-Dist (pip's report of each release's metadata, 2026-12-07)."""
    published = {"2.0.0": "0.15.1", "2.0.1": "0.15.2", "2.1.2": "0.16.2", "2.4.1": "0.19.1", "2.6.0": "0.21.0",
                 "2.7.1": "0.22.1", "2.14.1": "0.29.1", "1.13.1": "0.14.1"}
    assert {t: versions.torchvision_for(t) for t in published} == published
    assert versions.torchvision_for("2.4.1+cpu") == "0.19.1"
    assert versions.parse("2.0.0a0+gitabc") == (2, 0, 0) and versions.local_label("2.4.1+cu121") == "cu121"


def test_inside_the_range_nothing_is_said():
    for torch_version in ("2.0.1", "2.4.1+cpu", "2.7.1+cu126", "2.14.1+cu130"):
        numpy = "1.26.4" if versions.parse(torch_version) < (2, 3) else "2.2.0"
        assert versions.problem(found(torch=torch_version, torchvision=versions.torchvision_for(torch_version),
                                      numpy=numpy)) is None


def test_each_problem_and_its_command(chinese, monkeypatch):
    monkeypatch.setattr(versions, "nvidia_here", lambda: False)
    monkeypatch.setattr(versions.sys, "executable", "/home/xm/envs/pytorch/bin/python")
    py = "/home/xm/envs/pytorch/bin/python -m pip install "
    kind, line = versions.problem(found(torch="1.13.1+cpu", torchvision="0.14.1+cpu"))
    assert kind == "torch-old" and "1.13.1" in line
    assert line.endswith(py + "torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu")
    kind, line = versions.problem(found(torch="2.4.1+cpu", torchvision="0.20.1"))
    assert kind == "mismatch" and line.endswith(py + "torchvision==0.19.1 --index-url https://download.pytorch.org/whl/cpu")
    kind, line = versions.problem(found(torch="2.0.1", torchvision="0.15.2", numpy="2.1.0"))
    assert kind == "numpy" and "2.1.0" in line and line.endswith(py + "'numpy<2'")
    kind, line = versions.problem(found(torch="2.2.2", torchvision=None))
    assert kind == "torchvision-missing" and line.endswith(py + "torchvision==0.17.2")
    kind, line = versions.problem(found(torch=None, torchvision=None))
    assert kind == "torch-missing" and "torch==2.14.1 torchvision==0.29.1" in line
    kind, line = versions.problem(found(python=(3, 9, 7)))
    assert kind == "python" and "3.9.7" in line and line.endswith("python3.12 -m venv .venv（然后按 README.md 安装）")


def test_conda_and_windows_forms(chinese, monkeypatch, tmp_path):
    """A torch that conda installed is fixed with conda; on Windows a quoted Python is given
    in PowerShell's form and cmd's."""
    (tmp_path / "conda-meta").mkdir()
    for record in ("pytorch-1.13.1-py3.10_cpu_0.json", "numpy-2.1.0-py310h.json"):
        (tmp_path / "conda-meta" / record).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(versions.sys, "prefix", str(tmp_path))
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path))
    monkeypatch.setattr(versions, "nvidia_here", lambda: False)
    line = versions.problem(found(torch="1.13.1", torchvision="0.14.1", conda=True))[1]
    assert line.endswith("conda install pytorch==2.5.1 torchvision==0.20.1 cpuonly -c pytorch")
    line = versions.problem(found(torch="2.0.1", torchvision="0.15.2", numpy="2.1.0", conda=True))[1]
    assert line.endswith("conda install 'numpy<2'")
    monkeypatch.delenv("CONDA_PREFIX")                  # PyCharm runs the env's Python without activating it
    line = versions.problem(found(torch="2.0.1", torchvision="0.15.2", numpy="2.1.0", conda=True))[1]
    assert line.endswith(f"conda install -p {tmp_path} 'numpy<2'")
    monkeypatch.setattr(versions.sys, "platform", "win32")
    monkeypatch.setattr(versions.sys, "executable", r"C:\Program Files\Python311\python.exe")
    line = versions.problem(found(torch="2.0.1+cpu", torchvision="0.15.2+cpu", numpy="2.1.0", system="win32"))[1]
    assert r'& "C:\Program Files\Python311\python.exe" -m pip install "numpy<2"' in line
    assert line.endswith(r'"C:\Program Files\Python311\python.exe" -m pip install "numpy<2"）')


@pytest.mark.parametrize("case, packages, expected", [
    ("below the range", {"torch": "1.13.1+cpu", "torchvision": "0.14.1+cpu"},
     ["1.13.1", "torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu"]),
    ("numpy 2 under torch 2.0", {"torch": "2.0.1", "torchvision": "0.15.2", "numpy": "2.1.0"},
     ["2.1.0", "install 'numpy<2'"]),
    ("a torch that does not import", {"torch": ("2.4.1", "raise OSError('[WinError 126] c10.dll')\n"),
                                      "torchvision": "0.19.1"},
     ["WinError 126", "--force-reinstall torch==2.4.1 torchvision==0.19.1"]),
])
def test_a_lesson_and_check_env_say_one_line(tmp_path, case, packages, expected):
    site = fake_site(tmp_path, **packages)
    code, out = run_new_python(LESSONS_DIR / "p21_nn_seq.py", site)
    assert code == 1 and len(out.strip().splitlines()) == 1, out
    assert all(word in out for word in expected) and "Traceback" not in out, out
    code, out = run_new_python(LESSONS_DIR / "check_env.py", site, "--lang", "en")
    torch_line = [line for line in out.splitlines() if "] torch" in line]
    assert code == 1 and "Traceback" not in out and "the check imported" not in out, out
    assert len(torch_line) == 1 and "FAIL" in torch_line[0] and all(word in torch_line[0] for word in expected), out


def test_the_exercise_checker_says_the_same_line(tmp_path):
    site = fake_site(tmp_path, torch="2.4.1+cpu", torchvision="0.20.1")
    code, out = run_new_python(REPO_ROOT / "exercises" / "check.py", site, "--lang", "en")
    assert code == 1 and len(out.strip().splitlines()) == 1 and "torchvision==0.19.1" in out, out
    assert not re.search(r"[\u4e00-\u9fff]", out), out          # --lang is read before the flags are parsed


def test_requirements_take_the_range_and_constraints_pin_inside_it():
    """requirements.txt: ranges a supported torch already installed satisfies (so pip keeps it);
    constraints.txt: one exact version of each, inside those ranges, the newest pair for torch."""
    from packaging.requirements import Requirement

    def read(name):
        lines = (REPO_ROOT / name).read_text(encoding="utf-8").splitlines()
        return {r.name.lower(): r for r in (Requirement(line) for line in lines if line.strip() and not line.startswith("#"))}

    ranges, pins = read("requirements.txt"), read("constraints.txt")
    assert not any(spec.operator == "==" for r in ranges.values() for spec in r.specifier)
    for torch_version in ("2.0.0", "2.4.1", "2.7.1", "2.14.1"):
        assert torch_version in ranges["torch"].specifier
        assert versions.torchvision_for(torch_version) in ranges["torchvision"].specifier
    assert "1.13.1" not in ranges["torch"].specifier and "2.15.0" not in ranges["torch"].specifier
    assert "0.14.1" not in ranges["torchvision"].specifier and "0.30.0" not in ranges["torchvision"].specifier
    for name, requirement in ranges.items():
        (pinned,) = [spec.version for spec in pins[name].specifier if spec.operator == "=="]
        assert pinned in requirement.specifier, name
    assert (str(pins["torch"].specifier), str(pins["torchvision"].specifier)) == \
        tuple(f"=={v}" for v in versions.NEWEST_PAIR)
    assert versions.parse(versions.NEWEST_PAIR[0])[:2] == versions.NEWEST_TORCH


def test_an_import_that_fails_inside_torchvision_is_one_line(tmp_path, monkeypatch, capsys):
    """Raised while a torchvision module runs at its top level (a .so or DLL that does not load):
    the excepthook the check installs says import_problem's line; any other error keeps its traceback."""
    module = tmp_path / "torchvision" / "io" / "image.py"
    module.parent.mkdir(parents=True)
    module.write_text("raise OSError('libjpeg.so.8: cannot open shared object file')\n", encoding="utf-8")
    monkeypatch.setattr(versions, "package_folders", lambda: {"torchvision": [str(tmp_path / "torchvision") + os.sep]})
    monkeypatch.setattr(sys, "excepthook", lambda *info: print("traceback", file=sys.stderr))
    versions._say_failed_imports(found(torch="2.4.1+cpu", torchvision="0.19.1+cpu"))
    for code, filename in (("raise OSError('x')", str(tmp_path / "lesson.py")), (module.read_text(), str(module))):
        try:
            exec(compile(code, filename, "exec"), {})
        except OSError as error:
            sys.excepthook(OSError, error, error.__traceback__)
    said = capsys.readouterr().err.splitlines()
    assert said[0] == "traceback" and len(said) == 2 and "libjpeg.so.8" in said[1] and "torchvision" in said[1]
    assert said[1].endswith("--force-reinstall torch==2.4.1 torchvision==0.19.1 --index-url https://download.pytorch.org/whl/cpu")
