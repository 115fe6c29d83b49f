"""Markdown from users, rendered and then sanitised.

Two walls: markdown-it never passes raw HTML through (it is escaped as text) and
refuses `javascript:`/`vbscript:`/`data:` link targets; nh3 then keeps only the
tags, attributes and URL schemes listed here — no script, iframe, style
attribute or event handler survives, whatever the parser let through.

Images are shown only from the site itself: the Content-Security-Policy allows no
other source, and loading one would tell a third party who reads the page. An
external image becomes a link to it instead.
"""

import html
from functools import lru_cache
from urllib.parse import urlsplit

import markdown_it
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Raw HTML in the source is escaped by the parser; nh3 is the second wall.
_parser = markdown_it.MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _shift_heading(self, tokens, idx, options, env):
    # The page's title is the only <h1>: a "# heading" in the text becomes <h2>, and so on.
    token = tokens[idx]
    token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return self.renderToken(tokens, idx, options, env)


_parser.add_render_rule("heading_open", _shift_heading)
_parser.add_render_rule("heading_close", _shift_heading)


def _inside_link(tokens, idx) -> bool:
    depth = 0
    for token in tokens[:idx]:
        depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
    return depth > 0


def _image(self, tokens, idx, options, env):
    # Only the site's own images (no scheme, no host) are loaded; any other becomes a link to it.
    token = tokens[idx]
    src = token.attrGet("src") or ""
    parts = urlsplit(src)
    if not parts.scheme and not parts.netloc:
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    text = html.escape(alt or src)
    if _inside_link(tokens, idx) or parts.scheme not in ("http", "https", ""):
        return text  # a link cannot hold a link, and other schemes are not followed
    title = token.attrGet("title")
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    return f'<a href="{html.escape(src)}"{title_attr}>{text}</a>'


_parser.add_render_rule("image", _image)


def _clean(rendered: str) -> str:
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str | None) -> Markup:
    """Markdown to safe HTML: no script, event handlers, style or unsafe URLs."""
    return _rendered(source or "")


@lru_cache(maxsize=512)
def _rendered(source: str) -> Markup:
    # A pure function of the text, asked for on every view of the same event or article: kept by text.
    return Markup(_clean(_parser.render(source)))  # noqa: S704 # nosec B704 # sanitised by nh3 in _clean


def markdown_to_text(source: str | None) -> str:
    """The words of a Markdown text without its markup (for search and feeds)."""
    rendered = _parser.render(source or "")
    text = nh3.clean(rendered, tags=set(), attributes={}, strip_comments=True)
    return html.unescape(text).strip()
