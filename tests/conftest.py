"""Fixtures for the whole suite (flaskr's factory fixtures, Warehouse's transactions).

Every test runs once per engine: SQLite (a file database, never a shared
in-memory connection) and PostgreSQL when `TEST_DATABASE_URL` is set or a
server answers on 127.0.0.1:5432 — then in a throw-away database created for
the run (one per pytest-xdist worker). The schema comes from the migrations
(`db upgrade`), as in production.

One app per engine serves the whole run (`app`; `make_app(**config)` builds
another only when a test changes the configuration). Each test runs inside a
transaction on one connection that every session of the test is bound to
(`join_transaction_mode="create_savepoint"`): a factory's or a request's own
`commit()` releases a savepoint, and everything is rolled back when the test
ends. Module-scoped read-only seeds (`module_transaction`) live one level
further out and are rolled back when their module ends.

Tests marked `commits` (threads, live servers, other processes) write for real
through the engine; the tables are emptied after each of them.

Factories open their own short app context and commit. Read the database in a
`with app.app_context():` block after the requests it checks.
"""

import atexit
import os
import re
import shutil
import socket
import tempfile
import uuid
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from wtforms.fields.choices import Choice, SelectChoice
from xdist.scheduler import LoadScopeScheduling

from alliance.models import Organization, OrganizationApplication, OrganizationStaff, OrganizationTheme
from alliance.projects.models import Project
from alliance.referrals.models import Referral
from app import MIGRATIONS_DIR, create_app
from core import fragments, hooks
from core.db import db, normalise_database_url, utcnow
from core.mail import OutboxMessage
from core.search import evidence as search_evidence
from core.security import limiter
from events.models import Event, EventQuestion
from knowhow.models import Article
from members.models import Member
from members.services import create_api_token, hash_password

ROOT = Path(__file__).resolve().parent.parent


def _catalogues_compiled() -> list[str]:
    """The languages whose .mo file is missing or older than its .po."""
    stale = []
    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po.parent.parent.name)
    return stale


def pytest_configure(config):
    stale = _catalogues_compiled()
    if stale:
        pytest.exit(
            f"The message catalogues ({', '.join(stale)}) are not compiled or older than their .po files: "
            "run `make install` (or `.venv/bin/pybabel compile -d translations`) first.",
            returncode=4,
        )


def _warn_on_tuple_choices() -> None:
    """Make choices set as tuples at run time warn as WTForms does for a field built with them.

    WTForms 3.3 warns ("Passing SelectField choices as tuples is deprecated") only when a
    field is constructed with tuple choices; `form.field.choices = [("a", "A")]` passes
    silently until 3.4 drops tuples. Every option goes through `SelectChoice.from_input`
    when a field renders or validates, so warning there too lets pyproject's
    `error:Passing SelectField choices as tuples` filter fail a test for either.
    """
    from_input = SelectChoice.from_input.__func__

    def checked_from_input(cls, input, optgroup=None):
        if isinstance(input, tuple) and not isinstance(input, Choice):
            warnings.warn(
                "Passing SelectField choices as tuples is deprecated and will be removed in wtforms 3.4. "
                "Please use SelectChoice instead (core.forms.choice_list builds them).",
                DeprecationWarning,
                stacklevel=2,
            )
        return from_input(cls, input, optgroup)

    SelectChoice.from_input = classmethod(checked_from_input)


_warn_on_tuple_choices()

PASSWORD = "correct-horse-battery-42"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
CHEAP_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _engines() -> list[str]:
    engines = ["sqlite"]
    if os.environ.get("TEST_DATABASE_URL") or _postgres_answers():
        engines.append("postgresql")
    elif os.environ.get("REQUIRE_POSTGRES"):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but PostgreSQL is not reachable.")
    if os.environ.get("TEST_ENGINES"):
        engines = [e for e in engines if e in os.environ["TEST_ENGINES"].split(",")]
    return engines


