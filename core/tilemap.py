"""The tile map of Japan: 47 prefecture tiles laid out geographically, drawn in HTML/CSS.

`render` writes the map's HTML in Python, not in a Jinja macro (47 tiles and their list
cost a page several milliseconds there), and keeps the last few maps it wrote: the
same counts, links, caption and language give the same HTML, so a map is only written
again when one of them changes — the counts come from the database, so a committed
write that changes them makes a new map at once.
"""

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from threading import Lock

from flask_babel import gettext as _
from markupsafe import Markup

from core import refdata
from core.i18n import current_language

#: maps kept per process (pages × languages × a few filter states)
KEPT = 64

SHADES = 5


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    #: what fits on a tile: 宮城 / Miy
    short: str
    count: int
    shade: int
    column: int
    row: int


def tiles(counts: dict[str, int]) -> list[Tile]:
    """One tile per prefecture, shaded 0–5 by its count relative to the largest count."""
    highest = max(counts.values(), default=0)
    result = []
    for prefecture in refdata.PREFECTURES:
        count = counts.get(prefecture.code, 0)
        shade = 0 if count == 0 or highest == 0 else max(1, round(SHADES * count / highest))
        column, row = prefecture.tile
        result.append(
            Tile(prefecture.code, prefecture.name, _short(prefecture), count, shade, column + 1, row + 1)
        )
    return result


#: three letters per prefecture, north to south (JIS order), distinct where the first three of the names are not
#: (Fukui, Fukuoka and Fukushima all begin "Fuk")
ENGLISH_SHORT = (
    "HKD", "AOM", "IWT", "MYG", "AKT", "YGT", "FKS", "IBR", "TCG", "GNM", "STM", "CHB", "TKY", "KNG", "NGT", "TYM",
    "ISK", "FKI", "YMN", "NGN", "GIF", "SZO", "AIC", "MIE", "SIG", "KYT", "OSK", "HYG", "NAR", "WKY", "TTR", "SMN",
    "OKY", "HRS", "YMG", "TKS", "KGW", "EHM", "KOC", "FKO", "SAG", "NGS", "KMM", "OIT", "MYZ", "KGS", "OKN",
)


def _short(prefecture: refdata.Prefecture) -> str:
    if refdata.localised("ja", "en") == "en":
        return ENGLISH_SHORT[int(prefecture.code) - 1]
    name = prefecture.name_ja
    return name if name == "北海道" else name.rstrip("都府県")


_kept: OrderedDict[tuple, Markup] = OrderedDict()
_lock = Lock()


def render(counts: Mapping[str, int], url_for_code: Callable[[str], str] | None = None, caption: str = "",
           unit: str = "") -> Markup:
    """The map and its text equivalent (a list for screen readers and print), as HTML."""
    links = tuple(url_for_code(prefecture.code) for prefecture in refdata.PREFECTURES) if url_for_code else ()
    key = (current_language(), tuple(sorted(counts.items())), links, str(caption), str(unit))
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    html = _html(tiles(dict(counts)), links, caption, unit)
    with _lock:
        _kept[key] = html
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return html


def _html(all_tiles: list[Tile], links: tuple[str, ...], caption: str, unit: str) -> Markup:
    colon = refdata.localised("：", ": ")
    parts = [Markup('<figure class="tile-map-figure">\n  <div class="tile-map" aria-hidden="true">')]
    for index, tile in enumerate(all_tiles):
        place = f"shade-{tile.shade} col-{tile.column} row-{tile.row}"
        label = f"{tile.name}{colon}{tile.count}{unit}"
        if links:
            parts.append(Markup('\n      <a class="{}" href="{}" title="{}" tabindex="-1">{}</a>').format(
                place, links[index], label, tile.short))
        else:
            parts.append(Markup('\n      <span class="{}" title="{}">{}</span>').format(place, label, tile.short))
    parts.append(Markup("\n  </div>"))
    parts.append(Markup('\n  <details class="tile-map-text">\n    <summary>{}</summary>'
                        '\n    <ul class="inline-list">').format(_("Show as a list")))
    listed = [(index, tile) for index, tile in enumerate(all_tiles) if tile.count]
    for index, tile in listed:
        name = Markup('<a href="{}">{}</a>').format(links[index], tile.name) if links else tile.name
        parts.append(Markup("\n      <li>{}: {}{}</li>").format(name, tile.count, unit))
    if not listed:
        parts.append(Markup("\n      <li>{}</li>").format(_("None yet.")))
    parts.append(Markup("\n    </ul>\n  </details>"))
    if caption:  # a figure's caption is its first or last child (the text list is part of the figure)
        parts.append(Markup("\n  <figcaption>{}</figcaption>").format(caption))
    parts.append(Markup("\n</figure>"))
    return Markup("").join(parts)
