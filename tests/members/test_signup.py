"""Signup: the account at once, the address confirmed by a mailed link, nothing told to strangers; bad input
changes nothing."""

import re

import pytest

from members.models import LoginSession, Member
from tests.conftest import csrf_token_from
from tests.members.conftest import field_errors


def test_signup_creates_an_unconfirmed_member_and_asks_to_check_the_mail(client, signup_data, find_member):
    response = client.post("/members/signup", data=signup_data(email=" Hanako@Example.JP "))
    assert response.status_code == 302
    assert response.headers["Location"] == "/members/signup/sent"
    member = find_member("hanako@example.jp")
    assert member is not None and member.email_verified_at is None
    assert (member.display_name, member.prefecture, member.affiliation) == ("山田 花子", "04", "company")
    assert member.organization_name == "石巻テスト水産株式会社"
    assert sorted(member.themes) == ["seniors", "youth-retention"]
    assert member.locale == "ja" and not member.is_admin
    page = client.get("/members/signup/sent").get_data(as_text=True)
    assert "確認メールを送信しました" in page and "hanako@example.jp" in page


def test_signup_logs_nobody_in_until_they_log_in(client, signup_data, count_rows, auth, find_member):
    client.post("/members/signup", data=signup_data())
    assert count_rows(LoginSession) == 0
    assert client.get("/members/me").status_code == 302
    assert auth.login("hanako@example.jp", "maple-harbour-lights-27").status_code == 302
    page = client.get("/members/me").get_data(as_text=True)
    assert "メールアドレスの確認をお願いします" in page


def test_a_full_width_address_is_normalised(client, signup_data, find_member):
    client.post("/members/signup", data=signup_data(email="ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ"))
    assert find_member("hanako@example.jp") is not None


def test_signup_in_english_sets_the_mail_language(client, signup_data, find_member, outbox):
    client.get("/?lang=en")
    client.post("/members/signup", data=signup_data())
    assert find_member("hanako@example.jp").locale == "en"
    assert outbox("hanako@example.jp")[0].subject.startswith("Welcome")


def test_welcome_mail_carries_the_slack_invite(client, signup_data, outbox):
    client.post("/members/signup", data=signup_data())
    [mail] = outbox("hanako@example.jp", kind="member.welcome")
    assert "地域人事部アライアンスネットワーク" in mail.subject
    assert "山田 花子 様" in mail.body
    assert "https://join.slack.example/ran-test" in mail.body
    assert "http://localhost/members/me" in mail.body


def test_welcome_mail_without_slack_says_nothing_about_it(make_app, signup_data, outbox):
    no_slack = make_app(SLACK_INVITE_URL="")
    no_slack.test_client().post("/members/signup", data=signup_data())
    [mail] = outbox("hanako@example.jp")
    assert "Slack" not in mail.body


def test_signup_may_leave_themes_and_organisation_empty(client, signup_data, find_member):
    response = client.post("/members/signup", data=signup_data(themes=None, organization_name=None))
    assert response.status_code == 302
    member = find_member("hanako@example.jp")
    assert list(member.themes) == [] and member.organization_name == ""


def test_repeated_theme_is_stored_once(client, signup_data, find_member):
    response = client.post("/members/signup", data=signup_data(themes=["women", "women", "seniors"]))
    assert response.status_code == 302
    assert sorted(find_member("hanako@example.jp").themes) == ["seniors", "women"]


def test_the_digest_is_asked_for_at_signup(client, signup_data, find_member, app):
    from members import notifications

    client.post("/members/signup", data=signup_data(digest="y"))
    client.post("/members/signup", data=signup_data(email="nodigest@example.jp"))
    with app.app_context():
        assert notifications.preferences(find_member("hanako@example.jp"))["digest"] is True
        assert notifications.preferences(find_member("nodigest@example.jp"))["digest"] is False


def test_signup_page_is_japanese_with_accessible_fields(client):
    html = client.get("/members/signup").get_data(as_text=True)
    assert "RAN会員になる" in html
    assert '<label for="email">メールアドレス</label>' in html
    assert '<legend>関心のあるテーマ' in html
    assert 'type="checkbox"' in html and 'value="foreign-workers"' in html and "外国人材" in html
    assert 'value="47"' in html and "沖縄県" in html
    assert 'href="/terms"' in html and 'href="/privacy"' in html
    assert 'name="digest"' in html


def test_logged_in_member_is_sent_from_signup_to_their_page(client, auth, make_member):
    auth.login(make_member())
    assert client.get("/members/signup").headers["Location"] == "/members/me"


def test_terms_page_is_translated_and_the_old_address_leads_there(client):
    html = client.get("/terms").get_data(as_text=True)
    assert "利用規約" in html and 'href="/privacy"' in html
    english = client.get("/terms?lang=en").get_data(as_text=True)
    assert "Terms of use" in english
    assert client.get("/members/terms").headers["Location"] == "/terms"


LONG = "x" * 129

