"""Database session, declarative base and the engine settings the app relies on.

SQLite is run in WAL mode with a busy timeout and foreign keys on. A transaction
that will write starts with ``BEGIN IMMEDIATE`` so concurrent writers queue on
the busy timeout instead of failing with "database is locked" when they upgrade
a read lock; read-only requests (GET/HEAD) start a plain deferred transaction so
readers never queue behind each other.
"""

import contextvars
import os
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa
from flask import Flask, g, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy.orm import DeclarativeBase, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.util import identity_key

from core.files import private_file

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Session(AppSession):
    """Flask-SQLAlchemy's session, except that a `bind` set on the session factory wins.

    Flask-SQLAlchemy always picks the app's engine; the tests bind every session of a
    test to one connection (`db.session.session_factory.configure(bind=connection)`)
    so that the test's writes are rolled back at its end. In production no bind is set.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind or self.bind or super().get_bind(mapper=mapper, clause=clause, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})


def one_of(column: str, values: Iterable[str]) -> sa.CheckConstraint:
    """CHECK that `column` holds one of `values` (a module's own tuple or dict of slugs): `ck_<table>_<column>_valid`.

    NULL passes, as SQL has it; a NOT NULL column says so itself.
    """
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=f"{column}_valid")

#: whether transactions begun in this context will write (SQLite: BEGIN IMMEDIATE)
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def among(column, values: Iterable[int]) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL one array parameter (`= ANY`), so the statement's text is the same
    whatever the number of values and the driver's parsing of it is cached (hundreds of ids: milliseconds)."""
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, values, type_=sa.ARRAY(sa.Integer)))
    return column.in_(values)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (all times are stored in UTC)."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@contextmanager
def read_only():
    """Run a block whose transactions only read (no SQLite write lock)."""
    token = _write_intent.set(False)
    try:
        yield
    finally:
        _write_intent.reset(token)


def _configure_sqlite(engine: sa.Engine) -> None:
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:") and os.path.isdir(os.path.dirname(path) or "."):
        # Created 0600 before SQLite opens it; SQLite gives the -wal and -shm files the
        # database's own permissions.
        private_file(path)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN, not the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_app(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine)

    @app.before_request
    def _declare_write_intent():
        g._write_intent_token = _write_intent.set(request.method not in READ_ONLY_METHODS)

    @app.teardown_request
    def _forget_write_intent(_exc):
        token = g.pop("_write_intent_token", None)
        if token is not None:
            _write_intent.reset(token)


def row_values(obj) -> tuple:
    """An ORM object's column values, in mapper order: what `attached` makes the object again from (a kept row,
    core.fragments.kept, is immutable and shared by requests; an object belongs to one session)."""
    return tuple(getattr(obj, key) for key in _layout(type(obj))[0])


@cache
def _layout(model: type) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A model's column attributes in mapper order, and where its primary key's columns are among them."""
    mapper = sa.inspect(model)
    keys = tuple(mapper.column_attrs.keys())
    return keys, tuple(keys.index(mapper.get_property_by_column(column).key) for column in mapper.primary_key)


def attached(model: type, values: tuple):
    """The object `row_values` was taken from, persistent in this request's session as a query would give it
    (the one the session already holds, if any): its relationships load, its changes flush."""
    keys, primary_key = _layout(model)
    session = db.session()
    found = session.identity_map.get(identity_key(model, tuple(values[i] for i in primary_key)))
    if found is not None:
        return found
    obj = sa.inspect(model).class_manager.new_instance()
    instance_state(obj).dict.update(zip(keys, values, strict=True))  # committed values, as a query's loader sets
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def json_row(obj, *names: str) -> dict:
    """Some columns of a row as JSON-ready values (times in ISO 8601): exports of personal data."""
    values = {}
    for name in names:
        value = getattr(obj, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values
