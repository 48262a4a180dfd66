"""Outbound delivery: status callbacks, retries, the 24-hour window and templates, crash recovery."""

from __future__ import annotations

import uuid

from commands import Actor
from commands.definitions import QueueOutboundMessage, RecordInboundMessage, RecordMessageStatus, RecordOutboundSent
from wa_support import CUSTOMER, CUSTOMER_E164, OWNER, WEBHOOK, Stack


def _outbound_rows(stack: Stack, phone: str = CUSTOMER_E164) -> list[dict]:
    conv = stack.container.conversation_reads.get_conversation_by_phone(stack.demo.organization_id, phone)
    return [m for m in stack.container.conversation_reads.list_messages(conv["id"]) if m["direction"] == "outbound"]


def _status(stack: Stack, sid: str, status: str, **extra) -> None:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": f"whatsapp:{CUSTOMER}", **extra}
    response = stack.post(form, path=WEBHOOK + "/status")
    assert response.status_code == 204


def test_status_callbacks_only_move_forward(stack: Stack) -> None:
    stack.send("Hola")
    stack.settle()
    sid = stack.replies_to(CUSTOMER)[0]["sid"]
    _status(stack, sid, "read")
    _status(stack, sid, "delivered")  # late
    _status(stack, sid, "sent")  # later still
    stack.settle()
    row = next(m for m in _outbound_rows(stack) if m["whatsapp_message_id"] == sid)
    assert row["status"] == "read"
    # Forged status callbacks are refused.
    forged = {"MessageSid": sid, "MessageStatus": "failed"}
    assert stack.post(forged, path=WEBHOOK + "/status", signature="AAAA").status_code == 403


def test_status_callback_that_beats_our_record_of_the_send_is_kept(stack: Stack) -> None:
    app = stack.app
    queued = app.execute(
        QueueOutboundMessage(actor=Actor.system("t"), cause="t", organization_id=stack.demo.organization_id, to_phone=CUSTOMER_E164, body="Hola")
    )
    app.execute(RecordMessageStatus(actor=Actor.system("t"), cause="t", twilio_sid="SMearly", status="delivered"))
    app.execute(RecordOutboundSent(actor=Actor.system("t"), cause="t", message_id=queued.id, twilio_sid="SMearly", status="queued"))
    assert app.outbound_message(queued.id)["status"] == "delivered"
    app.execute(RecordMessageStatus(actor=Actor.system("t"), cause="t", twilio_sid="SMearly", status="sent"))
    assert app.outbound_message(queued.id)["status"] == "delivered"


def test_failed_sends_are_retried_with_backoff_until_twilio_accepts(stack: Stack) -> None:
    stack.twilio.fail_next(3, "500")
    stack.send("Hola")
    stack.settle()
    replies = stack.replies_to(CUSTOMER)
    assert len(replies) == len(stack.outcomes[0]["replies"]) >= 1
    assert stack.twilio.requests == len(replies) + 3
    message = stack.app.outbound_message(stack.outcomes[0]["message_ids"][0])
    assert message["status"] == "queued" and message["attempts"] == 4 and message["twilio_sid"] == replies[0]["sid"]


def test_a_message_left_pending_by_a_crash_is_sent_by_the_sweep(stack: Stack) -> None:
    app = stack.app
    # Queued, then the process "died" before dispatching it (no job was enqueued).
    queued = app.execute(
        QueueOutboundMessage(actor=Actor.system("t"), cause="t", organization_id=stack.demo.organization_id, to_phone=OWNER, body="Prueba", kind="reply")
    )
    # An inbound message stored, then the process died before processing it.
    app.execute(
        RecordInboundMessage(
            actor=Actor.system("t"), cause="SMcrash", organization_id=stack.demo.organization_id, message_sid="SMcrash",
            from_address=f"whatsapp:{CUSTOMER}", to_number="+525512345678", body="Hola",
        )
    )
    stack.container.wait_for(app.recorder.max_notification_id())
    stack.wa.jobs.inbound_stale_seconds = 0
    found = stack.wa.jobs.sweep_once()
    assert found == {"outbound": 1, "inbound": 1}
    stack.settle()
    assert len(stack.replies_to(CUSTOMER)) >= 1
    # The owner message is outside the 24-hour window with no template: failed, with the reason.
    message = app.outbound_message(queued.id)
    assert message["status"] == "failed" and message["error_code"] == "no_template"
    assert stack.wa.jobs.sweep_once() == {"outbound": 0, "inbound": 0}


