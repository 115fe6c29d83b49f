"""Who may do what: every transition and page answers 404 to everyone but its parties."""

import pytest

from alliance.projects.models import Programme, Project, ProjectApplication
from core.db import db
from tests.projects.conftest import build_world


@pytest.fixture(scope="module")
def world(base_app, module_transaction):
    """One world for the module's many cases (each case's changes are rolled back)."""
    return build_world(base_app)


ROLES = ("outsider", "other_staff", "applicant")


def role(world, name):
    return getattr(world, name)


@pytest.fixture
def matched(world, make_application, login, programme_of):
    """An application of the applicant, matched, with its programme."""
    application_id = make_application(world.project_id, world.applicant, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                 data={"status": "matched", "message": ""})
    return application_id, programme_of(application_id).id


@pytest.mark.parametrize("who", ["outsider", "other_staff", "applicant"])
@pytest.mark.parametrize("status", ["interview", "not_matched"])
def test_only_posting_staff_and_admins_move_an_application(world, login, make_application, fetch, who, status):
    application_id = make_application(world.project_id, world.applicant)
    response = login(role(world, who)).post(f"/alliance/projects/applications/{application_id}/move",
                                            data={"status": status, "message": "メッセージ"})
    assert response.status_code == 404
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "screening"


def test_admin_may_move_an_application(world, login, make_application, fetch):
    application_id = make_application(world.project_id, world.applicant)
    response = login(world.admin).post(f"/alliance/projects/applications/{application_id}/move",
                                       data={"status": "interview", "message": ""})
    assert response.status_code == 302
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "interview"


def test_visitor_is_sent_to_login(world, login, make_application):
    application_id = make_application(world.project_id, world.applicant)
    response = login(None).post(f"/alliance/projects/applications/{application_id}/move", data={"status": "interview"})
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["outsider", "other_staff", "host_staff", "admin"])
def test_only_the_applicant_withdraws(world, login, make_application, fetch, who):
    application_id = make_application(world.project_id, world.applicant)
    assert login(role(world, who)).post(f"/alliance/projects/applications/{application_id}/withdraw").status_code == 404
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "screening"


@pytest.mark.parametrize("who, status", [("outsider", 404), ("other_staff", 404), ("applicant", 200),
                                         ("host_staff", 200), ("admin", 200)])
def test_application_page(world, login, make_application, who, status):
    application_id = make_application(world.project_id, world.applicant, motivation="秘密の志望動機")
    response = login(role(world, who)).get(f"/alliance/projects/applications/{application_id}")
    assert response.status_code == status
    assert ("秘密の志望動機" in response.get_data(as_text=True)) is (status == 200)


@pytest.mark.parametrize("path", ["applicants", "suggestions", "edit"])
@pytest.mark.parametrize("who, status", [("outsider", 404), ("other_staff", 404), ("applicant", 404),
                                         ("host_staff", 200), ("admin", 200)])
def test_staff_pages_of_a_project(world, login, path, who, status):
    assert login(role(world, who)).get(f"/alliance/projects/{world.project_id}/{path}").status_code == status


@pytest.mark.parametrize("action", ["close", "reopen"])
@pytest.mark.parametrize("who", ["outsider", "other_staff", "applicant"])
def test_others_cannot_close_or_reopen(world, login, fetch, action, who):
    assert login(role(world, who)).post(f"/alliance/projects/{world.project_id}/{action}").status_code == 404
    assert fetch(Project, Project.id == world.project_id)[0].status == "open"


def test_new_project_page_only_for_staff_and_admins(world, login):
    assert login(world.outsider).get("/alliance/projects/new").status_code == 404
    assert login(world.host_staff).get("/alliance/projects/new").status_code == 200
    assert login(world.admin).get("/alliance/projects/new").status_code == 200
    response = login(None).get("/alliance/projects/new")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_staff_cannot_post_for_another_organisation(world, login, fetch):
    response = login(world.host_staff).post("/alliance/projects/new", data={
        "organization": world.other.slug, "kind": "side-job", "title": "なりすまし", "host_name": "x",
        "host_type": "company", "theme": "women", "prefecture": "04", "description": "x",
        "hours_per_month": "5", "duration_months": "1", "compensation": "none", "deadline": "2099-01-01",
        "positions": "1"})
    assert response.status_code == 200
    assert "表示されている選択肢から選んでください。" in response.get_data(as_text=True)
    assert not fetch(Project, Project.title == "なりすまし")


@pytest.mark.parametrize("who, status", [("outsider", 404), ("other_staff", 404), ("applicant", 200),
                                         ("host_staff", 200), ("admin", 200)])
def test_programme_page_only_for_the_parties(world, login, matched, who, status):
    _application_id, programme_id = matched
    assert login(role(world, who)).get(f"/alliance/projects/programmes/{programme_id}").status_code == status


def test_programme_page_needs_login(world, login, matched):
    response = login(None).get(f"/alliance/projects/programmes/{matched[1]}")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["outsider", "other_staff"])
def test_outsiders_cannot_add_notes(world, login, matched, fetch, who, app):
    programme_id = matched[1]
    response = login(role(world, who)).post(f"/alliance/projects/programmes/{programme_id}/notes",
                                            data={"held_on": "2026-12-01", "body": "のぞき見"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Programme, programme_id).notes == []


@pytest.mark.parametrize("path, data", [
    ("phases", {"phases-0-planned_start": "2026-12-01"}),
    ("complete", {"hours_contributed": "10"}),
    ("case-study", {}),
])
@pytest.mark.parametrize("who", ["outsider", "other_staff", "applicant"])
def test_staff_actions_on_a_programme(world, login, matched, fetch, path, data, who):
    programme_id = matched[1]
    assert login(role(world, who)).post(f"/alliance/projects/programmes/{programme_id}/{path}",
                                        data=data).status_code == 404
    assert fetch(Programme, Programme.id == programme_id)[0].status == "active"


@pytest.mark.parametrize("path, data", [("report", {"report": "代筆", "submit": "y"}),
                                        ("consent", {"listed_in_cohort": "y"})])
@pytest.mark.parametrize("who", ["outsider", "other_staff", "host_staff", "admin"])
def test_only_the_person_reports_and_consents(world, login, matched, fetch, path, data, who):
    programme_id = matched[1]
    assert login(role(world, who)).post(f"/alliance/projects/programmes/{programme_id}/{path}",
                                        data=data).status_code == 404
    programme = fetch(Programme, Programme.id == programme_id)[0]
    assert programme.report == "" and programme.listed_in_cohort is False


def test_project_of_a_suspended_organisation_is_hidden(world, login, app):
    from alliance.models import Organization

    with app.app_context():
        db.session.get(Organization, world.organization.id).status = "suspended"
        db.session.commit()
    assert login(None).get(f"/alliance/projects/{world.project_id}").status_code == 404
    assert world.project_id not in [p["id"] for p in login(None).get("/api/v1/projects").json["items"]]
    assert login(world.admin).get(f"/alliance/projects/{world.project_id}").status_code == 200


def test_unknown_objects_are_404(world, login):
    client = login(world.admin)
    for path in ("/alliance/projects/999", "/alliance/projects/applications/999",
                 "/alliance/projects/programmes/999", "/alliance/projects/cohorts/999",
                 "/alliance/projects/people/999"):
        assert client.get(path).status_code == 404
