"""The production server: gunicorn.conf.py's settings, and the app served by gunicorn for real."""

import json
import os

import pytest
from gunicorn.app.base import Application

from tests.conftest import ROOT
from tests.ops.servers import fetch, gunicorn

pytestmark = pytest.mark.one_engine
CONFIG = ROOT / "gunicorn.conf.py"


class _ConfigOnly(Application):
    """Loads gunicorn.conf.py the way `gunicorn` does, without serving."""

    def __init__(self, environ: dict):
        self._environ = environ
        super().__init__()

    def init(self, parser, opts, args):
        return None

    def load_config(self):
        saved = dict(os.environ)
        os.environ.update(self._environ)
        try:
            self.load_config_from_file(str(CONFIG))
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def load(self):
        raise NotImplementedError


def test_gunicorn_settings_are_sync_workers_with_timeouts():
    settings = _ConfigOnly({}).cfg
    assert settings.worker_class_str == "sync"
    assert settings.workers >= 2
    assert settings.timeout == 30 and settings.graceful_timeout == 30
    assert settings.max_requests > 0 and settings.max_requests_jitter >= settings.max_requests // 10
    assert settings.preload_app is True, "workers fork from a loaded app (fast restarts)"
    assert settings.accesslog is None, "the app logs each request itself"
    assert '"request_id": "%({x-request-id}o)s"' in settings.access_log_format


def test_gunicorn_settings_follow_the_environment():
    settings = _ConfigOnly({"WEB_CONCURRENCY": "3", "GUNICORN_TIMEOUT": "60",
                            "GUNICORN_ACCESS_LOG": "-"}).cfg
    assert (settings.workers, settings.timeout, settings.accesslog) == (3, 60, "-")


def test_the_app_serves_under_gunicorn_with_request_logs(database_url, tmp_path):
    environment = {"DATABASE_URL": database_url, "SECRET_KEY": "gunicorn-test-key", "RATELIMIT_ENABLED": "0",
                   "INSTANCE_PATH": str(tmp_path / "instance")}
    with gunicorn(environment, tmp_path / "gunicorn.log") as server:
        health = fetch(f"{server.url}/healthz", headers={"X-Request-ID": "gunicorn-1"})
        assert health.status == 200 and health.json["migrations"] == "current"
        assert health.headers["X-Request-ID"] == "gunicorn-1"
        page = fetch(f"{server.url}/")
        assert page.status == 200 and "地域人事部" in page.text
    logged = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith('{"time"')]
    requests = [line for line in logged if "path" in line]
    mine = requests.index(next(line for line in requests if line["request_id"] == "gunicorn-1"))
    assert {"method": "GET", "path": "/healthz", "status": 200}.items() <= requests[mine].items()
    assert [line["path"] for line in requests[mine:]] == ["/healthz", "/"]
