"""Rebuild rate of all projections (events/s) beside the raw read-and-decode rate of the same store.

    .venv/bin/python bench/projections.py [--sizes 10000,100000] [--keep]

For each size, on PostgreSQL (a fresh database ``parlo_t4p_bench``, dropped at the end unless
``--keep``):

1. Real events through the command layer: the demo business, more staff, customers, bookings,
   cancellations, reschedules, notes and blocks (~10k events; this is the slow part).
2. For larger sizes the business is copied, event for event, into new businesses until the store
   holds the size asked for: every UUID in the ids and the event state is mapped to a new one
   (uuid5 per copy), so each copy is a valid, independent business with the same history.
3. ``read+decode``: ``select_notifications`` in pages of 500 and ``mapper.to_domain_event`` for
   each - the ceiling of any projection runner on this store.
4. ``rebuild all``: ``ProjectionRunner.rebuild_all()`` (every projection, from the first event,
   one transaction, staged in in-memory SQLite and COPYed), events in the store / wall time. Run
   twice; the better run is reported. ``--in-place`` also times the in-place rebuild (handlers
   straight on PostgreSQL, one round trip per statement: the way every rebuild ran before).

The ratio rebuild / read+decode is the figure to watch (target >= 0.25x); the machine is shared,
so compare figures from one run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from eventsourcing.persistence import StoredEvent  # noqa: E402

from commands import Actor  # noqa: E402
from commands.messages import (  # noqa: E402
    AddCustomer,
    AddStaff,
    BlockTime,
    BookAppointment,
    CancelAppointment,
    RescheduleAppointment,
    UpdateAppointmentNotes,
)
from infra.container import Container  # noqa: E402
from infra.seed import seed_demo  # noqa: E402
from infra.settings import Settings  # noqa: E402

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DB_NAME = "parlo_t4p_bench"
MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)
UUID_RE = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\")[0-9a-f]{32}(?=\")")
COPY_NAMESPACE = uuid.UUID("6f1b5a4e-2b1c-4f7e-9a53-0b7d3c2e9f10")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def recreate_database() -> str:
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    return f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}"


def drop_database() -> None:
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))


def container_for(url: str) -> Container:
    settings = Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test")
    return Container(settings, clock=Clock())


# ---- step 1: real events --------------------------------------------------------------------


def real_events(app, target: int, rng: random.Random) -> None:
    admin = Actor.admin("bench")
    demo = seed_demo(app)
    org = demo.organization_id
    services = list(demo.service_ids.values())
    staff = list(demo.staff_ids.values())
    for i in range(6):
        staff.append(app.execute(AddStaff(actor=admin, cause=f"b-staff-{i}", organization_id=org, name=f"Estilista {i}",
                                          phone_number=f"+5255600000{i:02d}", permission_level="staff", service_ids=services)).id)
    phones = [f"+5255{7000_0000 + i:08d}" for i in range(400)]
    for i, phone in enumerate(phones[:100]):
        app.execute(AddCustomer(actor=admin, cause=f"b-cust-{i}", organization_id=org, phone_number=phone, name=f"Cliente {i}"))
    day, n = date(2026, 1, 15), 0
    booked: list = []
    while (app.recorder.max_notification_id() or 0) < target:
        if day.weekday() >= 5:  # weekdays only: 10:00-20:00 in the demo's hours
            day += timedelta(days=1)
            continue
        for slot in range(18):
            start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=MX) + timedelta(minutes=30 * slot)
            for staff_id in staff:
                if rng.random() < 0.3:
                    continue
                result = app.execute(BookAppointment(actor=admin, cause=f"b-{n}", organization_id=org, service_id=services[0],
                                                     staff_id=staff_id, start=start, customer_phone=rng.choice(phones), source="whatsapp"))
                booked.append(result.id)
                n += 1
                roll = rng.random()
                if roll < 0.08:
                    app.execute(CancelAppointment(actor=admin, cause=f"b-c-{n}", organization_id=org, appointment_id=result.id, reason="x"))
                elif roll < 0.14:
                    app.execute(UpdateAppointmentNotes(actor=admin, cause=f"b-n-{n}", organization_id=org, appointment_id=result.id, notes="Trae foto"))
        for staff_id in staff[:2]:
            app.execute(BlockTime(actor=admin, cause=f"b-blk-{day}", organization_id=org, staff_id=staff_id,
                                  start=datetime(day.year, day.month, day.day, 19, 30, tzinfo=MX),
                                  end=datetime(day.year, day.month, day.day, 20, 0, tzinfo=MX), reason="Comida"))
        later = day + timedelta(days=60)
        for appointment_id in booked[-3:]:
            try:
                app.execute(RescheduleAppointment(actor=admin, cause=f"b-r-{appointment_id}", organization_id=org, appointment_id=appointment_id,
                                                  start=datetime(later.year, later.month, later.day, 10, 0, tzinfo=MX) + timedelta(minutes=30 * rng.randrange(18))))
            except Exception:  # noqa: BLE001 - the slot may be taken: a real refusal, skip it
                pass
        day += timedelta(days=1)


# ---- step 2: copies ---------------------------------------------------------------------------


def copy_business(app, target: int) -> int:
    """Copy the store's events into new businesses (UUIDs remapped) until ``target`` events."""
    base = []
    position = 0
    while True:
        page = app.recorder.select_notifications(start=position + 1, limit=1000)
        if not page:
            break
        base.extend(page)
        position = page[-1].id
    copy = 0
    while (app.recorder.max_notification_id() or 0) < target:
        copy += 1
        mapped: dict[bytes, bytes] = {}

        def remap(match: re.Match) -> bytes:  # the same UUID -> the same new UUID, in the same spelling
            old = match.group(0)
            new = mapped.get(old)
            if new is None:
                fresh = uuid.uuid5(COPY_NAMESPACE, f"{copy}:{uuid.UUID(old.decode())}")
                new = mapped[old] = (str(fresh) if len(old) == 36 else fresh.hex).encode()
            return new

        remaining = target - (app.recorder.max_notification_id() or 0)
        events = [
            StoredEvent(
                originator_id=uuid.UUID(remap(UUID_RE.match(str(n.originator_id).encode())).decode()),
                originator_version=n.originator_version,
                topic=n.topic,
                state=UUID_RE.sub(remap, n.state),
            )
            for n in base[:remaining]
        ]
        for start in range(0, len(events), 2000):
            app.recorder.insert_events(events[start:start + 2000])
    return copy


