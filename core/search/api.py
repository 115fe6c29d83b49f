"""`GET /api/v1/search`: the site-wide search as JSON."""

from urllib.parse import urljoin

from flask import Blueprint, request
from markupsafe import Markup, escape

from core import api
from core.search import site
from core.search.analysis import MAX_QUERY_CHARS

bp = Blueprint("search_api", __name__, url_prefix="/api/v1")


@bp.get("/search")
def search():
    """The site search across every kind (`q`, `kind`, `theme`, `prefecture`)."""
    viewer = api.api_viewer()
    limit, offset = api.page_limit(), api.page_offset()
    filters = site.filters_from(request.args)
    hits, more = site.run(api.arg("q"), filters, viewer, offset=offset, limit=limit)
    items = [
        {
            "kind": hit.kind,
            "title": hit.title.striptags() if isinstance(hit.title, Markup) else str(hit.title),
            "title_html": str(escape(hit.title)),
            "url": urljoin(request.host_url, hit.url),
            "snippet_html": str(hit.snippet),
            "score": hit.score,
            "meta": hit.meta,
        }
        for hit in hits
    ]
    return api.list_response(items, has_more=more, offset=offset, limit=limit)


def openapi_paths(kinds: list[str]) -> dict:
    return {
        "/search": {
            "get": {
                "summary": "Search organisations, events, knowhow and projects (Japanese full text)",
                "security": [{}, {"bearer": []}],
                "parameters": [
                    api.query_parameter("q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS,
                                          "pattern": api.NOT_BLANK}, "search words", required=True),
                    api.query_parameter("kind", api.enum_schema(kinds)),
                    api.THEME_PARAMETER,
                    api.PREFECTURE_PARAMETER,
                    *api.LIMIT_PARAMETERS,
                ],
                "responses": {
                    "200": {"description": "hits, best first", **api.json_content(api.list_of("SearchHit"))},
                    **api.error_responses(401),
                },
            }
        },
    }


def openapi_schemas(kinds: list[str]) -> dict:
    return {
        "SearchHit": {
            "type": "object",
            "required": ["kind", "title", "title_html", "url", "snippet_html", "score"],
            "properties": {
                "kind": {"type": "string", "enum": kinds},
                "title": {"type": "string"},
                "title_html": {"type": "string", "description": "HTML: escaped text with <mark> highlights"},
                "url": {"type": "string"},
                "snippet_html": {"type": "string", "description": "HTML: escaped text with <mark> highlights"},
                "score": {"type": "number"},
                "meta": {
                    "type": "object",
                    "description": "What the kind adds to show the hit: an organisation its prefecture; an article"
                                   " slug, type, type_label, themes, prefecture, published; an event id, type,"
                                   " type_label, format, audience, audience_label, themes, prefecture, starts_at,"
                                   " ends_at, date_label, status and status_label; a project type, type_label,"
                                   " themes, prefecture, status and status_label",
                    "properties": {
                        "id": {"type": "integer", "description": "event: its id"},
                        "slug": {"type": "string", "description": "article: its slug"},
                        "type": {"type": "string", "description": "the article, event or project kind"},
                        "type_label": {"type": "string", "description": "that kind in the reader's language"},
                        "themes": {"type": "array", "items": {"type": "string"}},
                        "prefecture": {"type": ["string", "null"], "description": "JIS code (null: online event)"},
                        "published": {"type": "boolean", "description": "article: not a draft"},
                        "format": {"type": "string", "enum": ["venue", "online", "hybrid"]},
                        "audience": {"type": "string", "enum": ["public", "members"]},
                        "audience_label": {"type": "string", "description": "event: RAN会員限定 or empty"},
                        "starts_at": {"type": "string", "format": "date-time",
                                      "description": "event: ISO 8601, +09:00"},
                        "ends_at": {"type": "string", "format": "date-time"},
                        "date_label": {"type": "string",
                                       "description": "event: its start as shown, 2026年12月3日(木) 15:00"},
                        "status": {"type": "string", "enum": ["published", "cancelled", "open", "closed"],
                                   "description": "event: a cancelled event (中止) is still found; project: a"
                                                  " closed one (募集終了) too"},
                        "status_label": {"type": "string",
                                         "description": "event: 中止 (cancelled), 終了 (over) or empty; project:"
                                                        " 募集終了 or empty"},
                    },
                },
            },
        },
    }
