"""Who may do what to a referral: everyone else gets 404 and nothing changes."""

import pytest
import sqlalchemy as sa

from alliance.models import Organization
from alliance.referrals.models import Referral
from core.audit import AuditEntry
from core.db import db
from tests.conftest import csrf_token_from
from tests.referrals.conftest import build_world


@pytest.fixture(scope="module")
def world(base_app, module_transaction):
    """One world for the module's many cases (each case's changes are rolled back)."""
    return build_world(base_app)


ROLES = ("requester_staff", "partner_staff", "other_staff", "member", "admin")

#: action -> (method, path suffix, status before, form data, status after, roles allowed)
ACTIONS = {
    "view": ("GET", "", "accepted", None, "accepted", {"requester_staff", "partner_staff", "admin"}),
    "offer": ("POST", "/offer", "open", {"organization": "tokai-help"}, "offered", {"requester_staff", "admin"}),
    "retract": ("POST", "/retract", "offered", {}, "open", {"requester_staff", "admin"}),
    "withdraw": ("POST", "/withdraw", "open", {"reason": "不要になった"}, "withdrawn", {"requester_staff", "admin"}),
    "accept": ("POST", "/accept", "offered", {}, "accepted", {"partner_staff"}),
    "decline": ("POST", "/decline", "offered", {"reason": "多忙のため", "reason_kind": "capacity"}, "open",
                {"partner_staff"}),
    "start": ("POST", "/start", "accepted", {}, "in_progress", {"partner_staff"}),
    "complete form": ("GET", "/complete", "in_progress", None, "in_progress", {"partner_staff"}),
    "complete": ("POST", "/complete", "in_progress",
                 {"summary": "実施しました", "people_supported": "1", "companies_supported": "1", "hours": "2"},
                 "completed", {"partner_staff"}),
    "message": ("POST", "/messages", "accepted", {"body": "よろしくお願いします"}, "accepted",
                {"requester_staff", "partner_staff", "admin"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_is_allowed_only_to_its_roles(app, world, login, make_referral, action, role):
    method, suffix, before, data, after, allowed = ACTIONS[action]
    referral_id = make_referral(requester=world.requester, partner=world.partner, status=before)
    client = login(getattr(world, role))
    url = f"/alliance/referrals/{referral_id}{suffix}"
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    with app.app_context():
        status = db.session.scalar(sa.select(Referral.status).where(Referral.id == referral_id))
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    if role in allowed:
        assert response.status_code == (200 if method == "GET" else 302)
        assert status == after
    else:
        assert response.status_code == 404
        assert status == before and audited == 0


@pytest.mark.parametrize("path", ["/alliance/referrals/", "/alliance/referrals/new"])
def test_list_and_new_are_for_staff_and_admins(app, world, login, path):
    assert login(world.member).get(path).status_code == 404
    assert login(world.requester_staff).get(path).status_code == 200
    assert login(world.admin).get(path).status_code == 200
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/members/login" in anonymous.headers["Location"]


def test_unknown_referral_is_404_even_for_admins(world, login):
    assert login(world.admin).get("/alliance/referrals/999999").status_code == 404


def test_anonymous_visitor_is_sent_to_login(app, world, make_referral):
    referral_id = make_referral(requester=world.requester)
    response = app.test_client().post(f"/alliance/referrals/{referral_id}/withdraw")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_staff_of_a_suspended_organisation_lose_access(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    with app.app_context():
        db.session.get(Organization, world.partner.id).status = "suspended"
        db.session.commit()
    assert login(world.partner_staff).get(f"/alliance/referrals/{referral_id}").status_code == 404


def test_forged_csrf_is_refused(make_app, world, make_referral):
    app = make_app(WTF_CSRF_ENABLED=True)
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="offered")
    client = app.test_client()
    page = client.get("/members/login").get_data(as_text=True)
    client.post("/members/login", data={"email": world.partner_staff.email, "password": "correct-horse-battery-42",
                                        "csrf_token": csrf_token_from(page)})
    assert client.post(f"/alliance/referrals/{referral_id}/accept", data={"csrf_token": "forged"}).status_code == 400
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "offered"
    token = csrf_token_from(client.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True))
    assert client.post(f"/alliance/referrals/{referral_id}/accept", data={"csrf_token": token}).status_code == 302
