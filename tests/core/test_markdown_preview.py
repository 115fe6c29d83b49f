"""The preview beside every Markdown field: the server renders the text through the page's own sanitiser."""

from tests.conftest import PASSWORD, AuthActions, csrf_token_from


def test_a_member_previews_markdown_as_the_page_will_show_it(client, make_member):
    AuthActions(client).login(make_member())
    response = client.post("/markdown/preview", data={
        "text": "## 研修の流れ\n\n- 初日 **顔合わせ**\n\n<script>alert(1)</script>\n\n[罠](javascript:alert(1))"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<h3>研修の流れ</h3>" in html and "<strong>顔合わせ</strong>" in html  # below the page's own h2
    assert "<script" not in html and 'href="javascript' not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_an_empty_text_says_so_and_an_oversized_one_is_refused(client, make_member):
    AuthActions(client).login(make_member())
    assert "まだ何も入力されていません。" in client.post("/markdown/preview", data={"text": "  \n"}).get_data(as_text=True)
    assert client.post("/markdown/preview", data={"text": "あ" * 50_001}).status_code == 413


def test_visitors_and_forged_requests_get_no_preview(make_app, client, make_member):
    response = client.post("/markdown/preview", data={"text": "**太字**"})
    assert response.status_code == 302 and "/members/login" in response.headers["Location"]
    member = make_member()
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token_from(browser.get("/members/login").get_data(as_text=True))
    browser.post("/members/login", data={"email": member.email, "password": PASSWORD, "csrf_token": token})
    assert browser.post("/markdown/preview", data={"text": "**太字**"}).status_code == 400  # no CSRF token
    page = browser.get("/members/me/edit").get_data(as_text=True)
    accepted = browser.post("/markdown/preview", data={"text": "**太字**"},
                            headers={"X-CSRFToken": csrf_token_from(page)})
    assert accepted.status_code == 200 and "<strong>太字</strong>" in accepted.get_data(as_text=True)


def test_every_markdown_field_offers_the_preview_and_the_syntax_help(client, make_member):
    AuthActions(client).login(make_member())
    html = client.get("/members/me/edit").get_data(as_text=True)
    assert '<div class="markdown-tools" data-source="bio"' in html
    assert 'aria-controls="bio-preview" hidden>プレビュー</button>' in html
    assert "<summary>Markdownの書き方</summary>" in html and 'id="bio-preview"' in html
    assert '<script src="/static/core/markdown-preview.js?v=' in html
