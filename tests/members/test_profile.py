"""/members/me and its edit page: my data only, the Slack invite for members, sections of other rooms."""

import re

import pytest
from markupsafe import Markup, escape

from core import hooks
from core.db import db
from members.models import Member
from tests.conftest import PASSWORD
from tests.members.conftest import field_errors

SLACK = "https://join.slack.example/ran-test"


def profile_form(member, **changes) -> dict:
    data = {
        "display_name": member.display_name,
        "prefecture": member.prefecture,
        "affiliation": member.affiliation,
        "organization_name": member.organization_name,
        "themes": ["women"],
        "bio": "",
        "locale": "ja",
        "email": member.email,
        "current_password": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("path", ["/members/me", "/members/me/edit", "/members/me/password", "/members/me/delete"])
def test_account_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/members/login?next=")


def test_my_page_shows_my_data(client, auth, make_member):
    member = make_member(prefecture="20", affiliation="public-sector", organization_name="塩尻市役所")
    auth.login(member)
    html = client.get("/members/me").get_data(as_text=True)
    for text in (member.display_name, member.email, "長野県", "自治体・公的機関", "塩尻市役所", "APIトークン", "退会"):
        assert text in html
    assert 'href="/members/me/edit"' in html and 'href="/members/me/password"' in html


def test_my_page_shows_nothing_of_another_member(client, auth, make_member):
    me, other = make_member(), make_member(organization_name="ほかの会社")
    auth.login(me)
    html = client.get("/members/me").get_data(as_text=True)
    assert other.email not in html and other.display_name not in html and "ほかの会社" not in html


def test_slack_invite_is_shown_only_to_logged_in_members(client, auth, make_member):
    for path in ("/", "/members/signup", "/members/terms", "/members/login"):
        assert SLACK not in client.get(path).get_data(as_text=True)
    auth.login(make_member())
    assert f'href="{SLACK}"' in client.get("/members/me").get_data(as_text=True)


def test_without_slack_url_the_page_says_to_ask(make_app, make_member):
    no_slack = make_app(SLACK_INVITE_URL="")
    member = make_member()
    browser = no_slack.test_client()
    browser.post("/members/login", data={"email": member.email, "password": PASSWORD})
    assert "事務局にお問い合わせください" in browser.get("/members/me").get_data(as_text=True)


def test_other_blueprints_add_sections_to_my_page(app, client, auth, make_member):
    hooks.MEMBER_SECTIONS.register(
        app, lambda member: Markup('<section id="my-registrations">%s</section>') % member.display_name)
    hooks.MEMBER_SECTIONS.register(app, lambda member: None)
    member = make_member()
    auth.login(member)
    html = client.get("/members/me").get_data(as_text=True)
    assert f'<section id="my-registrations">{escape(member.display_name)}</section>' in html


def test_my_page_makes_the_same_number_of_queries_for_few_and_many_tokens(client, auth, make_member, count_queries):
    member = make_member(themes=["women"])
    auth.login(member)
    client.post("/members/me/tokens", data={"name": "first"})
    client.get("/members/me")
    with count_queries() as few:
        assert client.get("/members/me").status_code == 200
    for number in range(12):
        client.post("/members/me/tokens", data={"name": f"token {number}"})
    client.get("/members/me")
    with count_queries() as many:
        html = client.get("/members/me").get_data(as_text=True)
    assert "token 11" in html
    assert len(many) == len(few)


def test_edit_saves_the_profile(client, auth, make_member, find_member):
    member = make_member(themes=["seniors"])
    auth.login(member)
    response = client.post("/members/me/edit", data=profile_form(
        member, display_name="新しい名前", prefecture="47", affiliation="education",
        organization_name="那覇テスト高校", themes=["career-education", "women"], bio="高校で**キャリア教育**を担当。",
        locale="en",
    ))
    assert response.status_code == 302 and response.headers["Location"] == "/members/me"
    saved = find_member(member.email)
    assert (saved.display_name, saved.prefecture, saved.affiliation) == ("新しい名前", "47", "education")
    assert saved.organization_name == "那覇テスト高校" and saved.locale == "en"
    assert sorted(saved.themes) == ["career-education", "women"]
    assert "<strong>キャリア教育</strong>" in client.get("/members/me").get_data(as_text=True)


def test_edit_can_clear_every_theme(client, auth, make_member, find_member):
    member = make_member(themes=["seniors", "women"])
    auth.login(member)
    client.post("/members/me/edit", data=profile_form(member, themes=None))
    assert list(find_member(member.email).themes) == []


def test_edit_form_is_filled_with_my_data(client, auth, make_member):
    member = make_member(themes=["seniors"], organization_name="東海テスト精機")
    auth.login(member)
    html = client.get("/members/me/edit").get_data(as_text=True)
    assert f'value="{member.email}"' in html and 'value="東海テスト精機"' in html
    assert re.search(r'<input checked[^>]*value="seniors">', html)


def test_bio_markdown_is_sanitised(client, auth, make_member):
    member = make_member()
    auth.login(member)
    bio = '<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>'
    client.post("/members/me/edit", data=profile_form(member, bio=bio))
    html = client.get("/members/me").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html  # the raw tag is shown as text, never as an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_bio_line_breaks_from_a_browser_are_stored_as_lf(app, client, auth, make_member):
    """Browsers send a textarea's line breaks as CRLF; every form stores LF (core.forms.TextAreaField)."""
    member = make_member()
    auth.login(member)
    client.post("/members/me/edit", data=profile_form(member, bio="一行目\r\n二行目\r三行目"))
    with app.app_context():
        assert db.session.get(Member, member.id).bio == "一行目\n二行目\n三行目"


@pytest.mark.parametrize("changes, message", [
    ({"display_name": ""}, "ほかの会員に表示される名前を入力してください。"),
    ({"display_name": "名" * 61}, "60文字以内で入力してください。"),
    ({"prefecture": "00"}, "表示されている選択肢から選んでください。"),
    ({"affiliation": "pirate"}, "表示されている選択肢から選んでください。"),
    ({"themes": ["astrology"]}, "表示されている選択肢の中からだけ選んでください。"),
    ({"bio": "あ" * 2001}, "2000文字以内で入力してください。"),
    ({"locale": "fr"}, "表示されている選択肢から選んでください。"),
    ({"email": "not-an-email"}, "正しいメールアドレスを入力してください（例：name@example.jp）。"),
])
def test_bad_edit_changes_nothing(client, auth, make_member, find_member, changes, message):
    member = make_member(organization_name="元の会社")
    auth.login(member)
    response = client.post("/members/me/edit", data=profile_form(member, organization_name="新しい会社", **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in field_errors(html)
    assert 'value="新しい会社"' in html  # what was typed is kept
    assert find_member(member.email).organization_name == "元の会社"


def test_changing_the_email_needs_the_password_and_the_new_address_confirms_it(client, auth, make_member,
                                                                                find_member, outbox, mail_link):
    member = make_member(email="old@example.jp")
    auth.login(member)
    missing = client.post("/members/me/edit", data=profile_form(member, email="new@example.jp"))
    assert "メールアドレスを変更するには、現在のパスワードを入力してください。" in field_errors(missing.get_data(as_text=True))
    wrong = client.post("/members/me/edit", data=profile_form(member, email="new@example.jp", current_password="wrong-password-1"))
    assert "現在のパスワードが正しくありません。" in field_errors(wrong.get_data(as_text=True))
    assert find_member("new@example.jp") is None
    right = client.post("/members/me/edit", data=profile_form(member, email="New@Example.jp", current_password=PASSWORD))
    assert right.status_code == 302
    # Nothing changes until the link mailed to the new address is opened.
    assert find_member("new@example.jp") is None and find_member("old@example.jp") is not None
    assert "new@example.jp" in client.get("/members/me").get_data(as_text=True)  # the flash says where the link went
    link = mail_link("new@example.jp", "member.change_email", "/members/verify/")
    assert "new@example.jp" in client.get(link).get_data(as_text=True)
    assert find_member("new@example.jp") is None  # opening the page alone changes nothing
    client.post(link)
    assert find_member("new@example.jp") is not None and find_member("old@example.jp") is None
    [notice] = outbox("old@example.jp", kind="member.email_changed")
    assert "new@example.jp" in notice.body
    assert client.post(link).status_code == 404  # once only


def test_email_of_another_account_is_refused(client, auth, make_member, find_member):
    member, other = make_member(), make_member()
    auth.login(member)
    response = client.post("/members/me/edit", data=profile_form(member, email=other.email, current_password=PASSWORD))
    assert "このメールアドレスはほかのアカウントで使われています。" in field_errors(response.get_data(as_text=True))
    assert find_member(member.email) is not None


def test_edit_page_in_english(client, auth, make_member):
    auth.login(make_member())
    html = client.get("/members/me/edit?lang=en").get_data(as_text=True)
    assert "Edit profile" in html and "Language of emails" in html
