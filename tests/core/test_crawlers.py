"""What browsers and search engines ask every site for: the favicon, robots.txt, the sitemap, canonical addresses."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from core.db import db, utcnow
from knowhow.services import ArticleData, create_article
from tests.events.conftest import create_event
from tests.projects.conftest import new_project

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def addresses(client) -> set[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return {element.text for element in ElementTree.fromstring(response.data).iter(f"{SITEMAP}loc")}


def article(app, title, **fields):
    values = {"kind": "case-study", "visibility": "public", "status": "published", "themes": ["seniors"],
              "summary": "要約", "body": "本文", **fields}
    with app.app_context():
        created = create_article(None, ArticleData(title=title, **values))
        db.session.commit()
        return created.slug


def test_the_favicon_is_an_icon_every_page_links(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert '<link rel="icon" href="/favicon.ico"' in client.get("/").get_data(as_text=True)


def test_robots_keep_crawlers_out_of_personal_pages_and_name_the_sitemap(client):
    text = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /members/" in text and "Disallow: /api/" in text and "Disallow: /alliance/secretariat/" in text
    assert "Sitemap: http" in text and text.rstrip().endswith("/sitemap.xml")


def test_the_sitemap_lists_public_pages_only(app, client, make_organization):
    live = make_organization(slug="kesennuma")
    hidden = make_organization(slug="suspended-one", status="suspended")
    upcoming = create_event(app, title="公開の説明会")
    members_only = create_event(app, title="会員限定の交流会", audience="members")
    past = create_event(app, title="終わった研修", starts_at=utcnow() - timedelta(days=3))
    draft = create_event(app, title="下書きのイベント", status="draft")
    public_article = article(app, "公開の事例")
    members_article = article(app, "会員向けの事例", visibility="members")
    draft_article = article(app, "下書きの事例", status="draft")
    project_id = new_project(app, live)
    found = {address.split("://", 1)[1].split("/", 1)[1] for address in addresses(client)}
    for path in ("", "alliance/", "alliance/kesennuma", f"events/{upcoming.id}", f"knowhow/{public_article}",
                 f"alliance/projects/{project_id}", "events/", "knowhow/", "privacy"):
        assert path in found, path
    for path in (f"alliance/{hidden.slug}", f"events/{members_only.id}", f"events/{past.id}", f"events/{draft.id}",
                 f"knowhow/{members_article}", f"knowhow/{draft_article}"):
        assert path not in found, path


def test_the_sitemap_costs_the_same_queries_for_few_and_many_pages(app, client, make_organization, count_queries):
    make_organization(slug="first")
    with count_queries() as few:
        client.get("/sitemap.xml")
    for n in range(10):
        make_organization(slug=f"more-{n}")
        create_event(app, title=f"説明会{n}")
    with count_queries() as many:
        client.get("/sitemap.xml")
    assert len(many) == len(few)


@pytest.mark.parametrize(("path", "canonical"), [
    ("/events/?theme=seniors", "/events/?theme=seniors"),
    ("/events/?theme=seniors&lang=en", "/events/?theme=seniors&lang=en"),
    ("/alliance/?lang=ja", "/alliance/"),
])
def test_each_page_names_its_canonical_address_and_its_other_language(app, client, path, canonical):
    html = client.get(path).get_data(as_text=True)
    site = app.config.get("SITE_URL", "http://localhost").rstrip("/")
    assert f'<link rel="canonical" href="{site}{canonical.replace("&", "&amp;")}">' in html
    assert '<link rel="alternate" hreflang="ja"' in html and '<link rel="alternate" hreflang="en"' in html


def test_the_sitemap_is_kept_by_the_page_cache(make_app):
    application = make_app(PAGE_CACHE_SECONDS=30)
    first = application.test_client().get("/sitemap.xml")
    again = application.test_client().get("/sitemap.xml")
    assert (first.headers["X-Page-Cache"], again.headers["X-Page-Cache"]) == ("miss", "hit")

