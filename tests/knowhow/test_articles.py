"""Writing, reading, editing with history, deleting and restoring articles."""

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry
from core.db import db
from knowhow.models import Article, ArticleRevision
from tests.conftest import csrf_token_from
from tests.knowhow.conftest import load_article

FORM = {
    "title": "地域同期研修をオンラインで続ける",
    "kind": "case-study",
    "visibility": "public",
    "status": "published",
    "themes": ["youth-retention", "hr-management"],
    "prefecture": "04",
    "summary": "半年間、同じチームで学ぶ形にしました。",
    "body": "## 背景\n\n社内に同期がいない若手のために始めました。",
}


def _article(app, slug=None, title=None):
    with app.app_context():
        query = sa.select(Article)
        query = query.where(Article.slug == slug) if slug else query.where(Article.title == title)
        found = db.session.scalar(query)
        return load_article(found.slug) if found else None


def test_any_member_can_write_and_publish(client, auth, make_member, app):
    auth.login(make_member())
    response = client.post("/knowhow/new", data=FORM)
    assert response.status_code == 302
    article = _article(app, title=FORM["title"])
    assert response.headers["Location"].endswith(f"/knowhow/{article.slug}")
    assert sorted(article.themes) == ["hr-management", "youth-retention"]
    assert article.published_at is not None and article.version == 1
    page = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    assert FORM["title"] in page and "<h3>背景</h3>" in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == article.id)) == "article.create"


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/knowhow/new").status_code == 302
    assert client.post("/knowhow/new", data=FORM).status_code == 302


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("title", "", "タイトルを入力してください"),
        ("title", "題" * 201, "200文字"),
        ("summary", "", "概要を"),
        ("body", "", "本文を"),
        ("body", "あ" * 50_001, "50000文字"),
        ("themes", [], "テーマを1つ以上"),
        ("themes", ["no-such-theme"], None),
        ("kind", "novel", None),
        ("visibility", "everyone", None),
        ("status", "archived", None),
        ("prefecture", "48", None),
    ],
)
def test_bad_input_rerenders_the_form_and_saves_nothing(client, auth, make_member, app, field, value, message):
    auth.login(make_member())
    data = dict(FORM, **{field: value})
    response = client.post("/knowhow/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "入力内容を確認してください" in html or "修正してください" in html
    if message:
        assert message in html
    if field != "title":
        assert FORM["title"] in html  # what was typed stays
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0


def test_a_programme_needs_its_goal_and_steps(client, auth, make_member, app):
    auth.login(make_member())
    html = client.post("/knowhow/new", data=dict(FORM, kind="playbook")).get_data(as_text=True)
    assert "目的を入力" in html and "進め方を入力" in html
    response = client.post("/knowhow/new", data=dict(FORM, kind="playbook", goal="若手の定着", steps="1. 集まる"))
    assert response.status_code == 302


def test_malicious_markdown_is_rendered_harmless(client, auth, make_member, app):
    auth.login(make_member())
    body = "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(2)>"
    client.post("/knowhow/new", data=dict(FORM, body=body))
    article = _article(app, title=FORM["title"])
    html = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html and "<img src=x" not in html


def test_forged_csrf_is_refused(make_app, make_member, app):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    member = make_member()
    client = csrf_app.test_client()
    login_page = client.get("/members/login").get_data(as_text=True)
    client.post("/members/login", data={"email": member.email, "password": "correct-horse-battery-42",
                                        "csrf_token": csrf_token_from(login_page)})
    assert client.post("/knowhow/new", data=dict(FORM, csrf_token="forged")).status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    token = csrf_token_from(client.get("/knowhow/new").get_data(as_text=True))
    assert client.post("/knowhow/new", data=dict(FORM, csrf_token=token)).status_code == 302


def test_staff_write_for_their_organisation_and_colleagues_may_edit(client, auth, make_member, make_organization, app):
    writer, colleague, stranger = make_member(), make_member(), make_member()
    organization = make_organization(staff=[writer, colleague])
    other = make_organization(slug="other-org", name="ほかの団体")
    auth.login(writer)
    assert "テスト地域人事部" in client.get("/knowhow/new").get_data(as_text=True)
    refused = client.post("/knowhow/new", data=dict(FORM, organization=other.slug))
    assert refused.status_code == 200
    client.post("/knowhow/new", data=dict(FORM, organization=organization.slug))
    article = _article(app, title=FORM["title"])
    assert article.organization_id == organization.id
    page = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    assert f'<a href="/alliance/{organization.slug}">{organization.name}</a>' in page
    auth.logout()
    auth.login(colleague)
    assert client.get(f"/knowhow/{article.slug}/edit").status_code == 200
    auth.logout()
    auth.login(stranger)
    assert client.get(f"/knowhow/{article.slug}/edit").status_code == 404
    assert client.post(f"/knowhow/{article.slug}/edit", data=FORM).status_code == 404
    assert client.post(f"/knowhow/{article.slug}/delete").status_code == 404


def test_edits_keep_every_previous_version(client, auth, make_member, make_article, app):
    author = make_member()
    article = make_article(author, title="最初の題")
    auth.login(author)
    client.post(f"/knowhow/{article.slug}/edit", data=dict(FORM, title="二番目の題"))
    client.post(f"/knowhow/{article.slug}/edit", data=dict(FORM, title="三番目の題"))
    unchanged = client.post(f"/knowhow/{article.slug}/edit", data=dict(FORM, title="三番目の題"))
    assert unchanged.status_code == 302
    current = _article(app, slug=article.slug)
    assert current.version == 3 and current.title == "三番目の題"
    with app.app_context():
        titles = db.session.scalars(
            sa.select(ArticleRevision.title).where(ArticleRevision.article_id == article.id)
            .order_by(ArticleRevision.version)
        ).all()
    assert titles == ["最初の題", "二番目の題"]
    history = client.get(f"/knowhow/{article.slug}/history").get_data(as_text=True)
    assert "最初の題" in history and "二番目の題" in history
    assert "最初の題" in client.get(f"/knowhow/{article.slug}/history/1").get_data(as_text=True)
    assert client.get(f"/knowhow/{article.slug}/history/9").status_code == 404


def test_author_restores_an_earlier_version_and_nothing_is_lost(client, auth, make_member, make_article, app):
    author = make_member()
    article = make_article(author, title="最初の題")
    auth.login(author)
    client.post(f"/knowhow/{article.slug}/edit", data=dict(FORM, title="書き直した題"))
    response = client.post(f"/knowhow/{article.slug}/history/1/restore")
    assert response.status_code == 302
    current = _article(app, slug=article.slug)
    assert current.title == "最初の題" and current.version == 3
    with app.app_context():
        kept = db.session.scalars(sa.select(ArticleRevision.title).where(ArticleRevision.article_id == article.id)).all()
    assert sorted(kept) == sorted(["最初の題", "書き直した題"])


def test_only_the_author_or_an_admin_restores(client, auth, make_member, make_organization, make_article, make_admin, app):
    author, colleague = make_member(), make_member()
    organization = make_organization(staff=[author, colleague])
    article = make_article(author, organization=organization, title="最初の題")
    auth.login(author)
    client.post(f"/knowhow/{article.slug}/edit", data=dict(FORM, title="改訂", organization=organization.slug))
    auth.logout()
    auth.login(colleague)
    assert client.get(f"/knowhow/{article.slug}/history").status_code == 200
    assert client.post(f"/knowhow/{article.slug}/history/1/restore").status_code == 404
    auth.logout()
    auth.login(make_admin())
    assert client.post(f"/knowhow/{article.slug}/history/1/restore").status_code == 302
    assert _article(app, slug=article.slug).title == "最初の題"


@pytest.mark.parametrize("visibility, who", [
    ("public", {"visitor", "member", "staff", "admin"}),
    ("members", {"member", "staff", "admin"}),
    ("alliance", {"staff", "admin"}),
])
def test_visibility_decides_who_reads(client, auth, make_member, make_organization, make_admin, make_article,
                                      visibility, who):
    staff = make_member()
    make_organization(staff=[staff])
    readers = {"visitor": None, "member": make_member(), "staff": staff, "admin": make_admin()}
    article = make_article(make_member(), visibility=visibility)
    seen = set()
    for name, reader in readers.items():
        if reader is not None:
            auth.login(reader)
        status = client.get(f"/knowhow/{article.slug}").status_code
        assert status in (200, 404)
        if status == 200:
            seen.add(name)
        if reader is not None:
            auth.logout()
    assert seen == who


def test_drafts_are_seen_by_author_organisation_staff_and_admins_only(client, auth, make_member, make_organization,
                                                                       make_admin, make_article):
    author, colleague, other = make_member(), make_member(), make_member()
    organization = make_organization(staff=[author, colleague])
    make_organization(slug="elsewhere", name="別の団体", staff=[other])
    article = make_article(author, organization=organization, status="draft")
    expectations = {None: 404, author: 200, colleague: 200, other: 404, make_member(): 404, make_admin(): 200}
    for reader, status in expectations.items():
        if reader is not None:
            auth.login(reader)
        assert client.get(f"/knowhow/{article.slug}").status_code == status
        assert (article.title in client.get("/knowhow/").get_data(as_text=True)) is False
        if reader is not None:
            auth.logout()


def test_soft_delete_hides_everywhere_and_an_admin_restores(client, auth, make_member, make_admin, make_article, app):
    author = make_member()
    article = make_article(author, title="消される記事の題")
    auth.login(author)
    assert client.post(f"/knowhow/{article.slug}/delete").status_code == 302
    assert client.get(f"/knowhow/{article.slug}").status_code == 404
    assert f"/knowhow/{article.slug}" not in client.get("/knowhow/?q=消される").get_data(as_text=True)
    assert client.post(f"/knowhow/{article.slug}/undelete").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(Article.deleted_at).where(Article.id == article.id)) is not None
    auth.logout()
    auth.login(make_admin())
    assert "消される記事の題" in client.get("/knowhow/deleted").get_data(as_text=True)
    assert client.get(f"/knowhow/{article.slug}").status_code == 200
    client.post(f"/knowhow/{article.slug}/undelete")
    auth.logout()
    assert client.get(f"/knowhow/{article.slug}").status_code == 200
    assert f"/knowhow/{article.slug}" in client.get("/knowhow/?q=消される").get_data(as_text=True)