BAD_SIGNUPS = [
    pytest.param({"password": "short-pw1", "password_confirm": "short-pw1"}, "10文字以上で入力してください。", id="password-too-short"),
    pytest.param({"password": LONG, "password_confirm": LONG}, "128文字以内で入力してください。", id="password-too-long"),
    pytest.param({"password": "hanako@example.jp", "password_confirm": "hanako@example.jp"},
                 "パスワードにメールアドレスを含めないでください。", id="password-is-email"),
    pytest.param({"password": "Hanako-loves-2026", "password_confirm": "Hanako-loves-2026"},
                 "パスワードにメールアドレスを含めないでください。", id="password-contains-local-part"),
    pytest.param({"password": "Password1234", "password_confirm": "Password1234"},
                 "このパスワードはよく使われていて推測されやすいため、使えません。", id="password-common"),
    pytest.param({"password_confirm": "maple-harbour-lights-28"}, "2つのパスワードが一致しません。", id="password-mismatch"),
    pytest.param({"password": "", "password_confirm": ""}, "パスワードを決めて入力してください。", id="password-missing"),
    pytest.param({"email": "hanako.example.jp"}, "正しいメールアドレスを入力してください（例：name@example.jp）。", id="bad-email"),
    pytest.param({"email": ""}, "メールアドレスを入力してください。", id="email-missing"),
    pytest.param({"email": "a" * 250 + "@example.jp"}, "254文字以内で入力してください。", id="email-too-long"),
    pytest.param({"prefecture": "48"}, "表示されている選択肢から選んでください。", id="unknown-prefecture"),
    pytest.param({"prefecture": ""}, "都道府県を選んでください。", id="prefecture-missing"),
    pytest.param({"affiliation": "alien"}, "表示されている選択肢から選んでください。", id="unknown-affiliation"),
    pytest.param({"themes": ["seniors", "astrology"]}, "表示されている選択肢の中からだけ選んでください。", id="unknown-theme"),
    pytest.param({"agree_terms": None}, "会員登録には利用規約への同意が必要です。", id="terms-not-agreed"),
    pytest.param({"display_name": ""}, "ほかの会員に表示される名前を入力してください。", id="display-name-missing"),
    pytest.param({"display_name": "名" * 61}, "60文字以内で入力してください。", id="display-name-too-long"),
    pytest.param({"organization_name": "社" * 121}, "120文字以内で入力してください。", id="organisation-too-long"),
]


@pytest.mark.parametrize("changes, message", BAD_SIGNUPS)
def test_bad_signup_is_refused_with_a_japanese_message(client, signup_data, count_rows, outbox, changes, message):
    data = signup_data(**changes)
    response = client.post("/members/signup", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(message in error for error in field_errors(html)), field_errors(html)
    assert "下記の項目を修正してください。" in html
    assert count_rows(Member) == 0 and outbox() == []
    assert client.get("/members/me").status_code == 302  # not logged in


@pytest.mark.parametrize("changes", [{"display_name": "名" * 61}, {"prefecture": "48"}, {"agree_terms": None}])
def test_bad_signup_keeps_what_was_typed_but_never_the_password(client, signup_data, changes):
    data = signup_data(**changes)
    html = client.post("/members/signup", data=data).get_data(as_text=True)
    assert 'value="hanako@example.jp"' in html
    assert 'value="石巻テスト水産株式会社"' in html
    assert re.search(r'<input checked[^>]*value="seniors">', html)
    assert not re.search(r'<input checked[^>]*value="women">', html)
    assert data["password"] not in html
    if "display_name" not in changes:
        assert 'value="山田 花子"' in html


def test_a_registered_address_answers_as_a_new_one_and_mails_the_owner(client, signup_data, make_member,
                                                                       count_rows, outbox):
    owner = make_member(email="hanako@example.jp", display_name="元の 花子")
    fresh = client.post("/members/signup", data=signup_data(email="new-person@example.jp"))
    fresh_page = client.get(fresh.headers["Location"]).get_data(as_text=True)
    other = client.application.test_client()
    taken = other.post("/members/signup", data=signup_data(email="HANAKO@example.jp"))
    taken_page = other.get(taken.headers["Location"]).get_data(as_text=True)
    assert (taken.status_code, taken.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    assert taken_page.replace("hanako@example.jp", "X") == fresh_page.replace("new-person@example.jp", "X")
    assert count_rows(Member) == 2  # the owner and the new person: nothing created for the taken address
    [notice] = outbox("hanako@example.jp", kind="member.signup_existing")
    assert "元の 花子 様" in notice.body and "/members/password/forgot" in notice.body
    assert outbox("hanako@example.jp", kind="member.welcome") == []
    # A second try within the hour does not flood the owner's mailbox.
    other.post("/members/signup", data=signup_data(email="hanako@example.jp"))
    assert len(outbox("hanako@example.jp", kind="member.signup_existing")) == 1
    assert owner.email == "hanako@example.jp"


def test_signup_is_throttled_per_ip(make_app, signup_data):
    limited = make_app(RATELIMIT_ENABLED=True)
    browser = limited.test_client()
    statuses = [browser.post("/members/signup", data=signup_data(password="x")).status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "しばらく" in browser.post("/members/signup", data=signup_data()).get_data(as_text=True)


def test_forged_signup_without_csrf_token_is_refused(csrf_browser, signup_data, count_rows):
    response = csrf_browser().post("/members/signup", data=signup_data())
    assert response.status_code == 400
    assert count_rows(Member) == 0


def test_signup_with_csrf_token_works(csrf_browser, signup_data, find_member):
    browser = csrf_browser()
    token = csrf_token_from(browser.get("/members/signup").get_data(as_text=True))
    response = browser.post("/members/signup", data=signup_data(csrf_token=token))
    assert response.status_code == 302 and response.headers["Location"] == "/members/signup/sent"
    assert find_member("hanako@example.jp") is not None
