"""``GET /login``: where a magic link sent by WhatsApp lands.

A small Spanish page for phones: it reads ``#token=`` (the URL fragment, which browsers never send
to the server, so no access log can hold it; ``?token=`` from older links still works and is
redacted in the access log), removes it from the address bar at once,
redeems it with ``POST /api/v1/auth/verify-magic-link`` and keeps the JWT in ``sessionStorage``
(``parlo_token``). Everything it shows is set with ``textContent`` (never HTML); the token never
leaves the page in a Referer header (``Referrer-Policy: no-referrer``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(tags=["auth"])

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}

LOGIN_HTML = """<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>Parlo · Entrar al panel</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
         font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f0f2f5; color: #111b21; }
  main { width: 100%; max-width: 420px; margin: 16px; padding: 28px 22px; background: #fff; border-radius: 14px;
         box-shadow: 0 2px 10px rgba(0,0,0,.08); text-align: center; }
  h1 { font-size: 22px; margin: 0 0 6px; color: #075e54; }
  #status { font-size: 17px; line-height: 1.4; margin: 18px 0 8px; }
  #detail { font-size: 15px; color: #54656f; line-height: 1.4; margin: 0 0 18px; }
  .error #status { color: #b3261e; }
  a.button { display: inline-block; padding: 12px 20px; border-radius: 22px; background: #00a884; color: #fff;
             text-decoration: none; font-size: 16px; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main id="card" aria-live="polite">
  <h1>Parlo</h1>
  <p id="status">Verificando tu enlace…</p>
  <p id="detail"></p>
  <p><a id="docs" class="button" href="/docs" hidden>Abrir la documentación de la API</a></p>
</main>
<script>
(function () {
  "use strict";
  var card = document.getElementById("card");
  var statusEl = document.getElementById("status");
  var detailEl = document.getElementById("detail");
  var docs = document.getElementById("docs");
  var ASK_AGAIN = "Pide un enlace nuevo y ábrelo antes de 15 minutos: cada enlace funciona una sola vez.";

  function show(status, detail) { statusEl.textContent = status; detailEl.textContent = detail || ""; }
  function fail(status, detail) { card.className = "error"; show(status, detail); }

  var fragment = new URLSearchParams((window.location.hash || "").replace(/^#/, ""));
  var query = new URLSearchParams(window.location.search);
  var token = (fragment.get("token") || query.get("token") || "").trim();
  // The token must not stay in the address bar, the history or a bookmark.
  try { window.history.replaceState(null, "", window.location.pathname); } catch (e) { /* sin historial */ }
  if (!token) { fail("Este enlace no tiene código de acceso.", ASK_AGAIN); return; }

  function detailOf(body) {
    return body && typeof body.detail === "string" ? body.detail : "";
  }

  fetch("/api/v1/auth/verify-magic-link", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token: token}),
    credentials: "omit"
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (response.status === 200 && body.access_token) { return loggedIn(body); }
      if (response.status === 401 || response.status === 422) {
        fail("Este enlace ya se usó, venció o no es válido.", (detailOf(body) ? detailOf(body) + " " : "") + ASK_AGAIN);
      } else if (response.status === 403) {
        fail("No es posible iniciar sesión.", detailOf(body));
      } else {
        fail("No pudimos iniciar tu sesión.", detailOf(body) || "Intenta de nuevo en unos minutos.");
      }
    });
  }).catch(function () {
    fail("No pudimos conectar con Parlo.", "Revisa tu conexión a internet y vuelve a abrir el enlace.");
  });

  function loggedIn(session) {
    try {
      window.sessionStorage.setItem("parlo_token", session.access_token);
      window.sessionStorage.setItem("parlo_session", JSON.stringify({
        organization_id: session.organization_id, staff_id: session.staff_id,
        permission_level: session.permission_level, expires_at: session.expires_at
      }));
    } catch (e) { /* sin almacenamiento: la sesión dura lo que esta página */ }
    var name = session.name || "tu usuario";
    show("Sesión iniciada como " + name, "");
    docs.hidden = false;
    return fetch("/api/v1/organizations/" + encodeURIComponent(session.organization_id), {
      headers: {"Authorization": "Bearer " + session.access_token},
      credentials: "omit"
    }).then(function (r) { return r.ok ? r.json() : {}; }).catch(function () { return {}; }).then(function (org) {
      if (org && typeof org.name === "string" && org.name) {
        show("Sesión iniciada como " + name + " · " + org.name, "");
      }
      detailEl.textContent = "Tu sesión queda abierta en esta pestaña (vence en 7 días). Desde aquí puedes consultar la API de Parlo.";
    });
  }
})();
</script>
</body>
</html>
"""


@router.get("/login", include_in_schema=False)
async def login_page() -> HTMLResponse:
    """The landing page of a magic link (the token stays in the browser; see the module doc)."""
    return HTMLResponse(LOGIN_HTML, headers=SECURITY_HEADERS)