# ---- steps 3 and 4 ----------------------------------------------------------------------------


def read_and_decode(app) -> tuple[int, float]:
    started = time.perf_counter()
    count, position = 0, 0
    while True:
        page = app.recorder.select_notifications(start=position + 1, limit=500)
        if not page:
            break
        for notification in page:
            app.mapper.to_domain_event(notification)
        count += len(page)
        position = page[-1].id
    return count, time.perf_counter() - started


def rebuild_all(container, **options) -> tuple[int, float]:
    runner = container.projections
    started = time.perf_counter()
    if hasattr(runner, "rebuild_all"):
        applied = runner.rebuild_all(**options)
    else:  # the runner before issue #9: one projection at a time
        applied = sum(runner.rebuild(p.name) for p in runner.projections)
    return applied, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--in-place", action="store_true", help="also time the in-place rebuild (one round trip per statement)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    url = recreate_database()
    rng = random.Random(9)
    container = container_for(url)
    try:
        started = time.perf_counter()
        real_events(container.app, min(sizes[0], 10_000), rng)
        real = container.app.recorder.max_notification_id()
        print(f"real events through commands: {real} in {time.perf_counter() - started:.1f} s", flush=True)
        container.projections.run_once()
        for size in sizes:
            if (container.app.recorder.max_notification_id() or 0) < size:
                copies = copy_business(container.app, size)
                print(f"copied into {copies} more businesses", flush=True)
            total = container.app.recorder.max_notification_id()
            read_count, read_seconds = min((read_and_decode(container.app) for _ in range(2)), key=lambda r: r[1])
            applied, seconds = min((rebuild_all(container) for _ in range(2)), key=lambda r: r[1])
            read_rate, rebuild_rate = read_count / read_seconds, total / seconds
            print(
                f"{total:>7} events | read+decode {read_rate:>8.0f} ev/s ({read_seconds:5.2f} s) | "
                f"rebuild all {rebuild_rate:>7.0f} ev/s ({seconds:5.2f} s, {applied} handler calls, "
                f"{len(container.projections.projections)} projections) | ratio {rebuild_rate / read_rate:.2f}x",
                flush=True,
            )
            if args.in_place:
                applied, seconds = rebuild_all(container, staged=False)
                print(f"{total:>7} events | rebuild all in place {total / seconds:>7.0f} ev/s ({seconds:5.2f} s)", flush=True)
    finally:
        container.close()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
