"""People matching reads what someone has done: their profile, bio and completed projects against the project."""

import sqlalchemy as sa

from alliance.projects import services, suggest
from alliance.projects.models import Programme, Project
from core.db import db
from core.search import SearchDocument
from members.models import Member
from members.services import update_profile
from tests.projects.test_expertise import profile_form

SPECIALIST = "中小企業の採用広報を三社で立て上げ、求人票と採用サイトを作り直しました。"


def _suggested(app, project_id):
    with app.test_request_context():
        return {ranked.candidate.member_id: ranked
                for ranked in suggest.suggest_people(db.session.get(Project, project_id))}


def test_what_someone_has_done_puts_them_first_and_taking_it_away_lowers_them(app, world, make_member, make_profile,
                                                                             login):
    near = make_member(display_name="近くの人", prefecture="20")
    make_profile(near, on_site=True, summary="地域の観光の仕事をしています。")
    far = make_member(display_name="遠くの専門家", prefecture="40")
    client = login(far)
    client.post("/members/me/expertise", data=profile_form(themes=["side-job-talent"], skills="", summary=SPECIALIST,
                                                             travel_regions=[], travel_prefectures=[]))
    before = _suggested(app, world.project_id)
    assert list(before)[:2] == [far.id, near.id]
    documents = before[far.id].candidate.evidence
    assert before[far.id].candidate.relevance == 1.0 and documents[0].kind == "expertise"
    assert "<mark>採用広報</mark>" in str(documents[0].snippet())

    client.post("/members/me/expertise", data=profile_form(themes=["side-job-talent"], skills="",
                                                             summary="経理の仕事をしています。",
                                                             travel_regions=[], travel_prefectures=[]))
    after = _suggested(app, world.project_id)
    assert after[far.id].score < before[far.id].score
    assert after[far.id].candidate.evidence == ()
    assert list(after)[0] == near.id


def test_the_bio_is_evidence_and_a_withdrawn_profile_is_not(app, world, make_member, make_profile, login):
    person = make_member(display_name="略歴で分かる人", prefecture="13")
    make_profile(person, summary="いろいろな仕事をしてきました。")
    with app.app_context():
        member = db.session.get(Member, person.id)
        update_profile(member, display_name=member.display_name, prefecture="13", affiliation=member.affiliation,
                       organization_name="", themes=[], bio=SPECIALIST, locale="ja")
        db.session.commit()
    assert _suggested(app, world.project_id)[person.id].candidate.relevance == 1.0

    assert login(person).post("/members/me/expertise/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SearchDocument).where(
            SearchDocument.kind == "expertise", SearchDocument.object_id == person.id)) == 0
    assert person.id not in _suggested(app, world.project_id)


def test_a_completed_projects_report_counts_but_only_admins_read_it(app, world, make_member, make_profile,
                                                                   make_project, make_application, login):
    person = make_member(display_name="経験 のある人", prefecture="13")
    make_profile(person, summary="いろいろな仕事をしてきました。")
    earlier = make_project(world.organization, title="塩尻の食品会社の人材募集を手伝う")
    application_id = make_application(earlier, person, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move", data={"status": "matched"})
    with app.app_context():
        programme = db.session.scalar(sa.select(Programme).where(Programme.application_id == application_id))
        services.save_report(programme, "採用広報の記事を12本書き、非公開の数字では応募が倍になった。", submit=True)
        services.complete(programme, 40)
        db.session.commit()
    ranked = _suggested(app, world.project_id)[person.id]
    assert ranked.candidate.relevance == 1.0
    assert any(document.kind == "programme" for document in ranked.candidate.evidence)

    staff_page = login(world.host_staff).get(f"/alliance/projects/{world.project_id}/suggestions").get_data(as_text=True)
    assert "完了したプロジェクト" in staff_page and "「塩尻の食品会社の人材募集を手伝う」を完了" in staff_page
    assert "非公開の数字" not in staff_page
    admin_page = login(world.admin).get(f"/alliance/projects/{world.project_id}/suggestions").get_data(as_text=True)
    assert "非公開の数字" in admin_page and "<mark>採用広報</mark>" in admin_page


def test_on_the_judged_set_reading_what_people_have_done_does_not_do_worse(app):
    from bench import ranking_eval

    with app.app_context():
        ranking_eval.load_set()
    with app.test_request_context():
        old = ranking_eval.evaluate_people(ranking_eval.current_people).summary()
        new = ranking_eval.evaluate_people(ranking_eval.evidence_people).summary()
    assert new["requests"] >= 8
    assert new["nDCG@3"] >= old["nDCG@3"] and new["nDCG@3"] >= 0.8
    assert new["MRR"] == 1.0  # the person whose work it is comes first, every time
