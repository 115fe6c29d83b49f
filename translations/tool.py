"""Catalogue chores for developers: `python translations/tool.py COMMAND`.

  fill-en            English is the source language: copy each msgid into en's msgstr
  missing LANG       print the msgids of LANG that are untranslated or fuzzy (as JSON)
  apply LANG FILE    set translations from a JSON object {msgid: msgstr}
                     (plural entries: {msgid: [singular, plural]})
  merge LANG OTHER   take translations from another .po file for entries still empty here
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent


def _path(lang: str) -> Path:
    return ROOT / lang / "LC_MESSAGES" / "messages.po"


def _load(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _save(catalog, path: Path) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, sort_output=True, width=0, no_location=True)


def _empty(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return message.fuzzy or not all(strings)


def fill_en() -> None:
    catalog = _load(_path("en"))
    for message in catalog:
        if message.id and _empty(message):
            message.string = message.id
            message.flags.discard("fuzzy")
    _save(catalog, _path("en"))


def missing(lang: str) -> None:
    catalog = _load(_path(lang))
    todo = {}
    for message in catalog:
        if message.id and _empty(message):
            key = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
            todo[key] = ""
    print(json.dumps(todo, ensure_ascii=False, indent=1))


def apply(lang: str, source: str) -> None:
    translations = json.loads(Path(source).read_text(encoding="utf-8"))
    catalog = _load(_path(lang))
    unknown = []
    for msgid, msgstr in translations.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = tuple(msgstr) if isinstance(msgstr, list) else msgstr
        message.flags.discard("fuzzy")
    _save(catalog, _path(lang))
    if unknown:
        print("not in the catalogue (run `make extract-messages` first?):", *unknown, sep="\n  ")


def merge(lang: str, other: str) -> None:
    catalog = _load(_path(lang))
    donor = _load(Path(other))
    for message in catalog:
        if message.id and _empty(message):
            found = donor.get(message.id)
            if found is not None and not _empty(found):
                message.string = found.string
                message.flags.discard("fuzzy")
    _save(catalog, _path(lang))


if __name__ == "__main__":
    command, *args = sys.argv[1:] or ["help"]
    commands = {"fill-en": fill_en, "missing": missing, "apply": apply, "merge": merge}
    if command not in commands:
        print(__doc__)
        sys.exit(2)
    commands[command](*args)
