"""Template globals shared by every page: navigation, URLs that keep filters."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l

from core import refdata, tilemap
from core.markdown import render_markdown

#: (endpoint, label) of the main menu; an entry shows once its blueprint is registered
NAV = (
    ("alliance.directory", _l("Members")),
    ("events.index", _l("Events")),
    ("knowhow.index", _l("Knowhow")),
    ("projects.index", _l("Projects")),
    ("alliance.impact", _l("Impact")),
    ("consultations.new", _l("Ask for help")),
)


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[dict]:
    items = []
    for endpoint, label in NAV:
        if has_endpoint(endpoint):
            url = url_for(endpoint)
            active = request.path.startswith(url) if url != "/" else request.path == "/"
            items.append({"url": url, "label": label, "active": active})
    return items


def url_with_args(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(args)
    return f"{request.path}?{query}" if query else request.path


def now_year() -> int:
    return datetime.now(ZoneInfo("Asia/Tokyo")).year


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items,
        has_endpoint=has_endpoint,
        url_with_args=url_with_args,
        now_year=now_year,
        refdata=refdata,
        map_tiles=tilemap.tiles,
        prefecture_name=refdata.prefecture_name,
        theme_name=refdata.theme_name,
    )
    app.jinja_env.filters.update(markdown=render_markdown)
