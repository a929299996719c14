"""The OpenAPI 3.1 document, assembled from the operations the views declare
(``web.api.document``) and the JSON Schemas of the contract models (``workflow.contracts``)."""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from flask import Response, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from web.api import PREFIX, bp
from web.api.document import OPERATIONS, Answer, Operation, Schema, documented
from web.api.openapi_links import add_links
from workflow.contracts.base import Error, Id, Output
from workflow.permissions import ROLES

REF = "#/components/schemas/{model}"
PATH_PARAMETERS: dict[str, str | None] = {
    "idea_id": None,
    "meeting_id": None,
    "contact_id": "The contact's id (the `contact_id` of the follower).",
}
AUTH_ERRORS = {
    "401": Answer("No or bad token.", Error),
    "403": Answer("Not allowed.", Error),
    "503": Answer(
        "The database cannot be reached; try again after Retry-After seconds.",
        Error,
        headers={"Retry-After": {"schema": {"type": "integer"}}},
    ),
}


def _ref(model: type[BaseModel]) -> Schema:
    return {"$ref": REF.format(model=model.__name__)}


def _tidy(schema: Any) -> Any:
    """``schema`` without ``"default": null`` (a default, not a value clients should send)."""
    if isinstance(schema, dict):
        return {
            key: _tidy(value)
            for key, value in schema.items()
            if not (key == "default" and value is None)
        }
    if isinstance(schema, list):
        return [_tidy(item) for item in schema]
    return schema


def _components(operations: list[Operation]) -> Schema:
    models: dict[type[BaseModel], Literal["validation", "serialization"]] = {Error: "serialization"}
    for operation in operations:
        if operation.body is not None:
            models[operation.body] = "validation"
        for answer in operation.answers.values():
            if answer.model is not None:
                models[answer.model] = "serialization"
    _, schemas = models_json_schema(list(models.items()), ref_template=REF)
    return _tidy(schemas.get("$defs", {}))  # type: ignore[no-any-return]


def _query(model: type[BaseModel]) -> list[Schema]:
    schema = _tidy(model.model_json_schema(ref_template=REF))
    parameters = []
    for name, prop in schema["properties"].items():
        prop.pop("title", None)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": "query", "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _path_parameters(path: str) -> list[Schema]:
    id_schema = _tidy(_IdSchema.model_json_schema()["properties"]["id"])
    id_schema.pop("title", None)
    parameters = []
    for name, description in PATH_PARAMETERS.items():
        if "{" + name + "}" in path:
            parameter = {"name": name, "in": "path", "required": True, "schema": id_schema}
            if description:
                parameter["description"] = description
            parameters.append(parameter)
    return parameters


class _IdSchema(Output):
    id: Id


def _response(answer: Answer) -> Schema:
    response: Schema = {"description": answer.description}
    if answer.model is not None:
        response["content"] = {"application/json": {"schema": _ref(answer.model)}}
    elif answer.content is not None:
        response["content"] = answer.content
    if answer.headers:
        response["headers"] = answer.headers
    return response


def _operation(operation: Operation) -> Schema:
    document: Schema = {"operationId": operation.operation_id, "summary": operation.summary}
    if operation.description:
        document["description"] = operation.description
    if operation.query is not None:
        document["parameters"] = _query(operation.query)
    if operation.body is not None:
        schema = _ref(operation.body)
        document["requestBody"] = {
            "required": True,
            "content": {operation.body_media_type: {"schema": schema}},
        }
    answers = operation.answers if operation.public else {**operation.answers, **AUTH_ERRORS}
    document["responses"] = {status: _response(answer) for status, answer in answers.items()}
    if operation.public:
        document["security"] = []
    return document


def _paths(operations: list[Operation]) -> Schema:
    paths: Schema = {}
    for operation in operations:
        item = paths.setdefault(operation.path, {})
        parameters = _path_parameters(operation.path)
        if parameters:
            item["parameters"] = parameters
        item[operation.method] = _operation(operation)
    return paths


@cache
def openapi_spec() -> Schema:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ideaflow API",
            "version": "1",
            "description": "Ideas from stakeholder meetings, driven from proposed to scaled. "
            f"Roles: {', '.join(ROLES)}.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}],
        "paths": add_links(_paths(OPERATIONS)),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _components(OPERATIONS),
        },
    }


@bp.get("/openapi.json")
@documented(
    "get",
    "/openapi.json",
    "openapi",
    "This document.",
    {"200": Answer("The OpenAPI document.")},
    public=True,
)
def openapi_document() -> Response:
    """Serve the OpenAPI document (no token needed)."""
    return jsonify(openapi_spec())
