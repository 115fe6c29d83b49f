"""The query string of every API operation is held to the OpenAPI document (core.api).

The conformance suite fuzzes this; these tests pin the edges by name: unknown and
repeated arguments, RFC 3339 dates at the ends of the calendar, lengths, and the
document saying what is enforced.
"""

from datetime import UTC, date, datetime

import pytest

from core import refdata
from core.api import parse_date, parse_date_time
from core.routing import MAX_ID
from core.search import MAX_QUERY_CHARS
from members.expertise.models import SKILL_MAX_LENGTH


@pytest.mark.parametrize("url", ["/api/v1/themes?page=2", "/api/v1/events?from=2031-01-01&sort=new",
                                 "/api/v1/organizations?Theme=women"])
def test_an_unknown_argument_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert response.json["error"]["message"].startswith("不明なクエリー引数")


def test_an_argument_given_twice_is_a_400(client):
    response = client.get("/api/v1/organizations?theme=women&theme=seniors")
    assert response.status_code == 400


@pytest.mark.parametrize("url", [
    "/api/v1/organizations?theme=", "/api/v1/organizations?prefecture=13%20", "/api/v1/organizations?region=Tohoku",
    "/api/v1/articles?limit=", "/api/v1/articles?limit=1.0", "/api/v1/projects?offset=1000001",
    "/api/v1/events?from=", "/api/v1/themes?lang=fr", "/api/v1/referrals?status=done",
])
def test_a_value_outside_its_schema_is_a_422(client, url):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "unprocessable"


def test_messages_are_japanese_unless_lang_says_otherwise(client):
    assert client.get("/api/v1/events?limit=0").json["error"]["message"] == "limit は 1 から 100 までの整数で指定してください。"
    assert client.get("/api/v1/events?theme=nope&lang=en").json["error"]["message"] == "Unknown value for theme."


@pytest.mark.parametrize("value", [
    "2031-05-01", "2031-06-01T00:00:00%2B09:00", "2031-06-01t00:00:00z", "2031-06-30T23:59:60Z",
    "2031-06-01T00:00:00.123456789-03:30", "0001-01-01", "0000-02-29", "0001-01-01T00:00:00%2B23:59",
    "9999-12-31", "9999-12-31T23:59:59-23:59",
])
def test_every_rfc3339_date_and_date_time_is_accepted(client, value):
    assert client.get(f"/api/v1/events?from={value}&to={value}").status_code == 200


@pytest.mark.parametrize("value", [
    "yesterday", "2031-02-30", "2031-6-01", "2031-06-01T00:00:00", "2031-06-01%2000:00:00Z", "2031-06-01T00:00Z",
    "%202031-06-01", "2031-06-01%0A", "２０３１-06-01", "2031-06-01T24:00:00Z", "2031-06-01T00:00:00%2B24:00",
])
def test_anything_else_is_a_422(client, value):
    response = client.get(f"/api/v1/events?from={value}")
    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json["error"]["message"]


def test_dates_and_date_times_are_read_exactly():
    assert parse_date_time("2031-06-01T00:00:00+09:00") == datetime(2031, 5, 31, 15, tzinfo=UTC)
    assert parse_date_time("2031-06-30T23:59:60.5Z") == datetime(2031, 6, 30, 23, 59, 59, 500000, tzinfo=UTC)
    assert parse_date_time("0001-01-01T00:00:00+01:00") == datetime.min.replace(tzinfo=UTC)
    assert parse_date_time("9999-12-31T23:59:59-01:00") == datetime.max.replace(tzinfo=UTC)
    assert parse_date("0000-01-01") == date.min


def test_search_words_are_required_not_blank_and_bounded(client):
    assert client.get("/api/v1/search").status_code == 422
    assert client.get("/api/v1/search?q=%20%20").status_code == 422
    assert client.get("/api/v1/search?q=" + "あ" * (MAX_QUERY_CHARS + 1)).status_code == 422
    assert client.get("/api/v1/search?q=" + "あ" * MAX_QUERY_CHARS).status_code == 200


def test_skill_is_bounded(client):
    assert client.get("/api/v1/people?skill=" + "x" * SKILL_MAX_LENGTH).status_code == 200
    assert client.get("/api/v1/people?skill=" + "x" * (SKILL_MAX_LENGTH + 1)).status_code == 422


def test_the_document_says_what_is_enforced(client):
    document = client.get("/api/v1/openapi.json").json
    assert "strict" in document["info"]["description"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            label = f"{method} {path}"
            assert {"400", "422"} <= set(operation["responses"]), label
            parameters = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
            assert parameters["lang"] == {"type": "string", "enum": ["ja", "en"]}, label
            if "prefecture" in parameters:
                assert parameters["prefecture"]["enum"] == [p.code for p in refdata.PREFECTURES], label
            if "theme" in parameters:
                assert parameters["theme"]["enum"] == [t.slug for t in refdata.THEMES], label
            if "region" in parameters:
                assert parameters["region"]["enum"] == [r.slug for r in refdata.REGIONS], label
            if "limit" in parameters:
                assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100), label
            for parameter in operation["parameters"]:
                if parameter["in"] == "path" and parameter["schema"]["type"] == "integer":
                    assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, MAX_ID), label


def _documented_lists(client) -> list[str]:
    document = client.get("/api/v1/openapi.json").json
    return sorted(path for path, item in document["paths"].items()
                  if "next" in item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
                  .get("application/json", {}).get("schema", {}).get("properties", {}))


def test_every_list_takes_limit_and_offset(client):
    document = client.get("/api/v1/openapi.json").json
    lists = _documented_lists(client)
    assert {"/themes", "/prefectures", "/events", "/me/applications"} <= set(lists)
    for path in lists:
        names = {parameter["name"] for parameter in document["paths"][path]["get"]["parameters"]}
        assert {"limit", "offset"} <= names, path


def test_reference_lists_page_like_any_other(client):
    first = client.get("/api/v1/prefectures?limit=20").json
    assert [p["code"] for p in first["items"]][:2] == ["01", "02"] and len(first["items"]) == 20
    assert first["next"].endswith("/api/v1/prefectures?limit=20&offset=20")
    last = client.get("/api/v1/prefectures?limit=20&offset=40").json
    assert len(last["items"]) == 7 and last["next"] is None
    assert client.get("/api/v1/prefectures?limit=100").json["next"] is None
    assert len(client.get("/api/v1/themes?limit=5").json["items"]) == 5
