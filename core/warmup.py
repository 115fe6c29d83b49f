"""What every worker process would otherwise do on its first requests, done once before gunicorn forks them.

With `preload_app` (gunicorn.conf.py) the app is built in gunicorn's master and each worker
is a fork of it; workers are recycled every few thousand requests. A new worker compiled each
template on its first use (171 of them: 0.9 s in all, up to a quarter of a second on one
page) and loaded the message catalogues again, so a recycled worker's first pages stalled
the requests queued behind them. Done here, the compiled templates and catalogues are
inherited by every fork; `gc.freeze()` then keeps the collector from touching (and so
copying) the inherited objects in each worker.
"""

import gc

from flask import Flask
from sqlalchemy.orm import configure_mappers


def warm(app: Flask) -> None:
    """Compile every template, load each language's catalogue, configure the ORM; then freeze the heap."""
    configure_mappers()
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    if "babel" in app.extensions:
        from flask_babel import force_locale, get_translations

        from core.i18n import LANGUAGES

        with app.app_context():
            for language in LANGUAGES:
                with force_locale(language):
                    get_translations()
    gc.freeze()
