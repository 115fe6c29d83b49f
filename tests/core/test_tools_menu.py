"""The header's tools menu (hooks.TOOL_LINKS): an organisation's staff reach their tools and admins the
secretariat from every page, not only through マイページ; visitors and plain members see no menu."""

import pytest

from tests.conftest import AuthActions


@pytest.fixture
def app(make_app):
    """The caches on, as in production: the factories' writes go through this app and move its table versions on."""
    return make_app(PAGE_CACHE_SECONDS=30)


def _menu(html: str) -> str:
    if '<details class="tools-menu">' not in html:
        return ""
    menu = html[html.index('<details class="tools-menu">'):]
    return menu[:menu.index("</details>")]


@pytest.mark.parametrize("path", ["/", "/knowhow/", "/alliance/"])
def test_staff_reach_their_organisations_tools_from_every_page(app, client, make_member, make_organization, path):
    staff = make_member()
    make_organization(staff=[staff])
    AuthActions(client).login(staff)
    menu = _menu(client.get(path).get_data(as_text=True))
    assert "管理メニュー" in menu
    for href, label in (("/events/manage", "イベントの管理"), ("/knowhow/new", "ノウハウを書く"),
                        ("/alliance/referrals/", "地域間紹介"), ("/alliance/projects/new", "募集を掲載する")):
        assert f'href="{href}">{label}</a>' in menu
    assert "/alliance/secretariat/" not in menu and "/triage/" not in menu


def test_admins_also_reach_the_secretariat_and_the_consultations(client, make_admin):
    AuthActions(client).login(make_admin())
    menu = _menu(client.get("/events/").get_data(as_text=True))
    assert 'href="/alliance/secretariat/">事務局</a>' in menu
    assert 'href="/alliance/referrals/triage/">相談</a>' in menu
    assert client.get("/alliance/secretariat/").status_code == 200


def test_visitors_and_members_without_a_role_see_no_tools(client, make_member):
    assert _menu(client.get("/").get_data(as_text=True)) == ""
    AuthActions(client).login(make_member())
    assert _menu(client.get("/").get_data(as_text=True)) == ""


def test_the_menu_follows_a_change_of_role_at_once(client, make_member, make_organization):
    """A member's organisations are kept until their tables are written: joining one shows the tools on the next page."""
    member = make_member()
    AuthActions(client).login(member)
    assert _menu(client.get("/").get_data(as_text=True)) == ""
    make_organization(staff=[member])
    assert "イベントの管理" in _menu(client.get("/").get_data(as_text=True))
