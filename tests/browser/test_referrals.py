"""Journey of a consultation: a company asks for help, the secretariat refers it, a member takes it on.

consultation → triage → referral → offer → accept → start → complete → case-study draft.
"""

import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from alliance.referrals.models import Consultation, Referral
from core.audit import AuditEntry
from core.db import db
from core.mail import OutboxMessage
from knowhow.models import Article
from tests.browser.helpers import fill_form

VISITOR_EMAIL = "sato@kesennuma-suisan.example.jp"
REFERRAL_TITLE = "水産加工会社の外国人材の定着支援"


@pytest.fixture
def network(make_member, make_admin, make_organization):
    """Two foreign-worker experts that can be offered the work, and a stranger to it."""
    people = SimpleNamespace(
        admin=make_admin(display_name="事務局 管理"),
        partner_staff=make_member(display_name="協力 太郎"),
        runner_up_staff=make_member(display_name="次点 花子"),
        stranger=make_member(display_name="無関係 次郎"),
    )
    people.partner = make_organization(
        slug="sanriku-global", name="三陸グローバル人材センター", prefecture="04", served=["04", "03"],
        staff=[people.partner_staff], themes={"foreign-workers": "expert", "youth-retention": "strong"},
    )
    people.runner_up = make_organization(
        slug="tokai-help", name="東海外国人材サポート", prefecture="23", served=["23"],
        staff=[people.runner_up_staff], themes={"foreign-workers": "experienced"},
    )
    people.unrelated = make_organization(
        slug="kyushu-career", name="九州キャリア教育ネット", prefecture="40", served=["40"],
        staff=[people.stranger], themes={"career-education": "expert"},
    )
    return people


def ask_for_help(page: Page) -> str:
    """The company's side: the /consult form, reached from the main menu; returns the reference."""
    page.goto("/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="相談する").click()
    expect(page.get_by_role("heading", level=1, name="相談する")).to_be_visible()
    form = page.locator("main form")
    fill_form(form, {
        "organization_name": "株式会社気仙沼水産",
        "contact_name": "佐藤 一郎",
        "email": VISITOR_EMAIL,
        "prefecture": "04",
        "themes": ["foreign-workers", "youth-retention"],
        "message": "ベトナムからの技能実習生が2年で辞めてしまいます。定着の工夫を相談したいです。",
        "agree_privacy": True,
    })
    expect(form.locator("input[name=website]")).to_have_value("")
    form.get_by_role("button", name="送信する").click()

    expect(page.get_by_role("heading", level=1, name="ご相談ありがとうございます")).to_be_visible()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"C\d{6}-[A-Z2-9]{4}", reference)
    return reference


