"""Journeys of the alliance: an organisation applies, the secretariat approves, its staff edit the page."""

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from alliance.models import Organization, OrganizationApplication, OrganizationStaff
from core.db import db
from tests.browser.helpers import fill_form

SLUG = "kesennuma-hr"
NAME = "気仙沼地域人事部"


def depth_select(page: Page, theme_name: str):
    """The depth <select> of one theme in the edit form's expertise table."""
    return page.locator("table.expertise-table tr").filter(
        has=page.get_by_role("rowheader", name=theme_name, exact=True)).locator("select")


def test_organisation_applies_is_approved_and_its_staff_edit_the_page(
    member_page, admin_page, new_page, live_server, screenshot,
):
    applicant = member_page
    applicant.goto("/alliance/apply")
    expect(applicant.get_by_role("heading", level=1)).to_have_text("団体としてアライアンスに加盟する")
    form = applicant.locator("main form")
    fill_form(form, {
        "name": NAME, "slug": SLUG, "kind": "general-incorporated-association", "prefecture": "04",
        "served_prefectures": ["03"], "themes": ["youth-retention", "side-job-talent"],
        "summary": "気仙沼の中小企業が合同で若手を採用し、育てる仕組みをつくっています。",
        "website": "https://kesennuma-hr.example.jp", "contact_email": "info@kesennuma-hr.example.jp",
        "motivation": "三陸沿岸の他地域と、同期研修の運営ノウハウを共有したいと考えています。",
    })
    form.get_by_role("button", name="申し込む").click()
    expect(applicant.get_by_role("status")).to_contain_text("お申し込みありがとうございます。事務局に送信しました。")
    expect(applicant.locator("section[aria-labelledby=mine-heading]")).to_contain_text(f"{NAME} 審査中")

    admin_page.goto("/alliance/secretariat/")
    queue = admin_page.locator("section[aria-labelledby=queue-heading]")
    row = queue.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(applicant.member.display_name)
    expect(row).to_contain_text("宮城県")
    row.get_by_role("link", name=NAME).click()
    expect(admin_page.get_by_role("heading", level=1)).to_contain_text(f"加盟申し込み：{NAME}")
    screenshot(admin_page, "application")
    admin_page.get_by_role("button", name="承認して公開する").click()
    expect(admin_page.get_by_role("status")).to_contain_text(f"{NAME}を承認し、加盟団体として公開しました。")
    expect(queue).not_to_contain_text(NAME)

    with live_server.app.app_context():
        application = db.session.scalar(sa.select(OrganizationApplication).where(OrganizationApplication.slug == SLUG))
        organization = db.session.scalar(sa.select(Organization).where(Organization.slug == SLUG))
        assert application.status == "approved" and application.organization_id == organization.id
        assert organization.status == "active"
        assert sorted(organization.served_prefectures) == ["03", "04"]
        owner = db.session.scalar(sa.select(OrganizationStaff).where(OrganizationStaff.organization_id == organization.id))
        assert (owner.member_id, owner.role) == (applicant.member.id, "owner")

    applicant.goto(f"/alliance/{SLUG}")
    applicant.get_by_role("link", name="このページを編集").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("団体ページの編集")
    form = applicant.locator("main form")
    fill_form(form, {
        "summary": "気仙沼と三陸沿岸で、企業合同の同期研修と複業人材のマッチングを行っています。",
        "services-0-title": "地域同期研修の共同運営",
        "services-0-description": "地元企業5社以上の新入社員を一年間、合同で育てます。",
    })
    depth_select(applicant, "キャリア教育").select_option("strong")
    form.get_by_role("button", name="保存する").click()

    applicant.wait_for_url(f"**/alliance/{SLUG}")
    expect(applicant.get_by_role("status")).to_contain_text("団体ページを更新しました。")

    visitor = new_page()
    visitor.goto(f"/alliance/{SLUG}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(visitor.locator(".org-header .lead")).to_have_text(
        "気仙沼と三陸沿岸で、企業合同の同期研修と複業人材のマッチングを行っています。")
    services = visitor.locator("section[aria-labelledby=services-heading]")
    expect(services.get_by_role("heading", name="地域同期研修の共同運営")).to_be_visible()
    expect(visitor.locator("table.theme-table").get_by_role("row").filter(has_text="キャリア教育")).to_contain_text("得意")
    expect(visitor.get_by_role("link", name="このページを編集")).to_have_count(0)

    with live_server.app.app_context():
        organization = db.session.scalar(sa.select(Organization).where(Organization.slug == SLUG))
        assert organization.summary.startswith("気仙沼と三陸沿岸で")
        assert [service.title for service in organization.services] == ["地域同期研修の共同運営"]
        assert {row.theme: row.depth for row in organization.theme_rows}["career-education"] == "strong"


def test_a_member_who_is_not_staff_cannot_edit_an_organisation_page(
    new_page, make_member, make_organization, live_server,
):
    staff, outsider = make_member(), make_member()
    organization = make_organization(staff=[staff], summary="元の紹介文です。")

    outsider_page = new_page(outsider)
    outsider_page.goto(f"/alliance/{organization.slug}")
    expect(outsider_page.get_by_role("heading", level=1)).to_have_text(organization.name)
    expect(outsider_page.get_by_role("link", name="このページを編集")).to_have_count(0)

    response = outsider_page.goto(f"/alliance/{organization.slug}/edit")
    assert response.status == 404
    expect(outsider_page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(outsider_page.locator("main form textarea[name=summary]")).to_have_count(0)

    with live_server.app.app_context():
        assert db.session.get(Organization, organization.id).summary == "元の紹介文です。"
