"""Finished referrals and programmes flow back as knowhow case-study drafts."""

import sqlalchemy as sa

from core.db import db
from knowhow.models import Article


def test_completed_referral_becomes_a_members_only_case_study_draft(app, world, login, make_referral):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="completed")
    partner = login(world.partner_staff)
    page = partner.get(f"/alliance/referrals/{referral_id}").get_data(as_text=True)
    assert "事例の下書き" in page
    response = partner.post(f"/alliance/referrals/{referral_id}/case-study")
    assert response.status_code == 302
    with app.app_context():
        article = db.session.scalar(sa.select(Article))
        assert response.headers["Location"].endswith(f"/knowhow/{article.slug}/edit")
        assert (article.kind, article.status, article.visibility) == ("case-study", "draft", "members")
        assert article.author_id == world.partner_staff.id
        assert article.organization_id == world.partner.id
        assert "生活相談会を実施" in article.body and "外国人材の定着支援" in article.title
    # A second request makes no second draft.
    partner.post(f"/alliance/referrals/{referral_id}/case-study")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 1


def test_the_draft_is_not_public(app, world, login, make_referral, client):
    referral_id = make_referral(requester=world.requester, partner=world.partner, status="completed")
    login(world.partner_staff).post(f"/alliance/referrals/{referral_id}/case-study")
    with app.app_context():
        slug = db.session.scalar(sa.select(Article.slug))
    assert app.test_client().get(f"/knowhow/{slug}").status_code == 404
