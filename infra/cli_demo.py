"""``parlo demo`` (seed + server + in-process projections and jobs), ``parlo chat`` (terminal chat
against a running demo) and ``parlo worker`` (the arq worker for production jobs)."""

from __future__ import annotations

import typer

DEFAULT_CUSTOMER = "+5215599998888"
DEMO_TEMPLATE_KINDS = ("notification", "handoff", "reminder", "magic_link", "welcome")
DEMO_OWNER_PHONE = "+525511111111"


def demo_settings(host: str, port: int):
    """The demo's settings: unless PARLO_PUBLIC_BASE_URL is set (environment or .env), the public
    URL is where this demo listens, so login links and the printed webhook URL point to it."""
    from infra.settings import Settings

    settings = Settings()
    if "public_base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return Settings(PARLO_PUBLIC_BASE_URL=f"http://{shown}:{port}")


def register(cli: typer.Typer) -> None:
    cli.command("demo")(demo)
    cli.command("chat")(chat)
    cli.command("worker")(worker)


def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Seed Barbería Don Carlos and serve it with projections and WhatsApp jobs in this process."""
    import uvicorn

    from gateway.app import create_app
    from infra.container import Container
    from infra.seed import seed_demo

    settings = demo_settings(host, port)
    if settings.env != "development":
        typer.secho(f"PARLO_ENV={settings.env}: the demo chat only exists in development.", fg=typer.colors.YELLOW)
    container = Container(settings)
    try:
        demo_business = seed_demo(container.app)
        container.start_projection_thread()
        wa = container.whatsapp
        wa.demo_number = demo_business.whatsapp_number
        org = container.app.organization_view(demo_business.organization_id)
        wa.demo_name = org["name"] if org else "Parlo"
        if not wa.dispatcher.templates:
            # Owners and staff rarely wrote in the last 24 hours: WhatsApp needs approved templates
            # for their notifications. Placeholders let the demo show them (marked as templates).
            wa.dispatcher.templates = {kind: f"HXdemo{kind}" for kind in DEMO_TEMPLATE_KINDS}
        wa.start()
        base = f"http://{host}:{port}"  # where this process listens (the links use settings.public_base_url)
        sender = type(wa.sender).__name__
        typer.echo("")
        typer.secho(f"  {wa.demo_name} está lista.", bold=True)
        typer.echo(f"  WhatsApp del negocio:   {demo_business.whatsapp_number}")
        typer.echo(f"  Número central Parlo:   {settings.central_whatsapp_number}")
        typer.echo(f"  Chat web de prueba:     {base}/demo/chat")
        typer.echo(f"  Chat en la terminal:    parlo chat --phone {DEFAULT_CUSTOMER} --url {base}")
        typer.echo(f"  API (docs):             {base}/docs")
        typer.echo(f"  Webhook de Twilio:      {settings.public_base_url.rstrip('/')}/api/v1/webhooks/whatsapp")
        typer.echo(f"  Envío de mensajes:      {'Twilio' if sender == 'TwilioSender' else 'simulado (sin credenciales de Twilio)'}")
        typer.echo(f"  Equipo: Carlos Mendoza (dueño) {DEMO_OWNER_PHONE} · Miguel Sánchez +525522222222")
        typer.echo(f"  Chatea como el equipo:  parlo chat --phone {DEMO_OWNER_PHONE} --url {base}  («¿qué tengo hoy?», «bloquea de 2 a 3»)")
        typer.echo(f"  Panel web:              {base}/app/  ·  consola de administración: {base}/admin/")
        if sender != "TwilioSender" and settings.env == "development":
            # Without Twilio nothing reaches a phone: the development outbox shows what was "sent".
            typer.echo(
                f"  Mensajes al dueño:      {base}/api/v1/dev/whatsapp/outbox?phone=%2B{DEMO_OWNER_PHONE.lstrip('+')}"
            )
            typer.echo(
                f"  Entrar al panel:        curl -X POST {base}/api/v1/auth/request-magic-link -H 'Content-Type: application/json' "
                f"""-d '{{"phone_number": "{DEMO_OWNER_PHONE}"}}'  y abre el enlace de «Mensajes al dueño»"""
            )
        if settings.admin_password is None and settings.env != "production":
            typer.echo(f"  Administrador:          POST {base}/api/v1/admin/auth/login, contraseña de desarrollo «parlo-admin»")
        else:
            typer.echo(f"  Administrador:          POST {base}/api/v1/admin/auth/login, con la contraseña de PARLO_ADMIN_PASSWORD")
        typer.echo("")
        uvicorn.run(create_app(container), host=host, port=port)
    finally:
        container.close()


def chat(
    phone: str = typer.Option(DEFAULT_CUSTOMER, help="Tu número (como lo manda WhatsApp)"),
    to: str = typer.Option("", help="El WhatsApp del negocio (por defecto, el del demo)"),
    url: str = typer.Option("http://127.0.0.1:8000", help="Dónde corre `parlo demo`"),
) -> None:
    """Chat in the terminal with a running ``parlo demo``, as a WhatsApp customer would."""
    import httpx

    from infra.seed import DEMO_WHATSAPP

    business = to or DEMO_WHATSAPP
    after = 0
    with httpx.Client(base_url=url.rstrip("/"), timeout=90) as client:

        def show_new() -> None:
            nonlocal after
            response = client.get("/api/v1/dev/whatsapp/outbox", params={"phone": phone, "after": after})
            response.raise_for_status()
            for message in response.json()["messages"]:
                after = max(after, message["seq"])
                text = message["body"] or ""
                if message["template"]:
                    text = f"[plantilla {message['template']}] {text}"
                typer.secho(f"Parlo: {text}", fg=typer.colors.GREEN)

        try:
            show_new()
        except httpx.HTTPError as error:
            typer.secho(f"No encuentro el demo en {url} ({error}). ¿Corriste `parlo demo`?", fg=typer.colors.RED)
            raise typer.Exit(1) from None
        typer.echo(f"Escribiendo a {business} como {phone}. Ctrl+D para salir.")
        while True:
            try:
                text = input("Tú: ").strip()
            except (EOFError, KeyboardInterrupt):
                typer.echo("")
                return
            if not text:
                continue
            response = client.post("/api/v1/dev/whatsapp/messages", json={"phone": phone, "to": business, "text": text, "wait": True})
            if response.status_code != 200:
                typer.secho(f"Error {response.status_code}: {response.text}", fg=typer.colors.RED)
                continue
            show_new()
            note = _quiet_note(response.json())
            if note:
                typer.secho(note, fg=typer.colors.YELLOW)


def _quiet_note(answer: dict) -> str | None:
    """Why a message got no reply in the terminal (so the chat never just seems to hang)."""
    if answer.get("result") == "own_number":
        return "(Ese es un número del propio Parlo: no se contesta, para no crear un ciclo.)"
    if answer.get("result") not in ("stored", None):
        return f"(Mensaje no procesado: {answer.get('result')}.)"
    if answer.get("outcome") is None:
        return "(Parlo sigue procesando tu mensaje; la respuesta aparecerá con tu siguiente mensaje.)"
    if answer.get("outcome") == "handed_off" and not answer.get("replies"):
        return "(El equipo del negocio atiende esta conversación y ya vio tu mensaje; escribe «listo» desde el WhatsApp del dueño para regresarla a Parlo.)"
    return None


def worker(burst: bool = typer.Option(False, help="Salir cuando la cola quede vacía")) -> None:
    """Run the arq worker (WhatsApp jobs on Redis; use PARLO_JOBS=arq on the web process)."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from infra.container import Container
    from infra.settings import Settings
    from infra.worker import run_worker

    container = Container(Settings())
    try:
        run_worker(container, burst=burst)
    finally:
        container.close()
