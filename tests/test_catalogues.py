"""The Japanese and English catalogues are complete, so no source string leaks onto a page."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
IGNORED_DIRS = {".venv", ".git", "instance", "tests", "bench", "node_modules", "migrations", "translations"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _catalogue(lang: str):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _source_msgids() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2"),
                  ("**/templates/**.ics", "jinja2")]

    def keep(dirname: str) -> bool:
        return Path(dirname).name not in IGNORED_DIRS

    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, directory_filter=keep
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    problems = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_source_string_is_in_the_catalogue(lang):
    catalogue = _catalogue(lang)
    known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalogue if m.id}
    missing = sorted(_source_msgids() - known)
    assert missing == [], "run `make extract-messages` and translate"


def test_japanese_placeholders_match_the_source():
    for message in _catalogue("ja"):
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        for placeholder in ("%(", "%s", "%d"):
            assert message.id.count(placeholder) == message.string.count(placeholder), message.id


#: kana and kanji: the characters whose neighbours are written full-width in Japanese
JAPANESE = r"[\u3040-\u30ff\u3400-\u9fff]"
HALF_WIDTH_IN_JAPANESE = re.compile(rf"{JAPANESE}\s*[():]|[():]\s*{JAPANESE}")
#: what a string quotes rather than writes: placeholders, addresses, Markdown's link syntax
LITERAL = re.compile(r"\[[^\]]*\]\([^)]*\)|%\([a-z_]+\)[sd]|https?://\S+")
FULL_WIDTH_PUNCTUATION = re.compile(r"[（）：；！？「」『』。　]")
#: English strings that quote Japanese punctuation on purpose (tags may be separated by 、)
QUOTES_JAPANESE = {"Free tags, separated by commas (、 or ,). At most 15.",
                   "Free tags, separated by commas (、 or ,). Used to suggest people."}


def _strings(lang: str):
    for message in _catalogue(lang):
        if message.id:
            yield from (string for string in (
                message.string if isinstance(message.string, tuple) else (message.string,)) if string)


def test_japanese_strings_use_full_width_brackets_and_colons():
    """（補欠 2名）, 例：…, 件名：… — not (補欠 2名) or 例: beside Japanese words."""
    offending = [string for string in _strings("ja")
                 if HALF_WIDTH_IN_JAPANESE.search(LITERAL.sub("", string))]
    assert offending == []


def test_english_strings_use_no_japanese_punctuation():
    offending = [string for string in _strings("en")
                 if FULL_WIDTH_PUNCTUATION.search(string) and string not in QUOTES_JAPANESE]
    assert offending == []


def test_every_mail_subject_has_one_prefix():
    """【RAN hub】 in Japanese, [RAN hub] in English: not 【RAN】 in some and 【RAN hub】 in others."""
    japanese = [s for s in _strings("ja") if s.startswith("【")]
    english = [s for s in _strings("en") if s.startswith("[RAN")]
    assert japanese and all(s.startswith("【RAN hub】") for s in japanese)
    assert english and all(s.startswith("[RAN hub] ") for s in english)
