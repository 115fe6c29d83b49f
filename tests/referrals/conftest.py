"""Fixtures for referrals: organisations with staff on both sides, referrals in any status."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from alliance.referrals.models import Consultation, Referral, ReferralOutcome
from core.db import db, utcnow
from tests.conftest import new_member, new_organization

#: the statuses a referral passes through, and how far along each one is
ORDER = ("open", "offered", "accepted", "in_progress", "completed")


def build_world(application):
    """A requester in 宮城 (東北), a foreign-worker expert in 愛知 (中部), a weaker one in 宮城, outsiders."""
    people = SimpleNamespace(
        requester_staff=new_member(application, display_name="依頼 花子"),
        partner_staff=new_member(application, display_name="協力 太郎"),
        other_staff=new_member(application, display_name="別団体 次郎"),
        member=new_member(application, display_name="一般 会員"),
        admin=new_member(application, is_admin=True, display_name="事務局 管理"),
    )
    people.requester = new_organization(
        application, slug="miyagi-jinji", name="宮城地域人事部", prefecture="04", served=["04"],
        staff=[people.requester_staff], themes={"youth-retention": "expert"},
    )
    people.partner = new_organization(
        application, slug="tokai-help", name="東海外国人材サポート", prefecture="23", served=["23", "21"],
        staff=[people.partner_staff], themes={"foreign-workers": "expert"},
    )
    people.other = new_organization(
        application, slug="sendai-fw", name="仙台まちしごと", prefecture="04", served=["04"],
        staff=[people.other_staff], themes={"foreign-workers": "experienced"},
    )
    return people


@pytest.fixture
def world(app):
    """See build_world; a module that only reads it may build it once (`build_world` in a module fixture)."""
    return build_world(app)


@pytest.fixture
def make_referral(app):
    """A referral created directly in the database, moved to `status` with `partner`."""

    def factory(*, requester=None, partner=None, status="open", theme="foreign-workers", prefecture="04",
                consultation_id=None, title="外国人材の定着支援", format="either", creator=None):
        with app.app_context():
            referral = Referral(
                title=title, theme=theme, prefecture=prefecture, description="水産加工の現場で働く外国人材の定着を支えたい。",
                format=format, status=status, requester_organization_id=getattr(requester, "id", None),
                partner_organization_id=getattr(partner, "id", None) if status != "open" else None,
                consultation_id=consultation_id, created_by_id=getattr(creator, "id", None),
            )
            if status == "completed":
                referral.completed_at = utcnow()
                referral.outcome = ReferralOutcome(summary="生活相談会を実施", people_supported=12,
                                                   companies_supported=3, hours=40)
            db.session.add(referral)
            db.session.commit()
            return referral.id

    return factory


@pytest.fixture
def make_consultation(app):
    def factory(**fields):
        values = {
            "organization_name": "株式会社みやぎ精密", "contact_name": "高橋 由美",
            "email": "takahashi@example.jp", "prefecture": "04", "message": "外国人社員の定着について相談したいです。",
            "status": "new",
        }
        values.update(fields)
        themes = values.pop("themes", ["foreign-workers"])
        with app.app_context():
            if not fields.get("reference"):
                count = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))
                values["reference"] = f"C261121-T{count:03d}"
            consultation = Consultation(themes=themes, **values)
            db.session.add(consultation)
            db.session.commit()
            return consultation.id

    return factory


def load(app, model, object_id):
    with app.app_context():
        found = db.session.get(model, object_id)
        if found is not None:
            db.session.refresh(found)
            db.session.expunge(found)
        return found
