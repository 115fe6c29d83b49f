"""The secretariat /alliance/secretariat/: admins only (404 for others); organisations, members, audit log."""

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from alliance.models import Organization
from core import hooks
from core.audit import AuditEntry, audit
from core.db import db
from tests.conftest import csrf_token_from

SECRETARIAT_PAGES = [
    ("get", "/alliance/secretariat/"),
    ("get", "/alliance/secretariat/organizations"),
    ("get", "/alliance/secretariat/members"),
    ("get", "/alliance/secretariat/audit"),
    ("get", "/alliance/secretariat/applications/1"),
    ("post", "/alliance/secretariat/applications/1/approve"),
    ("post", "/alliance/secretariat/applications/1/reject"),
    ("post", "/alliance/secretariat/organizations/1/suspend"),
    ("post", "/alliance/secretariat/organizations/1/restore"),
]


@pytest.mark.parametrize("method, url", SECRETARIAT_PAGES)
def test_secretariat_is_404_for_visitors_members_and_staff(client, auth, make_member, make_organization,
                                                           method, url):
    staff = make_member()
    make_organization(staff=[staff])
    assert getattr(client, method)(url).status_code == 404
    auth.login(make_member())
    assert getattr(client, method)(url).status_code == 404
    auth.logout()
    auth.login(staff)
    assert getattr(client, method)(url).status_code == 404


def status_of(app, slug) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(Organization.status).where(Organization.slug == slug))


def test_suspend_and_restore_lose_nothing(app, client, auth, make_admin, make_member, make_organization,
                                          audit_actions):
    staff = make_member()
    organization = make_organization(slug="pause-me", name="一時停止する団体", staff=[staff],
                                     summary="残しておきたい概要。")
    auth.login(make_admin())
    listing = client.get("/alliance/secretariat/organizations").get_data(as_text=True)
    assert "一時停止する団体" in listing
    response = client.post(f"/alliance/secretariat/organizations/{organization.id}/suspend",
                           data={"reason": "連絡が取れないため"})
    assert response.status_code == 302
    assert status_of(app, "pause-me") == "suspended"
    auth.logout()
    assert client.get("/alliance/pause-me").status_code == 404
    assert "一時停止する団体" not in client.get("/alliance/").get_data(as_text=True)
    assert client.get("/api/v1/organizations/pause-me").status_code == 404
    auth.login(staff)
    assert client.get("/alliance/pause-me/edit").status_code == 404

    auth.logout()
    auth.login(make_admin())
    suspended = client.get("/alliance/secretariat/organizations?status=suspended").get_data(as_text=True)
    assert "一時停止する団体" in suspended
    client.post(f"/alliance/secretariat/organizations/{organization.id}/restore")
    assert status_of(app, "pause-me") == "active"
    html = client.get("/alliance/pause-me").get_data(as_text=True)
    assert "残しておきたい概要。" in html
    assert audit_actions("organization.") == ["organization.suspend", "organization.restore"]
    with app.app_context():
        details = db.session.scalar(sa.select(AuditEntry.details).where(AuditEntry.action == "organization.suspend"))
    assert details == {"slug": "pause-me", "reason": "連絡が取れないため"}


def test_suspend_redirects_back_only_within_the_secretariat(client, auth, make_admin, make_organization):
    organization = make_organization()
    auth.login(make_admin())
    inside = client.post(f"/alliance/secretariat/organizations/{organization.id}/suspend",
                         data={"next": "/alliance/secretariat/organizations?q=x"})
    assert inside.headers["Location"] == "/alliance/secretariat/organizations?q=x"
    outside = client.post(f"/alliance/secretariat/organizations/{organization.id}/restore",
                          data={"next": "//evil.example/"})
    assert outside.headers["Location"] == "/alliance/secretariat/organizations"


