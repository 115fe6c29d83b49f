"""Alembic environment: one migration tree for SQLite and PostgreSQL."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave autogenerate blind to what the search index keeps outside the models
    (core/search.py): the FTS5 table with its shadow tables, the tsvector column and its index."""
    if reflected and compare_to is None:
        if type_ == "table" and name.startswith("search_fts"):
            return False
        if type_ in ("column", "index") and name in ("search_vector", "ix_search_documents_search_vector"):
            return False
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=str(db.engine.url).replace("%", "%%"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = db.engine
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # SQLite batch migrations copy tables; foreign keys must be off meanwhile
            # (a PRAGMA that only works outside a transaction, so on the raw connection).
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            **current_app.extensions["migrate"].configure_args,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