def test_deleted_list_is_for_admins_only(client, auth, make_member):
    assert client.get("/knowhow/deleted").status_code == 404
    auth.login(make_member())
    assert client.get("/knowhow/deleted").status_code == 404


def test_list_filters(client, make_article):
    make_article(title="シニアの事例", themes=["seniors"], kind="case-study", prefecture="33")
    make_article(title="女性のコラム", themes=["women"], kind="column", prefecture="37")
    assert "シニアの事例" in client.get("/knowhow/?theme=seniors").get_data(as_text=True)
    assert "女性のコラム" not in client.get("/knowhow/?theme=seniors").get_data(as_text=True)
    assert "女性のコラム" in client.get("/knowhow/?kind=column").get_data(as_text=True)
    assert "シニアの事例" not in client.get("/knowhow/?prefecture=37").get_data(as_text=True)
    assert client.get("/knowhow/?theme=nonsense&kind=x&prefecture=99").status_code == 200
    assert client.get("/knowhow/?page=abc").status_code == 404


def test_search_on_the_list_highlights_and_filters(client, make_article):
    make_article(title="外国人材の受け入れ", themes=["foreign-workers"], body="技能実習の修了生を採用しました。")
    make_article(title="外国人材と地域", themes=["migration"], body="移住者と外国人材の交流。")
    html = client.get("/knowhow/?q=外国人材&theme=foreign-workers").get_data(as_text=True)
    assert "<mark>外国人材</mark>の受け入れ" in html
    assert "外国人材と地域" not in html and "<mark>外国人材</mark>と地域" not in html


