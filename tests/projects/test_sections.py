"""What projects add to pages owned by others: /impact, organisation pages, the secretariat, my page."""

from alliance.models import Organization
from core import hooks
from core.db import db


def matched_programmes(world, make_project, make_application, make_member, login, count=3):
    """`count` people matched: two companies and a municipality helped."""
    hosts = [("株式会社A", "company"), ("株式会社B", "company"), ("テスト市", "municipality")]
    staff = login(world.host_staff)
    programme_ids = []
    for n in range(count):
        host_name, host_type = hosts[n % len(hosts)]
        project_id = make_project(world.organization, title=f"募集{n}", host_name=host_name, host_type=host_type)
        application_id = make_application(project_id, make_member(), status="interview")
        response = staff.post(f"/alliance/projects/applications/{application_id}/move", data={"status": "matched"})
        programme_ids.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    return programme_ids


def test_impact_figures_and_the_per_organisation_table(app, world, make_project, make_application, make_member,
                                                       login):
    programme_ids = matched_programmes(world, make_project, make_application, make_member, login, count=4)
    login(world.host_staff).post(f"/alliance/projects/programmes/{programme_ids[0]}/complete",
                                 data={"hours_contributed": "1200"})
    with app.test_request_context():
        figures = {f.label: f.value for func in hooks.IMPACT_FIGURES.implementations() for f in func()}
        assert figures["地域の募集にマッチングした人数"] == 4
        assert figures["支援した企業"] == 2
        assert figures["支援した自治体"] == 1
        assert figures["関わった時間"] == "1,200"
        section = "".join(hooks.IMPACT_SECTIONS.render_all())
        assert "塩尻テスト人事部" in section and "3社・団体 4名" in section and "1,200" in section


def test_impact_section_is_empty_without_matches(app, world):
    with app.test_request_context():
        assert hooks.IMPACT_SECTIONS.render_all() == []


def test_organization_section_shows_open_projects_and_its_figure(app, world, make_project, make_application,
                                                                 make_member, login):
    matched_programmes(world, make_project, make_application, make_member, login, count=2)
    with app.test_request_context():
        organization = db.session.get(Organization, world.organization.id)
        html = "".join(hooks.ORGANIZATION_SECTIONS.render_all(organization))
        assert "塩尻の中小企業の採用広報を手伝う複業人材" in html and "2社・団体 2名" in html
        other = db.session.get(Organization, world.other.id)
        assert hooks.ORGANIZATION_SECTIONS.render_all(other) == []


def test_secretariat_section_only_for_admins(app, world, login):
    with app.test_request_context():
        assert hooks.SECRETARIAT_SECTIONS.render_all() == []
    with app.test_request_context():
        from flask_login import login_user

        from members.models import Member

        login_user(db.session.get(Member, world.admin.id))
        html = "".join(hooks.SECRETARIAT_SECTIONS.render_all())
        assert "受付中の募集 1件" in html


def test_member_section_shows_applications_programmes_and_staff_projects(world, make_application, login):
    make_application(world.project_id, world.applicant)
    applicant = login(world.applicant).get("/members/me").get_data(as_text=True)
    assert "応募した募集" in applicant and "書類選考" in applicant and "得意分野プロフィール" in applicant
    staff = login(world.host_staff).get("/members/me").get_data(as_text=True)
    assert "所属団体の受付中の募集" in staff and "選考中 1名" in staff
