"""Bookings per second through the command layer on PostgreSQL, next to pgbench on the same server.

    python bench/booking.py [--seconds 8] [--clients 8] [--mode threads|processes|both]
                            [--cache on|off|both] [--sync-off-diagnostic] [--keep]
    python -O bench/booking.py ...   # without eventsourcing's per-event isinstance asserts

1. A fresh database ``parlo_t3_bench`` with the demo business plus one barber per client.
2. Statement census: bookings on one client with psycopg's cursor calls counted and the libpq
   protocol traced, so the statements *and round trips* per booking (reads, the write transaction
   and its ``LOCK TABLE ... IN EXCLUSIVE MODE``) are visible, with the uncontended write latency.
3. ``pgbench -i`` + ``pgbench -N -c 8 -j 2 -T 10`` against the same server (same database).
4. Throughput variants, each for ``--seconds``, each client on its own barber and its own dates
   (distinct staff/day aggregates: no conflicts), every booking by a new customer:
   - ``threads``: ``--clients`` threads share one ParloApplication (one process, one GIL);
   - ``processes``: ``--clients`` processes, each with its own ParloApplication (pool of 1);
   each with the aggregate cache of infra/persistence.py (``cache on``, production setting) and
   without it (``cache off``, the state before issue #3's changes).
5. ``pgbench`` again, then every variant's rate beside both pgbench figures as a ratio (target
   >= 0.25x). The machine is shared: compare variants within one run, and repeat runs.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import pq, sql

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from commands import Actor, ParloApplication  # noqa: E402
from commands.definitions import AddStaff, BookAppointment  # noqa: E402
from infra.persistence import AGGREGATE_CACHE_ENV, event_store_env  # noqa: E402
from infra.seed import seed_demo  # noqa: E402
from infra.settings import Settings  # noqa: E402

HOST, PORT, USER = "127.0.0.1", 5432, "postgres"
DBNAME = "parlo_t3_bench"
URL = f"postgresql://{USER}@{HOST}:{PORT}/{DBNAME}"
MX = ZoneInfo("America/Mexico_City")
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)  # the app's frozen clock: every booking is in the future
SERVICE = "Corte de cabello"  # 30 minutes
FIRST_DAY = date(2026, 1, 15)
VARIANT_SPACING = timedelta(days=150)  # each variant books its own range of dates (fresh day calendars)


def admin_conn() -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=PORT, user=USER, dbname="postgres", autocommit=True)


def recreate_database() -> None:
    with admin_conn() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DBNAME)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DBNAME)))


def drop_database() -> None:
    with admin_conn() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DBNAME)))


def make_app(pool_size: int, *, cache: bool = True, max_overflow: int = 4, create_table: bool = True) -> ParloApplication:
    """The production environment (infra/persistence.py), with or without its aggregate cache."""
    env = event_store_env(Settings(_env_file=None, PARLO_DATABASE_URL=URL))
    if not create_table:  # clients starting together would race on CREATE ... IF NOT EXISTS ("tuple concurrently updated")
        env["CREATE_TABLE"] = "n"
    if not cache:
        for key in AGGREGATE_CACHE_ENV:
            env.pop(key, None)
    env["POSTGRES_POOL_SIZE"] = str(pool_size)
    env["POSTGRES_MAX_OVERFLOW"] = str(max_overflow)
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


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def server_cpu(pids: list[int] | None = None) -> tuple[list[int], float]:
    """CPU seconds used so far by the PostgreSQL backends serving the bench database (/proc/<pid>/stat)."""
    if pids is None:
        with admin_conn() as conn:
            pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (DBNAME,))]
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            pass
    return pids, ticks / os.sysconf("SC_CLK_TCK")


# ---- statement census ----------------------------------------------------------------------


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


@dataclass
class CensusResult:
    counts: Counter
    transactions: int
    round_trips: float  # ReadyForQuery messages per booking: each one is the client waiting on the server
    round_trips_in_write: float  # of which inside recorder.insert_events (the write transaction)
    latency: float  # s per booking, one client
    cpu: float  # s of Python CPU per booking
    write_latency: float  # s per booking in recorder.insert_events, uncontended


def statement_census(demo, staff_id, *, cache: bool, first: date, bookings: int = 40) -> CensusResult:
    # one connection (pool of 1, no overflow), so tracing it sees every message of the booking
    app = make_app(pool_size=1, cache=cache, max_overflow=0)
    generator = slots(first)
    trace = tempfile.NamedTemporaryFile("w+", prefix="parlo_t3_trace_", suffix=".txt")
    in_write = [0.0]
    marks: list[int] = []
    insert_events = app.recorder.insert_events

    def timed_insert_events(*args, **kwargs):
        trace.flush()
        marks.append(os.fstat(trace.fileno()).st_size)  # where the write transaction starts in the trace
        started = time.perf_counter()
        try:
            return insert_events(*args, **kwargs)
        finally:
            in_write[0] += time.perf_counter() - started
            marks.append(os.fstat(trace.fileno()).st_size)

    try:
        for i in range(5):  # warm up connections, code paths and (when on) the cache
            book(app, demo, staff_id, next(generator), f"+5255700{i % 20:05d}")
        with app.recorder.datastore.pool.connection() as conn:
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        app.recorder.insert_events = timed_insert_events
        with Census() as census:
            started, cpu = time.perf_counter(), time.process_time()
            for i in range(bookings):
                # two in three customers are new: a realistic mix of 3- and 4-aggregate saves
                phone = f"+5255800{i:05d}" if i % 3 else f"+5255700{i % 20:05d}"
                book(app, demo, staff_id, next(generator), phone)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        with app.recorder.datastore.pool.connection() as conn:
            conn.pgconn.untrace()
    finally:
        app.close()
    trace.seek(0)
    text = trace.read()
    trace.close()
    ready = [m.start() for m in re.finditer(r"^B\t\d+\tReadyForQuery", text, re.M)]
    # marks are byte offsets; the trace is ASCII apart from quoted parameters, close enough to split on
    in_write_rt = sum(1 for pos in ready for a, b in zip(marks[::2], marks[1::2]) if a <= pos < b)
    return CensusResult(census.counts, census.transactions, len(ready) / bookings, in_write_rt / bookings,
                        elapsed / bookings, cpu / bookings, in_write[0] / bookings)


# ---- throughput ----------------------------------------------------------------------------


@dataclass
class ClientResult:
    count: int = 0
    started: float = 0.0  # time.perf_counter (CLOCK_MONOTONIC: comparable across processes)
    ended: float = 0.0
    in_write: float = 0.0  # s inside recorder.insert_events (waiting for the table lock, inserting, committing)
    cpu: float = 0.0  # time.process_time() over the run: this process's CPU (all its threads)
    conflicts: int = 0
    error: str | None = None


def run_client(app: ParloApplication, demo, staff_id, i: int, k: int, seconds: float, barrier, first: date,
               in_write: list[float] | None = None) -> ClientResult:
    """One client: warm up, wait for the others, book ``staff_id``'s free half hours for ``seconds``."""
    result = ClientResult()
    warm = slots(first + timedelta(days=120))
    for w in range(3):  # connections, code paths and the cache warm before the clock starts
        book(app, demo, staff_id, next(warm), f"+5255{k}{i:02d}{90000 + w:05d}")
    generator = slots(first)
    barrier.wait()
    cpu = time.process_time()
    write0 = in_write[0] if in_write else 0.0
    result.started = time.perf_counter()
    deadline = result.started + seconds
    try:
        while time.perf_counter() < deadline:
            # +52 55 k ii nnnnn: new customers (k: variant, ii: client)
            book(app, demo, staff_id, next(generator), f"+5255{k}{i:02d}{result.count % 90000:05d}")
            result.count += 1
    except Exception as error:  # noqa: BLE001 - reported by the caller
        result.error = repr(error)
    result.ended = time.perf_counter()
    result.cpu = time.process_time() - cpu
    result.in_write = (in_write[0] - write0) if in_write else 0.0
    return result


