"""Project pages: list and filters, detail, posting and editing, applying, the rules around them."""

import re
from datetime import timedelta

import pytest

from alliance.projects import services
from alliance.projects.models import Project, ProjectApplication
from core.audit import AuditEntry
from tests.conftest import csrf_token_from
from tests.members.conftest import field_errors
from tests.projects.test_flow import project_form


def test_public_list_filters_and_past_projects(world, make_project, login):
    make_project(world.other, title="宮城の外国人材受け入れ", theme="foreign-workers", prefecture="04",
                 remote_possible=False, kind="volunteer")
    make_project(world.organization, title="締切済みの募集", deadline_days=-1)
    client = login(None)
    html = client.get("/alliance/projects/").get_data(as_text=True)
    assert "塩尻の中小企業の採用広報を手伝う複業人材" in html and "宮城の外国人材受け入れ" in html
    assert "締切済みの募集" not in html
    assert "締切済みの募集" in client.get("/alliance/projects/?status=past").get_data(as_text=True)
    only_tohoku = client.get("/alliance/projects/?region=tohoku").get_data(as_text=True)
    assert "宮城の外国人材受け入れ" in only_tohoku and "塩尻の中小企業" not in only_tohoku
    assert "宮城の外国人材" not in client.get("/alliance/projects/?remote=y").get_data(as_text=True)
    assert "塩尻の中小企業" not in client.get("/alliance/projects/?kind=volunteer").get_data(as_text=True)
    assert "宮城の外国人材" not in client.get("/alliance/projects/?theme=side-job-talent&prefecture=20") \
        .get_data(as_text=True)
    assert client.get("/alliance/projects/?theme=bogus").status_code == 200
    assert client.get("/alliance/projects/?theme=bogus&page=99").status_code == 404  # past the end


def test_list_and_detail_make_the_same_number_of_queries_for_few_and_many(world, make_project, login,
                                                                          make_member, make_application,
                                                                          count_queries):
    client = login(world.host_staff)
    make_application(world.project_id, world.applicant)
    client.get("/alliance/projects/")
    with count_queries() as few_list:
        client.get("/alliance/projects/")
    with count_queries() as few_detail:
        client.get(f"/alliance/projects/{world.project_id}")
    with count_queries() as few_applicants:
        client.get(f"/alliance/projects/{world.project_id}/applicants")
    for n in range(8):
        make_project(world.organization, title=f"募集{n}", skills=["採用", "広報"])
        make_application(world.project_id, make_member())
    with count_queries() as many_list:
        client.get("/alliance/projects/")
    with count_queries() as many_detail:
        client.get(f"/alliance/projects/{world.project_id}")
    with count_queries() as many_applicants:
        client.get(f"/alliance/projects/{world.project_id}/applicants")
    assert len(few_list) == len(many_list)
    assert len(few_detail) == len(many_detail)
    assert len(few_applicants) == len(many_applicants)


def test_my_page_lists_my_applications_and_staff_projects_in_constant_queries(
        world, make_project, make_application, login, count_queries):
    client = login(world.host_staff)
    client.get("/members/me")
    with count_queries() as few:
        client.get("/members/me")
    for n in range(5):
        project_id = make_project(world.organization, title=f"募集{n}")
        make_application(project_id, world.host_staff)
    with count_queries() as many:
        html = client.get("/members/me").get_data(as_text=True)
    assert len(few) == len(many)
    assert "応募した募集" in html and "所属団体の受付中の募集" in html


