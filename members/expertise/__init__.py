"""Opt-in expertise profiles of RAN members (what I can help with, availability, visibility)."""

from flask import Flask

from core import hooks
from members.expertise import demo, sections, services
from members.expertise.models import visibility_name
from members.expertise.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(expertise_visibility_name=visibility_name)
    hooks.register(app, "member_sections", sections.member_section)
    hooks.register(app, "member_erasers", services.erase_profile)
    hooks.register(app, "demo_seeders", demo.seed)
