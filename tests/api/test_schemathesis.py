"""schemathesis against the served API with a real bearer token: every phase (coverage,
fuzzing, stateful chains along the document's links), every check, deterministic.

The run must find no server error and no disagreement between the server and its OpenAPI
document: statuses documented, bodies conforming, what the schema allows accepted and what it
forbids refused. Two things the schema cannot say are configured rather than hidden:

- Text never holds NUL (U+0000); the document says so and schemathesis generates none
  (``allow-x00 = false``). tests/api/test_api_hostile_input.py checks the refusal.
- Some rules depend on data, not on the request's shape: an owner must be an active owner or
  manager, an idea to merge into must exist, minutes must be readable. Their 422 answers are
  documented, and ``DATA_RULES`` below lets exactly those fields (or error codes) through;
  any other 422 for a schema-valid request is still a disagreement.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import strategies as st
from schemathesis.engine import events
from schemathesis.engine import from_schema as engine_for
from schemathesis.specs.openapi.checks import positive_data_acceptance
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.integration import report_scenario as scenario
from workflow.permissions import Actor
from workflow.services import users
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
# Per operation and phase: the run takes about 20 s per backend. For a deeper look, e.g.
# IDEAFLOW_SCHEMATHESIS_EXAMPLES=500 IDEAFLOW_SCHEMATHESIS_SEED=7 pytest -s tests/api/test_sch...
EXAMPLES = int(os.environ.get("IDEAFLOW_SCHEMATHESIS_EXAMPLES", "15"))
SEED = int(os.environ.get("IDEAFLOW_SCHEMATHESIS_SEED", "20260101"))
# Schema-valid requests the server may refuse with 422, and only naming these fields (or with
# these error codes): rules on the data the document states in words (see its 422 answers).
DATA_RULES: dict[str, frozenset[str]] = {
    "POST /ideas": frozenset({"owner"}),
    "PATCH /ideas/{idea_id}": frozenset({"owner"}),
    "POST /ideas/{idea_id}/transitions": frozenset(
        {"data.owner", "data.into", "data.revisit_on", "data.ends_on"}
    ),
    "POST /imports": frozenset({"invalid_minutes"}),
}


def _refused_by_a_data_rule(response: Any, case: Any) -> bool:
    if response.status_code != 422:
        return False
    allowed = DATA_RULES.get(case.operation.label, frozenset())
    error = (response.json() or {}).get("error", {})
    if error.get("code") in allowed:
        return True
    fields = set(error.get("fields") or {})
    return error.get("code") == "validation_failed" and bool(fields) and fields <= allowed


@schemathesis.check
def positive_data_acceptance_but_data_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's positive_data_acceptance, letting through only DATA_RULES' 422s."""
    if _refused_by_a_data_rule(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """No access log in the test output."""


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The app served on a free local port (one request at a time); its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=False, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()
    server.server_close()


@dataclass
class Run:
    """What a schemathesis run did and found."""

    operations: set[str] = field(default_factory=set)
    checks: int = 0
    server_errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    def record(self, event: events.ScenarioFinished) -> None:
        recorder = event.recorder
        if event.phase.name != "STATEFUL_TESTING":
            self.operations.add(recorder.label)
        for case_id, checks in recorder.checks.items():
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            if response is not None and response.status_code >= 500:
                self.server_errors += 1
            for check in checks:
                self.checks += 1
                if check.failure_info is None:
                    continue
                case = recorder.cases[case_id].value
                key = f"{case.operation.label}: {check.name}"
                self.failures[key] += 1
                if self.failures[key] == 1:
                    body = response.content[:400] if response is not None else b""
                    self.examples.append(
                        f"{key} ({event.phase.name}): {case.method} {case.formatted_path} "
                        f"query={case.query} body={case.body!r:.400} -> "
                        f"{response.status_code if response else None} {body!r}"
                    )


def plausible(operation: str, body: Any, owner_email: str) -> Any:
    """``body`` as a client who knows the world would send it, so that stateful chains get past
    the gates whose rules are about data: a pilot run by an existing owner between ordered
    dates, parking until a date after today. (Uploads are left alone: schemathesis takes any
    edited body holding a file for an invalid one.)"""
    if operation != "POST /ideas/{idea_id}/transitions" or not isinstance(body, dict):
        return body
    data = body.get("data")
    if body.get("trigger") == "start_pilot" and isinstance(data, dict):
        return {**body, "data": {**data, "owner": owner_email,
                                 "starts_on": "2030-01-01", "ends_on": "2030-06-30"}}  # fmt: skip
    if body.get("trigger") == "park" and isinstance(data, dict):
        return {**body, "data": {**data, "revisit_on": "2099-01-01"}}
    return body


def run_schemathesis(base_url: str, token: str, owner_email: str) -> Run:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": f"{base_url}/api/v1",
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "allow-x00": False,
                "database": "none",
            },
            "checks": {"positive_data_acceptance": {"enabled": False}},
            "phases": {"stateful": {"max-steps": 12}},
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)

    @schema.hook
    def flatmap_case(context: Any, case: Any) -> Any:
        """A valid case as generated, or made plausible (see above); invalid ones as they are."""
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return st.just(case)

        def made_plausible(plausible_body: Any) -> Any:
            case.body = plausible_body
            return case

        changed = plausible(case.operation.label, case.body, owner_email)
        return st.sampled_from([case.body, changed]).map(made_plausible)

    run = Run()
    for event in engine_for(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            run.record(event)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.errors.append(repr(event))
    return run


def test_the_api_agrees_with_its_openapi_document(
    served: str, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner", "owner@randers.dk")
    manager = make_user("manager", "manager@randers.dk")
    scenario.import_sample(uow)  # a meeting with ideas, participants and stored minutes
    with uow() as unit:
        token = users.issue_token(unit, manager.email).secret
    run = run_schemathesis(served, token, owner.email)
    summary = (
        f"{len(run.operations)} operations, {run.checks} checks, "
        f"{run.server_errors} server errors, {sum(run.failures.values())} failures"
    )
    print(f"schemathesis: {summary}")  # the figures, shown with pytest -s
    assert not run.errors, run.errors
    assert len(run.operations) >= 16, run.operations
    assert run.server_errors == 0 and not run.failures, "\n".join([summary, *run.examples])
