"""The whole referral flow through the pages: ask, rank, offer, decline, accept, work, complete."""

import threading

import pytest
import sqlalchemy as sa

from alliance.models import OrganizationStaff
from alliance.referrals.models import Referral, ReferralDecline, ReferralMessage, ReferralOutcome
from core import hooks
from core.audit import AuditEntry
from core.db import db
from tests.conftest import without_case_study_drafters


def _referral(app, referral_id):
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        db.session.refresh(referral)
        db.session.expunge(referral)
        return referral


def _actions(app, referral_id):
    with app.app_context():
        return list(db.session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.target_type == "referrals",
                                               AuditEntry.target_id == referral_id).order_by(AuditEntry.id)
        ))


def test_whole_flow_from_request_to_completed_case_study(app, world, login, outbox):
    drafted = []

    def drafter(referral, outcome, member):
        drafted.append((referral.id, outcome.people_supported, member.id))
        return "/knowhow/draft-from-referral"

    without_case_study_drafters(app)  # the test's own drafter stands in for knowhow's
    hooks.CASE_STUDY_DRAFTERS.register(app, drafter)
    requester, partner, admin = login(world.requester_staff), login(world.partner_staff), login(world.admin)

    # The requester asks for help for its region.
    form = requester.get("/alliance/referrals/new").get_data(as_text=True)
    assert "依頼する団体: 宮城地域人事部" in form  # its only organisation: shown, and sent hidden
    assert '<input type="hidden" name="organization" value="miyagi-jinji">' in form
    response = requester.post("/alliance/referrals/new", data={
        "organization": "miyagi-jinji", "title": "水産加工場の外国人材定着", "theme": "foreign-workers",
        "prefecture": "04", "description": "技能実習生の生活相談の仕組みを作りたい。", "timing": "2027年1月〜3月",
        "format": "either",
    })
    assert response.status_code == 302
    referral_id = int(response.headers["Location"].rstrip("/").split("/")[-1])

    # Ranked candidates with reasons; the cross-region expert comes first, the requester never appears.
    page = requester.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert page.index("東海外国人材サポート") < page.index("仙台まちしごと")
    assert "外国人材: 専門 ・ 中部地方" in page
    assert "外国人材: 実績あり ・ 宮城県で活動" in page
    assert "Offer to" not in page and "宮城地域人事部に打診する" not in page

    # Offer to the sendai organisation, which declines with a reason: back to open, reason kept.
    assert requester.post(f"/alliance/referrals/{referral_id}/offer", data={"organization": "sendai-fw"}).status_code == 302
    assert _referral(app, referral_id).status == "offered"
    assert outbox(to_address=world.other_staff.email, kind="referral.offer")
    other = login(world.other_staff)
    assert "引き受ける" in other.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    other.post(f"/alliance/referrals/{referral_id}/decline",
               data={"reason": "今期は人手が足りません。", "reason_kind": "capacity"})
    referral = _referral(app, referral_id)
    assert referral.status == "open" and referral.partner_organization_id is None
    with app.app_context():
        decline = db.session.scalar(sa.select(ReferralDecline))
        assert decline.reason == "今期は人手が足りません。"
    declined_mail = outbox(to_address=world.requester_staff.email, kind="referral.decline")
    assert declined_mail and "今期は人手が足りません。" in declined_mail[0].body
    # The organisation that declined is no longer a party, nor a candidate.
    assert other.get(f"/alliance/referrals/{referral_id}").status_code == 404
    page = requester.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "仙台まちしごとに打診する" not in page and "今期は人手が足りません。" in page

    # Offer to the Aichi expert, who accepts, starts and completes with an outcome report.
    requester.post(f"/alliance/referrals/{referral_id}/offer", data={"organization": "tokai-help"})
    partner.post(f"/alliance/referrals/{referral_id}/accept")
    assert _referral(app, referral_id).status == "accepted"
    assert outbox(to_address=world.requester_staff.email, kind="referral.accept")
    partner.post(f"/alliance/referrals/{referral_id}/messages", data={"body": "来週**火曜**はいかがですか。"})
    assert outbox(to_address=world.requester_staff.email, kind="referral.message")
    page = requester.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "<strong>火曜</strong>" in page
    partner.post(f"/alliance/referrals/{referral_id}/start")
    assert _referral(app, referral_id).status == "in_progress"
    assert "支援した人数" in partner.get(f"/alliance/referrals/{referral_id}/complete").get_data(as_text=True)
    response = partner.post(f"/alliance/referrals/{referral_id}/complete", data={
        "summary": "生活相談会を3回開催しました。", "people_supported": "24", "companies_supported": "3", "hours": "36",
    })
    assert response.status_code == 302
    referral = _referral(app, referral_id)
    assert referral.status == "completed" and referral.completed_at is not None
    with app.app_context():
        outcome = db.session.scalar(sa.select(ReferralOutcome))
        assert (outcome.people_supported, outcome.companies_supported, outcome.hours) == (24, 3, 36)
    completed_mail = outbox(to_address=world.requester_staff.email, kind="referral.complete")
    assert completed_mail and "【RAN hub】紹介が完了しました" in completed_mail[0].subject

    # The case-study hook is offered and called once.
    page = partner.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "この報告を事例の下書きにする" in page
    response = partner.post(f"/alliance/referrals/{referral_id}/case-study")
    assert response.headers["Location"] == "/knowhow/draft-from-referral"
    partner.post(f"/alliance/referrals/{referral_id}/case-study")
    assert drafted == [(referral_id, 24, world.partner_staff.id)]
    assert "事例の下書きを開く" in partner.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)

    assert _actions(app, referral_id) == [
        "referral.create", "referral.offer", "referral.decline", "referral.offer", "referral.accept",
        "referral.message", "referral.start", "referral.complete", "referral.case_study",
    ]
    history = admin.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "仙台まちしごとが辞退" in history and "東海外国人材サポートが完了" in history


