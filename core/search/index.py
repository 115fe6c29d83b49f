"""Writing the search index: one generic table, `search_documents`, and the engine's own index.

The analysed words feed the database's index — an FTS5 table (`unicode61`) on
SQLite, a `tsvector` ('simple' configuration) with a GIN index on PostgreSQL —
so both engines see the same words and answer alike, with no extension. Every
run of Japanese characters is also indexed as overlapping character bigrams
(the recall backstop for a word the dictionary splits differently in the query
and in the text), and the filters (kind, visibility, owner, organisation, the
caller's facets) as words of a fourth column.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime, db, one_of, utcnow
from core.search.analysis import (
    bigrams,
    facet_word,
    kind_word,
    organization_word,
    owner_word,
    visibility_word,
    words,
)

VISIBILITIES = ("public", "members", "alliance")


class SearchDocument(Base):
    """One searchable object (an article, an organisation, an event…) and what visibility needs."""

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id"),
        one_of("visibility", VISIBILITIES),
        # Matching reads the documents of one kind that show candidates' work (core.search.evidence).
        sa.Index("ix_search_documents_kind_organization", "kind", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the object is: "article", "organization", "event"
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    #: plain text (no markup), shown in snippets
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: public | members | alliance
    visibility: Mapped[str] = mapped_column(sa.String(20), default="public")
    #: False for drafts: only the owner, the organisation's staff and admins find them
    published: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[int | None] = mapped_column(index=True)
    organization_id: Mapped[int | None] = mapped_column(index=True)
    #: the filter words of the document, as indexed (for inspection and reindexing)
    facets: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: whatever the owner of the kind needs to show a hit without another query (slug, …)
    meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass
class Entry:
    """What `index` stores for one object."""

    kind: str
    object_id: int
    title: str
    body: str = ""
    visibility: str = "public"
    published: bool = True
    owner_id: int | None = None
    organization_id: int | None = None
    facets: Mapping[str, Any] | None = None
    meta: dict | None = None

    def facet_words(self) -> list[str]:
        found = [kind_word(self.kind)]
        if self.published:
            found.append(visibility_word(self.visibility))
        if self.owner_id is not None:
            found.append(owner_word(self.owner_id))
        if self.organization_id is not None:
            found.append(organization_word(self.organization_id))
        for name, values in (self.facets or {}).items():
            if values is None or values == "":
                continue
            if isinstance(values, str | int):
                values = [values]
            found.extend(facet_word(name, value) for value in values if value not in (None, ""))
        return found

    def row(self) -> dict:
        """Column values of search_documents plus the analysed text for the engine's index."""
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {self.visibility!r}")
        facets = " ".join(self.facet_words())
        return {
            "kind": self.kind,
            "object_id": self.object_id,
            "title": (self.title or "")[:300],
            "body": self.body or "",
            "visibility": self.visibility,
            "published": bool(self.published),
            "owner_id": self.owner_id,
            "organization_id": self.organization_id,
            "facets": facets,
            "meta": self.meta or {},
            "indexed_at": utcnow(),
            "title_words": " ".join(words(self.title)),
            "body_words": " ".join(words(self.body)),
            "bigram_words": " ".join(bigrams(f"{self.title}\n{self.body}")),
            "facet_words": facets,
        }


_DOCUMENT_COLUMNS = ("kind", "object_id", "title", "body", "visibility", "published", "owner_id",
                     "organization_id", "facets", "meta", "indexed_at")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def index(kind: str, object_id: int, *, title: str, body: str = "", visibility: str = "public",
          published: bool = True, owner_id: int | None = None, organization_id: int | None = None,
          facets: Mapping[str, Any] | None = None, meta: dict | None = None) -> None:
    """Add or replace one object in the index (within the caller's transaction)."""
    index_many([Entry(kind, object_id, title, body, visibility, published, owner_id, organization_id,
                      facets, meta)])


