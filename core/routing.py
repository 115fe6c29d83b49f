"""URL converters shared by every blueprint, and absolute links for mail."""

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import IntegerConverter

#: the largest primary key a 32-bit INTEGER column holds (PostgreSQL `integer`)
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` for database ids: one too large for a key becomes 0, which no row has.

    The view then answers 404 as for any unknown id, instead of the database
    failing on an integer it cannot bind (a 500).
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def site_url(endpoint: str, **values) -> str:
    """An absolute link on the configured public address (SITE_URL), also outside a request (mail from the CLI).

    Never the host of the current request: behind a proxy that may be an internal name.
    """
    site = current_app.config.get("SITE_URL", "http://127.0.0.1:5000").rstrip("/")
    host = urlsplit(site).netloc or "localhost"
    return site + current_app.url_map.bind(host).build(endpoint, values)
