"""Shared helpers of the REST routers: running commands, reading, and shaping JSON."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
from fastapi import HTTPException
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from commands import CommandResult
from vocabulary.hours import as_utc
from vocabulary.weekdays import WEEKDAYS

T = TypeVar("T")
log = logging.getLogger("parlo.api")
WAIT_TIMEOUT = 10.0


EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def _check_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"la fecha debe estar entre {EARLIEST.isoformat()} y {LATEST.isoformat()}")
    return value


def _check_moment(value: datetime) -> datetime:
    _check_day(value.date())  # the local date first: converting year 9999 to UTC would overflow
    return value


class SchemaHint:
    """Adds keywords to a type's JSON schema (OpenAPI) without changing how it validates, so the
    document states the limits the server enforces (a schema-valid value is never refused for them)."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


_DAY_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_MOMENT_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"

# Dates and times the API accepts: far-off years are refused with a clear 422 (not an overflow).
Day = Annotated[
    date,
    AfterValidator(_check_day),
    SchemaHint(pattern=_DAY_PATTERN, description="Fecha AAAA-MM-DD entre 2000-01-01 y 2099-12-31", examples=["2026-01-15"]),
]
Moment = Annotated[
    AwareDatetime,
    AfterValidator(_check_moment),
    SchemaHint(
        pattern=_MOMENT_PATTERN,
        description="Fecha y hora ISO 8601 con zona horaria (-06:00 o Z); la fecha local entre 2000-01-01 y 2099-12-31",
        examples=["2026-01-15T10:00:00-06:00"],
    ),
]
PHONE_DESCRIPTION = (
    "Número de WhatsApp, de preferencia en formato internacional E.164 (+525512345678). También se "
    "aceptan 10 dígitos mexicanos, espacios y guiones; debe ser un número que exista en el plan de "
    "numeración de su país (si no, la respuesta es 422)."
)
Phone = Annotated[
    str,
    Field(min_length=1, max_length=40),
    SchemaHint(description=PHONE_DESCRIPTION, examples=["+525512345678"], pattern=r"^(whatsapp:)?\+?[0-9][0-9 ().\-]{6,38}$"),
]
# Weekly hours as the aggregates take them: {"mon": [["10:00", "20:00"]], "sun": []} (or {"open", "close"}).
# The schema states the aggregates' rules (weekday keys, HH:MM, opening before closing, no overlaps).
TimeOfDay = Annotated[str, SchemaHint(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", examples=["10:00"])]
DayHours = (
    list[Annotated[list[TimeOfDay], SchemaHint(minItems=2, maxItems=2, description="[apertura, cierre]")]]
    | Annotated[dict[str, TimeOfDay], SchemaHint(propertyNames={"enum": ["open", "close"]})]
    | None
)
WeeklyHours = Annotated[
    dict[str, DayHours],
    SchemaHint(
        propertyNames={"enum": list(WEEKDAYS)},
        description=(
            "Horario semanal: cada día (mon…sun) con rangos [apertura, cierre] en HH:MM (24 h); la apertura "
            "antes del cierre y sin encimarse. Un día omitido o [] está cerrado."
        ),
        examples=[{"mon": [["10:00", "14:00"], ["16:00", "20:00"]], "sun": []}],
    ),
]


class Body(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a clear 422 instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run synchronous code (the event store, SQLAlchemy) in a worker thread."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


class WriteAccepted(Exception):
    """The command's events are saved but the projections did not catch up in time: the route
    answers 202 with the id instead of reading back (a retry would repeat the write)."""

    def __init__(self, result: CommandResult) -> None:
        super().__init__("projections lagging")
        self.result = result


async def execute(container: Any, command: Any) -> CommandResult:
    """Run a command, then wait until the projections have applied its events (read-your-writes)."""
    result: CommandResult = await in_thread(container.app.execute, command)
    await wait_for(container, result.position, result)
    return result


async def run_as(container: Any, scope: Any, request_id: str, command_type: Callable[..., Any], **fields: Any) -> CommandResult:
    """Execute ``command_type`` as the caller (actor, cause) in the caller's organization."""
    command = command_type(actor=scope.actor, cause=request_id, organization_id=scope.organization_id, **fields)
    return await execute(container, command)


def found_or_404(found: T | None, detail: str) -> T:
    """The row read back, or a 404 with ``detail`` (Spanish) when there is none."""
    if found is None:
        raise HTTPException(status_code=404, detail=detail)
    return found


def require_changes(changes: Any) -> None:
    """A PATCH that names nothing to change is a 422, not a silent no-op."""
    if not changes:
        raise HTTPException(status_code=422, detail="No indicaste nada que cambiar.")


async def wait_for(container: Any, position: int | None, result: CommandResult | None = None) -> None:
    if position is None:
        return
    waiter = getattr(container, "wait_for", None)
    if waiter is None:  # pragma: no cover - older containers
        return
    reached = await in_thread(_wait, waiter, position)
    if reached is False:
        log.warning("projections did not reach position %s within %ss", position, WAIT_TIMEOUT)
        raise WriteAccepted(result or CommandResult(None, position))


def _wait(waiter: Callable[..., Any], position: int) -> Any:
    try:
        return waiter(position, timeout=WAIT_TIMEOUT)
    except TypeError:
        return waiter(position)


async def read(container: Any, method: str, *args: Any, **kwargs: Any) -> Any:
    """Call a ReadStore method by name in a worker thread. Legacy: routes use the typed
    ``gateway.api.deps.Container`` (``await in_thread(container.reads.get_service, ...)``)."""
    return await in_thread(getattr(container.reads, method), *args, **kwargs)


# ---- JSON shaping ---------------------------------------------------------------------------


def _zone(tz: str | None) -> ZoneInfo | None:
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def iso(value: datetime | None, tz: str | None = None) -> str | None:
    """ISO 8601 with offset, in the business's time zone when given. Naive values are UTC."""
    if value is None:
        return None
    value = as_utc(value)
    zone = _zone(tz)
    return (value.astimezone(zone) if zone else value).isoformat()


def jsonable(value: Any, tz: str | None = None) -> Any:
    if isinstance(value, datetime):
        return iso(value, tz)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, tz) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v, tz) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return jsonable({name: getattr(value, name) for name in value.__dataclass_fields__}, tz)
    return value


def row(value: Any, tz: str | None = None, *, drop: Iterable[str] = (), rename: dict[str, str] | None = None) -> dict:
    """A read-model row as JSON: ids as strings, times with offset, optional renames."""
    if value is None:
        return {}
    data = jsonable(value, tz)
    for key in drop:
        data.pop(key, None)
    for old, new in (rename or {}).items():
        if old in data:
            data[new] = data.pop(old)
    return data


def rows(values: Iterable[Any], tz: str | None = None, **kwargs: Any) -> list[dict]:
    return [row(v, tz, **kwargs) for v in values]
