"""Opt-in expertise profiles of RAN members (what I can help with, availability, visibility)."""

from flask import Flask

from core import hooks
from members.expertise import demo, sections, services
from members.expertise.models import visibility_name
from members.expertise.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(expertise_visibility_name=visibility_name)
    hooks.MEMBER_SECTIONS.register(app, sections.member_section)
    hooks.MEMBER_ERASERS.register(app, services.erase_profile)
    hooks.DEMO_SEEDERS.register(app, demo.seed)
