"""Organization aggregate: registration, hours, closures, services, spots, locations, status, settings."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from zoneinfo import ZoneInfo

import pytest

from aggregates.base import recording
from aggregates.values import Closure

from aggregates.errors import (
    AlreadyExists,
    BusinessClosed,
    InactiveService,
    InUse,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OutsideBusinessHours,
)
from aggregates.organization import DEFAULT_SETTINGS, Organization
from infra.seed import DEMO_HOURS

MX = ZoneInfo("America/Mexico_City")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime in the demo business's timezone."""
    return datetime(year, month, day, hour, minute, tzinfo=MX)

WHO = "admin:test"
WHY = "test"


@pytest.fixture(autouse=True)
def acting():
    """Given someone acting for a reason: every event these tests trigger records them."""
    with recording(WHO, WHY):
        yield
LOCATION = uuid.UUID("00000000-0000-0000-0000-00000000aaaa")


def register(**overrides) -> Organization:
    fields = dict(
        name="Barbería Don Carlos",
        business_type="barbershop",
        timezone="America/Mexico_City",
        whatsapp_number="+525512345678",
        location_id=LOCATION,
        location_name="Centro",
        location_address="Av. Juárez 1",
        business_hours=DEMO_HOURS,
    )
    fields.update(overrides)
    return Organization.register(**fields)


def with_service(org: Organization, name: str = "Corte de cabello", minutes: int = 30, cents: int = 15000) -> uuid.UUID:
    service_id = uuid.uuid4()
    org.add_service(service_id, name=name, description="", duration_minutes=minutes, price_cents=cents)
    return service_id


def event_names(org: Organization) -> list[str]:
    return [type(e).__name__ for e in org.collect_events()]


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


# ---- services ------------------------------------------------------------------------------


def test_add_service():
    # given
    org = register()

    # when
    service_id = with_service(org, "  Corte   de cabello ", 30, 15000)

    # then
    assert org.service(service_id) == {
        "name": "Corte de cabello",
        "description": "",
        "duration_minutes": 30,
        "price_cents": 15000,
        "currency": "MXN",
        "is_active": True,
        "has_appointments": False,
    }
    assert org.bookable_service(service_id)["name"] == "Corte de cabello"


@pytest.mark.parametrize(
    "fields",
    [
        {"duration_minutes": 4},
        {"duration_minutes": 601},
        {"duration_minutes": 30.5},
        {"duration_minutes": True},
        {"price_cents": -1},
        {"price_cents": 10_000_001},
        {"price_cents": "150"},
        {"name": ""},
    ],
)
def test_add_service_validates_fields(fields):
    org = register()
    values = {"name": "Corte", "description": "", "duration_minutes": 30, "price_cents": 15000, **fields}
    with pytest.raises(InvalidInput):
        org.add_service(uuid.uuid4(), **values)


def test_service_names_and_ids_are_unique():
    # given
    org = register()
    service_id = with_service(org, "Corte de cabello")

    # then
    with pytest.raises(AlreadyExists):
        with_service(org, "CORTE DE CABELLO")
    with pytest.raises(AlreadyExists):
        org.add_service(service_id, name="Otro", description="", duration_minutes=30, price_cents=1)


def test_update_service_changes_only_what_differs():
    # given
    org = register()
    service_id = with_service(org)
    org.collect_events()

    # when
    org.update_service(service_id, {"price_cents": 18000, "duration_minutes": 30})

    # then
    events = org.collect_events()
    assert [type(e).__name__ for e in events] == ["ServiceRepriced"]
    assert events[0].price_cents == 18000
    assert org.service(service_id)["price_cents"] == 18000


@pytest.mark.parametrize(
    "changes,error",
    [
        ({"currency": "USD"}, InvalidInput),
        ({"duration_minutes": 0}, InvalidInput),
        ({"is_active": "no"}, InvalidInput),
        ({"name": "Arreglo de barba"}, AlreadyExists),
    ],
)
def test_update_service_validates(changes, error):
    org = register()
    service_id = with_service(org)
    with_service(org, "Arreglo de barba", 20, 10000)
    with pytest.raises(error):
        org.update_service(service_id, changes)


