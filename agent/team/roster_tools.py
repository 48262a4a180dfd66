"""The team roster side of TeamTools (a mixin): who is on the team, a member's future appointments,
removing someone (flow 12) and changing someone's permission level (flow 13).

Same rules as every team tool: issued as the sender, inside this organization, ids derived from
the inbound message. The command layer re-checks the permission matrix (remove_staff: owner or
admin, and only an owner removes an owner; change_permissions: owner only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
import uuid

from agent.spanish.format import format_date
from agent.team.specs import ChangePermissionsArgs, NoArgs, RemoveStaffArgs, StaffRefArgs, TeamToolError
from commands.context import Actor
from commands.definitions import CancelAppointment, DeactivateStaff, QueueOutboundMessage, UpdateStaff

LEVEL_ES = {"owner": "dueño", "admin": "administrador", "staff": "empleado", "viewer": "de solo consulta"}


class RosterTools:
    _app: Any
    _reads: Any
    _actor: Actor
    _cause: str
    organization_id: Any
    me: dict

    def _get_team(self, args: NoArgs) -> dict:
        return {"team": [
            {"staff_id": str(s["id"]), "name": s["name"], "permission_level": s.get("permission_level") or "staff",
             "level_text": LEVEL_ES.get(s.get("permission_level") or "staff", "empleado"), "is_me": str(s["id"]) == str(self.staff_id)}
            for s in self.team()
        ]}

    def future_appointments_of(self, staff_id: Any) -> list[dict]:
        """The member's pending/confirmed appointments that have not started yet, soonest first."""
        rows = self._reads.list_appointments(self.organization_id, date_from=self.today, staff_id=staff_id, status=["pending", "confirmed"])
        upcoming = [self.describe_appointment(r) for r in rows]
        return [a for a in upcoming if datetime.fromisoformat(a["start"]) > self.local_now]

    def _list_staff_future_appointments(self, args: StaffRefArgs) -> dict:
        person = self.member(args.staff_id)
        return {"staff_id": str(person["id"]), "staff": person["name"], "appointments": self.future_appointments_of(person["id"])}

    def _remove_staff(self, args: RemoveStaffArgs) -> dict:
        person = self.member(args.staff_id)
        if str(person["id"]) == str(self.staff_id):
            raise TeamToolError("No puedes darte de baja a ti mismo.")
        upcoming = self.future_appointments_of(person["id"])
        if upcoming and args.future_appointments is None:
            count = f"{len(upcoming)} citas próximas" if len(upcoming) > 1 else "1 cita próxima"
            raise TeamToolError(f"{person['name']} tiene {count}: primero decide si se quedan como están o se cancelan avisando a cada cliente.")
        result = self._app.execute(DeactivateStaff(actor=self._actor, cause=self._cause, organization_id=self.organization_id, staff_id=person["id"]))
        self._after(result)
        cancelled, notified = [], []
        if args.future_appointments == "cancel":
            for appointment in upcoming:
                done = self._app.execute(CancelAppointment(
                    actor=self._actor, cause=self._cause, organization_id=self.organization_id,
                    appointment_id=uuid.UUID(appointment["appointment_id"]), reason=f"{person['name']} ya no forma parte del equipo",
                ))
                self._after(done)
                cancelled.append(appointment)
                if appointment.get("customer_phone") and not str(appointment["customer_phone"]).startswith("walk-in:"):
                    self._tell_cancelled(appointment, args.message)
                    notified.append(appointment["customer"])
        self._cache.pop("team", None)
        return {"staff_id": str(person["id"]), "name": person["name"], "future_appointments": args.future_appointments or "none",
                "kept": len(upcoming) if args.future_appointments == "keep" else 0, "cancelled": len(cancelled), "notified": notified}

    def cancellation_text(self, appointment: dict, message: str | None = None) -> str:
        first = (appointment.get("customer") or "").split()[0] if appointment.get("customer") and not str(appointment["customer"]).startswith("+") else ""
        day = format_date(date.fromisoformat(appointment["date"]))
        extra = " ".join((message or "").replace("\x00", "").split())
        text = extra or "Escríbenos por aquí y con gusto te buscamos otro horario."
        return (f"Hola{' ' + first if first else ''}, lamentamos avisarte que tu cita de {appointment['service']} del {day} "
                f"a las {appointment['time']} quedó cancelada. {text} - {self.business_name}")

    def _tell_cancelled(self, appointment: dict, message: str | None) -> None:
        body = self.cancellation_text(appointment, message)
        self._app.execute(QueueOutboundMessage(
            actor=self._actor, cause=self._cause, organization_id=self.organization_id, to_phone=appointment["customer_phone"], body=body,
            kind="notification", message_id=self._id("staff-removed", appointment["appointment_id"]),
            template_variables={"1": self.business_name, "2": body[:200], "3": ""},
        ))

    def _change_permissions(self, args: ChangePermissionsArgs) -> dict:
        person = self.member(args.staff_id)
        if str(person["id"]) == str(self.staff_id):
            raise TeamToolError("Tu propio nivel de permisos no lo puedes cambiar tú; pídeselo a otro dueño.")
        before = person.get("permission_level") or "staff"
        if before == args.permission_level:
            raise TeamToolError(f"{person['name']} ya es {LEVEL_ES[before]}.")
        result = self._app.execute(UpdateStaff(actor=self._actor, cause=self._cause, organization_id=self.organization_id,
                                               staff_id=person["id"], permission_level=args.permission_level))
        self._after(result)
        self._cache.pop("team", None)
        return {"staff_id": str(person["id"]), "name": person["name"], "before": before, "after": args.permission_level,
                "before_text": LEVEL_ES[before], "after_text": LEVEL_ES[args.permission_level]}
