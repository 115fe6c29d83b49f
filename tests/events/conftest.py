"""Factories for the events tests: events, many members at once, API tokens, registrations."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from core.db import db
from events import registration as registration_rules
from events.models import Event, EventAnswer, EventQuestion, Registration
from members.models import Member
from members.services import create_api_token, hash_password
from tests.conftest import member_fields

_sequence = {"n": 0}


def _next() -> int:
    _sequence["n"] += 1
    return _sequence["n"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def soon(days: float = 7, hours: float = 0) -> datetime:
    """A moment relative to now (aware UTC), rounded to the minute."""
    moment = datetime.now(UTC) + timedelta(days=days, hours=hours)
    return moment.replace(second=0, microsecond=0)


def event_form(organization_slug: str, start: datetime, **changes) -> dict:
    """The event form (DESIGN.md fields) for a two-hour hybrid training starting at `start` (Tokyo)."""
    def local(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M")

    return {
        "title": "地域同期研修 説明会",
        "kind": "training",
        "format": "hybrid",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=2)),
        "signup_deadline": local(start - timedelta(days=2)),
        "capacity": "20",
        "waitlist_enabled": "y",
        "allocation": "first-come",
        "per_organization_cap": "",
        "audience": "public",
        "prefecture": "04",
        "venue": "石巻市内の会場",
        "online_url": "https://meet.example.jp/room",
        "themes": ["youth-retention", "dialogue"],
        "summary": "会社の垣根を越えた同期づくりの説明会です。",
        "body": "## 内容\n\n- 研修の流れ\n- 質疑応答",
        "organization": organization_slug,
        "series": "",
        "status": "published",
        **changes,
    }


def create_event(app, *, themes=("youth-retention",), organization=None, **fields) -> Event:
    """A published venue event next week with 10 seats and a waitlist; override any field."""
    starts_at = fields.pop("starts_at", soon(7))
    values = {
        "title": f"テストイベント{_next()}",
        "kind": "seminar",
        "format": "venue",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "capacity": 10,
        "waitlist_enabled": True,
        "audience": "public",
        "prefecture": "04",
        "venue": "石巻市のテスト会場",
        "summary": "テスト用のイベントです。",
        "status": "published",
    }
    values.update(fields)
    with app.app_context():
        event = Event(organization_id=getattr(organization, "id", None), **values)
        event.themes = list(themes)
        db.session.add(event)
        db.session.commit()
        db.session.refresh(event)
        db.session.expunge(event)
        return event


@pytest.fixture
def make_event(app):
    """`make_event(**fields)`: see create_event."""
    return lambda **fields: create_event(app, **fields)


@pytest.fixture
def make_members(app):
    """Many members in one transaction (a fixed cheap hash): for capacity and query-count tests."""

    def factory(count: int, **fields) -> list[Member]:
        with app.app_context():
            password_hash = hash_password("correct-horse-battery-42")
            members = []
            for _ in range(count):
                members.append(Member(password_hash=password_hash, **member_fields(prefecture="04", **fields)))
            db.session.add_all(members)
            db.session.commit()
            for member in members:
                db.session.refresh(member)
                db.session.expunge(member)
            return members

    return factory


@pytest.fixture
def api_token(app):
    """A bearer token for a member."""

    def factory(member: Member) -> str:
        with app.app_context():
            _token, secret = create_api_token(db.session.get(Member, member.id), "test")
            db.session.commit()
            return secret

    return factory


@pytest.fixture
def register(app):
    """Register a member through the service (as the pages do) and commit."""

    def factory(event: Event, member: Member) -> Registration:
        with app.app_context():
            registration = registration_rules.register(db.session.get(Event, event.id),
                                                       db.session.get(Member, member.id))
            db.session.commit()
            db.session.refresh(registration)
            db.session.expunge(registration)
            return registration

    return factory


@pytest.fixture
def reload(app):
    """Read an event (counters) or registrations afresh from the database."""

    class Reader:
        def event(self, event_id: int) -> Event:
            with app.app_context():
                event = db.session.get(Event, event_id)
                db.session.expunge(event)
                return event

        def registrations(self, event_id: int) -> list[Registration]:
            with app.app_context():
                rows = db.session.scalars(
                    sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
                ).all()
                db.session.expunge_all()
                return rows

        def status_of(self, event_id: int, member: Member) -> str | None:
            with app.app_context():
                return db.session.scalar(
                    sa.select(Registration.status).where(
                        Registration.event_id == event_id, Registration.member_id == member.id
                    )
                )

    return Reader()


def set_event(app, event_id: int, **fields) -> None:
    """Change an event directly (e.g. move its deadline into the past)."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        for name, value in fields.items():
            setattr(event, name, value)
        db.session.commit()


@pytest.fixture
def ask(app):
    """`ask(event, kind, label, choices=(), required=False, purpose="signup")`: add a question; returns its id."""

    def factory(event: Event, kind: str, label: str, choices=(), required: bool = False,
                purpose: str = "signup") -> int:
        with app.app_context():
            question = EventQuestion(event_id=event.id, purpose=purpose, kind=kind, label=label,
                                     choices=list(choices), required=required, position=_next())
            db.session.add(question)
            db.session.commit()
            return question.id

    return factory


def answers_of(app, registration_id: int) -> dict[int, object]:
    with app.app_context():
        return dict(db.session.execute(
            sa.select(EventAnswer.question_id, EventAnswer.value).where(EventAnswer.registration_id == registration_id)
        ).all())


@pytest.fixture
def make_organiser(make_member, make_organization):
    """`make_organiser(slug="tohoku-hr")`: (a staff member, their organisation)."""

    def factory(slug: str = "tohoku-hr"):
        staff = make_member()
        return staff, make_organization(staff=[staff], slug=slug)

    return factory
