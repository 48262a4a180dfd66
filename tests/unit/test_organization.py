"""Organization aggregate: registration, hours, closures, locations, status, settings (services and spots:
test_organization_catalog.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from aggregates.errors import (
    AlreadyExists,
    BusinessClosed,
    InUse,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutsideBusinessHours,
)
from aggregates.organization import DEFAULT_SETTINGS, Organization
from aggregates.values import Closure
from infra.seed import DEMO_HOURS
from org_support import LOCATION, acting, event_names, local, register  # noqa: F401 - acting is an autouse fixture


# ---- registration -------------------------------------------------------------------------


def test_register_sets_the_profile_primary_location_and_default_settings():
    # when
    org = register(name="  Barbería   Don Carlos ")

    # then
    assert org.id == Organization.create_id("+525512345678")
    assert org.name == "Barbería Don Carlos"
    assert org.status == "onboarding"
    assert org.whatsapp_numbers == ["+525512345678"]
    assert org.primary_location_id == LOCATION
    assert org.location(LOCATION)["is_primary"] is True
    assert org.location(LOCATION)["business_hours"]["sun"] == []
    assert org.settings == DEFAULT_SETTINGS
    assert org.services == {} and org.spots == {} and org.closures == {} and org.staff_ids == []
    assert event_names(org) == ["Registered"]


def test_the_same_whatsapp_number_always_gives_the_same_organization_id():
    assert Organization.create_id("+525512345678") == Organization.create_id("+525512345678")
    assert Organization.create_id("+525512345678") != Organization.create_id("+525512345679")


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "   "},
        {"name": "x" * 121},
        {"business_type": "car_wash"},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "CDMX"},
        {"location_name": ""},
        {"business_hours": {"mon": [["20:00", "10:00"]]}},
    ],
)
def test_register_rejects_invalid_input(overrides):
    with pytest.raises(InvalidInput):
        register(**overrides)


@pytest.mark.parametrize("tz", ["America/Mexico_City", "America/Cancun", "America/Tijuana", "UTC"])
def test_register_accepts_iana_timezones(tz):
    assert register(timezone=tz).timezone == tz


# ---- business hours -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hours",
    [
        {"mon": [["10:00", "10:00"]]},  # opens when it closes
        {"mon": [["18:00", "09:00"]]},  # closes before it opens
        {"mon": [["9:00", "18:00"]]},  # not HH:MM
        {"mon": [["10:00", "25:00"]]},
        {"mon": [["10:00", "14:00"], ["13:00", "18:00"]]},  # overlapping ranges
        {"lunes": [["10:00", "14:00"]]},  # unknown day
        {"mon": [["10:00"]]},  # missing close
        "10 a 8",
    ],
)
def test_business_hours_are_validated(hours):
    # given
    org = register()

    # when / then
    with pytest.raises(InvalidInput):
        org.set_business_hours(LOCATION, hours)
    assert org.location(LOCATION)["business_hours"] == {**DEMO_HOURS}


def test_set_business_hours_merges_days_and_records_canonical_hours():
    # given
    org = register()
    org.collect_events()

    # when: Sunday opens with a split shift, given out of order and in the {open, close} shape for Saturday
    org.set_business_hours(
        LOCATION,
        {"sun": [["15:00", "18:00"], ["10:00", "14:00"]], "sat": {"open": "09:00", "close": "17:00"}},
    )

    # then
    hours = org.location(LOCATION)["business_hours"]
    assert hours["sun"] == [["10:00", "14:00"], ["15:00", "18:00"]]
    assert hours["sat"] == [["09:00", "17:00"]]
    assert hours["mon"] == [["10:00", "20:00"]]
    assert event_names(org) == ["BusinessHoursSet"]


def test_setting_the_same_hours_again_records_nothing():
    org = register()
    org.collect_events()
    org.set_business_hours(LOCATION, {"mon": [["10:00", "20:00"]]})
    assert event_names(org) == []


def test_check_open_follows_business_hours_and_closed_days():
    # given: Mon–Fri 10–20, Sat 10–18, Sun closed
    org = register()

    # then
    org.check_open(LOCATION, local(2026, 1, 15, 10), local(2026, 1, 15, 10, 30))  # Thursday at opening
    org.check_open(LOCATION, local(2026, 1, 15, 19, 30), local(2026, 1, 15, 20))  # ends at closing
    org.check_open(LOCATION, local(2026, 1, 17, 17, 30), local(2026, 1, 17, 18))  # Saturday
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, local(2026, 1, 15, 9, 30), local(2026, 1, 15, 10))
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, local(2026, 1, 15, 19, 45), local(2026, 1, 15, 20, 15))
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, local(2026, 1, 17, 18), local(2026, 1, 17, 18, 30))
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, local(2026, 1, 18, 12), local(2026, 1, 18, 12, 30))  # Sunday
    with pytest.raises(InvalidInput):
        org.check_open(LOCATION, local(2026, 1, 15, 12), local(2026, 1, 15, 12))


def test_check_open_works_in_utc_too():
    org = register()
    # 16:00 UTC is 10:00 in Mexico City (UTC-6, no DST since 2022)
    org.check_open(LOCATION, datetime(2026, 1, 15, 16, tzinfo=timezone.utc), datetime(2026, 1, 15, 16, 30, tzinfo=timezone.utc))
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, datetime(2026, 1, 15, 15, tzinfo=timezone.utc), datetime(2026, 1, 15, 15, 30, tzinfo=timezone.utc))


# ---- closures -------------------------------------------------------------------------------


def test_a_closure_closes_every_day_it_covers():
    # given
    org = register()
    closure = uuid.uuid4()

    # when
    org.schedule_closure(closure, date(2026, 1, 15), date(2026, 1, 16), "Vacaciones")

    # then
    with pytest.raises(BusinessClosed) as closed:
        org.check_open(LOCATION, local(2026, 1, 16, 12), local(2026, 1, 16, 12, 30))
    assert "Vacaciones" in closed.value.message
    org.check_open(LOCATION, local(2026, 1, 14, 12), local(2026, 1, 14, 12, 30))
    org.check_open(LOCATION, local(2026, 1, 17, 12), local(2026, 1, 17, 12, 30))
    assert org.closures[str(closure)] == Closure(start_date=date(2026, 1, 15), end_date=date(2026, 1, 16), reason="Vacaciones")


def test_closing_again_with_the_same_id_is_a_no_op_and_reopening_removes_it():
    # given
    org = register()
    closure = uuid.uuid4()
    org.schedule_closure(closure, date(2026, 1, 15), date(2026, 1, 15), "")
    org.collect_events()

    # when
    org.schedule_closure(closure, date(2026, 1, 15), date(2026, 1, 15), "")
    assert event_names(org) == []
    org.cancel_closure(closure)

    # then
    assert org.closures == {}
    org.check_open(LOCATION, local(2026, 1, 15, 12), local(2026, 1, 15, 12, 30))
    with pytest.raises(NotFound):
        org.cancel_closure(closure)


@pytest.mark.parametrize(
    "first,last",
    [(date(2026, 1, 16), date(2026, 1, 15)), (date(2026, 1, 1), date(2027, 1, 3))],
)
def test_closure_dates_are_validated(first, last):
    with pytest.raises(InvalidInput):
        register().schedule_closure(uuid.uuid4(), first, last, "")


# ---- locations -----------------------------------------------------------------------------


def test_the_primary_and_only_location_cannot_be_removed():
    # given
    org = register()

    # then
    with pytest.raises(InUse):
        org.remove_location(LOCATION)


def test_a_second_location_can_be_added_updated_and_removed_but_not_the_primary():
    # given
    org = register()
    branch = uuid.uuid4()
    org.add_location(branch, "Sucursal Norte", "Calle 2", {"mon": [["09:00", "15:00"]]})

    # when
    org.update_location(branch, name="Norte", address=None)

    # then
    assert org.location(branch)["name"] == "Norte"
    assert org.location(branch)["is_primary"] is False
    assert org.location(branch)["business_hours"]["tue"] == []
    with pytest.raises(InUse):
        org.remove_location(LOCATION)
    with pytest.raises(AlreadyExists):
        org.add_location(branch, "Otra", "", {})
    org.remove_location(branch)
    assert list(org.locations) == [str(LOCATION)]
    with pytest.raises(NotFound):
        org.location(branch)


def test_a_location_with_spots_cannot_be_removed():
    org = register()
    branch = uuid.uuid4()
    org.add_location(branch, "Norte", "", {})
    org.add_spot(uuid.uuid4(), location_id=branch, name="Silla", display_order=0, service_ids=[])
    with pytest.raises(InUse):
        org.remove_location(branch)


def test_each_location_has_its_own_hours():
    org = register()
    branch = uuid.uuid4()
    org.add_location(branch, "Norte", "", {"sun": [["10:00", "14:00"]]})
    org.check_open(branch, local(2026, 1, 18, 11), local(2026, 1, 18, 11, 30))  # Sunday at the branch
    with pytest.raises(OutsideBusinessHours):
        org.check_open(LOCATION, local(2026, 1, 18, 11), local(2026, 1, 18, 11, 30))


# ---- status --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ["active"],
        ["suspended"],
        ["churned"],
        ["active", "suspended", "active"],
        ["active", "churned", "active"],
        ["active", "suspended", "churned"],
    ],
)
def test_valid_status_transitions(path):
    org = register()
    for status in path:
        org.change_status(status, "motivo")
    assert org.status == path[-1]


@pytest.mark.parametrize(
    "path,target",
    [(["active"], "onboarding"), (["suspended"], "onboarding"), (["churned"], "suspended"), (["active", "churned"], "onboarding")],
)
def test_invalid_status_transitions(path, target):
    org = register()
    for status in path:
        org.change_status(status, "")
    with pytest.raises(InvalidTransition):
        org.change_status(target, "")


def test_unknown_status_and_same_status():
    org = register()
    with pytest.raises(InvalidInput):
        org.change_status("closed", "")
    org.collect_events()
    org.change_status("onboarding", "")
    assert event_names(org) == []


@pytest.mark.parametrize("status", ["suspended", "churned"])
def test_a_suspended_or_churned_business_takes_no_appointments(status):
    org = register()
    org.change_status(status, "")
    with pytest.raises(BusinessClosed):
        org.check_open(LOCATION, local(2026, 1, 15, 12), local(2026, 1, 15, 12, 30))


# ---- settings and profile -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,low,high",
    [
        ("min_notice_minutes", 0, 7 * 24 * 60),
        ("max_horizon_days", 1, 365),
        ("buffer_minutes", 0, 240),
        ("slot_interval_minutes", 5, 240),
        ("reminder_hours_before", 1, 72),
    ],
)

def test_settings_bounds(key, low, high):
    # given
    org = register()

    # when: both bounds are accepted
    org.update_settings({key: low})
    assert org.settings[key] == low
    org.update_settings({key: high})
    assert org.settings[key] == high

    # then: just outside, floats, booleans and strings are refused, and nothing changes
    for bad in (low - 1, high + 1, float(low), True, str(low)):
        with pytest.raises(InvalidInput):
            org.update_settings({key: bad})
    assert org.settings[key] == high


def test_unknown_settings_are_refused_and_the_allowed_ones_are_listed():
    # given
    org = register()
    org.collect_events()

    # when: a typo next to a valid setting
    with pytest.raises(InvalidInput) as error:
        org.update_settings({"buffer_minutes": 10, "bufer_minutes": 5})

    # then: a Spanish message naming the unknown key and every allowed one; nothing changed
    assert "desconocido" in error.value.message and "«bufer_minutes»" in error.value.message
    for key in DEFAULT_SETTINGS:
        assert key in error.value.message
    assert org.settings == DEFAULT_SETTINGS
    assert event_names(org) == []


def test_settings_update_records_only_real_changes():
    org = register()
    org.collect_events()
    org.update_settings({"min_notice_minutes": DEFAULT_SETTINGS["min_notice_minutes"]})
    assert event_names(org) == []
    org.update_settings({"buffer_minutes": 10})
    assert event_names(org) == ["SettingsUpdated"]
    assert org.settings == {**DEFAULT_SETTINGS, "buffer_minutes": 10}


def test_update_profile_validates_timezone_and_type():
    org = register()
    with pytest.raises(InvalidInput):
        org.update_profile(name=None, business_type=None, timezone="Mexico City")
    with pytest.raises(InvalidInput):
        org.update_profile(name=None, business_type="taller", timezone=None)
    org.update_profile(name="Don Carlos", business_type="hair_salon", timezone="America/Monterrey")
    assert (org.name, org.business_type, org.timezone) == ("Don Carlos", "hair_salon", "America/Monterrey")


def test_whatsapp_numbers_and_staff_roster_are_sets_in_order():
    org = register()
    org.add_whatsapp_number("+525500000001")
    org.add_whatsapp_number("+525500000001")
    staff = uuid.uuid4()
    org.enlist_staff(staff)
    org.enlist_staff(staff)
    assert org.whatsapp_numbers == ["+525512345678", "+525500000001"]
    assert org.staff_ids == [str(staff)]


def test_each_profile_change_is_its_own_typed_event():
    # given
    org = register()
    org.collect_events()

    # when
    org.update_profile(name="Don Carlos", business_type="spa", timezone="America/Monterrey")
    org.update_profile(name="Don Carlos", business_type=None, timezone=None)  # nothing new

    # then
    events = org.collect_events()
    assert [type(e).__name__ for e in events] == ["Renamed", "BusinessTypeChanged", "TimezoneChanged"]
    assert (events[0].name, events[1].business_type, events[2].timezone) == ("Don Carlos", "spa", "America/Monterrey")
    assert (org.name, org.business_type, org.timezone) == ("Don Carlos", "spa", "America/Monterrey")


def test_a_bad_timezone_records_no_rename_either():
    org = register()
    org.collect_events()
    with pytest.raises(InvalidInput):
        org.update_profile(name="Otro nombre", business_type=None, timezone="Mars/Olympus")
    assert org.collect_events() == [] and org.name == "Barbería Don Carlos"


def test_a_location_records_its_rename_and_its_new_address_apart():
    org = register()
    org.collect_events()
    org.update_location(LOCATION, name="Centro Histórico", address="Madero 2")
    assert event_names(org) == ["LocationRenamed", "LocationAddressChanged"]
    assert (org.location(LOCATION).name, org.location(LOCATION).address) == ("Centro Histórico", "Madero 2")


def test_closures_are_scheduled_and_cancelled():
    # given
    org = register()
    closure = uuid.uuid4()

    # when
    org.schedule_closure(closure, date(2026, 2, 2), date(2026, 2, 3), " Candelaria ")
    org.cancel_closure(closure)

    # then: the events name what the methods did, and the closure travels as a value
    events = org.collect_events()[1:]
    assert [type(e).__name__ for e in events] == ["ClosureScheduled", "ClosureCancelled"]
    assert events[0].closure == Closure(date(2026, 2, 2), date(2026, 2, 3), "Candelaria")
    assert org.closures == {}
