"""The rules of knowhow: who sees and edits what, saving with history, adoptions, the index."""

import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from alliance.permissions import is_alliance_staff, is_staff_or_admin, staff_organization_ids
from core import search
from core.audit import audit
from core.auth import is_admin
from core.db import db, json_row, utcnow
from core.markdown import markdown_to_text
from knowhow.models import PLAYBOOK_FIELDS, Adoption, Article, ArticleRevision, ArticleTheme

SEARCH_KIND = "article"
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: words the knowhow URLs use themselves
RESERVED_SLUGS = frozenset({"new", "feed.atom", "deleted", "mine"})
#: the fields a version of an article consists of (what history keeps)
CONTENT_FIELDS = ("kind", "title", "summary", "body", "visibility", "status", "prefecture", "organization_id")


# --- who may do what ------------------------------------------------------------------------------


def _authenticated(member) -> bool:
    return bool(getattr(member, "is_authenticated", False))


def viewer_for(member) -> search.Viewer:
    """What the search index needs to know about a member (or a visitor)."""
    if not _authenticated(member):
        return search.ANONYMOUS
    return search.Viewer(
        member_id=member.id,
        is_admin=is_admin(member),
        is_alliance_staff=is_alliance_staff(member),
        organization_ids=staff_organization_ids(member),
    )


def can_edit(article: Article, member) -> bool:
    """The author, staff of the article's organisation, and admins."""
    if not _authenticated(member) or article.deleted_at is not None:
        return False
    if is_admin(member) or article.author_id == member.id:
        return True
    return article.organization_id is not None and article.organization_id in staff_organization_ids(member)


def can_restore_revision(article: Article, member) -> bool:
    """Restoring an earlier version is for the author and admins."""
    if not _authenticated(member) or article.deleted_at is not None:
        return False
    return is_admin(member) or article.author_id == member.id


def can_view(article: Article, member) -> bool:
    """Visibility (public / members / alliance); drafts only to those who may edit."""
    if article.deleted_at is not None:
        return is_admin(member)
    if can_edit(article, member):
        return True
    if not article.is_published:
        return False
    if article.visibility == "public":
        return True
    if article.visibility == "members":
        return _authenticated(member)
    return is_staff_or_admin(member)


#: published articles always have a date; saying so lets PostgreSQL walk the date index
#: newest first without first stepping over the drafts (NULLs sort first there)
PUBLISHED = sa.and_(Article.status == "published", Article.published_at.is_not(None))


def reader_class(member) -> str:
    """Which published articles a member may read, as one word: all of them reading the same lists
    (visible_clause with published_only) may share them (core.fragments)."""
    if is_admin(member):
        return "admin"
    if not _authenticated(member):
        return "public"
    return "alliance" if is_alliance_staff(member) else "members"


def visible_clause(member, *, published_only: bool = True):
    """SQL condition for the articles a member may see in a list (deleted ones never)."""
    live = Article.deleted_at.is_(None)
    if is_admin(member):
        return sa.and_(live, PUBLISHED) if published_only else live
    allowed = ["public"]
    if _authenticated(member):
        allowed.append("members")
        if is_alliance_staff(member):
            allowed.append("alliance")
    published = sa.and_(PUBLISHED, Article.visibility.in_(allowed))
    if published_only or not _authenticated(member):
        return sa.and_(live, published)
    own = Article.author_id == member.id
    organizations = staff_organization_ids(member)
    if organizations:
        own = sa.or_(own, Article.organization_id.in_(organizations))
    return sa.and_(live, sa.or_(published, own))


def can_manage_adoption(adoption: Adoption, member) -> bool:
    """Staff of the adopting organisation, and admins."""
    if not _authenticated(member):
        return False
    return is_admin(member) or adoption.organization_id in staff_organization_ids(member)


# --- loading --------------------------------------------------------------------------------------


def article_options():
    return (
        joinedload(Article.author),
        joinedload(Article.organization),
        joinedload(Article.header),
        selectinload(Article.theme_rows),
    )


