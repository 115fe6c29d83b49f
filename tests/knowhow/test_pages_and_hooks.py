"""Feed, /search, the home/organisation/member sections, erasure and the demo seeders."""

import re
from xml.etree import ElementTree

import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from core import hooks, search
from core.db import db
from knowhow import demo
from knowhow.models import Adoption, Article
from members.models import Member

ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_lists_public_published_articles_only(client, make_article):
    make_article(title="公開記事")
    make_article(title="会員限定", visibility="members")
    make_article(title="下書き", status="draft")
    response = client.get("/knowhow/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == ["公開記事"]


def test_feed_escapes_what_authors_wrote(client, make_article):
    make_article(title="<b>&題</b>", summary="]]><script>")
    root = ElementTree.fromstring(client.get("/knowhow/feed.atom").data)
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "<b>&題</b>"


def test_site_search_page_ranks_filters_and_pages(client, make_article):
    for n in range(25):
        make_article(title=f"研修の記録{n}", themes=["seniors"])
    make_article(title="研修と女性", themes=["women"], prefecture="37")
    first = client.get("/search?q=研修").get_data(as_text=True)
    assert first.count('class="snippet"') == 20 and 'rel="next"' in first
    second = client.get("/search?q=研修&page=2").get_data(as_text=True)
    assert second.count('class="snippet"') == 6 and 'rel="next"' not in second
    only_women = client.get("/search?q=研修&theme=women").get_data(as_text=True)
    assert only_women.count('class="snippet"') == 1 and "<mark>研修</mark>と女性" in only_women
    assert client.get("/search?q=研修&prefecture=37").get_data(as_text=True).count('class="snippet"') == 1
    assert 'class="snippet"' not in client.get("/search?q=研修&kind=event").get_data(as_text=True)
    assert client.get("/search").status_code == 200
    assert client.get("/search?q=" + "研" * 500).status_code == 200
    assert client.get("/search?q=研修&page=x").status_code == 404


def test_search_hits_from_other_providers_merge_and_filter(app, client, make_article):
    make_article(title="研修の記事")

    def events(query, viewer, limit):
        return [hooks.SearchHit(kind="event", title="研修会", url="/events/1", score=1e9,
                                meta={"themes": ["seniors"], "prefecture": "13"})]

    hooks.SEARCH_PROVIDERS.register(app, hooks.SearchProvider("event", "イベント", events))
    html = client.get("/search?q=研修").get_data(as_text=True)
    assert html.index("/events/1") < html.index("研修</mark>の記事")
    assert "/events/1" not in client.get("/search?q=研修&theme=women").get_data(as_text=True)
    assert "/events/1" in client.get("/search?q=研修&kind=event").get_data(as_text=True)


def test_search_provider_accepts_a_plain_string(app, make_article):
    make_article(title="研修の記事")
    with app.test_request_context():
        (provider,) = [p.search for p in hooks.SEARCH_PROVIDERS.implementations() if p.kind == "article"]
        hits = provider("研修", AnonymousUserMixin(), 10)
        assert [str(h.title) for h in hits] == ["<mark>研修</mark>の記事"]
        assert provider(search.SearchQuery("研修", {"kind": "organization"}), AnonymousUserMixin(), 10) == []


def test_home_shows_newest_public_knowhow(client, make_article):
    make_article(title="新しい公開記事")
    make_article(title="会員だけの記事", visibility="members")
    html = client.get("/").get_data(as_text=True)
    assert "新着ノウハウ" in html and "新しい公開記事" in html and "会員だけの記事" not in html


def test_organisation_and_member_sections(app, make_article, make_member, make_organization):
    author = make_member()
    organization = make_organization(staff=[author])
    make_article(author, organization=organization, title="団体の記事")
    make_article(author, title="個人の下書き", status="draft")
    with app.test_request_context():
        section = "".join(str(s) for s in hooks.ORGANIZATION_SECTIONS.render_all(organization))
        assert "団体の記事" in section and "個人の下書き" not in section
        member = db.session.get(Member, author.id)
        mine = "".join(str(s) for s in hooks.MEMBER_SECTIONS.render_all(member))
        assert "個人の下書き" in mine and "下書き" in mine


def test_erasing_a_member_removes_personal_articles_and_their_name(app, make_article, make_member, make_organization):
    author = make_member(display_name="消える会員")
    organization = make_organization(staff=[author])
    personal = make_article(author, title="個人の記事")
    kept = make_article(author, organization=organization, title="団体の記事")
    with app.test_request_context():
        member = db.session.get(Member, author.id)
        for eraser in hooks.MEMBER_ERASERS.implementations():
            eraser(member)
        db.session.commit()
        assert db.session.get(Article, personal.id).deleted_at is not None
        assert db.session.get(Article, kept.id).author_id is None
        assert [h.object_id for h in search.query("記事", viewer=search.Viewer(is_admin=True)).hits] == [kept.id]


def test_demo_seeder_is_idempotent_and_finds_organisations(app, make_organization, make_member):
    for slug in ("inquiry", "machi-to-hito-to", "kyushu-kouin"):
        make_organization(slug=slug, name=f"団体 {slug}")
    with app.app_context():
        demo.seed(0)
        demo.seed(0)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 13
        mirai = db.session.scalar(sa.select(Article).where(Article.slug == "mirai-library"))
        prefectures = db.session.scalars(sa.select(Adoption.prefecture).where(Adoption.article_id == mirai.id)).all()
        assert sorted(prefectures) == ["04", "06"]
        assert mirai.organization.slug == "inquiry"


def test_demo_seeder_without_organisations_still_loads(app):
    with app.app_context():
        demo.seed(0)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 13
        assert db.session.scalar(sa.select(sa.func.count(Adoption.id))) == 0


def test_scale_seeder_bulk_inserts_searchable_articles(app, runner, client):
    result = runner.invoke(args=["seed-demo", "--scale", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        generated = db.session.scalar(sa.select(sa.func.count(Article.id)).where(Article.slug.like("bench-%")))
        assert generated == 300
        assert search.query("人材").total >= 200
    again = runner.invoke(args=["seed-demo", "--scale", "3"])
    assert "already exist" in again.output
    assert re.search(r'href="/knowhow/bench-\d+"', client.get("/knowhow/?q=人材").get_data(as_text=True))


def test_reindex_rebuilds_articles(app, runner, make_article):
    article = make_article(title="留職の報告")
    with app.app_context():
        search.clear()
        db.session.commit()
        assert search.query("留職").hits == []
    result = runner.invoke(args=["search", "reindex"])
    assert "article: 1 indexed" in result.output
    with app.app_context():
        assert [h.object_id for h in search.query("留職").hits] == [article.id]
