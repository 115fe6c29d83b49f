"""/impact (figures, map, themes, hooks) and the home page's member section."""

import re

from markupsafe import Markup

from core import hooks


def test_impact_figures(client, make_member, make_organization):
    make_member()
    make_organization(prefecture="04", served=["04", "06"], themes={"career-education": "expert"})
    make_organization(prefecture="20", themes={"career-education": "strong", "women": "expert"})
    make_organization(prefecture="40", status="suspended", themes={"seniors": "expert"})
    html = client.get("/impact").get_data(as_text=True)
    figures = dict((label, value) for value, label in
                   re.findall(r'<span class="value">(\d+)</span> <span class="label">([^<]+)</span>', html))
    expected = {"加盟団体": "2", "RAN会員": "1", "活動している都道府県": "3", "カバーしているテーマ": "2"}
    assert {label: figures.get(label) for label in expected} == expected
    assert "全47中" in html and "全12中" in html
    assert html.count('class="shade-') == 47
    assert '<a href="/alliance/?prefecture=06">山形県</a>: 1団体' in html
    assert '<a href="/alliance/?theme=women">女性活躍</a>' in html


def test_other_rooms_add_figures_and_sections(app, client):
    hooks.IMPACT_FIGURES.register(app, lambda: [hooks.Figure("開催したイベント", 12, "これまでの合計")])
    hooks.IMPACT_SECTIONS.register(app, lambda: Markup('<section id="events-impact">イベントの記録</section>'))
    html = client.get("/impact").get_data(as_text=True)
    assert '<span class="value">12</span> <span class="label">開催したイベント</span>' in html
    assert "これまでの合計" in html
    assert '<section id="events-impact">イベントの記録</section>' in html


def test_impact_is_in_the_menu(client):
    assert 'href="/impact"' in client.get("/").get_data(as_text=True)


def test_home_page_shows_member_organizations_and_the_map(client, make_organization):
    make_organization(name="ホームに出る団体", prefecture="04")
    make_organization(name="停止中でホームに出ない団体", status="suspended")
    html = client.get("/").get_data(as_text=True)
    assert "ホームに出る団体" in html
    assert "停止中でホームに出ない団体" not in html
    assert html.count('class="shade-') == 47
    assert 'href="/alliance/"' in html
