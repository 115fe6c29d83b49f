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

Freshness: every committed database write moves a data version on (right after the
commit, before the writer's response leaves), and a page is served only while the
version it was rendered at is current — a new event, seat or article shows on the
next request, in every worker. With `REDIS_URL` the version and the pages live in
Redis, shared by every worker process and host. Without it each process keeps its
own pages, but the version is one counter in a small file in instance/ that every
worker on the host maps into memory (reading it costs a memory read; a write takes
a file lock for a few microseconds), so a write in one worker retires every other
worker's pages at once. Every entry also expires after `PAGE_CACHE_SECONDS`, so
pages that move with the clock ("upcoming", "deadline passed") stay current.
`PAGE_CACHE_SECONDS=0` turns the cache off.

Cached pages carry an ETag (a hash of the body); a client that sends it back in
`If-None-Match` gets `304 Not Modified` without the body.
"""

import fcntl
import mmap
import os
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import redis
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy.orm import Session

from core.i18n import select_locale

CACHE_HEADER = "X-Page-Cache"
CACHED_MIMETYPES = frozenset({"text/html", "application/json", "application/xml"})  # pages, the API, the sitemap
#: pages kept per process without Redis (the most recently used)
LOCAL_ENTRIES = 500
#: where the pages and the version live in Redis (PAGE_CACHE_REDIS_PREFIX overrides: tests, shared servers)
REDIS_PREFIX = "ranhub:pages:"
#: the data version shared by the worker processes of one host when there is no Redis
VERSION_FILE = "pagecache.version"


@dataclass(frozen=True)
class CachedPage:
    version: str
    content_type: str
    etag: str
    body: bytes

    def encode(self) -> bytes:
        header = f"{self.version}\n{self.content_type}\n{self.etag}\n".encode()
        return header + zlib.compress(self.body, 1)

    @classmethod
    def decode(cls, raw: bytes) -> "CachedPage":
        version, content_type, etag, body = raw.split(b"\n", 3)
        return cls(version.decode(), content_type.decode(), etag.decode(), zlib.decompress(body))


class SharedVersion:
    """A counter in an 8-byte file that every process on the host maps into memory.

    Each process maps the file itself (after a fork too), reads are plain memory reads,
    and a bump takes a POSIX record lock (between processes) and a thread lock (within one).
    """

    SIZE = 8

    def __init__(self, path: str):
        self.path = path
        self._pid: int | None = None
        self._descriptor = -1
        self._map: mmap.mmap | None = None
        self._lock = Lock()

    def _mapped(self) -> mmap.mmap:
        if self._pid != os.getpid():
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(descriptor).st_size < self.SIZE:
                os.ftruncate(descriptor, self.SIZE)
            self._descriptor, self._map, self._pid = descriptor, mmap.mmap(descriptor, self.SIZE), os.getpid()
        return self._map

    def current(self) -> int:
        return int.from_bytes(self._mapped()[:self.SIZE], "little")

    def bump(self) -> None:
        mapped = self._mapped()
        with self._lock:
            fcntl.lockf(self._descriptor, fcntl.LOCK_EX)
            try:
                mapped[:self.SIZE] = (int.from_bytes(mapped[:self.SIZE], "little") + 1).to_bytes(self.SIZE, "little")
            finally:
                fcntl.lockf(self._descriptor, fcntl.LOCK_UN)


class LocalStore:
    """One process's pages under the host's shared data version (used when there is no Redis)."""

    def __init__(self, seconds: int, version_file: str):
        self.seconds = seconds
        self.shared = SharedVersion(version_file)
        self.pages: OrderedDict[str, tuple[float, CachedPage]] = OrderedDict()
        self.lock = Lock()

    def version(self) -> str:
        return str(self.shared.current())

    def lookup(self, key: str) -> tuple[str, CachedPage | None]:
        version = self.version()
        with self.lock:
            entry = self.pages.get(key)
            if entry is None or entry[0] < time.monotonic() or entry[1].version != version:
                return version, None
            self.pages.move_to_end(key)
            return version, entry[1]

    def store(self, key: str, page: CachedPage) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic() + self.seconds, page)
            self.pages.move_to_end(key)
            while len(self.pages) > LOCAL_ENTRIES:
                self.pages.popitem(last=False)

    def bump(self) -> None:
        self.shared.bump()
        with self.lock:
            self.pages.clear()


class RedisStore:
    """Pages and the data version in Redis, shared by every worker (one round trip per lookup)."""

    def __init__(self, url: str, seconds: int, prefix: str = REDIS_PREFIX):
        self.seconds = seconds
        self.prefix = prefix
        self.version_key = prefix + "version"
        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def version(self) -> str:
        return (self.client.get(self.version_key) or b"0").decode()

    def lookup(self, key: str) -> tuple[str, CachedPage | None]:
        version, raw = self.client.mget(self.version_key, self.prefix + "page:" + key)
        version = (version or b"0").decode()
        return version, CachedPage.decode(raw) if raw else None

    def store(self, key: str, page: CachedPage) -> None:
        self.client.set(self.prefix + "page:" + key, page.encode(), ex=self.seconds)

    def bump(self) -> None:
        self.client.incr(self.version_key)


def _store() -> LocalStore | RedisStore | None:
    return current_app.extensions.get("page_cache") if has_app_context() else None


def data_version() -> str | None:
    """The data version now (moved on by every committed write), or None when caching is off or Redis does not
    answer; the one this request's page-cache lookup read, when it made one."""
    store = _store()
    if store is None:
        return None
    version = g.get("page_cache_version") or g.get("data_version")
    if version is not None:
        return version
    try:
        # Read once per request (a Redis round trip); a commit in this request forgets it (_after_commit).
        g.data_version = store.version()
    except redis.RedisError:
        current_app.logger.warning("page cache: Redis did not answer; fragments rendered instead")
        return None
    return g.data_version


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
        version, page = store.lookup(_key())
    except redis.RedisError:
        current_app.logger.warning("page cache: Redis did not answer; rendering instead")
        return None
    g.page_cache_version = version
    if page is None or page.version != version:
        return None
    response = Response(page.body, content_type=page.content_type)
    response.set_etag(page.etag)
    response.headers["Vary"] = "Cookie"
    response.headers[CACHE_HEADER] = "hit"
    return response


def _keep_page(response: Response) -> Response:
    version = g.pop("page_cache_version", None)
    if version is None or response.headers.get(CACHE_HEADER) == "hit":
        return response
    cache_control = response.headers.get("Cache-Control", "")
    if (
        response.status_code == 200
        and response.mimetype in CACHED_MIMETYPES
        and not response.direct_passthrough
        and "Set-Cookie" not in response.headers
        and not session  # the page put something (a CSRF token) into a new session cookie
        and "private" not in cache_control
        and "no-store" not in cache_control
    ):
        response.add_etag()
        try:
            page = CachedPage(version, response.content_type, response.get_etag()[0], response.get_data())
            _store().store(_key(), page)
        except redis.RedisError:
            current_app.logger.warning("page cache: Redis did not answer; page not kept")
        response.headers[CACHE_HEADER] = "miss"
    return response


def _note_write(session: Session, *_args) -> None:
    session.info["page_cache_wrote"] = True


def _note_statement(state) -> None:
    # A write no cached page or fragment shows (a login session's last visit) says so with
    # execution_options(affects_pages=False), and does not retire every page of the site.
    if not state.is_select and state.execution_options.get("affects_pages", True):
        state.session.info["page_cache_wrote"] = True


def _after_commit(session: Session) -> None:
    if session.info.pop("page_cache_wrote", False):
        store = _store()
        if store is not None:
            try:
                store.bump()
            except redis.RedisError:
                current_app.logger.warning("page cache: Redis did not answer; version not moved on")
            # What this request read before its write is not the data now: neither kept nor served.
            g.pop("data_version", None)
            g.pop("page_cache_version", None)


def _forget_rolled_back(session: Session, *_args) -> None:
    session.info.pop("page_cache_wrote", None)


SESSION_LISTENERS = (
    ("after_flush", _note_write),
    ("do_orm_execute", _note_statement),
    ("after_commit", _after_commit),
    ("after_soft_rollback", _forget_rolled_back),
)


def init_app(app: Flask) -> None:
    seconds = int(app.config.get("PAGE_CACHE_SECONDS", 30))
    if seconds <= 0:
        return
    redis_url = app.config.get("REDIS_URL")
    app.extensions["page_cache"] = (
        RedisStore(redis_url, seconds, app.config.get("PAGE_CACHE_REDIS_PREFIX", REDIS_PREFIX))
        if redis_url else LocalStore(seconds, os.path.join(app.instance_path, VERSION_FILE))
    )
    app.before_request(_serve_cached)
    # After-request functions run last-registered first: placed at the front, this one
    # runs after every other (language cookie, session) has set its headers.
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_page)
    # Session events are global (every app in the process shares the class); each
    # looks up the cache of the app that is current when it fires.
    for name, listener in SESSION_LISTENERS:
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)

