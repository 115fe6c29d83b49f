"""Suggested people: the shared explainable ranking (core.ranking), its reasons, and its SQL pre-filter."""

import random
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from alliance.models import OrganizationStaff
from alliance.projects import suggest
from alliance.projects.models import Project, ProjectApplication, ProjectInvitation
from core import ranking, refdata
from core.db import db
from core.search import evidence as search_evidence
from members.expertise.models import ExpertiseProfile, skill_key

SKILLS = ["採用", "採用広報", "人事制度設計", "マーケティング", "経理", "DX推進", "ファシリテーション"]
SUMMARIES = ["人事と採用の経験があります。", "中小企業の採用広報を三社で立て上げました。", "経理と財務の仕事を二十年続けています。",
             "自治体の人事制度の見直しに関わりました。", "地域の観光の仕事をしています。"]


def brute_force(project: Project, limit: int) -> list[ranking.Ranked]:
    """Every profile turned into facts in Python and ranked by core.ranking — the reference."""
    applicants = set(db.session.scalars(
        sa.select(ProjectApplication.member_id).where(ProjectApplication.project_id == project.id)))
    hosts = set(db.session.scalars(sa.select(OrganizationStaff.member_id).where(
        OrganizationStaff.organization_id == project.organization_id)))
    profiles = db.session.scalars(sa.select(ExpertiseProfile).options(
        selectinload(ExpertiseProfile.theme_rows), selectinload(ExpertiseProfile.skill_rows),
        selectinload(ExpertiseProfile.area_rows), selectinload(ExpertiseProfile.member))).all()
    found = search_evidence.relevance(suggest.project_need(project), None, kinds=suggest.EVIDENCE_KINDS,
                                      owner="owner", visibilities=suggest.STAFF_SEES, facet=("theme", project.theme),
                                      documents=suggest.EVIDENCE_DOCUMENTS)
    facts = []
    for profile in profiles:
        if not profile.accepting or profile.member_id in applicants | hosts:
            continue
        hours = profile.hours_per_month
        hours_fit = (suggest.ENOUGH if hours >= project.hours_per_month
                     else suggest.PARTIAL if hours * 2 >= project.hours_per_month else suggest.SHORT)
        matched = tuple(row.label for row in profile.skill_rows if row.key in project.skill_keys)
        facts.append(suggest.PersonFacts(
            member_id=profile.member_id, has_theme=project.theme in profile.themes,
            skill_matches=min(len(matched), suggest.SKILL_CAP), hours_fit=hours_fit,
            closeness=ranking.proximity_class(project.prefecture, profile.member.prefecture,
                                              profile.travel_prefectures),
            remote=profile.remote, on_site=profile.on_site, busy=0, member=profile.member, profile=profile,
            matched_skills=matched,
            relevance=found[profile.member_id].share if profile.member_id in found else 0.0,
            evidence=tuple(found[profile.member_id].documents) if profile.member_id in found else (),
        ))
    return ranking.rank(facts, suggest.criteria(project), tie_key=lambda f: f.member_id, limit=limit)


@pytest.fixture
def crowd(make_member, make_profile):
    """60 members with random profiles all over Japan."""
    rng = random.Random(7)
    codes = [p.code for p in refdata.PREFECTURES]
    themes = ["side-job-talent", "hr-management", "public-sector", "women"]
    for n in range(60):
        member = make_member(display_name=f"候補{n:02d}", prefecture=rng.choice(["20", "19", "13", "04", "40"]))
        remote = rng.random() < 0.6
        make_profile(member, themes=rng.sample(themes, rng.randint(1, 2)), skills=rng.sample(SKILLS, rng.randint(0, 4)),
                     hours=rng.choice([2, 5, 8, 10, 20]), remote=remote, on_site=not remote or rng.random() < 0.5,
                     travel=rng.sample(codes, rng.randint(0, 3)), accepting=rng.random() < 0.9,
                     visibility=rng.choice(["alliance", "public"]), summary=rng.choice(SUMMARIES))


