"""HTTP that helps clients: ETag and 304, compression, static files cached for a year, the reverse proxy."""

import gzip
import re

import brotli
import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from core.http import STATIC_MAX_AGE
from tests.conftest import PASSWORD, AuthActions

pytestmark = pytest.mark.one_engine


def test_a_page_carries_an_etag_and_a_client_holding_it_gets_304(client):
    first = client.get("/alliance/")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/alliance/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    other = client.get("/alliance/", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_the_api_answers_304_to_a_current_etag(client):
    first = client.get("/api/v1/themes")
    assert first.status_code == 200
    assert client.get("/api/v1/themes", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_a_cached_visitor_page_keeps_its_etag(make_app):
    visitor_app = make_app(PAGE_CACHE_SECONDS=30)
    miss = visitor_app.test_client().get("/events/")
    hit = visitor_app.test_client().get("/events/")
    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
    assert hit.headers["ETag"] == miss.headers["ETag"]
    not_modified = visitor_app.test_client().get("/events/", headers={"If-None-Match": hit.headers["ETag"]})
    assert not_modified.status_code == 304


@pytest.mark.parametrize(("accepted", "encoding", "decode"), [
    ("gzip", "gzip", gzip.decompress),
    ("br, gzip", "br", brotli.decompress),
])
def test_pages_are_compressed_for_clients_that_accept_it(make_app, accepted, encoding, decode):
    compressing = make_app(COMPRESS_RESPONSES=True, PAGE_CACHE_SECONDS=30).test_client()
    plain = compressing.get("/")
    assert "Content-Encoding" not in plain.headers  # control: nothing asked, nothing compressed
    for _ in range(2):  # rendered, then from the page cache
        packed = compressing.get("/", headers={"Accept-Encoding": accepted})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.get_data()) < len(plain.get_data()) / 2
        assert decode(packed.get_data()) == plain.get_data()


def test_static_files_are_linked_by_content_hash_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert re.fullmatch(r"/static/core/site\.css\?v=[0-9a-f]{12}", href)
    css = client.get(href)
    assert css.status_code == 200 and f"max-age={STATIC_MAX_AGE}" in css.headers["Cache-Control"]
    assert "immutable" in css.headers["Cache-Control"]
    stale = client.get("/static/core/site.css?v=000000000000")  # an old link: not kept for a year
    assert f"max-age={STATIC_MAX_AGE}" not in stale.headers.get("Cache-Control", "")


def test_a_clients_own_forwarded_for_is_ignored_without_a_trusted_proxy(make_app, audit_ip):
    application = make_app()
    assert application.config["TRUSTED_PROXIES"] == 0
    assert audit_ip(application, {"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"


def test_behind_one_proxy_the_visitors_address_and_https_count(make_app, audit_ip):
    assert audit_ip(make_app(TRUSTED_PROXIES=1), {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"
    application = make_app(TRUSTED_PROXIES=1, WTF_CSRF_ENABLED=True)
    page = application.test_client().get("/members/login?lang=en", headers={"X-Forwarded-Proto": "https"})
    cookies = page.headers.getlist("Set-Cookie")
    assert len(cookies) == 2 and all("; Secure" in cookie for cookie in cookies)  # session (CSRF) and language
    plain = application.test_client().get("/members/login?lang=en")
    assert len(plain.headers.getlist("Set-Cookie")) == 2
    assert all("; Secure" not in cookie for cookie in plain.headers.getlist("Set-Cookie"))


@pytest.fixture
def audit_ip(make_member):
    """The address the audit log records for a password change made with these headers."""

    def change_password(application, headers) -> str:
        member = make_member()
        client = application.test_client()
        AuthActions(client).login(member)
        response = client.post("/members/me/password", headers=headers, data={
            "current_password": PASSWORD, "password": "river-lantern-compass-81",
            "password_confirm": "river-lantern-compass-81"})
        assert response.status_code == 302
        with application.app_context():
            return db.session.scalar(sa.select(AuditEntry.ip_address).where(AuditEntry.action == "member.password_change")
                                     .order_by(AuditEntry.id.desc()).limit(1))

    return change_password