def article_by_slug(slug: str) -> Article | None:
    return db.session.scalar(sa.select(Article).where(Article.slug == slug).options(*article_options()))


def related_articles(article: Article, member, limit: int = 4) -> list[Article]:
    """Other visible articles sharing the most themes with this one, newest first among equals."""
    themes = list(article.themes)
    if not themes:
        return []
    shared = (
        sa.select(ArticleTheme.article_id, sa.func.count().label("shared"))
        .where(ArticleTheme.theme.in_(themes), ArticleTheme.article_id != article.id)
        .group_by(ArticleTheme.article_id)
        .subquery()
    )
    query = (
        sa.select(Article)
        .join(shared, shared.c.article_id == Article.id)
        .where(visible_clause(member))
        .order_by(shared.c.shared.desc(), Article.published_at.desc(), Article.id.desc())
        .limit(limit)
        .options(*article_options())
    )
    return list(db.session.scalars(query))


def live_adoptions(article: Article) -> list[Adoption]:
    return list(
        db.session.scalars(
            sa.select(Adoption)
            .where(Adoption.article_id == article.id, Adoption.deleted_at.is_(None))
            .options(joinedload(Adoption.organization))
            .order_by(Adoption.started_on.desc().nulls_last(), Adoption.id.desc())
        )
    )


# --- writing --------------------------------------------------------------------------------------


@dataclass
class ArticleData:
    """What a form (or the demo) gives to create or change an article."""

    title: str
    kind: str
    visibility: str
    status: str
    themes: list[str]
    summary: str
    body: str
    prefecture: str | None = None
    organization_id: int | None = None
    goal: str = ""
    audience: str = ""
    duration: str = ""
    steps: str = ""
    cost: str = ""
    materials: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "ArticleData":
        fields = {name: values.get(name) for name in cls.__dataclass_fields__ if name in values}
        fields["themes"] = list(dict.fromkeys(values.get("themes") or []))
        fields["prefecture"] = values.get("prefecture") or None
        fields["organization_id"] = values.get("organization_id") or None
        for name in PLAYBOOK_FIELDS + ("summary", "body", "title"):
            if name in fields:
                fields[name] = (fields[name] or "").strip()
        return cls(**fields)


def new_slug(title: str = "") -> str:
    """ASCII words of the title (if any) and a random tail: dx-suishin-k7x2m9ab."""
    ascii_words = "".join(
        ch if ch.isascii() and ch.isalnum() else "-" for ch in unicodedata.normalize("NFKC", title).lower()
    )
    head = "-".join(part for part in ascii_words.split("-") if part)[:40].strip("-")
    while True:
        tail = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(8))
        slug = f"{head}-{tail}" if head else tail
        if slug not in RESERVED_SLUGS and not db.session.scalar(sa.select(Article.id).where(Article.slug == slug)):
            return slug


def _apply(article: Article, data: ArticleData) -> None:
    for name in CONTENT_FIELDS:
        setattr(article, name, getattr(data, name))
    playbook = data.kind == "playbook"
    for name in PLAYBOOK_FIELDS:
        setattr(article, name, getattr(data, name) if playbook else "")
    if list(article.themes) != data.themes:
        article.themes = list(data.themes)
    if article.status == "published" and article.published_at is None:
        article.published_at = utcnow()


def _snapshot(article: Article) -> dict:
    values = {name: getattr(article, name) for name in CONTENT_FIELDS}
    values["themes"] = sorted(article.themes)
    values["playbook"] = {name: getattr(article, name) for name in PLAYBOOK_FIELDS}
    return values


def create_article(author, data: ArticleData, *, slug: str | None = None) -> Article:
    """A new article by `author` (any member); indexed for search."""
    author_id = getattr(author, "id", None)
    article = Article(slug=slug or new_slug(data.title), author_id=author_id, editor_id=author_id)
    _apply(article, data)
    db.session.add(article)
    db.session.flush()
    index_article(article)
    audit("article.create", article, slug=article.slug, status=article.status)
    return article


