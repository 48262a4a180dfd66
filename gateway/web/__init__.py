"""The web apps, server-rendered by the API process: the landing page, the owner and staff app
(``/app/``), the platform admin console (``/admin/``) and the API docs from local files.

Pages read the read models and write only through the same commands as the REST API.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Install before the REST API: ``GET /login`` (where magic links land) is served by the web app."""
    from gateway.web import pages_admin, pages_app, pages_app_more, pages_public
    from gateway.web.context import Forbidden
    from gateway.web.session import CsrfRefused, LoginRequired
    from gateway.web.templating import render

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (pages_public, pages_app, pages_app_more, pages_admin):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, error: LoginRequired) -> Response:
        target = "/admin/login" if error.where == "admin" else "/app/login"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        wants_json = "json" in request.headers.get("content-type", "") or request.headers.get("accept", "").startswith("application/json")
        if wants_json:
            return JSONResponse({"detail": error.message or "Inicia sesión para continuar."}, status_code=401)
        response = RedirectResponse(target, status_code=303)
        if error.message:
            from gateway.web.session import clear_session

            clear_session(response, error.where)
            response.headers["Location"] = f"{target}?error={_quote(error.message)}"
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return render(request, "error.html", status_code=403, title="Sin permiso", message=str(error), back="/app/")

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, error: CsrfRefused) -> Response:
        if request.headers.get("hx-request") or "json" in request.headers.get("content-type", ""):
            return JSONResponse({"detail": str(error)}, status_code=403)
        return render(request, "error.html", status_code=403, title="Formulario no válido", message=str(error))


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:200])


__all__ = ["install_web"]
