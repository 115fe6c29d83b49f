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

A hit is answered before Flask sees the request (`FrontDoor`, a WSGI wrapper), as Flask
would answer it; with Redis, each process also keeps the pages it has served decoded, and
a hit then reads only the versions of the tables its page shows.

Cached pages carry an ETag (a hash of the body); a client that sends it back in
`If-None-Match` gets `304 Not Modified` without the body.
"""

import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Lock
from urllib.parse import parse_qsl

import redis
from flask import Flask, Response, current_app, g, has_app_context, request, session
from werkzeug.http import HTTP_STATUS_CODES, http_date, is_resource_modified, parse_cookie, quote_etag
from werkzeug.wsgi import get_host

from core import dataversions, requestlog, security
from core.i18n import remembered_language, select_locale

CACHE_HEADER = "X-Page-Cache"
CACHED_MIMETYPES = frozenset({"text/html", "application/json", "application/xml"})  # pages, the API, the sitemap
#: pages kept per process, decoded (the most recently used): all of them without Redis, copies of Redis's with it
LOCAL_ENTRIES = 500
#: where the pages and the versions live in Redis (PAGE_CACHE_REDIS_PREFIX overrides: tests, shared servers)
REDIS_PREFIX = "ranhub:pages:"
#: the environ key under which the front door hands its look-up's versions to Flask on a miss
_LOOKED_UP = "ranhub.page_cache.versions"


@dataclass(frozen=True)
class CachedPage:
    tags: dataversions.Tags
    content_type: str
    etag: str
    body: bytes
    #: when it stops being served (time.time()): pages that move with the clock ("upcoming") are kept a while only
    expires: float

    def encode(self) -> bytes:
        tags = ",".join(f"{slot}:{version}" for slot, version in self.tags)
        head = f"{tags}\n{self.content_type}\n{self.etag}\n{self.expires!r}\n"
        return head.encode() + zlib.compress(self.body, 1)

    @classmethod
    def decode(cls, raw: bytes) -> "CachedPage | None":
        try:
            tags, content_type, etag, expires, body = raw.split(b"\n", 4)
            pairs = tuple(tuple(int(n) for n in pair.split(b":")) for pair in tags.split(b",") if pair)
            return cls(pairs, content_type.decode(), etag.decode(), zlib.decompress(body), float(expires))
        except (ValueError, zlib.error):  # written by another release of the app: a miss
            return None


class RecentPages:
    """Decoded pages of this process, the most recently used, each until it expires."""

    def __init__(self):
        self.pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.lock = Lock()

    def get(self, key: str) -> CachedPage | None:
        with self.lock:
            page = self.pages.get(key)
            if page is None or page.expires <= time.time():
                return None
            self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: CachedPage) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)


class LocalStore:
    """One process's pages (used when there is no Redis; the versions are the host's shared ones)."""

    def __init__(self, seconds: int, versions: dataversions.SharedVersions):
        self.seconds = seconds
        self.versions = versions
        self.recent = RecentPages()

    def lookup(self, key: str) -> tuple[tuple[int, ...] | None, CachedPage | None]:
        """(the versions, the page if it may be served). The versions are those a page rendered now is kept
        under; a store may leave them out (None) when it serves a page."""
        versions = self.versions.current()
        page = self.recent.get(key)
        if page is None or not dataversions.unchanged(page.tags, versions):
            return versions, None
        return versions, page

    def store(self, key: str, page: CachedPage) -> None:
        self.recent.put(key, page)


class RedisStore:
    """Pages in Redis, shared by every worker; the versions are read with the page (one round trip).

    A page this process has decoded before is served from its copy while the versions of the tables it shows
    are unchanged: the round trip then reads those few versions only, not the page (nor inflates it again)."""

    def __init__(self, client: redis.Redis, seconds: int, prefix: str, versions: dataversions.RedisVersions):
        self.client = client
        self.seconds = seconds
        self.prefix = prefix
        self.versions = versions
        self.recent = RecentPages()

    def lookup(self, key: str) -> tuple[tuple[int, ...] | None, CachedPage | None]:
        copy = self.recent.get(key)
        if copy is not None:
            current = self.versions.of(slot for slot, _version in copy.tags)
            if all(value == version for value, (_slot, version) in zip(current, copy.tags, strict=True)):
                return None, copy
        pipeline = self.client.pipeline(transaction=False)
        pipeline.hgetall(self.versions.key)
        pipeline.get(self.prefix + "page:" + key)
        raw_versions, raw = pipeline.execute()
        versions = dataversions.RedisVersions.decode(raw_versions)
        page = CachedPage.decode(raw) if raw else None
        if page is None or page.expires <= time.time() or not dataversions.unchanged(page.tags, versions):
            return versions, None
        self.recent.put(key, page)
        return versions, page

    def store(self, key: str, page: CachedPage) -> None:
        self.client.set(self.prefix + "page:" + key, page.encode(), ex=self.seconds)
        self.recent.put(key, page)


def _store() -> LocalStore | RedisStore | None:
    return current_app.extensions.get("page_cache") if has_app_context() else None


def anonymous(environ: dict, cookies: Mapping[str, str], config: Mapping) -> bool:
    """Whether the request is a visitor's that every such visitor of its language would make alike."""
    query = environ.get("QUERY_STRING", "")
    return (
        environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        and config["SESSION_COOKIE_NAME"] not in cookies
        and config.get("REMEMBER_COOKIE_NAME", "remember_token") not in cookies
        and "HTTP_AUTHORIZATION" not in environ
        # ?lang= sets the language cookie
        and not (query and any(name == "lang" for name, _value in parse_qsl(query, keep_blank_values=True)))
    )


