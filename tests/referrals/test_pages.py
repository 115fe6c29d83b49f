"""The referral list, page query counts, and what referrals add to other pages through hooks."""

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from alliance.models import Organization
from alliance.referrals import demo, sections
from alliance.referrals.models import Consultation, Referral, ReferralMessage
from alliance.referrals.services import Flow
from core import hooks, refdata
from core.db import db
from knowhow.case_studies import draft_case_study
from members.models import Member


def test_staff_overview_shows_asked_offered_and_in_progress(world, login, make_referral):
    make_referral(requester=world.requester, title="宮城からの依頼")
    make_referral(requester=world.other, partner=world.partner, status="offered", title="打診された依頼")
    make_referral(requester=world.other, partner=world.partner, status="in_progress", title="進行中の依頼")
    make_referral(requester=world.other, title="関係のない依頼")
    partner_page = login(world.partner_staff).get("/alliance/referrals/").get_data(as_text=True)
    assert "打診された依頼" in partner_page and "進行中の依頼" in partner_page
    assert "関係のない依頼" not in partner_page and "宮城からの依頼" not in partner_page
    requester_page = login(world.requester_staff).get("/alliance/referrals/").get_data(as_text=True)
    assert "宮城からの依頼" in requester_page and "打診された依頼" not in requester_page
    admin_page = login(world.admin).get("/alliance/referrals/").get_data(as_text=True)
    assert all(title in admin_page for title in ("宮城からの依頼", "打診された依頼", "進行中の依頼", "関係のない依頼"))
    filtered = login(world.admin).get("/alliance/referrals/?view=all&status=offered").get_data(as_text=True)
    assert "打診された依頼" in filtered and "関係のない依頼" not in filtered


def test_staff_cannot_use_the_admin_view(world, login, make_referral):
    make_referral(requester=world.other, title="関係のない依頼")
    make_referral(requester=world.requester, title="宮城からの依頼")
    page = login(world.requester_staff).get("/alliance/referrals/?view=all").get_data(as_text=True)
    assert "宮城からの依頼" in page  # the page is their list, not an error page
    assert "関係のない依頼" not in page


def _add(app, n, world, start=0):
    with app.app_context():
        for i in range(start, start + n):
            referral = Referral(title=f"依頼{i}", theme="foreign-workers", prefecture="04", description="x",
                                status="offered", requester_organization_id=world.requester.id,
                                partner_organization_id=world.partner.id)
            db.session.add(referral)
            db.session.add(Consultation(reference=f"C000000-{i:04d}", organization_name="x", contact_name="x",
                                        email="x@example.jp", prefecture="04", message="x", themes=["seniors"]))
        db.session.commit()


@pytest.mark.parametrize("who, path", [
    ("partner_staff", "/alliance/referrals/"),
    ("admin", "/alliance/referrals/"),
    ("admin", "/alliance/referrals/triage/"),
])
def test_list_pages_make_the_same_number_of_queries_for_few_and_many(app, world, login, count_queries, who, path):
    client = login(getattr(world, who))
    _add(app, 2, world)
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _add(app, 30, world, start=2)
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(few) == len(many)


def test_detail_page_query_count_does_not_grow_with_messages_or_candidates(
        app, world, login, make_referral, make_organization, count_queries):
    referral_id = make_referral(requester=world.requester, status="open")
    client = login(world.requester_staff)
    with app.app_context():
        db.session.add(ReferralMessage(referral_id=referral_id, author_id=world.partner_staff.id, body="最初"))
        db.session.commit()
    with count_queries() as few:
        assert client.get(f"/alliance/referrals/{referral_id}").status_code == 200
    with app.app_context():
        for i in range(12):
            db.session.add(ReferralMessage(referral_id=referral_id, author_id=world.requester_staff.id,
                                           organization_id=world.requester.id, body=f"メッセージ{i}"))
        db.session.commit()
    for i in range(12):
        make_organization(slug=f"extra-{i}", prefecture=f"{i + 10:02d}", themes={"foreign-workers": "strong"})
    with count_queries() as many:
        html = client.get(f"/alliance/referrals/{referral_id}?candidates=all").get_data(as_text=True)
    assert "メッセージ11" in html and "extra-11" in html
    assert len(few) == len(many)


def test_secretariat_section_summarises_and_links(app, world, make_consultation, make_referral):
    make_consultation(organization_name="株式会社みやぎ精密")
    make_referral(requester=world.requester)
    with app.test_request_context():
        login_user(db.session.get(Member, world.admin.id))
        rendered = hooks.SECRETARIAT_SECTIONS.render_all()
    html = "".join(rendered)
    assert "株式会社みやぎ精密" in html and "/alliance/referrals/triage/" in html
    assert "振り分け待ちの相談" in html


def test_secretariat_section_is_empty_for_non_admins(app):
    with app.test_request_context():
        assert hooks.SECRETARIAT_SECTIONS.render_all() == []


