"""/search: organisations, events, knowhow and whatever else a room registers, in one list."""

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from core.hooks import SearchHit
from core.paging import requested_page
from core.search import site
from core.search.analysis import MAX_QUERY_CHARS

bp = Blueprint("search", __name__)

PER_PAGE = 20
MAX_PAGE = 50


@dataclass
class SiteResults:
    hits: list[SearchHit]
    page: int
    has_next: bool
    count: int
    more_than: bool


@bp.get("/search")
def index():
    """Search every kind at once."""
    q = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    filters = site.filters_from(request.args)
    page = requested_page()
    if page > MAX_PAGE:
        abort(404)
    found = site.find(q, filters, current_user, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, counted=site.COUNTED)
    if page > 1 and not found.hits:
        abort(404)
    return render_template(
        "search/index.html", q=q, filters=filters,
        results=SiteResults(found.hits, page, found.has_next and page < MAX_PAGE, found.count, found.more_than),
        suggestion=site.suggestion(q, filters, current_user) if q and not found.hits else None,
        kinds=site.result_kinds(),
    )
