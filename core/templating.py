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

#: sections under a menu item's URL that belong to no item (/alliance/referrals/ is not 加盟団体)
NAV_UNLISTED = ("referrals.index", "alliance.secretariat")


def has_endpoint(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def _within(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")


def nav_items() -> list[dict]:
    """The main menu; the item whose URL is the longest prefix of this page's is the current one."""
    items = [{"url": url_for(endpoint), "label": label, "active": False}
             for endpoint, label in NAV if has_endpoint(endpoint)]
    sections = [(item["url"], item) for item in items]
    sections += [(url_for(endpoint), None) for endpoint in NAV_UNLISTED if has_endpoint(endpoint)]
    matches = [(url, item) for url, item in sections if _within(request.path, url)]
    if matches:
        _, current = max(matches, key=lambda match: len(match[0]))
        if current is not None:
            current["active"] = True
    return items


def url_with_args(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(args)
    return f"{request.path}?{query}" if query else request.path


def now_year() -> int:
    return datetime.now(ZoneInfo("Asia/Tokyo")).year


def theme_options() -> list[tuple[str, str]]:
    """(slug, name) of every theme, for a filter's <select>."""
    return [(theme.slug, theme.name) for theme in refdata.THEMES]


def prefecture_options() -> list[tuple[str, str]]:
    """(code, name) of every prefecture, north to south, for a filter's <select>."""
    return [(prefecture.code, prefecture.name) for prefecture in refdata.PREFECTURES]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        theme_options=theme_options,
        prefecture_options=prefecture_options,
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
