"""A realistic scenario through the command layer on real stores (PostgreSQL and SQLite).

Afterwards every aggregate is reloaded from the event store by a fresh ParloApplication and
compared, attribute by attribute (``vars``), with the live object the commands saved; every
recorded event must decode, resolve its topic and re-encode to the same event.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from aggregates.errors import DomainError, SlotTaken
from commands import Actor, ParloApplication
from commands.definitions import (
    AddCustomer,
    AddLocation,
    AddService,
    AddSpot,
    AddStaff,
    BlockTime,
    BookAppointment,
    CancelAppointment,
    CloseBusiness,
    CompleteAppointment,
    ConfirmAppointment,
    DeactivateStaff,
    MarkNoShow,
    ReactivateStaff,
    RecordReminderSent,
    RecordStaffFirstMessage,
    RegisterOrganization,
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
from datetime import datetime
from zoneinfo import ZoneInfo

from eventsourcing.utils import get_topic, resolve_topic
from infra.seed import DEMO_HOURS
from infra.seed import seed_demo as seed

MX = ZoneInfo("America/Mexico_City")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MX)

BACKENDS = [pytest.param("postgres", marks=pytest.mark.postgres, id="postgres"), pytest.param("sqlite", id="sqlite")]


@pytest.fixture(params=BACKENDS)
def store_url(request) -> str:
    return request.getfixturevalue("pg_url" if request.param == "postgres" else "sqlite_url")


class LiveObjects:
    """Remembers the last instance of each aggregate the application saved successfully."""

    def __init__(self, app: ParloApplication) -> None:
        self.objects: dict[uuid.UUID, object] = {}
        original = app.save

        def save(*aggregates, **kwargs):
            recordings = original(*aggregates, **kwargs)
            for aggregate in aggregates:
                self.objects[aggregate.id] = aggregate
            return recordings

        app.save = save  # type: ignore[method-assign]


def run_scenario(app: ParloApplication, clock) -> dict:
    """Two businesses, a week of bookings, moves, cancellations and blocks. Returns some ids."""
    demo = seed(app)
    org_id = demo.organization_id
    carlos = Actor.staff(demo.staff_ids["Carlos Mendoza"])
    miguel_id = demo.staff_ids["Miguel Sánchez"]
    miguel = Actor.staff(miguel_id)
    cut, beard, both = (demo.service_ids[n] for n in ("Corte de cabello", "Arreglo de barba", "Corte y barba"))
    run = lambda cmd: app.execute(cmd)  # noqa: E731

    # the business is tuned by its owner
    run(UpdateOrganizationSettings(actor=carlos, cause="s1", organization_id=org_id, changes={"buffer_minutes": 5, "reminder_hours_before": 12}))
    run(SetBusinessHours(actor=carlos, cause="s2", organization_id=org_id, hours={"sat": [["09:00", "15:00"]]}))
    holiday = run(CloseBusiness(actor=carlos, cause="s3", organization_id=org_id, start_date=date(2026, 2, 2), end_date=date(2026, 2, 3), reason="Candelaria")).id
    temp = run(CloseBusiness(actor=carlos, cause="s4", organization_id=org_id, start_date=date(2026, 3, 1), end_date=date(2026, 3, 1))).id
    run(ReopenBusiness(actor=carlos, cause="s5", organization_id=org_id, closure_id=temp))
    color = run(AddService(actor=carlos, cause="s6", organization_id=org_id, name="Tinte", description="Color completo", duration_minutes=90, price_cents=60000)).id
    run(UpdateService(actor=carlos, cause="s7", organization_id=org_id, service_id=cut, changes={"price_cents": 16000}))
    run(UpdateService(actor=carlos, cause="s8", organization_id=org_id, service_id=color, changes={"is_active": False}))
    branch = run(AddLocation(actor=carlos, cause="s9", organization_id=org_id, name="Sucursal Norte", address="Av. Norte 5", business_hours=DEMO_HOURS)).id
    chair1 = run(AddSpot(actor=carlos, cause="s10", organization_id=org_id, name="Silla 1", service_ids=[cut, beard, both], display_order=1)).id
    chair2 = run(AddSpot(actor=carlos, cause="s11", organization_id=org_id, name="Silla 2", service_ids=[cut, beard, both], display_order=2)).id
    chair3 = run(AddSpot(actor=carlos, cause="s12", organization_id=org_id, name="Silla 3", service_ids=[cut], display_order=3)).id
    run(UpdateOrganization(actor=carlos, cause="s13", organization_id=org_id, name="Barbería Don Carlos Centro"))

    # the team
    pedro = run(AddStaff(actor=carlos, cause="t1", organization_id=org_id, name="Pedro Ruiz", phone_number="55 3333 4444",
                         service_ids=[cut], working_hours={"thu": [["10:00", "15:00"]], "fri": [["10:00", "15:00"]]}, default_spot_id=chair3)).id
    lupita = run(AddStaff(actor=carlos, cause="t2", organization_id=org_id, name="Lupita", phone_number="+525555556666", permission_level="viewer")).id
    run(UpdateStaff(actor=carlos, cause="t3", organization_id=org_id, staff_id=miguel_id, name="Miguel A. Sánchez", permission_level="admin"))
    run(RecordStaffFirstMessage(actor=miguel, cause="SM-first", organization_id=org_id, staff_id=miguel_id, at=clock()))
    run(DeactivateStaff(actor=miguel, cause="t4", organization_id=org_id, staff_id=lupita))
    run(ReactivateStaff(actor=carlos, cause="t5", organization_id=org_id, staff_id=lupita))

    # customers
    ana = run(AddCustomer(actor=carlos, cause="c1", organization_id=org_id, phone_number="+525599990001", name="Ana")).id
    run(UpdateCustomer(actor=carlos, cause="c2", organization_id=org_id, customer_id=ana, email="ana@example.com", notes="Prefiere a Miguel"))
    run(AddCustomer(actor=Actor.customer("+525599990002"), cause="c3", organization_id=org_id, phone_number="+525599990002", name="Beto", name_verified=True))

    # a week of bookings
    booked, refused = [], []
    attempts = [
        (Actor.customer("+525599990001"), cut, local(2026, 1, 15, 10), miguel_id),
        (Actor.customer("+525599990002"), beard, local(2026, 1, 15, 10), None),
        (Actor.customer("+525599990003"), cut, local(2026, 1, 15, 10), None),  # Pedro, chair 3
        (Actor.customer("+525599990004"), both, local(2026, 1, 15, 10, 15), None),  # everyone busy
        (Actor.customer("+525599990005"), cut, local(2026, 1, 15, 12), None),
        (Actor.customer("+525599990006"), both, local(2026, 1, 16, 11), demo.staff_ids["Carlos Mendoza"]),
        (Actor.customer("+525599990007"), cut, local(2026, 1, 16, 16), None),  # Pedro is off: Carlos or Miguel
        (Actor.customer("+525599990008"), cut, local(2026, 1, 17, 9, 30), None),  # Saturday's new hours
        (Actor.customer("+525599990009"), cut, local(2026, 1, 18, 12), None),  # Sunday: closed
        (Actor.customer("+525599990010"), cut, local(2026, 2, 2, 12), None),  # holiday
        (carlos, beard, local(2026, 1, 19, 12), miguel_id),
    ]
    for i, (actor, service, when, staff_id) in enumerate(attempts):
        extra = {} if actor.kind == "customer" else {"customer_id": ana, "source": "manual"}
        try:
            result = run(BookAppointment(actor=actor, cause=f"SM{i}", organization_id=org_id, service_id=service, start=when,
                                         staff_id=staff_id, customer_name=f"Cliente {i}" if actor.kind == "customer" else None,
                                         confirmed=i % 3 != 0, **extra))
            booked.append(result.id)
        except DomainError as error:
            refused.append(type(error).__name__)
    assert sorted(refused) == ["BusinessClosed", "OutsideBusinessHours", "SlotTaken"], refused
    walk_in = run(BookAppointment(actor=miguel, cause="walkin", organization_id=org_id, service_id=cut, start=clock(),
                                  source="walk_in", staff_id=miguel_id)).id
    same_again = uuid.uuid5(uuid.NAMESPACE_URL, "SM-retry")
    for _ in range(2):  # a retried webhook
        run(BookAppointment(actor=Actor.customer("+525599990011"), cause="SM-retry", organization_id=org_id, service_id=cut,
                            start=local(2026, 1, 20, 13), appointment_id=same_again))

    # changes of plan
    run(RescheduleAppointment(actor=Actor.customer("+525599990001"), cause="m1", organization_id=org_id, appointment_id=booked[0], start=local(2026, 1, 16, 13)))
    run(RescheduleAppointment(actor=carlos, cause="m2", organization_id=org_id, appointment_id=booked[1], staff_id=demo.staff_ids["Carlos Mendoza"], service_id=both, start=local(2026, 1, 15, 14)))
    run(ConfirmAppointment(actor=Actor.customer("+525599990001"), cause="m3", organization_id=org_id, appointment_id=booked[0]))
    run(CancelAppointment(actor=Actor.customer("+525599990005"), cause="m4", organization_id=org_id, appointment_id=booked[3], reason="trabajo"))
    run(UpdateAppointmentNotes(actor=miguel, cause="m5", organization_id=org_id, appointment_id=booked[2], notes="Degradado"))
    run(RecordReminderSent(actor=Actor.system("reminders"), cause="r1", organization_id=org_id, appointment_id=booked[2], at=clock()))
    run(CompleteAppointment(actor=miguel, cause="m6", organization_id=org_id, appointment_id=walk_in, notes="Pagó en efectivo"))
    clock.advance(days=2)
    run(MarkNoShow(actor=carlos, cause="m7", organization_id=org_id, appointment_id=booked[4], notes="No llegó"))

    # blocks
    lunch = run(BlockTime(actor=miguel, cause="b1", organization_id=org_id, staff_id=miguel_id, start=local(2026, 1, 20, 14), end=local(2026, 1, 20, 15), reason="comida")).id
    trip = run(BlockTime(actor=carlos, cause="b2", organization_id=org_id, staff_id=pedro, start=local(2026, 1, 21, 18), end=local(2026, 1, 23, 12), reason="viaje"))
    run(UnblockTime(actor=carlos, cause="b3", organization_id=org_id, staff_id=miguel_id, block_id=lunch, day=date(2026, 1, 20)))
    try:
        run(BlockTime(actor=carlos, cause="b4", organization_id=org_id, staff_id=miguel_id, start=local(2026, 1, 20, 12), end=local(2026, 1, 20, 14)))
    except SlotTaken:
        pass

    # a second business on the same store
    other = run(RegisterOrganization(actor=Actor.admin("ops"), cause="o1", name="Estética Lupita", whatsapp_number="+525587654321",
                                     business_type="hair_salon", timezone="America/Monterrey", business_hours=DEMO_HOURS, activate=True)).id
    return {"org": org_id, "other": other, "branch": branch, "booked": booked, "trip": trip.id, "holiday": holiday, "chairs": [chair1, chair2, chair3]}


def test_replayed_state_equals_live_state(store_url, clock, make_app):
    # given: a scenario run through the commands, remembering every saved aggregate
    app = make_app(store_url, clock)
    live = LiveObjects(app)
    try:
        ids = run_scenario(app, clock)
    finally:
        app.close()
    assert len(ids["booked"]) >= 6

    # when: a fresh application reloads everything from the store
    fresh = make_app(store_url, clock)
    try:
        notifications = fresh.recorder.select_notifications(start=1, limit=1_000_000)
        stored_ids = {n.originator_id for n in notifications}

        # then: the same aggregates, in the same state, attribute by attribute
        assert stored_ids == set(live.objects)
        kinds = {type(live.objects[i]).__name__ for i in stored_ids}
        assert kinds == {"Organization", "StaffMember", "Customer", "Appointment", "StaffDay", "SpotDay"}
        for aggregate_id, obj in live.objects.items():
            replayed = fresh.repository.get(aggregate_id)
            assert type(replayed) is type(obj)
            assert vars(replayed) == vars(obj), f"{type(obj).__name__} {aggregate_id}"
    finally:
        fresh.close()


def test_every_recorded_event_round_trips(store_url, clock, make_app):
    # given
    app = make_app(store_url, clock)
    try:
        run_scenario(app, clock)
        notifications = app.recorder.select_notifications(start=1, limit=1_000_000)

        # then: ids increase, topics resolve, and decode(encode(decode(x))) == decode(x)
        ids = [n.id for n in notifications]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        topics = set()
        for notification in notifications:
            cls = resolve_topic(notification.topic)
            assert get_topic(cls) == notification.topic
            event = app.mapper.to_domain_event(notification)
            assert type(event) is cls
            again = app.mapper.to_domain_event(app.mapper.to_stored_event(event))
            assert vars(again) == vars(event), notification.topic
            assert event.actor and event.cause, notification.topic
            topics.add(notification.topic.rsplit(":", 1)[1])
        assert {"Organization.Registered", "StaffDay.Opened", "SpotDay.Opened", "DayCalendar.Occupied", "Appointment.Rescheduled", "DayCalendar.TimeBlocked"} <= topics
    finally:
        app.close()


@pytest.mark.postgres
def test_pg_url_is_a_fresh_database_that_is_dropped_afterwards(request):
    import psycopg

    # given: the fixture, resolved by hand so the drop can be observed
    url = request.getfixturevalue("pg_url")
    name = url.rsplit("/", 1)[1]
    assert name.startswith("parlo_t3_")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0
