"""The visitors' page cache: served again only while nothing was written, never to or from a session."""

import multiprocessing
import os
import zlib

import pytest
import redis
import sqlalchemy as sa
from flask import Flask, request
from werkzeug.test import Client

from alliance.models import Organization
from core import dataversions, pagecache
from core.db import db
from core.security import limiter

CACHE = pagecache.CACHE_HEADER


@pytest.fixture
def app(make_app):
    return make_app(PAGE_CACHE_SECONDS=30)


@pytest.fixture
def visitor(app):
    """A fresh cookie-less client per request, like many different visitors."""
    return lambda path, **kwargs: app.test_client().get(path, **kwargs)


def test_a_visitor_page_is_rendered_once_then_served_again(visitor, make_organization):
    make_organization(name="気仙沼まちの人事部")
    first, second = visitor("/alliance/"), visitor("/alliance/")
    assert first.headers[CACHE] == "miss" and second.headers[CACHE] == "hit"
    assert second.get_data() == first.get_data()
    assert "気仙沼まちの人事部" in second.get_data(as_text=True)
    # The security headers are added to a page from the cache as well.
    assert "default-src 'self'" in second.headers["Content-Security-Policy"]
    assert second.headers["Vary"] == "Cookie"


def test_a_committed_write_shows_on_the_next_request(app, visitor, make_organization):
    first = make_organization(name="最初の団体")
    visitor("/alliance/")
    make_organization(name="あとから加わった団体")
    page = visitor("/alliance/")
    assert page.headers[CACHE] == "miss"
    assert "あとから加わった団体" in page.get_data(as_text=True)

    with app.app_context():  # a bulk UPDATE outside the unit of work counts as a write too
        db.session.execute(sa.update(Organization).where(Organization.slug == first.slug).values(name="名前を変えた団体"))
        db.session.commit()
    assert "名前を変えた団体" in visitor("/alliance/").get_data(as_text=True)


def test_a_rolled_back_change_keeps_the_cached_page(app, visitor, make_organization):
    make_organization()
    visitor("/alliance/")
    with app.app_context():
        db.session.execute(sa.update(Organization).values(kind="other"))
        db.session.rollback()
    assert visitor("/alliance/").headers[CACHE] == "hit"


def test_members_never_get_nor_leave_a_cached_page(client, auth, make_member, visitor):
    member = make_member(display_name="山田 花子")
    visitor("/")
    auth.login(member)
    page = client.get("/")
    assert CACHE not in page.headers
    assert "山田 花子" in page.get_data(as_text=True)
    assert "山田 花子" not in visitor("/").get_data(as_text=True)


def test_a_page_that_starts_a_session_is_not_kept(make_app):
    """/consult carries a CSRF token: a copy would hand one visitor's token to the next."""
    application = make_app(PAGE_CACHE_SECONDS=30, WTF_CSRF_ENABLED=True)
    first, second = (application.test_client().get("/consult") for _ in range(2))
    assert "Set-Cookie" in first.headers and CACHE not in first.headers
    assert "Set-Cookie" in second.headers and CACHE not in second.headers
    assert first.get_data() != second.get_data()  # each visitor got a token of their own


def test_languages_are_kept_apart(app, visitor):
    japanese = visitor("/")
    assert visitor("/?lang=en").headers.get(CACHE) is None  # it sets the language cookie
    english = app.test_client()
    english.set_cookie("lang", "en")
    assert english.get("/").headers[CACHE] == "miss"
    assert 'lang="en"' in english.get("/").get_data(as_text=True)
    assert visitor("/").get_data() == japanese.get_data()


def test_the_health_check_asks_the_database_every_time(visitor):
    assert visitor("/healthz").headers["Cache-Control"] == "no-store"
    assert CACHE not in visitor("/healthz").headers


def test_api_tokens_and_error_pages_are_not_kept(visitor):
    assert CACHE not in visitor("/api/v1/themes", headers={"Authorization": "Bearer nothing"}).headers
    assert visitor("/no-such-page").status_code == 404
    assert CACHE not in visitor("/no-such-page").headers


@pytest.mark.parametrize("where", ["process", "redis"])
def test_pages_expire_after_the_configured_time(make_app, request, monkeypatch, where):
    config = request.getfixturevalue("redis_cache_config") if where == "redis" else {"PAGE_CACHE_SECONDS": 30}
    application = make_app(**config)
    assert [application.test_client().get("/").headers[CACHE] for _ in range(2)] == ["miss", "hit"]
    later = pagecache.time.time() + 31
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert application.test_client().get("/").headers[CACHE] == "miss"  # the process's copy expires with the page


