"""The templates' environment, and the globals shared by every page: navigation, URLs that keep filters."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, url_for
from flask.templating import Environment as FlaskEnvironment
from flask_login import current_user

from core import fragments, hooks, refdata, tilemap
from core.i18n import DEFAULT_LOCALE, current_language
from core.markdown import render_markdown


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, with each template's globals one dict rather than a ChainMap over the
    environment's: every render (a page, each section, each import of a macro file) copies them into its context,
    and going through a ChainMap of some eighty names was a tenth of a member's page. A global added after a
    template is loaded would not be seen by it — every room adds its globals at start-up, as Jinja asks."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


def _within(path: str, url: str) -> bool:
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")


def nav_items() -> list[dict]:
    """The main menu; the entry or section whose URL is the longest prefix of this page's is the current one.

    An unlisted section (/alliance/referrals/ under /alliance/) marks no entry.
    """
    entries = sorted(hooks.MAIN_MENU.implementations(), key=lambda entry: entry.order)
    items = [{"url": url_for(entry.endpoint), "label": entry.label, "active": False}
             for entry in entries if entry.listed]
    sections = [(item["url"], item) for item in items]
    sections += [(url_for(entry.endpoint), None) for entry in entries if not entry.listed]
    matches = [(url, item) for url, item in sections if _within(request.path, url)]
    if matches:
        _, current = max(matches, key=lambda match: len(match[0]))
        if current is not None:
            current["active"] = True
    return items


def links(hook: hooks.Hook[hooks.Link]) -> list[hooks.Link]:
    """The links other rooms offer a page, in their order."""
    return sorted(hook.implementations(), key=lambda link: link.order)


def tool_links() -> list[hooks.ToolLink]:
    """The header's tools menu for the current member (none for a visitor or a member without a role)."""
    if not current_user.is_authenticated:
        return []
    return [link for link in links(hooks.TOOL_LINKS) if link.shown_to(current_user)]


def url_with_args(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]
    query = urlencode(args)
    return f"{request.path}?{query}" if query else request.path


def canonical_url(language: str | None = None) -> str:
    """This page's address on the public site (SITE_URL) in `language` (default: the page's own), for
    rel=canonical and hreflang: Japanese without `lang`, as a visitor without a cookie gets it."""
    language = language or current_language()
    args = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    if language != DEFAULT_LOCALE:
        args.append(("lang", language))
    site = current_app.config.get("SITE_URL", request.host_url).rstrip("/")
    return f"{site}{request.path}" + (f"?{urlencode(args)}" if args else "")


def now_year() -> int:
    return datetime.now(ZoneInfo("Asia/Tokyo")).year


def theme_options() -> list[tuple[str, str]]:
    """(slug, name) of every theme, for a filter's <select>."""
    return [(theme.slug, theme.name) for theme in refdata.THEMES]


def prefecture_options() -> list[tuple[str, str]]:
    """(code, name) of every prefecture, north to south, for a filter's <select>."""
    return [(prefecture.code, prefecture.name) for prefecture in refdata.PREFECTURES]


def region_options() -> list[tuple[str, str]]:
    """(slug, name) of every region, north to south, for a filter's <select>."""
    return [(region.slug, region.name) for region in refdata.REGIONS]


def labelled(slugs, name) -> list[tuple[str, str]]:
    """(slug, name(slug)) of each slug, for a filter's <select> of a room's own kinds."""
    return [(slug, name(slug)) for slug in slugs]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        theme_options=theme_options,
        prefecture_options=prefecture_options,
        region_options=region_options,
        labelled=labelled,
        nav_items=nav_items,
        account_tools=lambda: hooks.ACCOUNT_TOOLS.render_all(),
        home_actions=lambda: links(hooks.HOME_ACTIONS),
        join_ways=lambda: links(hooks.JOIN_WAYS),
        footer_links=lambda: links(hooks.FOOTER_LINKS),
        tool_links=tool_links,
        url_with_args=url_with_args,
        canonical_url=canonical_url,
        static_part=fragments.static_part,
        cached_part=fragments.cached_part,
        now_year=now_year,
        refdata=refdata,
        render_tile_map=tilemap.render,
        prefecture_name=refdata.prefecture_name,
        theme_name=refdata.theme_name,
    )
    app.jinja_env.filters.update(markdown=render_markdown)