def one_round_trip_writes(app: ParloApplication) -> None:
    """DIAGNOSTIC ONLY (never production): the recorder's exact statements (BEGIN, SET LOCAL lock_timeout,
    LOCK TABLE ... IN EXCLUSIVE MODE, NOTIFY, INSERT ... RETURNING, COMMIT) sent in one pipeline with a
    single Sync, so the table lock is no longer held across client round trips (only across the
    server's own work and the commit's WAL flush). Same lock, same durability; shows what the
    library's 5-round-trip write costs under the lock. No conflicts happen in this benchmark, so
    the error path is only a plain rollback.
    """
    recorder = app.recorder
    original = recorder._insert_stored_events  # LOCK + NOTIFY + INSERT on one cursor

    def insert_events(stored_events, **kwargs):
        if not stored_events:
            return []
        with recorder.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline, conn.cursor() as curs:
                    curs.execute("BEGIN")
                    original(curs, stored_events)
                    conn.execute("COMMIT")
                    pipeline.sync()
                    ids = [row["notification_id"] for row in curs.fetchall()]
            except Exception:
                conn.execute("ROLLBACK")
                raise
        return ids

    recorder.insert_events = insert_events


def _timed_insert(app: ParloApplication, result_holder: list[float], lock: threading.Lock) -> None:
    insert_events = app.recorder.insert_events

    def timed_insert_events(*args, **kwargs):
        started = time.perf_counter()
        try:
            return insert_events(*args, **kwargs)
        finally:
            with lock:
                result_holder[0] += time.perf_counter() - started

    app.recorder.insert_events = timed_insert_events


