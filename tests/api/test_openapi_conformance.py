"""Every operation documented in /api/v1/openapi.json, fuzzed in-process by schemathesis.

The app runs in-process (WSGI, no server) on the test database of each engine,
loaded with the demo data so list and detail operations have rows to answer
with. Cases are sent with a valid bearer token, so authenticated operations are
checked on their success path; schemathesis's `ignored_auth` check also calls
them without it and expects a refusal. Checks: no 5xx, and status codes,
content types, headers and bodies as documented; valid input is accepted (no
400/422) and invalid input refused with a 4xx, never a 5xx or a 2xx. The document
enumerates reference data, dates and bounds, and the API holds every query string
to it (core.api.check_query_arguments), so both hold exactly.

New operations join automatically: the list is read from the document itself.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from app import create_app
from core.db import db
from members import services
from members.models import Member
from tests.conftest import app_config, seed_demo

OPENAPI_PATH = "/api/v1/openapi.json"
#: examples per operation, mode and engine: enough to reach the edge values of every parameter
MAX_EXAMPLES = 25


def documented_cases() -> list:
    """(operation label, generation mode) pairs read from the document (no database needed for it).

    Negative cases only for operations that take input: without parameters or a body
    there is nothing to make invalid.
    """
    document = create_app(app_config("sqlite://")).test_client().get(OPENAPI_PATH).json
    cases = []
    for path, item in sorted(document["paths"].items()):
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            cases.append(pytest.param(label, GenerationMode.POSITIVE, id=f"{label} positive"))
            takes_input = operation.get("parameters") or item.get("parameters") or operation.get("requestBody")
            if takes_input:
                cases.append(pytest.param(label, GenerationMode.NEGATIVE, id=f"{label} negative"))
    return cases


@pytest.fixture(scope="module")
def api_token(base_app, module_transaction) -> str:
    """The demo data, loaded once for the module, and a bearer token of a demo member who is not an admin."""
    seed_demo(base_app)
    with base_app.app_context():
        member = db.session.scalar(db.select(Member).where(Member.is_admin.is_(False)).order_by(Member.id))
        _token, secret = services.create_api_token(member, "schemathesis")
        db.session.commit()
    return secret


@pytest.fixture
def api_app(app, api_token):
    """The app on the demo data (each test's writes are rolled back)."""
    return app


@pytest.mark.parametrize(("label", "mode"), documented_cases())
def test_operation_conforms_to_its_documentation(api_app, api_token, label, mode):
    schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, api_app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, f"{label} is documented but schemathesis cannot load it"
    authorization = {"Authorization": f"Bearer {api_token}"}

    # derandomize: the same examples every run, so CI cannot turn red by chance.
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(headers=authorization)

    try:
        check()
    except Unsatisfiable:
        # e.g. a free-form string path parameter: no value of it violates the schema.
        if mode is not GenerationMode.NEGATIVE:
            raise
        pytest.skip("nothing in this operation's documented input can be made invalid")


def test_every_api_route_is_documented(api_app):
    """A route under /api/v1 missing from the document would escape the fuzzing above."""
    document = api_app.test_client().get(OPENAPI_PATH).json
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    undocumented = []
    for rule in api_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule.removeprefix("/api/v1")
        for converter in ("int:", "string:", "path:"):
            path = path.replace("<" + converter, "<")
        path = path.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                undocumented.append(f"{method} {path}")
    assert undocumented == []
