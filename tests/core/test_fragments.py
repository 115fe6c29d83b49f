"""Fragments (core.fragments): the parts of a page that are the same for every viewer of a class, kept until a
table they read is written — for members and for every request the page cache cannot serve — and never older than a committed write."""


import pytest
import sqlalchemy as sa

from alliance.models import Organization
from core import dataversions
from core.db import db
from members.models import LoginSession, Member
from tests.conftest import PASSWORD, AuthActions, csrf_token_from
from tests.events.conftest import create_event


@pytest.fixture
def app(make_app):
    """Writes of the factories (make_organization …) go through this app, whose cache is on, as every worker's is."""
    return make_app(PAGE_CACHE_SECONDS=30)


@pytest.fixture
def cached_app(app):
    return app


def member_client(application, member):
    client = application.test_client()
    AuthActions(client).login(member)
    return client


def test_a_members_directory_comes_from_the_fragment_until_a_write(cached_app, make_member, make_organization,
                                                                   count_queries):
    make_organization(name="最初からいる人事部")
    client = member_client(cached_app, make_member())
    first = client.get("/alliance/").get_data(as_text=True)
    with count_queries() as rendered:
        client.get("/alliance/?page=1")
    with count_queries() as again:
        assert client.get("/alliance/?page=1").get_data(as_text=True).count("最初からいる人事部") == 1
    assert len(again) < len(rendered)  # the list, facets and map: no query
    assert "最初からいる人事部" in first

    make_organization(name="あとから加わった人事部")
    assert "あとから加わった人事部" in client.get("/alliance/?page=1").get_data(as_text=True)


def test_a_member_sees_their_own_registration_at_once(cached_app, make_member):
    event = create_event(cached_app, title="地域同期研修の説明会", capacity=10)
    member = make_member()
    client = member_client(cached_app, member)
    before = client.get("/events/").get_data(as_text=True)
    assert "10 seats left" in before or "残り10席" in before
    client.get("/members/me")  # its sections are kept for this member
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0] if 'name="csrf_token"' in page else ""
    assert client.post(f"/events/{event.id}/signup", data={"csrf_token": token}).status_code in (302, 303)
    mine = client.get("/members/me").get_data(as_text=True)
    assert "地域同期研修の説明会" in mine
    listing = client.get("/events/").get_data(as_text=True)
    assert "9 seats left" in listing or "残り9席" in listing


def test_readers_of_different_classes_never_share_a_list(cached_app, make_member, make_organization):
    """A members-only article a member's list showed must not reach a visitor's."""
    from knowhow.services import ArticleData, create_article

    with cached_app.app_context():
        create_article(None, ArticleData(title="会員だけが読める事例", kind="case-study", visibility="members",
                                         status="published", themes=["seniors"], summary="会員向け", body="会員向けの本文"))
        db.session.commit()
    member = make_member()
    assert "会員だけが読める事例" in member_client(cached_app, member).get("/knowhow/").get_data(as_text=True)
    visitor = cached_app.test_client()
    visitor.set_cookie(cached_app.config["SESSION_COOKIE_NAME"], "not-a-session")  # past the page cache
    assert "会員だけが読める事例" not in visitor.get("/knowhow/").get_data(as_text=True)
    assert "会員だけが読める事例" not in cached_app.test_client().get("/").get_data(as_text=True)


def test_without_redis_a_write_in_one_worker_retires_the_fragments_of_the_others(make_app, make_member,
                                                                                 make_organization):
    """Two apps on one instance/ stand for two gunicorn workers of one host: one version file."""
    make_organization(name="名前を変える前の人事部", slug="rename-me")
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    member = make_member()
    reader = member_client(first_worker, member)
    assert "名前を変える前の人事部" in reader.get("/alliance/").get_data(as_text=True)
    with second_worker.app_context():
        db.session.execute(sa.update(Organization).where(Organization.slug == "rename-me")
                           .values(name="別のワーカーで変えた名前"))
        db.session.commit()
    assert "別のワーカーで変えた名前" in reader.get("/alliance/").get_data(as_text=True)


def test_through_redis_workers_follow_each_others_writes(make_app, make_member, make_organization,
                                                         redis_cache_config):
    first_worker, second_worker = make_app(**redis_cache_config), make_app(**redis_cache_config)
    make_organization(name="赤い人事部", slug="red")
    reader = member_client(first_worker, make_member())
    assert "赤い人事部" in reader.get("/alliance/").get_data(as_text=True)
    with second_worker.app_context():
        db.session.execute(sa.update(Organization).where(Organization.slug == "red").values(name="青い人事部"))
        db.session.commit()
    assert "青い人事部" in reader.get("/alliance/").get_data(as_text=True)