def test_update_unknown_service_is_not_found():
    with pytest.raises(NotFound):
        register().update_service(uuid.uuid4(), {"price_cents": 1})


def test_a_deactivated_service_cannot_be_booked_and_can_be_reactivated():
    # given
    org = register()
    service_id = with_service(org)

    # when
    org.update_service(service_id, {"is_active": False})

    # then
    with pytest.raises(InactiveService):
        org.bookable_service(service_id)
    org.update_service(service_id, {"is_active": True})
    assert org.bookable_service(service_id)["is_active"] is True


def test_a_service_without_appointments_can_be_removed_and_leaves_the_spots():
    # given
    org = register()
    service_id = with_service(org)
    spot_id = uuid.uuid4()
    org.add_spot(spot_id, location_id=LOCATION, name="Silla 1", display_order=1, service_ids=[service_id])

    # when
    org.remove_service(service_id)

    # then
    assert str(service_id) not in org.services
    assert org.spot(spot_id)["service_ids"] == []
    with pytest.raises(NotFound):
        org.service(service_id)


def test_a_service_with_appointments_cannot_be_removed_but_can_be_deactivated():
    # given
    org = register()
    service_id = with_service(org)
    org.mark_service_used(service_id)
    org.collect_events()

    # when / then
    with pytest.raises(InUse):
        org.remove_service(service_id)
    org.update_service(service_id, {"is_active": False})
    assert org.service(service_id)["is_active"] is False


def test_mark_service_used_records_only_the_first_booking():
    org = register()
    service_id = with_service(org)
    org.collect_events()
    org.mark_service_used(service_id)
    org.mark_service_used(service_id)
    assert event_names(org) == ["ServiceFirstBooked"]


# ---- spots ---------------------------------------------------------------------------------


def test_spots_serve_services_in_display_order():
    # given
    org = register()
    cut = with_service(org)
    beard = with_service(org, "Arreglo de barba", 20, 10000)
    chair2, chair1, inactive = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    org.add_spot(chair2, location_id=LOCATION, name="Silla 2", display_order=2, service_ids=[cut, beard])
    org.add_spot(chair1, location_id=LOCATION, name="Silla 1", display_order=1, service_ids=[cut])
    org.add_spot(inactive, location_id=LOCATION, name="Silla 3", display_order=0, service_ids=[cut])

    # when
    org.update_spot(inactive, {"is_active": False})

    # then
    assert org.uses_spots(LOCATION)
    assert org.spots_for(LOCATION, cut) == [chair1, chair2]
    assert org.spots_for(LOCATION, beard) == [chair2]


@pytest.mark.parametrize("bad", ["location", "service", "name"])
def test_add_spot_validates_references(bad):
    org = register()
    cut = with_service(org)
    kwargs = dict(location_id=LOCATION, name="Silla 1", display_order=1, service_ids=[cut])
    if bad == "location":
        kwargs["location_id"] = uuid.uuid4()
    elif bad == "service":
        kwargs["service_ids"] = [uuid.uuid4()]
    else:
        kwargs["name"] = " "
    with pytest.raises((NotFound, InvalidInput)):
        org.add_spot(uuid.uuid4(), **kwargs)


def test_a_spot_with_appointments_cannot_be_removed():
    # given
    org = register()
    cut = with_service(org)
    used, unused = uuid.uuid4(), uuid.uuid4()
    for spot in (used, unused):
        org.add_spot(spot, location_id=LOCATION, name=f"Silla {spot}", display_order=1, service_ids=[cut])
    org.mark_spot_used(used)

    # when / then
    with pytest.raises(InUse):
        org.remove_spot(used)
    org.remove_spot(unused)
    assert list(org.spots) == [str(used)]
    with pytest.raises(AlreadyExists):
        org.add_spot(used, location_id=LOCATION, name="Otra", display_order=1, service_ids=[])


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
