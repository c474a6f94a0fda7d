"""中文优先，English 可选：项目自己说的每一句话都经过这里。

Messages are written in the lessons in Chinese, wrapped in `_()`, as gettext
does it: `print(_("训练次数：{}, Loss: {}").format(step, loss))`. The English
text of each lives in the catalogue `locale/en/*.po` (gettext's PO format),
and argparse's own words ("usage:", "options", "error: ...") have their
Chinese in `locale/zh/argparse.po`. A flag's help is written in Chinese as a
plain string; the help formatter translates it when `--help` is shown.

Which language: `--lang zh|en` on the command line wins; without it the
environment's LANGUAGE, LC_ALL, LC_MESSAGES, LANG (in that order, as gettext
reads them) choose English when the first one set starts with "en";
anything else, and nothing at all, gives Chinese.
"""
import argparse
import ast
import gettext
import os
import re
import string
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh", "en")
ENV_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# A module docstring: the Chinese text, then this line, then the English text.
DOC_SEPARATOR = "English:"


def _po_string(text):
    """One quoted PO string ("...") as Python text: C escapes, as a Python string literal reads them."""
    inside = text[1:-1]
    if len(text) > 1 and text[0] == text[-1] == '"' and "\\" not in inside and '"' not in inside:
        return inside
    return ast.literal_eval(text)


_read = {}          # path: ((mtime, size), entries): each catalogue file is parsed once per process


def read_po(path):
    """{msgid: msgstr} of one PO file; entries without a translation are left out."""
    path = Path(path)
    stamp = path.stat()
    stamp = (stamp.st_mtime_ns, stamp.st_size)
    if _read.get(path, (None,))[0] != stamp:
        _read[path] = (stamp, _parse_po(path.read_text(encoding="utf-8")))
    return dict(_read[path][1])


def _parse_po(text):
    entries, current, field = {}, {}, None

    def finish():
        if current.get("msgid") and current.get("msgstr"):
            entries[current["msgid"]] = current["msgstr"]

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword = line.split(" ", 1)[0]
        if keyword in ("msgid", "msgstr", "msgctxt", "msgid_plural") or keyword.startswith("msgstr["):
            if keyword == "msgid":
                finish()
                current = {}
            field = "msgstr" if keyword == "msgstr[0]" else keyword
            current[field] = _po_string(line.split(" ", 1)[1])
        elif line.startswith('"') and field:
            current[field] += _po_string(line)
    finish()
    return entries


class Catalogue(gettext.NullTranslations):
    """gettext's translations object, filled from every PO file of one language."""

    def __init__(self, language, domain=None):
        super().__init__()
        self.language = language
        files = sorted((LOCALE_DIR / language).glob("*.po"))
        if domain is not None:
            files = [f for f in files if f.stem == domain]
        self.messages = {}
        for path in files:
            self.messages.update(read_po(path))

    def gettext(self, message):
        return self.messages.get(message, message)

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


_state = {"language": None, "ours": None, "argparse": None}


def language_from_environment(environ=None):
    """'en' when the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set starts with 'en'; else 'zh'."""
    environ = os.environ if environ is None else environ
    for name in ENV_ORDER:
        value = environ.get(name, "")
        if value:
            # LANGUAGE may list several ("en_GB:zh_CN"): the first one counts
            return "en" if value.split(":")[0].lower().startswith("en") else "zh"
    return "zh"


def language_from_flags(argv):
    """The value of --lang (or --lang=...) in argv, or None when it is not there or not a known language."""
    argv = list(argv or [])
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            value = argv[i + 1].lower()
        elif word.startswith("--lang="):
            value = word.split("=", 1)[1].lower()
        else:
            continue
        return value if value in LANGUAGES else None
    return None


def set_language(language):
    """Use `language` ('zh' or 'en') for every message from now on."""
    if language not in LANGUAGES:
        raise ValueError(language)
    _state["language"] = language
    _state["ours"] = Catalogue("en") if language == "en" else gettext.NullTranslations()
    _state["argparse"] = Catalogue("zh", "argparse") if language == "zh" else gettext.NullTranslations()


def choose_language(argv=None, environ=None):
    """Set the language from --lang in argv, else from the environment; return it."""
    language = language_from_flags(argv) or language_from_environment(environ)
    set_language(language)
    return language


def current():
    if _state["language"] is None:
        choose_language()
    return _state["language"]


def _(message):
    """The message in the chosen language (the lessons' messages are written in Chinese)."""
    current()
    return _state["ours"].gettext(message)


translate = _     # the same, under a name the catalogue check does not read as a message


def ngettext(singular, plural, n):
    current()
    return _state["ours"].ngettext(singular, plural, n)


def in_language(doc):
    """The part of a docstring for the chosen language. A lesson's docstring is
    Chinese, and its English is the catalogue's entry for the whole docstring
    (locale/en/docstrings.po), without the first line: the section's number and
    Chinese title head both. An older docstring holds both languages, cut by an
    'English:' line."""
    doc = (doc or "").strip("\n")
    lines = doc.splitlines()
    title = lines[0] if lines else ""
    if DOC_SEPARATOR not in [line.strip() for line in lines]:
        english = _state["ours"].gettext(doc) if current() == "en" else doc
        return doc if english == doc else f"{title}\n\n{english.strip()}"
    cut = [line.strip() for line in lines].index(DOC_SEPARATOR)
    chinese, english = "\n".join(lines[:cut]).rstrip(), "\n".join(lines[cut + 1:]).strip("\n")
    if current() == "zh":
        return chinese
    return english if english.startswith(title) else f"{title}\n\n{english}"


# argparse says its own words through gettext ("usage: ", "options", "error: ..."):
# its module-level `_` and `ngettext` are looked up each time, so they are
# pointed at the chosen language's catalogue here.
def _argparse_gettext(message):
    current()
    return _state["argparse"].gettext(message)


def _argparse_ngettext(singular, plural, n):
    current()
    return _state["argparse"].ngettext(singular, plural, n)


def argparse_words(text):
    """argparse's `text` (in English, or already in Chinese) in the language chosen now."""
    english = {}
    for original, chinese in Catalogue("zh", "argparse").messages.items():
        english.setdefault(chinese, original)     # "options" and the older "optional arguments" are both 选项
    return _argparse_gettext(english.get(text, text))


argparse._ = _argparse_gettext
argparse.ngettext = _argparse_ngettext


# ---------------------------------------------------------------- checking the catalogue
def placeholders(text):
    """The {named} / {} fields and %-style fields a message holds, as a sorted list."""
    fields = []
    try:
        fields += [f"{{{name}}}" for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        fields.append("<bad braces>")
    fields += re.findall(r"%(?:\([a-z_]+\))?[sdr]", text)
    return sorted(fields)


def messages_in_source(path):
    """(line, message) for every message a Python file asks to translate:
    the string given to _() or ngettext(), and each help= of add_argument().
    A call of _() on anything but a plain string is returned as (line, None)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in ("_", "ngettext") and node.args:
            for arg in node.args[: 2 if name == "ngettext" else 1]:
                ok = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                found.append((node.lineno, arg.value if ok else None))
        if name == "add_argument":
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str) and keyword.value.value != argparse.SUPPRESS:
                    found.append((node.lineno, keyword.value.value))
    return found