def test_organization_search(client, auth, make_admin, make_organization):
    make_organization(name="山形の地域人事部", slug="yamagata-hr")
    make_organization(name="鹿児島の地域人事部", slug="kagoshima-hr")
    auth.login(make_admin())
    html = client.get("/alliance/secretariat/organizations?q=yamagata").get_data(as_text=True)
    assert "山形の地域人事部" in html and "鹿児島の地域人事部" not in html


def test_member_search(client, auth, make_admin, make_member, make_organization):
    owner = make_member(display_name="検索 太郎", email="taro@search.example.jp", organization_name="探し物株式会社")
    make_member(display_name="別人 花子", email="hanako@other.example.jp")
    make_organization(name="太郎の団体", owner=owner)
    auth.login(make_admin())
    for query in ("検索", "search.example", "探し物"):
        html = client.get(f"/alliance/secretariat/members?q={query}").get_data(as_text=True)
        assert "検索 太郎" in html and "別人 花子" not in html, query
    html = client.get("/alliance/secretariat/members?q=taro").get_data(as_text=True)
    assert "太郎の団体" in html
    # the column is the member's workplace, headed so, with the kind of affiliation under it
    assert "勤務先・所属</th>" in html and "所属の種類</th>" not in html and "探し物株式会社<br>" in html


def test_audit_log_filters(app, client, auth, make_admin, make_member):
    admin = make_admin(display_name="事務局 一郎", email="ichiro@office.example.jp")
    other = make_member(display_name="会員 次郎")
    with app.app_context():
        audit("organization.suspend", None, actor=admin, slug="one")
        audit("organization.restore", None, actor=admin, slug="two")
        audit("member.make_admin", None, actor=other, email="x@example.jp")
        db.session.commit()
    auth.login(admin)
    html = client.get("/alliance/secretariat/audit").get_data(as_text=True)
    assert html.count("<code>") == 3
    by_action = client.get("/alliance/secretariat/audit?action=organization.suspend").get_data(as_text=True)
    assert by_action.count("<code>") == 1 and "slug:</span> one" in by_action
    by_actor = client.get("/alliance/secretariat/audit?actor=次郎").get_data(as_text=True)
    assert by_actor.count("<code>") == 1 and "member.make_admin" in by_actor
    future = client.get("/alliance/secretariat/audit?from=2999-01-01").get_data(as_text=True)
    assert future.count("<code>") == 0
    today = client.get("/alliance/secretariat/audit?from=2000-01-01&to=2999-12-31&from=bad").get_data(as_text=True)
    assert today.count("<code>") == 3


def test_other_rooms_add_secretariat_sections(app, client, auth, make_admin):
    hooks.SECRETARIAT_SECTIONS.register(app, lambda: Markup('<section id="triage">相談の振り分け</section>'))
    auth.login(make_admin())
    assert '<section id="triage">相談の振り分け</section>' in client.get("/alliance/secretariat/").get_data(as_text=True)


def test_forged_suspend_is_refused(app, make_app, make_admin, make_organization):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    admin = make_admin()
    organization = make_organization(slug="keep-listed")
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": admin.email, "password": "correct-horse-battery-42",
                                         "csrf_token": token})
    assert browser.post(f"/alliance/secretariat/organizations/{organization.id}/suspend").status_code == 400
    assert status_of(app, "keep-listed") == "active"


@pytest.mark.parametrize("url", ["/alliance/secretariat/organizations", "/alliance/secretariat/members",
                                 "/alliance/secretariat/audit"])
def test_secretariat_lists_make_a_constant_number_of_queries(app, client, auth, make_admin, make_member,
                                                             make_organization, count_queries, url):
    admin = make_admin()
    auth.login(admin)
    make_organization(owner=make_member())
    with app.app_context():
        audit("organization.update", None, actor=admin)
        db.session.commit()
    client.get(url)
    with count_queries() as few:
        client.get(url)
    with app.app_context():
        for _ in range(15):
            audit("organization.update", None, actor=admin)
        db.session.commit()
    for _ in range(8):
        make_organization(owner=make_member(), staff=[make_member()])
    with count_queries() as many:
        client.get(url)
    assert len(few) == len(many)
