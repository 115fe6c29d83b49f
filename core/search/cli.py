"""`flask search reindex`: rebuild the index from the data of every kind that registered a Reindexer."""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from core import hooks
from core.db import db
from core.search.index import clear, dialect

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--kind", "kinds", multiple=True, help="Rebuild only this kind (repeatable).")
def reindex_command(kinds: tuple[str, ...]) -> None:
    """Rebuild the search index from the data."""
    rebuilders = {reindexer.kind: reindexer.rebuild for reindexer in hooks.SEARCH_REINDEXERS.implementations()}
    unknown = [kind for kind in kinds if kind not in rebuilders]
    if unknown:
        raise click.UsageError(f"unknown kind: {', '.join(unknown)} (known: {', '.join(sorted(rebuilders))})")
    for kind in kinds or sorted(rebuilders):
        clear(kind)
        count = rebuilders[kind]()
        db.session.commit()
        click.echo(f"{kind}: {count} indexed")
    if dialect() == "postgresql":
        db.session.execute(sa.text("ANALYZE search_documents"))
    else:
        db.session.execute(sa.text("INSERT INTO search_fts (search_fts) VALUES ('optimize')"))
    db.session.commit()