def update_article(article: Article, editor, data: ArticleData) -> bool:
    """Save an edit, keeping the previous version; False when nothing changed."""
    before = _snapshot(article)
    probe = dict(before)
    probe.update({name: getattr(data, name) for name in CONTENT_FIELDS})
    probe["themes"] = sorted(data.themes)
    probe["playbook"] = {
        name: (getattr(data, name) if data.kind == "playbook" else "") for name in PLAYBOOK_FIELDS
    }
    if probe == before:
        return False
    _keep_revision(article, before, editor)
    _apply(article, data)
    _bump(article)
    index_article(article)
    audit("article.update", article, version=article.version)
    return True


def _keep_revision(article: Article, values: dict, editor) -> None:
    """Store the version being replaced, then name the editor of the new one."""
    db.session.add(
        ArticleRevision(
            article_id=article.id,
            version=article.version,
            editor_id=article.editor_id,
            saved_at=article.updated_at,
            **values,
        )
    )
    article.editor_id = getattr(editor, "id", None)


def _bump(article: Article) -> None:
    article.version += 1
    article.updated_at = utcnow()


def restore_revision(article: Article, revision: ArticleRevision, editor) -> None:
    """Make an earlier version current again; the version it replaces is kept too."""
    data = ArticleData(
        title=revision.title, kind=revision.kind, visibility=revision.visibility, status=revision.status,
        themes=list(revision.themes or []), summary=revision.summary, body=revision.body,
        prefecture=revision.prefecture, organization_id=revision.organization_id,
        **{name: (revision.playbook or {}).get(name, "") for name in PLAYBOOK_FIELDS},
    )
    _keep_revision(article, _snapshot(article), editor)
    _apply(article, data)
    _bump(article)
    index_article(article)
    audit("article.restore_version", article, version=revision.version, new_version=article.version)


def delete_article(article: Article) -> None:
    """Soft delete: hidden everywhere, restorable by an admin."""
    article.deleted_at = utcnow()
    search.remove(SEARCH_KIND, article.id)
    audit("article.delete", article, slug=article.slug)


def undelete_article(article: Article) -> None:
    article.deleted_at = None
    index_article(article)
    audit("article.undelete", article, slug=article.slug)


def revisions_of(article: Article) -> list[ArticleRevision]:
    return list(
        db.session.scalars(
            sa.select(ArticleRevision)
            .where(ArticleRevision.article_id == article.id)
            .options(joinedload(ArticleRevision.editor))
            .order_by(ArticleRevision.version.desc())
        )
    )


# --- adoptions ------------------------------------------------------------------------------------


@dataclass
class AdoptionData:
    organization_id: int
    prefecture: str
    started_on: date | None
    status: str
    outcome_notes: str = ""


def record_adoption(article: Article, data: AdoptionData, member) -> Adoption:
    """An organisation runs this programme in a prefecture."""
    adoption = Adoption(
        article_id=article.id, organization_id=data.organization_id, prefecture=data.prefecture,
        started_on=data.started_on, status=data.status, outcome_notes=data.outcome_notes.strip(),
        created_by_id=getattr(member, "id", None),
    )
    db.session.add(adoption)
    db.session.flush()
    audit("adoption.create", adoption, article=article.slug, prefecture=data.prefecture)
    return adoption


def update_adoption(adoption: Adoption, data: AdoptionData) -> None:
    adoption.organization_id = data.organization_id
    adoption.prefecture = data.prefecture
    adoption.started_on = data.started_on
    adoption.status = data.status
    adoption.outcome_notes = data.outcome_notes.strip()
    adoption.updated_at = utcnow()
    audit("adoption.update", adoption, status=data.status)


def delete_adoption(adoption: Adoption) -> None:
    adoption.deleted_at = utcnow()
    audit("adoption.delete", adoption)


def adoption_figures() -> tuple[int, int]:
    """(adoptions, prefectures reached) of published, live programmes."""
    row = db.session.execute(
        sa.select(sa.func.count(Adoption.id), sa.func.count(sa.distinct(Adoption.prefecture)))
        .join(Article, Article.id == Adoption.article_id)
        .where(
            Adoption.deleted_at.is_(None),
            Article.deleted_at.is_(None),
            Article.status == "published",
            Article.kind == "playbook",
        )
    ).one()
    return int(row[0]), int(row[1])