# --- the front door: hits answered before Flask ----------------------------------------------------------------

def _without_front_door(application: Flask) -> Client:
    """A client of the app as Flask alone serves it: a hit goes through the request hooks."""
    return Client(lambda environ, start_response: Flask.wsgi_app(application, environ, start_response))


def _requests_seen_by_flask(application: Flask) -> list[str]:
    seen = []
    application.before_request_funcs.setdefault(None, []).insert(0, lambda: seen.append(request.path))
    return seen


def _comparable(headers) -> list[tuple[str, str]]:
    return sorted((name, value) for name, value in headers.items() if name not in ("X-Request-ID", "Date"))


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("path", ["/events/", "/api/v1/events?limit=5"])
def test_the_front_door_answers_a_hit_as_flask_would(make_app, compress, path):
    application = make_app(PAGE_CACHE_SECONDS=30, COMPRESS_RESPONSES=compress)
    hooks_ran = _requests_seen_by_flask(application)
    etag = application.test_client().get(path).headers["ETag"]
    for method, headers, base_url in [
        ("GET", {}, "http://localhost"),
        ("HEAD", {}, "http://localhost"),
        ("GET", {"If-None-Match": etag}, "http://localhost"),
        ("GET", {}, "https://localhost"),  # Strict-Transport-Security
    ]:
        hooks_ran.clear()
        front = application.test_client().open(path, method=method, headers=headers, base_url=base_url)
        assert hooks_ran == [], "answered before Flask"
        flask = _without_front_door(application).open(path, method=method, headers=headers, base_url=base_url)
        assert hooks_ran, "Flask's own hit, for comparison"
        assert (front.status, _comparable(front.headers)) == (flask.status, _comparable(flask.headers))
        assert front.get_data() == flask.get_data()
        assert front.headers[CACHE] == "hit" and front.headers["X-Request-ID"]
    assert front.headers["Strict-Transport-Security"]


def test_a_client_the_app_compresses_for_is_answered_by_flask(make_app):
    application = make_app(PAGE_CACHE_SECONDS=30, COMPRESS_RESPONSES=True)
    hooks_ran = _requests_seen_by_flask(application)
    application.test_client().get("/")
    packed = application.test_client().get("/", headers={"Accept-Encoding": "gzip"})
    assert packed.headers[CACHE] == "hit" and packed.headers["Content-Encoding"] == "gzip"
    assert hooks_ran == ["/", "/"]


def test_a_miss_asks_the_store_once(make_app, redis_cache_config, monkeypatch):
    """The front door's look-up is handed to Flask, which renders at the versions it read."""
    application = make_app(**redis_cache_config)
    store = application.extensions["page_cache"]
    lookups = []
    looked_up = store.lookup
    monkeypatch.setattr(store, "lookup", lambda key: lookups.append(key) or looked_up(key))
    assert application.test_client().get("/alliance/").headers[CACHE] == "miss"
    assert len(lookups) == 1
    assert application.test_client().get("/alliance/").headers[CACHE] == "hit"
    assert len(lookups) == 2


def test_behind_a_proxy_the_front_door_sees_the_visitors_host_and_https(make_app):
    application = make_app(PAGE_CACHE_SECONDS=30, TRUSTED_PROXIES=1)
    proxied = {"X-Forwarded-Host": "ran-hub.jp", "X-Forwarded-Proto": "https"}
    first, second = (application.test_client().get("/", headers=proxied) for _ in range(2))
    assert (first.headers[CACHE], second.headers[CACHE]) == ("miss", "hit")
    assert second.headers["Strict-Transport-Security"]
    other_host = application.test_client().get("/", headers={"X-Forwarded-Host": "other.example"})
    assert other_host.headers[CACHE] == "miss"  # kept apart by host
    assert "Strict-Transport-Security" not in other_host.headers


