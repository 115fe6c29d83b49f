"""Japanese search relevance over the demo corpus, on both engines, within what each reader may see."""

import re

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from alliance.models import OrganizationStaff
from core import search
from core.db import db
from knowhow import services
from knowhow.models import Article
from members.models import Member
from tests.knowhow.relevance_set import EQUIVALENT, QUERIES, TOP_HIT


def _slugs(results) -> list[str]:
    return [hit.meta["slug"] for hit in results.hits]


def _search(q: str, member, **kwargs):
    return search.query(q, kinds=["article"], viewer=services.viewer_for(member), limit=100, **kwargs)


@pytest.fixture
def readers(app, demo_corpus, make_member):
    """Who searches: a visitor, a RAN member, staff of an unrelated organisation, an author, the secretariat."""
    outsider_staff = make_member(email="staff@elsewhere.example.jp")
    with app.app_context():
        db.session.add(OrganizationStaff(organization_id=demo_corpus.organizations["hokkaido-career"].id,
                                         member_id=outsider_staff.id))
        db.session.commit()
    return {
        "visitor": None,
        "member": make_member(email="reader@example.jp"),
        "alliance staff": outsider_staff,
        "author ito": demo_corpus.members["ito"],
        "admin": demo_corpus.admin,
    }


def _as_member(member):
    return AnonymousUserMixin() if member is None else db.session.get(Member, member.id)


def _visible_slugs(member) -> set[str]:
    articles = db.session.scalars(sa.select(Article).options(*services.article_options())).all()
    return {a.slug for a in articles if services.can_view(a, member)}


def test_relevance_set_is_large_enough():
    assert len(QUERIES) >= 30
    assert sum(1 for q, _expected in QUERIES if len(q) == 2) >= 10


@pytest.mark.parametrize("query, expected", QUERIES, ids=[q for q, _e in QUERIES])
def test_query_finds_exactly_the_relevant_articles(app, demo_corpus, query, expected):
    with app.app_context():
        admin = db.session.get(Member, demo_corpus.admin.id)
        assert set(_slugs(_search(query, admin))) == expected


def test_every_query_respects_visibility_for_every_reader(app, readers):
    with app.app_context():
        for name, reader in readers.items():
            member = _as_member(reader)
            visible = _visible_slugs(member)
            for query, expected in QUERIES:
                found = set(_slugs(_search(query, member)))
                assert found <= visible, (name, query, found - visible)
                assert found == expected & visible, (name, query)


def test_drafts_and_restricted_articles_are_found_only_by_those_who_may_see_them(app, readers):
    with app.app_context():
        visitor = _as_member(None)
        member = _as_member(readers["member"])
        staff = _as_member(readers["alliance staff"])
        author = _as_member(readers["author ito"])
        assert "facilitator-dispatch-system" not in _slugs(_search("世話人", visitor))
        assert "facilitator-dispatch-system" in _slugs(_search("世話人", member))
        assert "shiojiri-municipal-cxo" not in _slugs(_search("CMO", member))
        assert "shiojiri-municipal-cxo" in _slugs(_search("CMO", staff))
        for reader in (visitor, member, staff):
            assert "senior-talent-draft" not in _slugs(_search("シニア", reader))
        assert "senior-talent-draft" in _slugs(_search("シニア", author))


@pytest.mark.parametrize("variant, written", EQUIVALENT)
def test_kana_and_kanji_variants_find_the_same_articles(app, demo_corpus, variant, written):
    with app.app_context():
        admin = db.session.get(Member, demo_corpus.admin.id)
        found = set(_slugs(_search(variant, admin)))
        assert found and found == set(_slugs(_search(written, admin)))


@pytest.mark.parametrize("query, first", TOP_HIT)
def test_best_match_comes_first(app, demo_corpus, query, first):
    with app.app_context():
        admin = db.session.get(Member, demo_corpus.admin.id)
        assert _slugs(_search(query, admin))[0] == first


def test_bigram_backstop_finds_a_word_the_dictionary_splits_differently(app, demo_corpus):
    """外国人 is 外国+人 to MeCab but 外国人材 is 外国+人材: only the bigrams see one inside the other."""
    with app.app_context():
        admin = db.session.get(Member, demo_corpus.admin.id)
        assert "rel-foreign-hiring" in _slugs(_search("外国人", admin))
        assert "rel-foreign-hiring" not in _slugs(_search("外国人", admin, bigram_mode="never"))
        # …and word matches rank above bigram-only ones.
        ranked = _slugs(_search("外国人", admin))
        assert ranked.index("foreign-talent-regional-support") < ranked.index("rel-foreign-hiring")


def test_search_pages_never_link_an_invisible_article(client, readers, auth):
    auth.login(readers["member"])
    for query, _expected in QUERIES[:15]:
        for page in (f"/knowhow/?q={query}", f"/search?q={query}"):
            html = client.get(page).get_data(as_text=True)
            linked = set(re.findall(r'href="/knowhow/([a-z0-9-]+)"', html))
            assert "senior-talent-draft" not in linked
            assert "shiojiri-municipal-cxo" not in linked


def test_the_demo_articles_were_written_over_the_past_year(app, demo_corpus):
    """A site that looks lived in: the demo's articles are dated about four weeks apart, not all today."""
    from knowhow.demo_articles import DEMO_ARTICLES

    with app.app_context():
        dates = db.session.scalars(sa.select(Article.published_at).where(
            Article.slug.in_([spec["slug"] for spec in DEMO_ARTICLES]), Article.published_at.is_not(None))).all()
    days = {value.date() for value in dates}
    assert len(days) == len(dates) >= 10
    assert (max(days) - min(days)).days > 250
