"""RAN member accounts: signup, login, profile, API tokens."""

from flask import Flask

from core import hooks
from core.api import add_openapi
from core.auth import AddressUnconfirmed, login_manager
from core.security import csrf
from members import cli, demo, digest, sections, services
from members import sessions as member_sessions
from members.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from members.api import bp as api_bp
from members.models import affiliation_name
from members.views import bp, render_unconfirmed


def init_app(app: Flask) -> None:
    login_manager.user_loader(services.member_for_session_key)
    hooks.API_TOKEN_LOADERS.register(app, services.member_for_api_token)
    hooks.ACCOUNT_TOOLS.register(app, sections.account_tools)
    hooks.JOIN_WAYS.register(app, sections.JOIN_WAY)
    app.cli.add_command(cli.create_admin_command)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
    hooks.DEMO_SEEDERS.register(app, demo.seed_scale)
    app.jinja_env.globals.update(affiliation_name=affiliation_name)
    app.register_blueprint(bp)
    app.register_error_handler(AddressUnconfirmed, render_unconfirmed)
    member_sessions.init_app(app)
    app.cli.add_command(digest.digest_cli)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    add_openapi(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