def test_no_case_study_button_without_a_drafter(app, world, login, make_referral):
    without_case_study_drafters(app)
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="completed")
    page = login(world.partner_staff).get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "事例の下書き" not in page
    assert login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/case-study").status_code == 302


def test_withdraw_keeps_the_reason_and_tells_the_partner(app, world, login, make_referral, outbox):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    login(world.requester_staff).post(f"/alliance/referrals/{referral_id}/withdraw", data={"reason": "予算が付かなかった"})
    referral = _referral(app, referral_id)
    assert referral.status == "withdrawn" and referral.withdrawn_reason == "予算が付かなかった"
    mail = outbox(to_address=world.partner_staff.email, kind="referral.withdraw")
    assert mail and "予算が付かなかった" in mail[0].body
    assert not outbox(to_address=world.requester_staff.email)  # the actor is not mailed


def test_retract_reopens_and_tells_the_former_candidate(app, world, login, make_referral, outbox):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="offered")
    login(world.requester_staff).post(f"/alliance/referrals/{referral_id}/retract")
    assert _referral(app, referral_id).status == "open"
    assert outbox(to_address=world.partner_staff.email, kind="referral.retract")


def test_secretariat_referral_mails_the_secretariat(app, world, login, make_referral, outbox):
    referral_id = make_referral(partner=world.partner, status="offered", creator=world.admin)
    login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/accept")
    assert outbox(to_address=world.admin.email, kind="referral.accept")


def test_stale_transition_is_explained_not_applied(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    partner = login(world.partner_staff)
    response = partner.post(f"/alliance/referrals/{referral_id}/accept", follow_redirects=True)
    assert "この紹介の状態が変わっています" in response.get_data(as_text=True)
    assert _referral(app, referral_id).status == "accepted"
    assert _actions(app, referral_id) == []


def test_offer_to_an_organisation_without_the_theme_is_refused(app, world, login, make_referral, make_organization):
    make_organization(slug="seniors-only", themes={"seniors": "expert"})
    referral_id = make_referral(requester=world.requester)
    requester = login(world.requester_staff)
    for slug in ("seniors-only", "miyagi-jinji", "no-such-org", ""):
        response = requester.post(f"/alliance/referrals/{referral_id}/offer", data={"organization": slug},
                                  follow_redirects=True)
        assert response.status_code == 200
        assert _referral(app, referral_id).status == "open"


def test_decline_without_reason_rerenders_with_japanese_message(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="offered")
    response = login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/decline", data={"reason": "  "})
    assert response.status_code == 200
    assert "依頼元が次の手を考えられるよう、理由を入力してください。" in response.get_data(as_text=True)
    assert "主な理由を選んでください。" in response.get_data(as_text=True)
    assert _referral(app, referral_id).status == "offered"


def test_outcome_form_keeps_input_and_explains_in_japanese(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="in_progress")
    response = login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/complete", data={
        "summary": "研修を実施", "people_supported": "十二", "companies_supported": "-1", "hours": "",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "整数で入力してください（該当なしは0）。" in html
    assert "0から100,000までの数を入力してください。" in html
    assert "研修を実施" in html
    assert _referral(app, referral_id).status == "in_progress"


def test_full_width_digits_are_accepted_in_the_outcome(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="in_progress")
    login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/complete", data={
        "summary": "研修を実施", "people_supported": "１２", "companies_supported": "0", "hours": "8",
    })
    with app.app_context():
        assert db.session.scalar(sa.select(ReferralOutcome.people_supported)) == 12


