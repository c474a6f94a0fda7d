"""Chinese first, English on request (support/i18n.py): every message has its
English, with the same placeholders; argparse speaks Chinese too; the choice
of language follows --lang, then LANGUAGE/LC_ALL/LC_MESSAGES/LANG."""
import argparse
import ast
import re

import pytest

from helpers import LESSONS, LESSONS_DIR, run_lesson
from support import i18n

CJK = re.compile(r"[\u4e00-\u9fff]")
SOURCES = sorted(LESSONS_DIR.glob("*.py")) + sorted((LESSONS_DIR / "support").glob("*.py"))


def all_messages():
    found = []
    for path in SOURCES:
        if path.name == "i18n.py":
            continue
        found += [(path.name, line, message) for line, message in i18n.messages_in_source(path)]
    return found


def test_messages_are_plain_strings():
    """_() on an f-string or a variable could never be found in the catalogue."""
    bad = [f"{name}:{line}" for name, line, message in all_messages() if message is None]
    assert bad == []


def test_every_message_has_its_english_with_the_same_placeholders():
    english = i18n.Catalogue("en").messages
    missing = sorted({f"{name}:{line}: {message}" for name, line, message in all_messages()
                      if message is not None and message not in english})
    assert missing == []
    differ = [f"{msgid!r}" for msgid, msgstr in english.items()
              if i18n.placeholders(msgid) != i18n.placeholders(msgstr)]
    assert differ == []


def test_no_english_translation_is_chinese_and_every_original_is():
    english = i18n.Catalogue("en").messages
    assert [m for m in english.values() if CJK.search(m)] == []
    assert len(english) > 300


FULL_WIDTH = re.compile(r"[\uff08\uff09\uff0c\u3002\uff1a\uff1b\uff01\uff1f\u3001\u201c\u201d\u2018\u2019\u300a\u300b\u3010\u3011\uff5e]")


def test_english_has_no_full_width_punctuation():
    """Adam（the video: SGD） in an English line: each language keeps its own punctuation."""
    english = i18n.Catalogue("en").messages
    assert [m for m in english.values() if FULL_WIDTH.search(m)] == []


def test_argparse_says_its_own_words_in_chinese():
    chinese = i18n.Catalogue("zh", "argparse").messages
    ours = [m for _, m in i18n.messages_in_source(argparse.__file__) if m is not None]
    assert sorted(set(m for m in ours if m not in chinese)) == []
    assert [m for m in ours if m in chinese and i18n.placeholders(m) != i18n.placeholders(chinese[m])] == []


def test_every_printed_or_raised_text_goes_through_the_catalogue():
    """print("..."), print(f"... words ..."), LessonError("...") with words in them
    would stay in one language whatever --lang says."""
    words = re.compile(r"[A-Za-z]{3,}\s+[A-Za-z]{2,}|[\u4e00-\u9fff]")
    bad = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ("print", "LessonError", "write", "ArgumentTypeError"):
                continue
            for arg in node.args:
                texts = [arg.value] if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else \
                    [v.value for v in arg.values if isinstance(v, ast.Constant)] if isinstance(arg, ast.JoinedStr) \
                    else []
                if any(words.search(text) for text in texts):
                    bad.append(f"{path.name}:{node.lineno}")
    assert bad == []


@pytest.mark.parametrize("environ, expected", [
    ({}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANGUAGE": "en_GB:zh_CN", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_language_from_the_environment(environ, expected):
    assert i18n.language_from_environment(environ) == expected


def test_the_flag_wins_over_the_environment():
    assert i18n.choose_language(["--lang", "zh"], {"LANG": "en_US.UTF-8"}) == "zh"
    assert i18n.choose_language(["--lang=en"], {"LANG": "zh_CN.UTF-8"}) == "en"
    assert i18n.choose_language([], {"LANG": "en_US.UTF-8"}) == "en"


def test_docstrings_have_both_languages():
    for name in LESSONS:
        doc = ast.get_docstring(ast.parse((LESSONS_DIR / f"{name}.py").read_text(encoding="utf-8")))
        i18n.set_language("zh")
        chinese = i18n.in_language(doc)
        i18n.set_language("en")
        english = i18n.in_language(doc)
        title = doc.splitlines()[0]
        assert chinese.startswith(title) and english.splitlines()[0] == title, name
        assert len(CJK.findall(chinese)) > 30, name
        assert not CJK.search("\n".join(english.splitlines()[1:])) or name == "p32_open_source", name


def explanation_lines(out):
    """Printed lines that explain something: three or more words of text, or Chinese."""
    return [line for line in out.splitlines()
            if CJK.search(line) or re.search(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", line)]


@pytest.mark.parametrize("name, argv", [
    ("p14_dataloader", ["--tiny", "--batch-size", "16"]),
])
def test_the_same_numbers_in_both_languages_and_each_line_in_one(name, argv, tmp_path, capsys):
    chinese = run_lesson(name, *argv, "--logdir", tmp_path / "zh")
    zh_out = capsys.readouterr().out
    english = run_lesson(name, *argv, "--logdir", tmp_path / "en", "--lang", "en")
    en_out = capsys.readouterr().out
    assert chinese == english
    zh_lines = explanation_lines(zh_out)[1:]
    assert sum(bool(CJK.search(line)) for line in zh_lines) >= 0.9 * len(zh_lines)
    assert [line for line in en_out.splitlines()[1:] if CJK.search(line)] == []
    assert re.findall(r"\d+", zh_out.replace(str(tmp_path / "zh"), "")) == \
        re.findall(r"\d+", en_out.replace(str(tmp_path / "en"), ""))


def test_help_in_both_languages(capsys):
    with pytest.raises(SystemExit):
        run_lesson("p14_dataloader", "--help")
    zh = capsys.readouterr().out
    with pytest.raises(SystemExit):
        run_lesson("p14_dataloader", "--help", "--lang", "en")
    en = capsys.readouterr().out
    assert zh.startswith("用法：") and "显示这段帮助然后退出" in zh
    assert en.startswith("usage: ") and "show this help message and exit" in en
    assert [line for line in en.splitlines() if CJK.search(line)] == ["P14 DataLoader的使用"]


def test_a_bad_flag_in_both_languages(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_lesson("p14_dataloader", "--seed", "-1")
    zh = capsys.readouterr().err.strip()
    with pytest.raises(SystemExit):
        run_lesson("p14_dataloader", "--seed", "-1", "--lang", "en")
    en = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and len(zh.splitlines()) == len(en.splitlines()) == 1
    assert "--seed" in zh and "-1" in zh and CJK.search(zh)
    assert "--seed" in en and "-1" in en and "--help" in en and not CJK.search(en)     # the same facts, in English


def test_catalogue_files_parse_cleanly():
    for path in sorted((LESSONS_DIR / "support" / "locale").rglob("*.po")):
        text = path.read_text(encoding="utf-8")
        assert text.count("\nmsgid ") + text.startswith("msgid ") == len(re.findall(r"^msgstr ", text, re.M)), path
        assert len(i18n.read_po(path)) == len(re.findall(r"^msgid ", text, re.M)), path
