"""The REST API under a schema-driven fuzzer (schemathesis, issue 11).

All four phases of schemathesis run here. Per operation: the schema's
examples, the coverage phase (boundary and just-outside-boundary values of
every field, wrong types, missing required parts: 25 such cases for
`POST .../reject` alone) and the fuzzing phase. Then the stateful phase:
chains of calls that follow the links schemathesis infers from the responses
(a case listed by `GET /helpdesk/cases` is accepted, assigned, resolved, rated,
reopened ...). Every operation is called in-process with generated input,
valid and invalid, as a resident and as an officer of commune A: no
answer may be a 5xx, every status and body must be the documented one, input
that breaks the schema must be refused, and input the schema allows must never
be refused as malformed. Business rules may still refuse valid input (an
unknown case number is a 404, an illegal move a 409, an unknown service a 422
with its own code): those are answers, not schema gaps, and the custom check
below tells them apart by the error code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import positive_data_acceptance

from accounts.auth import api_token_create
from config.wsgi import application
from tests import factories
from tests.conftest import Personas

# Read from the app itself (no server, no database needed for the schema).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# The codes of "this request is not what the schema says" (config/api.py).
# invalid_input is also the code of some business rules (a quiet-hours window
# that starts when it ends): only the parser's answer lists `details.fields`.
SCHEMA_REFUSALS = {"malformed_request", "method_not_allowed"}
EXAMPLES_PER_OPERATION = 12
# The stateful phase: bounded so that make test stays short (~30 s here).
# 60 scenarios reached a successful case action when the test ran alone, and
# none in the whole suite (CI, 2026-12-07): the chains' paths depend on the
# rows made before them (their ids), not only on the derandomized seed. 120
# reach one in both.
STATEFUL_SCENARIOS = 120
STATEFUL_MAX_STEPS = 10
# Operations a resident calls on their own case; the rest of the case routes
# are an officer's. The stateful chains need each step called by the person
# who may make it, or every chain would stop at its first 403.
RESIDENT_OPERATIONS = {
    "POST /api/v1/reports/cases",
    "POST /api/v1/reports/public/{public_id}/support",
    "POST /api/v1/helpdesk/cases/{number}/reopen",
    "POST /api/v1/helpdesk/cases/{number}/rate",
}


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
    # The schema's own 422 (config/api.py, on_validation_error) names fields
    # with the parser's words for each; a business rule's refusal that names
    # its field (DomainError.field) gives its one sentence as the field's
    # problem. Only the first is a parser refusing.
    fields = (body.get("details") or {}).get("fields") or []
    parser_refused = code == "invalid_input" and any(
        isinstance(f, dict) and f.get("problem") != body.get("message") for f in fields
    )
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
    # 429) count under this test's own prefix (tests/conftest.py), not the developer's.
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


@pytest.mark.django_db
def test_api_call_chains_answer_as_documented(
    tokens: dict[str, str], personas: Personas, commune_a: Any
) -> None:
    """The stateful phase: sequences of calls linked through real responses.

    A few real cases of commune A give the chains something to act on: the
    officer's case list hands their numbers to accept, assign, transfer,
    resolve, and the resident's steps (rate, reopen) follow on the same case.
    """
    for description in ("Ổ gà trước cổng chợ", "Đèn đường hỏng", "Rác ở bờ kênh"):
        factories.case_file(reporter=personas.resident, commune=commune_a, description=description)
    calls: list[tuple[str, int]] = []

    class Chains(schema.as_state_machine()):  # type: ignore[misc]
        # Every scenario starts from the same three open cases: hypothesis
        # replays scenarios and needs a step to find what it found before.
        def setup(self) -> None:
            self.savepoint = transaction.savepoint_create()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case: schemathesis.Case[Any]) -> None:
            # Each step is signed in by the token below; a session cookie the
            # generator made up would be a second, invalid credential beside it.
            if case.cookies:
                case.cookies.pop("sessionid", None)
            # The officer's list is where real case numbers come from. Its
            # filters are fuzzed by the test above; here random filters would
            # leave it empty and every chain would end on an unknown number.
            if case.operation.label == "GET /api/v1/helpdesk/cases":
                case.query = {}

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            who = "resident" if case.operation.label in RESIDENT_OPERATIONS else "officer"
            return {"headers": {"Authorization": f"Bearer {tokens[who]}"}}

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            calls.append((case.operation.label, response.status_code))

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case[Any],
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            # The headers go in as the checks' "explicit" ones: the auth
            # check then knows the token is ours, not a generated one.
            case.validate_response(
                response,
                headers=kwargs.get("headers"),
                excluded_checks=[positive_data_acceptance],
                additional_checks=[valid_input_is_never_refused_as_malformed],
            )

    Chains.TestCase.settings = settings(
        max_examples=STATEFUL_SCENARIOS,
        stateful_step_count=STATEFUL_MAX_STEPS,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    run_state_machine_as_test(Chains, settings=Chains.TestCase.settings)

    # The chains must have reached past the first call: a case action that
    # succeeded on a case another call handed over.
    succeeded = {label for label, status in calls if status < 300}
    case_actions = {
        label for label in succeeded if label.startswith("POST /api/v1/helpdesk/cases/")
    }
    print(f"stateful: {len(calls)} calls, {len(succeeded)} operations answered 2xx")
    assert calls
    assert all(status < 500 for _, status in calls)
    assert case_actions, f"no case action succeeded in {len(calls)} calls"
