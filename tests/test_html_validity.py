"""The Nu Html Checker (vnu, the W3C's validator) finds no error in the main pages — in Japanese and English, for
a visitor, a member and the secretariat — nor in the stylesheet.

`make test` fetches the checker (npm vnu-jar into .cache/, run with Debian's Java); run from pytest without it,
this test is skipped and says how to get it. The pages are those of the accessibility suite, with the demo data
loaded; markup does not depend on the database engine, so this runs on SQLite only.
"""

import json
import os
import shutil
import subprocess  # nosec B404 - runs the checker the Makefile fetched, with fixed arguments
from pathlib import Path

import pytest

from tests.browser.test_accessibility import ADMIN_PAGES, MEMBER_PAGES, PUBLIC_PAGES
from tests.conftest import AuthActions, demo_objects, seed_demo

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / os.environ.get("VNU_JAR", ".cache/vnu/package/build/dist/vnu.jar")
STYLESHEET = ROOT / "core" / "static" / "site.css"


def _checker() -> list[str]:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.skip("the Nu Html Checker is fetched by `make test` (java and .cache/vnu): run that")
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]


def _errors(arguments: list[str], names: dict[str, str] | None = None) -> list[str]:
    """The checker's errors as "page:line: message" (`names`: file name → what the file is)."""
    run = subprocess.run(arguments, capture_output=True, text=True, timeout=300, check=True)  # nosec B603
    messages = json.loads(run.stderr or "{}").get("messages", [])
    names = names or {}
    return [f"{names.get(Path(m.get('url', '')).name, Path(m.get('url', '')).name)}:{m.get('lastLine', '?')}:"
            f" {m.get('message')}" for m in messages if m.get("type") == "error"]


@pytest.fixture
def demo(app, tmp_path) -> dict:
    app.instance_path = str(tmp_path)
    seed_demo(app)
    return demo_objects(app)


def test_the_main_pages_and_the_stylesheet_are_valid(app, demo, make_member, make_admin, tmp_path):
    checker = _checker()
    files, names = [], {}
    visitor, member, admin = app.test_client(), app.test_client(), app.test_client()
    AuthActions(member).login(make_member())
    AuthActions(admin).login(make_admin())
    for who, client, pages in (("visitor", visitor, PUBLIC_PAGES), ("member", member, MEMBER_PAGES),
                               ("admin", admin, ADMIN_PAGES)):
        for language in ("ja", "en"):
            for number, template in enumerate(pages):
                path = template.format(**demo)
                response = client.get(path + ("&" if "?" in path else "?") + f"lang={language}")
                assert response.status_code == (404 if path == "/no-such-page" else 200), path
                page = tmp_path / f"{who}-{language}-{number:02d}.html"
                page.write_text(response.get_data(as_text=True), encoding="utf-8")
                files.append(str(page))
                names[page.name] = f"{who} {language} {path}"
    errors = _errors([*checker, *files], names)
    assert errors == [], "\n".join(errors)
    assert _errors([*checker, "--css", str(STYLESHEET)]) == []
