"""The opt-in expertise profile: publishing, editing, withdrawing, and who sees it."""

import re

import pytest
import sqlalchemy as sa

from core.db import db
from members.expertise.models import ExpertiseArea, ExpertiseProfile, ExpertiseSkill, parse_skills
from members.models import Member
from members.services import create_api_token
from tests.conftest import PASSWORD
from tests.members.conftest import field_errors


def profile_form(**changes) -> dict:
    data = {
        "themes": ["side-job-talent", "hr-management"], "skills": "採用広報、人事制度設計, Excel",
        "summary": "人事を15年担当しています。", "hours_per_month": "12", "remote": "y", "on_site": "y",
        "travel_regions": ["chubu"], "travel_prefectures": ["13"], "visibility": "alliance", "accepting": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def read_profile(app, member_id):
    with app.app_context():
        profile = db.session.get(ExpertiseProfile, member_id)
        if profile is None:
            return None
        return {"themes": list(profile.themes), "skills": profile.skills, "hours": profile.hours_per_month,
                "areas": list(profile.travel_prefectures), "mask": profile.travel_mask,
                "visibility": profile.visibility, "accepting": profile.accepting, "summary": profile.summary}


def test_my_page_invites_me_to_publish_a_profile(client, auth, make_member):
    auth.login(make_member())
    html = client.get("/members/me").get_data(as_text=True)
    assert "得意分野プロフィールを公開する" in html and 'href="/members/me/expertise"' in html


def test_publish_edit_and_withdraw_a_profile(app, client, auth, make_member):
    member = make_member(prefecture="20")
    auth.login(member)
    assert client.get("/members/me/expertise").status_code == 200
    response = client.post("/members/me/expertise", data=profile_form())
    assert response.status_code == 302
    saved = read_profile(app, member.id)
    assert saved["themes"] == ["hr-management", "side-job-talent"]
    assert saved["skills"] == ["採用広報", "人事制度設計", "Excel"]
    chubu = ["15", "16", "17", "18", "19", "20", "21", "22", "23"]
    assert saved["areas"] == sorted(chubu + ["13"])
    assert saved["mask"] == sum(1 << (int(code) - 1) for code in chubu + ["13"])
    html = client.get("/members/me").get_data(as_text=True)
    assert "加盟団体スタッフのみ" in html and "採用広報" in html and "月12時間" in html

    # The edit page shows whole regions as regions again.
    page = client.get("/members/me/expertise").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="chubu"', page)
    assert re.search(r'<input checked[^>]*value="13"', page) and not re.search(r'<input checked[^>]*value="20"', page)

    client.post("/members/me/expertise", data=profile_form(skills="採用", visibility="public", accepting=None,
                                                             travel_regions=None, travel_prefectures=[]))
    saved = read_profile(app, member.id)
    assert saved["skills"] == ["採用"] and saved["visibility"] == "public" and saved["accepting"] is False
    assert saved["areas"] == [] and saved["mask"] == 0

    assert client.post("/members/me/expertise/delete").status_code == 302
    assert read_profile(app, member.id) is None


@pytest.mark.parametrize("changes, message", [
    ({"themes": None}, "テーマを1つ以上選んでください。"),
    ({"themes": ["no-such-theme"]}, "表示されている選択肢の中からだけ選んでください。"),
    ({"summary": ""}, "経歴を数行で入力してください。"),
    ({"summary": "あ" * 1001}, "1000文字以内"),
    ({"hours_per_month": ""}, "月に何時間関われるかを入力してください。"),
    ({"hours_per_month": "0"}, "1から200までの数を入力してください。"),
    ({"hours_per_month": "many"}, "10のような整数で入力してください。"),
    ({"remote": None, "on_site": None}, "リモート・現地のどちらで活動できるか"),
    ({"visibility": "everyone"}, "表示されている選択肢から選んでください。"),
    ({"skills": "、".join(f"スキル{n}" for n in range(16))}, "スキルは15個までにしてください。"),
    ({"skills": "あ" * 41}, "スキルは1つ40文字までです"),
    ({"travel_prefectures": ["99"]}, "表示されている選択肢の中からだけ選んでください。"),
])
def test_bad_profile_input_changes_nothing(app, client, auth, make_member, changes, message):
    member = make_member()
    auth.login(member)
    response = client.post("/members/me/expertise", data=profile_form(**changes))
    assert response.status_code == 200
    errors = " ".join(field_errors(response.get_data(as_text=True)))
    assert message in errors, errors
    assert read_profile(app, member.id) is None
    # What was typed is kept.
    if "summary" not in changes:
        assert "人事を15年担当しています。" in response.get_data(as_text=True)


def test_parse_skills_splits_on_japanese_and_ascii_commas_and_drops_duplicates():
    assert parse_skills("採用広報、 Excel ,excel；ＫＰＩ\n組織開発") == ["採用広報", "Excel", "KPI", "組織開発"]


@pytest.mark.parametrize("viewer", ["visitor", "member"])
def test_alliance_only_profile_never_shows_to_plain_members_visitors_or_the_api(
        app, make_member, make_profile, login, make_organization, viewer):
    hidden = make_member(display_name="非公開 スタッフ限定")
    shown = make_member(display_name="公開 プロフィール")
    make_profile(hidden, visibility="alliance", skills=["秘密のスキル"])
    make_profile(shown, visibility="public", skills=["公開スキル"])
    client = login(make_member() if viewer == "member" else None)

    listing = client.get("/alliance/projects/people/").get_data(as_text=True)
    assert "公開 プロフィール" in listing and "非公開 スタッフ限定" not in listing and "秘密のスキル" not in listing
    assert client.get(f"/alliance/projects/people/{hidden.id}").status_code == 404
    assert client.get(f"/alliance/projects/people/{shown.id}").status_code == 200
    # Filters cannot reveal it either.
    filtered = client.get("/alliance/projects/people/?skill=秘密").get_data(as_text=True)
    assert "非公開 スタッフ限定" not in filtered

    api = client.get("/api/v1/people").json
    assert [item["display_name"] for item in api["items"]] == ["公開 プロフィール"]
    assert client.get(f"/api/v1/people/{hidden.id}").status_code == 404
    assert client.get(f"/api/v1/people/{shown.id}").json["skills"] == ["公開スキル"]


def test_alliance_only_profile_stays_out_of_the_api_even_with_a_staff_token(
        app, make_member, make_profile, make_organization, login):
    staff = make_member()
    make_organization(staff=[staff])
    hidden = make_member(display_name="非公開 スタッフ限定")
    make_profile(hidden, visibility="alliance")
    client = login(staff)
    with app.app_context():
        _token, secret = create_api_token(db.session.get(Member, staff.id), "cli")
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    assert api.get("/api/v1/people", headers=headers).json["items"] == []
    assert api.get(f"/api/v1/people/{hidden.id}", headers=headers).status_code == 404
    # On the site, the staff member sees it.
    assert "非公開 スタッフ限定" in client.get("/alliance/projects/people/").get_data(as_text=True)
    assert client.get(f"/alliance/projects/people/{hidden.id}").status_code == 200


def test_owner_sees_own_alliance_only_profile(make_member, make_profile, login):
    member = make_member()
    make_profile(member, visibility="alliance")
    assert login(member).get(f"/alliance/projects/people/{member.id}").status_code == 200


def test_people_filters(make_member, make_profile, login):
    nagano = make_member(display_name="長野 在住", prefecture="20")
    traveller = make_member(display_name="出張 可能", prefecture="13")
    other = make_member(display_name="九州 在住", prefecture="40")
    make_profile(nagano, visibility="public", themes=["women"], skills=["広報"])
    make_profile(traveller, visibility="public", themes=["seniors"], travel=["20"], remote=False, on_site=True)
    make_profile(other, visibility="public", themes=["women"], skills=["採用広報"])
    client = login(None)
    by_place = client.get("/alliance/projects/people/?prefecture=20").get_data(as_text=True)
    assert "長野 在住" in by_place and "出張 可能" in by_place and "九州 在住" not in by_place
    by_theme = client.get("/alliance/projects/people/?theme=women&region=kyushu").get_data(as_text=True)
    assert "九州 在住" in by_theme and "長野 在住" not in by_theme
    by_skill = client.get("/alliance/projects/people/?skill=広報").get_data(as_text=True)
    assert "長野 在住" in by_skill and "九州 在住" in by_skill and "出張 可能" not in by_skill
    remote = client.get("/alliance/projects/people/?remote=y").get_data(as_text=True)
    assert "出張 可能" not in remote
    # Unknown filter values are ignored, not an error.
    assert client.get("/alliance/projects/people/?theme=nope&prefecture=99").status_code == 200


def test_people_list_makes_the_same_number_of_queries_for_few_and_many(
        make_member, make_profile, login, count_queries):
    client = login(None)
    make_profile(make_member(), visibility="public", skills=["a", "b"])
    client.get("/alliance/projects/people/")
    with count_queries() as few:
        client.get("/alliance/projects/people/")
    for _ in range(12):
        make_profile(make_member(), visibility="public", skills=["a", "b"], themes=["women", "seniors"])
    with count_queries() as many:
        client.get("/alliance/projects/people/")
    assert len(few) == len(many)


def test_malicious_markdown_in_the_summary_is_sanitised(make_member, make_profile, login):
    member = make_member()
    make_profile(member, visibility="public",
                 summary='<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">')
    html = login(None).get(f"/alliance/projects/people/{member.id}").get_data(as_text=True)
    assert "<script" not in html and not re.search(r"<a[^>]*javascript:", html)
    assert not re.search(r"<img[^>]*onerror", html)


def test_deleting_the_account_erases_the_profile(app, make_member, make_profile, login):
    member = make_member()
    make_profile(member, skills=["採用"], travel=["20"])
    client = login(member)
    assert client.post("/members/me/delete", data={"current_password": PASSWORD}).status_code == 302
    with app.app_context():
        for model in (ExpertiseProfile, ExpertiseSkill, ExpertiseArea):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
