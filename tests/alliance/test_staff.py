"""Staff: an owner invites a member by email (they accept with that account) and can remove staff."""

import re

import pytest
import sqlalchemy as sa

from alliance.models import OrganizationStaff
from core.db import db


def staff_roles(app, organization) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(sa.select(OrganizationStaff.member_id, OrganizationStaff.role)
                                  .where(OrganizationStaff.organization_id == organization.id)).all()
        return dict(rows)


def invitation_link(outbox, email) -> str:
    [mail] = outbox(to_address=email, kind="alliance.staff_invitation")
    return re.search(r"http://localhost(/alliance/invitations/\S+)", mail.body).group(1)


def test_owner_invites_and_the_member_accepts(app, client, auth, make_member, make_organization, outbox,
                                              audit_actions):
    owner = make_member()
    colleague = make_member(email="colleague@example.jp")
    organization = make_organization(slug="team", name="チームの団体", owner=owner)
    auth.login(owner)
    assert "スタッフを招待する" in client.get("/alliance/team/staff").get_data(as_text=True)
    response = client.post("/alliance/team/staff/invite", data={"email": "Colleague@Example.jp", "role": "editor"})
    assert response.status_code == 302
    link = invitation_link(outbox, "colleague@example.jp")
    assert "colleague@example.jp" in client.get("/alliance/team/staff").get_data(as_text=True)  # open invitation

    auth.logout()
    auth.login(colleague)
    page = client.get(link)
    assert page.status_code == 200 and "招待を受ける" in page.get_data(as_text=True)
    assert client.post(link).status_code == 302
    assert staff_roles(app, organization) == {owner.id: "owner", colleague.id: "editor"}
    assert client.get("/alliance/team/edit").status_code == 200
    assert client.get(link).status_code == 404  # used up
    assert audit_actions("organization.staff") == ["organization.staff_invite", "organization.staff_accept"]


def test_invitation_for_another_address_is_refused(app, client, auth, make_member, make_organization, outbox):
    owner = make_member()
    organization = make_organization(slug="team", owner=owner)
    auth.login(owner)
    client.post("/alliance/team/staff/invite", data={"email": "intended@example.jp", "role": "owner"})
    link = invitation_link(outbox, "intended@example.jp")
    auth.logout()
    auth.login(make_member(email="someone-else@example.jp"))
    response = client.post(link)
    assert response.status_code == 403
    assert "別のメールアドレス宛て" in response.get_data(as_text=True)
    assert len(staff_roles(app, organization)) == 1


def test_unknown_or_withdrawn_invitation_is_404(app, client, auth, make_member, make_organization, outbox):
    owner = make_member()
    invitee = make_member(email="invitee@example.jp")
    make_organization(slug="team", owner=owner)
    auth.login(owner)
    client.post("/alliance/team/staff/invite", data={"email": "invitee@example.jp", "role": "editor"})
    link = invitation_link(outbox, "invitee@example.jp")
    html = client.get("/alliance/team/staff").get_data(as_text=True)
    revoke = re.search(r'action="(/alliance/team/invitations/\d+/revoke)"', html).group(1)
    assert client.post(revoke).status_code == 302
    auth.logout()
    auth.login(invitee)
    assert client.get(link).status_code == 404
    assert client.get("/alliance/invitations/not-a-real-token").status_code == 404


def test_owner_removes_staff_but_not_the_last_owner(app, client, auth, make_member, make_organization,
                                                    audit_actions):
    owner, editor = make_member(), make_member()
    organization = make_organization(slug="team", owner=owner, staff=[editor])
    with app.app_context():
        ids = dict(db.session.execute(sa.select(OrganizationStaff.member_id, OrganizationStaff.id)
                                      .where(OrganizationStaff.organization_id == organization.id)).all())
    auth.login(owner)
    assert client.post(f"/alliance/team/staff/{ids[editor.id]}/remove").status_code == 302
    assert staff_roles(app, organization) == {owner.id: "owner"}
    client.post(f"/alliance/team/staff/{ids[owner.id]}/remove")
    assert staff_roles(app, organization) == {owner.id: "owner"}
    assert "最後のオーナーは外せません" in client.get("/alliance/team/staff").get_data(as_text=True)
    assert audit_actions("organization.staff") == ["organization.staff_remove"]
    auth.logout()
    auth.login(editor)
    assert client.get("/alliance/team/edit").status_code == 404


def test_editors_see_the_staff_but_cannot_manage_it(client, auth, make_member, make_organization):
    owner, editor = make_member(), make_member()
    make_organization(slug="team", owner=owner, staff=[editor])
    auth.login(editor)
    html = client.get("/alliance/team/staff").get_data(as_text=True)
    assert owner.display_name in html and "スタッフを招待する" not in html
    assert client.post("/alliance/team/staff/invite", data={"email": "x@example.jp", "role": "owner"}).status_code == 404


def test_staff_of_another_organization_cannot_touch_this_staff(app, client, auth, make_member, make_organization):
    owner_a, owner_b = make_member(), make_member()
    make_organization(slug="org-a", owner=owner_a)
    org_b = make_organization(slug="org-b", owner=owner_b)
    with app.app_context():
        row_b = db.session.scalar(sa.select(OrganizationStaff.id).where(OrganizationStaff.organization_id == org_b.id))
    auth.login(owner_a)
    assert client.get("/alliance/org-b/staff").status_code == 404
    assert client.post(f"/alliance/org-b/staff/{row_b}/remove").status_code == 404
    assert client.post(f"/alliance/org-a/staff/{row_b}/remove").status_code == 404  # a row of B through A's URL
    assert staff_roles(app, org_b) == {owner_b.id: "owner"}


@pytest.mark.parametrize("email, message", [("", "メールアドレスを入力してください。"),
                                            ("not-mail", "正しいメールアドレスを入力してください。")])
def test_invitation_form_errors(client, auth, make_member, make_organization, outbox, email, message):
    owner = make_member()
    make_organization(slug="team", owner=owner)
    auth.login(owner)
    response = client.post("/alliance/team/staff/invite", data={"email": email, "role": "editor"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert outbox() == []


def test_inviting_existing_staff_is_refused(client, auth, make_member, make_organization, outbox):
    owner, editor = make_member(), make_member(email="already@example.jp")
    make_organization(slug="team", owner=owner, staff=[editor])
    auth.login(owner)
    response = client.post("/alliance/team/staff/invite", data={"email": "already@example.jp", "role": "editor"})
    assert "この方はすでにスタッフです。" in response.get_data(as_text=True)
    assert outbox() == []
