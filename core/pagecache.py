"""Whole-page cache for visitors: a page every visitor sees alike is rendered once, not per request.

A GET from a visitor who carries no session, no remember-me cookie and no API token
gets the same page as every other such visitor of that language, so its HTML or
JSON is kept and served again. Anything personal keeps the cache out:

- a request with a session cookie (a member, or a visitor who has a form's CSRF
  token or a flashed message), a remember-me cookie or an `Authorization` header
  is never served from the cache nor stored;
- a response is stored only when it is a 200 HTML/JSON page that starts no session
  (a form's CSRF token would), sets no cookie and is not `Cache-Control: private`
  or `no-store`.

Freshness: a page is tagged with the tables its rendering read and their versions
(core.dataversions), and served only while none of those tables has been written since —
a new event, seat or article shows on the next request, in every worker, while a page that
does not show registrations outlives a registration. With `REDIS_URL` the versions and the
pages live in Redis, shared by every worker process and host. Without it each process keeps
its own pages, under versions that every worker of the host maps from one small file in
instance/. Every entry also expires after `PAGE_CACHE_SECONDS`, so pages that move with the
clock ("upcoming", "deadline passed") stay current. `PAGE_CACHE_SECONDS=0` turns the cache off.

Cached pages carry an ETag (a hash of the body); a client that sends it back in
`If-None-Match` gets `304 Not Modified` without the body.
"""

import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import redis
from flask import Flask, Response, current_app, g, has_app_context, request, session

from core import dataversions
from core.i18n import select_locale

CACHE_HEADER = "X-Page-Cache"
CACHED_MIMETYPES = frozenset({"text/html", "application/json", "application/xml"})  # pages, the API, the sitemap
#: pages kept per process without Redis (the most recently used)
LOCAL_ENTRIES = 500
#: where the pages and the versions live in Redis (PAGE_CACHE_REDIS_PREFIX overrides: tests, shared servers)
REDIS_PREFIX = "ranhub:pages:"


@dataclass(frozen=True)
class CachedPage:
    tags: dataversions.Tags
    content_type: str
    etag: str
    body: bytes

    def encode(self) -> bytes:
        tags = ",".join(f"{slot}:{version}" for slot, version in self.tags)
        return f"{tags}\n{self.content_type}\n{self.etag}\n".encode() + zlib.compress(self.body, 1)

    @classmethod
    def decode(cls, raw: bytes) -> "CachedPage":
        tags, content_type, etag, body = raw.split(b"\n", 3)
        pairs = tuple(tuple(int(n) for n in pair.split(b":")) for pair in tags.split(b",") if pair)
        return cls(pairs, content_type.decode(), etag.decode(), zlib.decompress(body))


class LocalStore:
    """One process's pages (used when there is no Redis; the versions are the host's shared ones)."""

    def __init__(self, seconds: int, versions: dataversions.SharedVersions):
        self.seconds = seconds
        self.versions = versions
        self.pages: OrderedDict[str, tuple[float, CachedPage]] = OrderedDict()
        self.lock = Lock()

    def lookup(self, key: str) -> tuple[tuple[int, ...], CachedPage | None]:
        versions = self.versions.current()
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] < time.monotonic():
                return versions, None
            self.pages.move_to_end(key)
            return versions, entry[1]

    def store(self, key: str, page: CachedPage) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + self.seconds, page)
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)


class RedisStore:
    """Pages in Redis, shared by every worker; the versions are read with the page (one round trip)."""

    def __init__(self, client: redis.Redis, seconds: int, prefix: str, versions: dataversions.RedisVersions):
        self.client = client
        self.seconds = seconds
        self.prefix = prefix
        self.versions = versions

    def lookup(self, key: str) -> tuple[tuple[int, ...], CachedPage | None]:
        pipeline = self.client.pipeline(transaction=False)
        pipeline.hgetall(self.versions.key)
        pipeline.get(self.prefix + "page:" + key)
        versions, raw = pipeline.execute()
        return dataversions.RedisVersions.decode(versions), CachedPage.decode(raw) if raw else None

    def store(self, key: str, page: CachedPage) -> None:
        self.client.set(self.prefix + "page:" + key, page.encode(), ex=self.seconds)


def _store() -> LocalStore | RedisStore | None:
    return current_app.extensions.get("page_cache") if has_app_context() else None


def _anonymous_request() -> bool:
    config = current_app.config
    return (
        request.method in ("GET", "HEAD")
        and config["SESSION_COOKIE_NAME"] not in request.cookies
        and config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies
        and "Authorization" not in request.headers
        and "lang" not in request.args  # it sets the language cookie
    )


def _key() -> str:
    return f"{select_locale()}|{request.host}|{request.full_path}"


def _serve_cached():
    store = _store()
    if store is None or not _anonymous_request():
        return None
    try:
        versions, page = store.lookup(_key())
    except redis.RedisError:
        current_app.logger.warning("page cache: Redis did not answer; rendering instead")
        return None
    if "data_versions" not in g:  # nothing read yet: these are the versions the page will be rendered at
        dataversions.adopt(versions)
    g.page_cache_lookup = True
    if page is None or not dataversions.unchanged(page.tags, versions):
        return None
    response = Response(page.body, content_type=page.content_type)
    response.set_etag(page.etag)
    response.headers["Vary"] = "Cookie"
    response.headers[CACHE_HEADER] = "hit"
    return response


def _keep_page(response: Response) -> Response:
    if not g.pop("page_cache_lookup", False) or response.headers.get(CACHE_HEADER) == "hit":
        return response
    versions = dataversions.current()  # None once the request has written
    cache_control = response.headers.get("Cache-Control", "")
    if (
        versions is not None
        and response.status_code == 200
        and response.mimetype in CACHED_MIMETYPES
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not session  # the page put something (a CSRF token) into a new session cookie
        and "private" not in cache_control
        and "no-store" not in cache_control
    ):
        response.add_etag()
        try:
            tags = dataversions.tags(dataversions.read_so_far(), versions)
            page = CachedPage(tags, response.content_type, response.get_etag()[0], response.get_data())
            _store().store(_key(), page)
        except redis.RedisError:
            current_app.logger.warning("page cache: Redis did not answer; page not kept")
        response.headers[CACHE_HEADER] = "miss"
    return response


def init_app(app: Flask) -> None:
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 30))
    if seconds <= 0:
        return
    redis_url = app.config.get("REDIS_URL")
    prefix = app.config.get("PAGE_CACHE_REDIS_PREFIX", REDIS_PREFIX)
    client = (redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
              if redis_url else None)
    dataversions.init_app(app, client, prefix)
    versions = app.extensions[dataversions.EXTENSION_KEY]
    app.extensions["page_cache"] = (
        RedisStore(client, seconds, prefix, versions) if client is not None else LocalStore(seconds, versions)
    )
    app.before_request(_serve_cached)
    # After-request functions run last-registered first: placed at the front, this one
    # runs after every other (language cookie, session) has set its headers.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_page)
