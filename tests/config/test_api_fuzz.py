"""The REST API under a schema-driven fuzzer (schemathesis, issue 11).

Every operation of /api/v1/openapi.json is called in-process with generated
input, valid and invalid, as a resident and as an officer of commune A: no
answer may be a 5xx, every status and body must be the documented one, input
that breaks the schema must be refused, and input the schema allows must never
be refused as malformed. Business rules may still refuse valid input (an
unknown case number is a 404, an illegal move a 409, an unknown service a 422
with its own code): those are answers, not schema gaps, and the custom check
below tells them apart by the error code.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import positive_data_acceptance

from accounts.auth import api_token_create
from config.wsgi import application
from tests.conftest import Personas

# Read from the app itself (no server, no database needed for the schema).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# The codes of "this request is not what the schema says" (config/api.py).
# invalid_input is also the code of some business rules (a quiet-hours window
# that starts when it ends): only the parser's answer lists `details.fields`.
SCHEMA_REFUSALS = {"malformed_request", "method_not_allowed"}
EXAMPLES_PER_OPERATION = 12


@schemathesis.check
def valid_input_is_never_refused_as_malformed(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """A request the schema allows may meet a business rule, never a parser."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        body = {}
    code = body.get("code")
    parser_refused = code == "invalid_input" and "fields" in (body.get("details") or {})
    if parser_refused or code in SCHEMA_REFUSALS or response.status_code in (400, 415):
        raise AssertionError(
            f"Schema-valid input refused as malformed: {response.status_code} {code}: "
            f"{response.text[:300]}"
        )
    return None


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection() -> Iterator[None]:
    """Calls go in-process to the WSGI app, inside the test's transaction.

    Django's own test client keeps the connection open across requests; a
    plain WSGI call would close it at the end of each request
    (close_old_connections), and with it the test's transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(personas: Personas, settings: Any) -> dict[str, str]:
    # Generated input asks for many one-time codes: their limits (a documented
    # 429) count under a prefix of this run, not the developer's.
    settings.OTP_RATE_LIMIT_PREFIX = f"test-fuzz-{uuid.uuid4().hex}"
    return {
        "resident": api_token_create(user=personas.resident),
        "officer": api_token_create(user=personas.officer_a),
    }


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    # The same examples on every run: make test must not pass or fail by luck.
    # Wider random runs: the schemathesis CLI against `make run` (README).
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_api_answers_every_input_as_documented(
    case: schemathesis.Case[Any], tokens: dict[str, str]
) -> None:
    for token in tokens.values():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            excluded_checks=[positive_data_acceptance],
            additional_checks=[valid_input_is_never_refused_as_malformed],
        )
