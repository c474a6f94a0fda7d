"""README.md tells the truth: its test command is what CI runs, and every lesson is listed."""
from helpers import REPO_ROOT


def commands(text):
    return [line.strip() for line in text.splitlines() if line.startswith("    ") and line.strip()]


def test_ci_runs_the_readme_test_command():
    readme = commands((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    test_command = next(c for c in readme if c.endswith("-m pytest"))
    ci_lines = [line for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == [test_command]


def test_readme_runs_a_lesson_from_the_repository_root():
    """(Every lesson's row in the README tables: tests/test_structure.py.)"""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "p21_nn_seq.py" in next(c for c in commands(readme) if "lessons/p" in c)     # (check_env.py comes before)


# ---------------------------------------------------------------- README's facts against the lessons
import re                                            # noqa: E402

import pytest                                        # noqa: E402

from helpers import LESSONS, run_lesson              # noqa: E402

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
CHINESE_HALF, ENGLISH_HALF = README.split("\n## English\n")
TABS = ("IMAGES", "SCALARS", "GRAPHS")                # TensorBoard's own names for its tabs


class _Stop(Exception):
    pass


_PARSERS = {}


def parser_of(name):
    """The parser lessons/<name>.py builds, caught as its main() parses (nothing runs past that)."""
    if name not in _PARSERS:
        from support import flags
        real = flags.parse_args

        def catch(parser, argv=None, **kwargs):
            _PARSERS[name] = parser
            raise _Stop
        flags.parse_args = catch
        try:
            with pytest.raises(_Stop):
                run_lesson(name)
        finally:
            flags.parse_args = real
    return _PARSERS[name]


def options(name):
    return {option for action in parser_of(name)._actions for option in action.option_strings}


def section(name):
    """'P29' for p29_train_gpu_1."""
    return int(name[1:3])


def numbers(text):
    """The sections a README cell names: 'P6、P8' or 'P6, P8' (ranges are not used in these cells)."""
    return {int(n) for n in re.findall(r"P(\d+)", text)}


@pytest.mark.parametrize("half", [CHINESE_HALF, ENGLISH_HALF], ids=["zh", "en"])
def test_tensorboard_table_names_the_lessons_that_write_logs(half):
    """The TensorBoard section's table: the lessons in it are those with a --logdir, and a
    lesson whose own code writes images, scalars or a graph is on that tab's row."""
    rows = {}
    for line in half.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in TABS:
            rows[cells[0]] = numbers(cells[1])
    assert sorted(rows) == sorted(TABS)
    logging = {section(name) for name in LESSONS if "--logdir" in options(name)}
    assert set().union(*rows.values()) == logging
    calls = {"IMAGES": ("add_image(", "add_images("), "SCALARS": ("add_scalar(",), "GRAPHS": ("add_graph(",)}
    for name in LESSONS:
        source = (REPO_ROOT / "lessons" / f"{name}.py").read_text(encoding="utf-8")
        for tab, names in calls.items():
            if any(call in source for call in names):
                assert section(name) in rows[tab], (name, tab)


def lesson_commands(text):
    """(lesson, the flags after it) for each command and each `code span` that runs a lesson."""
    pieces = [line for line in text.splitlines() if line.startswith("    ")]
    pieces += re.findall(r"`([^`\n]+)`", text)
    for piece in pieces:
        for found in re.finditer(r"\b(p\d\d_\w+)\.py\b(.*)", piece):
            if found[1] in LESSONS:
                yield found[1], re.findall(r"(?<![\w-])(--[a-z][\w-]*)", found[2])


def test_every_flag_the_readme_gives_a_lesson_is_one_it_takes():
    """A command such as `python lessons/p29_train_gpu_1.py --epochs 10` (or a table row's
    `--video`) uses flags that lesson's parser has; argparse would stop at any other."""
    checked = 0
    for name, given in lesson_commands(README):
        unknown = set(given) - options(name)
        assert not unknown, (name, unknown)
        checked += len(given)
    for row in README.splitlines():
        files = [f for f in re.findall(r"`(p\d\d_\w+)\.py`", row) if f in LESSONS]
        if row.startswith("| ") and files:
            known = set().union(*(options(f) for f in files))
            given = set(re.findall(r"`(--[a-z][\w-]*)", row))
            assert given <= known, (files, given - known)
            checked += len(given)
    assert checked > 20           # the README does give flags: the search found them


@pytest.mark.parametrize("half", [CHINESE_HALF, ENGLISH_HALF], ids=["zh", "en"])
def test_readme_names_where_each_lesson_saves_its_files(half):
    """Each lesson's --out-dir default (checkpoints/p26/, predictions/, ...) appears in each half."""
    for name in LESSONS:
        action = next((a for a in parser_of(name)._actions if "--out-dir" in a.option_strings), None)
        if action is not None:
            folder = action.default.resolve().relative_to(REPO_ROOT).as_posix() + "/"
            assert f"`{folder}`" in half or f"`{folder}" in half, (name, folder)


def test_the_readme_sections_the_lessons_point_to_exist():
    """README「训练速度」 in a lesson's Chinese, README, "How fast it trains" in its English:
    each names a heading of that half of the README."""
    from support.i18n import Catalogue
    headings = {half: [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("### ")]
                for half, text in (("zh", CHINESE_HALF), ("en", ENGLISH_HALF))}
    pointers = 0
    for chinese, english in Catalogue("en").messages.items():
        for half, text, pattern in (("zh", chinese, r"README「([^」]+)」"), ("en", english, r'README, "([^"]+)"')):
            for name in re.findall(pattern, " ".join(text.split())):
                assert any(h.startswith(name) for h in headings[half]), (half, name)
                pointers += 1
    assert pointers >= 8
