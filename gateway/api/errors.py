"""The API's error shapes and the handlers that send them.

Every error the API answers is ``{"detail": "<español>", "code": "<code>"}`` (``ErrorResponse``);
validation errors add a short, size-capped ``errors`` list (``ValidationErrorResponse``). The same
models document the responses in OpenAPI (``gateway.api.openapi``), so the document and the wire agree.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

ECHO_LIMIT = 80  # characters of a bad value echoed back (never the whole input)
MAX_ERRORS = 10


class ErrorResponse(BaseModel):
    """What every 4xx/5xx of the API answers."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{"detail": "No encontré esa cita.", "code": "not_found"}]})

    detail: str = Field(description="Qué pasó, en español, para mostrarlo tal cual")
    code: str | None = Field(None, description="Código estable para programas (p. ej. not_found, conflict, invalid_input)")


class FieldError(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Tipo de error de validación (p. ej. missing, string_too_long)")
    loc: list[str | int] = Field(description="Dónde está el dato: [\"body\", \"campo\"]")
    msg: str
    input: Any = Field(None, description="El valor recibido, recortado a 80 caracteres (solo valores simples)")


class ValidationErrorResponse(ErrorResponse):
    """A 422 for data that does not fit the schema: ``detail`` is one Spanish sentence."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{"detail": "Datos inválidos: «name» falta este dato.", "code": "invalid_input", "errors": [{"type": "missing", "loc": ["body", "name"], "msg": "Field required"}]}]},
    )

    errors: list[FieldError] = Field(default_factory=list, description="Los primeros errores, sin repetir entradas grandes")


_ERROR_ES = {
    "missing": "falta este dato",
    "extra_forbidden": "no es un campo permitido",
    "uuid_parsing": "no es un id válido",
    "uuid_type": "no es un id válido",
    "datetime_parsing": "no es una fecha y hora válida (ISO 8601, p. ej. 2026-01-15T10:00:00-06:00)",
    "datetime_from_date_parsing": "no es una fecha y hora válida (ISO 8601, p. ej. 2026-01-15T10:00:00-06:00)",
    "datetime_type": "no es una fecha y hora válida",
    "timezone_aware": "debe incluir la zona horaria (p. ej. -06:00)",
    "date_parsing": "no es una fecha válida (AAAA-MM-DD)",
    "date_from_datetime_parsing": "no es una fecha válida (AAAA-MM-DD)",
    "date_from_datetime_inexact": "no es una fecha válida (AAAA-MM-DD)",
    "date_type": "no es una fecha válida (AAAA-MM-DD)",
    "int_parsing": "debe ser un número entero",
    "int_type": "debe ser un número entero",
    "int_from_float": "debe ser un número entero",
    "bool_parsing": "debe ser verdadero o falso",
    "bool_type": "debe ser verdadero o falso",
    "string_type": "debe ser texto",
    "string_too_short": "es demasiado corto",
    "string_too_long": "es demasiado largo",
    "string_pattern_mismatch": "no tiene el formato esperado",
    "greater_than_equal": "es demasiado pequeño",
    "greater_than": "es demasiado pequeño",
    "less_than_equal": "es demasiado grande",
    "less_than": "es demasiado grande",
    "literal_error": "no es un valor permitido",
    "enum": "no es un valor permitido",
    "list_type": "debe ser una lista",
    "dict_type": "debe ser un objeto",
    "model_type": "debe ser un objeto JSON",
    "json_invalid": "el cuerpo no es JSON válido",
    "string_unicode": "tiene caracteres no válidos",
    "too_long": "tiene demasiados elementos",
    "invalid_text": "tiene caracteres que no son texto válido",
}


def clean_text(value: str, limit: int = ECHO_LIMIT) -> str:
    """Text safe to send back: valid UTF-8 (lone surrogates become «?») and at most ``limit`` characters."""
    text = value.encode("utf-8", "replace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _echo(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return None  # objects and lists are never echoed (they can be huge)


def _location(loc: Any) -> list[str | int]:
    return [p if isinstance(p, int) else clean_text(str(p), 60) for p in (loc or ())]


def safe_errors(errors: list[dict]) -> list[dict]:
    """Pydantic's errors, trimmed: location, type, message and at most a short echo of the value."""
    out = []
    for error in errors[:MAX_ERRORS]:
        item: dict[str, Any] = {
            "type": clean_text(str(error.get("type", "")), 60),
            "loc": _location(error.get("loc")),
            "msg": clean_text(str(error.get("msg", "")), 200),
        }
        echoed = _echo(error.get("input"))
        if echoed is not None:
            item["input"] = echoed
        ctx = error.get("ctx")
        if isinstance(ctx, dict):
            item["ctx"] = {clean_text(str(k), 40): clean_text(str(v), 120) for k, v in list(ctx.items())[:5]}
        out.append(item)
    return out


def spanish_validation_message(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        location = [
            clean_text(str(p), 60)
            for p in error.get("loc", ())
            if p not in ("body", "query", "path", "header") and not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        ]
        where = ".".join(location) or "la solicitud"
        what = _ERROR_ES.get(error.get("type", ""))
        if what is None:
            message = clean_text(str(error.get("msg", "")), 200)
            what = message.removeprefix("Value error, ") if message.startswith("Value error, ") else "no es válido"
        parts.append(f"«{where}» {what}")
    return "Datos inválidos: " + "; ".join(parts) + "."


def validation_response(errors: list[dict]) -> JSONResponse:
    errors = jsonable_encoder(errors, custom_encoder={Exception: str})
    return JSONResponse(
        status_code=422,
        content={"detail": spanish_validation_message(errors), "code": "invalid_input", "errors": safe_errors(errors)},
    )


async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    return validation_response(list(error.errors()))


# ---- text that is not text ------------------------------------------------------------------------

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _lone_surrogate(value: Any, path: list) -> list | None:
    """The location of the first string holding a lone UTF-16 surrogate (JSON allows ``"\\ud800"``;
    UTF-8, PostgreSQL and our responses cannot hold it)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _lone_surrogate(key, [*path, key]) or _lone_surrogate(item, [*path, key])
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _lone_surrogate(item, [*path, index])
            if found is not None:
                return found
    return None


class TextGuardMiddleware:
    """Refuses (422) a JSON body with a lone surrogate escape before any route sees it, so no handler,
    store or error echo ever has to encode it. Bodies without such an escape pass untouched."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") not in _WRITES or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if _SURROGATE_ESCAPE.search(body):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None  # not JSON: the route's own validation answers
            where = _lone_surrogate(parsed, ["body"]) if parsed is not None else None
            if where is not None:
                response = validation_response(
                    [{"type": "invalid_text", "loc": where, "msg": "String contains a lone surrogate (not valid Unicode text)"}]
                )
                await response(scope, receive, send)
                return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _is_json(scope: dict) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            return b"json" in value.lower()
    return False


def _replay(messages: list[dict], receive: Any) -> Any:
    pending = list(messages)

    async def replay() -> dict:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