def test_a_redis_outage_renders_fragments_every_time(make_app, make_member, make_organization):
    application = make_app(PAGE_CACHE_SECONDS=30, REDIS_URL="redis://127.0.0.1:1/0")
    make_organization(name="停電でも見える人事部")
    reader = member_client(application, make_member())
    for _ in range(2):
        assert "停電でも見える人事部" in reader.get("/alliance/").get_data(as_text=True)


def test_with_the_cache_off_nothing_is_kept(make_app, make_member, make_organization):
    application = make_app(PAGE_CACHE_SECONDS=0)
    reader = member_client(application, make_member())
    reader.get("/alliance/")
    assert "ranhub.fragments" not in application.extensions


def test_recording_a_members_visit_keeps_every_cached_page(app, make_member, count_queries):
    """The last-visit time of a login session shows on no cached page: writing it does not retire them all."""
    from datetime import timedelta

    from core.db import utcnow

    client = member_client(app, make_member())
    with app.app_context():
        db.session.execute(sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    versions = app.extensions[dataversions.EXTENSION_KEY]
    before = versions.current()
    client.get("/alliance/")
    with app.app_context():
        seen = db.session.scalar(sa.select(sa.func.max(LoginSession.last_seen_at)))
    assert utcnow() - seen.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)  # the visit was recorded …
    assert versions.current() == before  # … and no page was retired for it
    for _ in range(2):  # once: the member's kept row, which holds the older time, is asked for again
        with count_queries() as queries:
            client.get("/alliance/")
        assert not [query for query in queries if query.lstrip().upper().startswith("UPDATE")]


def test_a_members_warm_page_asks_the_database_nothing(cached_app, make_member, make_organization, count_queries):
    """Who they are, their organisations, their API tokens, the page's lists and the layout are kept."""
    make_organization(name="数を数える人事部")
    client = member_client(cached_app, make_member())
    for path in ("/", "/events/", "/alliance/", "/members/me"):
        client.get(path)
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        assert queries == [], (path, queries)


def test_a_token_made_or_revoked_shows_at_once_on_my_page(cached_app, make_member):
    client = member_client(cached_app, make_member())
    assert "You have no API tokens." in client.get("/members/me?lang=en").get_data(as_text=True)
    client.post("/members/me/tokens", data={"name": "カレンダー連携"})
    page = client.get("/members/me").get_data(as_text=True)
    assert "<td>カレンダー連携</td>" in page
    token_id = int(page.split("/members/me/tokens/")[1].split("/revoke")[0])
    client.post(f"/members/me/tokens/{token_id}/revoke")
    page = client.get("/members/me").get_data(as_text=True)
    assert "<td>カレンダー連携</td>" not in page and "You have no API tokens." in page


def test_a_session_ended_in_another_worker_is_logged_out_at_once(make_app, make_member):
    """The member of a login session is kept by each worker until the login sessions are written."""
    first_worker, second_worker = make_app(PAGE_CACHE_SECONDS=30), make_app(PAGE_CACHE_SECONDS=30)
    member = make_member(display_name="別の端末で締め出す人")
    browser = member_client(first_worker, member)
    assert "別の端末で締め出す人" in browser.get("/members/me").get_data(as_text=True)
    assert "別の端末で締め出す人" in browser.get("/members/me").get_data(as_text=True)  # from what it keeps
    with second_worker.app_context():
        db.session.execute(sa.delete(LoginSession).where(LoginSession.member_id == member.id))
        db.session.commit()
    response = browser.get("/members/me")
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]


def test_becoming_staff_shows_at_once(cached_app, make_member, make_organization):
    """A member's organisations are kept until their tables are written: joining one retires them."""
    member = make_member()
    client = member_client(cached_app, member)
    assert client.get("/events/manage").status_code == 404
    make_organization(name="招かれた人事部", staff=[member])
    assert client.get("/events/manage").status_code == 200


