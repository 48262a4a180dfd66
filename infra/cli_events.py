"""``parlo events show ID [--version N] [--at ISO]``: an aggregate's event stream and state."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Optional

import typer

events_cli = typer.Typer(help="Auditoría: eventos de un agregado y su estado en el tiempo.", no_args_is_help=True)


@events_cli.command("show")
def show(
    aggregate_id: str = typer.Argument(..., help="Id (uuid) del agregado."),
    version: Optional[int] = typer.Option(None, help="Estado tras esta versión."),  # noqa: UP007
    at: Optional[str] = typer.Option(None, help="Estado en este momento (ISO 8601; sin zona = UTC)."),  # noqa: UP007
    as_json: bool = typer.Option(False, "--json", help="Salida JSON."),
) -> None:
    """Print the event stream of one aggregate and its state (at a version or a time)."""
    from aggregates.errors import DomainError
    from infra.cli import build_container

    try:
        ident = uuid.UUID(aggregate_id)
    except ValueError:
        typer.echo("El id debe ser un uuid.", err=True)
        raise typer.Exit(2) from None
    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            typer.echo("--at debe ser una fecha ISO 8601, p. ej. 2026-01-15T10:00:00-06:00", err=True)
            raise typer.Exit(2) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
    container = build_container()
    try:
        try:
            history = container.app.event_history(ident)
            state = container.app.state_at(ident, version=version, at=moment)
        except DomainError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
        if as_json:
            typer.echo(json.dumps({"events": history, "state": state}, ensure_ascii=False, indent=2))
            return
        for item in history:
            mark = "*" if item["version"] <= state.get("version", 0) else " "
            typer.echo(f"{mark}v{item['version']:<3} {item['timestamp']}  {item['type']:<22} {item['actor'] or '-'}  [{item['cause'] or '-'}]")
            if item["data"]:
                typer.echo("       " + json.dumps(item["data"], ensure_ascii=False, sort_keys=True))
        label = f"versión {state.get('version')}"
        typer.echo(f"\nEstado ({label}):")
        typer.echo(json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True))
    finally:
        container.close()
