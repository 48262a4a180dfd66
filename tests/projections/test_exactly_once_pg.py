"""Exactly once on real PostgreSQL: kill -9 mid-run, and two runners at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select

from infra.seed import seed_demo
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from proj_support import dump_tables, many_bookings
from readmodels.tables import appointments, customers, projection_tracking

pytestmark = pytest.mark.postgres
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def positions(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(projection_tracking.c.name, projection_tracking.c.position)).all())


def start_runner(url: str, tmp_path, batch_size: int = 4) -> subprocess.Popen:
    env = {**os.environ, "PARLO_DATABASE_URL": url, "PARLO_ENV": "test", "PYTHONPATH": ROOT}
    return subprocess.Popen(
        [sys.executable, "-m", "infra.cli", "projections", "run", "--batch-size", str(batch_size), "--poll-interval", "0.05"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "runner.log", "ab"),  # noqa: SIM115
    )


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_kill_9_mid_run_then_restart_is_exactly_once(t4p_pg, make_container, tmp_path):
    url = t4p_pg("crash")
    container = make_container(url)
    demo = seed_demo(container.app)
    services = [demo.service_ids["Corte de cabello"], demo.service_ids["Arreglo de barba"]]
    staff_ids = list(demo.staff_ids.values())
    many_bookings(container.app, demo.organization_id, services, staff_ids, 60)
    container.projections  # noqa: B018 - create the tables
    engine = container.engine

    kills = []
    for round_number, fraction in enumerate((0.15, 0.5, 0.8)):
        process = start_runner(url, tmp_path)
        try:
            max_id = container.app.recorder.max_notification_id()
            wait_until(lambda: min(positions(engine).values()) >= fraction * max_id, 60, f"progress {fraction}")
            if round_number == 1:
                # events keep arriving while the runner works
                many_bookings(container.app, demo.organization_id, services, staff_ids, 15, first_day=27, seed=1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
        seen = positions(engine)
        kills.append((min(seen.values()), max(seen.values()), container.app.recorder.max_notification_id()))
    # at least one kill landed while work was left (the runner was mid-run, not idle)
    assert any(low < top for low, _, top in kills), kills

    process = start_runner(url, tmp_path, batch_size=50)
    try:
        final = container.app.recorder.max_notification_id()
        assert container.projections.wait_for(final, timeout=60)  # polling: the runner is another process
    finally:
        process.terminate()
        process.wait(10)

    second_url = t4p_pg("crash_ref")
    reference = create_engine(second_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        fresh = ProjectionRunner(container.app, reference, all_projections(), batch_size=1000)
        fresh.run_once()
        tables = fresh.tables()
        assert dump_tables(engine, tables) == dump_tables(reference, tables)
        with engine.connect() as conn:
            total_count = conn.execute(select(func.sum(customers.c.appointment_count))).scalar()
            booked = conn.execute(select(func.count()).select_from(appointments)).scalar()
        assert total_count == booked == 75
    finally:
        reference.dispose()


def test_two_runners_at_once_equal_one(t4p_pg, make_container):
    url = t4p_pg("twins")
    container = make_container(url)
    demo = seed_demo(container.app)
    services = [demo.service_ids["Corte de cabello"], demo.service_ids["Arreglo de barba"]]
    staff_ids = list(demo.staff_ids.values())
    sa_url = url.replace("postgresql://", "postgresql+psycopg://")
    engines = [create_engine(sa_url), create_engine(sa_url)]
    runners = [
        ProjectionRunner(container.app, engines[0], all_projections(), batch_size=5, poll_interval=0.01),
        ProjectionRunner(container.app, engines[1], all_projections(), batch_size=7, poll_interval=0.01),
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=r.run_forever, args=(stop,), daemon=True) for r in runners]
    for thread in threads:
        thread.start()
    try:
        many_bookings(container.app, demo.organization_id, services, staff_ids, 60)
        final = container.app.recorder.max_notification_id()
        assert all(r.wait_for(final, timeout=60) for r in runners)
    finally:
        stop.set()
        for runner in runners:
            runner.wake()
        for thread in threads:
            thread.join(10)
    assert all(r.last_error is None for r in runners)

    reference_url = t4p_pg("twins_ref")
    reference = create_engine(reference_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        single = ProjectionRunner(container.app, reference, all_projections(), batch_size=1000)
        single.run_once()
        tables = single.tables()
        assert dump_tables(engines[0], tables) == dump_tables(reference, tables)
        # each (projection, event) pair was applied by exactly one of the two runners
        assert runners[0].events_applied + runners[1].events_applied == single.events_applied
        assert runners[0].events_applied > 0 and runners[1].events_applied > 0
    finally:
        reference.dispose()
        for engine in engines:
            engine.dispose()