def test_consultation_becomes_a_referral_and_a_case_study_draft(new_page, network, live_server, screenshot):
    # 1. A company describes its problem and gets a reference number.
    visitor = new_page()
    reference = ask_for_help(visitor)

    # 2. The secretariat finds it on its page and reads the suggested members.
    secretariat = new_page(network.admin)
    secretariat.goto("/alliance/secretariat/")
    triage_block = secretariat.locator("section", has=secretariat.get_by_role("heading", name="相談と紹介"))
    triage_block.get_by_role("link", name=reference).click()
    expect(secretariat.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(secretariat.locator("h1 .status-badge")).to_have_text("振り分け待ち")
    expect(secretariat.locator(".contact")).to_contain_text("株式会社気仙沼水産")
    suggestions = secretariat.locator("section", has=secretariat.get_by_role("heading", name="おすすめの加盟団体"))
    expect(suggestions.locator(".candidate-list").first.locator("li").first).to_contain_text(network.partner.name)

    # 3. … turns it into a referral (no names in the description) …
    convert = secretariat.locator("form[action$='/convert']")
    fill_form(convert, {
        "title": REFERRAL_TITLE,
        "theme": "foreign-workers",
        "description": "宮城県の水産加工会社で、外国人材の2年以内の離職が続いています。定着の仕組みづくりを支援できる団体を探しています。",
        "timing": "来年4月まで",
    })
    convert.get_by_role("button", name="紹介を作成する").click()
    expect(secretariat.get_by_role("status")).to_contain_text("相談を紹介 #")
    expect(secretariat.get_by_role("heading", level=1)).to_contain_text(REFERRAL_TITLE)
    expect(secretariat.locator("h1 .status-badge")).to_have_text("募集中")

    # 4. … and offers it to the best-ranked member organisation.
    candidates = secretariat.locator(".candidates .candidate-list > li")
    expect(candidates).to_have_count(2)
    expect(candidates.first.get_by_role("heading", level=3)).to_have_text(network.partner.name)
    expect(candidates.nth(1).get_by_role("heading", level=3)).to_have_text(network.runner_up.name)
    candidates.first.get_by_role("button", name=f"{network.partner.name}に打診する").click()
    expect(secretariat.get_by_role("status")).to_have_text(f"{network.partner.name}に紹介を打診しました。")
    expect(secretariat.locator("h1 .status-badge")).to_have_text("打診中")
    screenshot(secretariat, "offered")
    referral_url = secretariat.url

    # 5. The partner's staff finds the offer from their page; contact details are hidden until they accept.
    partner = new_page(network.partner_staff)
    partner.goto("/members/me")
    expect(partner.get_by_text("貴団体の回答を待っている打診が1件あります。")).to_be_visible()
    partner.get_by_role("link", name="貴団体の紹介").click()
    offers = partner.locator("section", has=partner.get_by_role("heading", name="回答待ちの打診"))
    offers.get_by_role("link", name=REFERRAL_TITLE).click()
    expect(partner.locator(".consultation-box")).not_to_contain_text(VISITOR_EMAIL)
    partner.get_by_role("button", name="引き受ける").click()
    expect(partner.get_by_role("status")).to_have_text("紹介を引き受けました。")
    expect(partner.locator("h1 .status-badge")).to_have_text("引き受け済み")
    expect(partner.locator(".consultation-box")).to_contain_text(VISITOR_EMAIL)

    # 6. The work starts and is completed with an outcome report.
    partner.get_by_role("button", name="支援を開始する").click()
    expect(partner.locator("h1 .status-badge")).to_have_text("支援中")
    partner.get_by_role("link", name="成果を報告して完了する").click()
    expect(partner.get_by_role("heading", level=1, name="紹介を完了する")).to_be_visible()
    fill_form(partner.locator("main form"), {
        "summary": "生活相談会を3回開き、受け入れ担当者向けの研修を行いました。",
        "people_supported": "14", "companies_supported": "2", "hours": "36",
    })
    partner.get_by_role("button", name="完了する").click()
    expect(partner.get_by_role("status")).to_have_text("紹介を完了しました。ご報告ありがとうございます。")
    expect(partner.locator("h1 .status-badge")).to_have_text("完了")
    expect(partner.locator(".figures")).to_contain_text("14")

    # 7. One click turns the report into a members-only case-study draft in knowhow.
    partner.get_by_role("button", name="この報告を事例の下書きにする").click()
    expect(partner.get_by_role("status")).to_contain_text("成果報告から事例の下書きを作成しました。")
    expect(partner.get_by_role("heading", level=1, name="記事を編集")).to_be_visible()
    expect(partner.locator("input[name=title]")).to_have_value(f"事例：{REFERRAL_TITLE}")
    partner.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="ノウハウ").click()
    partner.get_by_role("link", name="自分の記事と下書き").click()
    draft_item = partner.locator("li.article-item", has_text=f"事例：{REFERRAL_TITLE}")
    expect(draft_item.locator(".tag-warn")).to_have_text("下書き")
    expect(draft_item.locator(".tag-muted").first).to_have_text("RAN会員限定")
    draft_item.get_by_role("link", name=f"事例：{REFERRAL_TITLE}").click()
    expect(partner.get_by_text("下書きです。")).to_be_visible()
    expect(partner.get_by_role("heading", level=3, name="依頼の内容")).to_be_visible()
    draft_url = partner.url

    # 8. Staff of an unrelated organisation sees neither the referral nor the draft.
    stranger = new_page(network.stranger)
    for url in (referral_url, draft_url):
        response = stranger.goto(url)
        assert response.status == 404, url
        expect(stranger.get_by_role("heading", name="ページが見つかりません")).to_be_visible()

    # The history shows every step to the secretariat.
    secretariat.reload()
    history = secretariat.locator(".timeline")
    for line in ("紹介を作成", f"{network.partner.name}に打診", f"{network.partner.name}が引き受け",
                 f"{network.partner.name}が完了", "事例の下書きを作成"):
        expect(history).to_contain_text(line)

    with live_server.app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.reference == reference))
        assert consultation.status == "referred"
        assert sorted(consultation.themes) == ["foreign-workers", "youth-retention"]
        referral = consultation.referral
        assert referral.title == REFERRAL_TITLE and referral.status == "completed"
        assert referral.requester_organization_id is None
        assert referral.partner_organization_id == network.partner.id
        assert referral.outcome.people_supported == 14 and referral.outcome.hours == 36
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.target_type == Referral.__tablename__, AuditEntry.target_id == referral.id)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["referral.create", "referral.offer", "referral.accept", "referral.start",
                           "referral.complete", "referral.case_study"]
        article = db.session.scalar(sa.select(Article).where(Article.title == f"事例：{REFERRAL_TITLE}"))
        assert (article.kind, article.visibility, article.status) == ("case-study", "members", "draft")
        assert article.author_id == network.partner_staff.id
        assert article.organization_id == network.partner.id
        assert referral.outcome.case_study_url.endswith(f"/knowhow/{article.slug}/edit")
        mail_to_company = db.session.scalars(
            sa.select(OutboxMessage.kind).where(OutboxMessage.to_address == VISITOR_EMAIL).order_by(OutboxMessage.id)
        ).all()
        assert mail_to_company == ["consultation.received", "consultation.referred", "consultation.accepted"]
