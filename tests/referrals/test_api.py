"""/api/v1/referrals: parties only, contact data only for admins and the organisation that took it."""

import json

import pytest


def test_api_needs_a_token(client):
    response = client.get("/api/v1/referrals")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_api_lists_only_the_referrals_of_the_token_holder(client, world, make_referral, token_for):
    mine = make_referral(requester=world.requester, title="宮城の依頼")
    theirs = make_referral(requester=world.partner, title="東海の依頼", theme="seniors", prefecture="23")
    answer = client.get("/api/v1/referrals", headers=token_for(world.requester_staff)).json
    assert [item["id"] for item in answer["items"]] == [mine] and answer["next"] is None
    assert answer["items"][0]["requester"] == {"slug": "miyagi-jinji", "name": "宮城地域人事部"}
    everything = client.get("/api/v1/referrals?limit=1", headers=token_for(world.admin)).json
    assert len(everything["items"]) == 1 and "offset=1" in everything["next"]
    assert client.get(f"/api/v1/referrals/{theirs}", headers=token_for(world.requester_staff)).status_code == 404
    assert client.get(f"/api/v1/referrals/{theirs}", headers=token_for(world.member)).status_code == 404
    assert client.get("/api/v1/referrals?status=nope", headers=token_for(world.admin)).status_code == 422


@pytest.mark.parametrize("status, partner_sees", [("offered", False), ("accepted", True), ("completed", True)])
def test_api_shows_contact_data_only_to_those_allowed(client, world, make_referral, make_consultation, token_for,
                                                      status, partner_sees):
    consultation_id = make_consultation()
    referral_id = make_referral(partner=world.partner, status=status, consultation_id=consultation_id)
    admin_view = client.get(f"/api/v1/referrals/{referral_id}", headers=token_for(world.admin)).json
    assert admin_view["consultation"]["email"] == "takahashi@example.jp"
    partner_answer = client.get(f"/api/v1/referrals/{referral_id}", headers=token_for(world.partner_staff))
    body = json.dumps(partner_answer.json, ensure_ascii=False)
    assert partner_answer.status_code == 200
    assert ("takahashi@example.jp" in body) is partner_sees and ("高橋" in body) is partner_sees
    listed = json.dumps(client.get("/api/v1/referrals", headers=token_for(world.partner_staff)).json,
                        ensure_ascii=False)
    assert ("takahashi@example.jp" in listed) is partner_sees
    for outsider in (world.other_staff, world.member):
        answer = client.get(f"/api/v1/referrals/{referral_id}", headers=token_for(outsider))
        assert answer.status_code == 404 and "takahashi" not in answer.get_data(as_text=True)
        listed = json.dumps(client.get("/api/v1/referrals", headers=token_for(outsider)).json, ensure_ascii=False)
        assert "takahashi" not in listed and "高橋" not in listed


def test_referral_paths_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    assert "/referrals" in document["paths"] and "/referrals/{referral_id}" in document["paths"]
    assert "Referral" in document["components"]["schemas"]
