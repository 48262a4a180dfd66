"""Scenario builders and table comparison for the projection tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from commands import Actor
from commands.definitions import (
    AddCustomer,
    AddStaff,
    AddLocation,
    AddService,
    AddSpot,
    BlockTime,
    BookAppointment,
    CancelAppointment,
    CloseBusiness,
    CompleteAppointment,
    ConfirmAppointment,
    DeactivateStaff,
    MarkNoShow,
    RecordReminderSent,
    RemoveService,
    ReopenBusiness,
    RescheduleAppointment,
    SetBusinessHours,
    UnblockTime,
    UpdateAppointmentNotes,
    UpdateCustomer,
    UpdateOrganization,
    UpdateOrganizationSettings,
    UpdateService,
    UpdateStaff,
)
from infra.seed import seed_demo

MX = ZoneInfo("America/Mexico_City")
ADMIN = Actor.admin("auditor")
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=MX)


class FrozenClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current


def make_settings(url: str):
    from infra.settings import Settings

    return Settings(_env_file=None, PARLO_DATABASE_URL=url, PARLO_ENV="test")


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MX)


def full_scenario(app) -> dict:
    """Touch every projection: returns the ids the tests look at."""
    demo = seed_demo(app)
    org = demo.organization_id
    carlos, miguel = demo.staff_ids["Carlos Mendoza"], demo.staff_ids["Miguel Sánchez"]
    corte, barba = demo.service_ids["Corte de cabello"], demo.service_ids["Arreglo de barba"]
    ids: dict = {"org": org, "carlos": carlos, "miguel": miguel, "corte": corte, "barba": barba}

    app.execute(UpdateOrganizationSettings(actor=ADMIN, cause="t-settings", organization_id=org, changes={"buffer_minutes": 10}))
    loc = app.execute(AddLocation(actor=ADMIN, cause="t-loc", organization_id=org, name="Sucursal Norte", address="Av. Norte 1", business_hours={"mon": [["09:00", "14:00"]]})).id
    app.execute(SetBusinessHours(actor=ADMIN, cause="t-hours", organization_id=org, location_id=loc, hours={"tue": [["09:00", "13:00"]]}))
    ids["location"] = loc
    closure = app.execute(CloseBusiness(actor=ADMIN, cause="t-close", organization_id=org, start_date=date(2026, 2, 2), end_date=date(2026, 2, 3), reason="Día festivo")).id
    gone = app.execute(CloseBusiness(actor=ADMIN, cause="t-close2", organization_id=org, start_date=date(2026, 3, 1), end_date=date(2026, 3, 1))).id
    app.execute(ReopenBusiness(actor=ADMIN, cause="t-reopen", organization_id=org, closure_id=gone))
    ids["closure"] = closure
    tinte = app.execute(AddService(actor=ADMIN, cause="t-svc", organization_id=org, name="Tinte", duration_minutes=60, price_cents=35050)).id
    app.execute(UpdateService(actor=ADMIN, cause="t-svc2", organization_id=org, service_id=tinte, changes={"price_cents": 40000, "is_active": False}))
    temp = app.execute(AddService(actor=ADMIN, cause="t-svc3", organization_id=org, name="Temporal", duration_minutes=15, price_cents=100)).id
    spot = app.execute(AddSpot(actor=ADMIN, cause="t-spot", organization_id=org, location_id=loc, name="Silla 1", service_ids=[temp, tinte])).id
    app.execute(RemoveService(actor=ADMIN, cause="t-svc4", organization_id=org, service_id=temp))
    ids.update(tinte=tinte, spot=spot, removed_service=temp)

    app.execute(UpdateStaff(actor=ADMIN, cause="t-staff", organization_id=org, staff_id=miguel, name="Miguel Ángel Sánchez"))
    pepe = app.execute(AddStaff(actor=ADMIN, cause="t-staff2", organization_id=org, name="Pepe", phone_number="+525533333333")).id
    app.execute(DeactivateStaff(actor=ADMIN, cause="t-staff3", organization_id=org, staff_id=pepe))
    ids["pepe"] = pepe

    juan = Actor.customer("+525598765432")
    a1 = app.execute(BookAppointment(actor=juan, cause="wa-1", organization_id=org, service_id=corte, staff_id=miguel, start=at(15, 10), customer_phone="+525598765432", customer_name="Juan Pérez"))
    a2 = app.execute(BookAppointment(actor=ADMIN, cause="wa-2", organization_id=org, service_id=barba, staff_id=carlos, start=at(15, 11), customer_phone="+525598765432", confirmed=False))
    a3 = app.execute(BookAppointment(actor=ADMIN, cause="wa-3", organization_id=org, service_id=corte, staff_id=carlos, start=at(16, 19, 30), customer_phone="+525511112222", customer_name="Ana"))
    a4 = app.execute(BookAppointment(actor=ADMIN, cause="wa-4", organization_id=org, service_id=corte, staff_id=miguel, start=at(16, 12), customer_phone="+525511112222"))
    app.execute(ConfirmAppointment(actor=juan, cause="wa-5", organization_id=org, appointment_id=a2.id))
    app.execute(RescheduleAppointment(actor=ADMIN, cause="wa-6", organization_id=org, appointment_id=a1.id, start=at(17, 11)))
    app.execute(UpdateAppointmentNotes(actor=ADMIN, cause="wa-7", organization_id=org, appointment_id=a1.id, notes="Trae foto"))
    app.execute(RecordReminderSent(actor=Actor.system("reminders"), cause="job-1", organization_id=org, appointment_id=a1.id, at=at(16, 11)))
    app.execute(CancelAppointment(actor=juan, cause="wa-8", organization_id=org, appointment_id=a2.id, reason="Me surgió algo"))
    # Attendance is marked once the appointments have started: move the frozen clock past both.
    booked_clock = app.clock.current
    app.clock.current = at(16, 20)
    app.execute(CompleteAppointment(actor=ADMIN, cause="wa-9", organization_id=org, appointment_id=a3.id, notes="Todo bien"))
    app.execute(MarkNoShow(actor=ADMIN, cause="wa-10", organization_id=org, appointment_id=a4.id))
    app.clock.current = booked_clock
    ids.update(a1=a1.id, a2=a2.id, a3=a3.id, a4=a4.id)

    cust = app.execute(AddCustomer(actor=ADMIN, cause="t-cust", organization_id=org, phone_number="+525544445555")).id
    app.execute(UpdateCustomer(actor=ADMIN, cause="t-cust2", organization_id=org, customer_id=cust, name="Lucía", email="lucia@example.com"))
    ids["lucia"] = cust

    blk = app.execute(BlockTime(actor=ADMIN, cause="t-block", organization_id=org, staff_id=miguel, start=at(19, 14), end=at(19, 16), reason="Doctor"))
    blk2 = app.execute(BlockTime(actor=ADMIN, cause="t-block2", organization_id=org, staff_id=carlos, start=at(20, 10), end=at(20, 11)))
    app.execute(UnblockTime(actor=ADMIN, cause="t-unblock", organization_id=org, staff_id=carlos, block_id=blk2.id, day=date(2026, 1, 20)))
    ids["block"] = blk.id
    return ids


def many_bookings(app, org, services, staff_ids, count: int, *, first_day: int = 15, customers: int = 17, seed: int = 0) -> list[uuid.UUID]:
    """``count`` bookings spread over weekdays (and some cancellations), customers reused."""
    booked = []
    day = date(2026, 1, first_day)
    slot = 0
    n = 0
    while n < count:
        if day.weekday() >= 5:
            day += timedelta(days=1)
            slot = 0
            continue
        for staff_id in staff_ids:
            if n >= count:
                break
            start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=MX) + timedelta(minutes=30 * slot)
            phone = f"+52559000{(n * 7 + seed) % customers:04d}"
            result = app.execute(
                BookAppointment(
                    actor=ADMIN, cause=f"bulk-{seed}-{n}", organization_id=org, service_id=services[n % len(services)],
                    staff_id=staff_id, start=start, customer_phone=phone, customer_name=f"Cliente {phone[-4:]}",
                )
            )
            booked.append(result.id)
            if n % 5 == 0:
                app.execute(CancelAppointment(actor=ADMIN, cause=f"bulk-c-{n}", organization_id=org, appointment_id=result.id, reason="x"))
            n += 1
        slot += 1
        if slot >= 19:
            slot = 0
            day += timedelta(days=1)
    return booked


def dump_tables(engine: Engine, tables) -> dict[str, list[tuple]]:
    """Every row of each table, sorted, as comparable tuples (JSON as sorted repr)."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            rows = []
            for row in conn.execute(select(table)).mappings():
                rows.append(tuple((k, _norm(v)) for k, v in sorted(row.items())))
            out[table.name] = sorted(rows, key=repr)
    return out


def _norm(value):
    import json
    from datetime import timezone

    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, datetime):
        return (value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)).isoformat()
    if isinstance(value, str) and len(value) == 32:
        try:
            return str(uuid.UUID(hex=value))
        except ValueError:
            return value
    return value
