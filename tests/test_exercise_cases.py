"""The battery of 练一练 cases (tests/exercise_cases/) stays in step with the exercise files.

The battery itself runs the checker on 300 files and takes minutes: it is a separate command,
`python tests/exercise_cases/run_battery.py`. Here only what takes a second: every case can still be
made from today's exercise and solution files (each edit finds its text exactly once), each case
says a verdict for every task of its file, and the battery covers every file with right, wrong and
hostile cases.
"""
import json

from helpers import REPO_ROOT, module_at

FOLDER = REPO_ROOT / "tests" / "exercise_cases"


def make_cases():
    return module_at("make_cases", FOLDER / "make_cases.py")


def test_every_case_is_made_from_todays_files(tmp_path):
    cases = make_cases()
    assert cases.check_counts() == []
    manifest = cases.write_all(tmp_path)
    assert json.loads((tmp_path / "cases.json").read_text(encoding="utf-8")) == json.loads(json.dumps(manifest))
    files = sorted(p.name for p in tmp_path.glob("p*.py"))
    assert files == sorted(entry["file"] for entry in manifest)
    for entry in manifest:
        data = (tmp_path / entry["file"]).read_bytes()
        if entry["encoding"] not in ("gbk", "gbk-bare"):
            text = data.decode("utf-8-sig")
            assert ("# ---- 任务 1" in text) or entry["encoding"] == "tabs", entry["file"]
        if entry["line"] is not None:
            assert entry["line"] and all(line >= 1 for line in entry["line"])


def test_the_battery_covers_every_file_with_right_wrong_and_hostile_cases():
    cases = make_cases()
    sections = sorted(p.name[:3] for p in (REPO_ROOT / "exercises").glob("p[0-9][0-9]_*.py"))
    assert len(sections) == 17
    for section in sections:
        kinds = [one["name"][0] for one in cases.CASES if one["section"] == section]
        assert kinds.count("r") >= 1 and kinds.count("w") >= 2 and "x" in kinds and "s" in kinds, section
        wrong = [one for one in cases.CASES if one["section"] == section and one["name"].startswith("w_")]
        assert all("W" in one["expect"] for one in wrong), section
    hostile = [one for one in cases.CASES if one["name"].startswith("h_")]
    assert len({one["section"] for one in hostile}) == 17
    assert all(one["seconds"] for one in hostile)