def test_detail_shows_conditions_and_apply_form(world, login):
    html = login(world.applicant).get(f"/alliance/projects/{world.project_id}").get_data(as_text=True)
    for text in ("テスト精工株式会社", "月10時間 × 6か月", "報酬あり：月3万円", "リモート可", 'name="motivation"',
                 '<a href="/alliance/shiojiri-test">塩尻テスト人事部</a>'):
        assert text in html
    visitor = login(None).get(f"/alliance/projects/{world.project_id}").get_data(as_text=True)
    assert "ログインして応募する" in visitor and 'name="motivation"' not in visitor
    staff = login(world.host_staff).get(f"/alliance/projects/{world.project_id}").get_data(as_text=True)
    assert "掲載団体のスタッフ向け" in staff and 'name="motivation"' not in staff


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "タイトルを入力してください。"),
    ({"title": "あ" * 121}, "title", "120文字以内"),
    ({"kind": "internship"}, "kind", "表示されている選択肢から選んでください。"),
    ({"theme": "nope"}, "theme", "表示されている選択肢から選んでください。"),
    ({"prefecture": "48"}, "prefecture", "表示されている選択肢から選んでください。"),
    ({"hours_per_month": "0"}, "hours_per_month", "1から200までの数を入力してください。"),
    ({"hours_per_month": "十"}, "hours_per_month", "10のような整数で入力してください。"),
    ({"duration_months": "37"}, "duration_months", "1から36までの数を入力してください。"),
    ({"positions": ""}, "positions", "募集人数を入力してください。"),
    ({"deadline": "2020-01-01"}, "deadline", "締切を過去の日付にはできません。"),
    ({"deadline": "来月"}, "deadline", "2026-12-01のような日付で入力してください。"),
    ({"deadline": ""}, "deadline", "応募締切を日付で入力してください。"),
    ({"compensation": ""}, "compensation", "報酬を選んでください。"),
    ({"description": "x" * 10_001}, "description", "10000文字以内"),
])
def test_bad_project_input_is_refused_and_kept(world, login, fetch, changes, field, message):
    response = login(world.host_staff).post("/alliance/projects/new", data=project_form(world.organization, **changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert any(message in error for error in field_errors(html)), field_errors(html)
    assert "石巻テストクリニック" in html  # what was typed is kept
    assert len(fetch(Project)) == 1


def test_full_width_numbers_are_understood(world, login, fetch):
    response = login(world.host_staff).post("/alliance/projects/new", data=project_form(
        world.organization, hours_per_month="１６０", positions="２"))
    assert response.status_code == 302
    project = fetch(Project, Project.title == "石巻の在宅医療クリニックへの国内留職")[0]
    assert (project.hours_per_month, project.positions) == (160, 2)


def test_edit_keeps_a_past_deadline_and_audits_the_change(app, world, login, fetch, make_project):
    project_id = make_project(world.organization, deadline_days=-10, status="closed")
    data = project_form(world.organization, title="題名を変えました",
                        deadline=(services.today() - timedelta(days=10)).isoformat())
    response = login(world.host_staff).post(f"/alliance/projects/{project_id}/edit", data=data)
    assert response.status_code == 302
    assert fetch(Project, Project.id == project_id)[0].title == "題名を変えました"
    entry = fetch(AuditEntry, AuditEntry.action == "project.update")[0]
    assert "title" in entry.details["fields"]


def test_close_and_reopen(world, login, fetch, make_project):
    staff = login(world.host_staff)
    staff.post(f"/alliance/projects/{world.project_id}/close")
    assert fetch(Project, Project.id == world.project_id)[0].status == "closed"
    response = login(world.applicant).post(f"/alliance/projects/{world.project_id}/apply",
                                           data={"motivation": "応募します"})
    assert "この募集の受付は終了しました。" in response.get_data(as_text=True)
    staff.post(f"/alliance/projects/{world.project_id}/reopen")
    assert fetch(Project, Project.id == world.project_id)[0].status == "open"
    past_id = make_project(world.organization, deadline_days=-1, status="closed")
    staff.post(f"/alliance/projects/{past_id}/reopen")
    assert fetch(Project, Project.id == past_id)[0].status == "closed"


@pytest.mark.parametrize("motivation, message", [
    ("", "参加したい理由を受け入れ先にお伝えください。"),
    ("あ" * 3001, "3000文字以内"),
])
def test_bad_application_is_refused(world, login, fetch, motivation, message):
    response = login(world.applicant).post(f"/alliance/projects/{world.project_id}/apply",
                                           data={"motivation": motivation})
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response.get_data(as_text=True)))
    assert not fetch(ProjectApplication)


