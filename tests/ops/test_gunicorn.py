"""The production server: gunicorn.conf.py's settings, and the app served by gunicorn for real."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from gunicorn.app.base import Application

from tests.conftest import ROOT

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:  # a local server we started
        return response.status, dict(response.headers), response.read()


def test_the_app_serves_under_gunicorn_with_request_logs(database_url, tmp_path):
    port = _free_port()
    log_file = tmp_path / "gunicorn.log"
    environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="gunicorn-test-key",
                       WEB_CONCURRENCY="1", GUNICORN_BIND=f"127.0.0.1:{port}", RATELIMIT_ENABLED="0")
    with log_file.open("w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--config", str(CONFIG), "app:create_app()"],
            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz", {"X-Request-ID": "gunicorn-1"})
                break
            except OSError:
                assert server.poll() is None, log_file.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body)["migrations"] == "current"
        assert headers["X-Request-ID"] == "gunicorn-1"
        status, _headers, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "地域人事部" in page.decode()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    logged = [json.loads(line) for line in log_file.read_text().splitlines() if line.startswith("{")]
    assert {"method": "GET", "path": "/healthz", "status": 200, "request_id": "gunicorn-1"}.items() <= logged[0].items()
    assert [line["path"] for line in logged] == ["/healthz", "/"]
