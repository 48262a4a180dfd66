"""Organization events that older code recorded and today's code only reads.

Each was one ``...Updated(changes: dict)`` event for any set of changes, applied with ``setattr``.
Today every change is its own typed event. These classes keep the old topics
(``aggregates.organization:Organization.ProfileUpdated`` ...) resolving: they are attached to
``Organization`` under their old names, their upcast turns the ``changes`` dict into one
optional typed field per change (None: not changed), and they apply field by field.
"""

from __future__ import annotations

import uuid
from typing import Any

from aggregates.base import ParloAggregate, given, legacy_changes

SERVICE_FIELDS = ("name", "description", "duration_minutes", "price_cents", "is_active")
SPOT_FIELDS = ("name", "display_order", "is_active", "service_ids")


class _Legacy(ParloAggregate.Event):
    """Never triggered; read from old stores only."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # the topic the old code stored: aggregates.organization:Organization.<name>
        cls.__module__ = "aggregates.organization"
        cls.__qualname__ = f"Organization.{cls.__name__}"


class ProfileUpdated(_Legacy):
    name: str | None
    business_type: str | None
    timezone: str | None

    partial_changes = True  # None: not changed

    class_version = 3
    upcast_v2_v3 = legacy_changes("name", "business_type", "timezone")

    def apply(self, aggregate: Any) -> None:
        for field, value in given(name=self.name, business_type=self.business_type, timezone=self.timezone).items():
            if field == "name":
                aggregate.name = value
            elif field == "business_type":
                aggregate.business_type = value
            else:
                aggregate.timezone = value


class LocationUpdated(_Legacy):
    location_id: uuid.UUID
    name: str | None
    address: str | None

    partial_changes = True  # None: not changed

    class_version = 3
    upcast_v2_v3 = legacy_changes("name", "address")

    def apply(self, aggregate: Any) -> None:
        aggregate._replace_location(self.location_id, **given(name=self.name, address=self.address))


class ServiceUpdated(_Legacy):
    service_id: uuid.UUID
    name: str | None
    description: str | None
    duration_minutes: int | None
    price_cents: int | None
    is_active: bool | None

    partial_changes = True  # None: not changed

    class_version = 3
    upcast_v2_v3 = legacy_changes(*SERVICE_FIELDS)

    def apply(self, aggregate: Any) -> None:
        aggregate._replace_service(self.service_id, **given(**{f: getattr(self, f) for f in SERVICE_FIELDS}))


class SpotUpdated(_Legacy):
    spot_id: uuid.UUID
    name: str | None
    display_order: int | None
    is_active: bool | None
    service_ids: list | None

    partial_changes = True  # None: not changed

    class_version = 3
    upcast_v2_v3 = legacy_changes(*SPOT_FIELDS)

    def apply(self, aggregate: Any) -> None:
        aggregate._replace_spot(self.spot_id, **given(**{f: getattr(self, f) for f in SPOT_FIELDS}))


LEGACY_EVENTS = (ProfileUpdated, LocationUpdated, ServiceUpdated, SpotUpdated)
