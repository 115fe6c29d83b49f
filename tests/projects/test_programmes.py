"""Programmes after a match: phases, 1on1 notes, the final report, cohort consent, completion, case study."""

import pytest
import sqlalchemy as sa

from alliance.projects.models import Programme, ProgrammeNote, ProgrammePhase, ProjectApplication
from core import hooks
from core.db import db
from knowhow.models import Article
from tests.conftest import PASSWORD, without_case_study_drafters


@pytest.fixture
def programme(world, make_application, login, programme_of):
    """The applicant matched to the world's (side-job) project."""
    application_id = make_application(world.project_id, world.applicant, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                 data={"status": "matched", "message": ""})
    return programme_of(application_id)


def phases(fetch, programme_id):
    return sorted(fetch(ProgrammePhase, ProgrammePhase.programme_id == programme_id), key=lambda p: p.position)


def test_staff_set_planned_and_actual_dates(world, login, programme, fetch):
    response = login(world.host_staff).post(f"/alliance/projects/programmes/{programme.id}/phases", data={
        "phases-0-planned_start": "2026-12-01", "phases-0-planned_end": "2027-05-31",
        "phases-0-actual_start": "2026/12/03", "phases-0-actual_end": "",
        "phases-1-planned_start": "2027-06-01", "phases-1-planned_end": "2027-06-30",
    })
    assert response.status_code == 302
    start, report = phases(fetch, programme.id)
    assert (str(start.planned_start), str(start.actual_start), start.actual_end) == ("2026-12-01", "2026-12-03", None)
    assert report.actual_start is None and str(report.planned_end) == "2027-06-30"
    html = login(world.applicant).get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "2026年12月3日" in html and "実施中" in html


