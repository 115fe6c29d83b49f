"""RAN hub: the web platform of the 地域人事部アライアンスネットワーク.

`create_app()` is the only place that knows every blueprint:
config → extensions → blueprints → CLI.
"""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

import alliance
import alliance.projects
import alliance.referrals
import core.api
import core.cli
import core.crawlers
import core.db
import core.errors
import core.fragments
import core.http
import core.i18n
import core.mail
import core.markdown_preview
import core.pagecache
import core.pictures
import core.ratelimit
import core.requestlog
import core.search
import core.security
import core.templating
import events
import knowhow
import members
import members.expertise
from core.auth import login_manager
from core.files import private_directory, write_private
from core.routing import IdConverter
from core.views import bp as core_bp

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
#: a request body at most (a phone photo of up to core.pictures.MAX_BYTES and the rest of its form)
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

migrate = Migrate()


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, or one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists() or not key_file.read_text().strip():
        write_private(key_file, secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def load_config(app: Flask, test_config: dict | None) -> None:
    env = os.environ
    site_url = env.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
    default_db = f"sqlite:///{Path(app.instance_path) / 'ranhub.sqlite3'}"
    redis_url = env.get("REDIS_URL", "")
    app.config.from_mapping(
        DATABASE_URL=env.get("DATABASE_URL", default_db),
        SITE_URL=site_url,
        SLACK_INVITE_URL=env.get("SLACK_INVITE_URL", ""),
        SMTP_URL=env.get("SMTP_URL", ""),
        MAIL_FROM=env.get("MAIL_FROM", "RAN hub <no-reply@ran-hub.jp>"),
        REDIS_URL=redis_url,
        #: visitors' pages are kept this long at most (core/pagecache.py); 0 turns the cache off
        PAGE_CACHE_SECONDS=int(env.get("PAGE_CACHE_SECONDS", "30")),
        RATELIMIT_ENABLED=env.get("RATELIMIT_ENABLED", "1") != "0",
        #: without Redis, every worker process on this host counts in one file (core/ratelimit.py)
        RATELIMIT_STORAGE_URI=redis_url or core.ratelimit.file_storage_uri(app.instance_path),
        #: compress responses for clients that accept it (behind nginx the proxy does, see deploy/)
        COMPRESS_RESPONSES=env.get("COMPRESS_RESPONSES", "1") != "0",
        #: reverse proxies in front of the app whose X-Forwarded-* headers are believed (0: none)
        TRUSTED_PROXIES=int(env.get("TRUSTED_PROXIES", "0")),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        #: uploaded pictures (core/pictures.py); empty: instance/uploads
        UPLOADS_DIR=env.get("UPLOADS_DIR", ""),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=site_url.startswith("https://"),
        SESSION_COOKIE_NAME="ranhub_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=14 * 24 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        #: argon2id cost; tests lower it to keep the suite fast
        PASSWORD_HASH_PARAMS={"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 2},
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = core.db.normalise_database_url(app.config["DATABASE_URL"])
    options = {"pool_pre_ping": True}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No server-side prepared statements: after five runs psycopg would prepare one, and PostgreSQL's
        # generic plan for a full-text match cannot see the words (matching: 14 ms → 54 ms).
        options["connect_args"] = {"prepare_threshold": None}
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)


def create_app(test_config: dict | None = None) -> Flask:
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH")
    if instance_path:
        instance_path = str(Path(instance_path).resolve())
    app = Flask(__name__, static_folder=None, instance_relative_config=True, instance_path=instance_path)
    app.jinja_environment = core.templating.Environment
    app.url_map.converters["int"] = IdConverter
    private_directory(app.instance_path)
    load_config(app, test_config)

    core.requestlog.init_app(app)
    core.db.init_app(app)
    migrate.init_app(app, core.db.db, directory=MIGRATIONS_DIR, render_as_batch=True)
    core.i18n.init_app(app)
    core.templating.init_app(app)
    core.security.init_app(app)
    core.fragments.init_app(app)
    login_manager.init_app(app)
    core.errors.init_app(app)
    core.mail.init_app(app)
    core.api.init_app(app)
    core.cli.init_app(app)
    core.pagecache.init_app(app)
    core.http.init_app(app)
    core.pictures.init_app(app)

    app.register_blueprint(core_bp)
    app.register_blueprint(core.crawlers.bp)
    app.register_blueprint(core.markdown_preview.bp)
    members.init_app(app)
    members.expertise.init_app(app)
    alliance.init_app(app)
    alliance.referrals.init_app(app)
    alliance.projects.init_app(app)
    events.init_app(app)
    knowhow.init_app(app)
    # The site-wide search lists what the rooms above registered on its hooks.
    core.search.init_app(app)
    # The outermost WSGI wrappers: what is inside them (the page cache's front door) sees the client's address,
    # host and scheme.
    core.security.init_proxy(app)
    return app
