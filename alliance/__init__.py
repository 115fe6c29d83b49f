"""The alliance: member organisations, directory, joining, secretariat, referrals."""

from flask import Flask

from alliance import models  # noqa: F401  (tables known to Alembic)


def init_app(app: Flask) -> None:
    """Register pages, API, hooks and demo data."""
