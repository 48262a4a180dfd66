"""The REST API under ``/api/v1``: routers for owners, staff and Parlo admins.

``install_api(app)`` is the one call ``gateway.app.create_app`` makes: it adds the request-id /
catch-all middleware, the Spanish validation-error handler and every router.

Conventions
-----------
* Writes go through commands (``container.app.execute`` in a worker thread) as
  ``Actor.staff(<token's staff id>)`` or ``Actor.admin(<name>)``, with the request id as ``cause``;
  then the route waits until the projections applied the command's events, so the response and the
  next GET see the write.
* Reads come from the typed dependencies of ``gateway.api.deps`` (``Container``, ``Reads``) and ``readmodels.search``;
  routes declare ``response_model``s (``gateway.api.models``) and the OpenAPI document lists every error they send.
* Times are ISO 8601 with offset, in the business's time zone. Errors are ``{"detail": "<español>"}``.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders

from gateway.api.errors import TextGuardMiddleware, spanish_validation_message, validation_error

__all__ = ["API_PREFIX", "INTERNAL_ERROR_ES", "install_api", "spanish_validation_message"]

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

    app.add_middleware(TextGuardMiddleware)  # inner: its 422 still gets the request id
    app.add_middleware(RequestContextMiddleware)
    app.add_exception_handler(RequestValidationError, validation_error)
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
    from gateway.api.openapi import install_openapi

    install_openapi(app)  # documents the error responses each operation really sends
