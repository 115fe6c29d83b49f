"""Databases for the benchmarks: throw-away PostgreSQL databases, and whether a server answers."""

import os
import socket
import uuid
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa

from core.db import normalise_database_url

#: a PostgreSQL server where the benchmarks may create and drop databases
POSTGRES_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")


def _server_url(server: str) -> sa.URL:
    return sa.engine.make_url(normalise_database_url(server)).set(database="postgres")


@contextmanager
def throwaway_postgres(server: str = POSTGRES_SERVER, *, keep: bool = False):
    """The URL of a new, empty database on the server, dropped on leaving the block (unless `keep`)."""
    admin = sa.create_engine(_server_url(server), isolation_level="AUTOCOMMIT")
    name = f"ranhub_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept PostgreSQL database {name}", flush=True)
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def postgres_database():
    """For a one-database benchmark: BENCH_POSTGRES_URL as it is, or a throw-away database."""
    given = os.environ.get("BENCH_POSTGRES_URL")
    return nullcontext(given) if given else throwaway_postgres()


def postgres_answers(server: str = POSTGRES_SERVER) -> bool:
    """Whether there is a PostgreSQL to benchmark on (BENCH_POSTGRES_URL, or the server answers)."""
    if os.environ.get("BENCH_POSTGRES_URL"):
        return True
    url = _server_url(server)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False
