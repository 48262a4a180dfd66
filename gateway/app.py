"""The HTTP application (built by a factory; nothing runs at import)."""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from aggregates.errors import DomainError


def create_app(container: Any) -> FastAPI:
    """``container`` is infra.container.Container: the gateway only sees what it exposes."""
    app = FastAPI(
        title="Parlo",
        description="Asistente de citas por WhatsApp para negocios de belleza en México.",
        version="0.1.0",
        docs_url=None,  # /docs and /redoc are served by gateway.web from local files (no CDN)
        redoc_url=None,
    )
    app.state.container = container
    _install_security(app, container)

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, error: DomainError) -> JSONResponse:
        return JSONResponse(status_code=error.http_status, content={"detail": error.message, "code": error.code})

    @app.get(
        "/health",
        tags=["health"],
        responses={
            200: {"content": {"application/json": {"example": {"status": "ok", "store": "reachable"}}}},
            503: {"description": "El almacén de eventos no responde", "content": {"application/json": {"example": {"status": "unavailable", "store": "unreachable"}}}},
        },
    )
    async def health() -> JSONResponse:
        # Public: never the exception text (store_is_reachable logs it).
        try:
            ok, _detail = await anyio.to_thread.run_sync(container.store_is_reachable)
        except Exception:  # noqa: BLE001 - e.g. the container could not even be built
            logging.getLogger("parlo.health").exception("health check failed")
            ok = False
        if ok:
            return JSONResponse(status_code=200, content={"status": "ok", "store": "reachable"})
        return JSONResponse(status_code=503, content={"status": "unavailable", "store": "unreachable"})

    from gateway.web import install_web  # web pages, static files, local API docs (before the API: GET /login)

    install_web(app)

    from gateway.api import install_api  # REST API under /api/v1 (routers, request ids, catch-all)

    install_api(app)

    from gateway.whatsapp.routes import install as install_whatsapp  # webhook, status callbacks, dev chat

    install_whatsapp(app, container)

    return app


def _install_security(app: FastAPI, container: Any) -> None:
    """Forwarded headers only from ``PARLO_TRUSTED_PROXIES`` (none by default: the client is the TCP
    peer), and no credential in the access log whatever server runs the app."""
    from gateway.security.redaction import install_access_log_redaction

    install_access_log_redaction()
    trusted = list(getattr(container.settings, "trusted_proxy_list", []) or [])
    if trusted:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
