"""Who may act on a conversation, the first message of a team member, the Twilio SID index's
audit fields, and point-in-time state (in-memory store)."""

from __future__ import annotations

from datetime import date

import pytest

from aggregates.base import NotRecording, recording

from aggregates.calendar import StaffDay
from aggregates.conversation import Conversation, TwilioSidIndex
from aggregates.errors import NotFound, PermissionDenied
from commands import Actor
from commands.definitions import (
    HandOffConversation,
    QueueOutboundMessage,
    RecordInboundMessage,
    RecordMessageStatus,
    RecordOutboundSent,
    RecordStaffFirstMessage,
    SaveAgentState,
)

ANA = "+525599990001"
BETO = "+525599990002"
SYSTEM = Actor.system("tests")


def conversation_with_ana(app, demo) -> None:
    app.execute(
        RecordInboundMessage(actor=Actor.customer(ANA), cause="SM1", organization_id=demo.organization_id, message_sid="SM1",
                             from_address=f"whatsapp:{ANA}", to_number="+525512345678", body="Hola")
    )


def conversation(app, demo, phone=ANA) -> Conversation:
    return app.repository.get(Conversation.create_id(demo.organization_id, phone))


# ---- a customer acts only on their own conversation ---------------------------------------------


def test_a_customer_cannot_hand_off_someone_elses_conversation(memory_app, demo):
    # given: Ana's conversation
    conversation_with_ana(memory_app, demo)
    before = conversation(memory_app, demo).version

    # when: Beto (a customer) names Ana's phone
    with pytest.raises(PermissionDenied):
        memory_app.execute(HandOffConversation(actor=Actor.customer(BETO), cause="t", organization_id=demo.organization_id, customer_phone=ANA))

    # then: nothing happened; Ana herself (any phone format) may
    assert conversation(memory_app, demo).version == before
    memory_app.execute(HandOffConversation(actor=Actor.customer("55 9999 0001"), cause="t2", organization_id=demo.organization_id, customer_phone=ANA))
    assert conversation(memory_app, demo).handed_off is True


def test_a_customer_cannot_save_agent_state_on_someone_elses_conversation(memory_app, demo):
    # given
    conversation_with_ana(memory_app, demo)
    before = conversation(memory_app, demo).version

    # when / then
    with pytest.raises(PermissionDenied):
        memory_app.execute(SaveAgentState(actor=Actor.customer(BETO), cause="t", organization_id=demo.organization_id, customer_phone=ANA,
                                          message_sid="SM1", state={"x": 1}))
    assert conversation(memory_app, demo).version == before
    memory_app.execute(SaveAgentState(actor=Actor.customer(ANA), cause="SM1", organization_id=demo.organization_id, customer_phone=ANA,
                                      message_sid="SM1", state={"x": 1}))
    assert conversation(memory_app, demo).agent_state == {"x": 1}


# ---- a team member's first message ------------------------------------------------------------------


def test_only_the_system_or_the_same_staff_member_records_their_first_message(memory_app, demo, clock):
    org_id = demo.organization_id
    miguel, carlos = demo.staff_ids["Miguel Sánchez"], demo.staff_ids["Carlos Mendoza"]

    # when: someone else (even the owner), an admin or a customer tries
    for actor in (Actor.staff(carlos), Actor.admin("ops"), Actor.customer(ANA)):
        with pytest.raises(PermissionDenied):
            memory_app.execute(RecordStaffFirstMessage(actor=actor, cause="t", organization_id=org_id, staff_id=miguel, at=clock()))

    # then: nothing recorded; Miguel himself may
    assert memory_app.repository.get(miguel).first_message_at is None
    memory_app.execute(RecordStaffFirstMessage(actor=Actor.staff(miguel), cause="SM-first", organization_id=org_id, staff_id=miguel, at=clock()))
    assert memory_app.repository.get(miguel).first_message_at == clock()
    # and the WhatsApp channel (a system job) may record it for the owner
    memory_app.execute(RecordStaffFirstMessage(actor=SYSTEM, cause="SM-2", organization_id=org_id, staff_id=carlos, at=clock()))
    assert memory_app.repository.get(carlos).first_message_at == clock()


# ---- every event records actor and cause -------------------------------------------------------------


def queue_and_send(app, demo, sid: str) -> None:
    message = app.execute(QueueOutboundMessage(actor=SYSTEM, cause="q", organization_id=demo.organization_id, to_phone=ANA, body="Hola", kind="notification"))
    app.execute(RecordOutboundSent(actor=Actor.system("whatsapp-dispatcher"), cause=f"send:{message.id}", message_id=message.id, twilio_sid=sid))


def test_twilio_sid_index_events_record_actor_and_cause(memory_app, demo):
    # given: a status callback that arrives before we recorded the send, then the send
    memory_app.execute(RecordMessageStatus(actor=Actor.system("twilio-status"), cause="cb-1", twilio_sid="SMearly", status="delivered"))
    queue_and_send(memory_app, demo, "SMearly")
    # and a normal send
    queue_and_send(memory_app, demo, "SMnormal")

    # then: Opened, StatusRemembered and Attached all say who and why
    events = []
    for sid in ("SMearly", "SMnormal"):
        events += list(memory_app.repository.event_store.get(TwilioSidIndex.create_id(sid)))
    assert [type(e).__name__ for e in events] == ["Opened", "StatusRemembered", "Attached", "Opened"]
    assert [(e.actor, e.cause.split(":")[0]) for e in events] == [
        ("system:twilio-status", "cb-1"),
        ("system:twilio-status", "cb-1"),
        ("system:whatsapp-dispatcher", "send"),
        ("system:whatsapp-dispatcher", "send"),
    ]


def test_a_day_calendar_cannot_be_opened_without_actor_and_cause(memory_app, demo):
    # then: outside a recording there is nobody to stamp on the event, so nothing happens
    with pytest.raises(NotRecording):
        StaffDay.open(demo.staff_ids["Miguel Sánchez"], demo.organization_id, date(2026, 1, 15))
    # and inside one, the event records who and why
    with recording("staff:x", "SM-open"):
        day = StaffDay.open(demo.staff_ids["Miguel Sánchez"], demo.organization_id, date(2026, 1, 15))
    opened = day.pending_events[0]
    assert (opened.actor, opened.cause) == ("staff:x", "SM-open")


# ---- state at a version -------------------------------------------------------------------------------


def test_state_at_a_version_beyond_the_last_is_not_found(memory_app, demo):
    # given: Ana's conversation has a few events
    conversation_with_ana(memory_app, demo)
    conversation_id = Conversation.create_id(demo.organization_id, ANA)
    last = len(memory_app.event_history(conversation_id))

    # when / then: the last version is fine, one more is a clear Spanish NotFound
    assert memory_app.state_at(conversation_id, version=last)["version"] == last
    with pytest.raises(NotFound) as error:
        memory_app.state_at(conversation_id, version=99)
    assert "no tiene la versión 99" in error.value.message and f"la {last}" in error.value.message
    with pytest.raises(NotFound):
        memory_app.state_at(conversation_id, version=0)
