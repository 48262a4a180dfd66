"""The REST API under ``/api/v1``: routers for owners, staff and Parlo admins.

``install_api(app)`` is the one call ``gateway.app.create_app`` makes: it adds the request-id /
catch-all middleware, the Spanish validation-error handler and every router.

Conventions
-----------
* Writes go through commands (``container.app.execute`` in a worker thread) as
  ``Actor.staff(<token's staff id>)`` or ``Actor.admin(<name>)``, with the request id as ``cause``;
  then the route waits until the projections applied the command's events, so the response and the
  next GET see the write.
* Reads come from ``container.reads`` (ReadStore) and ``readmodels.search``.
* Times are ISO 8601 with offset, in the business's time zone. Errors are ``{"detail": "<español>"}``.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders

log = logging.getLogger("parlo.api")

API_PREFIX = "/api/v1"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,120}$")
INTERNAL_ERROR_ES = "Ocurrió un error inesperado. Intenta de nuevo en unos minutos."


class RequestContextMiddleware:
    """Gives every request an id (``X-Request-ID`` or a new one, echoed back) and turns any
    unexpected exception into a 500 with a generic Spanish message (the details go to the log)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers", []):
            if name.lower() == b"x-request-id":
                given = value.decode("latin-1").strip()
                break
        request_id = given if _REQUEST_ID_OK.match(given or "") else f"req-{uuid.uuid4().hex}"
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # noqa: BLE001 - the catch-all is the point
            log.exception("unhandled error in %s %s (request %s)", scope.get("method"), scope.get("path"), request_id)
            if started:
                return
            response = JSONResponse(
                status_code=500,
                content={"detail": INTERNAL_ERROR_ES, "code": "internal_error", "request_id": request_id},
            )
            await response(scope, receive, send_with_id)


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
}


def spanish_validation_message(errors: list[dict]) -> str:
    parts = []
    for error in errors[:5]:
        location = [
            str(p)
            for p in error.get("loc", ())
            if p not in ("body", "query", "path", "header") and not (isinstance(p, str) and ("[" in p or p.startswith("function-")))
        ]
        where = ".".join(location) or "la solicitud"
        what = _ERROR_ES.get(error.get("type", ""))
        if what is None:
            message = str(error.get("msg", ""))
            what = message.removeprefix("Value error, ") if message.startswith("Value error, ") else "no es válido"
        parts.append(f"«{where}» {what}")
    return "Datos inválidos: " + "; ".join(parts) + "."


def _encodable(text: str) -> str:
    """The echoed input without lone surrogates (UTF-8 cannot encode them: the answer would be a 500)."""
    return text.encode("utf-8", "replace").decode("utf-8")


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    if not request.url.path.startswith(API_PREFIX) or request.url.path.startswith(f"{API_PREFIX}/webhooks"):
        return await request_validation_exception_handler(request, error)
    errors = jsonable_encoder(error.errors(), custom_encoder={Exception: str, str: _encodable})
    return JSONResponse(
        status_code=422,
        content={"detail": spanish_validation_message(errors), "code": "invalid_input", "errors": errors},
    )


async def _coded_error(_request: Request, error: Exception) -> JSONResponse:
    """Errors of the read side that carry ``http_status`` and a Spanish ``message`` (availability)."""
    return JSONResponse(
        status_code=int(getattr(error, "http_status", 422)),
        content={"detail": getattr(error, "message", str(error)), "code": getattr(error, "code", "invalid_input")},
    )


WRITE_ACCEPTED_ES = "Tu cambio se guardó; puede tardar unos segundos en verse."


async def _write_accepted(_request: Request, error: Exception) -> JSONResponse:
    result = getattr(error, "result", None)
    ident = getattr(result, "id", None)
    return JSONResponse(
        status_code=202,
        content={"detail": WRITE_ACCEPTED_ES, "id": str(ident) if ident is not None else None, "position": getattr(result, "position", None)},
    )


def install_api(app: FastAPI) -> None:
    from gateway.api import (
        admin,
        appointments,
        audit,
        auth,
        availability,
        common,
        conversations,
        customers,
        locations,
        login_page,
        organizations,
        services,
        spots,
        staff,
    )

    app.add_middleware(RequestContextMiddleware)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(common.WriteAccepted, _write_accepted)
    try:
        from readmodels.availability import AvailabilityError

        app.add_exception_handler(AvailabilityError, _coded_error)
    except ImportError:  # pragma: no cover - availability not installed
        pass
    for module in (
        auth,
        organizations,
        locations,
        services,
        staff,
        customers,
        appointments,
        availability,
        spots,
        conversations,
        admin,
        audit,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(login_page.router)  # GET /login: where the WhatsApp magic links land
