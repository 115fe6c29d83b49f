"""GET /api/v1/organizations[/<slug>]: list shape, filters, JSON errors, never the contact address."""

import json

import pytest

from alliance.models import OrganizationRecord, OrganizationService
from core.db import db
from members.models import Member
from members.services import create_api_token


@pytest.fixture
def organizations(app, make_organization):
    miyagi = make_organization(slug="miyagi", name="宮城の団体", prefecture="04", served=["04", "06"],
                               themes={"career-education": "expert"}, contact_email="hidden-1@example.jp")
    nagano = make_organization(slug="nagano", name="長野の団体", prefecture="20",
                               themes={"side-job-talent": "expert", "career-education": "strong"},
                               contact_email="hidden-2@example.jp", accepts_remote=True)
    make_organization(slug="hidden", status="suspended", contact_email="hidden-3@example.jp")
    with app.app_context():
        db.session.add(OrganizationService(organization_id=nagano.id, position=0, title="複業マッチング", description="説明"))
        db.session.add(OrganizationRecord(organization_id=nagano.id, position=0, value="27社51名", label="3年間"))
        db.session.commit()
    return miyagi, nagano


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json["items"]]


def test_list_shape_newest_first(client, organizations):
    response = client.get("/api/v1/organizations")
    assert response.status_code == 200
    assert set(response.json) == {"items", "next"}
    assert slugs(response) == ["nagano", "miyagi"]
    assert response.json["next"] is None
    nagano = response.json["items"][0]
    assert nagano["themes"][0] == {"slug": "side-job-talent", "depth": "expert", "note": ""}
    assert nagano["accepts_remote"] is True
    assert nagano["url"] == "http://localhost/alliance/nagano"
    assert nagano["region"] == "chubu"


@pytest.mark.parametrize("query, expected", [
    ("theme=career-education", ["nagano", "miyagi"]),
    ("theme=side-job-talent", ["nagano"]),
    ("prefecture=06", ["miyagi"]),
    ("region=chubu", ["nagano"]),
    ("region=tohoku&theme=career-education", ["miyagi"]),
    ("region=kyushu", []),
])
def test_filters(client, organizations, query, expected):
    assert slugs(client.get(f"/api/v1/organizations?{query}")) == expected


def test_paging_with_next_link(client, organizations):
    first = client.get("/api/v1/organizations?limit=1&theme=career-education")
    assert slugs(first) == ["nagano"]
    assert "offset=1" in first.json["next"] and "theme=career-education" in first.json["next"]
    second = client.get(first.json["next"].replace("http://localhost", ""))
    assert slugs(second) == ["miyagi"] and second.json["next"] is None


@pytest.mark.parametrize("query", ["theme=nope", "prefecture=48", "region=atlantis", "limit=0", "limit=101",
                                   "offset=-1"])
def test_bad_filters_are_422_json(client, query):
    response = client.get(f"/api/v1/organizations?{query}")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unprocessable"
    assert response.json["error"]["message"]


def test_detail(client, organizations):
    response = client.get("/api/v1/organizations/nagano")
    assert response.status_code == 200
    assert response.json["services"] == [{"title": "複業マッチング", "description": "説明"}]
    assert response.json["track_record"] == [{"value": "27社51名", "label": "3年間"}]
    assert response.json["served_prefectures"] == ["20"]


@pytest.mark.parametrize("slug", ["hidden", "no-such-org"])
def test_unknown_or_suspended_is_404_json(client, organizations, slug):
    response = client.get(f"/api/v1/organizations/{slug}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_contact_address_never_appears(client, organizations):
    bodies = [client.get(url).get_data(as_text=True) for url in
              ("/api/v1/organizations", "/api/v1/organizations/miyagi", "/api/v1/organizations/nagano",
               "/api/v1/organizations/hidden")]
    for body in bodies:
        assert "hidden-" not in body and "contact_email" not in body


def test_openapi_documents_the_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    assert "/organizations" in document["paths"] and "/organizations/{slug}" in document["paths"]
    assert "Organization" in document["components"]["schemas"]
    assert "contact_email" not in json.dumps(document)


def test_api_needs_no_csrf(make_app, organizations, make_member):
    """A state change through the API carries a bearer token, never a form's CSRF token."""
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    with csrf_app.app_context():
        _token, secret = create_api_token(db.session.get(Member, make_member().id), "csrf")
        db.session.commit()
    client = csrf_app.test_client()
    assert client.post("/members/logout").status_code == 400  # control: forms do need the token
    response = client.delete("/api/v1/events/999999/registration", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
