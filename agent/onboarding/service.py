"""The onboarding conversation on Parlo's central number: one owner message in, replies out.

Every turn is a command (``RecordOnboardingTurn``); a confirmation starts provisioning (an
injected, idempotent job) and, once the number is live, the owner gets the number, a ``wa.me``
link with text to share, and a magic link to the dashboard (an injected sender).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from agent.onboarding import texts
from agent.onboarding.engine import next_question, read_message, suggestion
from agent.onboarding.tools import OnboardingTools
from aggregates.errors import DomainError
from commands import Actor
from commands.onboarding import ConfirmOnboarding, RecordOnboardingTurn, ResumeOnboarding, StartOnboarding, get_onboarding
from commands.phones import normalize_phone

log = logging.getLogger("parlo.onboarding")
ACTOR = Actor.system("onboarding")


class OnboardingAgent:
    def __init__(
        self,
        app: Any,
        *,
        provision: Callable[[str, str], Any] | None,
        send_login_link: Callable[[Any, str, str], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        llm: Any = None,
    ) -> None:
        self.app = app
        self.llm = llm
        self.provision = provision
        self.send_login_link = send_login_link
        self.clock = clock or (lambda: datetime.now(timezone.utc))

    def handle(self, phone: str, text: str, *, message_sid: str, received_at: datetime | None = None) -> list[str]:
        phone = normalize_phone(phone)
        at = received_at or self.clock()
        text = (text or "").replace("\x00", "").strip()
        state = get_onboarding(self.app, phone)
        if state is None:
            self.app.execute(StartOnboarding(actor=ACTOR, cause=message_sid, owner_phone=phone, at=at))
            state = get_onboarding(self.app, phone)
            return self._answer(phone, state, text, message_sid, at, first=True)
        if state["step"] == "completed":
            return [texts.ALREADY_LIVE.format(name=state["data"]["business_name"], number=texts.format_phone(state["phone_number"]))]
        if state["step"] == "provisioning_number":
            return self._provision(phone, state, message_sid)
        resumed = self.app.execute(ResumeOnboarding(actor=ACTOR, cause=message_sid, owner_phone=phone, at=at)).data.get("resumed")
        state = get_onboarding(self.app, phone)
        replies = self._answer(phone, state, text, message_sid, at, first=False)
        if resumed:
            replies[0] = texts.RESUME.format(recap=texts.summary(state["data"])) + replies[0]
        return replies

    def _answer(self, phone: str, state: dict, text: str, sid: str, at: datetime, *, first: bool) -> list[str]:
        """The LLM path when configured (through the shared tool layer), else or on failure the
        offline state machine."""
        if self.llm is not None:
            try:
                tools = OnboardingTools(self.app, phone, cause=sid, at=at)
                replies = self.llm.run(tools, text)
                if tools.confirmed:
                    return self._provision(phone, tools.state(), sid)
                return replies
            except Exception:  # noqa: BLE001 - the owner always gets an answer
                log.exception("onboarding LLM turn failed; the offline engine answers")
                state = get_onboarding(self.app, phone)
        return self._turn(phone, state, text, sid, at, first=first)

    def _turn(self, phone: str, state: dict, text: str, sid: str, at: datetime, *, first: bool) -> list[str]:
        data, context = state["data"], dict(state["context"])
        expecting = context.get("expecting")
        reading = read_message(text, data, context, phone)
        merged = {**data, **reading.changes}
        if expecting == "confirm" and reading.affirm and not reading.changes:
            return self._confirm(phone, state, sid, at)
        if expecting == "more_services":
            context["asked_more_services"] = True
        reply = ""
        if reading.unsure and expecting in ("services", "more_services") and merged.get("business_type"):
            step, next_expecting, question = "collecting_business_info", "suggestion", suggestion(merged)
        else:
            step, next_expecting, question = next_question(merged, context)
            if reading.notes and expecting != "business_name":
                reply = "Anotado: " + "; ".join(reading.notes) + ".\n\n"
            elif not reading.changes and not first and expecting not in (None, "suggestion"):
                reply = texts.NOT_UNDERSTOOD
        context["expecting"] = next_expecting
        try:
            self.app.execute(
                RecordOnboardingTurn(actor=ACTOR, cause=sid, owner_phone=phone, at=at, step=step, details=reading.changes, context=context)
            )
        except DomainError as error:
            log.info("onboarding turn refused: %s", error)
            return [f"{texts.NOT_UNDERSTOOD}{error} {question}"]
        if first:
            if next_expecting == "business_name":
                return [texts.WELCOME]
            return [texts.HELLO + "\n\n" + reply + question]
        return [reply + question]

    def _confirm(self, phone: str, state: dict, sid: str, at: datetime) -> list[str]:
        try:
            self.app.execute(ConfirmOnboarding(actor=ACTOR, cause=sid, owner_phone=phone, at=at))
        except DomainError as error:
            return [f"{texts.NOT_UNDERSTOOD}{error}"]
        return self._provision(phone, get_onboarding(self.app, phone), sid)

    def _provision(self, phone: str, state: dict, sid: str) -> list[str]:
        name = state["data"]["business_name"]
        if self.provision is None:
            return [texts.PROVISIONING.format(name=name)]
        outcome = self.provision(phone, sid)
        if not outcome.ok:
            return [(texts.PROVISIONING_FAILED if outcome.permanent else texts.PROVISIONING_RETRY).format(name=name)]
        number = outcome.phone_number
        if self.send_login_link is not None:
            try:
                self.send_login_link(outcome.organization_id, phone, sid)
            except Exception:  # noqa: BLE001 - the business is live; the owner can ask for a link on the web
                log.exception("login link after onboarding failed")
        link = texts.wa_link(number)
        return [texts.LIVE.format(name=name, number=texts.format_phone(number), wa_link=link)]