def test_my_profile_card_and_the_headers_menu_show_an_edit_at_once(cached_app, make_member):
    member = make_member(bio="最初の自己紹介です。", display_name="旧姓 花子")
    client = member_client(cached_app, member)
    assert "最初の自己紹介です。" in client.get("/members/me").get_data(as_text=True)
    assert "旧姓 花子" in client.get("/alliance/").get_data(as_text=True)
    with cached_app.app_context():
        db.session.execute(sa.update(Member).where(Member.id == member.id)
                           .values(bio="書き直した自己紹介です。", display_name="新姓 花子"))
        db.session.commit()
    page = client.get("/members/me").get_data(as_text=True)
    assert "書き直した自己紹介です。" in page and "最初の自己紹介です。" not in page
    page = client.get("/alliance/").get_data(as_text=True)  # the header's menu, kept per member
    assert "新姓 花子" in page and "旧姓 花子" not in page
    assert 'name="csrf_token"' in page  # the log-out form, rendered around it


def test_a_public_api_list_follows_a_write(cached_app, make_organization):
    client = cached_app.test_client()
    assert client.get("/api/v1/events").get_json()["items"] == []
    create_event(cached_app, title="APIに出るイベント")
    assert [item["title"] for item in client.get("/api/v1/events").get_json()["items"]] == ["APIに出るイベント"]


def test_the_layout_rendered_once_still_fits_each_address(cached_app, make_member):
    """The header and head links are kept per address (static_part): the current menu entry, the language
    switch's link and the canonical address are each page's own."""
    client = member_client(cached_app, make_member())
    for _ in range(2):
        events = client.get("/events/?theme=seniors").get_data(as_text=True)
        knowhow = client.get("/knowhow/").get_data(as_text=True)
        assert 'href="/events/" aria-current="page"' in events and 'href="/knowhow/" aria-current="page"' in knowhow
        assert 'href="/events/?theme=seniors&amp;lang=en"' in events
        assert 'rel="canonical" href="http://localhost/events/?theme=seniors"' in events
        assert 'rel="canonical" href="http://localhost/knowhow/"' in knowhow
    english = client.get("/events/?lang=en").get_data(as_text=True)
    assert "Skip to main content" in english and 'lang="en"' in english
    assert "本文へスキップ" in client.get("/events/?lang=ja").get_data(as_text=True)


def test_templates_reloading_render_the_layout_every_time(make_app):
    """`make run` reloads edited templates: nothing of the layout is kept then."""
    application = make_app(PAGE_CACHE_SECONDS=30, TEMPLATES_AUTO_RELOAD=True)
    application.test_client().get("/")
    assert not application.extensions.get("ranhub.static_parts")


def test_kept_forms_carry_each_browsers_own_token(make_app, make_member):
    """The log-out form (kept per member) and マイページ's token form (kept for every member) hold a slot, not a token:
    each browser gets its session's token, which the site accepts, and no kept part holds anyone's token."""
    import re

    from core import fragments

    application = make_app(PAGE_CACHE_SECONDS=30, WTF_CSRF_ENABLED=True)

    def logged_in(member):
        browser = application.test_client()
        token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
        assert browser.post("/members/login", data={"email": member.email, "password": PASSWORD,
                                                     "csrf_token": token}).status_code == 302
        return browser

    browsers = [logged_in(make_member()), logged_in(make_member())]
    pages = [[browser.get("/members/me").get_data(as_text=True) for _ in range(2)] for browser in browsers]
    tokens = [set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) for browser_pages in pages
              for page in browser_pages]
    assert all(len(found) == 1 for found in tokens)  # the log-out form's and the token form's are the session's
    # A token is the session's secret, signed with the second it was made in: the secret is what must match.
    secrets = [{token.split(".")[0] for token in found} for found in tokens]
    assert secrets[0] == secrets[1] and secrets[2] == secrets[3] and secrets[0] != secrets[2]
    assert not any(fragments.TOKEN_SLOT in page for browser_pages in pages for page in browser_pages)
    kept_parts = [*application.extensions[fragments.EXTENSION_KEY].values(),
                  *application.extensions[fragments.STATIC_EXTENSION_KEY].values()]
    kept_html = [str(part[2] if isinstance(part, tuple) else part) for part in kept_parts]
    assert any(fragments.TOKEN_SLOT in html for html in kept_html)
    assert not any(secret in html for found in secrets for secret in found for html in kept_html)

    [token] = tokens[2]
    made = browsers[1].post("/members/me/tokens", data={"csrf_token": token, "name": "カレンダー連携"})
    assert made.status_code == 302
    assert "カレンダー連携" in browsers[1].get("/members/me").get_data(as_text=True)
    [other_token] = tokens[0]
    forged = browsers[1].post("/members/me/tokens", data={"csrf_token": other_token, "name": "他人のトークン"})
    assert forged.status_code == 400  # another browser's token is refused
    assert browsers[1].post("/members/logout", data={"csrf_token": token}).status_code == 302
