"""Evidence-based expert finding: how well each candidate's own documents answer a need.

A candidate — an organisation, a person — is as relevant as the documents that show
its work (Balog, Azzopardi and de Rijke, SIGIR 2006, "model 2"): the need's words, any
of them, are matched against the search index, restricted to the candidates'
documents of the given kinds, and each candidate gets the sum of its best documents'
scores (BM25 with field weights on SQLite, ts_rank on PostgreSQL). The documents
themselves come back too: they are the reasons a coordinator can check.

One query per need, whatever the number of candidates.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from markupsafe import Markup

from core import hooks
from core.db import db
from core.search.analysis import (
    Group,
    Plan,
    analyse,
    facet_word,
    kind_word,
    normalise,
    organization_word,
    owner_word,
    visibility_word,
)
from core.search.highlight import highlight, snippet
from core.search.index import VISIBILITIES, dialect
from core.search.query import (
    POSTGRES_WEIGHTS,
    SQLITE_WEIGHTS,
    fts_phrase,
    pg_lexeme,
)

#: a candidate's relevance counts its best documents, this many
DOCUMENTS_COUNTED = 2
#: the need's distinct words used (a long description is cut here)
MAX_NEED_WORDS = 60
#: matching documents read per need, best first
MAX_DOCUMENTS = 600
#: the owner column that names a candidate: organisations or people
OWNERS = ("organization", "owner")


@dataclass(frozen=True)
class Document:
    """One document that shows a candidate's work, with how well it matches the need."""

    kind: str
    object_id: int
    title: str
    body: str
    meta: dict
    score: float
    plan: Plan

    def highlighted_title(self) -> Markup:
        return highlight(self.title, self.plan)

    def snippet(self, width: int = 90) -> Markup:
        return snippet(self.body, self.plan, width)


@dataclass
class Relevance:
    """A candidate's relevance to the need and its best documents (best first)."""

    score: float = 0.0
    documents: list[Document] = field(default_factory=list)


def need_plan(text: str) -> Plan:
    """The need's content words as one-word groups (any of them may match): for matching and highlighting."""
    seen: dict[str, str] = {}
    normalised = normalise(text)
    for morpheme in analyse(normalised):
        if morpheme.key and morpheme.key not in seen and len(seen) < MAX_NEED_WORDS:
            seen[morpheme.key] = normalised[morpheme.start:morpheme.end]
    return Plan(normalised, [Group(surface, [key]) for key, surface in seen.items()])


def marking_plan(plan: Plan) -> Plan:
    """What the page marks in a matched document: the need's words of two characters or more
    (a one-character word — 社, 会, 8 — counts for matching but would mark half a page)."""
    return Plan(plan.text, [group for group in plan.groups if len(group.text) > 1])


def relevance(need: str, candidates: Collection[int] | None, *, kinds: Iterable[str], owner: str = "organization",
              visibilities: Collection[str] = VISIBILITIES, facet: tuple[str, str] | None = None
              ) -> dict[int, Relevance]:
    """Each candidate's relevance to `need` from its published documents of `kinds` and `visibilities`.

    `candidates` None reads every owner's documents (a pool too large to list, such as
    thousands of people), narrowed by one `facet` (name, value) such as the theme; only the
    best MAX_DOCUMENTS documents count. Candidates without a matching document are absent
    from the answer.
    """
    if owner not in OWNERS:
        raise ValueError(f"unknown owner column {owner!r}")
    plan = need_plan(need)
    if not plan or candidates is not None and not candidates:
        return {}
    anyone = candidates is None
    filter_words = [[kind_word(kind) for kind in kinds], [visibility_word(visibility) for visibility in visibilities]]
    if facet:
        filter_words.append([facet_word(*facet)])
    if dialect() == "postgresql":
        # A listed pool: its rows through the owner column's index, then the match on those rows only;
        # anyone: the match through the GIN index, the facet word checked on the rows found.
        keys = " | ".join(pg_lexeme(key, "AB") for group in plan.groups for key in group.keys)
        parameters = {"kinds": list(kinds), "visibilities": list(visibilities), "limit": MAX_DOCUMENTS,
                      "tsquery": keys, "weights": POSTGRES_WEIGHTS,
                      "facet": f"% {facet_word(*facet)} %" if facet else "%"}
        if not anyone:
            parameters["owners"] = sorted(candidates)
        rows = db.session.execute(_statement(_POSTGRES_ANYONE if anyone else _POSTGRES_QUERY, owner),
                                  parameters).mappings().all()
    else:
        # FTS5 answers best from its own index: the owners, kinds, visibilities and facet as filter words.
        if not anyone:
            filter_words.append([(organization_word if owner == "organization" else owner_word)(c)
                                 for c in sorted(candidates)])
        match = "{title body} : (" + " OR ".join(fts_phrase(group.keys) for group in plan.groups) + ")"
        for words_ in filter_words:
            match += " AND facets : (" + " OR ".join(fts_phrase([word]) for word in words_) + ")"
        rows = db.session.execute(_statement(_SQLITE_QUERY, owner),
                                  {"match": match, "limit": MAX_DOCUMENTS, **SQLITE_WEIGHTS}).mappings().all()
    marked = marking_plan(plan)
    found: dict[int, Relevance] = {}
    for row in rows:
        if row["candidate"] is None:
            continue
        entry = found.setdefault(row["candidate"], Relevance())
        if len(entry.documents) < DOCUMENTS_COUNTED:
            document = Document(row["kind"], row["object_id"], row["title"], row["body"], row["meta"] or {},
                                float(row["score"]), marked)
            entry.documents.append(document)
            entry.score += document.score
    return found


