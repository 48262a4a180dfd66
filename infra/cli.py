"""The ``parlo`` command line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from infra.container import Container
from infra.settings import Settings

if TYPE_CHECKING:
    import uvicorn

# Tracebacks never print local variables: they may hold secrets (settings values, tokens).
cli = typer.Typer(
    help="Parlo: asistente de citas por WhatsApp (backend event-sourced).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def build_container() -> Container:
    return Container(Settings())


def uvicorn_config(app: Any, *, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """How ``parlo serve`` runs uvicorn.

    uvicorn's own proxy handling is off: by default it believes ``X-Forwarded-For`` from 127.0.0.1
    (``FORWARDED_ALLOW_IPS``), so any local client could pick its address and dodge the login
    throttles. The app applies forwarded headers itself, only from ``PARLO_TRUSTED_PROXIES``
    (gateway.app). The access log redacts credentials in query strings (gateway.security.redaction).
    """
    import copy

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config.setdefault("filters", {})["parlo_redact_query"] = {"()": "gateway.security.redaction.RedactQueryFilter"}
    log_config["handlers"]["access"].setdefault("filters", []).append("parlo_redact_query")
    options: dict = {
        "host": host,
        "port": port,
        "proxy_headers": False,
        "forwarded_allow_ips": "",
        "server_header": False,
        "log_config": log_config,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


@cli.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    projections: bool = typer.Option(
        True,
        "--projections/--no-projections",
        help="Run the projections in this process (default, on every store: tracking makes extra "
        "runners harmless). --no-projections when `parlo projections run` runs them elsewhere.",
    ),
) -> None:
    """Start the HTTP server (API, WhatsApp webhook and in-process WhatsApp jobs) against the configured store."""
    import uvicorn

    from gateway.app import create_app

    container = build_container()
    try:
        if projections:
            container.start_projection_thread()
        # Inbound processing and outbound retries run here unless PARLO_JOBS=arq hands them to `parlo worker`.
        container.whatsapp.start()
        uvicorn.Server(uvicorn_config(create_app(container), host=host, port=port)).run()
    finally:
        container.close()


@cli.command("seed-demo")
def seed_demo_command() -> None:
    """Create (idempotently) the demo business Barbería Don Carlos and print it."""
    from infra.seed import seed_demo

    container = build_container()
    try:
        demo = seed_demo(container.app)
        org = container.app._organization(demo.organization_id)
        typer.echo(f"{org.name} ({org.status}) — WhatsApp {demo.whatsapp_number}")
        typer.echo(f"organization_id: {demo.organization_id}")
        for name, service_id in demo.service_ids.items():
            service = org.services[str(service_id)]
            typer.echo(f"  servicio: {name} · {service['duration_minutes']} min · ${service['price_cents'] // 100}")
        for name, staff_id in demo.staff_ids.items():
            typer.echo(f"  equipo: {name} ({staff_id})")
    finally:
        container.close()


from infra.cli_events import events_cli  # noqa: E402
from infra.cli_projections import projections_cli  # noqa: E402

cli.add_typer(projections_cli, name="projections")
cli.add_typer(events_cli, name="events")

from infra.cli_demo import register as register_demo_commands  # noqa: E402

register_demo_commands(cli)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
