"""/consult from the public, the secretariat's triage, contact-data privacy and anonymisation."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from alliance.referrals.models import Consultation, ConsultationSettings, Referral
from core.audit import AuditEntry
from core.db import db, utcnow

VALID = {
    "organization_name": "株式会社みやぎ精密", "contact_name": "高橋 由美", "email": "takahashi@example.jp",
    "prefecture": "04", "themes": ["foreign-workers", "hr-management"],
    "message": "ベトナム出身の社員が増え、定着の仕組みづくりについて相談したいです。", "website": "", "agree_privacy": "y",
}


def _count(app, model=Consultation):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_consult_form_is_public_and_japanese(client):
    html = client.get("/consult").get_data(as_text=True)
    assert "相談する" in html and 'name="organization_name"' in html and 'name="website"' in html
    assert 'name="themes"' in html and "外国人材" in html


def test_consultation_gets_a_reference_on_the_page_and_in_the_mail(app, client, make_admin, outbox):
    admin = make_admin()
    response = client.post("/consult", data=VALID)
    assert response.status_code == 302 and response.headers["Location"].endswith("/consult/thanks")
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation))
        reference = consultation.reference
        assert consultation.themes == ["foreign-workers", "hr-management"] and consultation.status == "new"
    page = client.get("/consult/thanks").get_data(as_text=True)
    assert reference in page and "受付番号" in page
    acknowledgement = outbox(to_address="takahashi@example.jp")
    assert len(acknowledgement) == 1
    assert reference in acknowledgement[0].subject and reference in acknowledgement[0].body
    assert "高橋 由美 様" in acknowledgement[0].body
    to_secretariat = outbox(to_address=admin.email, kind="consultation.new")
    assert to_secretariat and reference in to_secretariat[0].body
    assert "takahashi@example.jp" not in to_secretariat[0].body


def test_honeypot_stores_nothing_and_looks_normal(app, client, outbox):
    response = client.post("/consult", data={**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert "受付番号" not in client.get("/consult/thanks").get_data(as_text=True)
    assert _count(app) == 0 and outbox() == []


@pytest.mark.parametrize("field, value, message", [
    ("organization_name", "", "企業名または自治体名を入力してください。"),
    ("organization_name", "あ" * 121, "120文字以内で入力してください。"),
    ("contact_name", "", "お名前を入力してください。"),
    ("email", "", "メールアドレスを入力してください。"),
    ("email", "not-an-address", "正しいメールアドレスを入力してください。"),
    ("prefecture", "", "都道府県を選んでください。"),
    ("prefecture", "48", "都道府県を選んでください。"),
    ("themes", [], "テーマを1つ以上選んでください。"),
    ("themes", ["astrology"], "テーマは一覧から選んでください。"),
    ("message", "", "ご相談の内容を入力してください。"),
    ("message", "短い", "10文字以上4000文字以内で入力してください。"),
    ("message", "あ" * 4001, "10文字以上4000文字以内で入力してください。"),
])
def test_bad_input_is_explained_in_japanese_and_kept(app, client, field, value, message):
    response = client.post("/consult", data={**VALID, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    if field != "organization_name":
        assert 'value="株式会社みやぎ精密"' in html
    assert _count(app) == 0


def test_oversized_request_is_refused(app, client):
    response = client.post("/consult", data={**VALID, "message": "あ" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert _count(app) == 0


def test_consult_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [client.post("/consult", data=VALID).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    assert client.get("/consult").status_code == 200  # reading the form is not limited
    assert _count(app) == 5


def test_logged_in_member_gets_the_form_prefilled(make_member, login):
    member = make_member(display_name="佐藤 美咲", organization_name="石巻みらい水産株式会社", prefecture="04")
    html = login(member).get("/consult").get_data(as_text=True)
    assert 'value="佐藤 美咲"' in html and 'value="石巻みらい水産株式会社"' in html


# -- triage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/alliance/referrals/triage/", "/alliance/referrals/triage/{id}"])
def test_triage_is_admin_only(app, world, login, make_consultation, path):
    consultation_id = make_consultation()
    url = path.format(id=consultation_id)
    for person in (world.member, world.requester_staff, world.partner_staff):
        assert login(person).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 404
    assert login(world.admin).get(url).status_code == 200


def test_triage_lists_waiting_consultations_and_suggests_candidates(app, world, login, make_consultation):
    consultation_id = make_consultation(themes=["foreign-workers", "seniors"])
    admin = login(world.admin)
    listing = admin.get("/alliance/referrals/triage/").get_data(as_text=True)
    assert "株式会社みやぎ精密" in listing and "振り分け待ち" in listing
    page = admin.get(f"/alliance/referrals/triage/{consultation_id}").get_data(as_text=True)
    assert "takahashi@example.jp" in page
    assert page.index("東海外国人材サポート") < page.index("仙台まちしごと")
    assert "外国人材: 専門 ・ 中部地方" in page
    assert "このテーマを掲げる加盟団体はまだありません。" in page  # nobody lists seniors


def test_convert_makes_a_secretariat_referral_and_tells_the_sender(app, world, login, make_consultation, outbox):
    consultation_id = make_consultation()
    admin = login(world.admin)
    response = admin.post(f"/alliance/referrals/triage/{consultation_id}/convert", data={
        "title": "精密部品工場の外国人材定着", "theme": "foreign-workers", "prefecture": "04",
        "description": "外国人社員の定着支援を依頼します。", "timing": "", "format": "either",
    })
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral))
        consultation = db.session.get(Consultation, consultation_id)
        assert referral.consultation_id == consultation_id and referral.requester_organization_id is None
        assert consultation.status == "referred"
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
        assert {"referral.create", "consultation.refer"} <= actions
    assert outbox(to_address="takahashi@example.jp", kind="consultation.referred")
    assert response.headers["Location"].endswith(f"/alliance/referrals/{referral.id}")
    # Converting twice is refused.
    admin.post(f"/alliance/referrals/triage/{consultation_id}/convert", data={
        "title": "二回目", "theme": "foreign-workers", "prefecture": "04", "description": "x", "format": "either"})
    assert _count(app, Referral) == 1


def test_convert_with_bad_input_keeps_the_form(app, world, login, make_consultation):
    consultation_id = make_consultation()
    response = login(world.admin).post(f"/alliance/referrals/triage/{consultation_id}/convert", data={
        "title": "", "theme": "foreign-workers", "prefecture": "04", "description": "残す説明", "format": "either"})
    assert "件名を入力してください。" in response.get_data(as_text=True)
    assert "残す説明" in response.get_data(as_text=True)
    assert _count(app, Referral) == 0


def test_close_needs_a_reason_and_is_audited(app, world, login, make_consultation):
    consultation_id = make_consultation()
    admin = login(world.admin)
    response = admin.post(f"/alliance/referrals/triage/{consultation_id}/close", data={"reason": ""})
    assert "クローズする理由を入力してください。" in response.get_data(as_text=True)
    admin.post(f"/alliance/referrals/triage/{consultation_id}/close", data={"reason": "電話で直接回答済み"})
    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation.status == "closed" and consultation.closed_reason == "電話で直接回答済み"
        assert db.session.scalar(sa.select(AuditEntry.action)) == "consultation.close"
    assert "電話で直接回答済み" in admin.get(f"/alliance/referrals/triage/{consultation_id}").get_data(as_text=True)


# -- contact data privacy -------------------------------------------------------------------------


CONTACT_BITS = ("高橋 由美", "takahashi@example.jp", "株式会社みやぎ精密")


def _page_shows_contact(client, url):
    html = client.get(url).get_data(as_text=True)
    return any(bit in html for bit in CONTACT_BITS)


@pytest.mark.parametrize("status, partner_sees", [
    ("offered", False), ("accepted", True), ("in_progress", True), ("completed", True),
])
def test_contact_data_only_for_admins_and_the_organisation_that_took_it(
        app, world, login, make_referral, make_consultation, status, partner_sees):
    consultation_id = make_consultation()
    referral_id = make_referral(partner=world.partner, status=status, consultation_id=consultation_id,
                                creator=world.admin)
    detail = f"/alliance/referrals/{referral_id}"
    contact = f"/alliance/referrals/consultations/{consultation_id}"
    assert _page_shows_contact(login(world.admin), detail)
    assert login(world.admin).get(contact).status_code == 200
    partner = login(world.partner_staff)
    assert _page_shows_contact(partner, detail) is partner_sees
    assert partner.get(contact).status_code == (200 if partner_sees else 404)
    for outsider in (world.other_staff, world.member, world.requester_staff):
        client = login(outsider)
        assert client.get(detail).status_code == 404
        assert client.get(contact).status_code == 404
    assert app.test_client().get(contact).status_code == 302  # to login, then 404


def test_accepting_a_referral_from_a_consultation_tells_the_sender(app, world, login, make_referral,
                                                                    make_consultation, outbox):
    consultation_id = make_consultation()
    referral_id = make_referral(partner=world.partner, status="offered", consultation_id=consultation_id)
    login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/accept")
    mail = outbox(to_address="takahashi@example.jp", kind="consultation.accepted")
    assert mail and "東海外国人材サポート" in mail[0].body


# -- retention -------------------------------------------------------------------------------------


def test_retention_setting_is_admin_only_and_validated(app, world, login):
    assert login(world.requester_staff).post("/alliance/referrals/triage/settings",
                                             data={"retention_days": "30"}).status_code == 404
    admin = login(world.admin)
    response = admin.post("/alliance/referrals/triage/settings", data={"retention_days": "5"}, follow_redirects=True)
    assert "30から3650までの数を入力してください。" in response.get_data(as_text=True)
    assert _count(app, ConsultationSettings) == 0
    admin.post("/alliance/referrals/triage/settings", data={"retention_days": "90"})
    with app.app_context():
        assert db.session.get(ConsultationSettings, 1).retention_days == 90
        assert db.session.scalar(sa.select(AuditEntry.action)) == "consultation.retention"
    assert 'value="90"' in admin.get("/alliance/referrals/triage/").get_data(as_text=True)


def test_cli_anonymises_consultations_older_than_the_retention(app, runner, world, login, make_consultation,
                                                                make_referral):
    old = make_consultation(created_at=utcnow() - timedelta(days=100), email="old@example.jp",
                            contact_name="古い 相談者")
    recent = make_consultation(created_at=utcnow() - timedelta(days=10), email="new@example.jp")
    referral_id = make_referral(partner=world.partner, status="completed", consultation_id=old)
    with app.app_context():
        db.session.add(ConsultationSettings(id=1, retention_days=30))
        db.session.commit()
    result = runner.invoke(args=["consultations", "anonymise"])
    assert result.exit_code == 0 and "Anonymised 1 consultation(s) older than 30 days." in result.output
    with app.app_context():
        erased = db.session.get(Consultation, old)
        kept = db.session.get(Consultation, recent)
        assert (erased.email, erased.contact_name, erased.organization_name, erased.message) == ("", "", "", "")
        assert erased.anonymised_at is not None and erased.prefecture == "04" and erased.themes == ["foreign-workers"]
        assert kept.email == "new@example.jp"
    page = login(world.partner_staff).get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "保存期間の終了により削除されました" in page and "古い 相談者" not in page
    assert "Anonymised 0" in runner.invoke(args=["consultations", "anonymise"]).output
