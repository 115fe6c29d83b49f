"""What every Japanese public site has: privacy, terms, about, a way to reach the secretariat, in every footer."""

import pytest
import sqlalchemy as sa

from alliance.models import ContactMessage
from alliance.referrals.models import Consultation
from core.db import db
from tests.referrals.test_consultations import VALID as CONSULTATION

MESSAGE = {"name": "問い 合わせ子", "email": "ask@example.jp", "message": "退会後のデータの扱いを教えてください。\n二行目です。",
           "website": ""}


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("path, japanese, english", [
    ("/privacy", "個人情報の取り扱い", "What we collect"),
    ("/terms", "利用規約", "Terms of use"),
    ("/about", "運営者", "Operator"),
    ("/contact", "事務局へのお問い合わせ", "Contact the secretariat"),
])
def test_the_pages_exist_in_both_languages(client, path, japanese, english):
    assert japanese in client.get(path).get_data(as_text=True)
    assert english in client.get(path + "?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/events/", "/knowhow/", "/consult", "/members/login"])
def test_every_page_links_the_four_in_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer'):]
    for link in ('href="/privacy"', 'href="/terms"', 'href="/about"', 'href="/contact"'):
        assert link in footer


def test_the_privacy_page_says_how_to_ask_for_disclosure_and_how_long_data_is_kept(client):
    html = client.get("/privacy").get_data(as_text=True)
    for words in ("利用目的", "保存期間", "開示", "第三者", "Cookie", "個人情報の保護に関する法律"):
        assert words in html


def test_a_message_reaches_the_inbox_and_every_admin(app, client, make_admin, outbox):
    first, second = make_admin(), make_admin()
    response = client.post("/contact", data=MESSAGE)
    assert response.status_code == 302 and response.headers["Location"] == "/contact/sent"
    assert "お問い合わせありがとうございます" in client.get("/contact/sent").get_data(as_text=True)
    assert _count(app, ContactMessage) == 1
    for admin in (first, second):
        [mail] = outbox(admin.email, kind="secretariat.contact")
        assert "二行目です。" in mail.body and "ask@example.jp" in mail.body


def test_the_inbox_keeps_line_breaks_and_marks_answers(app, client, auth, make_admin):
    client.post("/contact", data=MESSAGE)
    auth.login(make_admin())
    html = client.get("/alliance/secretariat/contact").get_data(as_text=True)
    assert '<div class="pre-line">退会後のデータの扱いを教えてください。\n二行目です。</div>' in html
    with app.app_context():
        message_id = db.session.scalar(sa.select(ContactMessage.id))
    client.post(f"/alliance/secretariat/contact/{message_id}/done")
    assert _count(app, ContactMessage, ContactMessage.status == "done") == 1


def test_the_inbox_is_the_secretariats_only(app, client, auth, make_member):
    client.post("/contact", data=MESSAGE)
    auth.login(make_member())
    assert client.get("/alliance/secretariat/contact").status_code == 404
    assert client.post("/alliance/secretariat/contact/1/done").status_code == 404
    assert _count(app, ContactMessage, ContactMessage.status == "new") == 1


def test_bad_input_keeps_what_was_typed(app, client):
    response = client.post("/contact", data={**MESSAGE, "email": "ask＠example", "message": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "お問い合わせ内容を入力してください。" in html
    assert 'value="問い 合わせ子"' in html and _count(app, ContactMessage) == 0


def test_a_bot_filling_the_honeypot_sends_nothing(app, client, make_admin, outbox):
    make_admin()
    assert client.post("/contact", data={**MESSAGE, "website": "http://spam.example"}).status_code == 302
    assert _count(app, ContactMessage) == 0 and outbox() == []


def test_contact_is_rate_limited(make_app):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [limited.post("/contact", data=MESSAGE).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]


def test_deleting_the_account_erases_the_members_messages(app, client, auth, make_member, make_admin):
    from tests.conftest import PASSWORD

    make_admin()
    member = make_member(email="ask@example.jp")
    client.post("/contact", data=MESSAGE)  # sent before logging in, from the same address
    auth.login(member)
    client.post("/contact", data={**MESSAGE, "email": "other-address@example.jp"})
    client.application.test_client().post("/contact", data={**MESSAGE, "name": "別の 人", "email": "someone@example.jp"})
    client.post("/members/me/delete", data={"current_password": PASSWORD})
    with app.app_context():
        assert db.session.scalars(sa.select(ContactMessage.email)).all() == ["someone@example.jp"]


def test_a_full_width_address_is_accepted(app, client):
    client.post("/contact", data={**MESSAGE, "email": "ＡＳＫ＠ｅｘａｍｐｌｅ．ｊｐ"})
    with app.app_context():
        assert db.session.scalar(sa.select(ContactMessage.email)) == "ask@example.jp"


# -- /consult: consent, "not sure", line breaks -----------------------------------------------------


def test_consult_needs_consent_to_the_privacy_policy(app, client):
    html = client.get("/consult").get_data(as_text=True)
    assert 'name="agree_privacy"' in html and 'href="/privacy"' in html and "わからない・その他" in html
    response = client.post("/consult", data={**CONSULTATION, "agree_privacy": ""})
    assert response.status_code == 200
    assert "プライバシーポリシーへの同意が必要です" in response.get_data(as_text=True)
    assert _count(app, Consultation) == 0


def test_a_company_that_is_not_sure_of_the_theme_can_still_ask(app, client, auth, make_admin):
    response = client.post("/consult", data={**CONSULTATION, "themes": ["unsure"],
                                             "message": "何から相談すればよいかわかりません。\n社員が定着しません。"})
    assert response.status_code == 302
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        assert consultation.themes == ["unsure"] and consultation.consented_at is not None
    auth.login(make_admin())
    html = client.get(f"/alliance/referrals/triage/{consultation.id}").get_data(as_text=True)
    assert "わからない・その他" in html
    assert "何から相談すればよいかわかりません。\n社員が定着しません。" in html  # the line break is kept
