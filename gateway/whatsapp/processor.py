"""The work after the webhook answered: route each stored inbound message and answer it.

Per conversation, messages are handled strictly in arrival order, one at a time: ``drain`` takes the
conversation's lock and processes its pending inbound messages oldest first until none is left.
Whoever calls it (the in-process queue, an arq job, the pending sweep) may call it again safely:
a message is pending until ``SaveAgentState`` marks it handled, and every reply has an id derived
from the inbound message, so a re-run never sends a reply twice.

Routing (spec, Message Routing Architecture):
- Parlo's central number: onboarding by chat is coming / staff of one business: team mode for it /
  redirect for many.
- Business number, sender is active staff of that business: team mode (``agent.team.TeamAgent``,
  with their permission level; «listo» still resolves a handoff). A deactivated one is a customer.
- Anyone else is a customer: make sure the Customer exists, call the agent unless handed off.
- Handed off: the owners get every message relayed; the customer gets one short holding reply at
  most every 30 minutes (by the messages' received times, stored in the conversation's state).
- Media without text: a kind reply that Parlo reads text, and what it can do.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from agent.spanish.format import format_phone
from aggregates.conversation import CENTRAL_ORGANIZATION_ID
from aggregates.errors import DomainError, PermissionDenied
from commands import Actor
from commands.definitions import (
    AddCustomer,
    HandOffConversation,
    QueueOutboundMessage,
    RecordStaffFirstMessage,
    ResolveHandoff,
    SaveAgentState,
)
from commands.phones import normalize_phone
from gateway.whatsapp import texts

log = logging.getLogger("parlo.whatsapp.processor")
AGENT_ACTOR = Actor.system("whatsapp-agent")
ROUTER_ACTOR = Actor.system("whatsapp-router")
HOLD_EVERY = timedelta(minutes=30)
HOLD_KEY = "handoff_hold_at"  # received time of the message that got the last holding reply
_RESOLVE = re.compile(r"^\s*(listo|resuelto|ya qued[oó])\b(.*)$", re.IGNORECASE | re.DOTALL)


def reply_id(inbound_message_id: str, label: str) -> uuid.UUID:
    """Deterministic outbound id: re-processing the same inbound message queues nothing new."""
    return uuid.uuid5(uuid.UUID(str(inbound_message_id)), f"outbound:{label}")


class InboundProcessor:
    onboarding: Callable[[str, dict], list[str]] | None = None  # set by the composition root

    def __init__(
        self,
        app: Any,
        *,
        agent_factory: Callable[[], Any] | None,
        reads: Any = None,
        conversation_reads: Any = None,
        dispatch: Callable[[uuid.UUID], Any] | None = None,
        central_number: str = "",
        wait_for: Callable[..., Any] | None = None,
        team_agent_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.app = app
        self.agent_factory = agent_factory
        self.team_agent_factory = team_agent_factory  # None: staff get the placeholder reply
        self._agent: Any = None
        self.reads = reads
        self.conversation_reads = conversation_reads
        self.dispatch = dispatch
        self.central_number = central_number
        self.wait_for = wait_for
        self._locks: dict[tuple, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.processed = 0
        self.max_failures = 5
        self._failures: dict[str, int] = {}
        self.on_processed: list[Callable[[dict], None]] = []

    @property
    def agent(self) -> Any:
        if self._agent is None and self.agent_factory is not None:
            self._agent = self.agent_factory()
        return self._agent

    def lock_for(self, organization_id: uuid.UUID, phone: str) -> threading.Lock:
        key = (str(organization_id), phone)
        with self._locks_guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    # ---- the loop --------------------------------------------------------------------------

    def drain(self, organization_id: uuid.UUID, phone: str) -> int:
        """Handle every pending inbound message of this conversation, oldest first."""
        organization_id = uuid.UUID(str(organization_id))
        count = 0
        with self.lock_for(organization_id, phone):
            while True:
                state = self.app.conversation_state(organization_id, phone)
                if not state or not state["pending_inbound"]:
                    return count
                item = state["pending_inbound"][0]
                try:
                    outcome = self._process(organization_id, state, item)
                except Exception:
                    if not self._give_up(organization_id, phone, item):
                        raise  # stays pending: the caller retries (timer, arq Retry, sweep)
                    outcome = {"outcome": "error", "replies": [], "message_ids": []}
                count += 1
                self.processed += 1
                for callback in list(self.on_processed):
                    callback({"organization_id": organization_id, "phone": phone, "message_sid": item["message_sid"], **outcome})

    def _give_up(self, organization_id: uuid.UUID, phone: str, item: dict) -> bool:
        """After MAX_FAILURES failed attempts at one message, mark it handled so the conversation
        is not blocked behind it forever (a poison message). Returns True when it gave up."""
        sid = item["message_sid"]
        with self._locks_guard:
            self._failures[sid] = self._failures.get(sid, 0) + 1
            failures = self._failures[sid]
        if failures < self.max_failures:
            return False
        log.error("giving up on inbound %s after %d failures", sid, failures)
        self.app.execute(
            SaveAgentState(
                actor=AGENT_ACTOR, cause=sid, organization_id=organization_id, customer_phone=phone, message_sid=sid, state=None, outcome="error"
            )
        )
        with self._locks_guard:
            self._failures.pop(sid, None)
        return True

    def _process(self, organization_id: uuid.UUID, state: dict, item: dict) -> dict:
        phone = state["phone_number"]
        sid = item["message_sid"]
        if organization_id == CENTRAL_ORGANIZATION_ID:
            replies, outcome, new_state = self._central_turn(state, item)
            from_number = self.central_number
            # Case 1: not staff anywhere -> business onboarding by chat (issue #11).
            if self.onboarding is not None and replies[0] == texts.CENTRAL_WELCOME:
                replies, outcome = self.onboarding(phone, item), "onboarding"
        else:
            from_number = item.get("to_number") or None
            staff = self.app.staff_for_phone(organization_id, phone)
            if staff is not None and staff["is_active"]:
                if staff.get("first_message_at") is None:
                    self.app.execute(
                        RecordStaffFirstMessage(
                            actor=Actor.staff(staff["id"]), cause=sid, organization_id=organization_id, staff_id=staff["id"],
                            at=datetime.fromisoformat(item["received_at"]),
                        )
                    )
                replies, outcome, new_state = self._staff_turn(organization_id, state, staff, item)
            elif state["handed_off"]:
                replies, outcome, new_state = self._held_turn(organization_id, state, item)
            elif _media_only(item):
                replies, outcome, new_state = [texts.MEDIA_ONLY], "media_only", None
            else:
                replies, outcome, new_state = self._customer_turn(organization_id, state, item)
        queued = []
        for index, text in enumerate(r for r in replies if r and r.strip()):
            result = self.app.execute(
                QueueOutboundMessage(
                    actor=AGENT_ACTOR,
                    cause=sid,
                    organization_id=organization_id,
                    to_phone=phone,
                    body=text,
                    kind="reply",
                    message_id=reply_id(item["message_id"], f"reply:{index}"),
                    from_number=from_number,
                )
            )
            queued.append(result.id)
        if isinstance(outcome, tuple):  # ("handoff", reason)
            queued_handoff = self._hand_off(organization_id, state, item, outcome[1])
            outcome = "handoff"
        elif outcome == "handed_off":
            queued_handoff = self._relay_to_owners(organization_id, state, item)
        else:
            queued_handoff = []
        self.app.execute(
            SaveAgentState(
                actor=AGENT_ACTOR,
                cause=sid,
                organization_id=organization_id,
                customer_phone=phone,
                message_sid=sid,
                state=new_state,
                outcome=outcome,
            )
        )
        if self.dispatch is not None:
            for message_id in [*queued, *queued_handoff]:
                try:
                    self.dispatch(message_id)
                except Exception:  # noqa: BLE001 - stays pending; the retry sweep sends it
                    log.exception("dispatching %s failed", message_id)
        return {"outcome": outcome, "replies": replies, "message_ids": [*queued, *queued_handoff]}

    # ---- customers ---------------------------------------------------------------------------

    def _customer_turn(self, organization_id: uuid.UUID, state: dict, item: dict):
        phone = state["phone_number"]
        sid = item["message_sid"]
        created = self.app.execute(
            AddCustomer(actor=Actor.customer(phone), cause=sid, organization_id=organization_id, phone_number=phone)
        )
        if self.wait_for is not None and created.position is not None:
            self.wait_for(created.position)
        history = []
        for entry in state["history"]:
            if entry.get("sid") == sid:
                break
            history.append({"role": entry["role"], "text": entry["text"]})
        from agent.service import AgentTurn

        turn = AgentTurn(
            organization_id=organization_id,
            customer_phone=phone,
            text=item["body"] or "",
            message_id=sid,
            profile_name=item.get("profile_name") or state.get("profile_name"),
            state={k: v for k, v in state["agent_state"].items() if k != HOLD_KEY},
            history=history,
            received_at=datetime.fromisoformat(item["received_at"]),
        )
        try:
            result = self.agent.handle(turn)
        except Exception:  # noqa: BLE001 - a broken turn must not block the conversation forever
            log.exception("agent failed on %s", sid)
            return [texts.AGENT_TROUBLE], "agent_error", None
        outcome: Any = "agent"
        if getattr(result, "handoff_reason", None):
            outcome = ("handoff", result.handoff_reason)
        new_state = {k: v for k, v in dict(result.state or {}).items() if k != HOLD_KEY}
        return list(result.replies or []), outcome, new_state

    # ---- handed off to the team ------------------------------------------------------------

    def _held_turn(self, organization_id: uuid.UUID, state: dict, item: dict):
        """One short holding reply at most every HOLD_EVERY, measured between the messages'
        received times (so a re-run or a late worker decides the same way)."""
        received = datetime.fromisoformat(item["received_at"])
        agent_state = dict(state["agent_state"])
        last = agent_state.get(HOLD_KEY)
        try:
            last_at = datetime.fromisoformat(last) if isinstance(last, str) else None
        except ValueError:
            last_at = None
        if last_at is not None and received - last_at < HOLD_EVERY:
            return [], "handed_off", None
        org = self.app.organization_view(organization_id) or {"name": "el negocio"}
        return [texts.HANDOFF_HOLDING.format(business=org["name"])], "handed_off", {**agent_state, HOLD_KEY: received.isoformat()}

    def _relay_to_owners(self, organization_id: uuid.UUID, state: dict, item: dict) -> list[uuid.UUID]:
        """The team keeps seeing everything the customer writes while the conversation is theirs."""
        phone = state["phone_number"]
        text = (item["body"] or "").strip()
        shown = text[:700] or texts.RELAY_NO_TEXT
        body = texts.HANDOFF_RELAY.format(
            customer=self._customer_name(organization_id, state), phone=format_phone(phone), text=shown, phone_digits=phone.lstrip("+")
        )
        queued = []
        for owner in self.app.owner_contacts(organization_id):
            result = self.app.execute(
                QueueOutboundMessage(
                    actor=AGENT_ACTOR,
                    cause=item["message_sid"],
                    organization_id=organization_id,
                    to_phone=owner["phone_number"],
                    body=body,
                    kind="handoff",
                    message_id=reply_id(item["message_id"], f"relay:{owner['id']}"),
                    template_variables={"1": format_phone(phone), "2": shown[:200], "3": texts.RELAY_REASON},
                )
            )
            queued.append(result.id)
        return queued

    def _customer_name(self, organization_id: uuid.UUID, state: dict) -> str:
        name = state.get("profile_name") or "Sin nombre"
        if self.reads is not None:
            try:
                found = self.reads.get_customer_by_phone(organization_id, state["phone_number"])
                if found and found.get("name"):
                    name = found["name"]
            except Exception:  # noqa: BLE001 - the name is a nicety
                log.debug("customer lookup failed", exc_info=True)
        return name

    def _hand_off(self, organization_id: uuid.UUID, state: dict, item: dict, reason: str) -> list[uuid.UUID]:
        phone = state["phone_number"]
        sid = item["message_sid"]
        result = self.app.execute(
            HandOffConversation(actor=AGENT_ACTOR, cause=sid, organization_id=organization_id, customer_phone=phone, reason=reason)
        )
        if result.data.get("already_handed_off"):
            return []
        org = self.app.organization_view(organization_id) or {"name": "tu negocio"}
        customer_name = self._customer_name(organization_id, state)
        body = texts.HANDOFF_NOTICE.format(
            business=org["name"],
            customer=customer_name,
            phone=format_phone(phone),
            phone_digits=phone.lstrip("+"),
            question=(item["body"] or "").strip()[:500] or "(sin texto)",
            reason=reason,
        )
        queued = []
        for owner in self.app.owner_contacts(organization_id):
            result = self.app.execute(
                QueueOutboundMessage(
                    actor=AGENT_ACTOR,
                    cause=sid,
                    organization_id=organization_id,
                    to_phone=owner["phone_number"],
                    body=body,
                    kind="handoff",
                    message_id=reply_id(item["message_id"], f"handoff:{owner['id']}"),
                    template_variables={"1": format_phone(phone), "2": (item["body"] or "")[:200], "3": reason[:200]},
                )
            )
            queued.append(result.id)
        return queued

    # ---- staff and central ---------------------------------------------------------------------

    def _staff_turn(self, organization_id: uuid.UUID, state: dict, staff: dict, item: dict):
        """Team mode (agent.team) for active staff; «listo <teléfono>» still resolves a handoff."""
        if self.team_agent_factory is None or _RESOLVE.match(item["body"] or ""):
            return [self._staff_reply(organization_id, staff, item["body"])], "staff_placeholder", None
        result = self.team_agent_factory().handle(
            organization_id=organization_id, staff_id=staff["id"], text=item["body"] or "", message_id=item["message_sid"],
            state=dict(state["agent_state"]), first_message=staff.get("first_message_at") is None,
        )
        return list(result.replies), "team", dict(result.state)

    def _staff_reply(self, organization_id: uuid.UUID, staff: dict, body: str) -> str:
        org = self.app.organization_view(organization_id) or {"name": "tu negocio"}
        match = _RESOLVE.match(body or "")
        if match:
            return self._resolve_from_staff(organization_id, staff, match.group(2))
        first_name = (staff.get("name") or "").split(" ")[0] or "equipo"
        return texts.STAFF_PLACEHOLDER.format(name=first_name, business=org["name"])

    def _resolve_from_staff(self, organization_id: uuid.UUID, staff: dict, rest: str) -> str:
        target: str | None = None
        digits = re.sub(r"[^\d+]", "", rest or "")
        if len(digits.lstrip("+")) >= 10:
            try:
                target = normalize_phone(digits if digits.startswith("+") else digits)
            except DomainError:
                target = None
        if target is None and self.conversation_reads is not None:
            pending = self.conversation_reads.list_handed_off(organization_id)
            if len(pending) == 1:
                target = pending[0]["customer_phone"]
            elif len(pending) > 1:
                return texts.HANDOFF_WHICH.format(example=pending[0]["customer_phone"].lstrip("+"))
        if target is None:
            return texts.HANDOFF_NOTHING
        try:
            self.app.execute(
                ResolveHandoff(actor=Actor.staff(staff["id"]), cause="whatsapp:listo", organization_id=organization_id, customer_phone=target)
            )
        except PermissionDenied as refused:
            return refused.message  # only owners and admins hand a conversation back (docs/security.md)
        except DomainError:
            return texts.HANDOFF_NOTHING
        return texts.HANDOFF_RESOLVED.format(phone=format_phone(target))

    def _central_turn(self, state: dict, item: dict):
        """Case 2a: staff of exactly one business manage it from the central number too (team mode)."""
        registrations: list[dict] = []
        if self.reads is not None and self.team_agent_factory is not None:
            try:
                registrations = self.reads.list_staff_registrations(state["phone_number"])
            except Exception:  # noqa: BLE001 - the generic central reply still answers
                log.debug("registrations lookup failed", exc_info=True)
        if len(registrations) != 1:
            return [self._central_reply(state["phone_number"])], "central", None
        result = self.team_agent_factory().handle(
            organization_id=registrations[0]["organization_id"], staff_id=registrations[0]["id"], text=item["body"] or "",
            message_id=item["message_sid"], state=dict(state["agent_state"]),
        )
        return list(result.replies), "team", dict(result.state)

    def _central_reply(self, phone: str) -> str:
        registrations: list[dict] = []
        if self.reads is not None:
            try:
                registrations = self.reads.list_staff_registrations(phone)
            except Exception:  # noqa: BLE001 - fall back to the generic welcome
                log.debug("registrations lookup failed", exc_info=True)
        if not registrations:
            return texts.CENTRAL_WELCOME
        name = (registrations[0].get("name") or "").split(" ")[0] or "hola"
        if len(registrations) == 1:
            reg = registrations[0]
            return texts.CENTRAL_ONE_BUSINESS.format(
                name=name, business=reg["organization_name"], number=format_phone(reg["organization_phone_number"])
            )
        lines = "\n".join(
            f"• {r['organization_name']}: {format_phone(r['organization_phone_number'])}" for r in registrations
        )
        return texts.CENTRAL_MANY_BUSINESSES.format(name=name, lines=lines)


def _media_only(item: dict) -> bool:
    """A photo, voice note or sticker with no caption (a caption arrives as the Body: it is the text)."""
    try:
        media = int(item.get("num_media") or 0)
    except (TypeError, ValueError):
        media = 0
    return media > 0 and not (item.get("body") or "").strip()
