"""Account deletion: personal data is erased everywhere, not hidden."""

import pytest
import sqlalchemy as sa

from core import hooks
from core.audit import AuditEntry, audit
from core.db import db
from members.models import ApiToken, LoginSession, Member, MemberTheme
from tests.conftest import PASSWORD
from tests.members.conftest import field_errors


def database_text(app) -> str:
    """Every value of every row of every table, as one string."""
    with app.app_context():
        rows = []
        for table in db.metadata.sorted_tables:
            rows.extend(str(tuple(row)) for row in db.session.execute(sa.select(table)))
        return "\n".join(rows)


def test_delete_page_asks_for_confirmation(client, auth, make_member):
    auth.login(make_member())
    html = client.get("/members/me/delete").get_data(as_text=True)
    assert "退会" in html and 'name="current_password"' in html and 'method="post"' in html


def test_deleting_the_account_erases_the_personal_data(app, client, auth, make_member, count_rows, outbox,
                                                         mail_link):
    member = make_member(email="erase-me@example.jp", display_name="消える 会員", organization_name="消える株式会社",
                         themes=["seniors"])
    keeper = make_member()
    auth.login(member)
    client.post("/members/me/tokens", data={"name": "sync"})
    client.post("/members/me/edit", data={
        "display_name": "消える 会員", "prefecture": "13", "affiliation": "company", "organization_name": "消える株式会社",
        "themes": ["seniors"], "bio": "", "locale": "ja", "email": "erase-me@example.jp", "current_password": "",
    })
    for old, new in (("erase-me@example.jp", "erase_me.2@example.jp"), ("erase_me.2@example.jp", "erase-me-3@example.jp")):
        client.post("/members/me/edit", data={
            "display_name": "消える 会員", "prefecture": "13", "affiliation": "company",
            "organization_name": "消える株式会社", "locale": "ja", "email": new, "current_password": PASSWORD,
        })
        client.post(mail_link(new, "member.change_email", "/members/verify/"))
        assert outbox(old, kind="member.email_changed")
    with app.app_context():
        audit("member.make_admin", db.session.get(Member, member.id), email=member.email)
        db.session.commit()
    client.post("/members/me/password", data={"current_password": PASSWORD, "password": "fresh-Password-992",
                                              "password_confirm": "fresh-Password-992"})
    assert outbox("erase-me-3@example.jp")  # a mail to the member is queued

    response = client.post("/members/me/delete", data={"current_password": "fresh-Password-992"})

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "退会しました" in client.get("/").get_data(as_text=True)
    assert client.get("/members/me").status_code == 302
    for model in (LoginSession, ApiToken, MemberTheme):
        assert count_rows(model, model.member_id == member.id) == 0
    assert count_rows(Member) == 1 and count_rows(Member, Member.id == keeper.id) == 1
    everything = database_text(app)
    for personal in ("erase-me@example.jp", "erase_me.2@example.jp", "erase-me-3@example.jp", "消える 会員", "消える株式会社"):
        assert personal not in everything
    with app.app_context():
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "member.delete"))
        assert entry.actor_id is None and entry.ip_address is None
        assert entry.details == {"member_id": member.id}


def test_member_erasers_of_other_blueprints_run_first(app, client, auth, make_member):
    erased = []

    def eraser(member):
        # Still in the database when erasers run, so they can find their rows by member id.
        assert db.session.get(Member, member.id) is not None
        erased.append(member.id)

    hooks.MEMBER_ERASERS.register(app, eraser)
    member = make_member()
    auth.login(member)
    client.post("/members/me/delete", data={"current_password": PASSWORD})
    assert erased == [member.id]


@pytest.mark.parametrize("password, message", [
    ("", "現在のパスワードを入力してください。"),
    ("wrong-password-5", "現在のパスワードが正しくありません。"),
])
def test_delete_needs_the_current_password(client, auth, make_member, count_rows, password, message):
    member = make_member()
    auth.login(member)
    response = client.post("/members/me/delete", data={"current_password": password})
    assert response.status_code == 200
    assert message in field_errors(response.get_data(as_text=True))
    assert count_rows(Member, Member.id == member.id) == 1
    assert client.get("/members/me").status_code == 200


def test_the_last_admin_cannot_delete_themselves(client, auth, make_admin, make_member, count_rows):
    admin = make_admin()
    make_member()
    auth.login(admin)
    page = client.get("/members/me/delete").get_data(as_text=True)
    assert "最後の事務局アカウント" in page and 'name="current_password"' not in page
    response = client.post("/members/me/delete", data={"current_password": PASSWORD})
    assert response.status_code == 302
    assert count_rows(Member, Member.id == admin.id) == 1


def test_an_admin_may_leave_when_another_admin_remains(client, auth, make_admin, count_rows):
    leaving, _staying = make_admin(), make_admin()
    auth.login(leaving)
    client.post("/members/me/delete", data={"current_password": PASSWORD})
    assert count_rows(Member, Member.id == leaving.id) == 0


def test_deleted_members_token_no_longer_works(client, auth, make_member):
    member = make_member()
    auth.login(member)
    client.post("/members/me/tokens", data={"name": "sync"})
    secret = client.get("/members/me").get_data(as_text=True).split('token-value">')[1].split("<")[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    client.post("/members/me/delete", data={"current_password": PASSWORD})
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
