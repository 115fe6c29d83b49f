"""The site-wide search: every kind registered on `hooks.SEARCH_PROVIDERS`, merged by score.

The page (/search) and `GET /api/v1/search` share `run()`. Each provider receives a
SearchQuery (a str carrying the filters), the viewer and how many hits the page
needs. Filters a provider did not apply are applied here from the hit's `meta`
(`themes`, `prefecture`/`prefectures`).
"""

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from core import fragments, hooks, refdata
from core.hooks import SearchHit, SearchProvider
from core.search.analysis import MAX_QUERY_CHARS


class SearchQuery(str):
    """The text of a site search, carrying the page's filters for providers that honour them.

    A provider receives it as its `query`: it is a plain str to one that knows nothing
    more; `filters` holds "kind", "theme" and "prefecture" when the visitor chose them.
    """

    filters: dict

    def __new__(cls, text: str, filters: Mapping[str, str] | None = None):
        instance = super().__new__(cls, text)
        instance.filters = {key: value for key, value in (filters or {}).items() if value}
        return instance


def providers(app=None) -> list[SearchProvider]:
    """The kinds the site search finds, in the order of their tabs."""
    return sorted(hooks.SEARCH_PROVIDERS.implementations(app), key=lambda provider: provider.order)


def result_kinds() -> dict:
    """kind → label of every provider (what a visitor may narrow the search to)."""
    return {provider.kind: provider.label for provider in providers()}


def filters_from(args) -> dict:
    """The filters of a request's arguments; unknown values are dropped."""
    kind = args.get("kind", "")
    theme = args.get("theme", "")
    prefecture = args.get("prefecture", "")
    return {
        "kind": kind if kind in result_kinds() else "",
        "theme": theme if theme in refdata.THEMES_BY_SLUG else "",
        "prefecture": prefecture if prefecture in refdata.PREFECTURES_BY_CODE else "",
    }


def _passes(hit: SearchHit, filters: dict) -> bool:
    if filters.get("kind") and hit.kind != filters["kind"]:
        return False
    meta = hit.meta or {}
    if filters.get("theme") and filters["theme"] not in (meta.get("themes") or []):
        return False
    if filters.get("prefecture"):
        prefectures = set(meta.get("prefectures") or []) | {meta.get("prefecture")}
        if filters["prefecture"] not in prefectures:
            return False
    return True


#: /search counts what it found up to this many ("more than 100" past it): each kind is asked for as many
COUNTED = 100


@dataclass
class Found:
    """A page of hits, whether more follow, and how many were found (at least that many when `more_than`)."""

    hits: list[SearchHit]
    has_next: bool
    count: int
    more_than: bool


def find(q: str, filters: dict, viewer, *, offset: int, limit: int, counted: int = 0) -> Found:
    """Hits `offset`…`offset+limit` across every provider, best first; with `counted`, each provider is asked
    for that many more so that the page can say how many there are."""
    text = (q or "").strip()[:MAX_QUERY_CHARS]
    if not text:
        return Found([], False, 0, False)
    query = SearchQuery(text, filters)
    wanted = max(offset + limit, counted) + 1
    hits: list[SearchHit] = []
    more_than = False
    for provider in providers():
        if query.filters.get("kind") not in (None, provider.kind):
            continue
        found = provider.search(query, viewer, wanted)
        more_than = more_than or len(found) >= wanted
        hits.extend(hit for hit in found if _passes(hit, query.filters))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return Found(hits[offset:offset + limit], len(hits) > offset + limit, len(hits), more_than)


def run(q: str, filters: dict, viewer, *, offset: int, limit: int) -> tuple[list[SearchHit], bool]:
    """Hits `offset`…`offset+limit` across every provider, best first, and whether more follow."""
    found = find(q, filters, viewer, offset=offset, limit=limit)
    return found.hits, found.has_next


def _other_kana(text: str) -> str:
    """ひらがな as カタカナ and カタカナ as ひらがな (whichever the text has more of)."""
    hiragana = sum("\u3041" <= ch <= "\u3096" for ch in text)
    katakana = sum("\u30a1" <= ch <= "\u30f6" for ch in text)
    if hiragana >= katakana:
        return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)
    return "".join(chr(ord(ch) - 0x60) if "\u30a1" <= ch <= "\u30f6" else ch for ch in text)


def _vocabulary() -> tuple[str, ...]:
    """Names a visitor may mistype: themes, prefectures and live member organisations (kept until a write to them)."""
    def names() -> tuple[str, ...]:
        words = {name for theme in refdata.THEMES for name in (theme.name_ja, theme.name_en)}
        words |= {name for prefecture in refdata.PREFECTURES for name in (prefecture.name_ja, prefecture.name_en)}
        for source in hooks.SEARCH_VOCABULARY.implementations():
            words.update(source())
        return tuple(sorted(words))
    return fragments.kept("search.vocabulary", (), names)


def suggestion(q: str, filters: dict, viewer) -> str | None:
    """For a search that found nothing: its other kana or the closest known name, if that finds something."""
    text = (q or "").strip()[:MAX_QUERY_CHARS]
    if not text:
        return None
    candidates = [_other_kana(text)]
    candidates += difflib.get_close_matches(text, _vocabulary(), n=2, cutoff=0.6)
    for candidate in dict.fromkeys(candidates):
        if candidate != text and find(candidate, filters, viewer, offset=0, limit=1).hits:
            return candidate
    return None