@dataclass
class Variant:
    mode: str
    cache: bool
    clients: int
    bookings: int
    elapsed: float
    python_cpu: float  # s of client CPU (all client threads/processes) during the run
    in_write: float
    conflicts: int
    machine_busy: float  # fraction of all CPUs busy (everything on the machine) during the run
    server_cpu: float = 0.0  # s of CPU of the PostgreSQL backends serving the clients during the run
    diagnostic: str = ""  # set: not a reportable configuration

    @property
    def rate(self) -> float:
        return self.bookings / self.elapsed

    @property
    def label(self) -> str:
        return f"{self.mode}, cache {'on' if self.cache else 'off'}" + (f", {self.diagnostic}" if self.diagnostic else "")


def throughput_threads(demo, barbers, clients: int, seconds: float, first: date, k: int, cache: bool,
                       diagnostic: str = "") -> Variant:
    app = make_app(pool_size=clients, cache=cache)
    interval = sys.getswitchinterval()
    if diagnostic.startswith("switchinterval"):  # how long a thread back from I/O waits for the GIL
        sys.setswitchinterval(float(diagnostic.split("=")[1].rstrip("s")))
    in_write, lock = [0.0], threading.Lock()
    barrier = threading.Barrier(clients + 1)
    results: list[ClientResult | None] = [None] * clients

    def client(i: int) -> None:
        try:
            results[i] = run_client(app, demo, barbers[i], i, k, seconds, barrier, first)
        except BaseException as error:  # noqa: BLE001
            results[i] = ClientResult(error=repr(error))
            barrier.abort()

    workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    while any(w.is_alive() for w in workers) and barrier.n_waiting < clients:
        time.sleep(0.01)  # every client warmed up (or failed)
    _timed_insert(app, in_write, lock)  # only the measured window
    pids, server0 = server_cpu()
    busy0, total0 = cpu_busy()
    cpu0 = time.process_time()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    for worker in workers:
        worker.join()
    cpu = time.process_time() - cpu0
    busy1, total1 = cpu_busy()
    sys.setswitchinterval(interval)
    _, server1 = server_cpu(pids)
    conflicts = app.conflicts_retried
    app.close()
    variant = _variant("threads", cache, results, cpu, in_write[0], conflicts, (busy1 - busy0) / max(1, total1 - total0))
    variant.diagnostic = diagnostic
    variant.server_cpu = server1 - server0
    return variant