def page_key(environ: dict, language: str) -> str:
    """The page's key: its language, host, path and query as the client sent them."""
    return (f"{language}|{get_host(environ)}|{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
            f"?{environ.get('QUERY_STRING', '')}")


def _serve_cached():
    store = _store()
    if store is None or not anonymous(request.environ, request.cookies, current_app.config):
        return None
    g.page_cache_key = page_key(request.environ, select_locale())
    if _LOOKED_UP in request.environ:  # the front door looked and found nothing: once is enough
        versions, page = request.environ.pop(_LOOKED_UP), None
    else:
        try:
            versions, page = store.lookup(g.page_cache_key)
        except redis.RedisError:
            current_app.logger.warning("page cache: Redis did not answer; rendering instead")
            return None
    if page is None:
        if "data_versions" not in g:  # nothing read yet: these are the versions the page will be rendered at
            dataversions.adopt(versions)
        return None
    response = Response(page.body, content_type=page.content_type)
    response.set_etag(page.etag)
    response.headers["Vary"] = "Cookie"
    response.headers[CACHE_HEADER] = "hit"
    return response


def _keep_page(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None or response.headers.get(CACHE_HEADER) == "hit":
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
        and "X-RateLimit-Limit" not in response.headers  # a rate-limited page counts every request
    ):
        response.add_etag()
        store = _store()
        try:
            tags = dataversions.tags(dataversions.read_so_far(), versions)
            store.store(key, CachedPage(tags, response.content_type, response.get_etag()[0], response.get_data(),
                                        time.time() + store.seconds))
        except redis.RedisError:
            current_app.logger.warning("page cache: Redis did not answer; page not kept")
        response.headers[CACHE_HEADER] = "miss"
    return response


class FrontDoor:
    """WSGI: a visitor's request for a kept page is answered here, before Flask.

    Through Flask a hit cost twice the baseline's whole page: a request context, the session,
    a dozen request hooks and a response object, around one round trip to Redis. Here it is
    the round trip, the headers and the log line. The answer is the one Flask would give
    (tests compare both); whatever this does not answer alike goes on to Flask: a client to
    whom the app would compress the body (behind nginx the proxy does), an `If-Match`, a miss.
    """

    def __init__(self, app: Flask, store: LocalStore | RedisStore):
        self.app = app
        self.store = store
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        page = self._page(environ)
        if page is None:
            return self.wsgi_app(environ, start_response)
        config = self.app.config
        status = 200 if is_resource_modified(environ, etag=page.etag) else 304
        identifier = requestlog.incoming_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [("ETag", quote_etag(page.etag)),
                   ("Vary", "Cookie, Accept-Encoding" if config.get("COMPRESS_RESPONSES", True) else "Cookie"),
                   (CACHE_HEADER, "hit"),
                   *security.security_headers(self.app, environ.get("wsgi.url_scheme") == "https"),
                   (requestlog.REQUEST_ID_HEADER, identifier),
                   ("Date", http_date())]
        if status == 200:
            headers[:0] = [("Content-Type", page.content_type), ("Content-Length", str(len(page.body)))]
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", headers)
        path = "/" + environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace").lstrip("/")
        requestlog.log_request(environ["REQUEST_METHOD"], path, status,
                               round((time.perf_counter() - started) * 1000, 2), identifier)
        return [page.body] if status == 200 and environ["REQUEST_METHOD"] == "GET" else []

    def _page(self, environ) -> CachedPage | None:
        config = self.app.config
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_IF_MATCH" in environ:
            return None
        if config.get("COMPRESS_RESPONSES", True) and _accepts(environ.get("HTTP_ACCEPT_ENCODING", ""),
                                                               config.get("COMPRESS_ALGORITHM", ())):
            return None
        cookies = parse_cookie(environ)
        if not anonymous(environ, cookies, config):
            return None
        try:
            versions, page = self.store.lookup(page_key(environ, remembered_language(cookies)))
        except redis.RedisError:
            return None  # Flask tries again, and says so in the log
        if page is None:
            environ[_LOOKED_UP] = versions
        return page


def _accepts(accept_encoding: str, algorithms: str | list[str]) -> bool:
    """Whether Flask-Compress could compress for a client sending this Accept-Encoding."""
    if isinstance(algorithms, str):
        algorithms = algorithms.split(",")
    return bool(accept_encoding) and any(algorithm.strip() in accept_encoding for algorithm in algorithms)


def init_app(app: Flask) -> None:
    """Also answers kept pages before Flask (FrontDoor): call before the WSGI wrappers that fix the environ
    (core.security.init_proxy), so that the front door sees the client's host and scheme."""
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 30))
    if seconds <= 0:
        return
    redis_url = app.config.get("REDIS_URL")
    prefix = app.config.get("PAGE_CACHE_REDIS_PREFIX", REDIS_PREFIX)
    client = (redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
              if redis_url else None)
    dataversions.init_app(app, client, prefix)
    versions = app.extensions[dataversions.EXTENSION_KEY]
    store = RedisStore(client, seconds, prefix, versions) if client is not None else LocalStore(seconds, versions)
    app.extensions["page_cache"] = store
    app.wsgi_app = FrontDoor(app, store)
    app.before_request(_serve_cached)
    # After-request functions run last-registered first: placed at the front, this one
    # runs after every other (language cookie, session) has set its headers.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_page)
