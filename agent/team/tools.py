"""The team's tools: what a staff member, admin, owner or viewer may read or do by chat.

Scoped BY CONSTRUCTION: a ``TeamTools`` is built for one (organization, staff member, inbound
message). Every command is issued as ``Actor.staff(<that member>)`` with ``cause=<message id>``,
so the command layer applies the permission matrix to the real sender; every lookup passes this
organization's id, and any id coming from outside (an LLM tool call) is looked up inside this
organization before it is acted on. Deterministic ids (uuid5 of the message and the request)
make a re-processed message change nothing twice.

One definition per tool: ``TOOLS`` (agent/team/specs.py) maps the tool name to a pydantic model of its arguments (the
OpenAI schema comes from the model), the permission it needs and a one-line description.
``TeamTools.call(name, arguments)`` validates, checks, runs, and turns domain and permission
errors into a Spanish refusal; the offline engine and the LLM path both go through it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from aggregates.errors import DomainError, PermissionDenied
from aggregates.staff import PERMISSIONS, can
from agent.spanish.format import format_date, format_price, format_time
from commands.context import Actor
from commands.definitions import (
    BlockTime,
    BookAppointment,
    CancelAppointment,
    CompleteAppointment,
    MarkNoShow,
    QueueOutboundMessage,
    UnblockTime,
    UpdateStaff,
)
from agent.team.owner_tools import OwnerTools
from agent.team.roster_tools import RosterTools
from agent.team.schedule import LIVE, ScheduleViews
from agent.team.specs import (  # noqa: F401 - TOOLS, openai_tools, TeamToolError: also this module's API
    TOOLS,
    BlockTimeArgs,
    CustomerLookupArgs,
    MarkStatusArgs,
    NoArgs,
    OnBehalfArgs,
    ProfileArgs,
    ScheduleArgs,
    SendMessageArgs,
    TeamToolError,
    ToolResult,
    UnblockTimeArgs,
    WalkInArgs,
    as_utc,
    openai_tools,
)
from commands.phones import normalize_phone

TEAM_NAMESPACE = uuid.UUID("5b0c7a52-8f7e-4f43-9a55-1f3d2e6c9b10")


# ---- the tools -------------------------------------------------------------------------------------


class TeamTools(ScheduleViews, OwnerTools, RosterTools):
    """The team tools for one inbound message from one staff member. Build a new one per turn."""

    def __init__(
        self,
        *,
        app: Any,
        reads: Any,
        wait_for: Any,
        organization_id: uuid.UUID,
        staff_id: uuid.UUID,
        message_id: str,
        now: datetime,
    ) -> None:
        self._app = app
        self._reads = reads
        self._wait_for = wait_for
        self.organization_id = uuid.UUID(str(organization_id))
        self.staff_id = uuid.UUID(str(staff_id))
        self._actor = Actor.staff(self.staff_id)
        self._cause = str(message_id)
        self.now = as_utc(now)
        self._cache: dict[str, Any] = {}
        self.actions: list[dict] = []
        me = self._reads.get_staff(self.organization_id, self.staff_id)
        if me is None or not me.get("is_active", True):
            raise TeamToolError("No te encontré en el equipo de este negocio.")
        self.me = me

    # ---- who and where ----------------------------------------------------------------------

    @property
    def level(self) -> str:
        return self.me.get("permission_level") or "viewer"

    def can(self, action: str) -> bool:
        return can(self.level, action)

    @property
    def organization(self) -> dict:
        if "org" not in self._cache:
            org = self._reads.get_organization(self.organization_id)
            if org is None:
                raise TeamToolError("No encontré este negocio.")
            self._cache["org"] = org
        return self._cache["org"]

    @property
    def business_name(self) -> str:
        return self.organization.get("name") or "el negocio"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.organization.get("timezone") or "America/Mexico_City")

    def local(self, moment: datetime) -> datetime:
        return as_utc(moment).astimezone(self.tz)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def slot_minutes(self) -> int:
        try:
            return max(5, int((self.organization.get("settings") or {}).get("slot_interval_minutes", 30) or 30))
        except (TypeError, ValueError):
            return 30

    def team(self) -> list[dict]:
        if "team" not in self._cache:
            self._cache["team"] = [s for s in self._reads.list_staff(self.organization_id, active_only=True) if s.get("is_active", True)]
        return self._cache["team"]

    def member(self, staff_id: Any) -> dict:
        for row in self.team():
            if str(row["id"]) == str(staff_id):
                return row
        raise TeamToolError("No encontré a esa persona en el equipo.")

    def owner_name(self) -> str:
        owners = [s for s in self.team() if s.get("permission_level") == "owner"]
        return (owners[0]["name"].split() or ["el dueño"])[0] if owners else "el dueño"

    def services(self) -> list[dict]:
        if "services" not in self._cache:
            self._cache["services"] = [s for s in self._reads.list_services(self.organization_id, active_only=True) if s.get("is_active", True)]
        return self._cache["services"]

    def service(self, service_id: Any) -> dict:
        for row in self.services():
            if str(row["id"]) == str(service_id):
                return row
        raise TeamToolError("Ese servicio no está en la lista del negocio.")

    def performs(self, staff: dict, service_id: Any) -> bool:
        return str(service_id) in {str(s) for s in (staff.get("service_ids") or [])}

    def refusal(self, action: str) -> str:
        """Why this person may not do ``action``, in Spanish, naming who can."""
        owner = self.owner_name()
        allowed = PERMISSIONS.get(action, frozenset())
        if self.level == "viewer" and "staff" in allowed:
            return f"Tu usuario es de solo consulta: puedes ver la agenda y buscar clientes, pero eso pídeselo a {owner} o a alguien del equipo."
        if allowed == frozenset({"owner"}):
            return f"Eso solo lo puede cambiar {owner}, el dueño."
        return f"Eso solo lo pueden hacer {owner} (el dueño) o un administrador."

    # ---- the dispatcher ----------------------------------------------------------------------

    def call(self, name: str, arguments: dict | str | None = None) -> ToolResult:
        spec = TOOLS.get(name)
        if spec is None:
            return ToolResult(False, error="No conozco esa acción.")
        try:
            args = spec.args.model_validate_json(arguments) if isinstance(arguments, str) else spec.args.model_validate(arguments or {})
        except ValidationError as error:
            fields = ", ".join(sorted({str(e["loc"][0]) for e in error.errors() if e.get("loc")})) or "los datos"
            return ToolResult(False, error=f"No entendí {fields}; revisa los datos e intenta de nuevo.")
        if not self.can(spec.permission):
            return ToolResult(False, error=self.refusal(spec.permission))
        try:
            data = getattr(self, f"_{name}")(args)
        except PermissionDenied as error:
            message = error.message
            if message.startswith("No tienes permiso para"):
                message = self.refusal(spec.permission)
            return ToolResult(False, error=message)
        except DomainError as error:
            return ToolResult(False, error=_team_wording(error.message), data={"code": error.code, **_jsonable(error.details)})
        except TeamToolError as error:
            return ToolResult(False, error=str(error))
        if spec.changes_state:
            self.actions.append({"tool": name, **data})
        return ToolResult(True, data=data)

    # ---- helpers -----------------------------------------------------------------------------

    def _id(self, *parts: Any) -> uuid.UUID:
        return uuid.uuid5(TEAM_NAMESPACE, ":".join([str(self.organization_id), str(self.staff_id), self._cause, *map(str, parts)]))

    def _after(self, result: Any) -> None:
        position = getattr(result, "position", None)
        if position is not None and self._wait_for is not None:
            self._wait_for(position)

    def _aware(self, moment: datetime) -> datetime:
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    # ---- reads ---------------------------------------------------------------------------------

    def _get_my_schedule(self, args: ScheduleArgs) -> dict:
        first, last = self._range(args)
        return {"scope": "mine", "staff": self.me["name"], **self._schedule(first, last, self.staff_id)}

    def _get_business_schedule(self, args: ScheduleArgs) -> dict:
        first, last = self._range(args)
        if args.staff_id is not None:
            person = self.member(args.staff_id)
            return {"scope": "person", "staff": person["name"], **self._schedule(first, last, person["id"])}
        return {"scope": "business", "staff": None, **self._schedule(first, last, None)}

    def _list_services(self, args: NoArgs) -> dict:
        return {"services": [
            {"service_id": str(s["id"]), "name": s["name"], "price": format_price(int(s["price_cents"])),
             "duration_minutes": int(s["duration_minutes"]), "i_perform": self.performs(self.me, s["id"])}
            for s in self.services()
        ]}

    def find_customers(self, phone: str | None = None, name: str | None = None) -> list[dict]:
        if phone:
            try:
                e164 = normalize_phone(phone)
            except DomainError:
                raise TeamToolError("Ese número no parece un teléfono válido.") from None
            row = self._reads.get_customer_by_phone(self.organization_id, e164)
            return [row] if row else []
        if name and len(name.strip()) >= 2:
            return [r for r in self._reads.list_customers(self.organization_id, search=name.strip(), limit=10)
                    if not str(r.get("phone_number", "")).startswith("walk-in:")]
        return []

    def named_customers(self, limit: int = 500) -> list[dict]:
        """This business's customers that have a name (to spot "Roberto García" in a question)."""
        return [r for r in self._reads.list_customers(self.organization_id, limit=limit) if r.get("name")]

    def _get_customer_history(self, args: CustomerLookupArgs) -> dict:
        if not args.customer_phone and not args.customer_name:
            raise TeamToolError("Dime el teléfono o el nombre del cliente.")
        found = self.find_customers(args.customer_phone, args.customer_name)
        if not found:
            return {"found": 0, "customers": []}
        if len(found) > 1:
            return {"found": len(found), "customers": [
                {"customer_id": str(c["id"]), "name": c.get("name") or "", "phone": c["phone_number"]} for c in found]}
        customer = found[0]
        rows = self._reads.list_appointments(self.organization_id, customer_id=customer["id"])
        appointments = [self.describe_appointment(r) for r in rows]
        past = [a for a in appointments if a["status"] in ("completed", "no_show") or
                (a["status"] in LIVE and datetime.fromisoformat(a["end"]) <= self.local_now)]
        upcoming = [a for a in appointments if a["status"] in LIVE and datetime.fromisoformat(a["end"]) > self.local_now]
        return {
            "found": 1,
            "customer": {"customer_id": str(customer["id"]), "name": customer.get("name") or "", "phone": customer["phone_number"],
                         "notes": customer.get("notes") or "", "since": self.local(customer["created_at"]).date().isoformat()},
            "completed": sum(1 for a in appointments if a["status"] == "completed"),
            "no_shows": sum(1 for a in appointments if a["status"] == "no_show"),
            "cancelled": sum(1 for a in appointments if a["status"] == "cancelled"),
            "past": past[-5:],
            "upcoming": upcoming[:5],
        }

    # ---- blocks --------------------------------------------------------------------------------

    def _target_staff(self, staff_id: uuid.UUID | None) -> dict:
        if staff_id is None or staff_id == self.staff_id:
            return self.me
        if not self.can("block_others_time"):
            raise TeamToolError(self.refusal("block_others_time"))
        return self.member(staff_id)

    def _block_time(self, args: BlockTimeArgs) -> dict:
        staff = self._target_staff(args.staff_id)
        start, end = as_utc(self._aware(args.start)), as_utc(self._aware(args.end))
        if end <= start:
            raise TeamToolError("La hora de fin del bloqueo debe ser después de la de inicio.")
        if end <= self.now:
            raise TeamToolError("Ese horario ya pasó.")
        clash = [self.describe_appointment(r) for r in
                 self._reads.list_appointments_between(self.organization_id, start, end, staff_id=staff["id"], live_only=True)]
        if clash:
            names = "; ".join(f"{c['customer']} a las {c['time']} ({c['service']}) el {c['date_text']}" for c in clash[:4])
            who = "tienes" if staff["id"] == self.staff_id else f"{staff['name'].split()[0]} tiene"
            raise TeamToolError(f"No puedo bloquear ese horario: {who} cita con {names}. Muévela o cancélala primero, o elige otro horario.")
        block_id = self._id("block", staff["id"], start.isoformat(), end.isoformat())
        result = self._app.execute(BlockTime(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, staff_id=staff["id"],
            start=start, end=end, reason=" ".join(args.reason.split())[:200], block_id=block_id,
        ))
        self._after(result)
        local_start, local_end = self.local(start), self.local(end)
        return {"block_id": str(block_id), "staff": staff["name"], "start": local_start.isoformat(), "end": local_end.isoformat(),
                "date_text": format_date(local_start.date()), "time": format_time(local_start), "end_time": format_time(local_end),
                "reason": args.reason}

    def _unblock_time(self, args: UnblockTimeArgs) -> dict:
        staff = self._target_staff(args.staff_id)
        rows = [b for b in self._reads.list_blocks(self.organization_id, staff_id=staff["id"]) if str(b["id"]) == str(args.block_id)]
        if not rows:
            raise TeamToolError("No encontré ese bloqueo.")
        row = rows[0]
        result = self._app.execute(UnblockTime(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, staff_id=staff["id"],
            block_id=row["id"], day=row["day"] if isinstance(row["day"], date) else date.fromisoformat(str(row["day"])),
        ))
        self._after(result)
        return self._describe_block(row)

    # ---- appointments ----------------------------------------------------------------------------

    def _appointment(self, appointment_id: uuid.UUID) -> dict:
        row = self._reads.get_appointment(self.organization_id, appointment_id)
        if row is None:
            raise TeamToolError("No encontré esa cita en este negocio.")
        return row

    def _mark_appointment_status(self, args: MarkStatusArgs) -> dict:
        row = self._appointment(args.appointment_id)
        common = {"actor": self._actor, "cause": self._cause, "organization_id": self.organization_id, "appointment_id": row["id"]}
        if args.status == "cancelled":
            if not self.can("cancel_appointment"):
                raise TeamToolError(self.refusal("cancel_appointment"))
            result = self._app.execute(CancelAppointment(**common, reason=(args.notes or f"Cancelada por {self.me['name']} por WhatsApp")[:300]))
        elif args.status == "completed":
            result = self._app.execute(CompleteAppointment(**common, notes=args.notes))
        else:
            result = self._app.execute(MarkNoShow(**common, notes=args.notes))
        self._after(result)
        return {**self.describe_appointment(row), "status": args.status}

    def walk_in_start(self) -> datetime:
        """Now, on the slot boundary just passed when it is only a few minutes ago."""
        local = self.local_now.replace(second=0, microsecond=0)
        minutes = local.hour * 60 + local.minute
        boundary = minutes - minutes % self.slot_minutes
        start = minutes - minutes % 5 if minutes - boundary > 4 else boundary
        return local.replace(hour=start // 60, minute=start % 60)

    def _book(self, *, service_id: uuid.UUID, start: datetime, phone: str | None, name: str | None,
              staff_id: uuid.UUID | None, source: str) -> dict:
        service = self.service(service_id)
        if staff_id is None and self.performs(self.me, service["id"]):
            staff_id = self.staff_id
        elif staff_id is not None:
            self.member(staff_id)
        e164 = None
        if phone:
            try:
                e164 = normalize_phone(phone)
            except DomainError:
                raise TeamToolError("Ese número no parece un teléfono válido (10 dígitos).") from None
        if source != "walk_in" and e164 is None:
            raise TeamToolError("Para agendar a nombre de un cliente necesito su teléfono.")
        clean = " ".join((name or "").split()).strip(" .,!") or None
        appointment_id = self._id("book", service["id"], as_utc(start).isoformat(), e164 or "")
        result = self._app.execute(BookAppointment(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, service_id=service["id"],
            start=start, customer_phone=e164, customer_name=clean.title() if clean and clean.islower() else clean,
            staff_id=staff_id, source=source, appointment_id=appointment_id,
        ))
        self._after(result)
        info = self.describe_appointment(self._appointment(appointment_id))
        info["customer_notified"] = False
        if e164 is not None and not result.data.get("already_booked"):
            info["customer_notified"] = self._confirm_to_customer(info, e164)
        return info

    def _confirm_to_customer(self, info: dict, e164: str) -> bool:
        first = (info["customer"] or "").split()[0] if info.get("customer") and not info["customer"].startswith("+") else ""
        day = format_date(date.fromisoformat(info["date"]))
        body = (f"¡Hola{' ' + first if first else ''}! Tu cita en {self.business_name} quedó registrada ✓\n"
                f"📅 {day[0].upper() + day[1:]}\n⏰ {info['time']}\n💇 {info['service']} - {info['price']}\n"
                f"👤 Con {info['staff']}\nSi necesitas cambiarla, escríbenos por aquí.")
        self._app.execute(QueueOutboundMessage(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, to_phone=e164, body=body,
            kind="notification", message_id=self._id("confirm", info["appointment_id"]),
            template_variables={"1": info["customer"], "2": info["service"], "3": f"{day}, {info['time']}"},
        ))
        return True

    def _book_walk_in(self, args: WalkInArgs) -> dict:
        return self._book(service_id=args.service_id, start=self.walk_in_start(), phone=args.customer_phone,
                          name=args.customer_name, staff_id=args.staff_id, source="walk_in")

    def _book_on_behalf(self, args: OnBehalfArgs) -> dict:
        return self._book(service_id=args.service_id, start=self._aware(args.start), phone=args.customer_phone,
                          name=args.customer_name, staff_id=args.staff_id, source="manual")

    # ---- my profile (staff onboarding) ------------------------------------------------------------

    def _update_my_profile(self, args: ProfileArgs) -> dict:
        name = " ".join((args.name or "").split()) or None
        result = self._app.execute(UpdateStaff(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, staff_id=self.staff_id,
            name=name, working_hours=None if args.follow_business_hours else args.working_hours,
            clear_working_hours=args.follow_business_hours,
        ))
        self._after(result)
        self.me = self._reads.get_staff(self.organization_id, self.staff_id) or self.me
        self._cache.pop("team", None)
        return {"name": self.me["name"], "working_hours": self.me.get("working_hours")}

    def _announce_ready(self, args: NoArgs) -> dict:
        """Tell the owners this person finished onboarding. Queued by the channel (a system actor),
        as team notifications are: a viewer may not message people, but their owner hears of them."""
        owners = [s for s in self.team() if s.get("permission_level") == "owner" and str(s["id"]) != str(self.staff_id)]
        body = f"✅ {self.me['name']} ya quedó registrado en Parlo y puede ver su agenda y manejar sus citas por WhatsApp."
        for owner in owners:
            self._app.execute(QueueOutboundMessage(
                actor=Actor.system("team-onboarding"), cause=self._cause, organization_id=self.organization_id,
                to_phone=owner["phone_number"], body=body, kind="notification", message_id=self._id("ready", owner["id"]),
                template_variables={"1": self.me["name"], "2": "registro en Parlo", "3": "listo"},
            ))
        return {"notified": [o["name"] for o in owners]}

    # ---- messages --------------------------------------------------------------------------------

    def _send_message_to_customer(self, args: SendMessageArgs) -> dict:
        try:
            e164 = normalize_phone(args.customer_phone)
        except DomainError:
            raise TeamToolError("Ese número no parece un teléfono válido.") from None
        if self._reads.get_customer_by_phone(self.organization_id, e164) is None:
            raise TeamToolError("Ese número no es de un cliente de este negocio.")
        text = " ".join(args.message.replace("\x00", "").split())
        signature = f"- {self.business_name}"
        body = text if text.endswith(signature) else f"{text} {signature}"
        message_id = self._id("message", e164, body)
        self._app.execute(QueueOutboundMessage(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, to_phone=e164, body=body,
            kind="notification", message_id=message_id, template_variables={"1": self.business_name, "2": text[:200], "3": ""},
        ))
        return {"message_id": str(message_id), "to": e164, "body": body}


def _team_wording(message: str) -> str:
    """Command errors speak of "esa persona"; in a staff member's own chat it is "tú"."""
    return message.replace("Esa persona ya tiene", "Ya hay").replace("Esa hora ya pasó; elige un horario futuro.", "Esa hora ya pasó.")


def _jsonable(details: dict) -> dict:
    out = {}
    for key, value in (details or {}).items():
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
    return out
