"""The OpenAPI document is valid and describes exactly the operations the app serves."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from web.api.openapi import openapi_spec
from workflow.states import TRIGGERS


def test_the_document_is_valid_openapi(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())


def test_every_api_route_is_documented_and_nothing_else(app: Flask) -> None:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            served |= {
                (path, m.lower()) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}
            }
    documented = {
        (path, method)
        for path, operations in openapi_spec()["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert served == documented


def test_each_trigger_has_a_request_schema_with_its_gate(client: FlaskClient) -> None:
    schemas = openapi_spec()["components"]["schemas"]
    for trigger in TRIGGERS:
        schema = schemas[f"Transition_{trigger.name}"]
        data = schemas[f"Transition_{trigger.name}_data"]
        expected = [f.name for f in trigger.fields if f.in_data and f.required]
        assert data.get("required", []) == expected
        assert set(data["properties"]) == {f.name for f in trigger.fields if f.in_data}
        assert data["additionalProperties"] is False
        assert ("reason" in schema["required"]) == trigger.requires_reason
        assert ("data" in schema["required"]) == bool(expected)
        assert schema["properties"]["trigger"]["const"] == trigger.name
    assert schemas["Transition_assess_data"]["properties"]["impact"]["maximum"] == 5
    mapping = schemas["Transition"]["discriminator"]["mapping"]
    assert set(mapping) == {trigger.name for trigger in TRIGGERS}