def test_one_application_per_member_and_none_from_the_posting_staff(world, login, fetch, outbox):
    client = login(world.applicant)
    assert client.post(f"/alliance/projects/{world.project_id}/apply", data={"motivation": "1回目"}).status_code == 302
    again = client.post(f"/alliance/projects/{world.project_id}/apply", data={"motivation": "2回目"})
    assert "この募集にはすでに応募しています。" in again.get_data(as_text=True)
    staff = login(world.host_staff).post(f"/alliance/projects/{world.project_id}/apply", data={"motivation": "自分で"})
    assert "あなたはこの募集を掲載している団体のスタッフです。" in staff.get_data(as_text=True)
    assert [a.motivation for a in fetch(ProjectApplication)] == ["1回目"]
    assert len(outbox(world.applicant.email, kind="project.application_confirmed")) == 1


def test_no_application_after_the_deadline(world, login, make_project, fetch):
    project_id = make_project(world.organization, deadline_days=-1)
    response = login(world.applicant).post(f"/alliance/projects/{project_id}/apply", data={"motivation": "遅れて"})
    assert "この募集の受付は終了しました。" in response.get_data(as_text=True)
    assert not fetch(ProjectApplication)


def test_matches_never_exceed_the_places(world, login, make_member, make_application, make_project, fetch):
    project_id = make_project(world.organization, positions=1)
    first = make_application(project_id, make_member(), status="interview")
    second = make_application(project_id, make_member(), status="interview")
    staff = login(world.host_staff)
    assert staff.post(f"/alliance/projects/applications/{first}/move", data={"status": "matched"}).status_code == 302
    response = staff.post(f"/alliance/projects/applications/{second}/move", data={"status": "matched"})
    assert response.status_code == 200
    assert "募集人数（1名）に達しています。" in response.get_data(as_text=True)
    assert fetch(ProjectApplication, ProjectApplication.id == second)[0].status == "interview"


def test_screening_cannot_jump_to_matched(world, login, make_application, fetch):
    application_id = make_application(world.project_id, world.applicant)
    response = login(world.host_staff).post(f"/alliance/projects/applications/{application_id}/move",
                                            data={"status": "matched"})
    assert response.status_code == 200
    assert fetch(ProjectApplication, ProjectApplication.id == application_id)[0].status == "screening"


def test_forged_post_without_csrf_token_changes_nothing(make_app, world, fetch):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/members/login").get_data(as_text=True))
    client.post("/members/login", data={"email": world.applicant.email, "password": "correct-horse-battery-42",
                                        "csrf_token": token})
    response = client.post(f"/alliance/projects/{world.project_id}/apply", data={"motivation": "偽の応募"})
    assert response.status_code == 400
    assert not fetch(ProjectApplication)
    # With the page's token it goes through.
    page = client.get(f"/alliance/projects/{world.project_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.split('action="/alliance/projects/')[-1]).group(1)
    response = client.post(f"/alliance/projects/{world.project_id}/apply",
                           data={"motivation": "本物の応募", "csrf_token": token})
    assert response.status_code == 302


def test_malicious_markdown_in_project_and_motivation_is_sanitised(world, login, make_project, make_application):
    evil = '<script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)>'
    project_id = make_project(world.organization, description=evil)
    application_id = make_application(project_id, world.applicant, motivation=evil)
    for path in (f"/alliance/projects/{project_id}", f"/alliance/projects/applications/{application_id}"):
        html = login(world.host_staff).get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
        assert not re.search(r"<a[^>]*javascript:", html) and not re.search(r"<img[^>]*onerror", html)


def test_oversized_request_is_refused(world, login):
    response = login(world.applicant).post(f"/alliance/projects/{world.project_id}/apply",
                                           data={"motivation": "あ" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_the_project_page_writes_counts_and_notes_as_a_reader_expects(client, world):
    """募集人数 with its unit; host, place and pay written with the punctuation of the page's language."""
    html = client.get(f"/alliance/projects/{world.project_id}").get_data(as_text=True)
    assert "<dd>2名</dd>" in html
    assert "テスト精工株式会社（企業）" in html and "長野県 塩尻市（リモート可）" in html and "報酬あり：月3万円" in html
    english = client.get(f"/alliance/projects/{world.project_id}?lang=en").get_data(as_text=True)
    assert "<dd>2 people</dd>" in english and "（" not in english.split("<main")[1].split("</main>")[0]
    assert "Paid: 月3万円" in english
