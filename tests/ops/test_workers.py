"""Four gunicorn workers on SQLite without Redis tell one truth: fresh pages after every write, exact limits.

Each worker keeps its own page cache, but the table versions live in one file all
of them map (core/dataversions.py), and rate-limit counters in one SQLite file
(core/ratelimit.py). Every read here is a new connection, so it may land on any
worker.
"""

import re
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from app import MIGRATIONS_DIR, create_app
from core.db import db, utcnow
from events.models import Event
from members.models import Member
from members.services import create_api_token, hash_password
from tests.conftest import CHEAP_HASH, PASSWORD
from tests.ops.servers import browser, fetch, gunicorn

pytestmark = [pytest.mark.one_engine, pytest.mark.commits]

WRITES = 20
READS_PER_WRITE = 20


@pytest.fixture
def site(tmp_path):
    """A migrated SQLite database with an event and 20 members holding API tokens, and the environment."""
    instance = tmp_path / "instance"
    environment = {"DATABASE_URL": f"sqlite:///{instance / 'ranhub.sqlite3'}", "INSTANCE_PATH": str(instance),
                   "SECRET_KEY": "workers-test-key", "PAGE_CACHE_SECONDS": "30", "RATELIMIT_ENABLED": "1",
                   "SITE_URL": "http://127.0.0.1"}
    application = create_app({**environment, "PASSWORD_HASH_PARAMS": CHEAP_HASH})
    with application.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        starts = utcnow() + timedelta(days=7)
        event = Event(title="4ワーカー検証セミナー", kind="seminar", format="online", audience="public",
                      status="published", capacity=100, summary="検証用のイベントです。", starts_at=starts, ends_at=starts + timedelta(hours=2))
        db.session.add(event)
        tokens = []
        for n in range(WRITES):
            member = Member(email=f"worker{n}@example.jp", display_name=f"参加者{n}", prefecture="13",
                            affiliation="company", password_hash=hash_password(PASSWORD), email_verified_at=utcnow())
            db.session.add(member)
            db.session.flush()
            tokens.append(create_api_token(member, "workers")[1])
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return environment, event_id, tokens


def test_every_read_after_a_write_shows_it_on_every_worker(site, tmp_path):
    environment, event_id, tokens = site
    with gunicorn(environment, tmp_path / "gunicorn.log", workers=4) as server:
        url = f"{server.url}/api/v1/events/{event_id}"
        outcomes = []
        for _ in range(3 * READS_PER_WRITE):  # every worker has the page cached before the first write
            outcomes.append(fetch(url).headers["X-Page-Cache"])
        assert "hit" in outcomes
        for written in range(1, WRITES + 1):
            signup = fetch(f"{url}/registration", method="POST",
                           headers={"Authorization": f"Bearer {tokens[written - 1]}"})
            assert signup.status in (200, 201), signup.text
            reads = [fetch(url) for _ in range(READS_PER_WRITE)]
            assert [read.json["confirmed_count"] for read in reads] == [written] * READS_PER_WRITE
            outcomes += [read.headers["X-Page-Cache"] for read in reads]
    assert outcomes.count("hit") > WRITES * READS_PER_WRITE // 2, "the cache served too few pages to prove anything"


def test_the_login_limit_refuses_exactly_at_the_announced_count(site, tmp_path):
    environment, _event_id, _tokens = site
    with gunicorn(environment, tmp_path / "gunicorn.log", workers=4) as server:
        person = browser()
        statuses, announced = [], set()
        for _ in range(11):
            form = fetch(f"{server.url}/members/login", opener=person).text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            answer = fetch(f"{server.url}/members/login", opener=person, data={
                "email": "worker0@example.jp", "password": "not-the-password", "csrf_token": token})
            statuses.append(answer.status)
            announced.add(answer.headers.get("X-RateLimit-Limit"))
    assert statuses == [200] * 10 + [429]
    assert announced == {"10"}
