"""The baseline of the load benchmark: the least a Flask + SQLAlchemy + Jinja page can do.

One page listing 20 rows of a table of the real database, with no sessions,
no CSRF, no i18n, no logging and no security headers — what RAN hub's pages
are measured against (`bench/run.py` reports their ratio to it). Served by the
same gunicorn settings: `gunicorn -c gunicorn.conf.py 'bench.baseline:create_app()'`.

It reads 20 rows of the events table, the app's biggest listing, by primary key —
the cheapest read of them (`BENCH_BASELINE_SQL` chooses other rows).
"""

import os

import sqlalchemy as sa
from flask import Flask

from core.db import normalise_database_url

DEFAULT_SQL = "SELECT id, title, kind, format, starts_at, prefecture FROM events ORDER BY id DESC LIMIT 20"

PAGE = """<!doctype html>
<html lang="ja">
<head><meta charset="utf-8"><title>baseline</title></head>
<body>
<main>
<h1>一覧</h1>
<table>
<thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</main>
</body>
</html>
"""


def create_app(database_url: str | None = None, sql: str | None = None) -> Flask:
    app = Flask(__name__)
    url = normalise_database_url(database_url or os.environ["DATABASE_URL"])
    engine = sa.create_engine(url, pool_pre_ping=True)
    query = sa.text(sql or os.environ.get("BENCH_BASELINE_SQL") or DEFAULT_SQL)
    # Compiled once, as render_template does through its cache (autoescaped: no file name).
    template = app.jinja_env.from_string(PAGE)

    @app.get("/")
    def rows():
        with engine.connect() as connection:
            result = connection.execute(query)
            columns = list(result.keys())
            fetched = result.all()
        return template.render(columns=columns, rows=fetched)

    return app
