"""GET /api/v1/articles, /api/v1/articles/<slug>, /api/v1/search and their OpenAPI entries."""





def test_without_a_token_only_public_published_articles_are_listed(client, make_article, make_member):
    make_article(title="公開記事")
    make_article(title="会員限定記事", visibility="members")
    make_article(title="下書き", status="draft")
    response = client.get("/api/v1/articles")
    assert response.status_code == 200
    assert [item["title"] for item in response.json["items"]] == ["公開記事"]
    assert response.json["next"] is None
    item = response.json["items"][0]
    assert item["url"].endswith(f"/knowhow/{item['slug']}") and item["themes"] == ["youth-retention"]


def test_a_bearer_token_applies_that_members_visibility(client, make_article, make_member, token_for):
    author = make_member()
    make_article(title="公開記事")
    members_only = make_article(title="会員限定記事", visibility="members")
    draft = make_article(author, title="自分の下書き", status="draft")
    headers = token_for(author)
    titles = {item["title"] for item in client.get("/api/v1/articles", headers=headers).json["items"]}
    assert titles == {"公開記事", "会員限定記事"}
    assert client.get(f"/api/v1/articles/{members_only.slug}").status_code == 404
    assert client.get(f"/api/v1/articles/{members_only.slug}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/articles/{draft.slug}", headers=headers).json["status"] == "draft"


def test_a_bad_token_is_401_not_fewer_results(client):
    response = client.get("/api/v1/articles", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_article_detail_has_body_programme_and_adoptions(client, make_article, make_member):
    article = make_article(kind="playbook", goal="目的", steps="1. 手順", body="<script>x</script>**太字**")
    data = client.get(f"/api/v1/articles/{article.slug}").json
    assert data["playbook"]["goal"] == "目的" and data["adoptions"] == []
    assert "<strong>太字</strong>" in data["body_html"] and "<script>" not in data["body_html"]
    assert client.get("/api/v1/articles/no-such-article").json["error"]["code"] == "not_found"


def test_list_filters_paging_and_bad_arguments(client, make_article):
    for n in range(3):
        make_article(title=f"記事{n}", themes=["seniors"], kind="report", prefecture="13")
    make_article(title="別の記事", themes=["women"])
    page = client.get("/api/v1/articles?theme=seniors&kind=report&prefecture=13&limit=2").json
    assert len(page["items"]) == 2 and "offset=2" in page["next"]
    rest = client.get(page["next"].replace("http://localhost", "")).json
    assert len(rest["items"]) == 1 and rest["next"] is None
    for bad in ("theme=nope", "kind=novel", "prefecture=99", "limit=0", "limit=101", "offset=-1"):
        assert client.get(f"/api/v1/articles?{bad}").status_code == 422, bad


def test_search_api(client, make_article, make_member, token_for):
    make_article(title="外国人材の受け入れ")
    make_article(title="外国人材の下書き", status="draft")
    response = client.get("/api/v1/search?q=外国人材")
    assert response.status_code == 200
    assert [item["title"] for item in response.json["items"]] == ["外国人材の受け入れ"]
    assert response.json["items"][0]["title_html"] == "<mark>外国人材</mark>の受け入れ"
    assert client.get("/api/v1/search").status_code == 422
    assert client.get("/api/v1/search?q=外国人材&kind=event").json["items"] == []


def test_openapi_describes_the_knowhow_endpoints(client):
    document = client.get("/api/v1/openapi.json").json
    for path in ("/articles", "/articles/{slug}", "/search"):
        assert "get" in document["paths"][path]
    assert {"Article", "ArticleDetail", "SearchHit"} <= set(document["components"]["schemas"])