def test_a_rate_limited_page_is_never_kept(make_app):
    """A hit is answered before the limiter counts: such a page is rendered, and counted, every time."""
    application = make_app(PAGE_CACHE_SECONDS=30, RATELIMIT_ENABLED=True)

    @application.get("/test-limited")
    @limiter.limit("2 per minute")
    def limited_page():
        return "<p>数えられるページ</p>"

    answers = [application.test_client().get("/test-limited") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert all(CACHE not in answer.headers for answer in answers)


def test_a_page_kept_by_another_release_is_a_miss():
    page = pagecache.CachedPage(((0, 1), (7, 2)), "text/html; charset=utf-8", "abc", "<p>ページ</p>".encode(), 1e10)
    assert pagecache.CachedPage.decode(page.encode()) == page
    before_expiry_was_kept = b"0:1,7:2\ntext/html; charset=utf-8\nabc\n" + zlib.compress(b"<p>old</p>")
    assert pagecache.CachedPage.decode(before_expiry_was_kept) is None


def test_switched_off_with_zero_seconds(make_app):
    application = make_app(PAGE_CACHE_SECONDS=0)
    for _ in range(2):
        assert CACHE not in application.test_client().get("/").headers


@pytest.fixture
def redis_app(make_app, redis_cache_config):
    """The cache in Redis (as in production), under a prefix of this test's own."""
    return make_app(**redis_cache_config)


def test_workers_share_pages_and_writes_through_redis(redis_app, make_app):
    # A second app on the same Redis stands for a second gunicorn worker.
    other_worker = make_app(**{key: redis_app.config[key] for key in
                               ("PAGE_CACHE_SECONDS", "REDIS_URL", "PAGE_CACHE_REDIS_PREFIX")})
    assert redis_app.test_client().get("/events/").headers[CACHE] == "miss"
    assert other_worker.test_client().get("/events/").headers[CACHE] == "hit"

    with redis_app.app_context():  # a write in the first worker …
        db.session.execute(sa.update(Organization).values(name="共有される団体"))
        db.session.commit()
    # … and the second one renders afresh.
    assert other_worker.test_client().get("/events/").headers[CACHE] == "miss"


def test_a_redis_outage_falls_back_to_rendering(make_app):
    application = make_app(PAGE_CACHE_SECONDS=30, REDIS_URL="redis://127.0.0.1:1/0")
    page = application.test_client().get("/")
    assert page.status_code == 200 and CACHE not in page.headers


def test_a_dropped_redis_connection_costs_no_visitor_their_page(redis_app):
    client = redis_app.test_client()
    first = client.get("/events/")
    assert client.get("/events/").headers[CACHE] == "hit"
    versions = redis_app.extensions[dataversions.EXTENSION_KEY]
    # Redis drops the worker's own connection (a restart, an idle timeout of a proxy in between) …
    redis.Redis.from_url(redis_app.config["REDIS_URL"]).client_kill_filter(_id=versions._ask("CLIENT", "ID"))
    # … the front door's read fails, Flask's look-up connects again, and the visitor still gets the page.
    again = client.get("/events/")
    assert again.status_code == 200 and again.data == first.data
    assert client.get("/events/").headers[CACHE] == "hit"


def test_a_forked_worker_reads_the_versions_over_a_connection_of_its_own(redis_app):
    versions = redis_app.extensions[dataversions.EXTENSION_KEY]
    versions.current()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # gunicorn's worker: forked from a master that may have read them already
        try:
            versions.current()
            os.write(writing, repr(versions._connection._sock.getsockname()).encode())
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    childs_address = os.read(reading, 200).decode()
    os.close(reading), os.close(writing)
    assert childs_address != repr(versions._connection._sock.getsockname())
    assert versions.current() == versions.decode(redis_app.extensions["page_cache"].client.hgetall(versions.key))


def test_without_redis_a_write_in_one_worker_retires_the_pages_of_the_others(make_app):
    """Two apps on one instance/ stand for two gunicorn workers of one host: one version file."""
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    for worker in (first_worker, second_worker):
        assert worker.test_client().get("/alliance/").headers[CACHE] == "miss"
    assert first_worker.test_client().get("/alliance/").headers[CACHE] == "hit"
    with second_worker.app_context():
        db.session.execute(sa.update(Organization).values(name="別のワーカーで変えた名前"))
        db.session.commit()
    assert first_worker.test_client().get("/alliance/").headers[CACHE] == "miss"


def test_the_shared_versions_count_bumps_from_every_process(tmp_path):
    path = str(tmp_path / "dataversions")
    versions = dataversions.SharedVersions(path)
    start = versions.current()
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_bump_times, args=(path, 50)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    now = versions.current()
    assert now[3] == start[3] + 200 and now[200] == start[200] + 100  # every slot counted apart
    assert now[5] == start[5]
    assert (tmp_path / "dataversions").stat().st_mode & 0o777 == 0o600


def _bump_times(path: str, times: int) -> None:
    versions = dataversions.SharedVersions(path)
    for turn in range(times):
        versions.bump((3, 200) if turn % 2 else (3,))
