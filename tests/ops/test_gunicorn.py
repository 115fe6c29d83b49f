"""The production server: gunicorn.conf.py's settings, and the app served by gunicorn for real."""

import gc
import json
import os
from types import SimpleNamespace

import pytest
from gunicorn.app.base import Application

from core.i18n import babel
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


class _Master:
    """What gunicorn's hooks see of the master: its settings and the loaded app."""

    def __init__(self, application, preload: bool = True):
        self.cfg = SimpleNamespace(preload_app=preload)
        self.app = SimpleNamespace(wsgi=lambda: application)


def test_the_master_compiles_every_template_and_catalogue_before_it_forks(make_app):
    application = make_app()
    application.jinja_env.cache.clear()
    with application.app_context():
        catalogues = babel.domain_instance.cache  # Flask-Babel's, one per process
    catalogues.clear()
    try:
        _ConfigOnly({}).cfg.when_ready(_Master(application))
        assert gc.get_freeze_count() > 0, "the inherited heap is frozen: the collector leaves its pages shared"
    finally:
        gc.unfreeze()
    compiled = {name for _loader, name in application.jinja_env.cache.keys()}
    assert compiled == set(application.jinja_env.list_templates())
    assert {locale for locale, _domain in catalogues} == {"ja", "en"}


def test_the_masters_warm_up_leaves_other_apps_and_servers_without_preload_alone(make_app):
    settings = _ConfigOnly({}).cfg
    settings.when_ready(_Master(lambda environ, start_response: []))  # the bench's baseline is a Flask app; this not
    application = make_app()
    application.jinja_env.cache.clear()
    settings.when_ready(_Master(application, preload=False))  # each worker loads the app itself: nothing to share
    assert not application.jinja_env.cache and gc.get_freeze_count() == 0


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
