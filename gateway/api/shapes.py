"""JSON shapes of the REST resources (field names from the spec's data model)."""

from __future__ import annotations

from typing import Any

from gateway.api.common import row


def organization(org: dict, locations: list[dict] | None = None) -> dict:
    data = row(org, org.get("timezone"))
    phone = data.get("phone_number") or ""
    data["phone_country_code"] = "+52" if phone.startswith("+52") else ("+" + phone[1:3] if phone.startswith("+") else "")
    if locations is not None:
        data["locations"] = [location(loc, org.get("timezone")) for loc in locations]
    return data


def location(loc: dict, tz: str | None) -> dict:
    return row(loc, tz)


def service(svc: dict, tz: str | None) -> dict:
    return row(svc, tz)


def staff_member(member: dict, tz: str | None) -> dict:
    return row(member, tz, rename={"service_ids": "service_type_ids"})


def customer(cust: dict, tz: str | None) -> dict:
    return row(cust, tz)


def appointment(appt: dict, tz: str | None) -> dict:
    return row(appt, tz, drop=("service_id",))


def appointments(values: list[dict], tz: str | None) -> list[dict]:
    return [appointment(v, tz) for v in values]


def spot(value: dict, tz: str | None) -> dict:
    return row(value, tz, rename={"service_ids": "service_type_ids"})


def block(value: dict, tz: str | None) -> dict:
    data = row(value, tz)
    data["type"] = "block"
    return data


def closure(value: dict, tz: str | None) -> dict:
    data = row(value, tz)
    data["type"] = "closure"
    return data


def many(shape: Any, values: list[dict], tz: str | None) -> list[dict]:
    return [shape(v, tz) for v in values]

