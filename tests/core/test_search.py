"""core.search: normalisation, the index of any kind, visibility, filters, snippets, the bound."""

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from core import hooks, search
from core.db import db
from core.hooks import SearchHit


def test_normalise_folds_width_and_case():
    assert search.normalise("ＤＸ推進　ｶﾞｲﾄﾞ") == "dx推進 ガイド"
    assert search.normalise("コンピュ−タ") == "コンピュータ"  # a minus sign after katakana reads as ー


@pytest.mark.parametrize(
    "text, expected",
    [
        ("外国人材の受け入れ", ["外国", "人材", "受け入れ"]),
        ("地域同期研修", ["地域", "同期", "研修"]),
        ("ＤＸ推進", ["dx", "推進"]),
        ("子どもとこども", ["子供", "子供"]),
        ("取組", ["取り組み"]),
        ("キャリア教育を推進した", ["キャリア", "教育", "推進"]),
        ("東京都", ["東京", "都"]),
    ],
)
def test_words_are_lemmas_without_particles(text, expected):
    assert search.words(text) == expected


def test_parse_groups_compounds_and_cuts_at_particles():
    plan = search.parse("外国人材の受け入れ DX")
    assert [(g.text, g.keys) for g in plan.groups] == [
        ("外国人材", ["外国", "人材"]), ("受け入れ", ["受け入れ"]), ("dx", ["dx"])
    ]
    assert search.parse("外国人").groups[0].bigram_phrases == [["外国", "国人"]]
    assert search.parse("京都").groups[0].bigram_phrases == []
    assert not search.parse("の、。")


def test_bigrams_cover_runs_of_japanese_only():
    assert search.bigrams("外国人材 DX推進") == ["外国", "国人", "人材", "推進"]


def _index(kind, object_id, title, body="", **kw):
    search.index(kind, object_id, title=title, body=body, **kw)


def test_any_kind_can_be_indexed_searched_and_removed(app):
    with app.app_context():
        _index("event", 1, "外国人材の受け入れ相談会", "企業向けの相談会です。")
        _index("organization", 7, "北の教室キャリアネット", "北海道でキャリア教育を支えます。")
        db.session.commit()
        assert [(h.kind, h.object_id) for h in search.query("相談会").hits] == [("event", 1)]
        assert [h.kind for h in search.query("キャリア教育", kinds=["organization"]).hits] == ["organization"]
        assert search.query("キャリア教育", kinds=["event"]).hits == []
        search.remove("event", 1)
        db.session.commit()
        assert search.query("相談会").hits == []


def test_indexing_again_replaces_the_document(app):
    with app.app_context():
        _index("event", 2, "研修の案内")
        _index("event", 2, "交流会の案内")
        db.session.commit()
        assert search.query("研修").hits == []
        assert [h.title for h in search.query("交流会").hits] == ["交流会の案内"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(search.SearchDocument)) == 1


VIEWERS = {
    "visitor": search.ANONYMOUS,
    "member": search.Viewer(member_id=10),
    "staff": search.Viewer(member_id=11, is_alliance_staff=True, organization_ids=frozenset({3})),
    "owner": search.Viewer(member_id=12),
    "admin": search.Viewer(member_id=13, is_admin=True),
}


@pytest.mark.parametrize(
    "visibility, published, owner, organization, who_sees",
    [
        ("public", True, None, None, {"visitor", "member", "staff", "owner", "admin"}),
        ("members", True, None, None, {"member", "staff", "owner", "admin"}),
        ("alliance", True, None, None, {"staff", "admin"}),
        ("alliance", True, 12, None, {"staff", "owner", "admin"}),
        ("public", False, 12, None, {"owner", "admin"}),
        ("public", False, None, 3, {"staff", "admin"}),
        ("members", False, 12, 4, {"owner", "admin"}),
    ],
)
def test_visibility_is_enforced_inside_the_index(app, visibility, published, owner, organization, who_sees):
    with app.app_context():
        _index("article", 1, "留職の報告", visibility=visibility, published=published, owner_id=owner,
               organization_id=organization)
        db.session.commit()
        seen = {name for name, viewer in VIEWERS.items() if search.query("留職", viewer=viewer).hits}
        assert seen == who_sees


def test_facets_filter_results(app):
    with app.app_context():
        _index("article", 1, "研修の記録", facets={"theme": ["seniors", "women"], "prefecture": "13"})
        _index("article", 2, "研修の計画", facets={"theme": ["seniors"], "prefecture": "20"})
        db.session.commit()

        def ids(**facets):
            return sorted(h.object_id for h in search.query("研修", facets=facets).hits)

        assert ids() == [1, 2]
        assert ids(theme="women") == [1]
        assert ids(theme="seniors", prefecture="20") == [2]
        assert ids(prefecture="47") == []
        assert ids(theme=None, prefecture="") == [1, 2]


