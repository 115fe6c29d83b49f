"""Demo accounts for trying the site (created only by `seed-demo`)."""

import secrets
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from core.db import db, utcnow
from core.files import write_private
from members.models import Member
from members.services import hash_password

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"
#: synthetic members per unit of `seed-demo --scale` (benchmarks)
SCALE_MEMBERS = 10
SCALE_EMAIL_DOMAIN = "scale.example.jp"
SCALE_AFFILIATIONS = ("company", "public-sector", "education", "npo", "individual")

#: (email, display name, prefecture, affiliation, organisation name, themes, admin)
DEMO_ACCOUNTS = (
    ("admin@demo.ran-hub.jp", "事務局 デモ", "13", "npo", "地域人事部アライアンスネットワーク事務局", (), True),
    ("sato@demo.ran-hub.jp", "佐藤 美咲", "04", "company", "石巻みらい水産株式会社", ("youth-retention", "hr-management"), False),
    ("tanaka@demo.ran-hub.jp", "田中 健一", "20", "public-sector", "塩尻市役所", ("public-sector", "side-job-talent"), False),
    ("suzuki@demo.ran-hub.jp", "鈴木 彩", "06", "education", "山形県立高等学校", ("career-education",), False),
    ("ito@demo.ran-hub.jp", "伊藤 大輔", "23", "company", "東海精機株式会社", ("foreign-workers", "seniors"), False),
)


def demo_password() -> str:
    """A fresh random password per demo load; printed, never stored in the repo."""
    return secrets.token_urlsafe(9)


def create_demo_member(
    email: str, display_name: str, prefecture: str, affiliation: str, *,
    organization_name: str = "", themes=(), is_admin: bool = False,
) -> tuple[Member, str]:
    """A demo account with a fresh random password; returns the member and the password."""
    password = demo_password()
    member = Member(
        email=email, display_name=display_name, prefecture=prefecture, affiliation=affiliation,
        organization_name=organization_name, themes=list(themes), is_admin=is_admin,
        password_hash=hash_password(password), email_verified_at=utcnow(),
    )
    db.session.add(member)
    return member, password


def record_demo_accounts(lines: list[str], *, start: bool = False) -> None:
    """Print demo account lines and keep them in instance/demo-accounts.txt.

    `start` begins the file afresh; other seeders append their accounts to it.
    Kept beside the database (never in the repo) so `make run` can show them again.
    """
    write_private(Path(current_app.instance_path) / DEMO_ACCOUNTS_FILE, "\n".join(lines) + "\n", append=not start)
    click.echo("\n".join(lines))


def seed(scale: int) -> None:
    """Create the demo accounts and print their passwords."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Member)):
        return
    lines = ["Demo accounts (email / password):"]
    for email, name, prefecture, affiliation, org_name, themes, is_admin in DEMO_ACCOUNTS:
        _member, password = create_demo_member(
            email, name, prefecture, affiliation, organization_name=org_name, themes=themes, is_admin=is_admin
        )
        role = " (事務局 / admin)" if is_admin else ""
        lines.append(f"  {email} / {password}{role}")
    record_demo_accounts(lines, start=True)


def seed_scale(scale: int) -> None:
    """`--scale N`: N × 10 synthetic members for benchmarks (skipped if already there)."""
    if scale <= 0:
        return
    already = db.session.scalar(
        sa.select(sa.func.count()).select_from(Member).where(Member.email.like(f"%@{SCALE_EMAIL_DOMAIN}"))
    )
    if already:
        return
    # One hash of a secret nobody keeps: these accounts exist to be listed, never to log in.
    unusable_hash = hash_password(secrets.token_urlsafe(32))
    now = utcnow()
    rows = [
        {
            "email": f"member{number:07d}@{SCALE_EMAIL_DOMAIN}",
            "password_hash": unusable_hash,
            "display_name": f"ベンチ会員{number}",
            "prefecture": f"{number % 47 + 1:02d}",
            "affiliation": SCALE_AFFILIATIONS[number % len(SCALE_AFFILIATIONS)],
            "organization_name": "",
            "bio": "",
            "is_admin": False,
            "locale": "ja",
            "created_at": now,
            "password_changed_at": now,
            "email_verified_at": now,
        }
        for number in range(scale * SCALE_MEMBERS)
    ]
    db.session.execute(sa.insert(Member), rows)
    click.echo(f"{len(rows)} synthetic members added.")