@pytest.mark.parametrize("fields", [
    {"prefecture": "20", "remote_possible": True, "skills": ["採用", "採用広報", "マーケティング", "経理"]},
    {"prefecture": "20", "remote_possible": False, "skills": ["採用"]},
    {"prefecture": "04", "remote_possible": False, "skills": [], "hours_per_month": 5},
    {"prefecture": "13", "remote_possible": True, "skills": ["DX推進", "人事制度設計"], "theme": "hr-management"},
])
def test_suggestions_are_exactly_core_ranking_over_every_profile(app, world, crowd, make_project, make_application,
                                                                 fields):
    project_id = make_project(world.organization, **fields)
    with app.app_context():
        candidate = db.session.scalar(sa.select(ExpertiseProfile.member_id).order_by(ExpertiseProfile.member_id))
    make_application(project_id, SimpleNamespace(id=candidate))
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        expected = brute_force(project, limit=10)
        got = suggest.suggest_people(project, limit=10)
        assert expected, "the fixture should give candidates"
        assert [(r.candidate.member_id, r.score, r.explain()) for r in got] == \
               [(r.candidate.member_id, r.score, r.explain()) for r in expected]
        assert all(isinstance(r, ranking.Ranked) for r in got)
        assert candidate not in [r.candidate.member_id for r in got]


@pytest.mark.parametrize("target", ["20", "13", "04", "40", "47"])
def test_distance_classes_in_sql_are_those_of_core_ranking(app, world, crowd, make_project, target):
    project_id = make_project(world.organization, prefecture=target, remote_possible=True)
    with app.test_request_context():
        project = db.session.get(Project, project_id)
        rows = db.session.execute(suggest.facts_query(project)).all()
        assert rows
        profiles = {p.member_id: p for p in db.session.scalars(sa.select(ExpertiseProfile).options(
            selectinload(ExpertiseProfile.member), selectinload(ExpertiseProfile.area_rows)))}
        for row in rows:
            profile = profiles[row.member_id]
            assert row.closeness == ranking.proximity_class(target, profile.member.prefecture,
                                                            profile.travel_prefectures)


def test_who_is_never_suggested(app, world, make_member, make_profile, make_project, make_application):
    project_id = make_project(world.organization, prefecture="20", remote_possible=False, skills=["採用"])
    fits = make_member(display_name="適任 長野", prefecture="20")
    make_profile(fits, on_site=True, remote=False, skills=["採用"])
    make_profile(world.host_staff, on_site=True)                          # the posting staff themself
    applied = make_member(display_name="応募済み", prefecture="20")
    make_profile(applied, on_site=True)
    make_application(project_id, applied)
    paused = make_member(display_name="一時停止", prefecture="20")
    make_profile(paused, on_site=True, accepting=False)
    remote_only = make_member(display_name="リモートのみ", prefecture="20")
    make_profile(remote_only, remote=True, on_site=False)                 # the project needs on-site work
    far = make_member(display_name="遠方 九州", prefecture="40")
    make_profile(far, on_site=True, remote=True, travel=["41"])           # cannot reach 長野
    other_theme = make_member(display_name="別テーマ", prefecture="20")
    make_profile(other_theme, themes=["women"], on_site=True, skills=["採用"])
    with app.test_request_context():
        names = [r.candidate.member.display_name
                 for r in suggest.suggest_people(db.session.get(Project, project_id))]
    assert names == ["適任 長野"]


def test_reasons_weigh_skills_distance_hours_and_load(app, world, make_member, make_profile, make_project):
    project_id = make_project(world.organization, prefecture="20", remote_possible=True, hours_per_month=10,
                              skills=["採用広報", "マーケティング"])
    near = make_member(display_name="近く", prefecture="20")
    make_profile(near, hours=10, remote=True, summary="観光の仕事をしています。")
    skilled = make_member(display_name="スキル一致・遠方", prefecture="40")
    make_profile(skilled, hours=10, remote=True, skills=["マーケティング", "採用広報"])
    with app.test_request_context():
        ranked = suggest.suggest_people(db.session.get(Project, project_id))
        assert [r.candidate.member.display_name for r in ranked] == ["スキル一致・遠方", "近く"]
        assert ranked[0].explain() == ("これまでの実績が募集内容に合致 ・ テーマ：複業・副業人材 ・ スキル：マーケティング、採用広報"
                                       " ・ 月10時間に対応可 ・ リモート可")
        assert ranked[1].explain() == "テーマ：複業・副業人材 ・ 月10時間に対応可 ・ 長野県で活動可 ・ リモート可"


