"""Site-wide pages: home, language switch, error pages, health check, headers."""

import re

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from app import MAX_UPLOAD_BYTES, MIGRATIONS_DIR, create_app
from core.db import db
from tests.conftest import app_config


def test_home_page_is_japanese_by_default(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "地域人事部とは" in html
    assert "2つの参加方法" in html


def test_lang_parameter_switches_to_english_and_is_remembered(client):
    response = client.get("/?lang=en")
    assert "What is a regional HR department?" in response.get_data(as_text=True)
    assert "lang=en" in response.headers["Set-Cookie"]
    again = client.get("/")
    assert '<html lang="en">' in again.get_data(as_text=True)
    back = client.get("/?lang=ja")
    assert "地域人事部とは" in back.get_data(as_text=True)


def test_unknown_language_falls_back_to_japanese(client):
    response = client.get("/?lang=xx")
    assert '<html lang="ja">' in response.get_data(as_text=True)


def test_404_page_is_japanese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_oversized_request_gets_413_page(client):
    response = client.post("/members/login", data={"email": "a@example.jp", "password": "x" * (MAX_UPLOAD_BYTES + 1)})
    assert response.status_code == 413
    assert "サイズが大きすぎます" in response.get_data(as_text=True)


def test_healthz_checks_the_database_and_reports_the_migration_revision(client):
    head = ScriptDirectory(MIGRATIONS_DIR).get_current_head()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "revision": head, "head": head,
                             "migrations": "current"}


def test_healthz_says_when_migrations_are_pending(client, app):
    with app.app_context():
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
        db.session.commit()
    try:
        response = client.get("/healthz")
    finally:
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :head"),
                               {"head": ScriptDirectory(MIGRATIONS_DIR).get_current_head()})
            db.session.commit()
    assert response.status_code == 200
    assert response.json["revision"] == "older"
    assert response.json["migrations"] == "pending"


@pytest.mark.one_engine
def test_healthz_answers_503_when_the_database_is_unreachable(database_url, tmp_path):
    application = create_app(app_config(f"sqlite:///{tmp_path}/missing-dir/none.sqlite3"))
    response = application.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unreachable"}


@pytest.mark.parametrize(
    "header, expected",
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ],
)
def test_security_headers(client, header, expected):
    assert client.get("/").headers[header] == expected


def test_csp_forbids_inline_script_and_framing(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_carry_no_inline_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_debug_is_off_by_default(app):
    assert app.debug is False


@pytest.mark.parametrize("path, current", [
    ("/alliance/", ["加盟団体"]),
    ("/alliance/nav-test", ["加盟団体"]),
    ("/alliance/projects/", ["募集"]),
    ("/alliance/projects/people/", ["募集"]),
    ("/alliance/referrals/", []),
    ("/alliance/secretariat/", []),
    ("/events/", ["イベント"]),
    ("/impact", ["活動実績"]),
    ("/members/me", []),
    ("/", []),
])
def test_main_menu_marks_the_section_of_the_page(client, auth, make_admin, make_organization, path, current):
    """The deepest menu URL containing the page wins; referrals and the secretariat sit under /alliance/ but are
    not the member directory."""
    make_organization(slug="nav-test")
    auth.login(make_admin())
    response = client.get(path)
    assert response.status_code == 200
    nav = response.get_data(as_text=True).split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == current


@pytest.mark.parametrize("url", ["/consult", "/members/signup"])
def test_a_nul_byte_in_a_form_is_a_bad_request_not_a_crash(client, url):
    assert client.post(url, data={"message": "本文", "display_name": "山田"}).status_code in (200, 422)  # control
    response = client.post(url, data={"message": "本文\x00です", "display_name": "山田\x00"})
    assert response.status_code == 400
    assert "<html" in response.get_data(as_text=True)


#: every HTML list with pages, and who may see it
LISTS = [
    ("visitor", "/alliance/"), ("visitor", "/events/"), ("visitor", "/events/?when=past"), ("visitor", "/knowhow/"),
    ("visitor", "/knowhow/?q=研修"), ("visitor", "/search?q=研修"), ("visitor", "/alliance/projects/"),
    ("visitor", "/alliance/projects/people/"), ("admin", "/alliance/secretariat/organizations"),
    ("admin", "/alliance/secretariat/members"), ("admin", "/alliance/secretariat/audit"),
    ("admin", "/alliance/secretariat/mail"), ("admin", "/alliance/referrals/?view=all"),
    ("admin", "/alliance/referrals/triage/"), ("admin", "/events/manage"), ("admin", "/events/trash"),
    ("admin", "/knowhow/deleted"),
]


@pytest.mark.parametrize(("who", "url"), LISTS)
def test_an_absurd_page_number_is_404_never_500(client, auth, make_admin, who, url):
    if who == "admin":
        auth.login(make_admin())
    joiner = "&" if "?" in url else "?"
    assert client.get(url).status_code == 200  # control: the first page, even of an empty list
    assert client.get(f"{url}{joiner}page=1").status_code == 200
    for page in ("99999999999999999999", "2", "0", "-1", "x", "1.5", "１２"):
        assert client.get(f"{url}{joiner}page={page}").status_code == 404, page