def test_title_matches_rank_above_body_matches(app):
    with app.app_context():
        _index("article", 1, "地域の話", "本文で世話人について少し触れます。")
        _index("article", 2, "世話人を育てる", "講座の記録です。")
        db.session.commit()
        assert [h.object_id for h in search.query("世話人").hits] == [2, 1]


def test_candidates_are_bounded_to_the_newest_matches(app):
    with app.app_context():
        search.index_many([search.Entry("article", n, f"研修 {n}") for n in range(1, 31)])
        db.session.commit()
        results = search.query("研修", candidates=10, limit=50)
        assert sorted(h.object_id for h in results.hits) == list(range(21, 31))
        assert results.total == 10 and results.more
        exact = search.query("研修", limit=50)
        assert exact.total == 30 and not exact.more


def test_paging_walks_through_the_ranked_candidates(app):
    with app.app_context():
        search.index_many([search.Entry("article", n, f"研修 {n}") for n in range(1, 26)])
        db.session.commit()
        first = search.query("研修", limit=10, offset=0)
        third = search.query("研修", limit=10, offset=20)
        beyond = search.query("研修", limit=10, offset=40)
        assert len(first.hits) == 10 and len(third.hits) == 5 and beyond.hits == []
        assert beyond.total == 25
        assert not {h.object_id for h in first.hits} & {h.object_id for h in third.hits}


@pytest.mark.parametrize("hostile", ['"', "'", "NEAR(", "AND OR NOT", "*", "{title}:", ":*", "\\", "()", "<->", "!", "&|"])
def test_query_syntax_of_either_engine_cannot_be_injected(app, hostile):
    with app.app_context():
        _index("article", 1, "研修の記録")
        db.session.commit()
        search.query(hostile)
        assert [h.object_id for h in search.query(f"研修 {hostile}").hits] in ([1], [])


def test_snippets_escape_text_and_mark_only_matches(app):
    with app.app_context():
        body = "前置き。" * 40 + "<script>alert(1)</script>外国人材の受け入れ&支援"
        _index("article", 1, "<b>外国人材</b>", body)
        db.session.commit()
        hit = search.query("外国人材").hits[0]
        snippet = str(hit.snippet())
        assert "<mark>外国人材</mark>" in snippet
        assert "&lt;script&gt;" in snippet and "<script>" not in snippet
        assert snippet.startswith("…")
        assert str(hit.highlighted_title()) == "&lt;b&gt;<mark>外国人材</mark>&lt;/b&gt;"
        assert isinstance(hit.snippet(), Markup)


def test_snippet_marks_variants_as_written():
    plan = search.parse("子供 ＤＸ")
    assert str(search.snippet("子どもとDXの話", plan)) == "<mark>子ども</mark>と<mark>DX</mark>の話"
    assert str(search.highlight("ｶﾞｲﾄﾞ", search.parse("ガイド"))) == "<mark>ｶﾞｲﾄﾞ</mark>"


def test_search_query_is_a_plain_string_with_filters():
    query = search.SearchQuery("研修", {"kind": "event", "theme": ""})
    assert query == "研修" and isinstance(query, str)
    assert query.filters == {"kind": "event"}
    assert SearchHit(kind="event", title="t", url="/x").kind == "event"


def test_reindex_command_rebuilds_every_registered_kind(app, runner):
    built = []

    def rebuild():
        built.append(True)
        search.index("event", 5, title="研修会")
        return 1

    hooks.SEARCH_REINDEXERS.register(app, hooks.Reindexer("event", rebuild))
    with app.app_context():
        _index("event", 9, "古い研修")
        db.session.commit()
    result = runner.invoke(args=["search", "reindex", "--kind", "event"])
    assert result.exit_code == 0, result.output
    assert "event: 1 indexed" in result.output
    with app.app_context():
        assert [h.object_id for h in search.query("研修").hits] == [5]
    assert runner.invoke(args=["search", "reindex", "--kind", "nothing"]).exit_code != 0


def test_every_page_has_a_search_box_that_goes_to_search(client):
    for path in ("/", "/events/", "/alliance/"):
        html = client.get(path).get_data(as_text=True)
        assert '<form class="header-search" method="get" action="/search" role="search">' in html
        assert '<label class="visually-hidden" for="site-search">サイト内を検索</label>' in html