def test_impact_figures_and_cross_region_flow(app, world, make_referral, make_organization):
    kyushu = make_organization(slug="kyushu-women", prefecture="40", themes={"women": "expert"})
    make_referral(requester=world.requester, partner=world.partner, status="completed")  # 中部 → 東北
    make_referral(requester=world.requester, partner=world.partner, status="completed")
    make_referral(requester=world.requester, partner=kyushu, status="completed", theme="women", prefecture="01")
    make_referral(requester=world.requester, partner=world.other, status="completed")  # 東北 → 東北
    make_referral(requester=world.requester, partner=world.partner, status="in_progress")
    with app.test_request_context():
        figures = {figure.label: figure.value for figure in hooks.IMPACT_FIGURES.implementations()[0]()}
        assert figures == {"完了した紹介": 4, "地方を越えた支援": 3}
        html = str(hooks.IMPACT_SECTIONS.render_all()[0])
    assert "<svg" in html and "<table" in html
    assert "<tr><td>中部地方</td><td>東北地方</td><td>2</td></tr>" in html
    assert "<tr><td>九州・沖縄地方</td><td>北海道地方</td><td>1</td></tr>" in html
    assert "<td>東北地方</td><td>東北地方</td>" not in html
    assert "style=" not in html and "<script" not in html


def test_flow_diagram_paths_scale_with_counts(app):
    regions = refdata.REGIONS_BY_SLUG
    with app.test_request_context():
        diagram = sections.flow_diagram([Flow(regions["chubu"], regions["tohoku"], 4),
                                         Flow(regions["kyushu"], regions["hokkaido"], 1),
                                         Flow(regions["tohoku"], regions["tohoku"], 9)])
    widths = {(path.source, path.target): path.width for path in diagram["paths"]}
    assert widths == {("中部地方", "東北地方"): 22, ("九州・沖縄地方", "北海道地方"): 6}
    assert diagram["paths"][0].d.startswith("M150,")


def test_impact_section_is_absent_without_completed_referrals(app):
    with app.test_request_context():
        assert hooks.IMPACT_SECTIONS.render_all() == []
        assert [f.value for f in hooks.IMPACT_FIGURES.implementations()[0]()] == [0, 0]


def test_organization_and_member_sections(app, world, make_referral):
    make_referral(requester=world.requester, partner=world.partner, status="completed")
    make_referral(requester=world.requester, partner=world.partner, status="offered")
    with app.test_request_context():
        partner = db.session.get(Organization, world.partner.id)
        html = "".join(hooks.ORGANIZATION_SECTIONS.render_all(partner))
        assert "他地域への支援実績" in html and "外国人材" in html
        requester = db.session.get(Organization, world.requester.id)
        assert "他地域への支援実績" not in "".join(hooks.ORGANIZATION_SECTIONS.render_all(requester))
        staff = db.session.get(Member, world.partner_staff.id)
        html = "".join(hooks.MEMBER_SECTIONS.render_all(staff))
        assert "回答を待っている打診が1件あります。" in html
        plain_member = db.session.get(Member, world.member.id)
        assert "打診" not in "".join(hooks.MEMBER_SECTIONS.render_all(plain_member))


def test_knowhow_drafts_the_case_studies_of_referrals(app):
    """The referral page offers its button through this hook; knowhow fills it."""
    assert hooks.CASE_STUDY_DRAFTERS.implementations(app) == [draft_case_study]
    assert "(source, outcome, member)" in hooks.CASE_STUDY_DRAFTERS.__doc__


def test_status_labels_render_in_english(app):
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ referral_status_label('in_progress') }}") == "In progress"


def test_demo_seeder_skips_gracefully_and_is_idempotent(app, make_organization):
    with app.app_context():
        demo.seed(0)  # no demo organisations: consultations only
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 2
    slugs = {"inquiry": "06", "meguru": "20", "machi-to-hito-to": "04", "tokai-tabunka": "23",
             "setouchi-senior": "33", "kyushu-kouin": "40", "hokkaido-career": "01", "shikoku-josei": "37"}
    for slug, prefecture in slugs.items():
        make_organization(slug=slug, prefecture=prefecture, themes={"foreign-workers": "expert"})
    with app.app_context():
        demo.seed(0)
        db.session.commit()
        statuses = sorted(db.session.scalars(sa.select(Referral.status)))
        assert statuses == sorted(["completed", "open", "offered", "accepted", "in_progress", "open", "withdrawn"])
        completed = db.session.scalar(sa.select(Referral).where(Referral.status == "completed"))
        assert completed.partner.slug == "tokai-tabunka" and completed.prefecture == "04"
        assert completed.outcome is not None
        demo.seed(0)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 7
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 2
        assert demo.add_synthetic_referrals(50) == 50


def test_referral_pages_render_in_english(world, login, make_referral):
    referral_id = make_referral(requester=world.requester)
    client = login(world.requester_staff)
    html = client.get(f"/alliance/referrals/{referral_id}?lang=en").get_data(as_text=True)
    assert "Suggested member organisations" in html and "Foreign workers: expert ・ Chubu" in html
    assert "Ask for help" in client.get("/consult").get_data(as_text=True)


def test_thread_message_box_is_labelled_as_a_message(world, login, make_referral):
    """Not the contact form's 「お問い合わせ内容」, which once shared the English msgid."""
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="accepted")
    html = login(world.requester_staff).get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert '<label for="body">メッセージ</label>' in html
    assert "お問い合わせ内容" not in html
