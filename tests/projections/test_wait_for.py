"""Read-your-writes without sleeping: wait_for in-process (thread) and across processes (polling)."""

from __future__ import annotations

import threading

from commands import Actor
from commands.definitions import AddCustomer
from projections.registry import all_projections
from projections.runner import ProjectionRunner
from proj_support import ADMIN, full_scenario, many_bookings
from infra.seed import seed_demo


def test_thread_and_wait_for(store_url, make_container):
    container = make_container(store_url)
    demo = seed_demo(container.app)
    container.start_projection_thread()
    assert container.projections.running_here
    for n in range(15):
        phone = f"+52551000{n:04d}"
        result = container.app.execute(AddCustomer(actor=ADMIN, cause=f"c{n}", organization_id=demo.organization_id, phone_number=phone, name=f"Cliente {n}"))
        assert container.wait_for(result.position, timeout=10)
        row = container.reads.get_customer_by_phone(demo.organization_id, phone)  # visible at once
        assert row is not None and row["name"] == f"Cliente {n}"
    assert container.wait_for(None) is True
    container.projections.stop()
    assert not container.projections.running_here


def test_wait_for_polls_when_projections_run_elsewhere(store_url, make_container):
    container = make_container(store_url)
    demo = seed_demo(container.app)
    # "elsewhere": a second runner (own engine pool) running in its own thread; ours never runs.
    from sqlalchemy import create_engine

    other_engine = create_engine(container.engine.url.render_as_string(hide_password=False))
    elsewhere = ProjectionRunner(container.app, other_engine, all_projections(), poll_interval=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=elsewhere.run_forever, args=(stop,), daemon=True)
    thread.start()
    try:
        ids = many_bookings(container.app, demo.organization_id, [demo.service_ids["Corte de cabello"], demo.service_ids["Arreglo de barba"]], list(demo.staff_ids.values()), 6)
        position = container.app.recorder.max_notification_id()
        assert not container.projections.running_here
        assert container.projections.wait_for(position, timeout=20)
        assert container.reads.get_appointment(demo.organization_id, ids[-1]) is not None
        # Nothing will ever reach a position beyond the store: a timeout, not a hang.
        assert container.projections.wait_for(position + 1000, timeout=0.2) is False
    finally:
        stop.set()
        elsewhere.wake()
        thread.join(5)
        other_engine.dispose()