def test_search_results_have_kinds_as_tabs_and_no_pager_for_one_page(client, make_organization):
    make_organization(name="気仙沼まちの人事部", summary="漁業の担い手を育てています。")
    html = client.get("/search?q=気仙沼").get_data(as_text=True)
    assert 'class="list search-results"' in html and "気仙沼まちの人事部" in html
    tabs = html[html.index('<nav class="tabs"'):]
    tabs = tabs[:tabs.index("</nav>")]
    assert 'aria-current="page">すべて</a>' in tabs and "kind=organization" in tabs
    assert 'class="pagination"' not in html  # one page of results: no lone 「1」
    one_kind = client.get("/search?q=気仙沼&kind=event").get_data(as_text=True)
    assert 'kind=event" aria-current="page"' in one_kind


def test_search_results_say_how_many_were_found(client, make_organization, monkeypatch):
    for n in range(3):
        make_organization(name=f"気仙沼の人事部{n}", summary="漁業の担い手を育てています。")
    assert "3件見つかりました" in client.get("/search?q=気仙沼").get_data(as_text=True)
    from core.search import site, views
    monkeypatch.setattr(views, "PER_PAGE", 1)
    monkeypatch.setattr(site, "COUNTED", 2)  # counted up to 2: three found say "at least"
    html = client.get("/search?q=気仙沼").get_data(as_text=True)
    assert "3件以上見つかりました" in html and 'rel="next"' in html


@pytest.mark.parametrize("typed, meant", [("しにあ", "シニア"), ("気仙沼まちの人亊部", "気仙沼まちの人事部")])
def test_a_search_that_finds_nothing_suggests_the_other_kana_or_a_close_name(client, make_organization, typed,
                                                                              meant):
    make_organization(name="気仙沼まちの人事部", summary="シニア人材の活躍を支えています。")
    html = client.get(f"/search?q={typed}").get_data(as_text=True)
    assert "に一致する結果はありませんでした" in html
    suggestion = html[html.index('<p class="did-you-mean">'):]
    assert f">{meant}</a>" in suggestion.split("</p>")[0]
    assert "気仙沼まちの人事部" in client.get(f"/search?q={meant}").get_data(as_text=True)


def test_no_suggestion_when_nothing_close_finds_anything(client, make_organization):
    make_organization(name="気仙沼まちの人事部")
    assert "did-you-mean" not in client.get("/search?q=zzzzqqq").get_data(as_text=True)


def test_projects_are_a_kind_of_the_site_search(app, client, make_organization, make_member):
    """募集 as a tab of /search: found by their words, open ones first, closed ones labelled, those of a suspended
    organisation not at all."""
    from alliance.projects import services as projects
    from members.models import Member

    staff = make_member()
    organization = make_organization(name="塩尻の人事部", staff=[staff])
    with app.app_context():
        author = db.session.get(Member, staff.id)
        from alliance.models import Organization
        host = db.session.get(Organization, organization.id)
        fields = dict(kind="side-job", host_name="信州精密株式会社", host_type="company", theme="side-job-talent",
                      prefecture="20", location="塩尻市", programme_name="", hours_per_month=10, duration_months=6,
                      remote_possible=True, compensation="paid", compensation_note="", positions=1,
                      deadline=projects.today() + __import__("datetime").timedelta(days=30))
        open_one = projects.create_project(host, author, skills=["採用広報"], title="採用広報を手伝う複業人材",
                                           description="地元の製造業の採用広報を一緒に考えます。", **fields)
        closed = projects.create_project(host, author, skills=["採用広報"], title="採用広報の振り返り役",
                                         description="昨年の採用広報を振り返ります。", **fields)
        projects.close_project(closed)
        db.session.commit()
        open_id, closed_id = open_one.id, closed.id
    html = client.get("/search?q=採用広報&kind=project").get_data(as_text=True)
    assert f'/alliance/projects/{open_id}"' in html and f'/alliance/projects/{closed_id}"' in html
    assert html.index(f"/alliance/projects/{open_id}\"") < html.index(f"/alliance/projects/{closed_id}\"")
    assert "募集終了" in html
    tabs = html[html.index('<nav class="tabs"'):]
    assert 'kind=project" aria-current="page">募集</a>' in tabs[:tabs.index("</nav>")]
    with app.app_context():
        db.session.execute(sa.update(Organization).where(Organization.id == organization.id).values(status="suspended"))
        db.session.commit()
    assert f"/alliance/projects/{open_id}" not in client.get("/search?q=採用広報").get_data(as_text=True)
