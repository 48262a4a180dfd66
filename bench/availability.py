"""Benchmark: availability slot queries at ~10k and ~1M stored events (PostgreSQL).

    python bench/availability.py [--queries 40] [--real-days 8] [--events 1000000] [--skip-1m]

Database ``parlo_t4a_bench`` (dropped and recreated at the start; both the event store and the
read models live there, as with the container's single URL). Frozen "now": Mon 12 Jan 2026 08:00.

1. ~10k events: the demo business (Barbería Don Carlos) plus 8 more staff (10 in all), with ~70%
   of the working minutes of its next 30 days booked by one planner (back-to-back 20/30/45-minute
   services on the 30-minute grid, 4% cancelled again). The bookings of the first ``--real-days``
   days go through the real command layer (``BookAppointment``/``CancelAppointment``) while the
   projection thread (``container.projections``) turns the events into rows; the planner writes
   the rows of the remaining days directly (what the projection would have written; the event
   count they stand for uses the events-per-booking ratio measured on the real part). With
   ``--real-days 30`` all ~10k events are real (1-3 minutes more, depending on the machine).
2. ~1M events: generating them through commands would take far too long, so the read-model rows
   that ~1M events would produce are synthesized by PostgreSQL (INSERT ... SELECT generate_series):
   a year of history of the queried business plus other 10-person businesses.

Each step times ``find_slots`` (30-day range, no staff filter, the 3 services in turn; >= 30
queries after a warm-up) beside ``SELECT 1`` and a primary-key lookup on the same pooled
connection, and prints median, p95 and the ratios.
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
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy import text  # noqa: E402

from vocabulary.hours import day_intervals  # noqa: E402

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


def build_month(container, rng: random.Random, real_days: int):
    """The demo business with 10 staff and ~70% of its next 30 days booked.

    Bookings on the first ``real_days`` days go through ``BookAppointment`` / ``CancelAppointment``
    (real events; the projection thread turns them into rows). The same planner writes the rows of
    the remaining days straight into rm_appointments (what the projection would have written)."""
    from commands import Actor
    from commands.definitions import AddStaff, BookAppointment, CancelAppointment
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
    location_id = app._organization(org_id).primary_location_id

    # The plan: per staff per open day, walk the 30-minute grid; book with a probability tuned so
    # ~70% of the working minutes end up booked (a few bookings are cancelled again).
    today = NOW.astimezone(MX).date()
    open_minutes = booked_minutes = 0
    real = {"bookings": 0, "cancels": 0, "last": None}
    synthetic_rows = []
    for offset in range(30):
        day = today + timedelta(days=offset)
        for start, end in day_intervals(DEMO_HOURS, day, MX):
            for staff_id in staff_ids:
                open_minutes += int((end - start).total_seconds() // 60)
                cursor = start
                while cursor < end:
                    service = rng.choice(services)
                    minutes = durations[service]
                    if cursor + timedelta(minutes=minutes) <= end and rng.random() < 0.90:
                        cancelled = rng.random() < 0.04
                        if offset < real_days:
                            result = app.execute(
                                BookAppointment(actor=admin, cause=f"bench-{real['bookings']}", organization_id=org_id, service_id=service,
                                                start=cursor, staff_id=staff_id, customer_phone=rng.choice(customers), source="whatsapp")
                            )
                            real["bookings"] += 1
                            real["last"] = result
                            if cancelled:
                                real["last"] = app.execute(CancelAppointment(actor=admin, cause=f"bench-cancel-{real['bookings']}",
                                                                             organization_id=org_id, appointment_id=result.id, reason="bench"))
                                real["cancels"] += 1
                        else:
                            begins = cursor.astimezone(UTC)
                            synthetic_rows.append((uuid.uuid4(), org_id, location_id, uuid.uuid4(), staff_id, service, None, begins,
                                                   begins + timedelta(minutes=minutes), day, "cancelled" if cancelled else "confirmed",
                                                   "whatsapp", "", "bench" if cancelled else None, 15000, None, 0, NOW, NOW))
                        if not cancelled:
                            booked_minutes += minutes
                        cursor += timedelta(minutes=30 * -(-minutes // 30))
                    else:
                        cursor += timedelta(minutes=30)
    last = real["last"]
    return {
        "org_id": org_id,
        "location_id": location_id,
        "services": services,
        "staff_ids": staff_ids,
        "bookings": real["bookings"],
        "cancels": real["cancels"],
        "synthetic_rows": synthetic_rows,
        "occupancy": booked_minutes / open_minutes,
        "last_position": last.position if last else None,
    }


APPOINTMENT_COLUMNS = (
    "id, organization_id, location_id, customer_id, staff_id, service_type_id, spot_id, scheduled_start, scheduled_end, "
    "local_date, status, source, notes, cancellation_reason, price_cents, reminder_sent_at, reschedule_count, created_at, updated_at"
)


def copy_appointments(engine, rows) -> None:
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cur, cur.copy(f"COPY rm_appointments ({APPOINTMENT_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.driver_connection.commit()
    finally:
        raw.close()


# ---- step 2: synthesized rows for ~1M events ------------------------------------------------------


# One INSERT ... SELECT per business, generated by PostgreSQL: appointments on the 30-minute grid
# between 10:00 and 19:30 (Mexico City) of random non-Sunday days in [first_day, first_day + days),
# random staff and service; past ones mostly completed, future ones mostly confirmed.
GENERATE_SQL = f"""
INSERT INTO rm_appointments ({APPOINTMENT_COLUMNS})
SELECT gen_random_uuid(), %(org)s, %(location)s, gen_random_uuid(), (%(staff)s::uuid[])[1 + floor(random() * 10)::int],
       (%(services)s::uuid[])[1 + k], NULL, s, s + make_interval(mins => (ARRAY[30, 20, 45])[1 + k]),
       (s AT TIME ZONE 'America/Mexico_City')::date,
       CASE WHEN s < %(now)s THEN (CASE WHEN r < 0.90 THEN 'completed' WHEN r < 0.94 THEN 'no_show' ELSE 'cancelled' END)
            ELSE (CASE WHEN r < 0.85 THEN 'confirmed' WHEN r < 0.95 THEN 'pending' ELSE 'cancelled' END) END,
       'whatsapp', '', NULL, 15000, NULL, 0, s - interval '3 days', s
