"""RAN member accounts: signup, login, profile, API tokens."""

from flask import Flask

from core import api, hooks
from core.auth import login_manager
from members import cli, demo, services
from members.views import bp


def init_app(app: Flask) -> None:
    login_manager.user_loader(services.member_for_session_key)
    api.set_token_loader(app, services.member_for_api_token)
    app.cli.add_command(cli.create_admin_command)
    hooks.register(app, "demo_seeders", demo.seed)
    app.register_blueprint(bp)
