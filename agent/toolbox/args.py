"""Pydantic models of the tool arguments, and the JSON schemas generated from them.

One model per tool: the dispatcher validates a call's arguments with it and the OpenAI tool
schema is generated from it, so what the model is told and what we accept cannot drift apart.

The schemas are plain (non-strict) JSON Schema, which every OpenAI-compatible server accepts
(Ollama, vLLM, llama.cpp): OpenAI's strict mode would need every field required and nullable
unions, and servers differ in how they treat it. Arguments are re-validated here anyway.
Optional fields are sent without the ``null`` branch and without titles, to keep schemas small.
Unknown keys are ignored (a model adding ``customer_phone`` gets no say in whose data it is).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_START_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _as_text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("es_text", "El dato «{field}» debe ser texto.", {"field": info.field_name})
    return value.strip()


def _id_parser(what: str) -> Any:
    def parse(value: Any, info: ValidationInfo) -> uuid.UUID:
        text = _as_text(value, info)
        try:
            return uuid.UUID(text)
        except ValueError:
            raise PydanticCustomError("es_id", f"No reconozco {what}.") from None

    return parse


def _parse_date(value: Any, info: ValidationInfo) -> date:
    text = _as_text(value, info)
    try:
        if _DATE_RE.match(text[:10]):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise PydanticCustomError("es_date", "«{field}» debe ser una fecha YYYY-MM-DD.", {"field": info.field_name})


def _parse_start(value: Any, info: ValidationInfo) -> datetime:
    """Business-local wall time ``YYYY-MM-DDTHH:MM`` (an explicit offset is kept if given)."""
    text = _as_text(value, info)
    try:
        if _START_RE.match(text):
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    raise PydanticCustomError("es_start", "«{field}» debe tener el formato YYYY-MM-DDTHH:MM.", {"field": info.field_name})


def _short_text(limit: int) -> Any:
    def clip(value: Any, info: ValidationInfo) -> str:
        return " ".join(_as_text(value, info).replace("\x00", "").split())[:limit]

    return clip


ServiceId = Annotated[uuid.UUID, BeforeValidator(_id_parser("ese servicio"))]
StaffId = Annotated[uuid.UUID, BeforeValidator(_id_parser("a esa persona del equipo"))]
AppointmentId = Annotated[uuid.UUID, BeforeValidator(_id_parser("esa cita"))]
LocalDate = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
LocalStart = Annotated[
    datetime,
    BeforeValidator(_parse_start),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"}),
]
Reason = Annotated[str, BeforeValidator(_short_text(300))]
Name = Annotated[str, BeforeValidator(_short_text(80))]

_START_HELP = "Inicio YYYY-MM-DDTHH:MM en la hora local del negocio, exactamente como lo dio check_availability."


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, json_schema_extra={"additionalProperties": False})


class NoArgs(ToolArgs):
    pass


class CheckAvailabilityArgs(ToolArgs):
    service_id: ServiceId = Field(description="id del servicio (de la lista de servicios).")
    date_from: LocalDate = Field(description="Primera fecha YYYY-MM-DD (calendario del negocio).")
    date_to: LocalDate | None = Field(None, description="Última fecha incluida, máximo 14 días después (opcional).")
    part_of_day: Literal["morning", "afternoon", "evening"] | None = Field(
        None, description="Filtra mañana (morning), tarde (afternoon) o noche (evening) (opcional)."
    )
    staff_id: StaffId | None = Field(None, description="id de la persona del equipo, solo si el cliente la pidió (opcional).")


class ProposeBookingArgs(ToolArgs):
    service_id: ServiceId = Field(description="id del servicio que el cliente pidió.")
    start: LocalStart = Field(description=_START_HELP)
    staff_id: StaffId | None = Field(
        None, description="id de la persona del equipo. Si el cliente pidió a alguien, es esa persona (opcional)."
    )
    customer_name: Name | None = Field(None, description="Nombre que el cliente te dio (opcional).")


class ProposeRescheduleArgs(ToolArgs):
    appointment_id: AppointmentId = Field(description="id de la cita del cliente que quiere cambiar.")
    new_start: LocalStart = Field(description=_START_HELP)


class ProposeCancelArgs(ToolArgs):
    appointment_id: AppointmentId = Field(description="id de la cita del cliente que quiere cancelar.")
    reason: Reason | None = Field(None, description="Motivo que dio el cliente (opcional).")


class ConfirmProposalArgs(ToolArgs):
    proposal_id: Annotated[str, BeforeValidator(_short_text(40))] = Field(
        description="id de la propuesta pendiente (sección «Propuesta pendiente» de tus instrucciones)."
    )
    customer_name: Name | None = Field(
        None, description="Nombre que el cliente acaba de darte, si la propuesta se lo pedía (opcional)."
    )


class HandoffArgs(ToolArgs):
    reason: Reason = Field(description="Resumen breve para el dueño, en español.")


# ---- JSON schema -----------------------------------------------------------------------------


class ToolJsonSchema(GenerateJsonSchema):
    """Plain JSON Schema for tool parameters: no titles, optional fields without the null branch."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: Any) -> dict:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: Any) -> dict:
        inner = self.generate_inner(schema["schema"])
        default = schema.get("default")
        if default is not None:
            inner["default"] = default
        return inner


def parameters_schema(model: type[ToolArgs]) -> dict:
    schema = model.model_json_schema(schema_generator=ToolJsonSchema)
    schema.pop("title", None)
    schema.pop("description", None)
    schema.setdefault("properties", {})
    schema.setdefault("required", [])
    return schema


# ---- Spanish validation errors ---------------------------------------------------------------


def spanish_errors(error: ValidationError) -> str:
    """One readable Spanish sentence per problem (never echoes the input values)."""
    out: list[str] = []
    for item in error.errors(include_input=False, include_url=False):
        field = ".".join(str(part) for part in item.get("loc", ())) or "argumentos"
        kind = item.get("type", "")
        if kind.startswith("es_"):
            text = item["msg"]
        elif kind == "missing":
            text = f"Falta el dato «{field}»."
        elif kind == "literal_error":
            options = str((item.get("ctx") or {}).get("expected", "")).replace("'", "").replace(" or ", " o ")
            text = f"«{field}» debe ser uno de: {options}."
        elif kind in ("model_type", "dict_type"):
            text = "Los argumentos deben ser un objeto JSON."
        else:
            text = f"El dato «{field}» no es válido."
        if text not in out:
            out.append(text)
    return " ".join(out) or "Los argumentos no son válidos."
