"""Fixtures for the whole suite (flaskr's factory fixtures, Indico-style factories).

Every test runs once per engine: SQLite (a file database, never a shared
in-memory connection) and PostgreSQL when `TEST_DATABASE_URL` is set or a
server answers on 127.0.0.1:5432 — then in a throw-away database created for
the run. The schema comes from the migrations (`db upgrade`), as in production.

Factories open their own short app context and commit, so no transaction of the
test itself is open while the test client makes a request (a test that holds
one would make a writing request wait on SQLite's lock). Read the database in
a `with app.app_context():` block after the requests it checks.
"""

import os
import re
import socket
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from wtforms.fields.choices import Choice, SelectChoice

from app import MIGRATIONS_DIR, create_app
from core.db import db, normalise_database_url
from core.mail import OutboxMessage
from members.models import Member
from members.services import hash_password


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


def app_config(database_url: str, **overrides) -> dict:
    config = {
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
    }
    config.update(overrides)
    return config


@contextmanager
def _throwaway_postgres():
    if os.environ.get("TEST_DATABASE_URL"):
        yield normalise_database_url(os.environ["TEST_DATABASE_URL"])
        return
    name = f"ranhub_test_{uuid.uuid4().hex[:12]}"
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
    """Tests marked `one_engine` run on SQLite only: what they check does not depend on the database."""
    deselected = [item for item in items
                  if item.get_closest_marker("one_engine")
                  and getattr(item, "callspec", None) is not None
                  and item.callspec.params.get("database_url", "sqlite") != "sqlite"]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture(scope="session", params=_engines())
def database_url(request, tmp_path_factory):
    """A migrated database for the whole run, one per engine."""
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


@pytest.fixture
def make_app(database_url):
    """Build an app on the test database with config overrides (e.g. CSRF on)."""
    apps = []

    def factory(**overrides):
        application = create_app(app_config(database_url, **overrides))
        apps.append(application)
        return application

    yield factory
    for application in apps:
        with application.app_context():
            db.engine.dispose()
    with apps[0].app_context() if apps else create_app(app_config(database_url)).app_context():
        _clear_tables()
        db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def engine_name(database_url) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def empty_database_url(database_url, engine_name, tmp_path):
    """A new, empty database (no migrations applied) on the engine of this run, dropped afterwards."""
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
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


@pytest.fixture
def make_member(app):
    def factory(**fields) -> Member:
        n = _next()
        password = fields.pop("password", PASSWORD)
        values = {
            "email": f"member{n}@example.jp",
            "display_name": f"会員{n}",
            "prefecture": "13",
            "affiliation": "company",
            "organization_name": f"テスト株式会社{n}",
        }
        values.update(fields)
        with app.app_context():
            member = Member(password_hash=hash_password(password), **values)
            db.session.add(member)
            return _detached(member)

    return factory


@pytest.fixture
def make_admin(make_member):
    def factory(**fields) -> Member:
        return make_member(is_admin=True, **fields)

    return factory


@pytest.fixture
def make_organization(app):
    """An active organisation; `staff=[member, …]` makes them editors (`owner=` an owner)."""
    from alliance.models import Organization, OrganizationStaff, OrganizationTheme

    def factory(*, staff=(), owner=None, themes=None, served=None, **fields):
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
        with app.app_context():
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

    return factory


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
def count_queries(app):
    """Context manager counting SQL statements sent while it is open."""

    @contextmanager
    def counting():
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def before(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", statement, re.I):
                statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting


def csrf_token_from(html: str) -> str:
    """The csrf_token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf_token on the page"
    return match.group(1)


ROOT = Path(__file__).resolve().parent.parent


def without_case_study_drafters(application) -> None:
    """Unregister knowhow's case-study drafter (for tests of the pages without one)."""
    application.extensions.get("ranhub.hooks", {}).pop("case_study_drafters", None)
