"""The whole flow through the pages: post, apply, select, match, programme, report, cohort, impact."""

import sqlalchemy as sa

from alliance.projects.models import Cohort, Programme, Project, ProjectApplication
from core.audit import AuditEntry
from core.db import db


def project_form(organization, **changes) -> dict:
    data = {
        "organization": organization.slug, "kind": "secondment", "title": "石巻の在宅医療クリニックへの国内留職",
        "host_name": "石巻テストクリニック", "host_type": "organization", "theme": "cross-sector", "prefecture": "04",
        "location": "石巻市", "programme_name": "国内留職 石巻", "description": "3か月、現場の業務改善に取り組みます。",
        "skills": "法人営業、業務改善", "hours_per_month": "160", "duration_months": "3", "remote_possible": "",
        "compensation": "none", "compensation_note": "派遣元の給与のまま", "deadline": "2099-03-31", "positions": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_whole_flow_from_posting_to_cohort_and_impact(app, world, login, outbox, fetch):
    staff, applicant = login(world.host_staff), login(world.applicant)

    # 1. The staff post a 留職 project for a host.
    response = staff.post("/alliance/projects/new", data=project_form(world.organization))
    assert response.status_code == 302
    project = fetch(Project, Project.title == "石巻の在宅医療クリニックへの国内留職")[0]
    assert response.headers["Location"] == f"/alliance/projects/{project.id}"
    page = login(None).get("/alliance/projects/").get_data(as_text=True)
    assert "石巻の在宅医療クリニックへの国内留職" in page and "留職" in page

    # 2. A member applies with a motivation: both sides are mailed.
    response = applicant.post(f"/alliance/projects/{project.id}/apply",
                              data={"motivation": "営業の経験を医療の現場で生かしたいです。"})
    assert response.status_code == 302
    application = fetch(ProjectApplication, ProjectApplication.project_id == project.id)[0]
    assert application.status == "screening"
    assert outbox(world.applicant.email, kind="project.application_confirmed")
    assert outbox(world.host_staff.email, kind="project.application_received")

    # 3. 書類選考 → 面談 → matched, each step mailed to the applicant and audited.
    response = staff.post(f"/alliance/projects/applications/{application.id}/move",
                          data={"status": "interview", "message": "来週、オンラインで面談をお願いします。"})
    assert response.status_code == 302
    mail = outbox(world.applicant.email, kind="project.application_interview")[0]
    assert "面談" in mail.subject and "来週、オンラインで面談をお願いします。" in mail.body
    response = staff.post(f"/alliance/projects/applications/{application.id}/move",
                          data={"status": "matched", "message": "ようこそ！"})
    programme = fetch(Programme, Programme.application_id == application.id)[0]
    assert response.headers["Location"] == f"/alliance/projects/programmes/{programme.id}"
    assert outbox(world.applicant.email, kind="project.application_matched")
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.target_type == "project_applications", AuditEntry.target_id == application.id)).all()
        assert actions == ["project_application.create", "project_application.interview",
                           "project_application.matched"]
        phases = [phase.key for phase in db.session.get(Programme, programme.id).phases]
        assert phases == ["planning", "pre-training", "on-site", "post-training"]

    # 4. The programme: the four 留職 phases, a 1on1 note, the final report, consent, completion.
    page = applicant.get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    for phase in ("企画設計", "事前研修", "現地業務", "事後研修"):
        assert phase in page
    assert staff.post(f"/alliance/projects/programmes/{programme.id}/notes",
                      data={"held_on": "2026-12-01", "body": "1回目の1on1。現場に慣れてきた。"}).status_code == 302
    assert outbox(world.applicant.email, kind="project.programme_note")
    assert "1回目の1on1" in applicant.get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert applicant.post(f"/alliance/projects/programmes/{programme.id}/report",
                          data={"report": "## 成果\n連絡の流れを見直しました。", "submit": "y"}).status_code == 302
    assert outbox(world.host_staff.email, kind="project.programme_report")
    assert applicant.post(f"/alliance/projects/programmes/{programme.id}/consent",
                          data={"listed_in_cohort": "y"}).status_code == 302
    assert staff.post(f"/alliance/projects/programmes/{programme.id}/complete",
                      data={"hours_contributed": "480"}).status_code == 302
    assert outbox(world.applicant.email, kind="project.programme_completed")

    # 5. The cohort page lists the person (who agreed) with the report, for members.
    cohort = fetch(Cohort)[0]
    assert cohort.programme_name == "国内留職 石巻"
    page = login(world.outsider).get(f"/alliance/projects/cohorts/{cohort.id}").get_data(as_text=True)
    assert world.applicant.display_name in page and "連絡の流れを見直しました。" in page

    # 6. /impact figures (through the hooks): people matched, hosts, hours.
    with app.test_request_context():
        from core import hooks

        figures = {figure.label: figure.value for func in hooks.IMPACT_FIGURES.implementations() for figure in func()}
        assert figures["地域の募集にマッチングした人数"] == 1
        assert figures["関わった時間"] == "480"
        section = "".join(hooks.IMPACT_SECTIONS.render_all())
        assert '<a href="/alliance/shiojiri-test">塩尻テスト人事部</a>' in section and "1社・団体 1名" in section


def test_not_matched_needs_a_kind_message_and_mails_it(world, login, make_application, outbox, fetch):
    application_id = make_application(world.project_id, world.applicant)
    staff = login(world.host_staff)
    response = staff.post(f"/alliance/projects/applications/{application_id}/move",
                          data={"status": "not_matched", "message": "  "})
    assert response.status_code == 200
    assert "応募者へのメッセージを、ていねいに書いてください。" in response.get_data(as_text=True)
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "screening"
    assert not outbox(world.applicant.email)
    response = staff.post(f"/alliance/projects/applications/{application_id}/move",
                          data={"status": "not_matched", "message": "ご応募ありがとうございました。今回は見送ります。"})
    assert response.status_code == 302
    mail = outbox(world.applicant.email, kind="project.application_not_matched")[0]
    assert "ご応募ありがとうございました。今回は見送ります。" in mail.body
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "not_matched"


def test_side_job_programme_has_start_and_report(world, login, make_application, programme_of, app):
    application_id = make_application(world.project_id, world.applicant, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                 data={"status": "matched", "message": ""})
    with app.app_context():
        programme = db.session.get(Programme, programme_of(application_id).id)
        assert [(p.key, p.planned_start is not None) for p in programme.phases] == [("start", True), ("report", True)]


def test_applicant_withdraws_and_staff_are_told(world, login, make_application, outbox, fetch):
    application_id = make_application(world.project_id, world.applicant)
    client = login(world.applicant)
    assert client.post(f"/alliance/projects/applications/{application_id}/withdraw").status_code == 302
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "withdrawn"
    assert outbox(world.host_staff.email, kind="project.application_withdrawn")
    # A decided application cannot be moved any more.
    response = login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                            data={"status": "interview"})
    assert response.status_code == 200
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "withdrawn"