FROM (
    SELECT ((d + time '10:00' + make_interval(mins => 30 * floor(random() * 20)::int)) AT TIME ZONE 'America/Mexico_City') AS s,
           floor(random() * 3)::int AS k, random() AS r
    FROM (
        SELECT CASE WHEN extract(dow FROM d0) = 0 THEN d0 + 1 ELSE d0 END AS d
        FROM (SELECT %(first_day)s::date + floor(random() * %(days)s)::int AS d0 FROM generate_series(1, %(count)s)) days
    ) picked
) generated
"""


def synthesize(engine, built: dict, appointments_wanted: int):
    """Rows standing for many more events: a year of history of the queried business plus other
    10-person businesses with three months of appointments each (org, location, service, staff rows too)."""
    target_org, location_id = built["org_id"], built["location_id"]
    with engine.connect() as conn:
        hours = conn.execute(text("SELECT business_hours FROM rm_locations WHERE id = :id"), {"id": location_id}).scalar_one()

    per_org_year = 10 * 300 * 14  # 10 staff, ~300 open days, ~14 appointments a day each (~70%)
    target_history = min(appointments_wanted, per_org_year)
    others_total = appointments_wanted - target_history
    per_other = 10 * 90 * 14  # three months of a 10-person business
    n_others = -(-others_total // per_other) if others_total > 0 else 0
    today = NOW.astimezone(MX).date()
    created = NOW - timedelta(days=400)
    settings = json.dumps({"min_notice_minutes": 60, "max_horizon_days": 30, "buffer_minutes": 0, "slot_interval_minutes": 30})

    jobs = [(target_org, location_id, built["staff_ids"], built["services"], target_history, today - timedelta(days=365), 365)]
    raw = engine.raw_connection()
    try:
        pg = raw.driver_connection
        with pg.cursor() as cur:
            left = others_total
            for i in range(n_others):
                oid, lid = uuid.uuid4(), uuid.uuid4()
                svcs, staff = [uuid.uuid4() for _ in range(3)], [uuid.uuid4() for _ in range(10)]
                cur.execute(
                    "INSERT INTO rm_organizations (id, name, business_type, timezone, status, phone_number, settings, created_at, updated_at) "
                    "VALUES (%s, %s, 'barbershop', 'America/Mexico_City', 'active', %s, %s, %s, %s)",
                    (oid, f"Negocio sintético {i}", f"+5299{i:08d}", settings, created, created),
                )
                cur.execute(
                    "INSERT INTO rm_locations (id, organization_id, name, address, is_primary, business_hours, created_at, updated_at) "
                    "VALUES (%s, %s, 'Centro', '', true, %s, %s, %s)",
                    (lid, oid, json.dumps(hours), created, created),
                )
                for k, sid in enumerate(svcs):
                    cur.execute(
                        "INSERT INTO rm_services (id, organization_id, name, description, duration_minutes, price_cents, currency, is_active, "
                        "has_appointments, created_at, updated_at) VALUES (%s, %s, %s, '', %s, 15000, 'MXN', true, true, %s, %s)",
                        (sid, oid, f"Servicio {k}", (30, 20, 45)[k], created, created),
                    )
                for k, sid in enumerate(staff):
                    cur.execute(
                        "INSERT INTO rm_staff (id, organization_id, name, phone_number, role, permission_level, service_ids, working_hours, "
                        "location_id, default_spot_id, is_active, first_message_at, created_at, updated_at) "
                        "VALUES (%s, %s, %s, %s, 'employee', 'staff', %s, NULL, NULL, NULL, true, NULL, %s, %s)",
                        (sid, oid, f"Persona {k}", f"+5298{i:05d}{k:03d}", json.dumps([str(x) for x in svcs]), created, created),
                    )
                count = min(per_other, left)
                left -= count
                jobs.append((oid, lid, staff, svcs, count, today - timedelta(days=60), 90))
            written = 0
            for oid, lid, staff, svcs, count, first_day, days in jobs:
                cur.execute(GENERATE_SQL, {"org": oid, "location": lid, "staff": staff, "services": svcs, "count": count,
                                           "first_day": first_day, "days": days, "now": NOW})
                written += cur.rowcount
        pg.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("rm_appointments", "rm_organizations", "rm_staff", "rm_locations", "rm_services", "rm_staff_blocks"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
    return {"appointments": written, "organizations": n_others + 1, "target_history": target_history}


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
    slot_ms, slot_cpu = [], []
    for call in calls:
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        slot_ms.append((time.perf_counter() - t0) * 1000)
        slot_cpu.append((time.process_time() - c0) * 1000)

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
                    "EXPLAIN (ANALYZE, BUFFERS) SELECT staff_id, spot_id, scheduled_start, scheduled_end FROM rm_appointments "
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
        "slot_cpu": statistics.median(slot_cpu),
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
    print(f"  median {result['slot_median']:.2f} ms   p95 {result['slot_p95']:.2f} ms   "
          f"(client CPU per query, median {result['slot_cpu']:.2f} ms: loading rows + compute_slots)")
    print(f"SELECT 1 (same pooled connection): median {result['one_median']:.3f} ms   p95 {result['one_p95']:.3f} ms")
    print(f"PK lookup rm_organizations:        median {result['pk_median']:.3f} ms   p95 {result['pk_p95']:.3f} ms")
    print(f"ratio slot/SELECT 1 (median): {result['slot_median'] / result['one_median']:.1f}x   "
          f"slot/PK lookup: {result['slot_median'] / result['pk_median']:.1f}x")
    print("appointment query (the one that grows with the data), EXPLAIN ANALYZE:\n  " + plan.replace("\n", "\n  "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=40, help="slot queries per measurement (>= 30)")
    parser.add_argument("--events", type=int, default=1_000_000, help="events the synthesized case stands for")
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--real-days", type=int, default=8,
                        help="days of the 30 booked through real commands (30: all ~10k events real, ~1-3 min more)")
    args = parser.parse_args()
    queries = max(30, args.queries)
    rng = random.Random(args.seed)

    from infra.container import Container
    from infra.settings import Settings

    started = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPUs, load average {load:.1f} at start (wall-clock figures include contention)")
    url = recreate_database()
    container = Container(Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test"), clock=FrozenClock(NOW))
    try:
        print(f"database {DB_NAME}; frozen now {NOW.isoformat()} (Monday); demo business, America/Mexico_City")
        t0 = time.perf_counter()
        container.start_projection_thread()  # the embedded default: projections follow the commands
        built = build_month(container, rng, args.real_days)
        command_s = time.perf_counter() - t0
        events = container.app.recorder.max_notification_id() or 0
        t0 = time.perf_counter()
        if built["last_position"]:
            assert container.wait_for(built["last_position"], timeout=300), "projections did not catch up"
        container.projections.stop()
        projection_s = time.perf_counter() - t0
        with container.engine.connect() as conn:
            real_rows = conn.execute(text("SELECT count(*) FROM rm_appointments")).scalar()
        copy_appointments(container.engine, built["synthetic_rows"])
        with container.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE rm_appointments"))
        per_booking = events / max(1, built["bookings"])
        synthetic = len(built["synthetic_rows"])
        small_events = events + synthetic * per_booking
        print(f"\n-- step 1: the demo business, 10 staff, next 30 days {built['occupancy']:.0%} booked "
              f"(of the working minutes; a few bookings cancelled again)")
        print(f"   through the command layer (days 1-{args.real_days}): {events:,} real events "
              f"({built['bookings']:,} BookAppointment + {built['cancels']} CancelAppointment, seed, 8 AddStaff) in {command_s:.1f} s; "
              f"projections (running alongside) caught up {projection_s:.1f} s later -> {real_rows:,} appointment rows; "
              f"{per_booking:.2f} events per booking")
        if synthetic:
            print(f"   days {args.real_days + 1}-30: {synthetic:,} appointment rows written directly by the same planner "
                  f"(≙ ~{synthetic * per_booking:,.0f} more events at {per_booking:.2f} events/booking)")
        small = measure(container, built["org_id"], built["services"], queries,
                        f"~{small_events / 1000:.0f}k events ({events:,} real via commands + projections"
                        + (f", {synthetic:,} synthesized rows" if synthetic else "") + ")")

        if not args.skip_1m:
            wanted = max(0, int((args.events - small_events) / per_booking))
            t0 = time.perf_counter()
            synth = synthesize(container.engine, built, wanted)
            synth_s = time.perf_counter() - t0
            total_events = small_events + synth["appointments"] * per_booking
            print(f"\n-- step 2: synthesized read-model rows standing for ~{args.events / 1e6:.0f}M events: "
                  f"{synth['appointments']:,} more appointments (at {per_booking:.2f} events/booking, total ≙ "
                  f"{total_events:,.0f} events) across {synth['organizations']} organizations "
                  f"({synth['target_history']:,} of them a year of history of the queried business); "
                  f"generated by INSERT ... SELECT generate_series in {synth_s:.1f} s")
            big = measure(container, built["org_id"], built["services"], queries,
                          f"~{total_events / 1e6:.1f}M events ({events:,} real + synthesized rows)")
            print(f"\nslot query median: {small['slot_median']:.2f} ms at ~10k events, {big['slot_median']:.2f} ms at ~1M events "
                  f"(x{big['slot_median'] / small['slot_median']:.2f})")
        print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    finally:
        container.close()


if __name__ == "__main__":
    main()