def adoptions_by_prefecture(article: Article | None = None) -> dict[str, int]:
    query = (
        sa.select(Adoption.prefecture, sa.func.count())
        .join(Article, Article.id == Adoption.article_id)
        .where(Adoption.deleted_at.is_(None), Article.deleted_at.is_(None), Article.status == "published")
        .group_by(Adoption.prefecture)
    )
    if article is not None:
        query = query.where(Adoption.article_id == article.id)
    return {code: count for code, count in db.session.execute(query)}


# --- the search index -----------------------------------------------------------------------------


def search_entry(article: Article) -> search.Entry:
    """How an article sits in the generic index."""
    text = "\n".join(
        part for part in (
            article.summary,
            markdown_to_text(article.body),
            *(getattr(article, name) for name in PLAYBOOK_FIELDS if article.kind == "playbook"),
        ) if part
    )
    return search.Entry(
        kind=SEARCH_KIND,
        object_id=article.id,
        title=article.title,
        body=text,
        visibility=article.visibility,
        published=article.status == "published",
        owner_id=article.author_id,
        organization_id=article.organization_id,
        facets={"theme": list(article.themes), "prefecture": article.prefecture, "type": article.kind},
        meta={"slug": article.slug, "type": article.kind, "prefecture": article.prefecture,
              "themes": sorted(article.themes)},
    )


def index_article(article: Article) -> None:
    if article.deleted_at is not None:
        search.remove(SEARCH_KIND, article.id)
    else:
        search.index_many([search_entry(article)])


def reindex_articles() -> int:
    """Index every live article again (`flask search reindex`)."""
    return search.reindex_all(Article, search_entry, Article.deleted_at.is_(None),
                              options=[selectinload(Article.theme_rows)])


def search_articles(q: str, member, *, theme: str | None = None, kind: str | None = None,
                    prefecture: str | None = None, limit: int = 20, offset: int = 0) -> search.Results:
    """Full-text search over the articles the member may see."""
    facets = {"theme": theme, "type": kind, "prefecture": prefecture}
    return search.query(q, kinds=[SEARCH_KIND], viewer=viewer_for(member), facets=facets,
                        limit=limit, offset=offset)


def articles_for_hits(hits: Iterable[search.Hit], member) -> dict[int, Article]:
    """The articles behind search hits that the member may see (the index is checked, not trusted)."""
    ids = [hit.object_id for hit in hits if hit.kind == SEARCH_KIND]
    if not ids:
        return {}
    articles = db.session.scalars(sa.select(Article).where(Article.id.in_(ids)).options(*article_options()))
    return {article.id: article for article in articles if can_view(article, member)}


# --- erasure --------------------------------------------------------------------------------------


def export_member(member) -> dict:
    """The articles the member wrote, for /members/me/export."""
    articles = db.session.scalars(sa.select(Article).where(Article.author_id == member.id).order_by(Article.id))
    return {"articles": [
        json_row(article, "slug", "kind", "title", "summary", "body", "visibility", "status", "prefecture",
                 "created_at", "updated_at")
        for article in articles
    ]}


def erase_member(member) -> None:
    """A deleted account: its personal articles go (soft), organisation articles lose the author's name."""
    authored = db.session.scalars(
        sa.select(Article).where(Article.author_id == member.id).options(selectinload(Article.theme_rows))
    ).all()
    for article in authored:
        if article.organization_id is None and article.deleted_at is None:
            article.deleted_at = utcnow()
        article.author_id = None
        index_article(article)
    db.session.execute(sa.update(Article).where(Article.editor_id == member.id).values(editor_id=None))
    db.session.execute(
        sa.update(ArticleRevision).where(ArticleRevision.editor_id == member.id).values(editor_id=None)
    )
    db.session.execute(sa.update(Adoption).where(Adoption.created_by_id == member.id).values(created_by_id=None))
