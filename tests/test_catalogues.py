"""The Japanese and English catalogues are complete, so no source string leaks onto a page."""

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
