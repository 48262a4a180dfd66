"""End to end: real commands -> event store -> projections -> read models -> availability.

Runs the demo business (Barbería Don Carlos) on SQLite through ``infra.container.Container``
(``container.projections`` builds the rows), then checks that what availability offers matches
what the booking command accepts. One test repeats the loader on PostgreSQL (timestamptz rows).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from avail_support import FRI, MX, NOW, SAT, SUN, THU, on, times
from readmodels.availability import AvailabilityService

UTC = timezone.utc
PG_PREFIX = "parlo_t4a_"

class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _settings(url: str):
    from infra.settings import Settings

    return Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test")


@pytest.fixture
def live(tmp_path):
    from infra.container import Container
    from infra.seed import seed_demo

    container = Container(_settings(f"sqlite:///{tmp_path / 'parlo.db'}"), clock=_Clock(NOW))
    demo = seed_demo(container.app)
    container.projections.run_once()
    yield container, demo
    container.close()


def _sync(container, result) -> None:
    container.projections.run_once()
    assert container.wait_for(result.position, timeout=10)


def test_demo_business_through_commands(live):
    from commands import Actor
    from commands.definitions import BlockTime, BookAppointment, CancelAppointment, CloseBusiness, UpdateOrganizationSettings

    container, demo = live
    app, admin = container.app, Actor.admin()
    org = demo.organization_id
    corte = demo.service_ids["Corte de cabello"]
    carlos, miguel = demo.staff_ids["Carlos Mendoza"], demo.staff_ids["Miguel Sánchez"]
    availability = container.availability
    assert isinstance(availability, AvailabilityService)

    slots = availability.find_slots(org, corte, THU, SUN, now=NOW)
    assert times(on(slots, THU))[0] == "10:00" and times(on(slots, THU))[-1] == "19:30"
    assert len(on(slots, THU)) == 20 and len(on(slots, SAT)) == 16 and on(slots, SUN) == []
    assert on(slots, THU)[0].staff_ids == [carlos, miguel]

    def book(staff_id, day, hh, mm, phone, **kw):
        return app.execute(
            BookAppointment(
                actor=admin, cause=f"test-{uuid.uuid4()}", organization_id=org, service_id=kw.pop("service", corte),
                start=datetime(day.year, day.month, day.day, hh, mm, tzinfo=MX), staff_id=staff_id, customer_phone=phone, **kw,
            )
        )

    book(carlos, THU, 10, 0, "+525533330001")
    result = book(miguel, THU, 10, 0, "+525533330002")
    cancelled = book(carlos, THU, 15, 0, "+525533330003")
    result = app.execute(CancelAppointment(actor=admin, cause="test-cancel", organization_id=org, appointment_id=cancelled.id))
    result = app.execute(
        BlockTime(
            actor=admin, cause="test-block", organization_id=org, staff_id=miguel,
            start=datetime(2026, 1, 15, 12, 0, tzinfo=MX), end=datetime(2026, 1, 15, 13, 0, tzinfo=MX), reason="comida",
        )
    )
    result = app.execute(CloseBusiness(actor=admin, cause="test-close", organization_id=org, start_date=FRI, end_date=FRI, reason="Inventario"))
    _sync(container, result)

    slots = availability.find_slots(org, corte, THU, SAT, now=NOW)
    by_time = {times([s])[0]: s for s in on(slots, THU)}
    assert "10:00" not in by_time  # both booked
    assert by_time["12:00"].staff_ids == [carlos]  # Miguel blocked
    assert by_time["15:00"].staff_ids == [carlos, miguel]  # the cancelled appointment frees it
    assert on(slots, FRI) == []  # closure

    result = app.execute(UpdateOrganizationSettings(actor=admin, cause="test-buffer", organization_id=org, changes={"buffer_minutes": 15}))
    _sync(container, result)
    thu = times(on(availability.find_slots(org, corte, THU, THU, now=NOW), THU))
    assert "10:30" not in thu and "11:00" in thu

    # Whatever is offered can be booked; what is not offered at a grid time is refused by the write side.
    from aggregates.errors import DomainError

    offered = availability.find_slots(org, corte, THU, THU, now=NOW)
    target = offered[0]
    booked = app.execute(
        BookAppointment(actor=admin, cause="test-offered", organization_id=org, service_id=corte, start=target.start, customer_phone="+525533330009")
    )
    assert booked.data["staff_id"] in target.staff_ids
    with pytest.raises(DomainError):
        book(None, THU, 10, 0, "+525533330010")  # both staff booked at 10:00
    _sync(container, booked)
    after = {s.start: s for s in availability.find_slots(org, corte, THU, THU, now=NOW)}
    assert booked.data["staff_id"] not in (after[target.start].staff_ids if target.start in after else [])


def test_every_offered_slot_is_bookable(live):
    """Book every slot availability offers for a 45-minute service on a Saturday, one after another
    (re-querying each time), until none is left: the write side must accept each one, and at the end
    no grid time may still be bookable."""
    from aggregates.errors import DomainError
    from commands import Actor
    from commands.definitions import BookAppointment

    container, demo = live
    org, app, admin = demo.organization_id, container.app, Actor.admin()
    service = demo.service_ids["Corte y barba"]
    booked = 0
    while True:
        slots = container.availability.find_slots(org, service, SAT, SAT, now=NOW)
        if not slots:
            break
        result = app.execute(
            BookAppointment(actor=admin, cause=f"fill-{booked}", organization_id=org, service_id=service, start=slots[0].start,
                            customer_phone=f"+5255444{booked:05d}")
        )
        _sync(container, result)
        booked += 1
        assert booked < 100
    # greedy earliest-first: each staff member takes 10:00, then 11:00 ... 17:00 (45 min + the 30-min grid)
    assert booked == 2 * 8
    for minutes in range(0, 8 * 60, 30):
        start = datetime(2026, 1, 17, 10, 0, tzinfo=MX) + timedelta(minutes=minutes)
        with pytest.raises(DomainError):
            app.execute(BookAppointment(actor=admin, cause=f"late-{minutes}", organization_id=org, service_id=service, start=start, customer_phone="+525544499999"))


# ---- PostgreSQL ----------------------------------------------------------------------------------


def _pg_admin():
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", autocommit=True, connect_timeout=3)


@pytest.fixture
def pg_engine():
    try:
        conn = _pg_admin()
    except Exception:  # noqa: BLE001
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    from psycopg import sql
    from sqlalchemy import create_engine

    from readmodels import tables as t

    name = f"{PG_PREFIX}test_{uuid.uuid4().hex[:10]}"
    with conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    t.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with _pg_admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.postgres
def test_loader_on_postgres(pg_engine):
    from avail_support import World

    world = World(pg_engine)
    world.org(buffer_minutes=10)
    service = world.service(30)
    ana, beto = world.staff(service), world.staff(service, working_hours={"thu": [["14:00", "20:00"]]})
    chair = world.spot(service)
    world.spot(service, order=1)
    world.appointment(ana, THU, "11:00", 30, spot_id=chair)
    world.block(ana, THU, "16:00", "17:00")
    world.closure(FRI, FRI)
    slots = world.find(service, THU, SAT)
    thu = {times([s])[0]: s for s in on(slots, THU)}
    assert "10:30" not in thu and "11:00" not in thu and "11:30" not in thu and thu["12:00"].staff_ids == [ana]
    assert thu["14:00"].staff_ids == [ana, beto] and thu["16:00"].staff_ids == [beto]
    assert on(slots, FRI) == [] and len(on(slots, SAT)) == 16
    assert all(s.start.tzinfo is not None and s.start.utcoffset() == timedelta(0) for s in slots)
    assert thu["12:00"].start == datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
