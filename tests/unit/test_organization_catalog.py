"""Organization aggregate: its catalog of services and spots, one typed event per change."""

from __future__ import annotations

import uuid

import pytest

from aggregates.errors import AlreadyExists, InactiveService, InUse, InvalidInput, NotFound
from org_support import LOCATION, acting, event_names, register, with_service  # noqa: F401 - acting is an autouse fixture


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


def test_each_service_change_is_its_own_typed_event():
    # given
    org = register()
    service_id = with_service(org)
    org.collect_events()

    # when
    org.update_service(service_id, {"name": "Corte clásico", "description": "Con tijera", "duration_minutes": 40, "is_active": False})

    # then: one past-tense event per change, in a fixed order, each with its own field
    events = org.collect_events()
    assert [type(e).__name__ for e in events] == ["ServiceRenamed", "ServiceDescribed", "ServiceDurationChanged", "ServiceDeactivated"]
    assert (events[0].name, events[1].description, events[2].duration_minutes) == ("Corte clásico", "Con tijera", 40)
    assert org.service(service_id) == {
        "name": "Corte clásico", "description": "Con tijera", "duration_minutes": 40, "price_cents": 15000,
        "currency": "MXN", "is_active": False, "has_appointments": False,
    }


def test_an_invalid_change_records_none_of_the_others():
    org = register()
    service_id = with_service(org)
    org.collect_events()
    with pytest.raises(InvalidInput):
        org.update_service(service_id, {"name": "Otro", "duration_minutes": 0})
    assert org.collect_events() == [] and org.service(service_id).name == "Corte de cabello"


def test_each_spot_change_is_its_own_typed_event():
    # given
    org = register()
    cut, beard = with_service(org), with_service(org, "Barba", 20, 10000)
    spot_id = uuid.uuid4()
    org.add_spot(spot_id, location_id=LOCATION, name="Silla 1", display_order=1, service_ids=[cut])
    org.collect_events()

    # when
    org.update_spot(spot_id, {"name": "Silla A", "display_order": 3, "service_ids": [cut, beard], "is_active": False})
    org.update_spot(spot_id, {"is_active": True})

    # then
    assert event_names(org) == ["SpotRenamed", "SpotReordered", "SpotServicesAssigned", "SpotDeactivated", "SpotReactivated"]
    spot = org.spot(spot_id)
    assert (spot.name, spot.display_order, spot.service_ids, spot.is_active) == ("Silla A", 3, [str(cut), str(beard)], True)