@pytest.mark.parametrize("data, message", [
    ({"phases-0-planned_start": "2027-01-10", "phases-0-planned_end": "2027-01-01"}, "終了日を開始日より前にはできません。"),
    ({"phases-0-actual_end": "2027-01-01"}, "実際の開始日も入力してください。"),
    ({"phases-0-planned_start": "来週"}, "2026-12-01のような日付で入力してください。"),
])
def test_bad_phase_dates_change_nothing(world, login, programme, fetch, data, message):
    before = [(p.planned_start, p.planned_end, p.actual_start, p.actual_end) for p in phases(fetch, programme.id)]
    form = {"phases-1-planned_start": "2027-06-01"}
    form.update(data)
    response = login(world.host_staff).post(f"/alliance/projects/programmes/{programme.id}/phases", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert [(p.planned_start, p.planned_end, p.actual_start, p.actual_end) for p in phases(fetch, programme.id)] == before


def test_phase_form_must_carry_every_phase(world, login, programme, fetch):
    response = login(world.host_staff).post(f"/alliance/projects/programmes/{programme.id}/phases",
                                            data={"phases-0-planned_start": "2027-01-01"})
    assert response.status_code == 200
    assert "すべてのフェーズの日付を送信してください。" in response.get_data(as_text=True)


def test_notes_are_shared_between_the_parties(world, login, programme, outbox, fetch):
    person = login(world.applicant)
    assert person.post(f"/alliance/projects/programmes/{programme.id}/notes",
                       data={"held_on": "2026-12-10", "body": "現場の課題を3つに整理しました。"}).status_code == 302
    assert outbox(world.host_staff.email, kind="project.programme_note")
    assert not outbox(world.applicant.email, kind="project.programme_note")
    html = login(world.admin).get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "現場の課題を3つに整理しました。" in html and world.applicant.display_name in html
    response = person.post(f"/alliance/projects/programmes/{programme.id}/notes", data={"held_on": "", "body": ""})
    assert response.status_code == 200
    assert len(fetch(ProgrammeNote)) == 1


def test_report_draft_then_submit_once(world, login, programme, fetch, outbox):
    person = login(world.applicant)
    person.post(f"/alliance/projects/programmes/{programme.id}/report", data={"report": "下書きです", "save": "y"})
    saved = fetch(Programme, Programme.id == programme.id)[0]
    assert saved.report == "下書きです" and saved.report_submitted_at is None
    assert not outbox(world.host_staff.email, kind="project.programme_report")
    staff_view = login(world.host_staff).get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "最終報告はまだ提出されていません。" in staff_view and "下書きです" not in staff_view
    response = person.post(f"/alliance/projects/programmes/{programme.id}/report", data={"report": " ", "submit": "y"})
    assert "提出する前に報告を書いてください。" in response.get_data(as_text=True)
    person.post(f"/alliance/projects/programmes/{programme.id}/report", data={"report": "完成版", "submit": "y"})
    assert fetch(Programme, Programme.id == programme.id)[0].report_submitted_at is not None
    response = person.post(f"/alliance/projects/programmes/{programme.id}/report",
                           data={"report": "書き換え", "submit": "y"})
    assert response.status_code == 200
    assert fetch(Programme, Programme.id == programme.id)[0].report == "完成版"


def test_cohort_lists_only_people_who_agreed(world, login, programme, make_member, make_application, programme_of,
                                            fetch):
    second = make_member(display_name="同期 二郎")
    application_id = make_application(world.project_id, second, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                 data={"status": "matched"})
    other_programme = programme_of(application_id)
    assert other_programme.cohort_id == programme.cohort_id
    login(world.applicant).post(f"/alliance/projects/programmes/{programme.id}/consent",
                                data={"listed_in_cohort": "y"})
    page = login(world.outsider).get(f"/alliance/projects/cohorts/{programme.cohort_id}").get_data(as_text=True)
    assert world.applicant.display_name in page and "同期 二郎" not in page
    assert "この期では2名がマッチングしました。" in page
    assert login(None).get(f"/alliance/projects/cohorts/{programme.cohort_id}").status_code == 302
    listing = login(world.outsider).get("/alliance/projects/cohorts/").get_data(as_text=True)
    assert "複業（" in listing and "2名" in listing
    # Withdrawing consent takes the person off the page.
    login(world.applicant).post(f"/alliance/projects/programmes/{programme.id}/consent", data={})
    page = login(world.outsider).get(f"/alliance/projects/cohorts/{programme.cohort_id}").get_data(as_text=True)
    assert world.applicant.display_name not in page


def test_complete_records_hours_once(world, login, programme, fetch):
    staff = login(world.host_staff)
    response = staff.post(f"/alliance/projects/programmes/{programme.id}/complete", data={"hours_contributed": "-5"})
    assert response.status_code == 200 and "0から100000までの数を入力してください。" in response.get_data(as_text=True)
    staff.post(f"/alliance/projects/programmes/{programme.id}/complete", data={"hours_contributed": "55"})
    saved = fetch(Programme, Programme.id == programme.id)[0]
    assert (saved.status, saved.hours_contributed) == ("completed", 55)
    staff.post(f"/alliance/projects/programmes/{programme.id}/complete", data={"hours_contributed": "999"})
    assert fetch(Programme, Programme.id == programme.id)[0].hours_contributed == 55


def test_case_study_button_only_when_knowhow_offers_it(app, world, login, programme, fetch):
    without_case_study_drafters(app)
    login(world.applicant).post(f"/alliance/projects/programmes/{programme.id}/report",
                                data={"report": "## 事例にしたい報告", "submit": "y"})
    staff = login(world.host_staff)
    page = staff.get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "報告からノウハウの事例を作成する" not in page
    response = staff.post(f"/alliance/projects/programmes/{programme.id}/case-study")
    assert response.status_code == 302 and fetch(Programme, Programme.id == programme.id)[0].case_study_url == ""

    calls = []

    def drafter(source, report, member):
        calls.append((source.id, report, member.id))
        return "/knowhow/draft-from-programme"

    hooks.CASE_STUDY_DRAFTERS.register(app, drafter)
    page = staff.get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "報告からノウハウの事例を作成する" in page
    assert "報告からノウハウの事例を作成する" not in login(world.applicant).get(
        f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    response = staff.post(f"/alliance/projects/programmes/{programme.id}/case-study")
    assert response.headers["Location"] == "/knowhow/draft-from-programme"
    assert calls == [(programme.id, "## 事例にしたい報告", world.host_staff.id)]
    staff.post(f"/alliance/projects/programmes/{programme.id}/case-study")
    assert len(calls) == 1
    assert fetch(Programme, Programme.id == programme.id)[0].case_study_url == "/knowhow/draft-from-programme"


def test_deleting_the_person_keeps_the_programme_without_personal_data(app, world, login, programme, fetch):
    person = login(world.applicant)
    person.post(f"/alliance/projects/programmes/{programme.id}/notes", data={"held_on": "2026-12-01", "body": "メモ"})
    person.post(f"/alliance/projects/programmes/{programme.id}/report", data={"report": "報告", "submit": "y"})
    assert person.post("/members/me/delete", data={"current_password": PASSWORD}).status_code == 302
    saved = fetch(Programme, Programme.id == programme.id)[0]
    assert (saved.member_id, saved.report, saved.application_id) == (None, "", None)
    assert not fetch(ProgrammeNote) and not fetch(ProjectApplication)
    page = login(world.host_staff).get(f"/alliance/projects/programmes/{programme.id}").get_data(as_text=True)
    assert "退会した会員" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 1


def test_final_report_becomes_a_knowhow_case_study_draft(app, world, login, programme):
    login(world.applicant).post(f"/alliance/projects/programmes/{programme.id}/report",
                                data={"report": "## 現地での学び\n留職先で業務改善に取り組みました。", "submit": "y"})
    response = login(world.host_staff).post(f"/alliance/projects/programmes/{programme.id}/case-study")
    assert response.status_code == 302
    with app.app_context():
        article = db.session.scalar(sa.select(Article))
        assert (article.kind, article.status, article.visibility) == ("case-study", "draft", "members")
        assert "留職先で業務改善に取り組みました。" in article.body
        assert article.author_id == world.host_staff.id
