"""The business's value objects: services, spots, locations and closures.

Frozen dataclasses, compared by value and changed only by replacing them (``dataclasses.replace``).
They also read as mappings (``service["name"]``, ``dict(service)``), so code and read models that
knew them as plain dicts keep working. The application stores them with transcodings
(commands/event_store.py), as the library's cargo-shipping example does with its ``LegAsDict``.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any


class Value(Mapping):
    """Read-only mapping view of a frozen dataclass's fields."""

    def __getitem__(self, key: str) -> Any:
        if key in self._field_names():
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._field_names())

    def __len__(self) -> int:
        return len(self._field_names())

    @classmethod
    def _field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._field_names()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Any:
        return cls(**{name: data[name] for name in cls._field_names() if name in data})

    def replace(self, **changes: Any) -> Any:
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.items())})"


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Service(Value):
    name: str
    description: str
    duration_minutes: int
    price_cents: int
    currency: str = "MXN"
    is_active: bool = True
    has_appointments: bool = False


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Spot(Value):
    """A chair, table or bed of one location. Ids are kept as strings, as they are keys elsewhere."""

    location_id: str
    name: str
    display_order: int
    service_ids: list[str]
    is_active: bool = True
    has_appointments: bool = False

    def __post_init__(self) -> None:
        # frozen all the way down: a copy nobody else holds
        object.__setattr__(self, "service_ids", [str(s) for s in self.service_ids])

    def serves(self, service_id: uuid.UUID | str) -> bool:
        return str(service_id) in self.service_ids


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Location(Value):
    name: str
    address: str
    is_primary: bool
    business_hours: dict[str, list[list[str]]]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Closure(Value):
    """The whole business is closed from ``start_date`` to ``end_date`` (local dates, inclusive)."""

    start_date: date
    end_date: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date
