"""Projects and people in /api/v1."""

import pytest

from alliance.projects.models import ProjectApplication


def test_projects_list_and_detail(client, world, make_project):
    make_project(world.organization, title="締切済み", deadline_days=-2)
    make_project(world.other, title="宮城の募集", prefecture="04", theme="women", kind="volunteer")
    items = client.get("/api/v1/projects").json["items"]
    assert [item["title"] for item in items] == ["塩尻の中小企業の採用広報を手伝う複業人材", "宮城の募集"]
    assert items[0]["accepting_applications"] is True and items[0]["organization"] == "shiojiri-test"
    assert [i["title"] for i in client.get("/api/v1/projects?region=tohoku").json["items"]] == ["宮城の募集"]
    assert [i["title"] for i in client.get("/api/v1/projects?kind=volunteer").json["items"]] == ["宮城の募集"]
    page = client.get("/api/v1/projects?limit=1").json
    assert len(page["items"]) == 1 and "offset=1" in page["next"]
    detail = client.get(f"/api/v1/projects/{world.project_id}").json
    assert detail["hours_per_month"] == 10 and detail["url"].endswith(f"/alliance/projects/{world.project_id}")
    assert client.get("/api/v1/projects/9999").status_code == 404


@pytest.mark.parametrize("query", ["theme=nope", "prefecture=99", "kind=job", "region=mars", "limit=0"])
def test_bad_filters_are_422(client, world, query):
    response = client.get(f"/api/v1/projects?{query}")
    assert response.status_code == 422 and response.json["error"]["code"] == "unprocessable"


def test_apply_through_the_api(client, world, token_for, outbox, fetch):
    headers = token_for(world.applicant)
    url = f"/api/v1/projects/{world.project_id}/applications"
    assert client.post(url, json={"motivation": "APIから応募"}).status_code == 401
    assert client.post(url, json={"motivation": " "}, headers=headers).status_code == 422
    assert client.post(url, data="not json", headers=headers).status_code == 422
    assert client.post(url, json={"motivation": "あ" * 3001}, headers=headers).status_code == 422
    response = client.post(url, json={"motivation": "APIから応募"}, headers=headers)
    assert response.status_code == 201 and response.json["status"] == "screening"
    assert outbox(world.host_staff.email, kind="project.application_received")
    again = client.post(url, json={"motivation": "もう一度"}, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    mine = client.get("/api/v1/me/applications", headers=headers).json["items"]
    assert [(a["project_id"], a["status"]) for a in mine] == [(world.project_id, "screening")]
    assert len(fetch(ProjectApplication)) == 1


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/projects", "/projects/{project_id}", "/projects/{project_id}/applications", "/me/applications",
                 "/people", "/people/{member_id}"):
        assert path in paths
