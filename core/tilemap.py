"""The tile map of Japan: 47 prefecture tiles laid out geographically, drawn in HTML/CSS."""

from dataclasses import dataclass

from core import refdata

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


def _short(prefecture: refdata.Prefecture) -> str:
    if refdata.localised("ja", "en") == "en":
        return prefecture.name_en[:3]
    name = prefecture.name_ja
    return name if name == "北海道" else name.rstrip("都府県")
