"""The site-wide search, /search: every kind registered on the `search_providers` hook.

The page and `GET /api/v1/search` share `run()`. Each provider receives a
core.search.SearchQuery (a str carrying the filters), the viewer and how many
hits the page needs; hits are merged by score. Filters a provider did not apply
are applied here from the hit's `meta` (`themes`, `prefecture`/`prefectures`).
"""

from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import hooks, refdata
from core.hooks import SearchHit
from core.search import MAX_QUERY_CHARS, SearchQuery

bp = Blueprint("search", __name__, template_folder="templates")

PER_PAGE = 20
MAX_PAGE = 50
#: what a visitor may narrow the site search to
RESULT_KINDS = {
    "article": _l("Knowhow"),
    "organization": _l("Member organisations"),
    "event": _l("Events"),
}


@dataclass
class SiteResults:
    hits: list[SearchHit]
    page: int
    has_next: bool


def filters_from(args) -> dict:
    kind = args.get("kind", "")
    theme = args.get("theme", "")
    prefecture = args.get("prefecture", "")
    return {
        "kind": kind if kind in RESULT_KINDS else "",
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
    for provider in hooks.collect("search_providers"):
        hits.extend(hit for hit in provider(query, viewer, wanted) if _passes(hit, query.filters))
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return hits[offset:offset + limit], len(hits) > offset + limit


@bp.get("/search")
def index():
    """Search organisations, events and knowhow at once."""
    q = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    filters = filters_from(request.args)
    raw_page = request.args.get("page", "1")
    page = min(int(raw_page), MAX_PAGE) if raw_page.isdigit() and int(raw_page) > 0 else 1
    hits, has_next = run(q, filters, current_user, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "search/index.html", q=q, filters=filters, results=SiteResults(hits, page, has_next and page < MAX_PAGE),
        kinds=RESULT_KINDS,
    )
