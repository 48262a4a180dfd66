"""What a business may be: its statuses, types and settings, and how its names are cleaned.

Pure functions the Organization aggregate decides with (no state, no events).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aggregates.errors import AlreadyExists, InvalidInput
from vocabulary.settings import DEFAULT_SETTINGS, SETTING_LIMITS
from vocabulary.statuses import ORGANIZATION_STATUSES, ORGANIZATION_TRANSITIONS

STATUSES = ORGANIZATION_STATUSES
STATUS_TRANSITIONS = ORGANIZATION_TRANSITIONS
BUSINESS_TYPES = ("barbershop", "hair_salon", "nail_salon", "spa", "beauty_salon", "other")
# The only settings there are, their defaults and allowed (inclusive) ranges: vocabulary.settings.


def clean_name(value: str, what: str, limit: int = 120) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Falta {what}.")
    value = " ".join(value.split())
    if len(value) > limit:
        raise InvalidInput(f"{what.capitalize()} es demasiado largo (máximo {limit} caracteres).")
    return value


def check_business_type(business_type: str) -> str:
    if business_type not in BUSINESS_TYPES:
        raise InvalidInput(f"Tipo de negocio desconocido: «{business_type}».")
    return business_type


def check_settings(changes: Any) -> dict[str, int]:
    if not isinstance(changes, dict):
        raise InvalidInput("Los ajustes deben indicarse como nombre y valor.")
    unknown = sorted(str(key) for key in changes if key not in SETTING_LIMITS)
    if unknown:
        raise InvalidInput(
            f"Ajuste desconocido: {', '.join(f'«{key}»' for key in unknown)}. "
            f"Los ajustes válidos son: {', '.join(SETTING_LIMITS)}."
        )
    clean: dict[str, int] = {}
    for key, value in changes.items():
        low, high = SETTING_LIMITS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"El ajuste «{key}» debe ser un número entero entre {low} y {high}.")
        clean[key] = value
    return clean


def check_service_fields(
    name: str, duration_minutes: int, price_cents: int, others: Mapping[str, Mapping[str, Any]], except_id: str | None = None
) -> None:
    if not isinstance(duration_minutes, int) or isinstance(duration_minutes, bool) or not 5 <= duration_minutes <= 600:
        raise InvalidInput("La duración del servicio debe ser de 5 a 600 minutos.")
    if not isinstance(price_cents, int) or isinstance(price_cents, bool) or not 0 <= price_cents <= 10_000_000:
        raise InvalidInput("El precio debe ser un número de centavos entre 0 y 10,000,000.")
    lowered = name.lower()
    for other_id, service in others.items():
        if other_id != except_id and service["name"].lower() == lowered:
            raise AlreadyExists(f"Ya existe un servicio llamado «{service['name']}».")


def check_changes(changes: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"No se puede cambiar: {', '.join(sorted(unknown))}.")
