"""Reply texts that depend on the dialogue's step: prompts, lists of options."""

from __future__ import annotations

from datetime import datetime

from agent.offline.common import (
    duration,
)
from agent.spanish.format import (
    format_date,
    format_price,
    format_time,
)


class RenderMixin:
    # ---- texts ------------------------------------------------------------------------------

    def _step_prompt(self) -> str:
        step = self.step
        if self.flow == "booking":
            if step == "collecting_service":
                return "¿Qué servicio te gustaría? Tenemos:\n" + self._service_list(self.data.service_options)
            if step == "collecting_datetime":
                service = self._service()
                offered = self.data.offered
                if offered:
                    several_days = len({self.tools.local(datetime.fromisoformat(o2["start"])).date() for o2 in offered}) > 1
                    lines = [f"• {self._slot_label(o, several_days)}" for o in offered]
                    return "Te había ofrecido estos horarios:\n" + "\n".join(lines) + "\n¿Cuál te funciona mejor? (o dime otro día)"
                return f"¿Para qué día te gustaría agendar tu {service['name'].lower() if service else 'cita'}?"
            if step == "confirming_booking":
                return self._proposal_text()
            if step == "collecting_personal_info":
                return "¿Me confirmas tu nombre para la cita?"
        if self.flow == "modify":
            if step == "identifying_booking":
                return "¿Cuál de tus citas quieres cambiar?\n" + self._numbered(self.tools.list_my_appointments())
            if step == "collecting_new_datetime":
                offered = self.data.offered
                if offered:
                    lines = [f"• {self._slot_label(o, True)}" for o in offered]
                    return "Te había ofrecido estos horarios:\n" + "\n".join(lines) + "\n¿Cuál prefieres?"
                return "¿Para cuándo te gustaría cambiar tu cita?"
            if step == "confirming_move":
                return self._proposal_text()
            if step == "confirming":
                return "¿Todo bien con el cambio?"
        if self.flow == "cancel":
            if step == "identifying_booking":
                return "¿Cuál de tus citas quieres cancelar?\n" + self._numbered(self.tools.list_my_appointments())
            if step == "confirming_cancellation":
                return "¿Confirmas que quieres cancelar tu cita? (sí / no)"
        return "¿En qué puedo ayudarte?"

    def _slot_label(self, offered: dict, with_day: bool) -> str:
        local = self.tools.local(datetime.fromisoformat(offered["start"]))
        return f"{format_date(local.date())}, {format_time(local)}" if with_day else format_time(local)

    def _service_list(self, ids: list[str] | None = None) -> str:
        rows = self.tools.services()
        if ids:
            rows = [r for r in rows if str(r["id"]) in ids]
        return "\n".join(
            f"• {r['name']} - {format_price(int(r['price_cents']))} ({duration(int(r['duration_minutes']))})" for r in rows
        )

