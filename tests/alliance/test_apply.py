"""Joining: a member applies; the secretariat approves (live page, owner, mail) or rejects (reason, mail)."""

import pytest
import sqlalchemy as sa

from alliance import services
from alliance.models import Organization, OrganizationApplication, OrganizationStaff
from core.db import db
from members.models import Member
from tests.alliance.conftest import application_form, edit_form


def applications(app) -> list[OrganizationApplication]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OrganizationApplication).order_by(OrganizationApplication.id)).all()
        db.session.expunge_all()
        return rows


def test_apply_requires_login(client):
    response = client.get("/alliance/apply")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_application_approval_live_page_and_staff_edit(app, client, auth, make_member, make_admin, outbox,
                                                       audit_actions):
    applicant = make_member(email="applicant@example.jp")
    admin = make_admin(email="office@example.jp")
    auth.login(applicant)
    assert "団体としてアライアンスに加盟する" in client.get("/alliance/apply").get_data(as_text=True)
    response = client.post("/alliance/apply", data=application_form())
    assert response.status_code == 302
    html = client.get("/alliance/apply").get_data(as_text=True)
    assert "審査中" in html and "テスト地域人事部ネット" in html
    assert 'name="motivation"' not in html  # one pending application at a time
    assert client.get("/alliance/test-jinjibu").status_code == 404  # not live yet
    assert [m.kind for m in outbox(to_address="applicant@example.jp")] == ["alliance.application_received"]
    assert [m.kind for m in outbox(to_address="office@example.jp")] == ["alliance.application_to_secretariat"]
    [application] = applications(app)
    assert application.served_prefectures == ["04", "06"]

    auth.logout()
    auth.login(admin)
    queue = client.get("/alliance/secretariat/").get_data(as_text=True)
    assert "テスト地域人事部ネット" in queue
    detail = client.get(f"/alliance/secretariat/applications/{application.id}").get_data(as_text=True)
    assert "他地域の地域人事部と学び合いたい" in detail and "hello@jinjibu.example.jp" in detail
    response = client.post(f"/alliance/secretariat/applications/{application.id}/approve")
    assert response.status_code == 302
    assert "審査待ちの申し込みはありません" in client.get("/alliance/secretariat/").get_data(as_text=True)

    page = client.get("/alliance/test-jinjibu")
    assert page.status_code == 200
    assert "テスト地域人事部ネット" in page.get_data(as_text=True)
    assert "hello@jinjibu.example.jp" not in page.get_data(as_text=True)
    [welcome] = outbox(to_address="applicant@example.jp", kind="alliance.application_approved")
    assert "/alliance/test-jinjibu/edit" in welcome.body
    with app.app_context():
        organization = db.session.scalar(sa.select(Organization).where(Organization.slug == "test-jinjibu"))
        assert organization.is_live
        assert {row.theme for row in organization.theme_rows} == {"career-education", "youth-retention"}
        staff = db.session.scalar(sa.select(OrganizationStaff).where(OrganizationStaff.organization_id == organization.id))
        assert (staff.member_id, staff.role) == (applicant.id, "owner")
        db.session.expunge_all()
    assert audit_actions("organization_application") == ["organization_application.submit",
                                                         "organization_application.approve"]

    auth.logout()
    auth.login(applicant)
    assert "承認済み" in client.get("/alliance/apply").get_data(as_text=True)
    data = edit_form(organization, name="テスト地域人事部ネット", summary="承認後に書き直した概要です。")
    assert client.post("/alliance/test-jinjibu/edit", data=data).status_code == 302
    assert "承認後に書き直した概要です。" in client.get("/alliance/test-jinjibu").get_data(as_text=True)
    assert "test-jinjibu" in client.get("/alliance/?prefecture=06").get_data(as_text=True)


def test_rejection_with_reason_and_reapplying(app, client, auth, make_member, make_admin, outbox, audit_actions):
    applicant = make_member(email="again@example.jp")
    admin = make_admin()
    auth.login(applicant)
    client.post("/alliance/apply", data=application_form())
    [application] = applications(app)
    auth.logout()
    auth.login(admin)
    empty = client.post(f"/alliance/secretariat/applications/{application.id}/reject", data={"reason": ""})
    assert empty.status_code == 422 and "見送りの理由を入力してください。" in empty.get_data(as_text=True)
    response = client.post(f"/alliance/secretariat/applications/{application.id}/reject",
                           data={"reason": "活動実績をもう少し詳しく教えてください。"})
    assert response.status_code == 302
    [mail] = outbox(to_address="again@example.jp", kind="alliance.application_rejected")
    assert "活動実績をもう少し詳しく教えてください。" in mail.body
    assert client.get("/alliance/test-jinjibu").status_code == 404
    # deciding twice is refused
    client.post(f"/alliance/secretariat/applications/{application.id}/approve")
    assert applications(app)[0].status == "rejected"

    auth.logout()
    auth.login(applicant)
    html = client.get("/alliance/apply").get_data(as_text=True)
    assert "見送り" in html and "活動実績をもう少し詳しく教えてください。" in html
    assert 'value="test-jinjibu"' in html  # the form is filled from the last application
    response = client.post("/alliance/apply", data=application_form(summary="実績を詳しく書きました。"))
    assert response.status_code == 302  # the rejected slug and name are free again
    assert [a.status for a in applications(app)] == ["rejected", "pending"]
    assert "organization_application.reject" in audit_actions()