_SQLITE_QUERY = """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.{owner}_id AS candidate,
           -bm25(search_fts, :w_title, :w_body, :w_bigrams, :w_facets) AS score
    FROM search_fts JOIN search_documents AS d ON d.id = search_fts.rowid
    WHERE search_fts MATCH :match
    ORDER BY score DESC, d.id
    LIMIT :limit
"""
_POSTGRES_QUERY = """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.{owner}_id AS candidate,
           ts_rank(CAST(:weights AS real[]), d.search_vector, to_tsquery('simple', :tsquery), 1) AS score
    FROM search_documents AS d
    WHERE d.{owner}_id IN :owners AND d.kind IN :kinds AND d.published AND d.visibility IN :visibilities
      AND ' ' || d.facets || ' ' LIKE :facet
      AND d.search_vector @@ to_tsquery('simple', :tsquery)
    ORDER BY score DESC, d.id
    LIMIT :limit
"""
_POSTGRES_ANYONE = """
    SELECT d.kind, d.object_id, d.title, d.body, d.meta, d.{owner}_id AS candidate,
           ts_rank(CAST(:weights AS real[]), d.search_vector, to_tsquery('simple', :tsquery), 1) AS score
    FROM search_documents AS d
    WHERE d.search_vector @@ to_tsquery('simple', :tsquery)
      AND d.kind IN :kinds AND d.published AND d.visibility IN :visibilities AND d.{owner}_id IS NOT NULL
      AND ' ' || d.facets || ' ' LIKE :facet
    ORDER BY score DESC, d.id
    LIMIT :limit
"""
_STATEMENTS: dict[tuple[str, str], sa.TextClause] = {}


def _statement(template: str, owner: str) -> sa.TextClause:
    """The query for one owner column, built once (its compiled form is cached by SQLAlchemy)."""
    key = (template, owner)
    if key not in _STATEMENTS:
        statement = sa.text(template.replace("{owner}", owner))
        expanding = [name for name in ("owners", "kinds", "visibilities") if f":{name}" in template]
        if expanding:
            statement = statement.bindparams(*(sa.bindparam(name, expanding=True) for name in expanding))
        _STATEMENTS[key] = statement.columns(meta=sa.JSON)
    return _STATEMENTS[key]


# -- showing evidence: each kind's room says what it is, where to read it and who may -----------


def _presentation(document: Document) -> hooks.EvidenceKind | None:
    return next((kind for kind in hooks.EVIDENCE_KINDS.implementations() if kind.kind == document.kind), None)


def kind_label(document: Document) -> str:
    presentation = _presentation(document)
    return presentation.label(document) if presentation else ""


def url(document: Document) -> str | None:
    presentation = _presentation(document)
    return presentation.url(document) if presentation else None


def readable(document: Document) -> bool:
    presentation = _presentation(document)
    return presentation.readable(document) if presentation else False


def withheld(document: Document) -> str:
    presentation = _presentation(document)
    return presentation.withheld(document) if presentation else ""


TEMPLATE_GLOBALS = {"evidence_kind_label": kind_label, "evidence_url": url, "evidence_readable": readable,
                    "evidence_withheld": withheld}
