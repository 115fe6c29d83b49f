"""Staff edit their organisation at /alliance/<slug>/edit; nobody else can (404)."""

import pytest
import sqlalchemy as sa

from alliance.models import Organization
from core import refdata
from core.db import db
from tests.alliance.conftest import edit_form
from tests.conftest import csrf_token_from

THEME_INDEX = {theme.slug: index for index, theme in enumerate(refdata.THEMES)}


def load(app, slug) -> Organization:
    with app.app_context():
        organization = db.session.scalar(sa.select(Organization).where(Organization.slug == slug))
        # touch what the tests read, then detach
        _ = (organization.served_prefectures[:], organization.theme_rows[:], organization.services[:],
             organization.records[:])
        db.session.expunge_all()
        return organization


def test_staff_edit_everything(app, client, auth, make_member, make_organization, audit_actions):
    staff = make_member()
    organization = make_organization(slug="edit-me", staff=[staff])
    auth.login(staff)
    page = client.get("/alliance/edit-me/edit")
    assert page.status_code == 200
    assert 'name="services-0-title"' in page.get_data(as_text=True)
    data = edit_form(
        organization, name="新しい名前の地域人事部", prefecture="04", served_prefectures=["06"],
        summary="新しい概要です。", description="**太字**の紹介", website="https://new.example.jp",
        contact_email="new-inbox@example.jp", founded_year="2020", accepts_remote="y",
        **{f"expertise-{THEME_INDEX['youth-retention']}-depth": "",
           f"expertise-{THEME_INDEX['seniors']}-depth": "strong",
           f"expertise-{THEME_INDEX['seniors']}-note": "定年前研修",
           f"expertise-{THEME_INDEX['women']}-depth": "expert",
           "services-0-title": "シニア研修", "services-0-description": "50代向けです。",
           "services-1-title": "", "services-1-description": "",
           "records-0-value": "120名", "records-0-label": "受講者"},
    )
    response = client.post("/alliance/edit-me/edit", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/alliance/edit-me"
    saved = load(app, "edit-me")
    assert saved.name == "新しい名前の地域人事部"
    assert saved.prefecture == "04"
    assert list(saved.served_prefectures) == ["04", "06"]  # head office always included
    assert {(r.theme, r.depth, r.note) for r in saved.theme_rows} == {("seniors", "strong", "定年前研修"),
                                                                      ("women", "expert", "")}
    assert [(s.title, s.description) for s in saved.services] == [("シニア研修", "50代向けです。")]
    assert [(r.value, r.label) for r in saved.records] == [("120名", "受講者")]
    assert saved.founded_year == 2020 and saved.accepts_remote is True
    assert saved.contact_email == "new-inbox@example.jp"
    assert audit_actions("organization.update") == ["organization.update"]
    html = client.get("/alliance/edit-me").get_data(as_text=True)
    assert "シニア研修" in html and "120名" in html and "<strong>太字</strong>" in html


def test_edit_page_shows_current_values_including_the_contact_address(client, auth, make_member, make_organization):
    staff = make_member()
    make_organization(slug="mine", staff=[staff], contact_email="inbox@mine.example.jp",
                      themes={"women": "strong"})
    auth.login(staff)
    html = client.get("/alliance/mine/edit").get_data(as_text=True)
    assert 'value="inbox@mine.example.jp"' in html  # its own staff need to see it
    assert f'name="expertise-{THEME_INDEX["women"]}-depth"' in html
    assert '<option selected value="strong">' in html


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "団体名を入力してください。"),
    ({"contact_email": "nope"}, "正しいメールアドレスを入力してください。"),
    ({"website": "javascript:alert(1)"}, "http:// または https:// で始まるアドレスを入力してください。"),
    ({"founded_year": "1700"}, "1868〜"),
    ({"summary": "あ" * 401}, "概要は400字以内で入力してください。"),
    ({"description": "あ" * 10_001}, "団体紹介は10000字以内で入力してください。"),
    ({f"expertise-{THEME_INDEX['youth-retention']}-depth": ""}, "少なくとも1つのテーマで深さを選んでください。"),
    ({"services-0-title": "", "services-0-description": "説明だけ"}, "サービス名を入力してください。"),
    ({"records-0-value": "10社", "records-0-label": ""}, "数字が何を表すかを入力してください。"),
    ({"kind": "spaceship"}, "法人格"),
    ({"referral_capacity": "-1"}, "0〜50の数字を入力してください。"),
    ({"referral_capacity": "51"}, "0〜50の数字を入力してください。"),
])
def test_bad_input_is_refused_and_kept(app, client, auth, make_member, make_organization, changes, message):
    staff = make_member()
    organization = make_organization(slug="careful", name="慎重な団体", staff=[staff])
    auth.login(staff)
    data = edit_form(organization, **{"summary": "入力した概要", **changes})
    response = client.post("/alliance/careful/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "入力した概要" in html or "summary" in changes
    assert load(app, "careful").name == "慎重な団体"


def test_name_of_another_organization_is_refused(client, auth, make_member, make_organization):
    staff = make_member()
    organization = make_organization(slug="mine", staff=[staff])
    make_organization(name="Taken Name")
    auth.login(staff)
    response = client.post("/alliance/mine/edit", data=edit_form(organization, name="taken name"))
    assert "この名称の団体はすでに加盟しているか、申し込み済みです。" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client, make_organization):
    make_organization(slug="public")
    response = client.get("/alliance/public/edit")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_members_who_are_not_staff_get_404(client, auth, make_member, make_organization):
    organization = make_organization(slug="not-yours")
    auth.login(make_member())
    assert client.get("/alliance/not-yours/edit").status_code == 404
    assert client.post("/alliance/not-yours/edit", data=edit_form(organization, name="乗っ取り")).status_code == 404


