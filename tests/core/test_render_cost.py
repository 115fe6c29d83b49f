"""A guard on what a rendered page costs, counted rather than timed (issue #15).

The profile of the list pages showed Flask-Babel's context look-ups as the cost that grew
with the rows: every translated string, proper name and date walked Flask's context locals
(~870 on /alliance/ with 20 cards). Templates now look the translations and language up
once per render; this test fails when a change brings per-row look-ups back.
"""

import flask_babel
import pytest

from tests.events.conftest import create_event

#: look-ups a page may make whatever its number of rows (forms, lazy labels, the layout)
MOST_LOOKUPS = 150


@pytest.fixture
def count_lookups(monkeypatch):
    counted = [0]
    original = flask_babel._get_current_context

    def counting():
        counted[0] += 1
        return original()

    monkeypatch.setattr(flask_babel, "_get_current_context", counting)

    def count(client, path):
        client.get(path)  # compiled templates and warm caches
        counted[0] = 0
        response = client.get(path)
        assert response.status_code == 200
        return counted[0]

    return count


@pytest.mark.parametrize("path", ["/", "/alliance/", "/alliance/?lang=en", "/events/", "/events/?lang=en"])
def test_a_page_looks_up_its_language_a_bounded_number_of_times_whatever_its_rows(app, client, make_organization,
                                                                                   count_lookups, path):
    for n in range(2):
        make_organization(slug=f"few-{n}", prefecture="13", themes={"seniors": "strong", "women": "expert"})
        create_event(app, title=f"少ない行のイベント{n}")
    few = count_lookups(client, path)
    for n in range(18):
        make_organization(slug=f"many-{n}", prefecture="04", themes={"seniors": "expert"},
                          served=["04", "05", "06", "07", "01", "02", "03"])
        create_event(app, title=f"多い行のイベント{n}")
    many = count_lookups(client, path)
    assert many == few
    assert many <= MOST_LOOKUPS


def test_the_guard_would_see_per_row_lookups(app, client, count_lookups):
    """Positive control: with Flask-Babel's own date formatting back in the templates, each row's date costs
    look-ups again, and the guard's comparison sees it."""
    create_event(app, title="数える前のイベント")
    saved = app.jinja_env.filters["datetime"]
    app.jinja_env.filters["datetime"] = flask_babel.format_datetime
    app.jinja_env.cache.clear()  # a compiled template holds the filters it was compiled with
    try:
        few = count_lookups(client, "/events/")
        for n in range(10):
            create_event(app, title=f"行ごとに数えるイベント{n}")
        assert count_lookups(client, "/events/") > few + 10
    finally:
        app.jinja_env.filters["datetime"] = saved
        app.jinja_env.cache.clear()


def test_templates_see_the_globals_as_one_dict(app):
    """Every render copies its template's globals into its context: through Jinja's default ChainMap over the
    environment's some eighty names, that copy was a tenth of a member's page."""
    with app.app_context():
        template = app.jinja_env.get_template("base.html")
    assert type(template.globals) is dict
    assert template.globals["url_for"] is app.jinja_env.globals["url_for"]
