"""Provisioning a business's WhatsApp number once its owner confirms (spec: Number Provisioning).

``ProvisioningJob.run(owner_phone)`` walks the steps, each recorded as an event on the
BusinessOnboarding before the next starts, so a crash or a Twilio error resumes where it stopped:

1. buy a Mexican number (first looking for one already bought for this onboarding: the number is
   tagged with the onboarding's id in its FriendlyName, so a purchase whose answer was lost is
   found again, never bought twice) -> NumberPurchased
2. register the number as a WhatsApp sender under Parlo's WABA with the business's display name
   (a rejected name is retried with a variant) -> DisplayNameRejected / SenderRegistered
3. point the number's webhook at Parlo's one endpoint -> WebhookPointed
4. register the Organization (status ``onboarding``) with the number, services, owner and team
   -> BusinessRegistered
5. the organization goes ``active`` -> Completed

Without Twilio credentials ``MockProvisioner`` hands out numbers from a reserved test range.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential
from twilio.base.exceptions import TwilioException, TwilioRestException

from commands import Actor
from commands.onboarding import (
    CompleteOnboarding,
    RecordDisplayNameRejected,
    RecordNumberPurchased,
    RecordProvisioningFailure,
    RecordSenderRegistered,
    RecordWebhookPointed,
    RegisterOnboardedBusiness,
    get_onboarding,
)

log = logging.getLogger("parlo.provisioning")
ACTOR = Actor.system("provisioning")
WEBHOOK_PATH = "/api/v1/webhooks/whatsapp"
MOCK_RANGE_START = 5500010000  # +52 55 0001 0000 .. +52 55 0001 9999: reserved for development
MOCK_RANGE_SIZE = 10000
ONBOARDING_TROUBLE = "Perdón, tuve un problema para procesar tu mensaje. ¿Me lo repites en un momento? Lo que ya me diste está guardado."
TYPE_PREFIX = {"barbershop": "Barbería", "hair_salon": "Salón", "nail_salon": "Uñas", "spa": "Spa", "beauty_salon": "Salón de belleza"}


class ProvisioningError(RuntimeError):
    """A step failed in a way worth retrying (Twilio 5xx/429, a timeout, a number just taken)."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


class DisplayNameRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Provisioner(Protocol):
    def find_purchased(self, tag: str) -> tuple[str, str] | None: ...
    def find_available(self) -> str: ...
    def buy(self, number: str, tag: str, webhook_url: str) -> tuple[str, str]: ...
    def find_sender(self, number: str) -> str | None: ...
    def register_sender(self, number: str, display_name: str, webhook_url: str) -> str: ...
    def point_webhook(self, number_sid: str, webhook_url: str) -> None: ...


def _reason(error: BaseException) -> str:
    """What a failure records and logs: the kind and Twilio's code, never a URL or credential."""
    if isinstance(error, TwilioRestException):
        return f"Twilio {error.status} (código {error.code})"
    if isinstance(error, TwilioException) and len(error.args) > 1 and hasattr(error.args[1], "status_code"):
        return f"Twilio {error.args[1].status_code}"  # a list page that failed (no Twilio code)
    return type(error).__name__


