"""Knowhow in the JSON API: articles.

Without a token only public, published articles are listed; with a valid
`Authorization: Bearer` token the member's own visibility applies. A header
with an unknown or revoked token answers 401 rather than silently showing less.
"""


import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask_babel import gettext as _

from core.api import (
    LIMIT_PARAMETERS,
    PREFECTURE_PARAMETER,
    THEME_PARAMETER,
    ApiError,
    api_url,
    api_viewer,
    arg,
    enum_schema,
    error_responses,
    json_content,
    list_of,
    list_page,
    query_parameter,
)
from core.markdown import render_markdown
from knowhow import services
from knowhow.models import ARTICLE_KINDS, PLAYBOOK_FIELDS, Article

bp = Blueprint("knowhow_api", __name__, url_prefix="/api/v1")


def _iso(value):
    return value.isoformat() if value else None


def article_json(article: Article, *, full: bool = False) -> dict:
    data = {
        "id": article.id,
        "slug": article.slug,
        "title": article.title,
        "kind": article.kind,
        "visibility": article.visibility,
        "status": article.status,
        "summary": article.summary,
        "themes": sorted(article.themes),
        "prefecture": article.prefecture,
        "organization": (
            {"slug": article.organization.slug, "name": article.organization.name} if article.organization else None
        ),
        "author": article.author.display_name if article.author else None,
        "version": article.version,
        "published_at": _iso(article.published_at),
        "updated_at": _iso(article.updated_at),
        "url": api_url("knowhow.detail", slug=article.slug),
    }
    if full:
        data["body"] = article.body
        data["body_html"] = str(render_markdown(article.body))
        data["playbook"] = (
            {name: getattr(article, name) for name in PLAYBOOK_FIELDS} if article.is_playbook else None
        )
        data["adoptions"] = [
            {
                "organization": {"slug": a.organization.slug, "name": a.organization.name},
                "prefecture": a.prefecture,
                "started_on": _iso(a.started_on),
                "status": a.status,
                "outcome_notes": a.outcome_notes,
            }
            for a in (services.live_adoptions(article) if article.is_playbook else [])
        ]
    return data


@bp.get("/articles")
def articles():
    """Published articles the caller may read, newest first (`theme`, `kind`, `prefecture`)."""
    viewer = api_viewer()
    theme, kind, prefecture = arg("theme"), arg("kind"), arg("prefecture")
    query = sa.select(Article).where(services.visible_clause(viewer))
    if theme:
        query = query.where(Article.theme_rows.any(theme=theme))
    if kind:
        query = query.where(Article.kind == kind)
    if prefecture:
        query = query.where(Article.prefecture == prefecture)
    return list_page(query.options(*services.article_options()).order_by(Article.published_at.desc(), Article.id.desc()),
                     article_json)


@bp.get("/articles/<slug>")
def article(slug):
    """One article with its body, programme fields and adoptions."""
    viewer = api_viewer()
    found = services.article_by_slug(slug)
    if found is None or found.deleted_at is not None or not services.can_view(found, viewer):
        raise ApiError(404, _("No such article."))
    return jsonify(article_json(found, full=True))


_ARTICLE_PARAMETERS = [
    THEME_PARAMETER,
    query_parameter("kind", enum_schema(ARTICLE_KINDS)),
    PREFECTURE_PARAMETER,
]

OPENAPI_PATHS = {
    "/articles": {
        "get": {
            "summary": "Knowhow articles (public only without a token; the member's visibility with one)",
            "security": [{}, {"bearer": []}],
            "parameters": _ARTICLE_PARAMETERS + LIMIT_PARAMETERS,
            "responses": {
                "200": {"description": "articles, newest first", **json_content(list_of("Article"))},
                **error_responses(401),
            },
        }
    },
    "/articles/{slug}": {
        "get": {
            "summary": "One article with body, programme fields and adoptions",
            "security": [{}, {"bearer": []}],
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "the article", **json_content({"$ref": "#/components/schemas/ArticleDetail"})},
                **error_responses(401, 404),
            },
        }
    },
}

_ARTICLE_PROPERTIES = {
    "id": {"type": "integer"},
    "slug": {"type": "string"},
    "title": {"type": "string"},
    "kind": {"type": "string", "enum": list(ARTICLE_KINDS)},
    "visibility": {"type": "string", "enum": ["public", "members", "alliance"]},
    "status": {"type": "string", "enum": ["draft", "published"]},
    "summary": {"type": "string"},
    "themes": {"type": "array", "items": {"type": "string"}},
    "prefecture": {"type": ["string", "null"]},
    "organization": {"type": ["object", "null"], "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
    "author": {"type": ["string", "null"]},
    "version": {"type": "integer"},
    "published_at": {"type": ["string", "null"], "format": "date-time"},
    "updated_at": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "format": "uri"},
}

OPENAPI_SCHEMAS = {
    "Article": {"type": "object", "required": list(_ARTICLE_PROPERTIES), "properties": _ARTICLE_PROPERTIES},
    "ArticleDetail": {
        "type": "object",
        "required": list(_ARTICLE_PROPERTIES) + ["body", "body_html", "playbook", "adoptions"],
        "properties": {
            **_ARTICLE_PROPERTIES,
            "body": {"type": "string", "description": "Markdown"},
            "body_html": {"type": "string", "description": "rendered and sanitised"},
            "playbook": {
                "type": ["object", "null"],
                "properties": {name: {"type": "string"} for name in PLAYBOOK_FIELDS},
            },
            "adoptions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "organization": {"type": "object"},
                        "prefecture": {"type": "string"},
                        "started_on": {"type": ["string", "null"], "format": "date"},
                        "status": {"type": "string", "enum": ["planned", "running", "ended"]},
                        "outcome_notes": {"type": "string"},
                    },
                },
            },
        },
    },
}
