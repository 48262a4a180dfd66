"""Bookings per second through the command layer on PostgreSQL, next to pgbench on the same server.

    python bench/booking.py [--seconds 8] [--threads 8] [--keep]

1. A fresh database ``parlo_t3_bench`` with the demo business plus one barber per client thread.
2. Statement census: a few bookings on one thread with psycopg's cursor calls counted, so the
   per-booking cost (reads, the write transaction and its ``LOCK TABLE ... IN EXCLUSIVE MODE``)
   is visible.
3. Throughput: ``--threads`` client threads share one ParloApplication and book haircuts for
   ``--seconds``, each thread on its own barber (distinct staff/day aggregates: no conflicts).
4. ``pgbench -i`` + ``pgbench -N -c 8 -j 2 -T 10`` against the same server (same database).
5. Both figures side by side with the ratio (target >= 0.25x).
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from commands import Actor, ParloApplication  # noqa: E402
from commands.messages import AddStaff, BookAppointment  # noqa: E402
from infra.persistence import event_store_env  # noqa: E402
from infra.seed import seed_demo  # noqa: E402
from infra.settings import Settings  # noqa: E402

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
DBNAME = "parlo_t3_bench"
URL = f"postgresql://{USER}@{HOST}:{PORT}/{DBNAME}"
MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)  # the app's frozen clock: every booking is in the future
SERVICE = "Corte de cabello"  # 30 minutes


def admin_conn() -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", autocommit=True)


def recreate_database() -> None:
    with admin_conn() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DBNAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DBNAME)))


def drop_database() -> None:
    with admin_conn() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DBNAME)))


def make_app(pool_size: int) -> ParloApplication:
    env = event_store_env(Settings(_env_file=None, PARLO_DATABASE_URL=URL))
    env["POSTGRES_POOL_SIZE"] = str(pool_size)
    env["POSTGRES_MAX_OVERFLOW"] = "4"
    return ParloApplication(env, clock=lambda: NOW)


def slots(first: date):
    """Every bookable half hour of the demo hours from ``first`` on (Mon–Fri 10–20, Sat 10–18)."""
    day = first
    while True:
        weekday = day.weekday()
        if weekday < 6:
            closing = 20 if weekday < 5 else 18
            for half_hours in range((closing - 10) * 2):
                yield datetime.combine(day, dtime(10), MX) + timedelta(minutes=30 * half_hours)
        day += timedelta(days=1)


class Census:
    """Counts the SQL statements psycopg cursors execute (executemany counts each parameter set)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.transactions = 0
        self._patched: list = []

    @staticmethod
    def _verb(query) -> str:
        text = query.as_string(None) if hasattr(query, "as_string") else str(query)
        words = re.findall(r"[A-Za-z]+", text)
        verb = " ".join(words[:2]).upper() if words[:1] == ["SET"] or words[:1] == ["LOCK"] else (words[0].upper() if words else "?")
        return verb

    def __enter__(self) -> Census:
        census = self
        execute, executemany, transaction = psycopg.Cursor.execute, psycopg.Cursor.executemany, psycopg.Connection.transaction

        def counted_execute(cursor, query, params=None, **kwargs):
            census.counts[census._verb(query)] += 1
            return execute(cursor, query, params, **kwargs)

        def counted_executemany(cursor, query, params_seq, **kwargs):
            params_seq = list(params_seq)
            census.counts[census._verb(query)] += len(params_seq)
            return executemany(cursor, query, params_seq, **kwargs)

        def counted_transaction(conn, *args, **kwargs):
            census.transactions += 1
            return transaction(conn, *args, **kwargs)

        self._patched = [("execute", execute), ("executemany", executemany)]
        psycopg.Cursor.execute, psycopg.Cursor.executemany = counted_execute, counted_executemany
        psycopg.Connection.transaction = counted_transaction
        self._transaction = transaction
        return self

    def __exit__(self, *exc) -> None:
        for name, original in self._patched:
            setattr(psycopg.Cursor, name, original)
        psycopg.Connection.transaction = self._transaction


def book(app: ParloApplication, demo, staff_id, start: datetime, phone: str) -> None:
    app.execute(
        BookAppointment(
            actor=Actor.customer(phone),
            cause=f"bench-{phone}-{start.isoformat()}",
            organization_id=demo.organization_id,
            service_id=demo.service_ids[SERVICE],
            staff_id=staff_id,
            start=start,
        )
    )


def setup(threads: int):
    recreate_database()
    app = make_app(pool_size=2)
    demo = seed_demo(app)
    barbers = []
    for i in range(threads + 1):
        barbers.append(
            app.execute(
                AddStaff(actor=Actor.system("bench"), cause="bench", organization_id=demo.organization_id,
                         name=f"Barbero {i}", phone_number=f"+5255600000{i:02d}", service_ids=[demo.service_ids[SERVICE]])
            ).id
        )
    # the first booking of a service writes the Organization too; get that out of the way
    book(app, demo, barbers[-1], datetime(2026, 1, 15, 10, tzinfo=MX), "+525560009999")
    app.close()
    return demo, barbers