def test_related_articles_share_themes(client, make_article):
    article = make_article(title="元の記事", themes=["seniors", "women"])
    make_article(title="関連する記事", themes=["women"])
    make_article(title="無関係な記事", themes=["migration"])
    html = client.get(f"/knowhow/{article.slug}").get_data(as_text=True)
    assert "関連する記事" in html and "無関係な記事" not in html


def test_list_and_detail_make_the_same_number_of_queries_for_few_and_many(client, make_article, count_queries,
                                                                             make_member, make_organization):
    organization = make_organization()
    first = make_article(make_member(), organization=organization, themes=["seniors", "women"])
    make_article(make_member(), organization=organization, title="研修の記事", themes=["seniors"])

    def counts():
        with count_queries() as list_statements:
            client.get("/knowhow/")
        with count_queries() as detail_statements:
            client.get(f"/knowhow/{first.slug}")
        with count_queries() as search_statements:
            client.get("/knowhow/?q=研修")
        return len(list_statements), len(detail_statements), len(search_statements)

    few = counts()
    for n in range(12):
        make_article(make_member(), organization=organization, title=f"研修の記事{n}", themes=["seniors", "women"])
    assert counts() == few


def test_saving_from_a_browser_without_a_change_keeps_the_version(client, auth, make_member, make_article, app):
    """Browsers send a textarea's line breaks as CRLF; an unchanged text is no new version."""
    author = make_member()
    article = make_article(author, **{name: FORM[name] for name in ("title", "summary", "body", "themes")})
    auth.login(author)
    from_browser = dict(FORM, body=FORM["body"].replace("\n", "\r\n"), summary=FORM["summary"] + "\r\n")
    response = client.post(f"/knowhow/{article.slug}/edit", data=from_browser, follow_redirects=True)
    assert "変更はありませんでした" in response.get_data(as_text=True)
    current = _article(app, slug=article.slug)
    assert current.version == 1 and current.body == FORM["body"]
    client.post("/knowhow/new", data=dict(from_browser, title="改行の確認"))
    assert _article(app, title="改行の確認").body == FORM["body"]
