"""The events part of /api/v1: public list/detail, token-authenticated registrations, errors, OpenAPI."""

from datetime import UTC, datetime

import pytest

from tests.events.conftest import set_event, soon


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_event_object_shape_and_iso_times_with_offset(client, make_event, make_organization):
    organization = make_organization(slug="meguru-test")
    event = make_event(starts_at=datetime(2031, 11, 21, 5, 0, tzinfo=UTC), organization=organization,
                       themes=("seniors", "women"), online_url="https://meet.example.jp/hidden", format="hybrid")
    body = client.get(f"/api/v1/events/{event.id}").get_json()
    for key in ("id", "title", "kind", "format", "starts_at", "ends_at", "prefecture", "themes", "capacity",
                "confirmed_count", "waitlist_count", "audience", "url"):
        assert key in body, key
    assert body["starts_at"] == "2031-11-21T14:00:00+09:00"
    assert body["ends_at"] == "2031-11-21T16:00:00+09:00"
    assert sorted(body["themes"]) == ["seniors", "women"]
    assert body["organizer"] == "meguru-test"
    assert body["url"].endswith(f"/events/{event.id}")
    assert "online_url" not in body and "hidden" not in str(body)


def test_list_is_soonest_first_and_paginated(client, make_event):
    later = make_event(starts_at=soon(20))
    sooner = make_event(starts_at=soon(3))
    make_event(starts_at=soon(-20))  # past: not listed by default
    body = client.get("/api/v1/events?limit=1").get_json()
    assert [e["id"] for e in body["items"]] == [sooner.id]
    assert body["next"] and "offset=1" in body["next"]
    second = client.get(body["next"]).get_json()
    assert [e["id"] for e in second["items"]] == [later.id] and second["next"] is None


def test_list_filters_from_to_theme_prefecture(client, make_event):
    a = make_event(starts_at=datetime(2031, 5, 10, 1, 0, tzinfo=UTC), prefecture="20", themes=("seniors",))
    b = make_event(starts_at=datetime(2031, 6, 10, 1, 0, tzinfo=UTC), prefecture="04", themes=("women",))
    ids = lambda url: [e["id"] for e in client.get(url).get_json()["items"]]  # noqa: E731
    assert ids("/api/v1/events?from=2031-05-01&to=2031-05-31") == [a.id]
    assert ids("/api/v1/events?from=2031-06-01T00:00:00%2B09:00") == [b.id]
    assert ids("/api/v1/events?from=2031-01-01&theme=women") == [b.id]
    assert ids("/api/v1/events?from=2031-01-01&prefecture=20") == [a.id]


def test_drafts_and_deleted_events_are_not_in_the_api(client, make_event):
    draft = make_event(status="draft")
    deleted = make_event(deleted_at=soon(-1))
    assert client.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert client.get(f"/api/v1/events/{deleted.id}").status_code == 404
    assert client.get("/api/v1/events").get_json()["items"] == []


@pytest.mark.parametrize("query", ["from=yesterday", "to=2031-13-01", "theme=unknown", "prefecture=48",
                                   "limit=0", "limit=101", "offset=-1"])
def test_bad_parameters_are_422(client, query):
    response = client.get(f"/api/v1/events?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unprocessable"


def test_registration_needs_a_token(client, make_event):
    event = make_event()
    for method in ("post", "delete"):
        response = getattr(client, method)(f"/api/v1/events/{event.id}/registration")
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    response = client.post(f"/api/v1/events/{event.id}/registration", headers=_auth("ran_wrong"))
    assert response.status_code == 401
    assert client.get("/api/v1/me/registrations").status_code == 401


def test_register_confirmed_then_waitlisted_with_position(client, make_event, make_members, api_token):
    event = make_event(capacity=1)
    first, second = make_members(2)
    response = client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(api_token(first)))
    assert response.status_code == 201 and response.get_json() == {"status": "confirmed", "position": None}
    response = client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(api_token(second)))
    assert response.status_code == 201 and response.get_json() == {"status": "waitlisted", "position": 1}
    counts = client.get(f"/api/v1/events/{event.id}").get_json()
    assert (counts["confirmed_count"], counts["waitlist_count"]) == (1, 1)


def test_register_twice_is_409(client, make_event, make_member, api_token):
    event = make_event()
    token = api_token(make_member())
    client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(token))
    response = client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(token))
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == "すでにこのイベントに申し込んでいます。"


def test_full_without_waitlist_is_409_and_cancelled_event_is_409(client, make_event, make_members, api_token):
    full = make_event(capacity=1, waitlist_enabled=False)
    cancelled = make_event(status="cancelled")
    first, second = make_members(2)
    client.post(f"/api/v1/events/{full.id}/registration", headers=_auth(api_token(first)))
    token = api_token(second)
    assert client.post(f"/api/v1/events/{full.id}/registration", headers=_auth(token)).status_code == 409
    assert client.post(f"/api/v1/events/{cancelled.id}/registration", headers=_auth(token)).status_code == 409


