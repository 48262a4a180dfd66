"""``parlo projections run | rebuild [NAME] | status | retry [NAME] [--id N]``."""

from __future__ import annotations

import signal
import threading
import time
from typing import Optional

import typer

projections_cli = typer.Typer(help="Proyecciones: eventos -> tablas de lectura.", no_args_is_help=True)


def _container():
    from infra.cli import build_container

    return build_container()


@projections_cli.command("run")
def run(
    batch_size: int = typer.Option(500, help="Notificaciones por lote (y por transacción)."),
    poll_interval: float = typer.Option(0.5, help="Segundos entre consultas cuando no hay eventos nuevos."),
    once: bool = typer.Option(False, help="Ponerse al día y salir."),
) -> None:
    """Run the projections as a long-running process (production)."""
    container = _container()
    try:
        runner = container.projections
        runner.batch_size = batch_size
        runner.poll_interval = poll_interval
        if once:
            started = time.monotonic()
            count = runner.run_once()
            typer.echo(f"{count} notificaciones leídas en {time.monotonic() - started:.2f} s")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: (stop.set(), runner.wake()))
        typer.echo(f"proyecciones en marcha: {', '.join(p.name for p in runner.projections)}", err=True)
        runner.run_forever(stop, listen=True)  # LISTEN/NOTIFY on PostgreSQL wakes it at once
    finally:
        container.close()


@projections_cli.command("rebuild")
def rebuild(
    name: Optional[str] = typer.Argument(None, help="Proyección a reconstruir (todas si se omite)."),  # noqa: UP007
    drop: bool = typer.Option(False, help="Borrar y volver a crear las tablas (cambios de esquema)."),
) -> None:
    """Clear a projection's tables and replay every event into them (one transaction)."""
    container = _container()
    try:
        runner = container.projections
        names = [name] if name else [p.name for p in runner.projections]
        unknown = [n for n in names if n not in runner.by_name]
        if unknown:
            typer.echo(f"Proyección desconocida: {', '.join(unknown)}. Hay: {', '.join(runner.by_name)}", err=True)
            raise typer.Exit(2)
        started = time.monotonic()
        applied = runner.rebuild_all(names, drop=drop)  # one pass over the events for all of them
        typer.echo(f"{', '.join(names)}: {applied} eventos aplicados en {time.monotonic() - started:.2f} s")
    finally:
        container.close()


@projections_cli.command("status")
def status() -> None:
    """Each projection's position, the store's max notification id, the lag and the events it skipped."""
    container = _container()
    try:
        runner = container.projections
        rows = runner.status()
        max_id = rows[0]["max_notification_id"] if rows else 0
        typer.echo(f"max_notification_id: {max_id}")
        width = max((len(r["name"]) for r in rows), default=10)
        typer.echo(f"{'projection'.ljust(width)}  {'position':>10}  {'lag':>8}  {'fallos':>6}  updated_at")
        for row in rows:
            updated = row["updated_at"].isoformat(timespec="seconds") if row["updated_at"] else "-"
            typer.echo(f"{row['name'].ljust(width)}  {row['position']:>10}  {row['lag']:>8}  {row['failures']:>6}  {updated}")
        failures = runner.failures()
        if failures:
            typer.echo(f"\neventos no aplicados: {len(failures)} (reintentar: parlo projections retry [NOMBRE] [--id N])")
            for failure in failures:
                typer.echo(_failure_line(failure))
    finally:
        container.close()


def _failure_line(failure: dict) -> str:
    org = failure["organization_id"] or "-"
    seen = failure["last_seen"].isoformat(timespec="seconds") if failure["last_seen"] else "-"
    return (
        f"  #{failure['id']} {failure['projection']} evento {failure['notification_id']} "
        f"({failure['topic'].rsplit(':', 1)[-1]} v{failure['originator_version']}, negocio {org}) "
        f"intentos {failure['attempts']}, último {seen}: {failure['error']}"
    )


@projections_cli.command("retry")
def retry(
    name: Optional[str] = typer.Argument(None, help="Solo los fallos de esta proyección."),  # noqa: UP007
    failure_id: Optional[int] = typer.Option(None, "--id", help="Solo este fallo (el # de `status`)."),  # noqa: UP007
) -> None:
    """Apply the events a projection skipped again (after fixing the code)."""
    container = _container()
    try:
        runner = container.projections
        if name is not None and name not in runner.by_name:
            typer.echo(f"Proyección desconocida: {name}. Hay: {', '.join(runner.by_name)}", err=True)
            raise typer.Exit(2)
        results = runner.retry_failures(name, failure_id)
        if not results:
            typer.echo("No hay fallos que reintentar.")
            return
        for result in results:
            outcome = "aplicado" if result["ok"] else f"sigue fallando: {result['error']}"
            typer.echo(f"#{result['id']} {result['projection']} evento {result['notification_id']}: {outcome}")
        if not all(r["ok"] for r in results):
            raise typer.Exit(1)
    finally:
        container.close()
