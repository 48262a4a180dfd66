"""The OpenAPI document, completed with the error responses each operation really sends.

FastAPI documents only the 2xx answer and a 422 whose ``detail`` is an array; this API always answers
``{"detail": "<español>", "code": ...}`` (``gateway.api.errors``). ``install_openapi`` replaces
``app.openapi`` (FastAPI's documented extension point) with a builder that adds, per operation:

* 422 ``ValidationErrorResponse`` when it takes parameters or a body;
* 401 and 403 when it needs a token (it declares the bearer security scheme);
* 404 when it has path parameters (an unknown or foreign id) or runs commands;
* 409 and 202 (saved, read model lagging) when it writes with a token;
* 500 everywhere (the generic Spanish error with its request id);
* whatever a route declares itself in ``responses=`` (kept as written).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from gateway.api.errors import ErrorResponse, ValidationErrorResponse

WRITES = {"post", "put", "patch", "delete"}
DESCRIPTIONS = {
    202: "Guardado; puede tardar unos segundos en verse (las lecturas aún no lo reflejan)",
    401: "Falta el token o no es válido",
    403: "Sin permiso para esto (o negocio suspendido)",
    404: "No existe, o no es de este negocio",
    409: "Conflicto con el estado actual (horario ocupado, cita ya cancelada, ...)",
    422: "Datos inválidos",
    429: "Demasiados intentos",
    500: "Error inesperado",
}
# Routes whose statuses come from their own logic rather than from their parameters (owned elsewhere).
EXTRA_STATUSES: dict[tuple[str, str], set[int]] = {
    ("post", "/api/v1/auth/verify-magic-link"): {401, 404, 409},
    ("post", "/api/v1/admin/auth/login"): {401, 429},
    ("post", "/api/v1/auth/request-magic-link"): {429},
}


class WriteAcceptedResponse(BaseModel):
    detail: str = Field(description="Aviso en español")
    id: str | None = Field(None, description="Id de lo creado o cambiado")
    position: int | None = Field(None, description="Posición del evento en el registro")


class InternalErrorResponse(ErrorResponse):
    request_id: str = Field(description="Id de la solicitud (X-Request-ID), para soporte")


SHAPES: dict[int, type[BaseModel]] = {202: WriteAcceptedResponse, 422: ValidationErrorResponse, 500: InternalErrorResponse}


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def statuses_for(method: str, path: str, operation: dict) -> set[int]:
    """The error (and 202) statuses an operation can answer, from what it declares."""
    params = operation.get("parameters", [])
    found = {500}
    if params or "requestBody" in operation:
        found.add(422)
    secured = bool(operation.get("security"))
    if secured:
        found |= {401, 403}
    if any(p.get("in") == "path" for p in params):
        found.add(404)
    if secured and method in WRITES:
        found |= {202, 404, 409}
    found |= EXTRA_STATUSES.get((method, path), set())
    return found


def build_openapi(app: FastAPI) -> dict:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=app.openapi_tags
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _, definitions = models_json_schema(
        [(m, "serialization") for m in (ErrorResponse, ValidationErrorResponse, WriteAcceptedResponse, InternalErrorResponse)],
        ref_template="#/components/schemas/{model}",
    )
    components.update(definitions.get("$defs", {}))
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in WRITES | {"get", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            declared = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if declared.get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]  # FastAPI's default (detail as an array) is not what is sent
            for status in sorted(statuses_for(method, path, operation)):
                if str(status) in responses:
                    continue
                model = SHAPES.get(status, ErrorResponse)
                responses[str(status)] = {
                    "description": DESCRIPTIONS.get(status, "Error"),
                    "content": {"application/json": {"schema": _ref(model)}},
                }
    if not _uses(schema, "HTTPValidationError"):
        components.pop("HTTPValidationError", None)
        if not _uses(schema, "ValidationError"):
            components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def _uses(schema: dict, name: str) -> bool:
    target = f"#/components/schemas/{name}"
    stack: list[Any] = [schema.get("paths", {}), {k: v for k, v in schema["components"]["schemas"].items() if k not in (name, "HTTPValidationError")}]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if value.get("$ref") == target:
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]
