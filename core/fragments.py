"""Parts of a page that are the same for everyone who may see them, rendered once until what they show changes.

The page cache (core.pagecache) serves whole pages to visitors only; a member's page, and
every page after a write, is rendered. Yet most of such a page — the directory's list,
its facets and map — is the same for every viewer of a class. `cached()` keeps that part's
HTML under its name, the viewer class, the language and the arguments, tagged with the
tables it read and their versions (core.dataversions, as the page cache's pages are): a
committed write to one of them retires it in every worker, so a fragment is never older
than the last committed write, and a write it does not show (a registration, for the
directory) leaves it alone. The member's own parts (header, registration state) are
rendered around it on every request. Entries also expire after PAGE_CACHE_SECONDS (lists that move
with the clock); with the cache off (`PAGE_CACHE_SECONDS=0`) fragments are rendered every
time. The loading of the fragment's data belongs inside `render`, so a hit costs no query.
`kept()` is the same for any immutable value (a member's organisations, the search's names).

`static_part()` is for what shows no data at all — the layout's header and footer: kept per
process by language and key, with no table version to follow.

A kept part may hold forms: the template global `csrf_token()` writes a slot there instead of
the session's token (a part is shared by sessions, and by every member for a static one), and
`fill_in_token` puts the token of the browser's session in before the response leaves.
"""

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from threading import Lock
from typing import TypeVar

from flask import Flask, Response, current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from core import dataversions
from core.db import attached, row_values
from core.i18n import LANGUAGES, current_language

#: fragments kept per process (and app), the most recently used
KEPT = 500
EXTENSION_KEY = "ranhub.fragments"
STATIC_EXTENSION_KEY = "ranhub.static_parts"
_lock = Lock()
T = TypeVar("T")
M = TypeVar("M")
#: where a kept part's forms take the session's CSRF token; random per process, so no text of a page can be one
TOKEN_SLOT = f"csrf-slot-{secrets.token_hex(12)}"
_TOKEN_SLOT_BYTES = TOKEN_SLOT.encode()
#: parts being computed for keeping (nested: a fragment's own fragments)
_keeping: ContextVar[int] = ContextVar("keeping_parts", default=0)


@contextmanager
def _computing_kept_part() -> Iterator[None]:
    depth = _keeping.set(_keeping.get() + 1)
    try:
        yield
    finally:
        _keeping.reset(depth)


def csrf_token() -> str:
    """The template global: the session's CSRF token, or, in a part being kept, the slot it will go in."""
    return TOKEN_SLOT if _keeping.get() else generate_csrf()


def fill_in_token(response: Response) -> Response:
    """Put the session's CSRF token into the slots of an HTML page's kept parts."""
    if response.direct_passthrough or response.is_streamed or response.mimetype != "text/html":
        return response
    body = response.get_data()
    if _TOKEN_SLOT_BYTES in body:
        response.set_data(body.replace(_TOKEN_SLOT_BYTES, generate_csrf().encode()))
    return response


def _kept() -> OrderedDict[tuple, tuple[str, float, object]]:
    return current_app.extensions.setdefault(EXTENSION_KEY, OrderedDict())


def kept(name: str, key: Hashable, compute: Callable[[], T], *, viewers: str = "everyone",
         of_viewer: bool = False) -> T:
    """The value `name` for `key` and `viewers`, from this process's cache while none of the tables it was
    computed from has been written since, else from `compute()` (an immutable value: every request that hits
    shares it). `of_viewer`: the value is who a login session stands for, and follows the login sessions too."""
    versions = dataversions.current()
    if versions is None:
        return compute()
    full_key = (name, viewers, current_language(), key)
    entries = _kept()
    now = time.monotonic()
    with _lock:
        entry = entries.get(full_key)
        if entry is not None and entry[1] > now and dataversions.unchanged(entry[0], versions):
            entries.move_to_end(full_key)
            hit = entry
        else:
            hit = None
    if hit is not None:
        dataversions.read(slot for slot, _version in hit[0])  # the page shows what the fragment read
        return hit[2]
    with dataversions.recording(of_viewer=of_viewer) as slots, _computing_kept_part():
        value = compute()
    if dataversions.current() is not None:  # not when compute() committed a write
        tags = dataversions.tags(slots, versions)
        _remember(entries, full_key, (tags, now + current_app.config.get("PAGE_CACHE_SECONDS", 30), value))
    return value


def kept_row(name: str, key: Hashable, model: type[M], load: Callable[[], M | None], *,
             viewers: str = "everyone") -> M | None:
    """`kept()` for one ORM row (`load()` returns it or None): the row's values are kept, and made a persistent
    object of this request's session again on each hit (core.db.attached), with no query."""
    def values() -> tuple | None:
        row = load()
        return row_values(row) if row is not None else None

    found = kept(name, key, values, viewers=viewers)
    return attached(model, found) if found is not None else None


def forget(name: str, key: Hashable, *, viewers: str = "everyone") -> None:
    """Drop what this process keeps of `name` for `key` (in every language): it is asked for again next time."""
    with _lock:
        for language in LANGUAGES:
            _kept().pop((name, viewers, language, key), None)


def cached(name: str, key: Hashable, render: Callable[[], str], *, viewers: str = "everyone") -> Markup:
    """The fragment `name` for `key` (the arguments that change it) and `viewers` (the class of viewer it is
    the same for), from the cache or from `render()`."""
    # render() is an autoescaped template's output
    return kept(name, key, lambda: Markup(render()), viewers=viewers)  # noqa: S704  # nosec B704


def cached_part(name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
    """`{% call cached_part("name", key…) %}…{% endcall %}`: `cached()` from a template, for a part that is the same
    for every viewer given `key` (an event's description, say)."""
    return cached(name, key, caller)


def static_part(name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
    """`{% call static_part("name", key…) %}…{% endcall %}`: a part of a template that shows no data — only the
    language, the templates, the configuration and `key` (a path, say) — rendered once per process, not on every
    request (the layout's header and footer, the home page's introduction). With templates reloading (`make run`)
    it is rendered every time, so that an edit shows."""
    if current_app.jinja_env.auto_reload:
        return Markup(caller())  # noqa: S704  # nosec B704 - a template's autoescaped body
    full_key = (name, current_language(), key)
    parts = current_app.extensions.setdefault(STATIC_EXTENSION_KEY, OrderedDict())
    with _lock:
        html = parts.get(full_key)
        if html is not None:
            parts.move_to_end(full_key)
            return html
    with _computing_kept_part():
        html = Markup(caller())  # noqa: S704  # nosec B704 - a template's autoescaped body
    _remember(parts, full_key, html)
    return html


def _remember(entries: OrderedDict, key: tuple, entry) -> None:
    """Keep `entry` as the most recently used, dropping the least recently used past KEPT."""
    with _lock:
        entries[key] = entry
        entries.move_to_end(key)
        while len(entries) > KEPT:
            entries.popitem(last=False)


def query_arguments() -> tuple:
    """The request's query arguments as a fragment's key (`lang` too: the fragment's links keep it)."""
    return tuple(sorted(request.args.items(multi=True)))


def init_app(app: Flask) -> None:
    """Call after Flask-WTF's (core.security): its `csrf_token` global and context value are replaced by the one
    above (a later context processor's value wins)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    # Registered late: Flask runs it before the page cache, the validators and compression see the body.
    app.after_request(fill_in_token)
