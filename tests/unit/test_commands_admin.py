"""Organization, staff and customer commands (in-memory store), and the audit trail of every event."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from aggregates.calendar import StaffDay
from aggregates.errors import AlreadyExists, DuplicatePhone, InUse, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from aggregates.organization import Organization
from commands import Actor
from commands.definitions import (
    AddCustomer,
    AddLocation,
    AddService,
    AddStaff,
    BlockTime,
    BookAppointment,
    CancelAppointment,
    ChangeOrganizationStatus,
    CloseBusiness,
    DeactivateStaff,
    ReactivateStaff,
    RegisterOrganization,
    RemoveLocation,
    RemoveService,
    ReopenBusiness,
    RescheduleAppointment,
    SetBusinessHours,
    UnblockTime,
    UpdateCustomer,
    UpdateLocation,
    UpdateOrganization,
    UpdateOrganizationSettings,
    UpdateService,
    UpdateStaff,
)
from infra.seed import seed_demo as seed
from infra.seed import DEMO_HOURS
from unit_support import local


SYSTEM = Actor.system("tests")
ANA = "+525599990001"


def carlos(demo):
    return Actor.staff(demo.staff_ids["Carlos Mendoza"])


def miguel(demo):
    return Actor.staff(demo.staff_ids["Miguel Sánchez"])


def add_staff(app, demo, actor=SYSTEM, name="Lupita", phone="+525533333333", level="staff", **fields):
    return app.execute(
        AddStaff(actor=actor, cause="t", organization_id=demo.organization_id, name=name, phone_number=phone, permission_level=level, **fields)
    )


# ---- organizations ----------------------------------------------------------------------------


def test_register_an_organization_and_go_live(memory_app):
    # when
    result = memory_app.execute(
        RegisterOrganization(actor=Actor.admin("ops"), cause="t", name="Estética Lupita", whatsapp_number="55 8765 4321",
                             business_type="hair_salon", business_hours=DEMO_HOURS, activate=True)
    )

    # then
    org = memory_app._organization(result.id)
    assert result.id == Organization.create_id("+525587654321")
    assert org.status == "active"
    assert org.primary_location_id == result.data["location_id"]


def test_register_an_organization_with_its_owner_in_one_save(memory_app):
    # when
    result = memory_app.execute(
        RegisterOrganization(actor=Actor.admin("ops"), cause="req-1", name="Estética Lupita", whatsapp_number="55 8765 4321",
                             owner_name="Lupita Gómez", owner_phone="55 3333 4444")
    )

    # then: the business and its owner exist, saved by one command (one position)
    org = memory_app._organization(result.id)
    owner = memory_app.repository.get(result.data["owner_id"])
    assert (owner.name, owner.phone_number, owner.permission_level, owner.organization_id) == (
        "Lupita Gómez", "+525533334444", "owner", org.id
    )
    assert org.staff_ids == [str(owner.id)]
    assert result.position == memory_app.recorder.max_notification_id()
    events = all_events(memory_app)
    assert {e.cause for e in events} == {"req-1"}
    assert {e.actor for e in events} == {"admin:ops"}


@pytest.mark.parametrize("owner", [dict(owner_name="Lupita", owner_phone="12"), dict(owner_name="Lupita"), dict(owner_phone="+525533334444"), dict(owner_name=" ", owner_phone="+525533334444")])
def test_an_invalid_owner_registers_nothing(memory_app, owner):
    # when: the owner's data is invalid or incomplete
    with pytest.raises(InvalidInput):
        memory_app.execute(RegisterOrganization(actor=Actor.admin("ops"), cause="t", name="Estética Lupita", whatsapp_number="+525587654321", **owner))

    # then: no organization either, so a corrected retry works (no 409)
    assert memory_app.recorder.max_notification_id() in (None, 0)
    retry = memory_app.execute(
        RegisterOrganization(actor=Actor.admin("ops"), cause="t", name="Estética Lupita", whatsapp_number="+525587654321",
                             owner_name="Lupita", owner_phone="+525533334444")
    )
    assert memory_app._organization(retry.id).staff_ids == [str(retry.data["owner_id"])]


def test_update_organization_changes_profile_and_settings_together_or_not_at_all(memory_app, demo):
    org_id = demo.organization_id
    before = memory_app._organization(org_id).version

    # when: a valid name with an invalid setting
    with pytest.raises(InvalidInput):
        memory_app.execute(UpdateOrganization(actor=carlos(demo), cause="t", organization_id=org_id, name="Otra", settings={"buffer_minutes": -1}))

    # then: nothing changed
    org = memory_app._organization(org_id)
    assert (org.version, org.name) == (before, "Barbería Don Carlos")

    # when: both valid
    result = memory_app.execute(
        UpdateOrganization(actor=carlos(demo), cause="patch-1", organization_id=org_id, name="Don Carlos e Hijos", settings={"buffer_minutes": 10})
    )

    # then: both applied in one save
    org = memory_app._organization(org_id)
    assert (org.name, org.settings["buffer_minutes"]) == ("Don Carlos e Hijos", 10)
    assert result.position == memory_app.recorder.max_notification_id()
    assert [type(e).__name__ for e in all_events(memory_app) if e.cause == "patch-1"] == ["Renamed", "SettingsUpdated"]
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateOrganization(actor=miguel(demo), cause="t", organization_id=org_id, settings={"buffer_minutes": 5}))


def test_unknown_settings_are_refused_through_the_command(memory_app, demo):
    with pytest.raises(InvalidInput) as error:
        memory_app.execute(UpdateOrganizationSettings(actor=carlos(demo), cause="t", organization_id=demo.organization_id, changes={"welcome": "hola"}))
    assert "min_notice_minutes" in error.value.message


def test_update_location_with_hours_is_one_change(memory_app, demo):
    org_id = demo.organization_id
    location_id = memory_app._organization(org_id).primary_location_id
    before = memory_app._organization(org_id).version

    # when: a new name with invalid hours
    with pytest.raises(InvalidInput):
        memory_app.execute(UpdateLocation(actor=carlos(demo), cause="t", organization_id=org_id, location_id=location_id, name="Centro",
                                          business_hours={"mon": [["20:00", "10:00"]]}))

    # then: the name did not change either
    assert memory_app._organization(org_id).version == before

    # when: both valid
    memory_app.execute(UpdateLocation(actor=carlos(demo), cause="t", organization_id=org_id, location_id=location_id, name="Centro",
                                      business_hours={"sun": [["10:00", "14:00"]]}))
    location = memory_app._organization(org_id).location(location_id)
    assert (location["name"], location["business_hours"]["sun"]) == ("Centro", [["10:00", "14:00"]])


def test_location_hours_still_need_change_business_hours(memory_app, demo):
    # given: an admin-level team member (may not change the business hours)
    org_id = demo.organization_id
    location_id = memory_app._organization(org_id).primary_location_id
    admin = Actor.staff(add_staff(memory_app, demo, name="Admin", phone="+525544444444", level="admin").id)
    before = memory_app._organization(org_id).version

    # when / then
    for fields in ({"business_hours": {"sun": [["10:00", "14:00"]]}}, {"name": "Centro", "business_hours": {"sun": [["10:00", "14:00"]]}}):
        with pytest.raises(PermissionDenied):
            memory_app.execute(UpdateLocation(actor=admin, cause="t", organization_id=org_id, location_id=location_id, **fields))
    assert memory_app._organization(org_id).version == before


def test_one_organization_per_whatsapp_number(memory_app, demo):
    with pytest.raises(AlreadyExists) as exists:
        memory_app.execute(RegisterOrganization(actor=SYSTEM, cause="t", name="Copia", whatsapp_number="+525512345678"))
    assert exists.value.details["organization_id"] == str(demo.organization_id)


def test_only_the_platform_registers_organizations(memory_app, demo):
    with pytest.raises(InvalidInput):
        memory_app.execute(RegisterOrganization(actor=carlos(demo), cause="t", name="Otra", whatsapp_number="+525587654321"))


def test_seeding_twice_changes_nothing(memory_app, demo):
    before = memory_app.recorder.max_notification_id()
    assert seed(memory_app) == demo
    assert memory_app.recorder.max_notification_id() == before


def test_only_the_owner_changes_hours_services_and_settings(memory_app, demo):
    org_id = demo.organization_id
    admin = Actor.staff(add_staff(memory_app, demo, name="Admin", phone="+525544444444", level="admin").id)
    for actor in (admin, miguel(demo)):
        with pytest.raises(PermissionDenied):
            memory_app.execute(SetBusinessHours(actor=actor, cause="t", organization_id=org_id, hours={"sun": [["10:00", "14:00"]]}))
        with pytest.raises(PermissionDenied):
            memory_app.execute(AddService(actor=actor, cause="t", organization_id=org_id, name="Tinte", duration_minutes=60, price_cents=50000))
        with pytest.raises(PermissionDenied):
            memory_app.execute(UpdateService(actor=actor, cause="t", organization_id=org_id, service_id=demo.service_ids["Corte de cabello"], changes={"duration_minutes": 40}))
        with pytest.raises(PermissionDenied):
            memory_app.execute(UpdateOrganizationSettings(actor=actor, cause="t", organization_id=org_id, changes={"buffer_minutes": 5}))
    # the owner can
    memory_app.execute(SetBusinessHours(actor=carlos(demo), cause="t", organization_id=org_id, hours={"sun": [["10:00", "14:00"]]}))
    memory_app.execute(UpdateService(actor=carlos(demo), cause="t", organization_id=org_id, service_id=demo.service_ids["Corte de cabello"], changes={"duration_minutes": 40}))
    memory_app.execute(UpdateOrganizationSettings(actor=carlos(demo), cause="t", organization_id=org_id, changes={"buffer_minutes": 5}))
    org = memory_app._organization(org_id)
    assert org.location(org.primary_location_id)["business_hours"]["sun"] == [["10:00", "14:00"]]
    assert org.service(demo.service_ids["Corte de cabello"])["duration_minutes"] == 40
    assert org.settings["buffer_minutes"] == 5


def test_settings_bounds_through_the_command(memory_app, demo):
    with pytest.raises(InvalidInput):
        memory_app.execute(UpdateOrganizationSettings(actor=carlos(demo), cause="t", organization_id=demo.organization_id, changes={"max_horizon_days": 0}))


def test_a_service_with_appointments_cannot_be_removed(memory_app, demo):
    # given: a haircut was booked; the beard service never was
    memory_app.execute(
        BookAppointment(actor=Actor.customer(ANA), cause="t", organization_id=demo.organization_id,
                        service_id=demo.service_ids["Corte de cabello"], start=local(2026, 1, 15, 11))
    )

    # when / then
    with pytest.raises(InUse):
        memory_app.execute(RemoveService(actor=carlos(demo), cause="t", organization_id=demo.organization_id, service_id=demo.service_ids["Corte de cabello"]))
    memory_app.execute(RemoveService(actor=carlos(demo), cause="t", organization_id=demo.organization_id, service_id=demo.service_ids["Arreglo de barba"]))
    assert str(demo.service_ids["Arreglo de barba"]) not in memory_app._organization(demo.organization_id).services


def test_the_owner_goes_live_but_only_the_platform_suspends(memory_app):
    # given: a business still onboarding, with its owner
    org_id = memory_app.execute(RegisterOrganization(actor=SYSTEM, cause="t", name="Nueva", whatsapp_number="+525587654321", business_hours=DEMO_HOURS)).id
    owner = memory_app.execute(AddStaff(actor=SYSTEM, cause="t", organization_id=org_id, name="Dueña", phone_number="+525566666666", permission_level="owner")).id

    # when / then
    memory_app.execute(ChangeOrganizationStatus(actor=Actor.staff(owner), cause="t", organization_id=org_id, status="active"))
    with pytest.raises(InvalidInput):
        memory_app.execute(ChangeOrganizationStatus(actor=Actor.staff(owner), cause="t", organization_id=org_id, status="suspended"))
    memory_app.execute(ChangeOrganizationStatus(actor=Actor.admin(), cause="t", organization_id=org_id, status="suspended", reason="pago"))
    with pytest.raises(InvalidTransition):
        memory_app.execute(ChangeOrganizationStatus(actor=Actor.admin(), cause="t", organization_id=org_id, status="onboarding"))
    assert memory_app._organization(org_id).status == "suspended"


def test_locations_through_commands(memory_app, demo):
    org_id = demo.organization_id
    org = memory_app._organization(org_id)
    with pytest.raises(InUse):
        memory_app.execute(RemoveLocation(actor=carlos(demo), cause="t", organization_id=org_id, location_id=org.primary_location_id))
    branch = memory_app.execute(AddLocation(actor=carlos(demo), cause="t", organization_id=org_id, name="Norte", business_hours=DEMO_HOURS)).id
    memory_app.execute(RemoveLocation(actor=carlos(demo), cause="t", organization_id=org_id, location_id=branch))
    with pytest.raises(NotFound):
        memory_app.execute(RemoveLocation(actor=carlos(demo), cause="t", organization_id=org_id, location_id=branch))


def test_close_and_reopen(memory_app, demo):
    org_id = demo.organization_id
    closure = memory_app.execute(CloseBusiness(actor=carlos(demo), cause="t", organization_id=org_id, start_date=date(2026, 1, 15), end_date=date(2026, 1, 15))).id
    with pytest.raises(PermissionDenied):
        memory_app.execute(ReopenBusiness(actor=miguel(demo), cause="t", organization_id=org_id, closure_id=closure))
    memory_app.execute(ReopenBusiness(actor=carlos(demo), cause="t", organization_id=org_id, closure_id=closure))
    assert memory_app._organization(org_id).closures == {}


def test_update_organization_validates_the_timezone(memory_app, demo):
    with pytest.raises(InvalidInput):
        memory_app.execute(UpdateOrganization(actor=carlos(demo), cause="t", organization_id=demo.organization_id, timezone="Hora del Centro"))


# ---- staff ---------------------------------------------------------------------------------------


def test_the_same_phone_twice_is_a_duplicate(memory_app, demo):
    # given
    first = add_staff(memory_app, demo, phone="+525533333333")

    # when / then: however the number is written
    with pytest.raises(DuplicatePhone) as duplicate:
        add_staff(memory_app, demo, name="Otra Lupita", phone="whatsapp:+5215533333333")
    assert duplicate.value.details["staff_id"] == str(first.id)
    with pytest.raises(DuplicatePhone):
        add_staff(memory_app, demo, name="Carlos otra vez", phone="55 1111 1111")
    assert memory_app._organization(demo.organization_id).staff_ids.count(str(first.id)) == 1


def test_the_same_phone_may_work_at_two_businesses(memory_app, demo):
    from infra.seed import seed_demo

    other = seed_demo(memory_app, whatsapp_number="+525587654321", name="Estética Lupita")
    assert other.staff_ids["Miguel Sánchez"] != demo.staff_ids["Miguel Sánchez"]


def test_staff_gets_every_active_service_by_default(memory_app, demo):
    staff_id = add_staff(memory_app, demo).id
    member = memory_app.repository.get(staff_id)
    assert sorted(member.service_ids) == sorted(str(s) for s in demo.service_ids.values())


def test_who_may_add_staff(memory_app, demo):
    admin = Actor.staff(add_staff(memory_app, demo, name="Admin", phone="+525544444444", level="admin").id)
    with pytest.raises(PermissionDenied):
        add_staff(memory_app, demo, actor=miguel(demo), phone="+525555555555")
    with pytest.raises(PermissionDenied):
        add_staff(memory_app, demo, actor=admin, phone="+525555555555", level="owner")
    add_staff(memory_app, demo, actor=admin, phone="+525555555555")
    add_staff(memory_app, demo, actor=carlos(demo), phone="+525566666666", level="owner")


def test_add_staff_validates_references(memory_app, demo):
    with pytest.raises(NotFound):
        add_staff(memory_app, demo, service_ids=[uuid.uuid4()])
    with pytest.raises(InvalidInput):
        add_staff(memory_app, demo, phone="123")
    with pytest.raises(InvalidInput):
        add_staff(memory_app, demo, working_hours={"mon": [["20:00", "10:00"]]})


def test_only_the_owner_changes_permissions(memory_app, demo):
    admin = Actor.staff(add_staff(memory_app, demo, name="Admin", phone="+525544444444", level="admin").id)
    target = demo.staff_ids["Miguel Sánchez"]
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateStaff(actor=admin, cause="t", organization_id=demo.organization_id, staff_id=target, permission_level="admin"))
    memory_app.execute(UpdateStaff(actor=carlos(demo), cause="t", organization_id=demo.organization_id, staff_id=target, permission_level="admin"))
    assert memory_app.repository.get(target).permission_level == "admin"


def test_deactivate_and_reactivate_staff(memory_app, demo):
    org_id, target = demo.organization_id, demo.staff_ids["Miguel Sánchez"]
    with pytest.raises(PermissionDenied):
        memory_app.execute(DeactivateStaff(actor=miguel(demo), cause="t", organization_id=org_id, staff_id=demo.staff_ids["Carlos Mendoza"]))
    with pytest.raises(InvalidInput):
        memory_app.execute(DeactivateStaff(actor=carlos(demo), cause="t", organization_id=org_id, staff_id=demo.staff_ids["Carlos Mendoza"]))
    admin = Actor.staff(add_staff(memory_app, demo, name="Admin", phone="+525544444444", level="admin").id)
    with pytest.raises(PermissionDenied):
        memory_app.execute(DeactivateStaff(actor=admin, cause="t", organization_id=org_id, staff_id=demo.staff_ids["Carlos Mendoza"]))

    memory_app.execute(DeactivateStaff(actor=admin, cause="t", organization_id=org_id, staff_id=target))
    assert memory_app.repository.get(target).is_active is False
    memory_app.execute(ReactivateStaff(actor=carlos(demo), cause="t", organization_id=org_id, staff_id=target))
    assert memory_app.repository.get(target).is_active is True


def test_staff_block_their_own_time_but_only_admins_block_others(memory_app, demo):
    org_id = demo.organization_id
    mine = dict(organization_id=org_id, staff_id=demo.staff_ids["Miguel Sánchez"], start=local(2026, 1, 15, 14), end=local(2026, 1, 15, 15))
    others = dict(mine, staff_id=demo.staff_ids["Carlos Mendoza"])
    memory_app.execute(BlockTime(actor=miguel(demo), cause="t", **mine))
    with pytest.raises(PermissionDenied):
        memory_app.execute(BlockTime(actor=miguel(demo), cause="t", **others))
    memory_app.execute(BlockTime(actor=carlos(demo), cause="t", **dict(mine, start=local(2026, 1, 15, 16), end=local(2026, 1, 15, 17))))
    viewer = Actor.staff(add_staff(memory_app, demo, level="viewer").id)
    with pytest.raises(PermissionDenied):
        memory_app.execute(BlockTime(actor=viewer, cause="t", **dict(mine, staff_id=uuid.UUID(viewer.id))))


def test_a_block_over_several_days_is_split_per_day_and_unblocks_per_day(memory_app, demo):
    # given: Miguel is away from Thursday 18:00 to Saturday 12:00
    staff_id = demo.staff_ids["Miguel Sánchez"]
    result = memory_app.execute(
        BlockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id,
                  start=local(2026, 1, 15, 18), end=local(2026, 1, 17, 12), reason="viaje")
    )

    # then: one piece per local day
    pieces = result.data["pieces"]
    assert [p["day"] for p in pieces] == ["2026-01-15", "2026-01-16", "2026-01-17"]
    friday = memory_app.repository.get(StaffDay.create_id(staff_id, date(2026, 1, 16)))
    (entry,) = friday.entries.values()
    assert (entry["start"], entry["end"], entry["kind"]) == (local(2026, 1, 16), local(2026, 1, 17), "block")

    # when: Friday is unblocked
    memory_app.execute(
        UnblockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id,
                    block_id=uuid.UUID(pieces[1]["block_id"]), day=date(2026, 1, 16))
    )
    assert memory_app.repository.get(friday.id).entries == {}
    with pytest.raises(NotFound):
        memory_app.execute(
            UnblockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id,
                        block_id=uuid.UUID(pieces[1]["block_id"]), day=date(2026, 1, 16))
        )


def _trip(memory_app, demo, **fields):
    """Miguel is away from Thursday 18:00 to Saturday 12:00 (three pieces)."""
    return memory_app.execute(
        BlockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=demo.staff_ids["Miguel Sánchez"],
                  start=local(2026, 1, 15, 18), end=local(2026, 1, 17, 12), reason="viaje", **fields)
    )


def _block_entries(memory_app, staff_id, days):
    return {day: memory_app.repository.get(StaffDay.create_id(staff_id, day)).entries for day in days}


TRIP_DAYS = [date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17)]


def test_unblocking_a_block_by_its_id_removes_every_day_in_one_save(memory_app, demo):
    # given
    staff_id = demo.staff_ids["Miguel Sánchez"]
    block = _trip(memory_app, demo)

    # when: the block's own id and its first day
    result = memory_app.execute(
        UnblockTime(actor=miguel(demo), cause="del-1", organization_id=demo.organization_id, staff_id=staff_id, block_id=block.id, day=TRIP_DAYS[0])
    )

    # then: all three pieces are gone, saved together (one command, one position)
    assert _block_entries(memory_app, staff_id, TRIP_DAYS) == {day: {} for day in TRIP_DAYS}
    assert result.data["days"] == [d.isoformat() for d in TRIP_DAYS]
    unblocked = [e for e in all_events(memory_app) if e.cause == "del-1"]
    assert [type(e).__name__ for e in unblocked] == ["TimeUnblocked"] * 3
    assert result.position == memory_app.recorder.max_notification_id()


def test_unblocking_with_a_list_of_days_derives_the_piece_ids(memory_app, demo):
    # given
    staff_id = demo.staff_ids["Miguel Sánchez"]
    block = _trip(memory_app, demo)

    # when: only Friday and Saturday, named by the block's id
    memory_app.execute(
        UnblockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id, block_id=block.id, days=TRIP_DAYS[1:])
    )

    # then: Thursday keeps its piece
    entries = _block_entries(memory_app, staff_id, TRIP_DAYS)
    assert list(entries[TRIP_DAYS[0]]) == [str(block.id)]
    assert entries[TRIP_DAYS[1]] == {} and entries[TRIP_DAYS[2]] == {}


def test_unblocking_days_is_all_or_nothing(memory_app, demo):
    # given: the block does not reach Sunday
    staff_id = demo.staff_ids["Miguel Sánchez"]
    block = _trip(memory_app, demo)
    before = memory_app.recorder.max_notification_id()

    # when / then
    with pytest.raises(NotFound):
        memory_app.execute(
            UnblockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id, block_id=block.id,
                        days=[*TRIP_DAYS, date(2026, 1, 18)])
        )
    assert memory_app.recorder.max_notification_id() == before
    with pytest.raises(InvalidInput):
        memory_app.execute(UnblockTime(actor=miguel(demo), cause="t", organization_id=demo.organization_id, staff_id=staff_id, block_id=block.id))


def test_unblocking_a_single_day_block_leaves_the_next_days_alone(memory_app, demo):
    # given: a lunch block on Thursday and a block on Friday
    staff_id = demo.staff_ids["Miguel Sánchez"]
    org_id = demo.organization_id
    lunch = memory_app.execute(BlockTime(actor=miguel(demo), cause="t", organization_id=org_id, staff_id=staff_id, start=local(2026, 1, 15, 14), end=local(2026, 1, 15, 15)))
    friday = memory_app.execute(BlockTime(actor=miguel(demo), cause="t", organization_id=org_id, staff_id=staff_id, start=local(2026, 1, 16, 14), end=local(2026, 1, 16, 15)))

    # when
    memory_app.execute(UnblockTime(actor=miguel(demo), cause="t", organization_id=org_id, staff_id=staff_id, block_id=lunch.id, day=date(2026, 1, 15)))

    # then
    entries = _block_entries(memory_app, staff_id, TRIP_DAYS[:2])
    assert entries[TRIP_DAYS[0]] == {} and list(entries[TRIP_DAYS[1]]) == [str(friday.id)]


@pytest.mark.parametrize("hours", [0, -1, 24 * 63])
def test_block_length_is_validated(memory_app, demo, hours):
    start = local(2026, 1, 15, 14)
    with pytest.raises(InvalidInput):
        memory_app.execute(
            BlockTime(actor=carlos(demo), cause="t", organization_id=demo.organization_id, staff_id=demo.staff_ids["Miguel Sánchez"],
                      start=start, end=start + timedelta(hours=hours))
        )


# ---- customers -----------------------------------------------------------------------------------


def test_add_customer_is_idempotent_and_enriches(memory_app, demo):
    org_id = demo.organization_id
    first = memory_app.execute(AddCustomer(actor=miguel(demo), cause="t", organization_id=org_id, phone_number=ANA))
    again = memory_app.execute(AddCustomer(actor=miguel(demo), cause="t", organization_id=org_id, phone_number="55 9999 0001", name="Ana", email="ana@example.com"))
    assert first.id == again.id
    assert (first.data["created"], again.data["created"]) == (True, False)
    customer = memory_app.repository.get(first.id)
    assert (customer.name, customer.email, customer.name_verified_at) == ("Ana", "ana@example.com", None)


def test_a_customer_verifies_their_own_name_only(memory_app, demo, clock):
    org_id = demo.organization_id
    ana = memory_app.execute(AddCustomer(actor=Actor.customer(ANA), cause="t", organization_id=org_id, phone_number=ANA, name="Ana", name_verified=True)).id
    assert memory_app.repository.get(ana).name_verified_at == clock()
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateCustomer(actor=Actor.customer("+525599990002"), cause="t", organization_id=org_id, customer_id=ana, name="Otra"))
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateCustomer(actor=Actor.staff(add_staff(memory_app, demo, level="viewer").id), cause="t", organization_id=org_id, customer_id=ana, notes="x"))
    memory_app.execute(UpdateCustomer(actor=carlos(demo), cause="t", organization_id=org_id, customer_id=ana, notes="Cliente frecuente"))
    assert memory_app.repository.get(ana).notes == "Cliente frecuente"


# ---- audit trail: every event names its actor and cause ----------------------------------------


ACTOR_KINDS = {"customer", "owner", "staff", "admin", "system"}


def all_events(app):
    return [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start=1, limit=100_000)]


def test_every_event_carries_actor_and_cause(memory_app, demo):
    # given: a bit of everything
    org_id = demo.organization_id
    booked = memory_app.execute(
        BookAppointment(actor=Actor.customer(ANA), cause="SM-book", organization_id=org_id,
                        service_id=demo.service_ids["Corte de cabello"], start=local(2026, 1, 15, 11))
    )
    memory_app.execute(RescheduleAppointment(actor=Actor.customer(ANA), cause="SM-move", organization_id=org_id, appointment_id=booked.id, start=local(2026, 1, 16, 11)))
    memory_app.execute(CancelAppointment(actor=carlos(demo), cause="owner-cancel", organization_id=org_id, appointment_id=booked.id))
    memory_app.execute(
        BlockTime(actor=miguel(demo), cause="SM-block", organization_id=org_id, staff_id=demo.staff_ids["Miguel Sánchez"],
                  start=local(2026, 1, 20, 14), end=local(2026, 1, 20, 15))
    )
    memory_app.execute(CloseBusiness(actor=carlos(demo), cause="holiday", organization_id=org_id, start_date=date(2026, 2, 2), end_date=date(2026, 2, 2)))

    # then
    events = all_events(memory_app)
    assert len(events) > 20
    for event in events:
        name = f"{type(event).__qualname__}"
        assert isinstance(getattr(event, "actor", None), str) and event.actor, name
        assert isinstance(getattr(event, "cause", None), str) and event.cause, name
        assert event.actor.split(":", 1)[0] in ACTOR_KINDS, (name, event.actor)
    by_cause = {e.cause: e.actor for e in events}
    assert by_cause["SM-book"] == f"customer:{ANA}"
    assert by_cause["owner-cancel"] == f"owner:{demo.staff_ids['Carlos Mendoza']}"
    assert by_cause["SM-block"] == f"staff:{demo.staff_ids['Miguel Sánchez']}"
    assert by_cause["seed-demo"] == "system:seed-demo"
    opened = [e for e in events if type(e).__name__ == "Opened"]
    assert opened and {e.cause for e in opened} <= {"SM-book", "SM-move", "SM-block"}


@pytest.mark.parametrize("level", ["staff", "viewer"])
def test_anyone_on_the_team_sets_their_own_name_and_hours_but_nothing_else(memory_app, demo, level):
    # given: a new team member during their WhatsApp onboarding
    me = add_staff(memory_app, demo, level=level).id
    actor, org_id = Actor.staff(me), demo.organization_id

    # when
    memory_app.execute(UpdateStaff(actor=actor, cause="t", organization_id=org_id, staff_id=me, name="Lupita Gómez", working_hours={"mon": [["10:00", "14:00"]]}))

    # then
    member = memory_app.repository.get(me)
    assert (member.name, member.working_hours["mon"]) == ("Lupita Gómez", [["10:00", "14:00"]])
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateStaff(actor=actor, cause="t", organization_id=org_id, staff_id=me, permission_level="admin"))
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateStaff(actor=actor, cause="t", organization_id=org_id, staff_id=me, service_ids=[]))
    with pytest.raises(PermissionDenied):
        memory_app.execute(UpdateStaff(actor=actor, cause="t", organization_id=org_id, staff_id=demo.staff_ids["Miguel Sánchez"], name="Otro"))