def test_after_deadline_is_403(client, make_event, make_member, api_token):
    event = make_event(signup_deadline=soon(-1))
    response = client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(api_token(make_member())))
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_unknown_or_draft_event_is_404(client, make_event, make_member, api_token):
    token = api_token(make_member())
    draft = make_event(status="draft")
    assert client.post("/api/v1/events/999999/registration", headers=_auth(token)).status_code == 404
    assert client.post(f"/api/v1/events/{draft.id}/registration", headers=_auth(token)).status_code == 404


def test_malformed_json_body_is_400(client, make_event, make_member, api_token):
    event = make_event()
    response = client.post(f"/api/v1/events/{event.id}/registration", data="{not json",
                           headers={**_auth(api_token(make_member())), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_delete_registration_promotes_and_is_404_when_absent(client, make_event, make_members, api_token,
                                                             outbox):
    event = make_event(capacity=1)
    first, second = make_members(2)
    first_token, second_token = api_token(first), api_token(second)
    client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(first_token))
    client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(second_token))
    response = client.delete(f"/api/v1/events/{event.id}/registration", headers=_auth(first_token))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert len(outbox(second.email, kind="event.promoted")) == 1
    assert client.delete(f"/api/v1/events/{event.id}/registration", headers=_auth(first_token)).status_code == 404


def test_delete_after_start_is_403(app, client, make_event, make_member, api_token):
    event = make_event()
    token = api_token(make_member())
    client.post(f"/api/v1/events/{event.id}/registration", headers=_auth(token))
    set_event(app, event.id, starts_at=soon(-0.01))
    assert client.delete(f"/api/v1/events/{event.id}/registration", headers=_auth(token)).status_code == 403


def test_my_registrations(client, make_event, make_members, api_token):
    first_event = make_event(capacity=1, starts_at=soon(3))
    second_event = make_event(starts_at=soon(9), online_url="https://meet.example.jp/hidden", format="hybrid")
    holder, me = make_members(2)
    client.post(f"/api/v1/events/{first_event.id}/registration", headers=_auth(api_token(holder)))
    token = api_token(me)
    client.post(f"/api/v1/events/{first_event.id}/registration", headers=_auth(token))
    client.post(f"/api/v1/events/{second_event.id}/registration", headers=_auth(token))
    body = client.get("/api/v1/me/registrations", headers=_auth(token)).get_json()
    summary = {item["event"]["id"]: (item["status"], item["position"]) for item in body["items"]}
    assert summary == {first_event.id: ("waitlisted", 1), second_event.id: ("confirmed", None)}
    tickets = {item["event"]["id"]: (item["ticket_code"], item["checked_in"]) for item in body["items"]}
    assert tickets[first_event.id] == (None, False)  # a waitlisted place has no 受付票 yet
    assert len(tickets[second_event.id][0]) == 6 and tickets[second_event.id][1] is False
    assert "hidden" not in str(body) and body["next"] is None


def test_api_is_exempt_from_csrf(make_app, make_event, make_member, api_token):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    event = make_event()
    token = api_token(make_member())
    response = csrf_app.test_client().post(f"/api/v1/events/{event.id}/registration", headers=_auth(token))
    assert response.status_code == 201


def test_openapi_documents_the_events_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"/events", "/events/{event_id}", "/events/{event_id}/registration", "/me/registrations"} <= set(paths)
    assert {"post", "delete"} <= set(paths["/events/{event_id}/registration"])
    post = paths["/events/{event_id}/registration"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409"} <= set(post)
    event_schema = document["components"]["schemas"]["Event"]
    assert "online_url" not in event_schema["properties"]
    assert {"id", "starts_at", "confirmed_count", "waitlist_count", "url"} <= set(event_schema["required"])
    assert document["components"]["schemas"]["RegistrationResult"]["required"] == ["status", "position"]


def test_timezone_of_a_date_bound_is_tokyo(client, make_event):
    # 2031-05-31 23:30 in Tokyo is 14:30 UTC the same day: inside to=2031-05-31.
    late = make_event(starts_at=datetime(2031, 5, 31, 14, 30, tzinfo=UTC))
    make_event(starts_at=datetime(2031, 5, 31, 15, 30, tzinfo=UTC))  # 1 June in Tokyo
    body = client.get("/api/v1/events?from=2031-05-31&to=2031-05-31").get_json()
    assert [e["id"] for e in body["items"]] == [late.id]