def test_outside_the_24_hour_window_only_templates_go(stack: Stack) -> None:
    app, org = stack.app, stack.demo.organization_id
    stack.send("Hola")
    stack.settle()
    sent_before = len(stack.twilio.messages)
    stack.clock.advance(hours=25)

    def queue(kind: str, body: str) -> uuid.UUID:
        return app.execute(
            QueueOutboundMessage(
                actor=Actor.system("reminders"), cause="t", organization_id=org, to_phone=CUSTOMER_E164, body=body, kind=kind,
                template_variables={"1": "mañana a las 4:00 PM", "2": "Corte de cabello"},
            )
        ).id

    no_template = queue("reminder", "Te recuerdo tu cita de mañana")
    stack.wa.dispatcher.dispatch(no_template)
    failed = app.outbound_message(no_template)
    assert failed["status"] == "failed" and failed["error_code"] == "no_template"
    assert "24 horas" in failed["error_message"] and "reminder" in failed["error_message"]
    assert len(stack.twilio.messages) == sent_before

    stack.wa.dispatcher.templates["reminder"] = "HX" + "a" * 32
    with_template = queue("reminder", "Te recuerdo tu cita de mañana")
    assert stack.wa.dispatcher.dispatch(with_template)["result"] == "sent"
    sent = stack.twilio.messages[-1]
    assert sent["content_sid"] == "HX" + "a" * 32 and sent["body"] in (None, "")
    assert sent["content_variables"] == {"1": "mañana a las 4:00 PM", "2": "Corte de cabello"}
    assert sent["to"] == f"whatsapp:{CUSTOMER}"
    # A new inbound message reopens the window: free-form again.
    stack.send("Gracias")
    stack.settle()
    assert stack.twilio.messages[-1]["body"] and stack.twilio.messages[-1]["content_sid"] is None


def test_63016_from_twilio_switches_to_the_template(stack: Stack) -> None:
    stack.wa.dispatcher.templates["reply"] = "HX" + "b" * 32
    stack.twilio.fail_next(1, "63016")  # WhatsApp thinks the window closed
    stack.send("Hola")
    stack.settle()
    first = stack.app.outbound_message(stack.outcomes[0]["message_ids"][0])
    assert first["status"] == "queued" and first["force_template"] is True
    assert stack.replies_to(CUSTOMER)[0]["content_sid"] == "HX" + "b" * 32


def test_63016_without_template_fails_clearly(stack: Stack) -> None:
    stack.twilio.fail_next(1, "63016")
    stack.send("Hola")
    stack.settle()
    first = stack.app.outbound_message(stack.outcomes[0]["message_ids"][0])
    assert first["status"] == "failed" and first["error_code"] == "63016"
    assert "24 horas" in first["error_message"]


def test_rebuilding_the_conversations_projection_gives_the_same_rows(stack: Stack) -> None:
    from sqlalchemy import select

    from readmodels.conversation_tables import conversations, messages

    stack.send("Hola")
    stack.send("Quiero un corte")
    stack.settle()
    _status(stack, stack.replies_to(CUSTOMER)[0]["sid"], "delivered")
    stack.settle()

    def snapshot() -> tuple:
        with stack.container.engine.connect() as conn:
            convs = sorted(tuple(r) for r in conn.execute(select(conversations)))
            msgs = sorted(tuple(r) for r in conn.execute(select(messages)))
        return convs, msgs

    before = snapshot()
    stack.container.projections.rebuild("conversations")
    assert snapshot() == before
