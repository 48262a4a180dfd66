"""Racing writers on PostgreSQL: the event store's optimistic concurrency keeps the invariants.

Threads start together (threading.Barrier) and book overlapping times with the same staff member,
either through one shared ParloApplication or each through its own. Exactly one booking per slot
survives; every loser gets SlotTaken (never IntegrityError, never a silent success).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest

from aggregates.calendar import StaffDay
from aggregates.errors import DuplicatePhone, SlotTaken
from commands import Actor, ParloApplication
from commands.definitions import AddStaff, BookAppointment
from datetime import datetime
from zoneinfo import ZoneInfo

from infra.seed import seed_demo as seed

MX = ZoneInfo("America/Mexico_City")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MX)


pytestmark = pytest.mark.postgres

THURSDAY = date(2026, 1, 15)
# three non-overlapping groups; within a group every start is within the 30-minute haircut of the others
SLOTS = (local(2026, 1, 15, 11), local(2026, 1, 15, 12), local(2026, 1, 15, 13))
PER_SLOT = 7  # 21 threads in all
# Other suites share the server (max_connections=100): keep this module's connections few.
SMALL_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "0"}  # one per application
SHARED_POOL = {"POSTGRES_POOL_SIZE": "6", "POSTGRES_MAX_OVERFLOW": "0"}  # threads queue for these


def race(workers: int, task) -> list:
    """Run ``task(i)`` in ``workers`` threads released at once; return each result or exception."""
    barrier = threading.Barrier(workers)
    outcomes: list = [None] * workers

    def run(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            outcomes[i] = task(i)
        except Exception as error:  # noqa: BLE001 - the test inspects it
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return outcomes


def booking(demo, i: int) -> BookAppointment:
    slot = SLOTS[i % len(SLOTS)]
    return BookAppointment(
        actor=Actor.customer(f"+52559999{i:04d}"),
        cause=f"SM-race-{i}",
        organization_id=demo.organization_id,
        service_id=demo.service_ids["Corte de cabello"],
        staff_id=demo.staff_ids["Miguel Sánchez"],
        start=slot + timedelta(minutes=i // len(SLOTS)),  # 0..6 minutes late: always overlapping its group
    )


def live_appointments(app: ParloApplication, staff_id: uuid.UUID) -> list:
    booked_ids = {
        n.originator_id for n in app.recorder.select_notifications(start=1, limit=1_000_000) if n.topic.endswith(":Appointment.Booked")
    }
    appointments = [app.repository.get(i) for i in booked_ids]
    return [a for a in appointments if a.is_live and a.staff_id == staff_id]


def check_one_per_slot(url: str, demo, outcomes: list, clock, make_app) -> None:
    kinds = Counter(type(o).__name__ for o in outcomes)
    winners = [(i, o) for i, o in enumerate(outcomes) if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == len(SLOTS), kinds
    assert all(isinstance(error, SlotTaken) for error in losers), kinds
    assert sorted(i % len(SLOTS) for i, _ in winners) == list(range(len(SLOTS))), "one winner per slot"

    # reloaded by a fresh application: the day holds exactly the winners, and so do the Appointment aggregates
    fresh = make_app(url, clock, **SMALL_POOL)
    try:
        staff_id = demo.staff_ids["Miguel Sánchez"]
        day = fresh.repository.get(StaffDay.create_id(staff_id, THURSDAY))
        assert set(day.entries) == {str(result.id) for _, result in winners}
        entries = sorted(day.entries.values(), key=lambda e: e["start"])
        for earlier, later in zip(entries, entries[1:]):
            assert earlier["end"] <= later["start"]
        assert {a.id for a in live_appointments(fresh, staff_id)} == {result.id for _, result in winners}
    finally:
        fresh.close()


def test_racing_bookings_through_one_shared_application(pg_url, clock, make_app):
    # given: the demo business and one application shared by every thread
    app = make_app(pg_url, clock, **SHARED_POOL)
    try:
        demo = seed(app)

        # when: 21 threads book Miguel at overlapping times, all at once
        outcomes = race(len(SLOTS) * PER_SLOT, lambda i: app.execute(booking(demo, i)))
        conflicts = app.conflicts_retried
    finally:
        app.close()
    print(f"version conflicts retried: {conflicts}")
    assert conflicts > 0, "the threads did not actually race"

    # then
    check_one_per_slot(pg_url, demo, outcomes, clock, make_app)


def test_racing_bookings_each_with_its_own_application(pg_url, clock, make_app):
    # given: one application per thread (as separate processes would have)
    setup = make_app(pg_url, clock, **SMALL_POOL)
    demo = seed(setup)
    setup.close()
    workers = len(SLOTS) * PER_SLOT
    apps = [make_app(pg_url, clock, **SMALL_POOL) for _ in range(workers)]
    try:
        # when
        outcomes = race(workers, lambda i: apps[i].execute(booking(demo, i)))
        conflicts = sum(app.conflicts_retried for app in apps)
    finally:
        for app in apps:
            app.close()

    # then
    print(f"version conflicts retried: {conflicts}")
    assert conflicts > 0, "the threads did not actually race"
    check_one_per_slot(pg_url, demo, outcomes, clock, make_app)


@pytest.mark.parametrize("shared", [True, False], ids=["shared-app", "app-per-thread"])
def test_racing_to_register_the_same_phone(pg_url, shared, clock, make_app):
    # given
    setup = make_app(pg_url, clock, **SHARED_POOL)
    demo = seed(setup)
    rounds, workers = 3, 10
    apps = [setup] * workers if shared else [make_app(pg_url, clock, **SMALL_POOL) for _ in range(workers)]
    try:
        for r in range(rounds):
            phone = f"+5255777700{r:02d}"

            # when: AddStaff with the same phone, concurrently (two of them with different names)
            outcomes = race(
                workers,
                lambda i: apps[i].execute(
                    AddStaff(actor=Actor.system("race"), cause=f"race-{r}-{i}", organization_id=demo.organization_id,
                             name=f"Persona {i}", phone_number=phone)
                ),
            )

            # then: one registration, everyone else DuplicatePhone
            kinds = Counter(type(o).__name__ for o in outcomes)
            assert kinds == {"CommandResult": 1, "DuplicatePhone": workers - 1}, kinds
            (winner,) = [o for o in outcomes if not isinstance(o, DuplicatePhone)]
            org = setup._organization(demo.organization_id)
            assert org.staff_ids.count(str(winner.id)) == 1
            assert setup.repository.get(winner.id).version == 1
    finally:
        for app in set(apps) | {setup}:
            app.close()


def test_the_same_request_retried_concurrently_books_once(pg_url, clock, make_app):
    # given: a webhook delivered ten times at once (same MessageSid -> same appointment id)
    app = make_app(pg_url, clock, **SHARED_POOL)
    demo = seed(app)
    appointment_id = uuid.uuid5(uuid.NAMESPACE_URL, "SM-duplicated-webhook")
    command = BookAppointment(
        actor=Actor.customer("+525599998888"), cause="SM-duplicated-webhook", organization_id=demo.organization_id,
        service_id=demo.service_ids["Corte de cabello"], start=SLOTS[0], appointment_id=appointment_id,
    )

    # when
    outcomes = race(10, lambda i: app.execute(command))

    # then: one booking, and every caller is told about it
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert {o.id for o in outcomes} == {appointment_id}
    assert sum(not o.data.get("already_booked") for o in outcomes) == 1
    booked = [n for n in app.recorder.select_notifications(start=1, limit=1_000_000) if n.originator_id == appointment_id]
    assert len(booked) == 1
