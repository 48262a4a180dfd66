"""Write-model queries the gateway decides with: always consistent, no projection lag.

They read aggregates (never the read models) and never save.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from eventsourcing.application import AggregateNotFoundError

from aggregates.appointment import Appointment
from aggregates.conversation import Conversation, OutboundMessage
from aggregates.customer import Customer
from aggregates.organization import Organization
from aggregates.staff import StaffMember
from commands.base import CommandBase
from commands.phones import normalize_phone


class WriteModelQueries(CommandBase):
    def outbound_view(self, message: OutboundMessage, now: datetime) -> dict:
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
        return self.outbound_view(message, self.now())

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
        service = org.services.get(str(appointment.service_id))
        return {
            "appointment_id": appointment.id,
            "organization_id": org.id,
            "organization_name": org.name,
            "timezone": org.timezone,
            "status": appointment.status,
            "scheduled_start": appointment.scheduled_start,
            "scheduled_end": appointment.scheduled_end,
            "staff_id": appointment.staff_id,
            "service_name": service.name if service is not None else "Servicio",
            "customer_name": (customer.name if isinstance(customer, Customer) else None),
            "customer_phone": (customer.phone_number if isinstance(customer, Customer) else None),
            "cancellation_reason": appointment.cancellation_reason,
        }
