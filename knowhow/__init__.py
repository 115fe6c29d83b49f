"""Knowhow: articles, programmes (playbooks) and their adoption, and the site search."""

from flask import Flask

from knowhow import models  # noqa: F401


def init_app(app: Flask) -> None:
    pass
