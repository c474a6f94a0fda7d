"""The collection as a learner finds it: lessons/ lists lessons, support code is
apart, no lesson imports another, each lesson's --help lists only the flags
it reads, and every lesson starts with its section and Chinese title."""
import ast
import re

import pytest

from helpers import COURSE_FILES, LESSONS, LESSONS_DIR, REPO_ROOT, TITLES, run_lesson

SUPPORT = LESSONS_DIR / "support"
CJK = re.compile(r"[\u4e00-\u9fff]")


def imports_of(path):
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_lessons_folder_holds_lessons_the_setup_check_and_the_courses_model():
    others = sorted(p.name for p in LESSONS_DIR.glob("*.py") if not re.match(r"p\d\d_", p.name))
    assert others == ["check_env.py", "models.py"]
    assert (SUPPORT / "__init__.py").is_file()


def test_no_lesson_imports_another_lesson():
    arrows = [(path.stem, name) for path in LESSONS_DIR.glob("p[0-9]*.py") for name in imports_of(path)
              if re.match(r"p\d\d_", name)]
    # the one arrow the course draws on purpose: P25's `from model_save import *` trap
    assert arrows in ([], [("p25_model_load", "p25_model_save")])


def test_support_code_never_imports_a_lesson():
    for path in SUPPORT.glob("*.py"):
        assert [n for n in imports_of(path) if re.match(r"p\d\d_", n)] == [], path.name


def test_no_sys_path_edits_in_tests_or_the_benchmark():
    """pytest.ini puts lessons/ on the path for the tests; the benchmark puts it
    there as `python lessons/x.py` does, and nothing else."""
    for path in list((REPO_ROOT / "tests").glob("*.py")) + [REPO_ROOT / "conftest.py"]:
        if path.name == "test_structure.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "sys.path.insert" not in text and "sys.path.append" not in text, path.name
    for path in (REPO_ROOT / "bench").glob("*.py"):
        edits = re.findall(r"sys\.path\.(?:insert|append)\((.*)\)", path.read_text(encoding="utf-8"))
        assert all('"lessons"' in edit for edit in edits), path.name


class Stop(Exception):
    pass


def parsed_flags(name, monkeypatch):
    """The parser a lesson builds, caught as main() parses its flags."""
    from support import flags

    caught = {}
    real = flags.parse_args

    def catch(parser, argv=None, **kwargs):
        caught["parser"] = parser
        caught["args"] = real(parser, argv, **kwargs)
        raise Stop

    monkeypatch.setattr(flags, "parse_args", catch)
    with pytest.raises(Stop):
        run_lesson(name)
    return caught["parser"], caught["args"]


SHARED_READERS = {
    "lang": None, "seed": None, "help": None,                   # read by flags.parse_args for every lesson
    "data_root": "cifar10_ready(", "tiny": "cifar10_ready(", "cifar_url": "cifar10_ready(",
    "video": "preset=",
    # the optimizers' own settings, added and read by support/training.py for P23 and P26
    **{name: "training.checked_settings(" for name in ("weight_decay", "momentum", "dampening", "nesterov",
                                                        "eps", "amsgrad")},
}


@pytest.mark.parametrize("name", LESSONS)
def test_help_lists_only_flags_the_lesson_reads(name, monkeypatch, capsys):
    parser, args = parsed_flags(name, monkeypatch)
    first_line = capsys.readouterr().out.splitlines()[0]
    source = (LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")
    assert first_line == source.split('"""')[1].strip().splitlines()[0] and CJK.search(first_line)
    unread = []
    for action in parser._actions:
        dest = action.dest
        if dest in SHARED_READERS:
            if SHARED_READERS[dest] and SHARED_READERS[dest] not in source and f"args.{dest}" not in source:
                unread.append(dest)
            continue
        if f"args.{dest}" not in source and f'"{dest}"' not in source:
            unread.append(dest)
    assert unread == []


def test_every_lesson_is_in_the_readme_tables_with_its_title_and_course_file():
    """Both README tables (Chinese, English) against the lessons' own titles and course files (helpers)."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for name in LESSONS:
        rows = [line for line in readme.splitlines()
                if line.startswith("| ") and line.count("|") > 5 and f"`{name}.py`" in line.split("|")[3]]
        assert len(rows) == 2, (name, rows)
        section, title = TITLES[name].split(" ", 1)
        for row in rows:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            numbers = [int(n) for n in re.findall(r"\d+", cells[0])]           # "P29", or a range "P26–P28"
            assert min(numbers) <= int(section[1:]) <= max(numbers), (name, row)
            assert cells[1] in title, (name, row)
            assert COURSE_FILES[name] is None or f"`{COURSE_FILES[name]}`" in row, (name, row)
    assert "sys.path.insert" not in readme or "lessons" in readme
