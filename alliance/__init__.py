"""The alliance: member organisations, directory, joining, secretariat, referrals."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register yet beyond the models (pages arrive with the alliance issue)."""
