"""RAN member accounts: signup, login, profile, API tokens."""

from flask import Flask

from core import hooks
from core.api import add_openapi, set_token_loader
from core.auth import login_manager
from core.security import csrf
from members import cli, demo, services
from members.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from members.api import bp as api_bp
from members.models import affiliation_name
from members.views import bp


def init_app(app: Flask) -> None:
    login_manager.user_loader(services.member_for_session_key)
    set_token_loader(app, services.member_for_api_token)
    app.cli.add_command(cli.create_admin_command)
    hooks.register(app, "demo_seeders", demo.seed)
    hooks.register(app, "demo_seeders", demo.seed_scale)
    app.jinja_env.globals.update(affiliation_name=affiliation_name)
    app.register_blueprint(bp)
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    add_openapi(app, OPENAPI_PATHS, OPENAPI_SCHEMAS)
