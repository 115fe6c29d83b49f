"""Every account form refuses a forged POST (no csrf_token) with 400 and changes nothing."""

import pytest
import sqlalchemy as sa

from core.db import db
from members.models import ApiToken, Member
from members.services import create_api_token
from tests.conftest import PASSWORD, csrf_token_from

FORGED_POSTS = [
    ("/members/me/edit", {"display_name": "乗っ取り", "prefecture": "13", "affiliation": "company",
                          "locale": "ja", "email": "attacker@example.jp", "current_password": PASSWORD}),
    ("/members/me/password", {"current_password": PASSWORD, "password": "attacker-chosen-77",
                              "password_confirm": "attacker-chosen-77"}),
    ("/members/me/delete", {"current_password": PASSWORD}),
    ("/members/me/tokens", {"name": "attacker"}),
    ("/members/me/tokens/{token_id}/revoke", {}),
]


@pytest.fixture
def victim_with_token(app, make_member):
    member = make_member(display_name="被害者")
    with app.app_context():
        token, _secret = create_api_token(db.session.get(Member, member.id), "victim token")
        db.session.commit()
        return member, token.id


@pytest.mark.parametrize("path, data", FORGED_POSTS, ids=[path for path, _ in FORGED_POSTS])
def test_forged_post_is_refused(csrf_browser, victim_with_token, path, data):
    member, token_id = victim_with_token
    browser = csrf_browser(member)
    response = browser.post(path.format(token_id=token_id), data=data)
    assert response.status_code == 400
    with csrf_browser.app.app_context():
        stored = db.session.get(Member, member.id)
        assert stored is not None and stored.display_name == "被害者" and stored.email == member.email
        tokens = db.session.scalars(sa.select(ApiToken)).all()
        assert [(t.name, t.revoked_at) for t in tokens] == [("victim token", None)]
    assert browser.get("/members/me").status_code == 200
    fresh = csrf_browser()
    token = csrf_token_from(fresh.get("/members/login").get_data(as_text=True))
    assert fresh.post("/members/login", data={"email": member.email, "password": PASSWORD,
                                              "csrf_token": token}).status_code == 302


def test_forms_carry_a_csrf_token(csrf_browser, make_member):
    browser = csrf_browser(make_member())
    for path in ("/members/me", "/members/me/edit", "/members/me/password", "/members/me/delete"):
        assert 'name="csrf_token"' in browser.get(path).get_data(as_text=True)


def test_profile_edit_with_csrf_token_works(csrf_browser, make_member):
    member = make_member()
    browser = csrf_browser(member)
    token = csrf_token_from(browser.get("/members/me/edit").get_data(as_text=True))
    response = browser.post("/members/me/edit", data={
        "csrf_token": token, "display_name": "本人の変更", "prefecture": "13", "affiliation": "company",
        "locale": "ja", "email": member.email,
    })
    assert response.status_code == 302