def statement_census(demo, staff_id, bookings: int = 40) -> tuple[Counter, int, float, float]:
    app = make_app(pool_size=2)
    generator = slots(date(2026, 6, 1))
    try:
        for i in range(5):  # warm up connections and code paths
            book(app, demo, staff_id, next(generator), f"+5255700{i % 20:05d}")
        with Census() as census:
            started, cpu = time.perf_counter(), time.process_time()
            for i in range(bookings):
                # two in three customers are new: a realistic mix of 3- and 4-aggregate saves
                phone = f"+5255800{i:05d}" if i % 3 else f"+5255700{i % 20:05d}"
                book(app, demo, staff_id, next(generator), phone)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        app.close()
    return census.counts, census.transactions, elapsed / bookings, cpu / bookings


def throughput(demo, barbers, threads: int, seconds: float, first: date = date(2026, 1, 15)) -> tuple[int, float, float, int, float]:
    app = make_app(pool_size=threads)
    # time spent inside the recorder's write transaction (which takes LOCK TABLE ... EXCLUSIVE)
    insert_events, insert_time, insert_lock = app.recorder.insert_events, [0.0], threading.Lock()

    def timed_insert_events(*args, **kwargs):
        started = time.perf_counter()
        try:
            return insert_events(*args, **kwargs)
        finally:
            with insert_lock:
                insert_time[0] += time.perf_counter() - started

    app.recorder.insert_events = timed_insert_events
    counts = [0] * threads
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        generator = slots(first)
        barrier.wait()
        n = 0
        try:
            while time.perf_counter() < deadline[0]:
                book(app, demo, barbers[i], next(generator), f"+52559{i:02d}{n % 500:05d}")
                n += 1
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        counts[i] = n

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline[0] = time.perf_counter() + seconds
    cpu = time.process_time()
    started = time.perf_counter()
    barrier.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    conflicts = app.conflicts_retried
    app.close()
    if errors:
        raise RuntimeError(f"{len(errors)} client threads failed: {errors[0]!r}") from errors[0]
    total = sum(counts)
    return total, elapsed, cpu, conflicts, insert_time[0]


def find_pgbench() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not candidates:
        raise SystemExit("pgbench not found (install postgresql-contrib or the server package)")
    return candidates[-1]


def pgbench(clients: int = 8, jobs: int = 2, seconds: int = 10) -> tuple[float, str]:
    binary = find_pgbench()
    base = [binary, "-h", HOST, "-p", str(PORT), "-U", USER]
    subprocess.run([*base, "-i", "-q", DBNAME], check=True, capture_output=True, text=True)
    run = subprocess.run([*base, "-N", "-c", str(clients), "-j", str(jobs), "-T", str(seconds), DBNAME],
                         check=True, capture_output=True, text=True)
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", run.stdout)
    if not match:
        raise RuntimeError(f"could not read pgbench output:\n{run.stdout}\n{run.stderr}")
    return float(match.group(1)), binary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of the booking run")
    parser.add_argument("--threads", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DBNAME} database afterwards")
    args = parser.parse_args()

    total_started = time.perf_counter()
    print(f"PostgreSQL {HOST}:{PORT}, database {DBNAME} (recreated); {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews both figures)")
    if __debug__:
        print("(running without -O: eventsourcing asserts isinstance(event, <runtime Protocol>) for every replayed "
              "event, ~25% of the CPU per booking; `python -O bench/booking.py` shows the difference)")
    demo, barbers = setup(args.threads)

    counts, transactions, latency, cpu_per_booking = statement_census(demo, barbers[-1])
    per_booking = {verb: n / 40 for verb, n in counts.most_common()}
    statements = sum(per_booking.values())
    print("\nStatements per booking (one client, 40 bookings, 2 of 3 customers new):")
    for verb, n in per_booking.items():
        print(f"  {verb:<22} {n:5.2f}")
    print(f"  {'total':<22} {statements:5.2f}  (+ BEGIN/COMMIT of {transactions / 40:.2f} explicit transaction)")
    print(f"  single-client latency {latency * 1000:.1f} ms/booking, Python CPU {cpu_per_booking * 1000:.1f} ms/booking")

    total, elapsed, cpu, conflicts, in_insert = throughput(demo, barbers, args.threads, args.seconds)
    rate = total / elapsed
    thread_time = elapsed * args.threads
    print(f"\nParlo: {total} bookings in {elapsed:.1f} s with {args.threads} client threads = {rate:.1f} bookings/s "
          f"(version conflicts retried: {conflicts})")
    print(f"  per booking: {thread_time / total * 1000:.1f} ms of a client thread, of which "
          f"{in_insert / total * 1000:.1f} ms in the write transaction ({in_insert / thread_time:.0%}: queued on the "
          f"recorder's LOCK TABLE ... EXCLUSIVE or committing)")
    print(f"  Python CPU {cpu / total * 1000:.1f} ms/booking, {cpu / elapsed:.2f} cores busy in this process; "
          f"one process's GIL caps it near {1000 / (cpu / total * 1000):.0f} bookings/s")

    tps, binary = pgbench()
    print(f"pgbench ({binary} -N -c 8 -j 2 -T 10): {tps:.1f} TPS")

    ratio = rate / tps
    verdict = "meets" if ratio >= 0.25 else "below"
    print("\n" + "-" * 64)
    print(f"{'bookings/s (command layer)':<34}{rate:>10.1f}")
    print(f"{'pgbench -N TPS':<34}{tps:>10.1f}")
    print(f"{'ratio':<34}{ratio:>10.2f}x   ({verdict} the 0.25x target)")
    print("-" * 64)
    print(f"total bench time {time.perf_counter() - total_started:.0f} s, load average now {os.getloadavg()[0]:.1f}")
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