@cache
def _instance_folder() -> str:
    """This test process's instance/ (files the app keeps there), removed when the run ends."""
    folder = tempfile.mkdtemp(prefix="ranhub-instance-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def app_config(database_url: str, **overrides) -> dict:
    config = {
        "INSTANCE_PATH": _instance_folder(),
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_PARAMS": CHEAP_HASH,
        "SLACK_INVITE_URL": "https://join.slack.example/ran-test",
        "SITE_URL": "http://localhost",
        "SERVER_NAME": None,
        # Tests see each page rendered (query counts, fresh data); tests/core/test_pagecache.py turns it on.
        "PAGE_CACHE_SECONDS": 0,
        # Bodies as written (schemathesis reads them raw); tests/core/test_http.py turns it on.
        "COMPRESS_RESPONSES": False,
    }
    config.update(overrides)
    return config


def _worker() -> str:
    """The pytest-xdist worker running this process ("gw0", …), or "main"."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def _throwaway_postgres():
    if os.environ.get("TEST_DATABASE_URL"):
        if _worker() != "main":
            raise pytest.UsageError("TEST_DATABASE_URL names one database: run without pytest-xdist (-n 0).")
        yield normalise_database_url(os.environ["TEST_DATABASE_URL"])
        return
    name = f"ranhub_test_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def pytest_collection_modifyitems(config, items):
    """`one_engine` tests run on SQLite only; browser journeys commit for real (a live server's threads)."""
    deselected = [item for item in items
                  if item.get_closest_marker("one_engine")
                  and getattr(item, "callspec", None) is not None
                  and item.callspec.params.get("database_url", "sqlite") != "sqlite"]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
    for item in items:
        if item.nodeid.startswith(BROWSER_TESTS):
            item.add_marker(pytest.mark.commits)


BROWSER_TESTS = "tests/browser/"


class JourneysTogether(LoadScopeScheduling):
    """pytest-xdist's `load` distribution, except that each engine's browser journeys stay on one worker.

    One Chromium per engine, and the two engines' journeys run side by side. (xdist's own
    `loadgroup` no longer groups under pytest 9.2, which ignores the node id it rewrites.)
    """

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(BROWSER_TESTS):
            return "browser-postgresql" if "[postgresql" in nodeid else "browser-sqlite"
        return nodeid


def pytest_xdist_make_scheduler(config, log):
    return JourneysTogether(config, log)


@pytest.fixture(scope="session", params=_engines())
def database_url(request, tmp_path_factory):
    """A migrated database for the whole run, one per engine (and per xdist worker)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        context = _nullcontext(f"sqlite:///{path}")
    else:
        context = _throwaway_postgres()
    with context as url:
        migrating_app = create_app(app_config(url))
        with migrating_app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            db.engine.dispose()
        yield url


@contextmanager
def _nullcontext(value):
    yield value


@pytest.fixture(scope="session")
def base_app(database_url, tmp_path_factory) -> Flask:
    """The app of this engine, built once (its instance folder is a temporary one)."""
    application = create_app(app_config(database_url, INSTANCE_PATH=str(tmp_path_factory.mktemp("instance"))))
    yield application
    with application.app_context():
        db.engine.dispose()


def _clear_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
            # The FTS5 index of core/search.py is a virtual table outside the metadata.
            connection.exec_driver_sql("DELETE FROM search_fts")


#: the connection that module-scoped seeds hold open, per database (see module_transaction)
_module_connections: dict[str, sa.Connection] = {}


@contextmanager
def _sessions_bound_to(connection: sa.Connection):
    """Every session (every app's: `db.session` is shared) works on this connection in savepoints."""
    factory = db.session.session_factory
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        factory.kw.pop("bind", None)
        factory.kw.pop("join_transaction_mode", None)


@pytest.fixture(scope="module")
def module_transaction(request, base_app, database_url):
    """Open a transaction for the module: read-only seeds made in it are rolled back when it ends.

    Every test of the module then runs in a savepoint of it. Keep tests marked
    `commits` out of modules that use it (their threads would wait on its lock).
    """
    with base_app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    _module_connections[database_url] = connection
    with _sessions_bound_to(connection):
        yield connection
    del _module_connections[database_url]
    with base_app.app_context():
        db.session.remove()
    transaction.rollback()
    connection.close()


@pytest.fixture
def _isolated(request, base_app, database_url):
    """Run the test in a transaction rolled back at its end (or, for `commits` tests, empty the tables)."""
    if request.node.get_closest_marker("commits"):
        assert database_url not in _module_connections, "a `commits` test in a module with module_transaction"
        yield
        with base_app.app_context():
            db.session.remove()
            _clear_tables()
        return
    outer = _module_connections.get(database_url)
    if outer is not None:
        savepoint = outer.begin_nested()
        yield
        if savepoint.is_active:
            savepoint.rollback()
        return
    with base_app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    with _sessions_bound_to(connection):
        yield
    transaction.rollback()
    connection.close()


#: what the app keeps of rendered pages; each test starts without
RENDER_CACHES = (fragments.EXTENSION_KEY, fragments.STATIC_EXTENSION_KEY)


def _app_state(application: Flask) -> tuple:
    """What a test may change on the shared app: its configuration, instance folder and registries."""
    registries = {key: {name: list(value) if isinstance(value, list) else value for name, value in entry.items()}
                  for key, entry in application.extensions.items()
                  if key.startswith("ranhub.") and isinstance(entry, dict) and key not in RENDER_CACHES}
    return dict(application.config), application.instance_path, registries


def _restore_app_state(application: Flask, state: tuple) -> None:
    config, instance_path, registries = state
    application.config.clear()
    application.config.update(config)
    application.instance_path = instance_path
    application.extensions.update(registries)
    for key in RENDER_CACHES:  # rendered under the test's hooks and configuration
        application.extensions.pop(key, None)


@pytest.fixture
def make_app(base_app, _isolated):
    """`make_app(**config)`: the run's app, or a new one when the test changes its configuration.

    The shared app's configuration, instance folder and hooks are restored after the
    test, so a test may change them.
    """
    built = []
    state = _app_state(base_app)

    def factory(**overrides):
        if not overrides:
            return base_app
        application = create_app(app_config(base_app.config["DATABASE_URL"], INSTANCE_PATH=base_app.instance_path,
                                            **overrides))
        built.append(application)
        return application

    yield factory
    _restore_app_state(base_app, state)
    for application in built:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    if built:
        # Flask-Limiter is one object for every app: give it back the shared app's settings.
        limiter.init_app(base_app)


@pytest.fixture
def app(make_app):
    return make_app()


REDIS_TEST_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_cache_config():
    """The configuration of a worker whose page cache and table versions are in Redis, as in production, under a
    prefix of this test's own (its keys removed afterwards); the test is skipped when Redis is not running."""
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"ranhub-test:{uuid.uuid4().hex}:"
    yield {"PAGE_CACHE_SECONDS": 30, "REDIS_URL": REDIS_TEST_URL, "PAGE_CACHE_REDIS_PREFIX": prefix}
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def engine_name(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@contextmanager
def empty_database(database_url: str, folder: Path):
    """A new, empty database (no migrations applied) on the engine of `database_url`, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'empty-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    server = sa.engine.make_url(database_url)
    name = f"ranhub_empty_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.ProgrammingError as error:
        admin.dispose()
        pytest.skip(f"the PostgreSQL role of the test database cannot create databases: {error.orig}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    with empty_database(database_url, tmp_path) as url:
        yield url


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _detached(obj):
    """Commit, load every column and detach, so tests can read it anywhere."""
    db.session.commit()
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def member_fields(**fields) -> dict:
    """A new member's columns: a unique, confirmed address, name and employer; fields override them
    (`email_verified_at=None` for a member who has not opened the confirmation link yet)."""
    n = _next()
    return {
        "email": f"member{n}@example.jp",
        "display_name": f"会員{n}",
        "prefecture": "13",
        "affiliation": "company",
        "organization_name": f"テスト株式会社{n}",
        "email_verified_at": utcnow(),
        **fields,
    }


def new_member(application: Flask, password: str = PASSWORD, **fields) -> Member:
    """A member committed to the database (detached); fields override the defaults."""
    with application.app_context():
        member = Member(password_hash=hash_password(password), **member_fields(**fields))
        db.session.add(member)
        return _detached(member)


def new_organization(application: Flask, *, staff=(), owner=None, themes=None, served=None, **fields):
    """An active organisation; `staff=[member, …]` makes them editors (`owner=` an owner)."""
    n = _next()
    values = {
        "slug": f"org-{n}",
        "name": f"テスト地域人事部{n}",
        "kind": "npo",
        "prefecture": "20",
        "summary": "地域の人材育成を支えるテスト団体です。",
        "contact_email": f"contact{n}@org.example.jp",
    }
    values.update(fields)
    with application.app_context():
        organization = Organization(**values)
        for slug, depth in (themes or {"youth-retention": "expert"}).items():
            organization.theme_rows.append(OrganizationTheme(theme=slug, depth=depth))
        organization.served_prefectures = list(served or [values["prefecture"]])
        db.session.add(organization)
        db.session.flush()
        if owner is not None:
            db.session.add(OrganizationStaff(organization_id=organization.id, member_id=owner.id, role="owner"))
        for member in staff:
            db.session.add(OrganizationStaff(organization_id=organization.id, member_id=member.id, role="editor"))
        return _detached(organization)


def seed_demo(application: Flask) -> None:
    """What `flask seed-demo` does, with every blueprint's seeder."""
    with application.app_context():
        for seeder in hooks.DEMO_SEEDERS.implementations():
            seeder(0)
            db.session.commit()


def demo_objects(application: Flask) -> dict:
    """A real slug or id of the demo data for each kind of page (`{organization}`, `{event}` … in a path)."""

    def first(query):
        return db.session.scalars(query.limit(1)).first()

    with application.app_context():
        found = {
            "organization": first(sa.select(Organization.slug).where(Organization.status == "active")
                                  .order_by(Organization.id)),
            "event": first(sa.select(Event.id).where(Event.status == "published", Event.audience == "public",
                                                     Event.starts_at > utcnow()).order_by(Event.starts_at)),
            "article": first(sa.select(Article.slug).where(Article.status == "published",
                                                           Article.visibility == "public",
                                                           Article.deleted_at.is_(None)).order_by(Article.id)),
            "project": first(sa.select(Project.id).where(Project.status == "open").order_by(Project.id)),
            "referral": first(sa.select(Referral.id).order_by(Referral.id)),
            "application": first(sa.select(OrganizationApplication.id).where(OrganizationApplication.status == "pending")
                                 .order_by(OrganizationApplication.id)),
            # the event day: an upcoming event asking questions at registration, a past one with survey answers
            "asking_event": first(sa.select(EventQuestion.event_id).join(Event)
                                  .where(EventQuestion.purpose == "signup", Event.starts_at > utcnow())),
            "past_event": first(sa.select(EventQuestion.event_id).join(Event)
                                .where(EventQuestion.purpose == "survey", Event.ends_at < utcnow())),
        }
    assert None not in found.values(), f"the demo data lacks an object for a page: {found}"
    return found


@pytest.fixture
def make_member(app):
    return lambda **fields: new_member(app, **fields)


@pytest.fixture
def make_admin(app):
    return lambda **fields: new_member(app, is_admin=True, **fields)


@pytest.fixture
def make_organization(app):
    """An active organisation; `staff=[member, …]` makes them editors (`owner=` an owner)."""
    return lambda **fields: new_organization(app, **fields)


class AuthActions:
    """Log in and out through the real pages."""

    def __init__(self, client):
        self._client = client

    def login(self, member_or_email, password: str = PASSWORD):
        email = getattr(member_or_email, "email", member_or_email)
        response = self._client.post("/members/login", data={"email": email, "password": password})
        assert response.status_code == 302, "login failed in a test helper"
        return response

    def logout(self):
        return self._client.post("/members/logout")


@pytest.fixture
def login(app):
    """`login(member)`: a new test client logged in as the member (several people act in one test);
    `login(None)` is a visitor's."""

    def factory(member):
        client = app.test_client()
        if member is not None:
            AuthActions(client).login(member)
        return client

    return factory


@pytest.fixture
def token_for(app):
    """`token_for(member)`: the headers of an API request with a new bearer token of the member."""

    def make(member) -> dict:
        with app.app_context():
            _token, secret = create_api_token(db.session.get(Member, member.id), "test")
            db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def outbox(app):
    """A callable returning the queued mail, oldest first."""

    def read(to_address: str | None = None, kind: str | None = None) -> list[OutboxMessage]:
        with app.app_context():
            query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
            if to_address:
                query = query.where(OutboxMessage.to_address == to_address)
            if kind:
                query = query.where(OutboxMessage.kind == kind)
            messages = db.session.scalars(query).all()
            db.session.expunge_all()
            return messages

    return read


@pytest.fixture
def mail_link(outbox):
    """`mail_link(to, kind, prefix)`: the path of the first link under `prefix` in the newest such mail."""

    def find(to_address: str, kind: str, prefix: str = "/") -> str:
        messages = outbox(to_address, kind=kind)
        assert messages, f"no {kind} mail to {to_address}"
        for url in re.findall(r"https?://\S+", messages[-1].body):
            if urlsplit(url).path.startswith(prefix):
                return urlsplit(url).path
        raise AssertionError(f"no link under {prefix} in:\n{messages[-1].body}")

    return find


@pytest.fixture
def count_queries(app, monkeypatch):
    """Context manager counting SQL statements sent while it is open (by any engine or connection).

    Matching reads how many documents hold a need's words once an hour per process
    (core.search.evidence): not a query of the page, so it is kept out of the counts.
    """
    monkeypatch.setattr(search_evidence._frequencies, "common", lambda keys: set())

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", statement, re.I):
                statements.append(statement)

        sa.event.listen(sa.Engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(sa.Engine, "before_cursor_execute", before)

    return counting


def csrf_token_from(html: str) -> str:
    """The csrf_token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def without_case_study_drafters(application) -> None:
    """Unregister knowhow's case-study drafter (for tests of the pages without one)."""
    application.extensions.get(hooks.EXTENSION_KEY, {}).pop("case_study_drafters", None)

