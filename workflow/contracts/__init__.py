"""The API's contract: one pydantic model for what each operation takes and one for what it
answers.

The OpenAPI document is generated from these models (``web.api.openapi``), so the document
and the server cannot drift apart. Input models say exactly what a request may hold; the
services' own checks (``workflow.gates``, ``workflow.services``) still turn a request into clean
values or into one translated message per field, and enforce the rules a schema cannot say
(an owner must be an active user, a date must lie ahead). Output models are what the API
serialises, built from the services' read models (``Model.of(result)``).
"""