def test_running_programmes_count_against(app, world, make_member, make_profile, make_project, make_application,
                                         login):
    project_id = make_project(world.organization, prefecture="20")
    busy = make_member(display_name="参加中", prefecture="20")
    free = make_member(display_name="手があいている", prefecture="20")
    make_profile(busy)
    make_profile(free)
    other_project = make_project(world.organization, prefecture="20", title="別の募集")
    application_id = make_application(other_project, busy, status="interview")
    login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                 data={"status": "matched"})
    with app.test_request_context():
        ranked = suggest.suggest_people(db.session.get(Project, project_id))
    assert [r.candidate.member.display_name for r in ranked] == ["手があいている", "参加中"]
    assert "実施中のプログラム 1件" in ranked[1].explain()
    assert ranked[0].score - ranked[1].score == -suggest.BUSY_POINTS


def test_suggestion_makes_the_same_number_of_queries_for_few_and_many_profiles(
        app, world, make_member, make_profile, make_project, count_queries):
    project_id = make_project(world.organization, skills=["採用"])
    statements_seen = []

    def run():
        with app.test_request_context():
            project = db.session.get(Project, project_id)
            list(project.skill_rows)
            with count_queries() as statements:
                result = suggest.suggest_people(project)
            statements_seen[:] = statements
            return len(statements), len(result)

    make_profile(make_member(), skills=["採用"])
    few, shown_few = run()
    for n in range(25):
        make_profile(make_member(prefecture=random.Random(n).choice(["20", "13"])), skills=["採用", "経理"][: n % 3])
    many, shown_many = run()
    assert (shown_few, shown_many) == (1, 10)
    # evidence, facts of those it matched, facts grouped, profiles with members (and their themes, loaded
    # with them), matching skills
    assert few == many == 6, "\n".join(s[:120] for s in statements_seen)


def test_suggestions_page_shows_reasons_and_invites_once(app, world, make_member, make_profile, login, outbox,
                                                        fetch):
    person = make_member(display_name="提案 される人", prefecture="19")
    make_profile(person, skills=["採用広報"], visibility="alliance")
    with app.app_context():
        project = db.session.get(Project, world.project_id)
        project.skill_rows[:] = []
        db.session.commit()
    staff = login(world.host_staff)
    html = staff.get(f"/alliance/projects/{world.project_id}/suggestions").get_data(as_text=True)
    assert "提案 される人" in html and "テーマ：複業・副業人材" in html and "同じ地方（中部地方）" in html
    assert staff.post(f"/alliance/projects/{world.project_id}/invite/{person.id}").status_code == 302
    assert outbox(person.email, kind="project.invitation")
    assert len(fetch(ProjectInvitation)) == 1
    staff.post(f"/alliance/projects/{world.project_id}/invite/{person.id}")
    assert len(outbox(person.email, kind="project.invitation")) == 1
    assert "募集をお知らせ済み" in staff.get(f"/alliance/projects/{world.project_id}/suggestions").get_data(as_text=True)


def test_inviting_someone_without_a_profile_is_refused(world, make_member, login, outbox):
    stranger = make_member()
    response = login(world.host_staff).post(f"/alliance/projects/{world.project_id}/invite/{stranger.id}")
    assert response.status_code == 302
    assert not outbox(stranger.email)
    assert login(world.host_staff).post(f"/alliance/projects/{world.project_id}/invite/99999").status_code == 404


def test_skill_keys_match_whatever_the_width_and_case(app, world, make_member, make_profile, make_project):
    project_id = make_project(world.organization, skills=["ＤＸ推進", "excel"])
    member = make_member()
    make_profile(member, skills=["DX推進", "Excel"])
    assert skill_key("ＤＸ推進") == skill_key("DX推進")
    with app.test_request_context():
        ranked = suggest.suggest_people(db.session.get(Project, project_id))
        assert ranked[0].candidate.skill_matches == 2


def test_applicants_are_not_invited(world, make_member, make_profile, make_application, login, outbox):
    person = make_member()
    make_profile(person)
    make_application(world.project_id, person)
    login(world.host_staff).post(f"/alliance/projects/{world.project_id}/invite/{person.id}")
    assert not outbox(person.email, kind="project.invitation")