def index_many(entries: Iterable[Entry], *, fresh: bool = False) -> int:
    """Add or replace many objects with batched statements; `fresh` skips the look-up of old rows."""
    rows = [entry.row() for entry in entries]
    if not rows:
        return 0
    table = SearchDocument.__table__
    if not fresh:
        for chunk in _chunks(rows, 500):
            keys = [(row["kind"], row["object_id"]) for row in chunk]
            existing = db.session.execute(
                sa.select(table.c.id).where(sa.tuple_(table.c.kind, table.c.object_id).in_(keys))
            ).scalars().all()
            _delete_ids(existing)
    for chunk in _chunks(rows, 1000):
        ids = db.session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{name: row[name] for name in _DOCUMENT_COLUMNS} for row in chunk],
        ).scalars().all()
        for row, new_id in zip(chunk, ids, strict=True):
            row["id"] = new_id
        _write_engine_index(chunk)
    return len(rows)


def _write_engine_index(rows: list[dict]) -> None:
    if dialect() == "postgresql":
        db.session.execute(
            sa.text(
                "UPDATE search_documents SET search_vector ="
                " setweight(to_tsvector('simple', :title_words), 'A')"
                " || setweight(to_tsvector('simple', :body_words), 'B')"
                " || setweight(to_tsvector('simple', :facet_words), 'C')"
                " || setweight(to_tsvector('simple', :bigram_words), 'D')"
                " WHERE id = :id"
            ),
            [_engine_values(row) for row in rows],
        )
    else:
        db.session.execute(
            sa.text(
                "INSERT INTO search_fts (rowid, title, body, bigrams, facets)"
                " VALUES (:id, :title_words, :body_words, :bigram_words, :facet_words)"
            ),
            [_engine_values(row) for row in rows],
        )


def _engine_values(row: dict) -> dict:
    return {key: row[key] for key in ("id", "title_words", "body_words", "bigram_words", "facet_words")}


def _delete_ids(ids: list[int]) -> None:
    if not ids:
        return
    if dialect() != "postgresql":
        db.session.execute(sa.text("DELETE FROM search_fts WHERE rowid = :id"), [{"id": i} for i in ids])
    db.session.execute(sa.delete(SearchDocument.__table__).where(SearchDocument.__table__.c.id.in_(ids)))


def remove(kind: str, object_id: int) -> None:
    """Take one object out of the index (within the caller's transaction)."""
    table = SearchDocument.__table__
    ids = db.session.execute(
        sa.select(table.c.id).where(table.c.kind == kind, table.c.object_id == object_id)
    ).scalars().all()
    _delete_ids(list(ids))


def clear(kind: str | None = None) -> None:
    """Empty the index, or the part of one kind."""
    table = SearchDocument.__table__
    if kind is None:
        if dialect() != "postgresql":
            db.session.execute(sa.text("DELETE FROM search_fts"))
        db.session.execute(sa.delete(table))
        return
    while ids := db.session.execute(sa.select(table.c.id).where(table.c.kind == kind).limit(5000)).scalars().all():
        _delete_ids(list(ids))


def reindex_all(model, entry: Callable[[Any], Entry], *where, options=(), batch: int = 500) -> int:
    """Index every row of `model` matching `where` again, in batches by id (`flask search reindex`).

    Each batch is committed and forgotten, so a table of any size is walked in constant memory.
    """
    count = 0
    last_id = 0
    while True:
        rows = list(db.session.scalars(
            sa.select(model).where(model.id > last_id, *where).order_by(model.id).limit(batch).options(*options)
        ))
        if not rows:
            return count
        count += index_many([entry(row) for row in rows], fresh=True)
        last_id = rows[-1].id
        db.session.commit()
        db.session.expunge_all()


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


#: what the engine's index keeps outside the models: the FTS5 table (and its shadow tables),
#: the tsvector column and its GIN index (see core.schema)
UNMODELLED_TABLE_PREFIX = "search_fts"
UNMODELLED_NAMES = frozenset({"search_vector", "ix_search_documents_search_vector"})
