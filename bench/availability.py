"""Benchmark: availability slot queries at ~10k and ~1M stored events (PostgreSQL).

    python bench/availability.py [--queries 40] [--events 1000000] [--skip-1m]

What it does (database ``parlo_t4a_bench``, dropped and recreated at the start):

1. ~10k events, through the real command layer: the demo business plus 8 more staff (10 in all),
   then bookings through ``BookAppointment`` (and a few ``CancelAppointment``) until ~70% of the
   next 30 days of working time is booked. The projection runner (``container.projections``) turns
   the events into read-model rows. Then ``find_slots`` over a 30-day range is timed beside
   ``SELECT 1`` and a primary-key lookup on the same pooled connection.
2. ~1M events: generating them through commands would take far too long, so the read-model rows
   that ~1M events would produce are synthesized with COPY: past appointments (a year of history)
   for the same business and other businesses with 10 staff each, sized with the events-per-booking
   ratio measured in step 1. The same queries are timed again.

Prints median and p95 (ms) and the ratio of the slot query to the trivial query.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

DB_NAME = "parlo_t4a_bench"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
MX = ZoneInfo("America/Mexico_City")
UTC = timezone.utc
# Monday 12 January 2026, 08:00 in Mexico City: the bench's frozen "now".
NOW = datetime(2026, 1, 12, 8, 0, tzinfo=MX)
EXTRA_STAFF = 8
TARGET_OCCUPANCY = 0.70


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def recreate_database() -> str:
    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    return f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


# ---- step 1: real events through the command layer ------------------------------------------------


def build_through_commands(container, rng: random.Random):
    from commands import Actor
    from commands.messages import AddStaff, BookAppointment, CancelAppointment
    from infra.seed import DEMO_HOURS, DEMO_SERVICES, seed_demo

    app, admin = container.app, Actor.admin("bench")
    demo = seed_demo(app)
    org_id = demo.organization_id
    services = list(demo.service_ids.values())
    durations = {demo.service_ids[name]: minutes for name, _, minutes, _ in DEMO_SERVICES}
    staff_ids = list(demo.staff_ids.values())
    for i in range(EXTRA_STAFF):
        staff_ids.append(
            app.execute(
                AddStaff(actor=admin, cause=f"bench-staff-{i}", organization_id=org_id, name=f"Estilista {i + 1}",
                         phone_number=f"+5255600000{i:02d}", permission_level="staff", service_ids=services)
            ).id
        )
    customers = [f"+5255{7000_0000 + i:08d}" for i in range(1200)]

    # The plan: per staff per open day, walk the 30-minute grid; book with a probability tuned so
    # ~70% of the working minutes end up booked.
    today = NOW.astimezone(MX).date()
    open_minutes = booked_minutes = 0
    bookings = cancels = 0
    last = None
    for offset in range(30):
        day = today + timedelta(days=offset)
        ranges = DEMO_HOURS[("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]]
        for opens, closes in ranges:
            start = datetime.combine(day, datetime.strptime(opens, "%H:%M").time(), MX)
            end = datetime.combine(day, datetime.strptime(closes, "%H:%M").time(), MX)
            for staff_id in staff_ids:
                open_minutes += int((end - start).total_seconds() // 60)
                cursor = start
                while cursor < end:
                    service = rng.choice(services)
                    minutes = durations[service]
                    if cursor + timedelta(minutes=minutes) <= end and rng.random() < 0.90:
                        result = app.execute(
                            BookAppointment(actor=admin, cause=f"bench-{bookings}", organization_id=org_id, service_id=service,
                                            start=cursor, staff_id=staff_id, customer_phone=rng.choice(customers), source="whatsapp")
                        )
                        bookings += 1
                        last = result
                        if rng.random() < 0.04:
                            last = app.execute(CancelAppointment(actor=admin, cause=f"bench-cancel-{bookings}", organization_id=org_id,
                                                                 appointment_id=result.id, reason="bench"))
                            cancels += 1
                        else:
                            booked_minutes += minutes
                        cursor += timedelta(minutes=30 * -(-minutes // 30))
                    else:
                        cursor += timedelta(minutes=30)
    return {
        "org_id": org_id,
        "services": services,
        "staff_ids": staff_ids,
        "bookings": bookings,
        "cancels": cancels,
        "occupancy": booked_minutes / open_minutes,
        "last_position": last.position if last else None,
    }


# ---- step 2: synthesized rows for ~1M events ------------------------------------------------------


def synthesize(engine, target_org: uuid.UUID, target_staff: list[uuid.UUID], services: list[uuid.UUID], appointments_wanted: int, rng: random.Random):
    """COPY appointment rows (and the org/location/service/staff rows of extra businesses)."""
    from readmodels import tables as t

    with engine.connect() as conn:
        location_id = conn.execute(
            select(t.locations.c.id).where(t.locations.c.organization_id == target_org, t.locations.c.is_primary.is_(True))
        ).scalar_one()
        org_row = conn.execute(select(t.organizations).where(t.organizations.c.id == target_org)).mappings().one()
        hours = conn.execute(select(t.locations.c.business_hours).where(t.locations.c.id == location_id)).scalar_one()

    per_org_year = 10 * 300 * 14  # 10 staff, ~300 open days, ~14 appointments a day each at ~70%
    target_history = min(appointments_wanted, per_org_year)
    others_total = appointments_wanted - target_history
    per_other = 10 * 30 * 14 * 3  # three months of a 10-person business
    n_others = max(1, -(-others_total // per_other)) if others_total > 0 else 0

    now = NOW.astimezone(UTC)
    created = now - timedelta(days=400)
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        orgs = []
        with pg.cursor() as cur:
            with cur.copy("COPY rm_organizations (id, name, business_type, timezone, status, phone_number, settings, created_at, updated_at) FROM STDIN") as copy:
                for i in range(n_others):
                    oid = uuid.uuid4()
                    orgs.append(oid)
                    copy.write_row((oid, f"Negocio sintético {i}", "barbershop", "America/Mexico_City", "active", f"+5299{i:08d}",
                                    '{"min_notice_minutes": 60, "max_horizon_days": 30, "buffer_minutes": 0, "slot_interval_minutes": 30}',
                                    created, created))
            org_locations, org_staff, org_services = {}, {}, {}
            with cur.copy("COPY rm_locations (id, organization_id, name, address, is_primary, business_hours, created_at, updated_at) FROM STDIN") as copy:
                for oid in orgs:
                    lid = uuid.uuid4()
                    org_locations[oid] = lid
                    copy.write_row((lid, oid, "Centro", "", True, json.dumps(hours), created, created))
            with cur.copy("COPY rm_services (id, organization_id, name, description, duration_minutes, price_cents, currency, is_active, has_appointments, created_at, updated_at) FROM STDIN") as copy:
                for oid in orgs:
                    org_services[oid] = [uuid.uuid4() for _ in range(3)]
                    for k, sid in enumerate(org_services[oid]):
                        copy.write_row((sid, oid, f"Servicio {k}", "", (30, 20, 45)[k], 15000, "MXN", True, True, created, created))
            with cur.copy("COPY rm_staff (id, organization_id, name, phone_number, role, permission_level, service_ids, working_hours, location_id, default_spot_id, is_active, first_message_at, created_at, updated_at) FROM STDIN") as copy:
                for n, oid in enumerate(orgs):
                    org_staff[oid] = [uuid.uuid4() for _ in range(10)]
                    svc = json.dumps([str(s) for s in org_services[oid]])
                    for k, sid in enumerate(org_staff[oid]):
                        copy.write_row((sid, oid, f"Persona {k}", f"+5298{n:05d}{k:03d}", "employee", "staff", svc, None, None, None, True, None, created, created))

            def rows_for(oid, lid, staff, svcs, count, first_day, days):
                """``count`` appointments on the 30-minute grid of weekdays 10:00–20:00 in [first_day, first_day + days)."""
                made = 0
                while made < count:
                    day = first_day + timedelta(days=rng.randrange(days))
                    if day.weekday() == 6:
                        continue
                    slot = rng.randrange(16 if day.weekday() == 5 else 20)
                    start = datetime.combine(day, datetime.min.time(), MX).replace(hour=10) + timedelta(minutes=30 * slot)
                    start = start.astimezone(UTC)
                    k = rng.randrange(3)
                    end = start + timedelta(minutes=(30, 20, 45)[k])
                    past = start < now
                    status = rng.choices(("completed", "no_show", "cancelled"), (90, 4, 6))[0] if past else rng.choices(("confirmed", "pending", "cancelled"), (85, 10, 5))[0]
                    yield (uuid.uuid4(), oid, lid, uuid.uuid4(), rng.choice(staff), svcs[k], None, start, end, start.astimezone(MX).date(),
                           status, "whatsapp", "", None, 15000, None, 0, start - timedelta(days=3), start)
                    made += 1

            today = NOW.astimezone(MX).date()
            columns = ("id, organization_id, location_id, customer_id, staff_id, service_type_id, spot_id, scheduled_start, scheduled_end, "
                       "local_date, status, source, notes, cancellation_reason, price_cents, reminder_sent_at, reschedule_count, created_at, updated_at")
            written = 0
            with cur.copy(f"COPY rm_appointments ({columns}) FROM STDIN") as copy:
                # the queried business: a year of history before "now" (its next 30 days came from commands)
                for row in rows_for(target_org, location_id, target_staff, services, target_history, today - timedelta(days=365), 365):
                    copy.write_row(row)
                    written += 1
                left = others_total
                for oid in orgs:
                    count = min(per_other, left)
                    left -= count
                    for row in rows_for(oid, org_locations[oid], org_staff[oid], org_services[oid], count, today - timedelta(days=60), 90):
                        copy.write_row(row)
                        written += 1
        pg.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        for table in ("rm_appointments", "rm_organizations", "rm_staff", "rm_locations", "rm_services", "rm_staff_blocks"):
            conn.execute(text(f"ANALYZE {table}"))
    return {"appointments": written, "organizations": n_others + 1, "target_history": target_history, "org_row": dict(org_row)}


# ---- measuring -------------------------------------------------------------------------------------


def measure(container, org_id, services, queries: int, label: str) -> dict:
    availability = container.availability
    engine = container.engine
    today = NOW.astimezone(MX).date()
    date_from, date_to = today, today + timedelta(days=29)

    calls = []
    for i in range(queries):
        service = services[i % len(services)]
        calls.append(lambda service=service: availability.find_slots(org_id, service, date_from, date_to, now=NOW))
    for call in calls[:5]:  # warm up: connection pool, statement cache, zoneinfo
        call()
    counts = [len(call()) for call in calls[:3]]
    slot_ms = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        slot_ms.append((time.perf_counter() - t0) * 1000)

    def select_one():
        with engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar()

    def pk_lookup():
        with engine.connect() as conn:
            conn.execute(text("SELECT timezone FROM rm_organizations WHERE id = :id"), {"id": org_id}).scalar()

    timed(select_one, 5)
    one_ms = timed(select_one, max(queries, 30))
    pk_ms = timed(pk_lookup, max(queries, 30))
    with engine.connect() as conn:
        appointments = conn.execute(text("SELECT count(*) FROM rm_appointments")).scalar()
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                text(
                    "EXPLAIN SELECT staff_id, spot_id, scheduled_start, scheduled_end FROM rm_appointments "
                    "WHERE organization_id = :o AND scheduled_start >= :lo AND scheduled_start < :hi "
                    "AND scheduled_end > :lo AND status IN ('pending','confirmed','completed','no_show')"
                ),
                {"o": org_id, "lo": NOW - timedelta(days=1), "hi": NOW + timedelta(days=31)},
            )
        )
    result = {
        "label": label,
        "queries": len(slot_ms),
        "slots_per_query": counts,
        "slot_median": statistics.median(slot_ms),
        "slot_p95": pct(slot_ms, 0.95),
        "one_median": statistics.median(one_ms),
        "one_p95": pct(one_ms, 0.95),
        "pk_median": statistics.median(pk_ms),
        "pk_p95": pct(pk_ms, 0.95),
        "appointment_rows": appointments,
        "plan": plan,
    }
    print(f"\n== {label} ==")
    print(f"rm_appointments rows: {appointments:,}")
    print(f"find_slots, 30-day range, 10 staff ({len(slot_ms)} queries, {counts[0]} slots each for the first service):")
    print(f"  median {result['slot_median']:.2f} ms   p95 {result['slot_p95']:.2f} ms")
    print(f"SELECT 1 (same pooled connection): median {result['one_median']:.3f} ms   p95 {result['one_p95']:.3f} ms")
    print(f"PK lookup rm_organizations:        median {result['pk_median']:.3f} ms   p95 {result['pk_p95']:.3f} ms")
    print(f"ratio slot/SELECT 1 (median): {result['slot_median'] / result['one_median']:.1f}x   "
          f"slot/PK lookup: {result['slot_median'] / result['pk_median']:.1f}x")
    print("appointment query plan:\n  " + plan.replace("\n", "\n  "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=40, help="slot queries per measurement (>= 30)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events the synthesized case stands for")
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    queries = max(30, args.queries)
    rng = random.Random(args.seed)

    from infra.container import Container
    from infra.settings import Settings

    started = time.perf_counter()
    url = recreate_database()
    container = Container(Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test"), clock=FrozenClock(NOW))
    try:
        print(f"database {DB_NAME}; frozen now {NOW.isoformat()} (Monday); demo business, America/Mexico_City")
        t0 = time.perf_counter()
        container.start_projection_thread()  # the embedded default: projections follow the commands
        built = build_through_commands(container, rng)
        command_s = time.perf_counter() - t0
        events = container.app.recorder.max_notification_id() or 0
        t0 = time.perf_counter()
        if built["last_position"]:
            assert container.wait_for(built["last_position"], timeout=300), "projections did not catch up"
        container.projections.stop()
        projection_s = time.perf_counter() - t0
        with container.engine.connect() as conn:
            live_rows = conn.execute(text("SELECT count(*) FROM rm_appointments")).scalar()
        per_booking = events / max(1, built["bookings"])
        print(f"\n-- step 1: through the command layer: {events:,} events stored "
              f"({built['bookings']:,} BookAppointment + {built['cancels']} CancelAppointment, 10 staff, 1,200 customers) "
              f"in {command_s:.1f} s; projections (running alongside) caught up {projection_s:.1f} s later; {live_rows:,} appointment rows")
        print(f"   booked {built['occupancy']:.0%} of the working minutes of the next 30 days; {per_booking:.2f} events per booking")
        small = measure(container, built["org_id"], built["services"], queries, f"~{events / 1000:.0f}k events (real, via commands + projections)")

        if not args.skip_1m:
            wanted = max(0, int((args.events - events) / per_booking))
            t0 = time.perf_counter()
            synth = synthesize(container.engine, built["org_id"], built["staff_ids"], built["services"], wanted, rng)
            synth_s = time.perf_counter() - t0
            print(f"\n-- step 2: synthesized read-model rows standing for ~{args.events / 1e6:.0f}M events: "
                  f"{synth['appointments']:,} more appointments (at {per_booking:.2f} events/booking ≙ "
                  f"{synth['appointments'] * per_booking + events:,.0f} events) across {synth['organizations']} organizations "
                  f"({synth['target_history']:,} of them a year of history of the queried business), COPY in {synth_s:.1f} s")
            big = measure(container, built["org_id"], built["services"], queries, f"~{args.events / 1e6:.0f}M events (10k real + synthesized rows)")
            print(f"\nslot query median: {small['slot_median']:.2f} ms at ~10k events, {big['slot_median']:.2f} ms at ~1M "
                  f"(x{big['slot_median'] / small['slot_median']:.2f})")
        print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    finally:
        container.close()


if __name__ == "__main__":
    main()