def _process_main(demo, staff_id, i, k, seconds, barrier, end_barrier, first, cache, diagnostic, queue) -> None:
    if diagnostic == "synchronous_commit=off":  # libpq passes this to the server for this process's connections
        os.environ["PGOPTIONS"] = "-c synchronous_commit=off"
    try:
        app = make_app(pool_size=1, cache=cache, create_table=False)
        if diagnostic == "one-round-trip write":
            one_round_trip_writes(app)
        in_write = [0.0]
        _timed_insert(app, in_write, threading.Lock())
        result = run_client(app, demo, staff_id, i, k, seconds, barrier, first, in_write)
        result.conflicts = app.conflicts_retried
    except BaseException as error:  # noqa: BLE001
        barrier.abort()
        end_barrier.abort()
        queue.put((i, ClientResult(error=repr(error)), 0.0))
        return
    queue.put((i, result, result.cpu))
    try:
        end_barrier.wait(timeout=120)  # the parent reads the backends' CPU before they go away
    except threading.BrokenBarrierError:
        pass
    app.close()


def throughput_processes(demo, barbers, clients: int, seconds: float, first: date, k: int, cache: bool,
                         diagnostic: str = "") -> Variant:
    context = multiprocessing.get_context("fork")  # the parent holds no connections at this point
    barrier, end_barrier = context.Barrier(clients + 1), context.Barrier(clients + 1)
    queue = context.Queue()
    workers = [
        context.Process(target=_process_main,
                        args=(demo, barbers[i], i, k, seconds, barrier, end_barrier, first, cache, diagnostic, queue))
        for i in range(clients)
    ]
    for worker in workers:
        worker.start()
    try:
        barrier.wait(timeout=120)  # every client warmed up
    except threading.BrokenBarrierError:
        pass
    pids, server0 = server_cpu()
    busy0, total0 = cpu_busy()
    gathered = [queue.get(timeout=seconds + 120) for _ in workers]
    busy1, total1 = cpu_busy()
    _, server1 = server_cpu(pids)
    try:
        end_barrier.wait(timeout=30)
    except threading.BrokenBarrierError:
        pass
    for worker in workers:
        worker.join()
    results = [r for _, r, _ in sorted(gathered, key=lambda g: g[0])]
    cpu = sum(c for _, _, c in gathered)
    in_write = sum(r.in_write for r in results)
    conflicts = sum(r.conflicts for r in results)
    variant = _variant("processes", cache, results, cpu, in_write, conflicts, (busy1 - busy0) / max(1, total1 - total0))
    variant.diagnostic = diagnostic
    variant.server_cpu = server1 - server0
    return variant


def _variant(mode, cache, results, cpu, in_write, conflicts, busy) -> Variant:
    errors = [r.error if r is not None else "no result" for r in results if r is None or r.error]
    errors.sort(key=lambda e: "BrokenBarrierError" in e)  # the cause first, not the clients it stopped
    if errors:
        raise RuntimeError(f"{len(errors)} {mode} clients failed: {errors[0]}")
    started, ended = min(r.started for r in results), max(r.ended for r in results)
    total = sum(r.count for r in results)
    return Variant(mode, cache, len(results), total, ended - started, cpu, in_write, conflicts, busy)


# ---- pgbench ------------------------------------------------------------------------------


def find_pgbench() -> str:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    if not candidates:
        raise SystemExit("pgbench not found (install postgresql-contrib or the server package)")
    return candidates[-1]


