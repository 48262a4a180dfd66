"""StaffMember (permission matrix, hours, activation) and Customer aggregates."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from aggregates.customer import Customer
from aggregates.errors import InactiveStaff, InvalidInput, OutsideWorkingHours, PermissionDenied, ServiceNotOffered
from aggregates.staff import ACTION_NAMES_ES, PERMISSION_LEVELS, PERMISSIONS, StaffMember, can
from unit_support import local, acting_as


WHO = "admin:test"
WHY = "test"


acting = acting_as(WHO, WHY)
ORG = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
CUT = uuid.UUID("00000000-0000-0000-0000-0000000000c1")
BEARD = uuid.UUID("00000000-0000-0000-0000-0000000000c2")
TZ = "America/Mexico_City"


def staff(level: str = "staff", working_hours: dict | None = None, **overrides) -> StaffMember:
    fields = dict(
        organization_id=ORG,
        name="Miguel  Sánchez",
        phone_number="+525522222222",
        permission_level=level,
        service_ids=[CUT],
        working_hours=working_hours,
        location_id=None,
        default_spot_id=None,
    )
    fields.update(overrides)
    return StaffMember.register(**fields)


# ---- the permission matrix (spec: "Permission Matrix") --------------------------------------

# action -> (owner, admin, staff, viewer), straight from the spec's table
SPEC_MATRIX = {
    "view_own_schedule": (True, True, True, True),
    "view_business_schedule": (True, True, True, True),
    "book": (True, True, True, False),
    "mark_attendance": (True, True, True, False),
    "block_own_time": (True, True, True, False),
    "cancel_appointment": (True, True, True, False),
    "view_stats": (True, True, False, False),
    "add_staff": (True, True, False, False),
    "remove_staff": (True, True, False, False),
    "change_permissions": (True, False, False, False),
    "change_business_hours": (True, False, False, False),
    "change_service_durations": (True, False, False, False),
    "manage_services": (True, False, False, False),
}
LEVELS = ("owner", "admin", "staff", "viewer")


@pytest.mark.parametrize("action", sorted(SPEC_MATRIX))
@pytest.mark.parametrize("level", LEVELS)
def test_permission_matrix_matches_the_spec(level, action):
    # given a staff member at a level
    member = staff(level)
    expected = SPEC_MATRIX[action][LEVELS.index(level)]

    # then can() and require() agree with the spec's table
    assert can(level, action) is expected
    if expected:
        member.require(action)
    else:
        with pytest.raises(PermissionDenied) as denied:
            member.require(action)
        assert ACTION_NAMES_ES.get(action, action) in denied.value.message


def test_every_permission_in_the_code_is_known_and_levels_are_the_spec_levels():
    assert set(PERMISSION_LEVELS) == set(LEVELS)
    assert set(SPEC_MATRIX) <= set(PERMISSIONS)
    for action in PERMISSIONS:
        assert can("owner", action), f"the owner can do everything ({action})"


def test_unknown_actions_are_denied():
    assert not can("owner", "launch_rockets")
    with pytest.raises(PermissionDenied):
        staff("owner").require("launch_rockets")


def test_a_deactivated_member_can_do_nothing():
    # given
    member = staff("owner")

    # when
    member.deactivate()

    # then
    with pytest.raises(PermissionDenied):
        member.require("view_own_schedule")


# ---- registration and profile ------------------------------------------------------------


def test_register_staff_member():
    member = staff("admin")
    assert member.id == StaffMember.create_id(ORG, "+525522222222")
    assert member.name == "Miguel Sánchez"
    assert member.role == "employee"
    assert member.is_active is True
    assert member.working_hours is None
    assert member.service_ids == [str(CUT)]
    assert staff("owner").role == "owner"


def test_the_same_phone_in_the_same_organization_is_the_same_id():
    # (AddStaff turns the second registration into DuplicatePhone; see test_commands_staff.py)
    assert StaffMember.create_id(ORG, "+525522222222") == staff().id
    assert StaffMember.create_id(uuid.uuid4(), "+525522222222") != staff().id


@pytest.mark.parametrize("overrides", [{"name": " "}, {"permission_level": "boss"}, {"working_hours": {"mon": [["12:00", "11:00"]]}}])
def test_register_validates(overrides):
    with pytest.raises(InvalidInput):
        staff(**overrides)


def test_change_permission_level_updates_role():
    member = staff("staff")
    member.change_permission_level("owner")
    assert (member.permission_level, member.role) == ("owner", "owner")
    member.change_permission_level("viewer")
    assert (member.permission_level, member.role) == ("viewer", "employee")
    with pytest.raises(InvalidInput):
        member.change_permission_level("god")


def test_update_profile_and_services():
    member = staff()
    member.collect_events()
    member.update_profile({"name": " Miguel "})
    member.assign_services([BEARD, CUT, CUT])
    member.assign_services([CUT, BEARD])  # same set: nothing new
    assert member.name == "Miguel"
    assert sorted(member.service_ids) == sorted([str(CUT), str(BEARD)])
    assert [type(e).__name__ for e in member.collect_events()] == ["Renamed", "ServicesAssigned"]
    with pytest.raises(InvalidInput):
        member.update_profile({"phone_number": "+525500000000"})
    with pytest.raises(InvalidInput):
        member.update_profile({"name": ""})


# ---- services and working hours ----------------------------------------------------------


def test_check_can_serve():
    member = staff()
    member.check_can_serve(CUT, "Corte")
    with pytest.raises(ServiceNotOffered):
        member.check_can_serve(BEARD, "Barba")
    member.deactivate()
    with pytest.raises(InactiveStaff):
        member.check_can_serve(CUT, "Corte")


def test_without_working_hours_a_member_follows_the_business():
    staff(working_hours=None).check_working(local(2026, 1, 18, 3), local(2026, 1, 18, 4), TZ)


def test_working_hours_limit_when_a_member_works():
    # given: mornings on Thursdays only
    member = staff(working_hours={"thu": [["10:00", "14:00"]]})

    # then
    member.check_working(local(2026, 1, 15, 13, 30), local(2026, 1, 15, 14), TZ)
    with pytest.raises(OutsideWorkingHours):
        member.check_working(local(2026, 1, 15, 13, 45), local(2026, 1, 15, 14, 15), TZ)
    with pytest.raises(OutsideWorkingHours):
        member.check_working(local(2026, 1, 16, 11), local(2026, 1, 16, 11, 30), TZ)  # Friday


def test_set_working_hours_and_back_to_business_hours():
    member = staff()
    member.set_working_hours({"fri": [["12:00", "16:00"]]})
    assert member.working_hours["fri"] == [["12:00", "16:00"]]
    assert member.working_hours["mon"] == []
    member.set_working_hours(None)
    assert member.working_hours is None
    with pytest.raises(InvalidInput):
        member.set_working_hours({"fri": [["16:00", "12:00"]]})


def test_deactivate_and_reactivate_are_idempotent():
    # given
    member = staff()
    member.collect_events()

    # when
    member.deactivate()
    member.deactivate()
    member.reactivate()
    member.reactivate()

    # then
    assert member.is_active is True
    assert [type(e).__name__ for e in member.collect_events()] == ["Deactivated", "Reactivated"]


def test_first_message_is_recorded_once():
    member = staff()
    first = datetime(2026, 1, 14, 18, tzinfo=timezone.utc)
    member.record_first_message(first)
    member.record_first_message(datetime(2026, 1, 15, tzinfo=timezone.utc))
    assert member.first_message_at == first


# ---- Customer ----------------------------------------------------------------------------


def customer(name: str | None = None, verified_at: datetime | None = None) -> Customer:
    return Customer.register(
        organization_id=ORG,
        phone_number="+525599999999",
        name=name,
        name_verified_at=verified_at,
        email=None,
        notes=None,
    )


def test_a_customer_may_start_with_only_a_phone():
    c = customer()
    assert c.id == Customer.create_id(ORG, "+525599999999")
    assert c.name is None and c.name_verified_at is None and c.notes == ""


def test_a_verified_at_without_a_name_is_ignored():
    assert customer(None, datetime(2026, 1, 1, tzinfo=timezone.utc)).name_verified_at is None


def test_name_is_learned_then_verified():
    # given
    c = customer()
    verified = datetime(2026, 1, 14, 18, tzinfo=timezone.utc)

    # when the business learns a name, then the customer confirms it
    c.learn_name("  ana   lópez ", verified_at=None)
    assert (c.name, c.name_verified_at) == ("ana lópez", None)
    c.learn_name("ana lópez", verified_at=verified)

    # then
    assert (c.name, c.name_verified_at) == ("ana lópez", verified)
    assert [type(e).__name__ for e in c.collect_events()] == ["Registered", "NameLearned", "NameLearned"]


def test_learning_the_same_name_again_records_nothing_and_keeps_verification():
    verified = datetime(2026, 1, 14, 18, tzinfo=timezone.utc)
    c = customer("Ana", verified)
    c.collect_events()
    c.learn_name("Ana", verified_at=None)
    c.learn_name("Ana", verified_at=datetime(2026, 2, 1, tzinfo=timezone.utc))
    assert c.collect_events() == []
    c.learn_name("Ana María", verified_at=None)
    assert c.name_verified_at == verified  # the name changed by someone else: the old verification stays recorded


@pytest.mark.parametrize("bad", ["", "   ", "x" * 121, None])
def test_names_are_validated(bad):
    with pytest.raises(InvalidInput):
        customer().learn_name(bad, verified_at=None)


def test_update_details():
    c = customer()
    c.update_details({"email": "ana@example.com", "notes": "Prefiere a Miguel"})
    assert (c.email, c.notes) == ("ana@example.com", "Prefiere a Miguel")
    with pytest.raises(InvalidInput):
        c.update_details({"email": "no-es-correo"})
    with pytest.raises(InvalidInput):
        c.update_details({"phone_number": "+525500000000"})
