"""`flask seed-demo`: the founding members, the fictional samples, their staff, one pending application."""

from pathlib import Path

import sqlalchemy as sa

from alliance.models import Organization, OrganizationApplication, OrganizationStaff
from core.db import db
from members.models import Member

DEMO_SLUGS = {"inquiry", "meguru", "machi-to-hito-to", "tokai-tabunka", "setouchi-senior", "kyushu-kouin",
              "hokkaido-career", "shikoku-josei"}


def test_seed_demo_creates_organizations_staff_and_an_application(app, runner, client, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # keep the real instance/ untouched
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "staff@meguru.demo.ran-hub.jp /" in result.output
    with app.app_context():
        slugs = set(db.session.scalars(sa.select(Organization.slug)))
        assert slugs == DEMO_SLUGS
        owners = db.session.scalar(sa.select(sa.func.count()).select_from(OrganizationStaff)
                                   .where(OrganizationStaff.role == "owner"))
        assert owners == len(DEMO_SLUGS)
        staff = db.session.scalar(sa.select(Member).where(Member.email == "staff@meguru.demo.ran-hub.jp"))
        assert staff is not None and not staff.is_admin
        [pending] = db.session.scalars(sa.select(OrganizationApplication)).all()
        assert pending.status == "pending"
    accounts = (Path(app.instance_path) / "demo-accounts.txt").read_text(encoding="utf-8")
    assert "admin@demo.ran-hub.jp" in accounts and "staff@inquiry.demo.ran-hub.jp" in accounts
    meguru = client.get("/alliance/meguru").get_data(as_text=True)
    assert "27社51名" in meguru and "長野県" in meguru
    assert "架空" in client.get("/alliance/tokai-tabunka").get_data(as_text=True)
    for theme in ("foreign-workers", "seniors", "public-sector", "career-education", "women", "side-job-talent"):
        assert "org-card" in client.get(f"/alliance/?theme={theme}").get_data(as_text=True), theme

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == len(DEMO_SLUGS)


def test_seed_demo_scale_adds_synthetic_organizations(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    assert runner.invoke(args=["seed-demo", "--scale", "1"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == len(DEMO_SLUGS) + 1


def test_seed_demo_never_files_the_application_in_a_real_members_name(app, runner, make_member, tmp_path, monkeypatch):
    """On a database that already has members the demo accounts are skipped: the applicant is still a demo account."""
    real = make_member(display_name="本物の会員")
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "suzuki@demo.ran-hub.jp /" in result.output
    with app.app_context():
        [pending] = db.session.scalars(sa.select(OrganizationApplication)).all()
        assert pending.applicant.email == "suzuki@demo.ran-hub.jp"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrganizationApplication)
                                 .where(OrganizationApplication.applicant_id == real.id)) == 0
