"""Availability: the free, bookable start times of a service (issue #4).

Two layers:

* ``compute_slots(...)`` is the pure core: plain data in (hours, closures, calendars of the
  qualified staff and spots, settings, ``now``), slots out. No I/O, so it is unit-tested directly.
* ``AvailabilityService(engine)`` is a thin loader around it: one query per read-model table for
  the whole range (organization, location, service, staff, closures, spots, appointments, blocks).

Rules (they mirror what the write side accepts, see commands/appointments.py ``_place`` and
``Organization.check_open``, so a slot offered here is a slot the booking command takes):

* Candidates start at the opening time of every business-hours interval of a local day and step
  every ``slot_interval_minutes``; a candidate must end by the closing time of that interval.
  Steps are taken on absolute (UTC) time, so across a DST change no nonexistent local time is
  produced and no start is produced twice (in the repeated November hour the two ``1:30`` starts
  are different instants and both are real).
* Days in a closure (by the local date of the start or the end) have no slots; a suspended or
  churned business has none; an inactive service has none (an unknown organization, service or
  location raises ``AvailabilityNotFound``).
* A staff member qualifies when active, offering the service and working at the location (or at
  no particular location). ``working_hours`` None means the business hours; otherwise the slot must
  also lie inside one of the staff member's intervals of that day.
* Appointments pending/confirmed/completed/no_show occupy their staff member (and spot) from start
  to end + ``buffer_minutes``; a candidate needs its own end + buffer free as well (the cleanup
  time after the new appointment must not run into the next one). Blocks occupy exactly their
  interval. Cancelled appointments occupy nothing.
* Spots: when the location has active spots and at least one of them serves the service, a slot
  also needs one of those spots free. (When the location has spots but none serves the service,
  the write side books without a spot, and so does this.)
* Minimum notice: start >= now + ``min_notice_minutes``. Horizon: the local date of the start is at
  most today (business-local) + ``max_horizon_days``. Days before today are skipped.
* Range: ``date_from``..``date_to`` inclusive, business-local dates, ``date_to - date_from`` at most
  30 days (so today..today + 30 works); more raises ``AvailabilityError`` (a ``ValueError`` with a
  Spanish ``message``, ``code`` and ``http_status`` for the gateway).

Buffer, minimum notice and horizon are availability rules only: the booking command does not check
them (staff and owners may book inside them on purpose).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import BigInteger, Engine, Integer, String, and_, cast, func, or_, select
from sqlalchemy.engine import Connection

from readmodels import tables as t
from vocabulary import hours as _hours
from vocabulary.hours import PART_OF_DAY_HOURS, Interval, WeeklyHours, epoch, local_midnight, part_of_day
from vocabulary.settings import DEFAULT_SETTINGS
from vocabulary.statuses import LIVE_ORGANIZATION_STATUSES, OCCUPYING_APPOINTMENT_STATUSES

UTC = timezone.utc
MAX_RANGE_DAYS = 30  # date_to - date_from may be at most this many days
OCCUPYING_STATUSES = OCCUPYING_APPOINTMENT_STATUSES
# Longest an appointment can last (services allow up to 600 min) plus the largest buffer (240):
# appointments starting this long before the range can still reach into it.
_LOOKBACK = timedelta(days=1)
# Block pieces are split per local day by the write side, so they are never longer than a day.
_BLOCK_LOOKBACK = timedelta(days=2)

PARTS_OF_DAY = tuple(PART_OF_DAY_HOURS)
_PART_ALIASES = {
    "morning": "morning",
    "mañana": "morning",
    "manana": "morning",
    "afternoon": "afternoon",
    "tarde": "afternoon",
    "evening": "evening",
    "noche": "evening",
}
# Intervals (vocabulary.hours.Interval) are UTC-aware datetimes (naive = UTC); epoch seconds (int) are accepted too.


class AvailabilityError(ValueError):
    """A request availability cannot answer. ``message`` is Spanish, fit to show a customer."""

    code = "invalid_input"
    http_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AvailabilityNotFound(AvailabilityError):
    code = "not_found"
    http_status = 404


@dataclass(frozen=True)
class Slot:
    """A bookable start: ``staff_ids`` are the qualified staff members free for all of it, in the
    order the booking command tries them.

    Identify a slot by ``start`` (UTC). In the repeated autumn hour two slots share a wall-clock
    ``local_start`` (``fold`` 0 and 1), and Python's ``==`` between an ambiguous local datetime and
    another zone is always False (PEP 495): compare ``local_start.astimezone(timezone.utc)``.
    """

    start: datetime  # UTC, aware
    end: datetime  # UTC, aware
    local_start: datetime  # the same instant in the business's time zone
    staff_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.local_start.tzinfo)

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def part_of_day(self) -> str:
        return part_of_day(self.local_start)


@dataclass(frozen=True)
class StaffCalendar:
    """A qualified staff member, with what already occupies them (UTC intervals)."""

    id: uuid.UUID
    working_hours: WeeklyHours | None = None  # None: the business hours
    appointments: Sequence[Interval] = ()
    blocks: Sequence[Interval] = ()


@dataclass(frozen=True)
class SpotCalendar:
    """A spot that serves the service, with the appointments that occupy it (UTC intervals)."""

    id: uuid.UUID
    appointments: Sequence[Interval] = ()


# ---- time helpers: the interval math is vocabulary.hours, shared with the write side ----------


_checked = _hours.raising(AvailabilityError)
parse_hhmm = _checked(_hours.parse_hhmm)
day_intervals = _checked(_hours.day_intervals)  # the write side's rule (aggregates/timeslots.py)


def zone_for(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise AvailabilityError(f"«{name}» no es una zona horaria válida.") from None


def normalize_part_of_day(value: str | None) -> str | None:
    if value is None:
        return None
    key = _PART_ALIASES.get(value.strip().lower())
    if key is None:
        raise AvailabilityError("Indica mañana, tarde o noche.")
    return key


def check_range(date_from: date, date_to: date) -> None:
    if not isinstance(date_from, date) or not isinstance(date_to, date) or isinstance(date_from, datetime) or isinstance(date_to, datetime):
        raise AvailabilityError("Las fechas de búsqueda deben ser días del calendario (AAAA-MM-DD).")
    if date_to < date_from:
        raise AvailabilityError("La fecha final debe ser igual o posterior a la fecha inicial.")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise AvailabilityError(
            f"Solo puedo buscar horarios en un rango de hasta {MAX_RANGE_DAYS} días; elige fechas más cercanas entre sí."
        )


def _check_now(now: datetime) -> datetime:
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise AvailabilityError("La hora actual debe incluir zona horaria.")
    return now.astimezone(UTC)


# ---- the pure core -----------------------------------------------------------------------------


def compute_slots(
    *,
    timezone_name: str,
    business_hours: WeeklyHours,
    duration_minutes: int,
    staff: Sequence[StaffCalendar],
    date_from: date,
    date_to: date,
    now: datetime,
    closures: Iterable[tuple[date, date]] = (),
    spots: Sequence[SpotCalendar] | None = None,
    min_notice_minutes: int = DEFAULT_SETTINGS["min_notice_minutes"],
    max_horizon_days: int = DEFAULT_SETTINGS["max_horizon_days"],
    buffer_minutes: int = DEFAULT_SETTINGS["buffer_minutes"],
    slot_interval_minutes: int = DEFAULT_SETTINGS["slot_interval_minutes"],
) -> list[Slot]:
    """Free slots of one service, sorted by start.

    ``staff`` are the staff members already known to qualify (active, offer the service, work at
    the location). ``spots`` None means the location needs no spot for this service; a list means
    one of those spots must be free (an empty list then means no slot at all).
    """
    check_range(date_from, date_to)
    now = _check_now(now)
    if duration_minutes is None or duration_minutes <= 0:
        raise AvailabilityError("La duración del servicio no es válida.")
    if slot_interval_minutes is None or slot_interval_minutes <= 0:
        raise AvailabilityError("El intervalo entre horarios no es válido.")
    if not staff or (spots is not None and not spots):
        return []

    zone = zone_for(timezone_name)
    # Everything below runs on whole seconds since the epoch (UTC): fast, and DST cannot bend it.
    duration = duration_minutes * 60
    step = slot_interval_minutes * 60
    buffer = max(0, buffer_minutes or 0) * 60
    earliest = epoch(now) + max(0, min_notice_minutes or 0) * 60
    today = now.astimezone(zone).date()
    last_day = min(date_to, today + timedelta(days=max(0, max_horizon_days or 0)))
    first_day = max(date_from, today)
    closed_ranges = [(first, last) for first, last in closures]

    def closed(day: date) -> bool:
        return any(first <= day <= last for first, last in closed_ranges)

    # 1. Candidate starts: the grid of every opening interval, after the notice, on open days.
    candidates: list[int] = []
    candidate_day: list[int] = []  # index into `days`
    days: list[date] = []
    day = first_day
    while day <= last_day:
        business = [] if closed(day) else day_intervals(business_hours, day, zone)
        if business:
            # A slot ending at (or after) the next local midnight also needs that date open (write side rule).
            next_midnight = epoch(local_midnight(day + timedelta(days=1), zone))
            next_closed = closed(day + timedelta(days=1))
            days.append(day)
            for opens_at, closes_at in business:
                opens, closes = epoch(opens_at), epoch(closes_at)
                start = opens
                if start < earliest:  # jump to the first step at or after the notice limit
                    start = opens + -(-(earliest - opens) // step) * step
                while start + duration <= closes:
                    if not (next_closed and start + duration >= next_midnight):
                        candidates.append(start)
                        candidate_day.append(len(days) - 1)
                    start += step
        day += timedelta(days=1)
    if not candidates:
        return []
    order = sorted(range(len(candidates)), key=candidates.__getitem__)
    starts = [candidates[i] for i in order]
    start_days = [candidate_day[i] for i in order]

    # 2. Spots: a start is possible only if one of the spots is free for [start, end + buffer).
    possible = [True] * len(starts)
    if spots is not None:
        any_free = [False] * len(starts)
        for spot in spots:
            forbidden = _forbidden_starts(spot.appointments, duration + buffer, buffer)
            for index, free in enumerate(_sweep(starts, forbidden)):
                if free:
                    any_free[index] = True
        possible = any_free

    # 3. Staff: free of appointments (with buffers) and blocks, inside their own hours if they have any.
    free_staff: list[list[uuid.UUID]] = [[] for _ in starts]
    for member in staff:
        forbidden = _forbidden_starts(member.appointments, duration + buffer, buffer, member.blocks, duration)
        if member.working_hours is None:
            windows = None
        else:  # starts allowed by the staff member's hours: [opens, closes - duration] of each day
            windows = [
                [(epoch(o), epoch(c) - duration) for o, c in day_intervals(member.working_hours, d, zone)] for d in days
            ]
        for index, free in enumerate(_sweep(starts, forbidden)):
            if not free or not possible[index]:
                continue
            if windows is not None:
                begin = starts[index]
                if not any(lo <= begin <= hi for lo, hi in windows[start_days[index]]):
                    continue
            free_staff[index].append(member.id)

    slots = []
    previous = None
    for begin, members in zip(starts, free_staff):
        if not members or begin == previous:
            continue
        previous = begin
        start_utc = datetime.fromtimestamp(begin, UTC)
        slots.append(
            Slot(start=start_utc, end=start_utc + timedelta(seconds=duration), local_start=start_utc.astimezone(zone), staff_ids=members)
        )
    return slots


def _seconds(intervals: Sequence[Interval]) -> list[tuple[int, int]]:
    if intervals and isinstance(intervals[0][0], int):
        return list(intervals)  # type: ignore[arg-type]
    return [(epoch(a), epoch(b)) for a, b in intervals]


def _forbidden_starts(
    appointments: Sequence[Interval], reach: int, buffer: int, blocks: Sequence[Interval] = (), block_reach: int = 0
) -> tuple[list[int], list[int]]:
    """The starts an owner cannot take, as merged open intervals (lo, hi): a new appointment at s
    occupies [s, s + reach) (duration + buffer) and clashes with an existing [a, b + buffer) when
    a - reach < s < b + buffer; with a block [a, b) when a - duration < s < b."""
    spans = [(a - reach, b + buffer) for a, b in _seconds(appointments)]
    if blocks:
        spans.extend((a - block_reach, b) for a, b in _seconds(blocks))
    spans.sort()
    lows: list[int] = []
    highs: list[int] = []
    for lo, hi in spans:
        if hi <= lo + 1:  # no whole second inside
            continue
        if highs and lo < highs[-1]:  # overlapping open intervals (touching ones leave the touch point free)
            if hi > highs[-1]:
                highs[-1] = hi
        else:
            lows.append(lo)
            highs.append(hi)
    return lows, highs


def _sweep(starts: Sequence[int], forbidden: tuple[list[int], list[int]]) -> Iterator[bool]:
    """For sorted ``starts``, yield whether each is outside every forbidden open interval."""
    lows, highs = forbidden
    count = len(lows)
    j = 0
    for begin in starts:
        while j < count and highs[j] <= begin:
            j += 1
        yield not (j < count and lows[j] < begin)


def qualified_staff(
    rows: Iterable[Mapping[str, Any]], service_id: uuid.UUID, location_id: uuid.UUID, staff_id: uuid.UUID | None = None
) -> list[Mapping[str, Any]]:
    """Staff rows that can take the service at the location (same test as the booking command)."""
    wanted = str(service_id)
    chosen = []
    for row in rows:
        if staff_id is not None and row["id"] != staff_id:
            continue
        if not row["is_active"] or wanted not in {str(s) for s in (row["service_ids"] or [])}:
            continue
        if row.get("permission_level") == "viewer":  # read-only access: never offered (the command refuses too)
            continue
        if row["location_id"] is not None and row["location_id"] != location_id:
            continue
        chosen.append(row)
    return chosen


def serving_spots(rows: Iterable[Mapping[str, Any]], service_id: uuid.UUID, location_id: uuid.UUID) -> list[Mapping[str, Any]] | None:
    """The active spots of the location that serve the service, in display order; None when the
    location needs no spot for this service (no active spot there, or none serving it)."""
    active = [row for row in rows if row["is_active"] and row["location_id"] == location_id]
    serving = [row for row in active if str(service_id) in {str(s) for s in (row["service_ids"] or [])}]
    if not serving:
        return None
    return sorted(serving, key=lambda row: (row["display_order"], str(row["id"])))


def filter_part_of_day(slots: Iterable[Slot], part: str | None) -> list[Slot]:
    key = normalize_part_of_day(part)
    return [slot for slot in slots if key is None or part_of_day(slot.local_start) == key]


def spread(slots: Sequence[Slot], limit: int | None) -> list[Slot]:
    """Up to ``limit`` slots spread evenly over the list (always the first; the last when it fits)."""
    return _hours.spread(slots, limit)


# ---- the loader ---------------------------------------------------------------------------------


def _mapping(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def _ids(organization_id: Any, service_id: Any, staff_id: Any, location_id: Any) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, uuid.UUID | None]:
    return (
        _as_uuid(organization_id, "ese negocio"),
        _as_uuid(service_id, "ese servicio en este negocio"),
        None if staff_id is None else _as_uuid(staff_id, "a esa persona en este negocio"),
        None if location_id is None else _as_uuid(location_id, "esa sucursal en este negocio"),
    )


def _as_uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise AvailabilityNotFound(f"No encontré {what}.") from None


# The appointment query returns a month of a busy business (thousands of rows): ask the database for
# epoch seconds and text ids, which load several times faster than timestamptz and UUID objects.
def _epoch(column: Any, dialect: str) -> Any:
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    if dialect == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return column


def _key(column: Any, dialect: str) -> Any:
    return cast(column, String) if dialect in ("postgresql", "sqlite") else column


def _keys(ids: Sequence[uuid.UUID]) -> dict[Any, int]:
    """Position of each id under every form it can come back in: UUID, dashed text (PostgreSQL),
    32-hex text (SQLite)."""
    keys: dict[Any, int] = {}
    for index, ident in enumerate(ids):
        keys[ident] = keys[str(ident)] = keys[ident.hex] = index
    return keys


class AvailabilityService:
    """Reads the read-model tables (one query per table) and runs ``compute_slots``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- public API --

    def find_slots(
        self,
        organization_id: uuid.UUID,
        service_id: uuid.UUID,
        date_from: date,
        date_to: date,
        *,
        staff_id: uuid.UUID | None = None,
        location_id: uuid.UUID | None = None,
        now: datetime,
    ) -> list[Slot]:
        check_range(date_from, date_to)
        now = _check_now(now)
        organization_id, service_id, staff_id, location_id = _ids(organization_id, service_id, staff_id, location_id)
        with self.engine.connect() as conn:
            return self._find(conn, organization_id, service_id, date_from, date_to, staff_id=staff_id, location_id=location_id, now=now)

    def find_slots_spread(
        self,
        organization_id: uuid.UUID,
        service_id: uuid.UUID,
        date_from: date,
        date_to: date,
        *,
        staff_id: uuid.UUID | None = None,
        location_id: uuid.UUID | None = None,
        now: datetime,
        part_of_day: str | None = None,
        limit: int | None = None,
    ) -> list[Slot]:
        """Slots filtered by part of day ("morning"/"mañana" < 12:00, "afternoon"/"tarde" 12-19,
        "evening"/"noche" >= 19:00, business-local) and thinned to ``limit`` spread over the period."""
        part = normalize_part_of_day(part_of_day)
        slots = self.find_slots(
            organization_id, service_id, date_from, date_to, staff_id=staff_id, location_id=location_id, now=now
        )
        return spread(filter_part_of_day(slots, part), limit)

    def next_available(
        self,
        organization_id: uuid.UUID,
        service_id: uuid.UUID,
        *,
        now: datetime,
        from_date: date | None = None,
        limit: int = 5,
        staff_id: uuid.UUID | None = None,
        location_id: uuid.UUID | None = None,
        part_of_day: str | None = None,
    ) -> list[Slot]:
        """The first ``limit`` free slots from ``from_date`` (default: today, business-local) onwards,
        searching up to the business's horizon."""
        now = _check_now(now)
        part = normalize_part_of_day(part_of_day)
        organization_id, service_id, staff_id, location_id = _ids(organization_id, service_id, staff_id, location_id)
        with self.engine.connect() as conn:
            org = self._organization(conn, organization_id)
            zone = zone_for(org["timezone"])
            today = now.astimezone(zone).date()
            start = max(from_date or today, today)
            settings = {**DEFAULT_SETTINGS, **(org["settings"] or {})}
            end = today + timedelta(days=int(settings["max_horizon_days"]))
            found: list[Slot] = []
            while start <= end and len(found) < limit:
                chunk_end = min(end, start + timedelta(days=MAX_RANGE_DAYS))
                slots = self._find(
                    conn, organization_id, service_id, start, chunk_end, staff_id=staff_id, location_id=location_id, now=now, org=org
                )
                found.extend(filter_part_of_day(slots, part))
                start = chunk_end + timedelta(days=1)
            return found[:limit]

    # -- loading --

    def _organization(self, conn: Connection, organization_id: uuid.UUID) -> dict[str, Any]:
        row = conn.execute(
            select(t.organizations.c.id, t.organizations.c.timezone, t.organizations.c.status, t.organizations.c.settings).where(
                t.organizations.c.id == organization_id
            )
        ).first()
        if row is None:
            raise AvailabilityNotFound("No encontré ese negocio.")
        return _mapping(row)

    def _find(
        self,
        conn: Connection,
        organization_id: uuid.UUID,
        service_id: uuid.UUID,
        date_from: date,
        date_to: date,
        *,
        staff_id: uuid.UUID | None,
        location_id: uuid.UUID | None,
        now: datetime,
        org: dict[str, Any] | None = None,
    ) -> list[Slot]:
        org = org or self._organization(conn, organization_id)
        zone = zone_for(org["timezone"])
        settings = {**DEFAULT_SETTINGS, **(org["settings"] or {})}

        service = conn.execute(
            select(t.services.c.duration_minutes, t.services.c.is_active).where(
                t.services.c.id == service_id, t.services.c.organization_id == organization_id
            )
        ).first()
        if service is None:
            raise AvailabilityNotFound("No encontré ese servicio en este negocio.")
        if org["status"] not in LIVE_ORGANIZATION_STATUSES or not service.is_active:
            return []

        location_query = select(t.locations.c.id, t.locations.c.business_hours).where(
            t.locations.c.organization_id == organization_id
        )
        if location_id is not None:
            location_query = location_query.where(t.locations.c.id == location_id)
        else:
            location_query = location_query.where(t.locations.c.is_primary.is_(True))
        location = conn.execute(location_query).first()
        if location is None:
            raise AvailabilityNotFound("No encontré esa sucursal en este negocio.")

        # The instants the range can touch; nothing before "now + notice" is ever offered.
        today = now.astimezone(zone).date()
        first_day = max(date_from, today)
        last_day = min(date_to, today + timedelta(days=int(settings["max_horizon_days"])))
        if first_day > last_day:
            return []
        buffer = timedelta(minutes=int(settings["buffer_minutes"] or 0))
        low = max(local_midnight(first_day, zone), now + timedelta(minutes=int(settings["min_notice_minutes"] or 0)))
        high = local_midnight(last_day + timedelta(days=1), zone) + buffer + timedelta(hours=1)

        staff_rows = conn.execute(
            select(
                t.staff.c.id,
                t.staff.c.service_ids,
                t.staff.c.working_hours,
                t.staff.c.location_id,
                t.staff.c.is_active,
                t.staff.c.permission_level,
            )
            .where(t.staff.c.organization_id == organization_id, t.staff.c.is_active.is_(True))
            .order_by(t.staff.c.created_at, t.staff.c.id)
        ).all()
        staff_rows = qualified_staff((_mapping(r) for r in staff_rows), service_id, location.id, staff_id)
        if not staff_rows:
            return []
        staff_ids = [row["id"] for row in staff_rows]

        spot_rows = conn.execute(
            select(t.spots.c.id, t.spots.c.location_id, t.spots.c.is_active, t.spots.c.service_ids, t.spots.c.display_order).where(
                t.spots.c.location_id == location.id, t.spots.c.is_active.is_(True)
            )
        ).all()
        spot_rows = serving_spots((_mapping(r) for r in spot_rows), service_id, location.id)
        spot_ids = [row["id"] for row in spot_rows] if spot_rows is not None else []

        closure_rows = conn.execute(
            select(t.closures.c.start_date, t.closures.c.end_date).where(
                t.closures.c.organization_id == organization_id,
                t.closures.c.start_date <= last_day + timedelta(days=1),
                t.closures.c.end_date >= first_day,
            )
        ).all()

        a = t.appointments
        owners = a.c.staff_id.in_(staff_ids)
        if spot_ids:
            owners = or_(owners, a.c.spot_id.in_(spot_ids))
        dialect = conn.dialect.name
        appointment_rows = conn.execute(
            select(
                _key(a.c.staff_id, dialect), _key(a.c.spot_id, dialect), _epoch(a.c.scheduled_start, dialect), _epoch(a.c.scheduled_end, dialect)
            ).where(
                a.c.organization_id == organization_id,
                a.c.scheduled_start >= low - buffer - _LOOKBACK,
                a.c.scheduled_start < high,
                a.c.scheduled_end > low - buffer,
                a.c.status.in_(OCCUPYING_STATUSES),
                owners,
            )
        ).all()

        b = t.staff_blocks
        block_rows = conn.execute(
            select(_key(b.c.staff_id, dialect), _epoch(b.c.start, dialect), _epoch(b.c.end, dialect)).where(
                b.c.organization_id == organization_id,
                b.c.staff_id.in_(staff_ids),
                and_(b.c.start >= low - _BLOCK_LOOKBACK, b.c.start < high),
                b.c.end > low,
            )
        ).all()

        # Group by owner through the text form of the ids (no UUID objects or hashing per row).
        staff_index, spot_index = _keys(staff_ids), _keys(spot_ids)
        by_staff: list[list[Interval]] = [[] for _ in staff_ids]
        by_spot: list[list[Interval]] = [[] for _ in spot_ids]
        numeric = dialect in ("postgresql", "sqlite")
        for staff_key, spot_key, start, end in appointment_rows:
            interval = (start, end) if numeric else (epoch(start), epoch(end))
            index = staff_index.get(staff_key)
            if index is not None:
                by_staff[index].append(interval)
            if spot_key is not None:
                index = spot_index.get(spot_key)
                if index is not None:
                    by_spot[index].append(interval)
        blocks: list[list[Interval]] = [[] for _ in staff_ids]
        for staff_key, start, end in block_rows:
            index = staff_index.get(staff_key)
            if index is not None:
                blocks[index].append((start, end) if numeric else (epoch(start), epoch(end)))

        return compute_slots(
            timezone_name=org["timezone"],
            business_hours=location.business_hours or {},
            duration_minutes=int(service.duration_minutes),
            staff=[
                StaffCalendar(id=row["id"], working_hours=row["working_hours"], appointments=by_staff[i], blocks=blocks[i])
                for i, row in enumerate(staff_rows)
            ],
            spots=None if spot_rows is None else [SpotCalendar(id=sid, appointments=by_spot[i]) for i, sid in enumerate(spot_ids)],
            closures=[(r.start_date, r.end_date) for r in closure_rows],
            date_from=date_from,
            date_to=date_to,
            now=now,
            min_notice_minutes=int(settings["min_notice_minutes"] or 0),
            max_horizon_days=int(settings["max_horizon_days"]),
            buffer_minutes=int(settings["buffer_minutes"] or 0),
            slot_interval_minutes=int(settings["slot_interval_minutes"] or 30),
        )
