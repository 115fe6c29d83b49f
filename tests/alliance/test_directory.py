"""The directory /alliance/: filters (each and combined, kept in the URL, with counts), tile map, paging."""

import re

import pytest


@pytest.fixture
def three_organizations(make_organization):
    """Miyagi/career-education, Nagano/side-job, Aichi+Gifu/foreign-workers."""
    miyagi = make_organization(slug="miyagi-career", name="宮城キャリア教育ネット", prefecture="04",
                               served=["04", "06"], themes={"career-education": "expert", "youth-retention": "strong"},
                               summary="石巻で高校生のキャリア教育に取り組みます。")
    nagano = make_organization(slug="nagano-fukugyo", name="信州複業ラボ", prefecture="20",
                               themes={"side-job-talent": "expert", "career-education": "experienced"},
                               summary="塩尻で複業人材と中小企業をつなぎます。")
    aichi = make_organization(slug="aichi-tabunka", name="東海多文化サポート", prefecture="23",
                              served=["23", "21"], themes={"foreign-workers": "expert"},
                              summary="外国人材の受け入れを支えます。")
    return miyagi, nagano, aichi


def names(html: str, organizations) -> set[str]:
    return {org.name for org in organizations if org.name in html}


def test_directory_lists_live_organizations(client, three_organizations, make_organization):
    hidden = make_organization(name="停止中の団体", status="suspended")
    html = client.get("/alliance/").get_data(as_text=True)
    assert names(html, three_organizations) == {o.name for o in three_organizations}
    assert hidden.name not in html
    assert "3団体" in html


@pytest.mark.parametrize("query, expected", [
    ("prefecture=04", {"宮城キャリア教育ネット"}),
    ("prefecture=06", {"宮城キャリア教育ネット"}),          # served, not the head office
    ("prefecture=21", {"東海多文化サポート"}),
    ("region=chubu", {"信州複業ラボ", "東海多文化サポート"}),
    ("region=tohoku", {"宮城キャリア教育ネット"}),
    ("theme=career-education", {"宮城キャリア教育ネット", "信州複業ラボ"}),
    ("theme=foreign-workers", {"東海多文化サポート"}),
    ("q=複業", {"信州複業ラボ"}),
    ("q=石巻 高校生", {"宮城キャリア教育ネット"}),            # every word must match
    ("q=外国人材", {"東海多文化サポート"}),
])
def test_each_filter(client, three_organizations, query, expected):
    html = client.get(f"/alliance/?{query}").get_data(as_text=True)
    assert names(html, three_organizations) == expected


@pytest.mark.parametrize("query, expected", [
    ("theme=career-education&region=chubu", {"信州複業ラボ"}),
    ("theme=career-education&prefecture=04", {"宮城キャリア教育ネット"}),
    ("theme=foreign-workers&region=tohoku", set()),
    ("region=chubu&q=外国人", {"東海多文化サポート"}),
    ("prefecture=20&theme=side-job-talent&q=塩尻", {"信州複業ラボ"}),
])
def test_filters_combine(client, three_organizations, query, expected):
    html = client.get(f"/alliance/?{query}").get_data(as_text=True)
    assert names(html, three_organizations) == expected
    if not expected:
        assert "条件に合う加盟団体は見つかりませんでした" in html


def test_unknown_filter_values_are_ignored(client, three_organizations):
    response = client.get("/alliance/?prefecture=99&theme=nope&region=atlantis")
    assert response.status_code == 200
    assert names(response.get_data(as_text=True), three_organizations) == {o.name for o in three_organizations}


def test_keyword_wildcards_are_literal(client, three_organizations):
    html = client.get("/alliance/?q=%25").get_data(as_text=True)
    assert names(html, three_organizations) == set()


def test_filters_show_counts_for_the_other_filters(client, three_organizations):
    html = client.get("/alliance/?region=chubu").get_data(as_text=True)
    # theme counts are within Chubu; region counts ignore the region filter itself
    assert re.search(r'value="career-education"[^>]*>キャリア教育 \(1\)', html)
    assert re.search(r'value="foreign-workers"[^>]*>外国人材 \(1\)', html)
    assert re.search(r'value="tohoku"[^>]*>東北地方 \(1\)', html)
    assert re.search(r'value="chubu" selected>中部地方 \(2\)', html)
    assert re.search(r'value="06"[^>]*>山形県 \(1\)', html)


def test_filters_are_kept_in_the_form_and_removable(client, three_organizations):
    html = client.get("/alliance/?theme=career-education&q=キャリア").get_data(as_text=True)
    assert 'value="career-education" selected' in html
    assert 'name="q" value="キャリア"' in html
    # the chip that removes the theme keeps the keyword
    assert 'href="/alliance/?q=%E3%82%AD%E3%83%A3%E3%83%AA%E3%82%A2"' in html


def test_tile_map_has_47_tiles_linking_to_the_filtered_directory(client, three_organizations):
    html = client.get("/alliance/?theme=career-education").get_data(as_text=True)
    tiles = re.findall(r'<a class="shade-(\d) col-\d+ row-\d+" href="([^"]+)" title="([^"]+)"', html)
    assert len(tiles) == 47
    by_title = {title: (shade, href) for shade, href, title in tiles}
    assert by_title["宮城県：1団体"][0] != "0"
    assert by_title["東京都：0団体"][0] == "0"
    assert by_title["宮城県：1団体"][1] == "/alliance/?theme=career-education&amp;prefecture=04"


def test_tile_map_has_a_text_equivalent(client, three_organizations):
    html = client.get("/alliance/").get_data(as_text=True)
    assert 'class="tile-map" aria-hidden="true"' in html
    text = html[html.index('class="tile-map-text"'):]
    assert '<a href="/alliance/?prefecture=04">宮城県</a>: 1団体' in text
    assert "東京都" not in text[:text.index("</details>")]


def test_directory_is_paginated_and_pages_keep_filters(client, bulk_organizations):
    bulk_organizations(45, prefecture="13", theme="women")
    first = client.get("/alliance/?theme=women").get_data(as_text=True)
    assert first.count('class="org-card"') == 20
    assert "45団体" in first
    assert 'href="/alliance/?theme=women&amp;page=2"' in first
    third = client.get("/alliance/?theme=women&page=3").get_data(as_text=True)
    assert third.count('class="org-card"') == 5
    assert client.get("/alliance/?page=999").status_code == 404  # past the end


def test_theme_filter_orders_specialists_first(client, make_organization):
    make_organization(name="あいう実績団体", themes={"seniors": "experienced"})
    make_organization(name="わをん専門団体", themes={"seniors": "expert"})
    html = client.get("/alliance/?theme=seniors").get_data(as_text=True)
    assert html.index("わをん専門団体") < html.index("あいう実績団体")


@pytest.mark.parametrize("url", ["/alliance/", "/alliance/?theme=women&region=kanto&q=団体"])
def test_directory_makes_the_same_number_of_queries_for_10_and_1000(client, bulk_organizations, count_queries, url):
    bulk_organizations(10)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    bulk_organizations(990, start=10)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)
    assert len(many) <= 10
