"""Helpers for the account tests: a valid signup, member lookups, a logged-in browser with CSRF on."""

import re

import pytest
import sqlalchemy as sa

from core.db import db
from members.models import Member
from tests.conftest import PASSWORD, csrf_token_from

# Account rules reach into registrations and applications: their rooms' fixtures serve here too.
from tests.events.conftest import make_event, register  # noqa: F401
from tests.projects.conftest import make_project  # noqa: F401

NEW_PASSWORD = "river-lantern-compass-81"


@pytest.fixture
def signup_data():
    """A valid signup form; keyword arguments replace fields (None drops one)."""

    def build(**changes) -> dict:
        data = {
            "email": "hanako@example.jp",
            "password": "maple-harbour-lights-27",
            "password_confirm": "maple-harbour-lights-27",
            "display_name": "山田 花子",
            "prefecture": "04",
            "affiliation": "company",
            "organization_name": "石巻テスト水産株式会社",
            "themes": ["youth-retention", "seniors"],
            "agree_terms": "y",
        }
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return build


@pytest.fixture
def find_member(app):
    """The member with this email (fresh from the database), or None."""

    def find(email: str) -> Member | None:
        with app.app_context():
            member = db.session.scalar(sa.select(Member).where(Member.email == email))
            if member is not None:
                list(member.themes)
                db.session.expunge(member)
            return member

    return find


@pytest.fixture
def count_rows(app):
    def count(model, *where) -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return count


@pytest.fixture
def csrf_browser(make_app):
    """An app with CSRF protection on, and a function giving a logged-in browser of it."""
    csrf_app = make_app(WTF_CSRF_ENABLED=True)

    def browser(member=None, password: str = PASSWORD):
        client = csrf_app.test_client()
        if member is not None:
            token = csrf_token_from(client.get("/members/login").get_data(as_text=True))
            response = client.post("/members/login",
                                   data={"email": member.email, "password": password, "csrf_token": token})
            assert response.status_code == 302
        return client

    browser.app = csrf_app
    return browser


def field_errors(html: str) -> list[str]:
    """The texts of every per-field error message on a page."""
    return [re.sub(r"<[^>]+>", "", item).strip()
            for block in re.findall(r'<ul class="errors"[^>]*>(.*?)</ul>', html, re.S)
            for item in re.findall(r"<li>(.*?)</li>", block, re.S)]
