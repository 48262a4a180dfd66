"""Event shapes: actor and cause stamped once, value objects transcoded, old shapes upcast.

Old events are built as the older code stored them (topic and JSON state, no ``class_version``),
then decoded by today's mapper: no I/O.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import uuid
from datetime import date, datetime, timezone

import pytest
from eventsourcing.persistence import StoredEvent

from aggregates.base import NotRecording, recording
from aggregates.calendar import StaffDay
from aggregates.organization import Organization
from aggregates.values import Closure, Location, Service, Spot
from commands import definitions
from commands.application import COMMAND_HANDLERS

ORG = uuid.UUID("36072e04-8819-5bc1-b4e9-2ed0f94049b1")
WHEN = {"_type_": "datetime_iso", "_data_": "2026-01-14T18:00:00+00:00"}


def old_event(app, topic: str, version: int, **state):
    stored = StoredEvent(
        originator_id=ORG, originator_version=version, topic=topic, state=json.dumps({"timestamp": WHEN, **state}).encode()
    )
    return app.mapper.to_domain_event(stored)


# ---- actor and cause --------------------------------------------------------------------------


def test_no_aggregate_method_takes_actor_or_cause():
    # then: they are stamped by the base aggregate, never passed by hand
    for cls in (Organization, StaffDay):
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            params = inspect.signature(method).parameters
            assert "actor" not in params and "cause" not in params, f"{cls.__name__}.{name}"


def test_changing_an_aggregate_outside_a_recording_is_refused():
    # when / then
    with pytest.raises(NotRecording):
        StaffDay.open(uuid.uuid4(), ORG, date(2026, 1, 15))


def test_every_event_of_a_recording_carries_its_actor_and_cause():
    # when
    with recording("owner:1", "SM-1"):
        day = StaffDay.open(uuid.uuid4(), ORG, date(2026, 1, 15))
        day.block(uuid.uuid4(), datetime(2026, 1, 15, 16, tzinfo=timezone.utc), datetime(2026, 1, 15, 17, tzinfo=timezone.utc), "")

    # then
    assert [(e.actor, e.cause) for e in day.pending_events] == [("owner:1", "SM-1")] * 2


# ---- the registry -----------------------------------------------------------------------------


def test_every_command_has_exactly_one_registered_handler():
    commands = {getattr(definitions, name) for name in definitions.__all__} - {definitions.Command}
    assert set(COMMAND_HANDLERS) == commands


def test_an_unknown_command_is_a_type_error(memory_app):
    with pytest.raises(TypeError):
        memory_app.execute(definitions.Command(actor=definitions.Actor.admin(), cause="x"))


# ---- value objects ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        Service(name="Corte", description="", duration_minutes=30, price_cents=15000),
        Spot(location_id=str(ORG), name="Silla 1", display_order=1, service_ids=[str(ORG)]),
        Location(name="Centro", address="", is_primary=True, business_hours={"mon": [["10:00", "20:00"]]}),
        Closure(start_date=date(2026, 2, 2), end_date=date(2026, 2, 3), reason="Candelaria"),
    ],
)
def test_value_objects_are_stored_by_transcoding(memory_app, value):
    # when
    again = memory_app.mapper.transcoder.decode(memory_app.mapper.transcoder.encode({"v": value}))["v"]

    # then: the same value, of the same type, and it reads like the dict it used to be
    assert type(again) is type(value) and again == value
    assert dict(again) == value.as_dict()
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.name = "otro"  # type: ignore[misc]


# ---- old shapes ---------------------------------------------------------------------------------


def test_an_old_profile_update_is_upcast_to_typed_fields(memory_app):
    # when
    event = old_event(memory_app, "aggregates.organization:Organization.ProfileUpdated", 3,
                      changes={"name": "Nuevo", "timezone": "America/Monterrey"}, actor="owner:1", cause="c")

    # then
    assert type(event) is Organization.ProfileUpdated
    assert (event.name, event.business_type, event.timezone) == ("Nuevo", None, "America/Monterrey")
    assert not hasattr(event, "changes") and (event.actor, event.cause) == ("owner:1", "c")


def test_an_old_service_update_is_upcast_to_typed_fields(memory_app):
    event = old_event(memory_app, "aggregates.organization:Organization.ServiceUpdated", 3,
                      service_id={"_type_": "uuid_hex", "_data_": ORG.hex}, changes={"is_active": False}, actor="owner:1", cause="c")
    assert (event.service_id, event.is_active, event.name, event.price_cents) == (ORG, False, None, None)


def test_an_old_closure_keeps_its_dates_as_a_closure_value(memory_app):
    event = old_event(memory_app, "aggregates.organization:Organization.ClosureScheduled", 3,
                      closure_id={"_type_": "uuid_hex", "_data_": ORG.hex}, start_date="2026-02-02", end_date="2026-02-03",
                      reason="Candelaria", actor="owner:1", cause="c")
    assert event.closure == Closure(date(2026, 2, 2), date(2026, 2, 3), "Candelaria")
    assert not hasattr(event, "start_date")


def test_the_old_closure_removed_topic_reads_as_closure_cancelled(memory_app):
    event = old_event(memory_app, "aggregates.organization:Organization.ClosureRemoved", 3,
                      closure_id={"_type_": "uuid_hex", "_data_": ORG.hex}, actor="owner:1", cause="c")
    assert type(event) is Organization.ClosureCancelled


def test_events_stored_before_actors_existed_get_empty_ones(memory_app):
    # a day opened by the calendar itself, and a SID index attached before actors were recorded
    opened = old_event(memory_app, "aggregates.calendar:StaffDay.Opened", 1, originator_topic="aggregates.calendar:StaffDay",
                       owner_id={"_type_": "uuid_hex", "_data_": ORG.hex}, organization_id={"_type_": "uuid_hex", "_data_": ORG.hex},
                       day="2026-01-15")
    attached = old_event(memory_app, "aggregates.conversation:TwilioSidIndex.Attached", 2,
                         message_id={"_type_": "uuid_hex", "_data_": ORG.hex})
    assert (opened.actor, opened.cause) == ("system:calendar", "")
    assert (attached.actor, attached.cause) == ("", "")


def test_a_booking_stored_before_the_booking_time_was_kept_has_none(memory_app):
    ident = {"_type_": "uuid_hex", "_data_": ORG.hex}
    event = old_event(memory_app, "aggregates.appointment:Appointment.Booked", 1, originator_topic="aggregates.appointment:Appointment",
                      organization_id=ident, location_id=ident, customer_id=ident, staff_id=ident, service_id=ident, spot_id=None,
                      scheduled_start=WHEN, scheduled_end=WHEN, source="whatsapp", status="confirmed", notes="", price_cents=1,
                      actor="customer:+525599990001", cause="SM1")
    assert event.booked_at is None


def test_new_events_are_stored_with_their_class_version(memory_app):
    with recording("owner:1", "c"):
        day = StaffDay.open(uuid.uuid4(), ORG, date(2026, 1, 15))
    stored = memory_app.mapper.to_stored_event(day.pending_events[0])
    assert json.loads(stored.state)["class_version"] == 2


def test_old_staff_and_customer_updates_are_upcast_to_typed_fields(memory_app):
    staff = old_event(memory_app, "aggregates.staff:StaffMember.ProfileUpdated", 2, changes={"name": "Miguel A."}, actor="owner:1", cause="c")
    customer = old_event(memory_app, "aggregates.customer:Customer.DetailsUpdated", 2, changes={"notes": "VIP"}, actor="owner:1", cause="c")
    assert (staff.name, staff.location_id, staff.default_spot_id) == ("Miguel A.", None, None)
    assert (customer.email, customer.notes) == (None, "VIP")


def test_changed_fields_reads_every_shape_of_a_change(memory_app):
    from aggregates.event_data import changed_fields

    legacy = old_event(memory_app, "aggregates.customer:Customer.DetailsUpdated", 2, changes={"notes": "VIP"}, actor="a:1", cause="c")
    with recording("owner:1", "c"):
        org = Organization.register(name="Demo", business_type="barbershop", timezone="America/Mexico_City", whatsapp_number="+525512345678",
                                    location_id=uuid.uuid4(), location_name="Centro", location_address="", business_hours={})
        org.add_service(ORG, name="Corte", description="", duration_minutes=30, price_cents=100)
        org.update_service(ORG, {"is_active": False, "name": "Corte clásico"})
    renamed, deactivated = org.pending_events[-2:]
    assert changed_fields(legacy, ("email", "notes")) == {"notes": "VIP"}
    assert changed_fields(renamed, ("name", "is_active")) == {"name": "Corte clásico"}
    assert changed_fields(deactivated, ("name", "is_active")) == {"is_active": False}
