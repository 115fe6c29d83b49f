"""API tokens: shown once, stored hashed, revocable; /api/v1/me answers only a valid token."""

import hashlib
import re

import sqlalchemy as sa

from core.db import db
from members.models import ApiToken
from tests.conftest import PASSWORD
from tests.members.conftest import field_errors


def create_token(client, name="calendar sync") -> str:
    response = client.post("/members/me/tokens", data={"name": name})
    assert response.status_code == 302
    html = client.get("/members/me").get_data(as_text=True)
    return re.search(r'<code class="token-value">([^<]+)</code>', html).group(1)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_new_token_is_shown_once(client, auth, make_member):
    auth.login(make_member())
    secret = create_token(client)
    assert secret.startswith("ran_") and len(secret) > 40
    again = client.get("/members/me").get_data(as_text=True)
    assert secret not in again
    assert "calendar sync" in again and secret[:10] in again  # listed by name and prefix


def test_token_is_stored_only_as_a_hash(app, client, auth, make_member):
    auth.login(make_member())
    secret = create_token(client)
    with app.app_context():
        rows = db.session.execute(sa.select(ApiToken.__table__)).all()
    assert len(rows) == 1
    assert all(secret not in str(value) for value in rows[0])
    assert rows[0].token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_api_me_returns_the_public_profile(client, auth, make_member):
    member = make_member(prefecture="06", affiliation="education", themes=["career-education"])
    auth.login(member)
    secret = create_token(client)
    anonymous = client.application.test_client()
    response = anonymous.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json == {
        "id": member.id, "display_name": member.display_name, "prefecture": "06",
        "affiliation": "education", "themes": ["career-education"],
    }
    assert member.email not in response.get_data(as_text=True)


def test_api_me_refuses_missing_unknown_and_malformed_tokens(client):
    for headers in ({}, bearer("ran_not-a-real-token"), {"Authorization": "Basic dXNlcjpwYXNz"}, bearer("")):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"


def test_a_login_cookie_is_not_an_api_token(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_token_gets_401(client, auth, make_member, app):
    auth.login(make_member())
    secret = create_token(client)
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    response = client.post(f"/members/me/tokens/{token_id}/revoke")
    assert response.status_code == 302
    html = client.get("/members/me").get_data(as_text=True)
    assert "トークン「calendar sync」を無効にしました。" in html
    assert f'action="/members/me/tokens/{token_id}/revoke"' not in html
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_revoking_another_members_token_is_404(app, make_member, auth, client):
    owner, intruder = make_member(), make_member()
    owner_browser = app.test_client()
    owner_browser.post("/members/login", data={"email": owner.email, "password": PASSWORD})
    secret = create_token(owner_browser)
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id))
    auth.login(intruder)
    assert client.post(f"/members/me/tokens/{token_id}/revoke").status_code == 404
    assert client.post("/members/me/tokens/999999/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).json["id"] == owner.id


def test_revoke_needs_a_post(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/members/me/tokens/1/revoke").status_code == 405


def test_token_tells_members_apart(app, client, auth, make_member):
    first, second = make_member(), make_member()
    auth.login(first)
    first_secret = create_token(client)
    auth.logout()
    auth.login(second)
    second_secret = create_token(client)
    assert client.get("/api/v1/me", headers=bearer(first_secret)).json["id"] == first.id
    assert client.get("/api/v1/me", headers=bearer(second_secret)).json["id"] == second.id


def test_token_name_is_required_and_short(client, auth, make_member, count_rows):
    auth.login(make_member())
    empty = client.post("/members/me/tokens", data={"name": "  "})
    assert empty.status_code == 200
    assert "トークンに名前を付けてください（例：使うツールの名前）。" in field_errors(empty.get_data(as_text=True))
    long = client.post("/members/me/tokens", data={"name": "n" * 61})
    assert "60文字以内で入力してください。" in field_errors(long.get_data(as_text=True))
    assert count_rows(ApiToken) == 0


def test_number_of_live_tokens_is_capped(client, auth, make_member, count_rows):
    auth.login(make_member())
    for number in range(20):
        client.post("/members/me/tokens", data={"name": f"t{number}"})
    response = client.post("/members/me/tokens", data={"name": "one too many"})
    assert response.status_code == 200
    assert "トークンはすでに20個あります" in response.get_data(as_text=True)
    assert count_rows(ApiToken) == 20


def test_api_me_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["paths"]["/me"]["get"]["security"] == [{"bearer": []}]
    assert "401" in document["paths"]["/me"]["get"]["responses"]
    assert set(document["components"]["schemas"]["MemberProfile"]["required"]) == {
        "id", "display_name", "prefecture", "affiliation", "themes"}