def test_staff_of_a_cannot_edit_b_even_by_changing_hidden_fields(app, client, auth, make_member, make_organization):
    staff_a = make_member()
    org_a = make_organization(slug="org-a", name="団体A", staff=[staff_a])
    org_b = make_organization(slug="org-b", name="団体B")
    auth.login(staff_a)
    assert client.get("/alliance/org-b/edit").status_code == 404
    assert client.post("/alliance/org-b/edit", data=edit_form(org_b, name="乗っ取られたB")).status_code == 404
    # posting to A's page while naming B anywhere in the form changes A only
    forged = edit_form(org_a, name="団体A改", id=str(org_b.id), organization_id=str(org_b.id), slug="org-b")
    forged["organization"] = "org-b"
    assert client.post("/alliance/org-a/edit", data=forged).status_code == 302
    assert load(app, "org-b").name == "団体B"
    assert load(app, "org-a").name == "団体A改"
    assert load(app, "org-a").slug == "org-a"


def test_staff_of_a_suspended_organization_cannot_edit(client, auth, make_member, make_organization):
    staff = make_member()
    make_organization(slug="paused", staff=[staff], status="suspended")
    auth.login(staff)
    assert client.get("/alliance/paused/edit").status_code == 404


def test_admin_can_edit_any_organization(app, client, auth, make_admin, make_organization, audit_actions):
    organization = make_organization(slug="any")
    auth.login(make_admin())
    assert client.post("/alliance/any/edit", data=edit_form(organization, name="事務局が直した名前")).status_code == 302
    assert load(app, "any").name == "事務局が直した名前"
    assert "organization.update" in audit_actions()


def test_forged_edit_without_csrf_token_is_refused(app, make_app, make_member, make_organization):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    staff = make_member()
    organization = make_organization(slug="guarded", name="守られた団体", staff=[staff])
    browser = csrf_app.test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": staff.email, "password": "correct-horse-battery-42",
                                         "csrf_token": token})
    response = browser.post("/alliance/guarded/edit", data=edit_form(organization, name="偽造"))
    assert response.status_code in (400, 422)
    assert load(app, "guarded").name == "守られた団体"


def test_staff_say_how_many_referrals_they_take_or_pause_them(app, client, auth, make_member, make_organization):
    staff = make_member()
    organization = make_organization(slug="capacity", staff=[staff])
    auth.login(staff)
    page = client.get("/alliance/capacity/edit").get_data(as_text=True)
    assert 'name="referral_capacity"' in page and "新しい紹介の受付を一時停止する" in page
    client.post("/alliance/capacity/edit", data=edit_form(organization, referral_capacity="3", referrals_paused="y"))
    saved = load(app, "capacity")
    assert saved.referral_capacity == 3 and saved.referrals_paused is True
    client.post("/alliance/capacity/edit", data=edit_form(organization, referral_capacity=""))
    saved = load(app, "capacity")
    assert saved.referral_capacity is None and saved.referrals_paused is False
