"""What the alliance adds to other rooms' pages: /members/me section and site search results."""

import sqlalchemy as sa

from alliance.models import OrganizationApplication, StaffInvitation
from core import hooks
from core.db import db
from tests.alliance.conftest import application_form


def test_member_section_lists_the_members_organizations(app, make_member, make_organization):
    owner = make_member()
    make_organization(name="私が動かす団体", slug="my-org", owner=owner)
    with app.test_request_context():
        html = "".join(hooks.MEMBER_SECTIONS.render_all(owner))
    assert "私が動かす団体" in html and "/alliance/my-org/edit" in html and "オーナー" in html
    assert "/alliance/secretariat/" not in html


def test_member_section_shows_the_secretariat_link_to_admins(app, make_admin):
    admin = make_admin()
    with app.test_request_context():
        html = "".join(hooks.MEMBER_SECTIONS.render_all(admin))
    assert "/alliance/secretariat/" in html
    assert "まだ加盟団体のスタッフにはなっていません。" in html


def test_search_finds_live_organizations_with_highlights(app, make_organization):
    make_organization(name="信州複業ラボ", slug="shinshu", summary="塩尻で<複業>人材と中小企業をつなぎます。")
    make_organization(name="停止中の複業団体", status="suspended")
    with app.test_request_context():
        hits = [hit for provider in hooks.SEARCH_PROVIDERS.implementations() for hit in provider.search("複業", None, 10)]
    assert [hit.title for hit in hits] == ["信州複業ラボ"]
    assert hits[0].url == "/alliance/shinshu"
    assert hits[0].kind == "organization"
    assert "<mark>複業</mark>" in str(hits[0].snippet)
    assert "&lt;" in str(hits[0].snippet)  # the summary itself is escaped


def test_erasing_a_member_withdraws_pending_applications_and_invitations(app, client, auth, make_member,
                                                                          make_organization, outbox):
    leaving = make_member(email="leaving@example.jp")
    owner = make_member()
    make_organization(slug="team", owner=owner)
    auth.login(owner)
    client.post("/alliance/team/staff/invite", data={"email": "leaving@example.jp", "role": "editor"})
    auth.logout()
    auth.login(leaving)
    client.post("/alliance/apply", data=application_form())
    with app.app_context():
        member = db.session.get(type(leaving), leaving.id)
        for erase in hooks.MEMBER_ERASERS.implementations():
            erase(member)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganizationApplication)) == 0
        assert db.session.scalar(sa.select(StaffInvitation.revoked_at)) is not None
