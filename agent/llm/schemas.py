"""The customer tools as OpenAI chat-completions function schemas, and their dispatcher.

The model never names a customer: no schema has a phone or customer id, and the dispatcher runs
every call on the ``CustomerTools`` built for the customer writing. Arguments are re-validated
here (types, formats, ids); any refusal or error goes back to the model as a Spanish message,
never as an exception.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from agent.tools import CustomerTools, ToolError

_DATE = {"type": "string", "description": "Fecha YYYY-MM-DD (calendario del negocio)."}
_START = {
    "type": "string",
    "description": "Fecha y hora de inicio YYYY-MM-DDTHH:MM en la hora local del negocio, tal como la dio check_availability.",
}


def _fn(name: str, description: str, properties: dict, required: list[str]) -> dict:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": properties, "required": required, "additionalProperties": False},
        },
    }


TOOL_SCHEMAS: list[dict] = [
    _fn("list_services", "Lista los servicios del negocio con id, precio y duración.", {}, []),
    _fn(
        "check_availability",
        "Horarios libres reales para un servicio entre dos fechas (máximo 14 días). Úsala SIEMPRE antes de ofrecer horarios.",
        {
            "service_id": {"type": "string", "description": "id del servicio (de la lista de servicios)."},
            "date_from": _DATE,
            "date_to": {**_DATE, "description": "Última fecha incluida (opcional; por defecto igual a date_from)."},
            "part_of_day": {"type": "string", "enum": ["morning", "afternoon", "evening"], "description": "Filtra mañana/tarde/noche (opcional)."},
            "staff_id": {"type": "string", "description": "id de la persona del equipo, solo si el cliente la pidió (opcional)."},
        },
        ["service_id", "date_from"],
    ),
    _fn(
        "book",
        "Agenda una cita para el cliente que está escribiendo, en un horario que check_availability devolvió.",
        {
            "service_id": {"type": "string"},
            "start": _START,
            "staff_id": {"type": "string", "description": "opcional"},
            "customer_name": {"type": "string", "description": "Nombre que dio el cliente (opcional)."},
        },
        ["service_id", "start"],
    ),
    _fn("list_my_appointments", "Las citas próximas del cliente que está escribiendo (solo las suyas).", {}, []),
    _fn(
        "cancel",
        "Cancela una cita próxima del cliente que está escribiendo. Confirma con el cliente antes.",
        {"appointment_id": {"type": "string"}, "reason": {"type": "string"}},
        ["appointment_id"],
    ),
    _fn(
        "reschedule",
        "Cambia una cita próxima del cliente a un nuevo horario libre (de check_availability).",
        {"appointment_id": {"type": "string"}, "new_start": _START},
        ["appointment_id", "new_start"],
    ),
    _fn(
        "handoff",
        "Pasa la conversación al dueño del negocio (el cliente lo pide, pregunta por algo que no puedes resolver o por un servicio que no ofrecemos).",
        {"reason": {"type": "string", "description": "Resumen breve para el dueño, en español."}},
        ["reason"],
    ),
]
TOOL_NAMES = frozenset(t["function"]["name"] for t in TOOL_SCHEMAS)


class BadArguments(ToolError):
    pass


def _text(args: dict, key: str, required: bool = True, limit: int = 300) -> str | None:
    value = args.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise BadArguments(f"Falta el dato «{key}».")
        return None
    if not isinstance(value, str):
        raise BadArguments(f"El dato «{key}» debe ser texto.")
    return value.strip()[:limit]


def _date(args: dict, key: str, required: bool = True) -> date | None:
    value = _text(args, key, required)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise BadArguments(f"«{key}» debe ser una fecha YYYY-MM-DD.") from None


def _start(args: dict, key: str, tools: CustomerTools) -> datetime:
    value = _text(args, key)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadArguments(f"«{key}» debe tener el formato YYYY-MM-DDTHH:MM.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tools.tz)
    return moment


def dispatch(tools: CustomerTools, name: str, raw_arguments: str | None) -> str:
    """Run one tool call; always returns a JSON string for the ``tool`` message."""
    try:
        if name not in TOOL_NAMES:
            raise BadArguments(f"No existe la herramienta «{name}».")
        try:
            args = json.loads(raw_arguments or "{}")
        except json.JSONDecodeError:
            raise BadArguments("Los argumentos no son JSON válido.") from None
        if not isinstance(args, dict):
            raise BadArguments("Los argumentos deben ser un objeto JSON.")
        result = _run(tools, name, args)
        return json.dumps({"ok": True, "result": result}, ensure_ascii=False, default=str)
    except ToolError as error:
        return json.dumps({"ok": False, "error": str(error)}, ensure_ascii=False)
    except Exception as error:  # noqa: BLE001 - the model gets a message, the turn goes on
        return json.dumps({"ok": False, "error": f"No se pudo completar ({type(error).__name__})."}, ensure_ascii=False)


def _run(tools: CustomerTools, name: str, args: dict) -> Any:
    if name == "list_services":
        return tools.list_services()
    if name == "check_availability":
        date_from = _date(args, "date_from")
        date_to = _date(args, "date_to", required=False) or date_from
        if date_to < date_from:
            raise BadArguments("date_to no puede ser antes de date_from.")
        if (date_to - date_from).days > 14:
            date_to = date_from + timedelta(days=14)
        part = _text(args, "part_of_day", required=False)
        if part not in (None, "morning", "afternoon", "evening"):
            raise BadArguments("part_of_day debe ser morning, afternoon o evening.")
        result = tools.check_availability(
            _text(args, "service_id"),
            date_from,
            date_to,
            staff_id=_text(args, "staff_id", required=False),
            limit=12,
            part_of_day=part,
        )
        for slot in result["slots"]:
            slot["start"] = slot["start"][:16]  # local wall time, what book/reschedule expect
        if not result["slots"]:
            result["note"] = "No hay horarios libres en esas fechas. Ofrece buscar otro día."
        return result
    if name == "book":
        info = tools.book(
            _text(args, "service_id"),
            _start(args, "start", tools),
            staff_id=_text(args, "staff_id", required=False),
            customer_name=_text(args, "customer_name", required=False, limit=80),
        )
        return {"booked": True, **info}
    if name == "list_my_appointments":
        return {"appointments": tools.list_my_appointments()}
    if name == "cancel":
        return {"cancelled": True, **tools.cancel(_text(args, "appointment_id"), _text(args, "reason", required=False) or "")}
    if name == "reschedule":
        return {"rescheduled": True, **tools.reschedule(_text(args, "appointment_id"), _start(args, "new_start", tools))}
    if name == "handoff":
        return tools.handoff(_text(args, "reason"))
    raise BadArguments(f"No existe la herramienta «{name}».")  # pragma: no cover
