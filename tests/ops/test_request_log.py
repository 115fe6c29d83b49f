"""One JSON line per request with method, path, status, duration and request id (engine-independent)."""

import json
import logging

import pytest

from core.requestlog import LOGGER_NAME

pytestmark = pytest.mark.one_engine


@pytest.fixture
def request_log(caplog):
    """The JSON objects logged for the requests made so far."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)

    def lines() -> list[dict]:
        return [json.loads(record.getMessage()) for record in caplog.records if record.name == LOGGER_NAME]

    return lines


def test_each_request_logs_one_json_line(client, request_log):
    response = client.get("/members/login?next=/secret-search-words")
    [line] = request_log()
    assert line["method"] == "GET"
    assert line["path"] == "/members/login"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert "secret-search-words" not in json.dumps(line), "query strings stay out of the log"


def test_a_proxy_request_id_is_passed_through(client, request_log):
    response = client.get("/", headers={"X-Request-ID": "lb-7f3a-42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a-42"
    assert request_log()[0]["request_id"] == "lb-7f3a-42"


@pytest.mark.parametrize("bad_id", ["", "x" * 200, "id with spaces", "<script>", "行"])
def test_a_malformed_request_id_is_replaced(client, request_log, bad_id):
    response = client.get("/", headers={"X-Request-ID": bad_id.encode().decode("latin-1")})
    generated = response.headers["X-Request-ID"]
    assert generated != bad_id and len(generated) == 32
    assert request_log()[0]["request_id"] == generated


def test_a_page_from_the_cache_is_logged_too(make_app, request_log):
    application = make_app(PAGE_CACHE_SECONDS=30)
    for _ in range(2):
        application.test_client().get("/events/", headers={"X-Request-ID": "lb-page"})
    hit = application.test_client().get("/events/?page=1")
    assert hit.headers["X-Page-Cache"] == "miss"
    hit = application.test_client().get("/events/?page=1")
    lines = request_log()
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [("GET", "/events/", 200)] * 4
    assert [line["request_id"] for line in lines[:2]] == ["lb-page"] * 2
    assert lines[3]["request_id"] == hit.headers["X-Request-ID"] and hit.headers["X-Page-Cache"] == "hit"


def test_every_request_gets_its_own_id(client, request_log):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert first != second


def test_errors_and_posts_are_logged_with_their_status(client, request_log):
    client.get("/no-such-page")
    client.post("/members/login", data={"email": "nobody@example.jp", "password": "wrong-password-1"})
    client.get("/api/v1/no-such-thing")
    statuses = [(line["method"], line["path"], line["status"]) for line in request_log()]
    assert statuses == [
        ("GET", "/no-such-page", 404),
        ("POST", "/members/login", 200),
        ("GET", "/api/v1/no-such-thing", 404),
    ]


def test_a_crash_is_logged_as_500_with_the_request_id(make_app, request_log):
    application = make_app(PROPAGATE_EXCEPTIONS=False)

    def crash():
        raise RuntimeError("boom")

    application.add_url_rule("/crash-for-test", "crash_for_test", crash)
    response = application.test_client().get("/crash-for-test", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "crash-1"
    [line] = request_log()
    assert (line["status"], line["request_id"]) == (500, "crash-1")


def test_application_logs_are_json_lines_with_the_request_id(make_app, capsys):
    application = make_app(PROPAGATE_EXCEPTIONS=False)

    def warn():
        application.logger.warning("保存できませんでした: %s", "会員")
        raise RuntimeError("boom")

    application.add_url_rule("/warn-for-test", "warn_for_test", warn)
    application.test_client().get("/warn-for-test", headers={"X-Request-ID": "warn-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    warning = next(line for line in lines if line.get("level") == "warning")
    assert warning["message"] == "保存できませんでした: 会員"
    assert (warning["request_id"], warning["logger"]) == ("warn-1", "app")
    crash = next(line for line in lines if line.get("level") == "error")
    assert crash["request_id"] == "warn-1" and "RuntimeError: boom" in crash["exception"]
