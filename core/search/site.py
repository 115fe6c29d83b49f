"""The site-wide search: every kind registered on `hooks.SEARCH_PROVIDERS`, merged by score.

The page (/search) and `GET /api/v1/search` share `run()`. Each provider receives a
SearchQuery (a str carrying the filters), the viewer and how many hits the page
needs. Filters a provider did not apply are applied here from the hit's `meta`
(`themes`, `prefecture`/`prefectures`).
"""

from collections.abc import Mapping

from core import hooks, refdata
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


def run(q: str, filters: dict, viewer, *, offset: int, limit: int) -> tuple[list[SearchHit], bool]:
    """Hits `offset`…`offset+limit` across every provider, best first, and whether more follow."""
    text = (q or "").strip()[:MAX_QUERY_CHARS]
    if not text:
        return [], False
    query = SearchQuery(text, filters)
    wanted = offset + limit + 1
    hits: list[SearchHit] = []
    for provider in providers():
        if query.filters.get("kind") not in (None, provider.kind):
            continue
        hits.extend(hit for hit in provider.search(query, viewer, wanted) if _passes(hit, query.filters))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return hits[offset:offset + limit], len(hits) > offset + limit
