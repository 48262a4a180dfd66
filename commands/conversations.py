"""Handlers for WhatsApp conversations: inbound messages, outbound messages and their delivery, handoff.

Plus a few write-model queries the gateway decides with (always consistent, no projection lag).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from eventsourcing.application import AggregateNotFoundError

from aggregates.conversation import (
    CENTRAL_ORGANIZATION_ID,
    Conversation,
    InboundMessage,
    OutboundMessage,
    TwilioSidIndex,
    status_rank,
)
from aggregates.errors import InvalidInput, NotFound, PermissionDenied
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase, CommandResult, retry_on_conflict
from commands.messages import (
    ClaimOutboundMessage,
    HandOffConversation,
    QueueOutboundMessage,
    RecordInboundMessage,
    RecordMessageStatus,
    RecordOutboundFailed,
    RecordOutboundSent,
    ResolveHandoff,
    SaveAgentState,
)
from commands.phones import normalize_phone, whatsapp_address

OUTBOUND_KINDS = ("reply", "notification", "magic_link", "reminder", "handoff", "welcome")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ConversationCommands(CommandBase):
    # ---- helpers ------------------------------------------------------------------------

    def _get_or_none(self, aggregate_id: uuid.UUID):
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _stored(self, aggregate_id: uuid.UUID) -> bool:
        """Whether an aggregate has events (one indexed row read, no replay)."""
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def _check_org(self, organization_id: uuid.UUID) -> Organization | None:
        """The organization (None for Parlo's central number)."""
        if organization_id == CENTRAL_ORGANIZATION_ID:
            return None
        return self._organization(organization_id)

    def _conversation(self, organization_id: uuid.UUID, phone: str, address: str | None, label: str, cause: str) -> Conversation:
        existing = self._get_or_none(Conversation.create_id(organization_id, phone))
        if existing is not None:
            return existing
        return Conversation.start(
            organization_id=organization_id,
            phone_number=phone,
            whatsapp_address=address or whatsapp_address(phone),
            actor=label,
            cause=cause,
        )

    def _conversation_actor_label(self, organization_id: uuid.UUID, actor, phone: str, action: str) -> str:
        """Who acts on the conversation with ``phone``: a customer only on their own (same
        normalized phone), anyone else through the permission matrix."""
        if actor.kind == "customer":
            if normalize_phone(actor.id) != phone:
                raise PermissionDenied("No tienes permiso para cambiar la conversación de otra persona.")
            return f"customer:{phone}"
        return self._system_label(organization_id, actor, action)

    def _system_label(self, organization_id: uuid.UUID, actor, action: str) -> str:
        if actor.kind in ("admin", "system"):
            return actor.label
        if organization_id == CENTRAL_ORGANIZATION_ID:
            raise PermissionDenied("No tienes permiso para hacer eso.")
        label, _ = self._authorize(organization_id, actor, action)
        return label

    # ---- inbound ------------------------------------------------------------------------

    @retry_on_conflict
    def record_inbound_message(self, cmd: RecordInboundMessage) -> CommandResult:
        inbound_id = InboundMessage.create_id(cmd.message_sid)
        if self._stored(inbound_id):
            existing = self.repository.get(inbound_id)
            return CommandResult(inbound_id, None, {"duplicate": True, "conversation_id": existing.conversation_id})
        if cmd.organization_id != CENTRAL_ORGANIZATION_ID and not self._stored(cmd.organization_id):
            raise NotFound("No encontré ese negocio.")
        phone = normalize_phone(cmd.from_address)
        label = f"customer:{phone}"
        received_at = cmd.received_at or self.now()
        conversation = self._conversation(cmd.organization_id, phone, cmd.from_address, label, cmd.cause)
        inbound = InboundMessage.record(
            message_sid=cmd.message_sid,
            organization_id=cmd.organization_id,
            conversation_id=conversation.id,
            from_address=cmd.from_address,
            to_number=cmd.to_number,
            body=cmd.body or "",
            media=list(cmd.media or []),
            received_at=received_at,
            actor=label,
            cause=cmd.cause,
        )
        conversation.receive(
            message_id=inbound.id,
            message_sid=cmd.message_sid,
            whatsapp_address=cmd.from_address,
            to_number=cmd.to_number,
            body=cmd.body or "",
            profile_name=cmd.profile_name,
            wa_id=cmd.wa_id,
            num_media=int(cmd.num_media or 0),
            received_at=received_at,
            actor=label,
            cause=cmd.cause,
        )
        position = self._save(conversation, inbound)
        return CommandResult(
            inbound.id, position, {"duplicate": False, "conversation_id": conversation.id, "customer_phone": phone}
        )

    @retry_on_conflict
    def save_agent_state(self, cmd: SaveAgentState) -> CommandResult:
        phone = normalize_phone(cmd.customer_phone)
        label = self._conversation_actor_label(cmd.organization_id, cmd.actor, phone, "manage_customers")
        conversation = self._get_or_none(Conversation.create_id(cmd.organization_id, phone))
        if conversation is None:
            raise NotFound("No encontré esa conversación.")
        conversation.finish_turn(message_sid=cmd.message_sid, state=cmd.state, outcome=cmd.outcome, actor=label, cause=cmd.cause)
        return CommandResult(conversation.id, self._save(conversation))

    # ---- outbound -----------------------------------------------------------------------

    @retry_on_conflict
    def queue_outbound_message(self, cmd: QueueOutboundMessage) -> CommandResult:
        if cmd.kind not in OUTBOUND_KINDS:
            raise InvalidInput(f"Tipo de mensaje desconocido: «{cmd.kind}».")
        phone = normalize_phone(cmd.to_phone)
        if cmd.actor.kind == "customer":
            if normalize_phone(cmd.actor.id) != phone:
                raise PermissionDenied("No tienes permiso para enviar mensajes a otra persona.")
            label = f"customer:{phone}"
        else:
            label = self._system_label(cmd.organization_id, cmd.actor, "manage_customers")
        message_id = cmd.message_id or uuid.uuid4()
        existing = self._get_or_none(message_id)
        if existing is not None:
            if not isinstance(existing, OutboundMessage):
                raise InvalidInput("Ese identificador de mensaje ya se usa para otra cosa.")
            return CommandResult(message_id, None, {"created": False, "status": existing.status})
        org = self._check_org(cmd.organization_id)
        if cmd.from_number:
            from_number = normalize_phone(cmd.from_number)
        else:
            from_number = org.whatsapp_numbers[0] if org is not None else ""
        now = self.now()
        conversation = self._conversation(cmd.organization_id, phone, None, label, cmd.cause)
        message = OutboundMessage.queue(
            message_id=message_id,
            organization_id=cmd.organization_id,
            conversation_id=conversation.id,
            to_phone=phone,
            to_address=conversation.whatsapp_address,
            from_number=from_number,
            body=cmd.body,
            kind=cmd.kind,
            template_variables=dict(cmd.template_variables) if cmd.template_variables else None,
            queued_at=now,
            actor=label,
            cause=cmd.cause,
        )
        conversation.note_outbound(message_id=message_id, body=cmd.body, kind=cmd.kind, queued_at=now, actor=label, cause=cmd.cause)
        return CommandResult(message_id, self._save(conversation, message), {"created": True, "status": "pending"})

    def _outbound(self, message_id: uuid.UUID) -> OutboundMessage:
        return self._load(OutboundMessage, message_id, "No encontré ese mensaje.")

    @retry_on_conflict
    def claim_outbound_message(self, cmd: ClaimOutboundMessage) -> CommandResult:
        message = self._outbound(cmd.message_id)
        now = self.now()
        if not message.claimable(now):
            return CommandResult(message.id, None, {"claimed": False, **self._outbound_view(message, now)})
        message.claim(now=now, lease_until=now + timedelta(seconds=cmd.lease_seconds), actor=cmd.actor.label, cause=cmd.cause)
        position = self._save(message)
        return CommandResult(message.id, position, {"claimed": True, **self._outbound_view(message, now)})

    def _outbound_view(self, message: OutboundMessage, now: datetime) -> dict:
        conversation = self._get_or_none(message.conversation_id)
        last_inbound = conversation.last_inbound_at if conversation is not None else None
        return {
            "message_id": message.id,
            "organization_id": message.organization_id,
            "conversation_id": message.conversation_id,
            "to_phone": message.to_phone,
            "to_address": message.to_address,
            "from_number": message.from_number,
            "body": message.body,
            "kind": message.kind,
            "template_variables": message.template_variables,
            "status": message.status,
            "attempts": message.attempts,
            "force_template": message.force_template,
            "next_attempt_at": message.next_attempt_at,
            "twilio_sid": message.twilio_sid,
            "error_code": message.error_code,
            "error_message": message.error_message,
            "last_inbound_at": last_inbound,
            "within_window": conversation.within_window(now) if conversation is not None else False,
        }

    def outbound_message(self, message_id: uuid.UUID) -> dict | None:
        """Write-model view of an outbound message (None if unknown)."""
        message = self._get_or_none(message_id)
        if not isinstance(message, OutboundMessage):
            return None
        return self._outbound_view(message, self.now())

    @retry_on_conflict
    def record_outbound_sent(self, cmd: RecordOutboundSent) -> CommandResult:
        message = self._outbound(cmd.message_id)
        now = self.now()
        message.record_sent(twilio_sid=cmd.twilio_sid, status=cmd.status, content_sid=cmd.content_sid, at=now, actor=cmd.actor.label, cause=cmd.cause)
        index = self._get_or_none(TwilioSidIndex.create_id(cmd.twilio_sid))
        if index is None:
            index = TwilioSidIndex.open(twilio_sid=cmd.twilio_sid, message_id=message.id, actor=cmd.actor.label, cause=cmd.cause)
        else:
            index.attach(message.id, actor=cmd.actor.label, cause=cmd.cause)
            for early in index.early_statuses:
                message.update_status(early["status"], error_code=early["error_code"], at=now, actor=cmd.actor.label, cause=cmd.cause)
        return CommandResult(message.id, self._save(message, index), {"status": message.status})

    @retry_on_conflict
    def record_outbound_failed(self, cmd: RecordOutboundFailed) -> CommandResult:
        message = self._outbound(cmd.message_id)
        message.record_failure(
            error_code=cmd.error_code,
            error_message=cmd.error_message,
            retry_at=cmd.retry_at,
            use_template=cmd.use_template,
            at=self.now(),
            actor=cmd.actor.label,
            cause=cmd.cause,
        )
        return CommandResult(message.id, self._save(message), {"status": message.status})

    @retry_on_conflict
    def record_message_status(self, cmd: RecordMessageStatus) -> CommandResult:
        status = (cmd.status or "").strip().lower()
        if status_rank(status) < 1:
            raise InvalidInput(f"Estado de mensaje desconocido: «{cmd.status}».")
        now = self.now()
        index = self._get_or_none(TwilioSidIndex.create_id(cmd.twilio_sid))
        if index is None or index.message_id is None:
            # The callback beat our own record of the send: keep it for when we record it.
            if index is None:
                index = TwilioSidIndex.open(twilio_sid=cmd.twilio_sid, message_id=None, actor=cmd.actor.label, cause=cmd.cause)
            index.remember_status(status, cmd.error_code, now, actor=cmd.actor.label, cause=cmd.cause)
            return CommandResult(None, self._save(index), {"changed": False, "early": True})
        message = self._outbound(index.message_id)
        changed = message.update_status(status, error_code=cmd.error_code, at=now, actor=cmd.actor.label, cause=cmd.cause)
        return CommandResult(message.id, self._save(message) if changed else None, {"changed": changed, "status": message.status})

    # ---- handoff ------------------------------------------------------------------------

    @retry_on_conflict
    def hand_off_conversation(self, cmd: HandOffConversation) -> CommandResult:
        phone = normalize_phone(cmd.customer_phone)
        label = self._conversation_actor_label(cmd.organization_id, cmd.actor, phone, "manage_customers")
        conversation = self._get_or_none(Conversation.create_id(cmd.organization_id, phone))
        if conversation is None:
            raise NotFound("No encontré esa conversación.")
        already = conversation.handed_off
        conversation.hand_off(cmd.reason, actor=label, cause=cmd.cause)
        return CommandResult(conversation.id, self._save(conversation), {"already_handed_off": already})

    @retry_on_conflict
    def resolve_handoff(self, cmd: ResolveHandoff) -> CommandResult:
        label = self._system_label(cmd.organization_id, cmd.actor, "resolve_handoff")
        if cmd.conversation_id is not None:
            conversation_id = cmd.conversation_id
        elif cmd.customer_phone:
            conversation_id = Conversation.create_id(cmd.organization_id, normalize_phone(cmd.customer_phone))
        else:
            raise InvalidInput("Indica la conversación o el teléfono del cliente.")
        conversation = self._get_or_none(conversation_id)
        if not isinstance(conversation, Conversation) or conversation.organization_id != cmd.organization_id:
            raise NotFound("No encontré esa conversación.")
        conversation.resolve_handoff(actor=label, cause=cmd.cause)
        return CommandResult(conversation.id, self._save(conversation))

    # ---- write-model queries for the gateway --------------------------------------------

    def conversation_state(self, organization_id: uuid.UUID, phone: str) -> dict | None:
        conversation = self._get_or_none(Conversation.create_id(organization_id, normalize_phone(phone)))
        if not isinstance(conversation, Conversation):
            return None
        return {
            "id": conversation.id,
            "organization_id": conversation.organization_id,
            "phone_number": conversation.phone_number,
            "whatsapp_address": conversation.whatsapp_address,
            "profile_name": conversation.profile_name,
            "agent_state": dict(conversation.agent_state),
            "status": conversation.status,
            "handed_off": conversation.handed_off,
            "handoff_reason": conversation.handoff_reason,
            "last_inbound_at": conversation.last_inbound_at,
            "pending_inbound": [dict(item) for item in conversation.pending_inbound],
            "history": [dict(item) for item in conversation.history],
            "version": conversation.version,
        }

    def organization_for_number(self, e164: str) -> dict | None:
        """The organization whose primary WhatsApp number this is (write model)."""
        org = self._get_or_none(Organization.create_id(e164))
        if not isinstance(org, Organization):
            return None
        return self._org_view(org)

    def organization_view(self, organization_id: uuid.UUID) -> dict | None:
        org = self._get_or_none(organization_id)
        return self._org_view(org) if isinstance(org, Organization) else None

    @staticmethod
    def _org_view(org: Organization) -> dict:
        return {
            "id": org.id,
            "name": org.name,
            "status": org.status,
            "timezone": org.timezone,
            "whatsapp_numbers": list(org.whatsapp_numbers),
            "phone_number": org.whatsapp_numbers[0],
        }

    def staff_for_phone(self, organization_id: uuid.UUID, phone: str) -> dict | None:
        staff = self._get_or_none(StaffMember.create_id(organization_id, normalize_phone(phone)))
        if not isinstance(staff, StaffMember) or staff.organization_id != organization_id:
            return None
        return self._staff_view(staff)

    @staticmethod
    def _staff_view(staff: StaffMember) -> dict:
        return {
            "id": staff.id,
            "organization_id": staff.organization_id,
            "name": staff.name,
            "phone_number": staff.phone_number,
            "permission_level": staff.permission_level,
            "is_active": staff.is_active,
            "first_message_at": getattr(staff, "first_message_at", None),
        }

    def staff_view(self, staff_id: uuid.UUID) -> dict | None:
        staff = self._get_or_none(staff_id)
        return self._staff_view(staff) if isinstance(staff, StaffMember) else None

    def owner_contacts(self, organization_id: uuid.UUID) -> list[dict]:
        org = self._get_or_none(organization_id)
        if not isinstance(org, Organization):
            return []
        owners = []
        for staff_id in org.staff_ids:
            staff = self._get_or_none(uuid.UUID(str(staff_id)))
            if isinstance(staff, StaffMember) and staff.is_active and staff.permission_level == "owner":
                owners.append(self._staff_view(staff))
        return owners

    def appointment_notice_context(self, appointment_id: uuid.UUID, version: int | None = None) -> dict | None:
        """What a notification about an appointment needs, from the write model."""
        from aggregates.appointment import Appointment
        from aggregates.customer import Customer

        try:
            appointment = self.repository.get(appointment_id, version=version)
        except AggregateNotFoundError:
            return None
        if not isinstance(appointment, Appointment):
            return None
        org = self._get_or_none(appointment.organization_id)
        if not isinstance(org, Organization):
            return None
        customer = self._get_or_none(appointment.customer_id)
        service = org.services.get(str(appointment.service_id), {})
        return {
            "appointment_id": appointment.id,
            "organization_id": org.id,
            "organization_name": org.name,
            "timezone": org.timezone,
            "status": appointment.status,
            "scheduled_start": appointment.scheduled_start,
            "scheduled_end": appointment.scheduled_end,
            "staff_id": appointment.staff_id,
            "service_name": service.get("name", "Servicio"),
            "customer_name": (customer.name if isinstance(customer, Customer) else None),
            "customer_phone": (customer.phone_number if isinstance(customer, Customer) else None),
            "cancellation_reason": appointment.cancellation_reason,
        }
