"""The API keeps the contract its OpenAPI schema states: schemathesis sends each
operation of /api/schema/ requests generated from it (valid and invalid
parameters alike), in process through the WSGI application, against the Japan
content, and checks every answer: no 500, a documented status, content type
and headers, a body valid against its schema.

The examples per operation are bounded and the same on every run (about 30 s
for the whole file on the CI machine), so CI runs it with the suite.
"""

import json

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as examples

from partnerships.api import SchemaView

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 25


def the_schema():
    """/api/schema/ as the site serves it, made here, as the test module loads:
    schemathesis parametrizes the test by its operations before any database
    is open (its fixture-based loading does not run under pytest 9)."""
    view = SchemaView()
    with translation.override(settings.LANGUAGE_CODE):
        document = view.generator_class().get_schema(request=None, public=True)
    return json.loads(view.renderer_classes[0]().render(document))


SCHEMA = the_schema()
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = WSGIHandler()


@pytest.fixture
def database_kept_open():
    """The WSGI application closes the database connection after each answer;
    the test's transaction lives on that connection, so, as Django's test client
    does, it is kept open while the test runs."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


def test_the_contract_is_the_schema_the_site_serves(client):
    assert client.get("/api/schema/").json() == SCHEMA


@schema.parametrize()
@examples(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI fails for a reason, not by chance
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_schemas_contract(case, japan, settings, database_kept_open):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client names
    case.call_and_validate()
