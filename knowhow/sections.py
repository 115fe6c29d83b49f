"""What knowhow adds to pages it does not own, through core.hooks."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from alliance.permissions import is_staff_or_admin
from core import fragments, search
from core.db import db
from core.hooks import (
    DigestSection,
    EvidenceKind,
    Figure,
    MenuItem,
    SearchHit,
    SearchProvider,
    ToolLink,
    render_section,
)
from core.routing import site_url
from knowhow import services
from knowhow.models import ARTICLE_KINDS, Adoption, Article, ArticleTheme

HOME_ARTICLES = 3
ORGANIZATION_ARTICLES = 5
MEMBER_ARTICLES = 10


def home_section() -> Markup | None:
    """The newest knowhow on the home page: the same for every viewer who may read the same articles (kept until
    what it shows is written)."""

    def render() -> str:
        articles = db.session.scalars(
            sa.select(Article).where(services.visible_clause(current_user))
            .options(*services.article_options())
            .order_by(Article.published_at.desc(), Article.id.desc()).limit(HOME_ARTICLES)
        ).all()
        return render_section("knowhow/_home_section.html", articles=articles) if articles else ""

    return fragments.cached("knowhow.home", (), render, viewers=services.reader_class(current_user)) or None


def organization_section(organization) -> Markup | None:
    """An organisation's knowhow and the programmes it runs, on its page."""
    articles = db.session.scalars(
        sa.select(Article)
        .where(services.visible_clause(current_user), Article.organization_id == organization.id)
        .options(*services.article_options())
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(ORGANIZATION_ARTICLES)
    ).all()
    adoptions = db.session.scalars(
        sa.select(Adoption).join(Article, Article.id == Adoption.article_id)
        .where(Adoption.organization_id == organization.id, Adoption.deleted_at.is_(None),
               services.visible_clause(current_user))
        .options(joinedload(Adoption.article))
        .order_by(Adoption.started_on.desc().nulls_last(), Adoption.id.desc())
    ).all()
    if not articles and not adoptions:
        return None
    return render_section("knowhow/_organization_section.html", organization=organization,
                           articles=articles, adoptions=adoptions)


def member_section(member) -> Markup | None:
    """The member's own articles, drafts included, on /members/me."""
    articles = db.session.scalars(
        sa.select(Article).where(Article.author_id == member.id, Article.deleted_at.is_(None))
        .options(*services.article_options())
        .order_by(Article.updated_at.desc(), Article.id.desc()).limit(MEMBER_ARTICLES)
    ).all()
    return render_section("knowhow/_member_section.html", articles=articles)


def impact_figures() -> list[Figure]:
    """Published knowhow, programme adoptions and the prefectures they reach."""
    published = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.deleted_at.is_(None), Article.status == "published")
    )
    adoptions, prefectures = services.adoption_figures()
    return [
        Figure(_("Knowhow articles"), published or 0),
        Figure(_("Programme adoptions"), adoptions, _("regions that run a shared programme")),
        Figure(_("Prefectures reached by shared programmes"), prefectures),
    ]


def impact_section() -> Markup | None:
    """Where shared programmes run, on the tile map."""
    counts = services.adoptions_by_prefecture()
    if not counts:
        return None
    return render_section(
        "knowhow/_impact_section.html", counts=counts,
        prefecture_url=lambda code: url_for("knowhow.index", kind="playbook", prefecture=code),
    )


def search_provider(query, viewer, limit: int) -> list[SearchHit]:
    """Articles for /search (honours the kind, theme and prefecture filters)."""
    filters = getattr(query, "filters", {}) or {}
    if filters.get("kind") and filters["kind"] != services.SEARCH_KIND:
        return []
    results = services.search_articles(
        str(query), viewer, theme=filters.get("theme"), prefecture=filters.get("prefecture"),
        limit=min(limit, search.DEFAULT_CANDIDATES),
    )
    articles = services.articles_for_hits(results.hits, viewer)
    found = []
    for hit in results.hits:
        article = articles.get(hit.object_id)
        if article is None:
            continue
        found.append(SearchHit(
            kind=services.SEARCH_KIND,
            title=hit.highlighted_title(),
            url=url_for("knowhow.detail", slug=article.slug),
            snippet=search.LazySnippet(hit),
            score=hit.score,
            meta={"slug": article.slug, "type": article.kind, "type_label": article.kind_label,
                  "themes": sorted(article.themes), "prefecture": article.prefecture,
                  "published": article.is_published},
        ))
    return found


SEARCH_PROVIDER = SearchProvider(services.SEARCH_KIND, _l("Knowhow"), search_provider, order=30)

#: an article among a candidate's evidence for matching (core.search.evidence)
EVIDENCE_KIND = EvidenceKind(
    services.SEARCH_KIND, label=lambda document: str(ARTICLE_KINDS.get(document.meta.get("type"), _("Knowhow"))),
    url=lambda document: url_for("knowhow.detail", slug=document.meta["slug"]) if document.meta.get("slug") else None,
)


MENU_ITEM = MenuItem("knowhow.index", _l("Knowhow"), order=30)
#: any member may write; in the tools menu for those who write for an organisation
TOOL_LINK = ToolLink("knowhow.new", _l("Write knowhow"), is_staff_or_admin, order=20)


DIGEST_LIMIT = 8


def digest_items(member, since) -> list[tuple[str, str]]:
    """Knowhow published since `since` that the member may read, in their prefecture or themes."""
    interest = [Article.prefecture == member.prefecture]
    if member.themes:
        interest.append(Article.theme_rows.any(ArticleTheme.theme.in_(list(member.themes))))
    articles = db.session.scalars(
        sa.select(Article).where(services.visible_clause(member), Article.published_at >= since, sa.or_(*interest))
        .order_by(Article.published_at.desc(), Article.id.desc()).limit(DIGEST_LIMIT)
    ).all()
    return [(article.title, site_url("knowhow.detail", slug=article.slug)) for article in articles]


DIGEST_SECTION = DigestSection(_l("New knowhow"), digest_items)
