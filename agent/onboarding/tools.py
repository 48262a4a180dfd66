"""The one onboarding tool layer, scoped to the owner writing: the offline engine records through
``OnboardingTools.record`` and the LLM's tools (pydantic argument models, same shape as
agent/toolbox) act through the same object, so both paths write the same events.

``confirm_onboarding`` only works when the summary was already shown before this message
(the owner said yes to what they saw, never to something inferred in the same turn).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.onboarding import texts
from agent.onboarding.engine import next_question
from agent.onboarding.parsing import DAYS, match_existing
from aggregates.errors import DomainError
from aggregates.timeslots import validate_weekly_hours
from commands import Actor
from commands.onboarding import ConfirmOnboarding, RecordOnboardingTurn, get_onboarding
from commands.phones import normalize_phone

ACTOR = Actor.system("onboarding")
BusinessType = Literal["barbershop", "hair_salon", "nail_salon", "spa", "beauty_salon", "other"]


class OnboardingTools:
    def __init__(self, app: Any, owner_phone: str, *, cause: str, at: datetime) -> None:
        self.app = app
        self.owner_phone = owner_phone
        self.cause = cause
        self.at = at
        self.initial_step = self.state()["step"]
        self.confirmed = False

    def state(self) -> dict:
        return get_onboarding(self.app, self.owner_phone)

    def record(self, changes: dict, step: str, context: dict) -> None:
        self.app.execute(
            RecordOnboardingTurn(actor=ACTOR, cause=self.cause, owner_phone=self.owner_phone, at=self.at, step=step, details=changes, context=context)
        )

    def note(self, changes: dict) -> dict:
        """Record changes; the step and the next question follow from what is still missing."""
        state = self.state()
        merged = {**state["data"], **changes}
        context = {**state["context"], "asked_more_services": True}
        step, expecting, _ = next_question(merged, context)
        self.record({k: v for k, v in changes.items() if state["data"].get(k) != v}, step, {**context, "expecting": expecting})
        return merged

    def confirm(self) -> None:
        if self.initial_step != "confirming_summary":
            raise DomainError("Primero muéstrale el resumen al dueño y espera a que diga que sí en su siguiente mensaje.")
        self.app.execute(ConfirmOnboarding(actor=ACTOR, cause=self.cause, owner_phone=self.owner_phone, at=self.at))
        self.confirmed = True


# ---- the LLM's tools --------------------------------------------------------------------


class Args(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class SaveBusinessArgs(Args):
    name: str | None = Field(None, max_length=80, description="Nombre del negocio")
    business_type: BusinessType | None = None
    owner_name: str | None = Field(None, max_length=80, description="Nombre de la persona dueña")
    address: str | None = Field(None, max_length=200)


class ServiceArg(Args):
    name: str = Field(min_length=1, max_length=80)
    price_pesos: float | None = Field(None, ge=0, le=100000)
    duration_minutes: int | None = Field(None, ge=5, le=600)


class SaveServicesArgs(Args):
    services: list[ServiceArg] = Field(default_factory=list, max_length=30, description="Nuevos o corregidos (solo lo que el dueño dijo)")
    remove: list[str] = Field(default_factory=list, max_length=30, description="Nombres de servicios a quitar")


class SaveHoursArgs(Args):
    hours: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[tuple[str, str]]] = Field(
        description='Por día, rangos ["HH:MM", "HH:MM"] en 24 horas; lista vacía = cerrado. Los días no dichos quedan igual.'
    )


class TeamMemberArg(Args):
    name: str = Field(min_length=1, max_length=80)
    phone: str = Field(min_length=8, max_length=25)


class SaveTeamArgs(Args):
    members: list[TeamMemberArg] = Field(default_factory=list, max_length=20)
    works_alone: bool = False


class NoArgs(Args):
    pass


class SkipAddressArgs(NoArgs):
    pass


def _save_business(tools: OnboardingTools, args: SaveBusinessArgs) -> dict:
    changes: dict[str, Any] = {}
    for key, value in (("business_name", args.name), ("business_type", args.business_type), ("owner_name", args.owner_name)):
        if value:
            changes[key] = value
    if args.address:
        changes |= {"address": args.address, "address_asked": True}
    return {"guardado": sorted(changes), **_progress(tools.note(changes))}


def _save_services(tools: OnboardingTools, args: SaveServicesArgs) -> dict:
    services = [dict(s) for s in tools.state()["data"].get("services") or []]
    for name in args.remove:
        index = match_existing(name, services)
        if index is not None:
            services.pop(index)
    for said in args.services:
        price = round(said.price_pesos * 100) if said.price_pesos is not None else None
        index = match_existing(said.name, services)
        if index is None:
            services.append({"name": said.name[:1].upper() + said.name[1:], "price_cents": price, "duration_minutes": said.duration_minutes})
            continue
        if price is not None:
            services[index]["price_cents"] = price
        if said.duration_minutes:
            services[index]["duration_minutes"] = said.duration_minutes
    return _progress(tools.note({"services": services}))


def _save_hours(tools: OnboardingTools, args: SaveHoursArgs) -> dict:
    current = tools.state()["data"].get("hours") or {day: [] for day in DAYS}
    merged = {**current, **{day: [list(pair) for pair in ranges] for day, ranges in args.hours.items()}}
    validate_weekly_hours(merged)
    return _progress(tools.note({"hours": {day: merged.get(day, []) for day in DAYS}}))


def _save_team(tools: OnboardingTools, args: SaveTeamArgs) -> dict:
    team = list(tools.state()["data"].get("team") or [])
    for member in args.members:
        phone = normalize_phone(member.phone)
        if phone != tools.owner_phone:
            team = [m for m in team if m["phone"] != phone] + [{"name": member.name, "phone": phone}]
    return _progress(tools.note({"team": team, "team_asked": True} if team or args.works_alone else {}))


def _skip_address(tools: OnboardingTools, _args: NoArgs) -> dict:
    return _progress(tools.note({"address_asked": True}))


def _show_summary(tools: OnboardingTools, _args: NoArgs) -> dict:
    data = tools.note({})
    return {"resumen": texts.summary(data), **_progress(data)}


def _confirm(tools: OnboardingTools, _args: NoArgs) -> dict:
    tools.confirm()
    return {"ok": True, "nota": "El número se está activando; Parlo le manda al dueño el número y sus enlaces."}


def _progress(data: dict) -> dict:
    step, expecting, question = next_question(data, {"asked_more_services": True})
    if step == "confirming_summary":
        return {"listo_para_confirmar": True, "siguiente": "Muestra el resumen y pregunta si está todo bien."}
    return {"listo_para_confirmar": False, "falta": expecting, "siguiente_pregunta": question}


@dataclass(frozen=True)
class OnboardingTool:
    name: str
    description: str
    args: type[Args]
    run: Callable[[OnboardingTools, Any], dict]

    def openai_tool(self) -> dict:
        schema = self.args.model_json_schema()
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": schema}}


ONBOARDING_TOOLS: tuple[OnboardingTool, ...] = (
    OnboardingTool("save_business", "Guarda nombre y tipo del negocio, nombre del dueño o dirección (solo lo que dijo).", SaveBusinessArgs, _save_business),
    OnboardingTool("save_services", "Agrega, corrige o quita servicios con precio en pesos y duración en minutos.", SaveServicesArgs, _save_services),
    OnboardingTool("save_hours", "Guarda el horario de apertura por día.", SaveHoursArgs, _save_hours),
    OnboardingTool("save_team", "Guarda a las personas del equipo con su WhatsApp, o que el dueño trabaja solo.", SaveTeamArgs, _save_team),
    OnboardingTool("skip_address", "El dueño no quiere dar dirección.", SkipAddressArgs, _skip_address),
    OnboardingTool("show_summary", "El resumen de todo lo recogido, para mostrarlo tal cual antes de confirmar.", NoArgs, _show_summary),
    OnboardingTool(
        "confirm_onboarding",
        "Activa el negocio. SOLO si el resumen ya se mostró en tu mensaje anterior y el dueño acaba de decir que sí.",
        NoArgs,
        _confirm,
    ),
)
_BY_NAME = {tool.name: tool for tool in ONBOARDING_TOOLS}


def call_tool(tools: OnboardingTools, name: str, arguments: str | None) -> str:
    """Run one tool call; every refusal becomes a Spanish message the model can read."""
    tool = _BY_NAME.get(name)
    if tool is None:
        return json.dumps({"error": f"No existe la herramienta «{name}»."}, ensure_ascii=False)
    try:
        args = tool.args.model_validate(json.loads(arguments or "{}"))
        return json.dumps(tool.run(tools, args), ensure_ascii=False, default=str)
    except (ValidationError, ValueError, TypeError) as error:
        return json.dumps({"error": f"Datos no válidos: {str(error)[:300]}"}, ensure_ascii=False)
    except DomainError as error:
        return json.dumps({"error": str(error)}, ensure_ascii=False)