@pytest.mark.parametrize("slug, message", [
    ("ab", "3〜60文字で入力してください。"),
    ("a" * 61, "3〜60文字で入力してください。"),
    ("Shiojiri", "半角英小文字"),
    ("shiojiri_hr", "半角英小文字"),
    ("-shiojiri", "半角英小文字"),
    ("shiojiri--hr", "半角英小文字"),
    ("塩尻", "半角英小文字"),
    ("apply", "予約されています"),
    ("secretariat", "予約されています"),
    ("referrals", "予約されています"),
    ("projects", "予約されています"),
    ("new", "予約されています"),
    ("edit", "予約されています"),
    ("impact", "予約されています"),
    ("api", "予約されています"),
    ("static", "予約されています"),
    ("consult", "予約されています"),
])
def test_bad_slugs_are_refused(app, client, auth, make_member, slug, message):
    auth.login(make_member())
    response = client.post("/alliance/apply", data=application_form(slug=slug))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert "山形で若手の地域同期をつくっています。" in html  # what was typed is kept
    assert applications(app) == []


def test_duplicate_slug_and_name_are_refused_clearly(app, client, auth, make_member, make_organization):
    make_organization(slug="taken-slug", name="既存の地域人事部")
    auth.login(make_member())
    html = client.post("/alliance/apply", data=application_form(slug="taken-slug")).get_data(as_text=True)
    assert "この短縮名はすでに使われています。" in html
    html = client.post("/alliance/apply", data=application_form(name="既存の地域人事部")).get_data(as_text=True)
    assert "この名称の団体はすでに加盟しているか、申し込み済みです。" in html
    assert applications(app) == []


def test_slug_of_a_pending_application_is_taken(app, client, auth, make_member):
    auth.login(make_member())
    client.post("/alliance/apply", data=application_form())
    auth.logout()
    auth.login(make_member())
    html = client.post("/alliance/apply", data=application_form(name="別の団体")).get_data(as_text=True)
    assert "この短縮名はすでに使われています。" in html
    assert len(applications(app)) == 1


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "団体名を入力してください。"),
    ("kind", "", "法人格を選んでください。"),
    ("prefecture", "", "都道府県を選んでください。"),
    ("themes", [], "テーマを1つ以上選んでください。"),
    ("summary", "", "概要を入力してください。"),
    ("contact_email", "nobody", "正しいメールアドレスを入力してください。"),
    ("website", "ftp://files.example.jp", "http:// または https:// で始まるアドレスを入力してください。"),
    ("motivation", "", "加盟を希望する理由を入力してください。"),
    ("motivation", "あ" * 2001, "2000文字以内で入力してください。"),
])
def test_application_form_errors(app, client, auth, make_member, field, value, message):
    auth.login(make_member())
    response = client.post("/alliance/apply", data=application_form(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert applications(app) == []


def test_approval_refused_when_the_slug_was_taken_meanwhile(app, client, auth, make_member, make_admin,
                                                            make_organization):
    auth.login(make_member())
    client.post("/alliance/apply", data=application_form())
    [application] = applications(app)
    make_organization(slug="test-jinjibu", name="先に登録された団体")
    auth.logout()
    auth.login(make_admin())
    page = client.get(f"/alliance/secretariat/applications/{application.id}").get_data(as_text=True)
    assert "この短縮名はすでに別の団体が使っています。" in page
    client.post(f"/alliance/secretariat/applications/{application.id}/approve")
    assert applications(app)[0].status == "pending"


def test_a_second_application_while_one_is_pending_is_refused(app, client, auth, make_member, outbox):
    applicant = make_member(email="twice@example.jp")
    auth.login(applicant)
    assert client.post("/alliance/apply", data=application_form()).status_code == 302
    response = client.post("/alliance/apply", data=application_form(name="別の団体", slug="other-jinjibu"),
                           follow_redirects=True)
    assert "お申し込みは審査中です" in response.get_data(as_text=True)
    assert [a.name for a in applications(app)] == ["テスト地域人事部ネット"]
    assert len(outbox(to_address="twice@example.jp")) == 1


def test_the_service_and_the_database_hold_one_pending_application(app, make_member):
    """The API and the CLI go through the service; two requests at once meet the partial unique index."""
    applicant = make_member()
    with app.app_context():
        member = db.session.get(Member, applicant.id)
        first_id = services.submit_application(member, application_form(served_prefectures=["06"])).id
        db.session.commit()
        with pytest.raises(services.ApplicationRefused):
            services.submit_application(member, application_form(slug="second-try"))
        with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
            db.session.add(OrganizationApplication(applicant_id=member.id, name="同時送信", slug="same-time",
                                                   kind="npo", prefecture="06", contact_email="x@example.jp"))
        # the same row is accepted once the first application has been decided
        db.session.get(OrganizationApplication, first_id).status = "rejected"
        db.session.add(OrganizationApplication(applicant_id=member.id, name="同時送信", slug="same-time",
                                               kind="npo", prefecture="06", contact_email="x@example.jp"))
        db.session.flush()
