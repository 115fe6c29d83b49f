"""The organisation page /alliance/<slug> and its contact form."""

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from alliance.models import Organization, OrganizationRecord, OrganizationService
from core import hooks
from core.db import db
from tests.conftest import csrf_token_from

CONTACT = {"name": "山田 花子", "email": "hanako@company.example.jp", "organization": "山田製作所",
           "message": "若手社員の定着についてご相談したいです。"}


@pytest.fixture
def full_organization(app, make_organization):
    organization = make_organization(
        slug="shiojiri-hr", name="塩尻の人事部テスト", prefecture="20", served=["20", "15"],
        themes={"side-job-talent": "expert", "public-sector": "strong", "migration": "experienced"},
        summary="複業人材と中小企業をつなぎます。", founded_year=2019, website="https://shiojiri.example.jp",
        contact_email="secret-inbox@shiojiri.example.jp", accepts_remote=True,
        description="## 私たちについて\n\n**複業**で地域に関わる人を増やします。",
    )
    with app.app_context():
        db.session.add_all([
            OrganizationService(organization_id=organization.id, position=0, title="複業人材マッチング",
                                description="経営者と複業人材の対話の場をつくります。"),
            OrganizationRecord(organization_id=organization.id, position=0, value="27社51名",
                               label="3年間でマッチング"),
        ])
        db.session.commit()
    return organization


def test_page_shows_everything(client, full_organization):
    html = client.get("/alliance/shiojiri-hr").get_data(as_text=True)
    for text in ("塩尻の人事部テスト", "NPO法人", "長野県", "新潟県", "2019年設立", "https://shiojiri.example.jp",
                 "複業・副業人材", "専門", "得意", "実績あり", "複業人材マッチング", "経営者と複業人材の対話の場",
                 "27社51名", "3年間でマッチング", "<strong>複業</strong>", "活動地域外の依頼にも対応"):
        assert text in html, text


def test_contact_form_asks_for_the_enquiry(client, full_organization):
    html = client.get("/alliance/shiojiri-hr").get_data(as_text=True)
    assert '<label for="message">お問い合わせ内容</label>' in html


def test_contact_address_is_never_rendered(client, auth, make_member, full_organization):
    assert "secret-inbox" not in client.get("/alliance/shiojiri-hr").get_data(as_text=True)
    auth.login(make_member())
    assert "secret-inbox" not in client.get("/alliance/shiojiri-hr").get_data(as_text=True)
    response = client.post("/alliance/shiojiri-hr/contact", data=CONTACT)
    assert "secret-inbox" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_contact_form_sends_mail_through_the_outbox(client, outbox, full_organization):
    response = client.post("/alliance/shiojiri-hr/contact", data=CONTACT)
    assert response.status_code == 302
    assert "メッセージを送信しました" in client.get("/alliance/shiojiri-hr").get_data(as_text=True)
    [mail] = outbox(kind="alliance.contact")
    assert mail.to_address == "secret-inbox@shiojiri.example.jp"
    assert "山田 花子" in mail.subject
    assert "hanako@company.example.jp" in mail.body and "若手社員の定着" in mail.body and "山田製作所" in mail.body


def test_honeypot_sends_nothing_but_looks_the_same(client, outbox, full_organization):
    response = client.post("/alliance/shiojiri-hr/contact", data={**CONTACT, "website": "http://spam.example"})
    assert response.status_code == 302
    assert outbox() == []


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "お名前を入力してください。"),
    ("email", "not-an-address", "正しいメールアドレスを入力してください。"),
    ("message", "", "お問い合わせ内容を入力してください。"),
    ("message", "あ" * 4001, "お問い合わせ内容は4000字以内で入力してください。"),
])
def test_contact_form_errors_keep_what_was_typed(client, outbox, full_organization, field, value, message):
    response = client.post("/alliance/shiojiri-hr/contact", data={**CONTACT, field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "若手社員の定着" in html or field == "message"
    assert outbox() == []


def test_contact_form_is_rate_limited(make_app, full_organization):
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [limited.post("/alliance/shiojiri-hr/contact", data=CONTACT).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_contact_form_needs_csrf(make_app, outbox, full_organization):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert browser.post("/alliance/shiojiri-hr/contact", data=CONTACT).status_code == 400
    token = csrf_token_from(browser.get("/alliance/shiojiri-hr").get_data(as_text=True))
    assert browser.post("/alliance/shiojiri-hr/contact", data={**CONTACT, "csrf_token": token}).status_code == 302
    assert len(outbox()) == 1


def test_unknown_and_suspended_organizations_are_404(client, auth, make_member, make_organization):
    member = make_member()
    make_organization(slug="stopped", status="suspended", staff=[member])
    assert client.get("/alliance/no-such-org").status_code == 404
    assert client.get("/alliance/stopped").status_code == 404
    auth.login(member)  # even its own staff: suspended means hidden
    assert client.get("/alliance/stopped").status_code == 404
    assert client.post("/alliance/stopped/contact", data=CONTACT).status_code == 404


def test_admin_sees_a_suspended_organization_with_a_notice(client, auth, make_admin, make_organization):
    make_organization(slug="stopped", status="suspended")
    auth.login(make_admin())
    html = client.get("/alliance/stopped").get_data(as_text=True)
    assert "一時停止中" in html


def test_edit_link_only_for_staff(client, auth, make_member, make_organization):
    staff = make_member()
    make_organization(slug="mine", staff=[staff])
    assert "このページを編集" not in client.get("/alliance/mine").get_data(as_text=True)
    auth.login(make_member())
    assert "このページを編集" not in client.get("/alliance/mine").get_data(as_text=True)
    auth.logout()
    auth.login(staff)
    assert "このページを編集" in client.get("/alliance/mine").get_data(as_text=True)


def test_markdown_in_the_introduction_is_sanitised(client, make_organization):
    make_organization(slug="evil", description='<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)>')
    html = client.get("/alliance/evil").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x onerror" not in html


def test_other_rooms_add_sections(app, client, make_organization):
    make_organization(slug="hooked", name="フック団体")
    hooks.ORGANIZATION_SECTIONS.register(
        app, lambda org: Markup('<section id="upcoming">%s</section>') % f"{org.name}のイベント")
    assert '<section id="upcoming">フック団体のイベント</section>' in client.get("/alliance/hooked").get_data(as_text=True)


def test_page_makes_the_same_number_of_queries_however_much_it_shows(app, client, make_organization, count_queries):
    small = make_organization(slug="small", themes={"women": "expert"})
    large = make_organization(slug="large", served=[f"{n:02d}" for n in range(1, 48)],
                              themes={slug: "strong" for slug in ("women", "seniors", "dialogue", "migration")})
    with app.app_context():
        for position in range(12):
            db.session.add(OrganizationService(organization_id=large.id, position=position, title=f"サービス{position}"))
            db.session.add(OrganizationRecord(organization_id=large.id, position=position, value="1件", label=f"実績{position}"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 2
    with count_queries() as few:
        client.get(f"/alliance/{small.slug}")
    with count_queries() as many:
        client.get(f"/alliance/{large.slug}")
    assert len(few) == len(many)


def test_page_makes_the_same_number_of_queries_with_10_or_1000_organizations(client, bulk_organizations,
                                                                              count_queries):
    bulk_organizations(10)
    client.get("/alliance/bulk-00003")
    with count_queries() as few:
        assert client.get("/alliance/bulk-00003").status_code == 200
    bulk_organizations(990, start=10)
    with count_queries() as many:
        assert client.get("/alliance/bulk-00003").status_code == 200
    assert len(few) == len(many) <= 12
