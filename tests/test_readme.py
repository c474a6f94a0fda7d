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