def test_messages_are_sanitised(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    requester = login(world.requester_staff)
    requester.post(f"/alliance/referrals/{referral_id}/messages",
                   data={"body": "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"})
    html = requester.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, never run
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 1


def test_message_line_breaks_from_a_browser_are_stored_as_lf(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    login(world.requester_staff).post(f"/alliance/referrals/{referral_id}/messages", data={"body": "a\r\nb"})
    with app.app_context():
        assert db.session.scalar(sa.select(ReferralMessage.body)) == "a\nb"


def test_oversized_message_is_refused(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    response = login(world.requester_staff).post(f"/alliance/referrals/{referral_id}/messages",
                                                 data={"body": "あ" * 4001})
    assert "4000文字以内で入力してください。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralMessage)) == 0


def test_staff_must_ask_for_a_prefecture_they_serve(app, world, login):
    response = login(world.requester_staff).post("/alliance/referrals/new", data={
        "organization": "miyagi-jinji", "title": "福岡での支援", "theme": "seniors", "prefecture": "40",
        "description": "説明", "format": "online",
    })
    assert response.status_code == 200
    assert "宮城地域人事部の活動地域にある都道府県を選んでください。" in response.get_data(as_text=True)
    assert 'value="福岡での支援"' in response.get_data(as_text=True)


def test_staff_cannot_ask_on_behalf_of_another_organisation(app, world, login):
    response = login(world.requester_staff).post("/alliance/referrals/new", data={
        "organization": "tokai-help", "title": "なりすまし", "theme": "seniors", "prefecture": "23",
        "description": "説明", "format": "online",
    })
    assert "依頼する団体を選んでください。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_admin_may_ask_as_the_secretariat(app, world, login):
    response = login(world.admin).post("/alliance/referrals/new", data={
        "organization": "", "title": "事務局からの依頼", "theme": "seniors", "prefecture": "40",
        "description": "説明", "format": "online",
    })
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(sa.select(Referral))
        assert referral.requester_organization_id is None and referral.created_by_id == world.admin.id


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "件名を入力してください。"),
    ("title", "あ" * 121, "件名は120文字以内で入力してください。"),
    ("theme", "astrology", "テーマを選んでください。"),
    ("prefecture", "99", "都道府県を選んでください。"),
    ("description", "", "必要な支援の内容を入力してください。"),
    ("description", "あ" * 5001, "5000文字以内で入力してください。"),
    ("format", "teleport", "実施形式を選んでください。"),
])
def test_referral_form_errors_are_japanese_and_change_nothing(app, world, login, field, value, message):
    data = {"organization": "miyagi-jinji", "title": "件名", "theme": "seniors", "prefecture": "04",
            "description": "説明", "format": "online", field: value}
    response = login(world.requester_staff).post("/alliance/referrals/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


@pytest.mark.commits
def test_simultaneous_accept_and_decline_apply_exactly_once(app, world, login, make_referral, make_member):
    """Two staff of the offered organisation answer at the same moment: one answer wins, the other is told."""
    colleague = make_member(display_name="協力 二郎")
    with app.app_context():
        db.session.add(OrganizationStaff(organization_id=world.partner.id, member_id=colleague.id))
        db.session.commit()
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="offered")
    clients = [login(world.partner_staff), login(colleague)]
    barrier = threading.Barrier(2)
    results = []

    def answer(client, path, data):
        barrier.wait()
        results.append(client.post(path, data=data).status_code)

    threads = [
        threading.Thread(target=answer, args=(clients[0], f"/alliance/referrals/{referral_id}/accept", {})),
        threading.Thread(target=answer, args=(clients[1], f"/alliance/referrals/{referral_id}/decline",
                                              {"reason": "同時に辞退", "reason_kind": "timing"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The loser is told the state moved on (302 + message), or — when the decline won and its
    # organisation is no longer a party — finds nothing (404).
    assert sorted(results) in ([302, 302], [302, 404])
    actions = [action for action in _actions(app, referral_id) if action in ("referral.accept", "referral.decline")]
    assert len(actions) == 1
    referral = _referral(app, referral_id)
    assert referral.status == ("accepted" if actions == ["referral.accept"] else "open")
    with app.app_context():
        declines = db.session.scalar(sa.select(sa.func.count()).select_from(ReferralDecline))
        assert declines == (1 if actions == ["referral.decline"] else 0)


def test_a_decline_records_its_main_reason_and_shows_it(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="offered")
    partner = login(world.partner_staff)
    form = partner.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert 'name="reason_kind"' in form and "得意分野と合わない" in form
    refused = partner.post(f"/alliance/referrals/{referral_id}/decline",
                           data={"reason": "技能伝承は専門外です。", "reason_kind": "astrology"})
    assert refused.status_code == 200 and _referral(app, referral_id).status == "offered"
    partner.post(f"/alliance/referrals/{referral_id}/decline",
                 data={"reason": "技能伝承は専門外です。", "reason_kind": "fit"})
    with app.app_context():
        assert db.session.scalar(sa.select(ReferralDecline.reason_kind)) == "fit"
    page = login(world.requester_staff).get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "得意分野と合わない" in page and "技能伝承は専門外です。" in page
