"""Issue #8 through the signed webhook (PostgreSQL): a Body with %00 is stored without the NUL,
answered, and projected like any other message."""

from __future__ import annotations

from wa_support import CUSTOMER, CUSTOMER_E164, Stack


def test_a_nul_in_the_body_is_removed_and_the_message_answered(stack: Stack) -> None:
    sid, response = stack.send("Hola\x00 buenas\x00 tardes")
    assert response.status_code == 200
    stack.settle()
    assert stack.replies_to(CUSTOMER)
    conv = stack.container.conversation_reads.get_conversation_by_phone(stack.demo.organization_id, CUSTOMER_E164)
    inbound = [m for m in stack.container.conversation_reads.list_messages(conv["id"]) if m["direction"] == "inbound"]
    assert [m["content"] for m in inbound] == ["Hola buenas tardes"] and inbound[0]["whatsapp_message_id"] == sid
    assert stack.container.projections.failures() == []
