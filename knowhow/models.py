"""Knowhow: articles (事例, プログラム, 報告, コラム), their revisions, and where programmes run."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alliance.models import Organization
from core.db import Base, UTCDateTime, one_of, utcnow
from core.pictures import Picture
from members.models import Member

#: slug → label (DESIGN: case-study 事例, playbook プログラム, report 報告, column コラム)
ARTICLE_KINDS = {
    "case-study": _l("Case study"),
    "playbook": _l("Programme"),
    "report": _l("Report"),
    "column": _l("Column"),
}
VISIBILITIES = {
    "public": _l("Public"),
    "members": _l("RAN members only"),
    "alliance": _l("Alliance members only"),
}
STATUSES = {"draft": _l("Draft"), "published": _l("Published")}
ADOPTION_STATUSES = {"planned": _l("Preparing"), "running": _l("Running"), "ended": _l("Ended")}
#: the structured fields of a programme (playbook), in the order a page shows them
PLAYBOOK_FIELDS = ("goal", "audience", "duration", "steps", "cost", "materials")


class Article(Base):
    """A piece of knowhow written by a member, optionally for an organisation."""

    __tablename__ = "articles"
    __table_args__ = (
        # Newest first among the published (home page, lists, organisation pages) walks this in order.
        sa.Index("ix_articles_listing", "status", "published_at", "id"),
        one_of("kind", ARTICLE_KINDS),
        one_of("visibility", VISIBILITIES),
        one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lowercase ASCII, digits and hyphens; fixed at creation
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: case-study | playbook | report | column
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    #: Markdown; rendered and sanitised on display
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: public | members | alliance
    visibility: Mapped[str] = mapped_column(sa.String(20), default="public")
    #: draft | published
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    #: the prefecture the article is about (JIS code), if any
    prefecture: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    #: None once the author's account is erased
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    #: who saved the current version
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # Programme (playbook) fields; empty for other kinds.
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.Text, default="")
    duration: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Markdown, one step per list item
    steps: Mapped[str] = mapped_column(sa.Text, default="")
    cost: Mapped[str] = mapped_column(sa.String(300), default="")
    materials: Mapped[str] = mapped_column(sa.Text, default="")
    #: increases with every saved edit; earlier versions are ArticleRevision rows
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: first publication; the feed and lists sort by it
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: soft delete: set instead of removing the row (an admin can restore)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: the header image (core.pictures)
    header_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pictures.id", ondelete="SET NULL"))

    theme_rows: Mapped[list["ArticleTheme"]] = relationship(
        cascade="all, delete-orphan", order_by="ArticleTheme.theme"
    )
    #: theme slugs
    themes: AssociationProxy[list[str]] = association_proxy(
        "theme_rows", "theme", creator=lambda slug: ArticleTheme(theme=slug)
    )
    author: Mapped[Member | None] = relationship(foreign_keys=[author_id])
    editor: Mapped[Member | None] = relationship(foreign_keys=[editor_id])
    organization: Mapped[Organization | None] = relationship()
    #: joined by the queries of pages that show it (lists, the article); a NULL key costs no query
    header: Mapped[Picture | None] = relationship()

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def is_playbook(self) -> bool:
        return self.kind == "playbook"

    @property
    def kind_label(self) -> str:
        return str(ARTICLE_KINDS.get(self.kind, self.kind))

    @property
    def visibility_label(self) -> str:
        return str(VISIBILITIES.get(self.visibility, self.visibility))

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class ArticleTheme(Base):
    """A theme an article is about."""

    __tablename__ = "article_themes"

    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class ArticleRevision(Base):
    """An earlier version of an article, kept when it was edited or restored."""

    __tablename__ = "article_revisions"
    __table_args__ = (
        sa.UniqueConstraint("article_id", "version"),
        one_of("kind", ARTICLE_KINDS),
        one_of("visibility", VISIBILITIES),
        one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    visibility: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20))
    prefecture: Mapped[str | None] = mapped_column(sa.String(2))
    organization_id: Mapped[int | None]
    #: theme slugs of that version
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: the programme fields of that version
    playbook: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: who saved this version (None once erased)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    #: when this version was saved
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[Member | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(ARTICLE_KINDS.get(self.kind, self.kind))


class Adoption(Base):
    """An organisation runs a programme (playbook) in a region: "we run this here"."""

    __tablename__ = "adoptions"
    __table_args__ = (
        one_of("status", ADOPTION_STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    prefecture: Mapped[str] = mapped_column(sa.String(2), index=True)
    started_on: Mapped[date | None] = mapped_column(sa.Date)
    #: planned | running | ended
    status: Mapped[str] = mapped_column(sa.String(20), default="running")
    #: what came of it, in the organisation's words
    outcome_notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship()
    organization: Mapped[Organization] = relationship()

    @property
    def status_label(self) -> str:
        return str(ADOPTION_STATUSES.get(self.status, self.status))
