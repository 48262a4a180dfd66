"""A business being set up by chat on Parlo's central number (spec: Business Onboarding Flow).

The Organization's identity is its WhatsApp number (``Organization.create_id``), which does not
exist until provisioning buys it; so the onboarding state the spec puts on the Organization
(``onboarding_state``, ``onboarding_data``, ``onboarding_conversation_context``, ``last_message_at``)
lives here, keyed by the owner's phone, until the business is registered. From then on the
Organization exists with status ``onboarding`` and becomes ``active`` when its number is live.

Every step of provisioning is an event here too, so a crashed or failed job resumes where it
stopped and never buys a second number.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from aggregates.base import ParloAggregate
from aggregates.errors import InvalidInput, InvalidTransition

NAMESPACE = uuid.UUID("0b7e6f0e-4f0a-4c55-9b8e-6a3c1f2d9e11")
ABANDON_AFTER_MINUTES = 30

COLLECTING = ("initiated", "collecting_business_info", "collecting_owner_info", "confirming_summary")
STEPS = (*COLLECTING, "provisioning_number", "completed", "abandoned")
DETAIL_FIELDS = ("business_name", "business_type", "services", "hours", "owner_name", "team", "address", "team_asked", "address_asked")


class BusinessOnboarding(ParloAggregate):
    @staticmethod
    def create_id(owner_phone: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"onboarding:{owner_phone}")

    @classmethod
    def start(cls, *, owner_phone: str, at: datetime) -> BusinessOnboarding:
        return cls._create(cls.Started, id=cls.create_id(owner_phone), owner_phone=owner_phone, at=at)

    class Started(ParloAggregate.Created):
        owner_phone: str
        at: datetime

    @event(Started)
    def __init__(self, *, owner_phone: str, at: datetime) -> None:
        self.owner_phone = owner_phone
        self.step = "initiated"
        self.data: dict[str, Any] = {}
        self.context: dict[str, Any] = {}
        self.last_message_at = at
        self.abandoned_step: str | None = None
        # provisioning
        self.confirmed_at: datetime | None = None
        self.phone_number: str | None = None
        self.number_sid: str | None = None
        self.organization_id: uuid.UUID | None = None
        self.sender_sid: str | None = None
        self.display_name: str | None = None
        self.rejected_names: list[str] = []
        self.webhook_url: str | None = None
        self.failures: list[dict] = []
        self.completed_at: datetime | None = None

    # ---- queries ---------------------------------------------------------------------------

    @property
    def collecting(self) -> bool:
        return self.step in COLLECTING

    def idle_minutes(self, now: datetime) -> float:
        return (now - self.last_message_at).total_seconds() / 60

    def snapshot(self) -> dict[str, Any]:
        """Plain data for the agent (it never sees the aggregate)."""
        return {
            "id": self.id,
            "owner_phone": self.owner_phone,
            "step": self.step,
            "data": dict(self.data),
            "context": dict(self.context),
            "last_message_at": self.last_message_at,
            "abandoned_step": self.abandoned_step,
            "phone_number": self.phone_number,
            "number_sid": self.number_sid,
            "organization_id": self.organization_id,
            "sender_sid": self.sender_sid,
            "display_name": self.display_name,
            "rejected_names": list(self.rejected_names),
            "webhook_url": self.webhook_url,
            "failures": list(self.failures),
            "completed_at": self.completed_at,
        }

    # ---- the conversation -----------------------------------------------------------------

    def record_turn(self, *, at: datetime, details: dict[str, Any], step: str, context: dict[str, Any]) -> None:
        """One owner message: what it told us (only the changed fields), where we are now."""
        if not self.collecting:
            raise InvalidTransition("Este registro ya no está recogiendo datos.")
        if step not in COLLECTING:
            raise InvalidInput(f"Paso de registro desconocido: «{step}».")
        unknown = sorted(set(details) - set(DETAIL_FIELDS))
        if unknown:
            raise InvalidInput(f"Dato de registro desconocido: {', '.join(unknown)}.")
        changed = {k: v for k, v in details.items() if self.data.get(k) != v}
        for key, value in changed.items():
            self._detail_noted(field=key, value=value)
        if step != self.step:
            self._step_reached(step=step)
        self._turn_recorded(at=at, context=dict(context))

    @event("DetailNoted")
    def _detail_noted(self, field: str, value: Any) -> None:
        self.data = {**self.data, field: value}

    @event("StepReached")
    def _step_reached(self, step: str) -> None:
        self.step = step

    @event("TurnRecorded")
    def _turn_recorded(self, at: datetime, context: dict) -> None:
        self.last_message_at = at
        self.context = context

    def abandon_if_idle(self, now: datetime) -> bool:
        """The spec's abandoned pattern, decided when the owner writes again (or a sweep runs)."""
        if self.collecting and self.idle_minutes(now) >= ABANDON_AFTER_MINUTES:
            self._abandoned(last_step=self.step, at=now)
            return True
        return False

    @event("Abandoned")
    def _abandoned(self, last_step: str, at: datetime) -> None:
        self.abandoned_step = last_step
        self.step = "abandoned"

    def resume(self, at: datetime) -> None:
        if self.step != "abandoned":
            return
        self._resumed(step=self.abandoned_step or "collecting_business_info", at=at)

    @event("Resumed")
    def _resumed(self, step: str, at: datetime) -> None:
        self.step = step
        self.last_message_at = at

    # ---- provisioning ---------------------------------------------------------------------

    def confirm(self, at: datetime) -> None:
        if self.step in ("provisioning_number", "completed"):
            return
        if self.step != "confirming_summary":
            raise InvalidTransition("Primero revisa el resumen de tu negocio.")
        missing = [k for k in ("business_name", "business_type", "services", "hours", "owner_name") if not self.data.get(k)]
        if missing:
            raise InvalidInput("Faltan datos del negocio: " + ", ".join(missing) + ".")
        self._confirmed(at=at)

    @event("Confirmed")
    def _confirmed(self, at: datetime) -> None:
        self.confirmed_at = at
        self.last_message_at = at
        self.step = "provisioning_number"

    def _require_provisioning(self) -> None:
        if self.step != "provisioning_number":
            raise InvalidTransition("Este negocio no está en aprovisionamiento.")

    def record_number_purchased(self, phone_number: str, number_sid: str) -> None:
        self._require_provisioning()
        if self.phone_number is not None:
            if self.phone_number != phone_number:
                raise InvalidTransition("Este negocio ya tiene un número comprado.")
            return
        self._number_purchased(phone_number=phone_number, number_sid=number_sid)

    @event("NumberPurchased")
    def _number_purchased(self, phone_number: str, number_sid: str) -> None:
        self.phone_number = phone_number
        self.number_sid = number_sid

    def record_business_registered(self, organization_id: uuid.UUID) -> None:
        self._require_provisioning()
        if self.phone_number is None:
            raise InvalidTransition("Primero se compra el número.")
        if self.organization_id is None:
            self._business_registered(organization_id=organization_id)

    @event("BusinessRegistered")
    def _business_registered(self, organization_id: uuid.UUID) -> None:
        self.organization_id = organization_id

    def record_display_name_rejected(self, display_name: str, reason: str) -> None:
        self._require_provisioning()
        if display_name not in self.rejected_names:
            self._display_name_rejected(display_name=display_name, reason=reason[:300])

    @event("DisplayNameRejected")
    def _display_name_rejected(self, display_name: str, reason: str) -> None:
        self.rejected_names = [*self.rejected_names, display_name]

    def record_sender_registered(self, sender_sid: str, display_name: str) -> None:
        self._require_provisioning()
        if self.sender_sid is None:
            self._sender_registered(sender_sid=sender_sid, display_name=display_name)

    @event("SenderRegistered")
    def _sender_registered(self, sender_sid: str, display_name: str) -> None:
        self.sender_sid = sender_sid
        self.display_name = display_name

    def record_webhook_pointed(self, url: str) -> None:
        self._require_provisioning()
        if self.webhook_url != url:
            self._webhook_pointed(url=url)

    @event("WebhookPointed")
    def _webhook_pointed(self, url: str) -> None:
        self.webhook_url = url

    def record_failure(self, step: str, reason: str, at: datetime) -> None:
        self._require_provisioning()
        self._provisioning_failed(step=step, reason=reason[:300], at=at)

    @event("ProvisioningFailed")
    def _provisioning_failed(self, step: str, reason: str, at: datetime) -> None:
        self.failures = [*self.failures, {"step": step, "reason": reason, "at": at.isoformat()}]

    def complete(self, at: datetime) -> None:
        if self.step == "completed":
            return
        self._require_provisioning()
        if not (self.organization_id and self.sender_sid and self.webhook_url):
            raise InvalidTransition("El número todavía no está listo.")
        self._completed(at=at)

    @event("Completed")
    def _completed(self, at: datetime) -> None:
        self.completed_at = at
        self.step = "completed"
