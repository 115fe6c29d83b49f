"""Parts of a page that are the same for everyone who may see them, rendered once per data version.

The page cache (core.pagecache) serves whole pages to visitors only; a member's page, and
every page after a write, is rendered. Yet most of such a page — the directory's list,
its facets and map — is the same for every viewer of a class. `cached()` keeps that part's
HTML under its name, the viewer class, the language and the arguments, tagged with the
data version it was rendered at: any committed write moves the version on (in every
worker: the same shared version as the page cache), so a fragment is never older than the
last committed write, and the member's own parts (header, registration state) are rendered
around it on every request. Entries also expire after PAGE_CACHE_SECONDS (lists that move
with the clock); with the cache off (`PAGE_CACHE_SECONDS=0`) fragments are rendered every
time. The loading of the fragment's data belongs inside `render`, so a hit costs no query.
"""

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from flask import current_app, request
from markupsafe import Markup

from core.i18n import current_language
from core.pagecache import data_version

#: fragments kept per process (and app), the most recently used
KEPT = 500
EXTENSION_KEY = "ranhub.fragments"
_lock = Lock()


def _kept() -> OrderedDict[tuple, tuple[str, float, Markup]]:
    return current_app.extensions.setdefault(EXTENSION_KEY, OrderedDict())


def cached(name: str, key: Hashable, render: Callable[[], str], *, viewers: str = "everyone") -> Markup:
    """The fragment `name` for `key` (the arguments that change it) and `viewers` (the class of viewer it is
    the same for), from the cache or from `render()`."""
    version = data_version()
    if version is None:
        return Markup(render())  # noqa: S704  # nosec B704 - render() is an autoescaped template's output
    full_key = (name, viewers, current_language(), key)
    kept = _kept()
    now = time.monotonic()
    with _lock:
        entry = kept.get(full_key)
        if entry is not None and entry[0] == version and entry[1] > now:
            kept.move_to_end(full_key)
            return entry[2]
    html = Markup(render())  # noqa: S704  # nosec B704 - render() is an autoescaped template's output
    with _lock:
        kept[full_key] = (version, now + current_app.config.get("PAGE_CACHE_SECONDS", 30), html)
        kept.move_to_end(full_key)
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return html


def query_arguments() -> tuple:
    """The request's query arguments as a fragment's key (`lang` too: the fragment's links keep it)."""
    return tuple(sorted(request.args.items(multi=True)))


