"""The owner/admin side of TeamTools (a mixin): weekly stats, customer notes, adding staff and
sending them the welcome message. Same rules as every team tool: issued as the sender, inside
this organization, ids derived from the inbound message."""

from __future__ import annotations

from typing import Any

from aggregates.errors import DomainError, DuplicatePhone
from agent.spanish.format import format_phone
from agent.team.specs import AddServiceArgs, AddStaffArgs, CloseArgs, HoursArgs, NoteArgs, StatsArgs, TeamToolError, UpdateServiceArgs, WelcomeArgs
from commands.context import Actor
from commands.definitions import AddService, AddStaff, CloseBusiness, SetBusinessHours, QueueOutboundMessage, UpdateCustomer, UpdateService
from commands.phones import normalize_phone


class OwnerTools:
    _app: Any
    _reads: Any
    _actor: Actor
    _cause: str
    organization_id: Any
    me: dict

    def _get_stats(self, args: StatsArgs) -> dict:
        from agent.team.stats import week_stats

        return week_stats(self, args.week_of or self.today)

    def _add_customer_note(self, args: NoteArgs) -> dict:
        found = self.find_customers(phone=args.customer_phone)
        if not found:
            raise TeamToolError("Ese número no es de un cliente de este negocio.")
        customer = found[0]
        note = " ".join(args.note.replace("\x00", "").split())
        line = f"{self.today.isoformat()} ({self.me['name'].split()[0]}): {note}"
        notes = f"{customer['notes']}\n{line}" if customer.get("notes") else line
        result = self._app.execute(UpdateCustomer(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, customer_id=customer["id"], notes=notes[-4000:],
        ))
        self._after(result)
        return {"customer": customer.get("name") or customer["phone_number"], "note": note}

    def _add_staff(self, args: AddStaffArgs) -> dict:
        try:
            phone = normalize_phone(args.phone_number)
        except DomainError:
            raise TeamToolError("Ese número no parece un WhatsApp válido (10 dígitos).") from None
        service_ids = None
        if args.service_ids is not None:
            service_ids = [self.service(s)["id"] for s in args.service_ids]
        try:
            result = self._app.execute(AddStaff(
                actor=self._actor, cause=self._cause, organization_id=self.organization_id, name=" ".join(args.name.split()),
                phone_number=phone, permission_level=args.permission_level, service_ids=service_ids,
            ))
        except DuplicatePhone:
            raise TeamToolError("Ya hay alguien del equipo registrado con ese número.") from None
        self._after(result)
        self._cache.pop("team", None)
        person = self.member(result.id)
        return {"staff_id": str(person["id"]), "name": person["name"], "phone": person["phone_number"],
                "permission_level": person["permission_level"], "services": [self.service(s)["name"] for s in person.get("service_ids") or []
                                                                           if any(str(x["id"]) == str(s) for x in self.services())]}

    def _send_welcome(self, args: WelcomeArgs) -> dict:
        person = self.member(args.staff_id)
        first = person["name"].split()[0]
        body = (f"¡Hola, {first}! 👋 Soy Parlo, la asistente de {self.business_name}. {self.me['name'].split()[0]} te registró en el equipo.\n"
                f"Escríbeme a este número cuando quieras para ver tu agenda («¿qué tengo hoy?»), bloquear tiempo, "
                f"marcar citas completadas o registrar clientes que llegan sin cita. - {self.business_name}")
        self._app.execute(QueueOutboundMessage(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, to_phone=person["phone_number"], body=body,
            kind="welcome", message_id=self._id("welcome", person["id"]),
            template_variables={"1": first, "2": self.business_name, "3": self.me["name"].split()[0]},
        ))
        return {"to": person["phone_number"], "phone": format_phone(person["phone_number"]), "body": body}

    # ---- services (owner) ---------------------------------------------------------------------------

    def _add_service(self, args: AddServiceArgs) -> dict:
        name = " ".join(args.name.split())
        result = self._app.execute(AddService(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, name=name,
            duration_minutes=args.duration_minutes, price_cents=args.price_cents, service_id=self._id("service", name.lower()),
        ))
        self._after(result)
        self._cache.pop("services", None)
        return {"service_id": str(result.id), "name": name, "duration_minutes": args.duration_minutes, "price_cents": args.price_cents}

    def _update_service(self, args: UpdateServiceArgs) -> dict:
        service = self._reads.get_service(self.organization_id, args.service_id)
        if service is None:
            raise TeamToolError("Ese servicio no está en la lista del negocio.")
        changes = {k: v for k, v in {"duration_minutes": args.duration_minutes, "price_cents": args.price_cents, "is_active": args.is_active}.items() if v is not None}
        if set(changes) - {"duration_minutes"} and not self.can("manage_services"):
            raise TeamToolError(self.refusal("manage_services"))
        result = self._app.execute(UpdateService(actor=self._actor, cause=self._cause, organization_id=self.organization_id, service_id=service["id"], changes=changes))
        self._after(result)
        self._cache.pop("services", None)
        return {"service_id": str(service["id"]), "name": service["name"], **changes}

    # ---- business hours and closures (owner) ----------------------------------------------------------

    def _set_business_hours(self, args: HoursArgs) -> dict:
        result = self._app.execute(SetBusinessHours(actor=self._actor, cause=self._cause, organization_id=self.organization_id, hours=dict(args.hours)))
        self._after(result)
        self._cache.pop("hours", None)
        return {"hours": args.hours}

    def _close_business(self, args: CloseArgs) -> dict:
        last = args.end_date or args.start_date
        if last < args.start_date or last < self.today:
            raise TeamToolError("Esas fechas ya pasaron o están al revés.")
        result = self._app.execute(CloseBusiness(actor=self._actor, cause=self._cause, organization_id=self.organization_id,
                                                 start_date=args.start_date, end_date=last, reason=args.reason))
        self._after(result)
        self._cache.pop("closures", None)
        return {"closure_id": str(result.id), "start_date": args.start_date.isoformat(), "end_date": last.isoformat()}

    def live_appointments_on(self, first: Any, last: Any) -> list[dict]:
        """Pending/confirmed appointments of the business between two local dates (for "who is affected")."""
        rows = self._reads.list_appointments(self.organization_id, date_from=first, date_to=last, status=["pending", "confirmed"])
        return [self.describe_appointment(r) for r in rows]
