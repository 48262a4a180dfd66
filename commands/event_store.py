"""How Parlo's values are stored in events (and snapshots): the transcodings the application registers.

Value objects are stored as dicts of their fields, as the library's cargo-shipping example stores
its ``Leg`` with ``LegAsDict``; nested values (dates, UUIDs) are transcoded in turn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoder, Transcoding

from aggregates.values import Closure, Location, Service, Spot, Value


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class _ValueAsDict(Transcoding):
    type: type[Value]

    def encode(self, obj: Value) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Value:
        return self.type.from_dict(data)


class ServiceAsDict(_ValueAsDict):
    type = Service
    name = "parlo_service"


class SpotAsDict(_ValueAsDict):
    type = Spot
    name = "parlo_spot"


class LocationAsDict(_ValueAsDict):
    type = Location
    name = "parlo_location"


class ClosureAsDict(_ValueAsDict):
    type = Closure
    name = "parlo_closure"


TRANSCODINGS = (DateAsISO, ServiceAsDict, SpotAsDict, LocationAsDict, ClosureAsDict)


def register_transcodings(transcoder: Transcoder) -> None:
    for transcoding in TRANSCODINGS:
        transcoder.register(transcoding())