def pgbench(clients: int = 8, jobs: int = 2, seconds: int = 10, initialize: bool = True) -> tuple[float, float]:
    """(TPS, server CPU seconds per transaction, sampled from the pgbench backends' /proc/<pid>/stat)."""
    base = [find_pgbench(), "-h", HOST, "-p", str(PORT), "-U", USER]
    if initialize:
        subprocess.run([*base, "-i", "-q", DBNAME], check=True, capture_output=True, text=True)
    seen: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            for pid in server_cpu()[0]:
                seen[pid] = max(seen.get(pid, 0.0), server_cpu([pid])[1])

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        run = subprocess.run([*base, "-N", "-c", str(clients), "-j", str(jobs), "-T", str(seconds), DBNAME],
                             check=True, capture_output=True, text=True)
    finally:
        done.set()
        sampler.join()
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", run.stdout)
    if not match:
        raise RuntimeError(f"could not read pgbench output:\n{run.stdout}\n{run.stderr}")
    tps = float(match.group(1))
    return tps, sum(seen.values()) / (tps * seconds)


# ---- main -----------------------------------------------------------------------------------


def setup(clients: int):
    recreate_database()
    app = make_app(pool_size=1, cache=False)
    demo = seed_demo(app)
    barbers = []
    for i in range(clients + 1):
        barbers.append(
            app.execute(
                AddStaff(actor=Actor.system("bench"), cause="bench", organization_id=demo.organization_id,
                         name=f"Barbero {i}", phone_number=f"+5255600000{i:02d}", service_ids=[demo.service_ids[SERVICE]])
            ).id
        )
    # the first booking of a service writes the Organization too; get that out of the way
    book(app, demo, barbers[-1], datetime(2026, 1, 15, 10, tzinfo=MX), "+525560009999")
    org_events = app.repository.get(demo.organization_id).version
    app.close()
    return demo, barbers, org_events


