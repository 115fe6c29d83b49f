"""Knowhow fixtures: articles made through the services, and the demo corpus with its organisations."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from core.db import db
from knowhow import demo, services
from knowhow.models import Article
from members.demo import DEMO_ACCOUNTS
from members.models import Member
from tests.conftest import new_member, new_organization
from tests.knowhow.relevance_set import EXTRA_ARTICLES

#: demo organisation slug → (prefecture, staff e-mails)
DEMO_ORGANIZATIONS = {
    "inquiry": ("06", ["suzuki@demo.ran-hub.jp"]),
    "meguru": ("20", ["tanaka@demo.ran-hub.jp"]),
    "machi-to-hito-to": ("04", ["sato@demo.ran-hub.jp"]),
    "tokai-tabunka": ("23", ["ito@demo.ran-hub.jp"]),
    "setouchi-senior": ("33", ["ito@demo.ran-hub.jp"]),
    "kyushu-kouin": ("40", ["tanaka@demo.ran-hub.jp"]),
    "hokkaido-career": ("01", []),
    "shikoku-josei": ("37", []),
}

ARTICLE_DEFAULTS = {
    "title": "地域同期研修の始め方",
    "kind": "case-study",
    "visibility": "public",
    "status": "published",
    "themes": ["youth-retention"],
    "summary": "会社の垣根を越えて若手の同期をつくる研修の記録です。",
    "body": "石巻では、地域の中小企業の新入社員が一緒に学ぶ研修を続けています。",
    "prefecture": "04",
}


def load_article(slug: str) -> Article:
    """An article with its relations loaded, detached (read it anywhere in a test)."""
    article = db.session.scalar(sa.select(Article).where(Article.slug == slug).options(*services.article_options()))
    _ = list(article.themes)
    db.session.expunge(article)
    return article


@pytest.fixture
def make_article(app):
    """make_article(author, organization=None, **fields) through services.create_article."""

    def factory(author=None, *, organization=None, slug=None, **fields):
        values = dict(ARTICLE_DEFAULTS)
        values.update(fields)
        values["organization_id"] = organization.id if organization is not None else None
        with app.app_context():
            writer = db.session.get(Member, author.id) if author is not None else None
            article = services.create_article(writer, services.ArticleData.from_mapping(values), slug=slug)
            db.session.commit()
            return load_article(article.slug)

    return factory


@pytest.fixture(scope="module")
def demo_corpus(base_app, module_transaction):
    """The demo organisations, accounts and articles, plus the relevance-set extras (once per module)."""
    members = {}
    for email, name, prefecture, affiliation, org_name, _themes, is_admin in DEMO_ACCOUNTS:
        if is_admin:
            continue
        members[email.split("@")[0]] = new_member(base_app, email=email, display_name=name, prefecture=prefecture,
                                                  affiliation=affiliation, organization_name=org_name)
    by_email = {m.email: m for m in members.values()}
    organizations = {
        slug: new_organization(base_app, slug=slug, name=f"デモ団体 {slug}", prefecture=prefecture,
                               staff=[by_email[e] for e in emails])
        for slug, (prefecture, emails) in DEMO_ORGANIZATIONS.items()
    }
    with base_app.app_context():
        demo.seed_articles()
        for spec in EXTRA_ARTICLES:
            values = dict(ARTICLE_DEFAULTS, visibility="public", status="published", **spec)
            services.create_article(None, services.ArticleData.from_mapping(values), slug=spec["slug"])
        db.session.commit()
    return SimpleNamespace(members=members, organizations=organizations, admin=new_member(base_app, is_admin=True))