class TwilioProvisioner:
    """The real ``twilio`` client (every host routed by PARLO_TWILIO_API_URL, see infra/twilio_client.py)."""

    def __init__(self, client: Any, *, waba_id: str = "", country: str = "MX") -> None:
        self.client = client
        self.waba_id = waba_id
        self.country = country

    def _call(self, step: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except TwilioException as error:
            raise ProvisioningError(step, _reason(error)) from error
        except requests.exceptions.RequestException as error:
            raise ProvisioningError(step, _reason(error)) from error

    def find_purchased(self, tag: str) -> tuple[str, str] | None:
        found = self._call("buscar número comprado", lambda: self.client.incoming_phone_numbers.list(friendly_name=tag, limit=5))
        return (found[0].phone_number, found[0].sid) if found else None

    def find_available(self) -> str:
        found = self._call(
            "buscar número disponible", lambda: self.client.available_phone_numbers(self.country).local.list(sms_enabled=True, limit=1)
        )
        if not found:
            raise ProvisioningError("buscar número disponible", "no hay números disponibles")
        return found[0].phone_number

    def buy(self, number: str, tag: str, webhook_url: str) -> tuple[str, str]:
        bought = self._call(
            "comprar número",
            lambda: self.client.incoming_phone_numbers.create(phone_number=number, friendly_name=tag, sms_url=webhook_url, sms_method="POST"),
        )
        return bought.phone_number, bought.sid

    def find_sender(self, number: str) -> str | None:
        senders = self._call("buscar remitente", lambda: self.client.messaging.v2.channels_senders.list(channel="whatsapp", limit=200))
        for sender in senders:
            if sender.sender_id == f"whatsapp:{number}":
                return sender.sid
        return None

    def register_sender(self, number: str, display_name: str, webhook_url: str) -> str:
        from twilio.rest.messaging.v2.channels_sender import ChannelsSenderList

        payload = {
            "sender_id": f"whatsapp:{number}",
            "configuration": {"waba_id": self.waba_id} if self.waba_id else {},
            "webhook": {"callback_url": webhook_url, "callback_method": "POST"},
            "profile": {"name": display_name},
        }
        request = ChannelsSenderList.MessagingV2ChannelsSenderRequestsCreate(payload)
        try:
            sender = self.client.messaging.v2.channels_senders.create(request)
        except TwilioRestException as error:
            if 400 <= (error.status or 0) < 500 and "display name" in (error.msg or "").lower():
                raise DisplayNameRejected(_reason(error)) from error
            raise ProvisioningError("registrar remitente de WhatsApp", _reason(error)) from error
        except requests.exceptions.RequestException as error:
            raise ProvisioningError("registrar remitente de WhatsApp", _reason(error)) from error
        return sender.sid

    def point_webhook(self, number_sid: str, webhook_url: str) -> None:
        self._call("configurar webhook", lambda: self.client.incoming_phone_numbers(number_sid).update(sms_url=webhook_url, sms_method="POST"))


class MockProvisioner:
    """Development without Twilio: numbers from the reserved range +52 55 0001 xxxx, in memory
    (``taken`` tells which numbers the event store already maps to a business)."""

    def __init__(self, taken: Callable[[str], bool] = lambda number: False) -> None:
        self.taken = taken
        self._lock = threading.Lock()
        self._numbers: dict[str, tuple[str, str]] = {}
        self._senders: dict[str, str] = {}

    def find_purchased(self, tag: str) -> tuple[str, str] | None:
        return self._numbers.get(tag)

    def find_available(self) -> str:
        with self._lock:
            used = {n for n, _ in self._numbers.values()}
            for offset in range(MOCK_RANGE_SIZE):
                number = f"+52{MOCK_RANGE_START + offset}"
                if number not in used and not self.taken(number):
                    return number
        raise ProvisioningError("buscar número disponible", "rango de prueba agotado")

    def buy(self, number: str, tag: str, webhook_url: str) -> tuple[str, str]:
        with self._lock:
            self._numbers[tag] = (number, "PN" + uuid.uuid5(uuid.NAMESPACE_URL, number).hex)
            return self._numbers[tag]

    def find_sender(self, number: str) -> str | None:
        return self._senders.get(number)

    def register_sender(self, number: str, display_name: str, webhook_url: str) -> str:
        with self._lock:
            self._senders[number] = "XE" + uuid.uuid5(uuid.NAMESPACE_URL, "sender:" + number).hex
            return self._senders[number]

    def point_webhook(self, number_sid: str, webhook_url: str) -> None:
        return None


def display_name_variants(name: str, business_type: str) -> list[str]:
    """The name first, then variants Meta's guidelines accept more often (the business type
    named, no symbols or emoji, no ALL CAPS)."""
    plain = "".join(ch for ch in name if not unicodedata.category(ch).startswith(("S", "C"))).strip()
    plain = re.sub(r"\s+", " ", plain)
    if plain.isupper():
        plain = plain.title()
    prefix = TYPE_PREFIX.get(business_type)
    candidates = [name.strip(), plain]
    if prefix and not plain.lower().startswith(prefix.lower()):
        candidates.append(f"{prefix} {plain}")
    candidates.append(f"{plain} Citas")
    return [c[:60] for c in dict.fromkeys(c for c in candidates if c)]


@dataclass(frozen=True)
class ProvisioningOutcome:
    ok: bool
    phone_number: str | None = None
    organization_id: uuid.UUID | None = None
    permanent: bool = False
    step: str | None = None


class ProvisioningJob:
    """Idempotent and resumable: run it again (same or another process) and it continues."""

    def __init__(
        self,
        app: Any,
        provisioner: Provisioner,
        *,
        public_base_url: str,
        attempts: int = 3,
        wait_seconds: float = 0.5,
        clock: Callable[[], datetime] | None = None,
        on_permanent_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        self.app = app
        self.provisioner = provisioner
        self.webhook_url = public_base_url.rstrip("/") + WEBHOOK_PATH
        self.attempts = attempts
        self.wait_seconds = wait_seconds
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.on_permanent_failure = on_permanent_failure or _alert_admin
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, phone: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(phone, threading.Lock())

    def run(self, owner_phone: str, cause: str = "provisioning") -> ProvisioningOutcome:
        with self._lock(owner_phone):
            retrying = Retrying(
                retry=retry_if_exception_type(ProvisioningError),
                stop=stop_after_attempt(self.attempts),
                wait=wait_exponential(multiplier=self.wait_seconds, max=max(self.wait_seconds * 8, 0.001)),
                reraise=True,
            )
            try:
                for attempt in retrying:
                    with attempt:
                        try:
                            return self._steps(owner_phone, cause)
                        except ProvisioningError as error:
                            self._record_failure(owner_phone, cause, error.step, error.reason)
                            raise
            except ProvisioningError as error:
                log.warning("provisioning for onboarding of %s stopped at %s after %d attempts", _masked(owner_phone), error.step, self.attempts)
                return ProvisioningOutcome(False, step=error.step)
            except PermanentFailure as failure:
                self._record_failure(owner_phone, cause, failure.step, failure.reason)
                self.on_permanent_failure(owner_phone, failure.step)
                return ProvisioningOutcome(False, permanent=True, step=failure.step)
        raise AssertionError("unreachable")  # pragma: no cover

    def _record_failure(self, owner_phone: str, cause: str, step: str, reason: str) -> None:
        self.app.execute(RecordProvisioningFailure(actor=ACTOR, cause=cause, owner_phone=owner_phone, step=step, reason=reason, at=self.clock()))

    def _steps(self, owner_phone: str, cause: str) -> ProvisioningOutcome:
        state = get_onboarding(self.app, owner_phone)
        if state is None:
            raise PermanentFailure("buscar registro", "no existe")
        if state["step"] == "completed":
            return ProvisioningOutcome(True, state["phone_number"], state["organization_id"])
        if state["step"] != "provisioning_number":
            raise PermanentFailure("confirmación", "el registro no está confirmado")
        if state["phone_number"] is None:
            tag = f"parlo-onboarding-{state['id']}"
            found = self.provisioner.find_purchased(tag)
            if found is None:
                found = self.provisioner.buy(self.provisioner.find_available(), tag, self.webhook_url)
            self.app.execute(RecordNumberPurchased(actor=ACTOR, cause=cause, owner_phone=owner_phone, phone_number=found[0], number_sid=found[1]))
            state = get_onboarding(self.app, owner_phone)
        if state["sender_sid"] is None:
            self._register_sender(owner_phone, cause, state)
            state = get_onboarding(self.app, owner_phone)
        if state["webhook_url"] != self.webhook_url:
            self.provisioner.point_webhook(state["number_sid"], self.webhook_url)
            self.app.execute(RecordWebhookPointed(actor=ACTOR, cause=cause, owner_phone=owner_phone, url=self.webhook_url))
        # The business (and its owner as staff) exists only once its number works: until then
        # the owner's messages to the central number stay in onboarding, which resumes this job.
        if state["organization_id"] is None:
            self.app.execute(RegisterOnboardedBusiness(actor=ACTOR, cause=cause, owner_phone=owner_phone))
        self.app.execute(CompleteOnboarding(actor=ACTOR, cause=cause, owner_phone=owner_phone, at=self.clock()))
        state = get_onboarding(self.app, owner_phone)
        return ProvisioningOutcome(True, state["phone_number"], state["organization_id"])

    def _register_sender(self, owner_phone: str, cause: str, state: dict) -> None:
        number = state["phone_number"]
        existing = self.provisioner.find_sender(number)
        if existing is not None:
            name = state["display_name"] or state["data"]["business_name"]
            self.app.execute(RecordSenderRegistered(actor=ACTOR, cause=cause, owner_phone=owner_phone, sender_sid=existing, display_name=name))
            return
        variants = [v for v in display_name_variants(state["data"]["business_name"], state["data"]["business_type"]) if v not in state["rejected_names"]]
        for name in variants:
            try:
                sid = self.provisioner.register_sender(number, name, self.webhook_url)
            except DisplayNameRejected as rejected:
                self.app.execute(RecordDisplayNameRejected(actor=ACTOR, cause=cause, owner_phone=owner_phone, display_name=name, reason=rejected.reason))
                continue
            self.app.execute(RecordSenderRegistered(actor=ACTOR, cause=cause, owner_phone=owner_phone, sender_sid=sid, display_name=name))
            return
        raise PermanentFailure("registrar remitente de WhatsApp", "Meta rechazó todas las variantes del nombre")


class PermanentFailure(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


def _masked(phone: str) -> str:
    return phone[:-4] + "****" if len(phone) > 6 else "****"


def _alert_admin(owner_phone: str, step: str) -> None:
    """The platform admin's alert: an ERROR in the log (collected by the log pipeline) and the
    ProvisioningFailed events the admin API shows."""
    log.error("ALERTA: el aprovisionamiento del negocio de %s falló de forma permanente en «%s»", _masked(owner_phone), step)


def build_provisioner(container: Any) -> Provisioner:
    """Twilio when credentials are set, else the development mock (reserved test range)."""
    settings = container.settings
    if settings.twilio_account_sid and settings.twilio_auth_token is not None:
        from infra.twilio_client import twilio_rest_client

        client = twilio_rest_client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(), settings.twilio_api_url)
        return TwilioProvisioner(client, waba_id=settings.twilio_waba_id)
    from aggregates.organization import Organization

    return MockProvisioner(taken=lambda number: container.app._exists(Organization.create_id(number)))


def build_onboarding(
    container: Any, central_number: str, dispatch: Callable[[uuid.UUID], Any] | None, *, llm_client: Any = None
) -> Callable[[str, dict], list[str]]:
    """The processor's hook for case 1 (central number, not staff anywhere). The LLM path runs
    when an OpenAI-compatible client is configured (or given), the offline engine otherwise."""
    from agent.onboarding.llm import OnboardingLLM
    from agent.onboarding.login_link import login_link_sender
    from agent.onboarding.service import OnboardingAgent
    from infra.llm_client import build_llm_client

    settings = container.settings
    client = llm_client if llm_client is not None else build_llm_client(settings)
    clock = container.clock or (lambda: datetime.now(timezone.utc))
    job = ProvisioningJob(container.app, build_provisioner(container), public_base_url=settings.public_base_url, clock=clock)
    container.provisioning = job
    agent = OnboardingAgent(
        container.app,
        provision=job.run,
        send_login_link=login_link_sender(
            container.app, secret=settings.secret_key.get_secret_value(), central_number=central_number, dispatch=dispatch
        ),
        clock=clock,
        llm=OnboardingLLM(client, model=settings.llm_model) if client is not None else None,
    )

    def handle(phone: str, item: dict) -> list[str]:
        received = item.get("received_at")
        try:
            return agent.handle(
                phone, item.get("body") or "", message_sid=item["message_sid"], received_at=datetime.fromisoformat(received) if received else None
            )
        except Exception:  # noqa: BLE001 - every inbound message gets a reply; the data stays stored
            log.exception("onboarding turn failed")
            return [ONBOARDING_TROUBLE]

    return handle