def print_census(label: str, c: CensusResult, bookings: int = 40) -> None:
    per_booking = {verb: n / bookings for verb, n in c.counts.most_common()}
    statements = sum(per_booking.values())
    print(f"\nStatements per booking, {label} (one client, {bookings} bookings, 2 of 3 customers new):")
    print("  " + ", ".join(f"{verb} {n:.2f}" for verb, n in per_booking.items())
          + f"; total {statements:.2f} (+ BEGIN/COMMIT of {c.transactions / bookings:.2f} explicit transaction)")
    print(f"  round trips (ReadyForQuery) {c.round_trips:.2f}/booking, {c.round_trips_in_write:.2f} of them in the "
          f"write transaction; uncontended write transaction {c.write_latency * 1000:.2f} ms")
    print(f"  single-client latency {c.latency * 1000:.1f} ms/booking, Python CPU {c.cpu * 1000:.1f} ms/booking")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each booking run")
    parser.add_argument("--clients", "--threads", type=int, default=8, help="concurrent clients")
    parser.add_argument("--mode", choices=("threads", "processes", "both"), default="both")
    parser.add_argument("--cache", choices=("on", "off", "both"), default="both",
                        help="the aggregate cache of infra/persistence.py (on = production setting)")
    parser.add_argument("--diagnostics", action="store_true",
                        help="also run labelled diagnostics (not results): processes with synchronous_commit=off, "
                             "processes with a one-round-trip write transaction, threads with a 0.5 ms GIL switch interval")
    parser.add_argument("--keep", action="store_true", help=f"keep the {DBNAME} database afterwards")
    args = parser.parse_args()

    total_started = time.perf_counter()
    print(f"PostgreSQL {HOST}:{PORT}, database {DBNAME} (recreated); {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews every figure)")
    print("python -O: eventsourcing's per-event isinstance asserts are off" if not __debug__ else
          "(without -O: eventsourcing asserts isinstance(event, <runtime Protocol>) for every replayed event; "
          "`python -O bench/booking.py` shows the difference)")
    demo, barbers, org_events = setup(args.clients)
    print(f"Organization aggregate: {org_events} events")

    caches = {"on": [True], "off": [False], "both": [False, True]}[args.cache]
    modes = {"threads": ["threads"], "processes": ["processes"], "both": ["threads", "processes"]}[args.mode]
    census_first = FIRST_DAY + VARIANT_SPACING * 10
    for n, cache in enumerate(caches):
        result = statement_census(demo, barbers[-1], cache=cache, first=census_first + timedelta(days=30 * n))
        print_census(f"cache {'on' if cache else 'off'}", result)

    tps_before, pg_cpu = pgbench()
    print(f"\npgbench -N -c 8 -j 2 -T 10: {tps_before:.1f} TPS, server CPU {pg_cpu * 1000:.2f} ms/transaction")
    variants: list[Variant] = []
    k = 0
    for mode in modes:
        for cache in caches:
            first = FIRST_DAY + VARIANT_SPACING * k
            run = throughput_threads if mode == "threads" else throughput_processes
            variant = run(demo, barbers, args.clients, args.seconds, first, k, cache)
            variants.append(variant)
            k += 1
            v = variant
            print(f"{v.label:<26} {v.bookings:5d} bookings in {v.elapsed:.1f} s = {v.rate:6.1f}/s | CPU client "
                  f"{v.python_cpu / v.bookings * 1000:4.1f} + server {v.server_cpu / v.bookings * 1000:4.1f} ms/booking | in write txn {v.in_write / v.bookings * 1000:5.1f} "
                  f"ms/booking ({v.in_write / (v.elapsed * v.clients):.0%} of client time) | machine CPU busy "
                  f"{v.machine_busy:.0%} | conflicts {v.conflicts}")
    diagnostics: list[Variant] = []
    if args.diagnostics:
        for run, diagnostic in ((throughput_threads, "switchinterval=0.0005s"),
                                (throughput_processes, "one-round-trip write"),
                                (throughput_processes, "synchronous_commit=off")):
            v = run(demo, barbers, args.clients, args.seconds, FIRST_DAY + VARIANT_SPACING * k, k, True, diagnostic)
            k += 1
            diagnostics.append(v)
            print(f"DIAGNOSTIC {v.label:<40} {v.rate:6.1f}/s | CPU client {v.python_cpu / v.bookings * 1000:4.1f} + server "
                  f"{v.server_cpu / v.bookings * 1000:4.1f} ms/booking"
                  f" | in write txn {v.in_write / v.bookings * 1000:5.1f} ms/booking | machine CPU busy {v.machine_busy:.0%}")
    tps_after, pg_cpu = pgbench(initialize=False)
    print(f"pgbench -N -c 8 -j 2 -T 10 (again): {tps_after:.1f} TPS, server CPU {pg_cpu * 1000:.2f} ms/transaction")

    low, high = min(tps_before, tps_after), max(tps_before, tps_after)
    print("\n" + "-" * 78)
    print(f"{'variant':<28}{'bookings/s':>11}   ratio to pgbench -N ({low:.0f}–{high:.0f} TPS)")
    for v in variants:
        verdict = "meets" if v.rate / high >= 0.25 else ("meets vs the lower pgbench" if v.rate / low >= 0.25 else "below")
        print(f"{v.label:<28}{v.rate:>11.1f}   {v.rate / high:.2f}x–{v.rate / low:.2f}x  ({verdict} the 0.25x target)")
    for v in diagnostics:
        print(f"DIAGNOSTIC, not a result: {v.label:<40}{v.rate:>8.1f}   {v.rate / high:.2f}x–{v.rate / low:.2f}x")
    print("-" * 78)
    print(f"total bench time {time.perf_counter() - total_started:.0f} s, load average now {os.getloadavg()[0]:.1f}")
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
