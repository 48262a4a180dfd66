"""The team tool layer: scoped by construction, one dispatcher, Spanish refusals, idempotent."""

from __future__ import annotations

import uuid

from agent.team.tools import TOOLS, TeamTools, openai_tools
from infra.seed import seed_demo
from team_support import OWNER, TeamWorld


def tools_for(world: TeamWorld, who: str, sid: str = "SMtools1") -> TeamTools:
    return TeamTools(app=world.app, reads=world.reads, wait_for=world.wait_for, organization_id=world.org_id,
                     staff_id=world.sid(who), message_id=sid, now=world.clock())


def test_every_tool_has_an_openai_schema_from_its_model():
    specs = {t["function"]["name"]: t["function"] for t in openai_tools()}
    assert set(specs) == set(TOOLS)
    assert specs["block_time"]["parameters"]["required"] == ["start", "end"]
    assert specs["mark_appointment_status"]["parameters"]["properties"]["status"]["enum"] == ["completed", "no_show", "cancelled"]


def test_commands_are_issued_as_the_staff_member_with_the_message_as_cause(world):
    # given Miguel's tools for one inbound message
    tools = tools_for(world, "Miguel", "SMcause42")
    # when he books a walk-in
    result = tools.call("book_walk_in", {"service_id": str(world.service("Arreglo de barba")), "customer_phone": "55 9876 5432", "customer_name": "ana"})
    # then the appointment records him and the message
    assert result.ok, result.error
    history = world.reads.get_appointment_history(world.org_id, result.data["appointment_id"])
    assert history[0]["actor"] == f"staff:{world.sid('Miguel')}"
    assert history[0]["cause"] == "SMcause42"
    assert result.data["customer"] == "Ana" and result.data["staff"] == "Miguel Sánchez"
    assert result.data["customer_notified"] is True
    confirmations = world.outbound("+525598765432")
    assert len(confirmations) == 1 and "Barbería Don Carlos" in confirmations[0]["text"]


def test_another_business_is_out_of_reach(world):
    # given a second business with its own appointment
    other = seed_demo(world.app, whatsapp_number="+525587654321", name="Barbería Otra")
    from commands import Actor
    from commands.messages import BookAppointment

    booked = world.app.execute(BookAppointment(
        actor=Actor.system("t"), cause="t", organization_id=other.organization_id, service_id=other.service_ids["Corte de cabello"],
        start=world.local(1, 11), customer_phone="+525500001111", customer_name="Ajeno",
    ))
    world.wait_for(booked.position)
    before = world.snapshot()
    tools = tools_for(world, "Carlos")
    # when the owner of the first business tries to act on it or look it up
    cancel = tools.call("mark_appointment_status", {"appointment_id": str(booked.id), "status": "cancelled"})
    history = tools.call("get_customer_history", {"customer_phone": "+525500001111"})
    schedule = tools.call("get_business_schedule", {"date_from": world.local(1, 0).date()})
    # then nothing is found and nothing changes
    assert not cancel.ok and "No encontré esa cita" in cancel.error
    assert history.ok and history.data["found"] == 0
    assert all(item["customer"] != "Ajeno" for day in schedule.data["days"] for item in day["items"])
    assert world.snapshot() == before


def test_a_viewer_is_refused_in_spanish_and_nothing_changes(world):
    world.book(staff="Miguel", service="Corte de cabello", day=0, hour=11, minute=0, phone="+525500000005", name="Roberto García")
    appointment = world.appointments()[0]
    before = world.snapshot()
    tools = tools_for(world, "Vero")
    refusals = [
        tools.call("block_time", {"start": world.local(1, 14).isoformat(), "end": world.local(1, 15).isoformat()}),
        tools.call("mark_appointment_status", {"appointment_id": str(appointment["id"]), "status": "no_show"}),
        tools.call("book_walk_in", {"service_id": str(world.service("Corte de cabello"))}),
        tools.call("send_message_to_customer", {"customer_phone": "+525500000005", "message": "hola"}),
    ]
    assert all(not r.ok and "solo consulta" in r.error for r in refusals)
    assert tools.call("get_business_schedule", {}).ok
    assert world.snapshot() == before


def test_staff_may_not_block_someone_else_but_the_owner_may(world):
    args = {"start": world.local(1, 14).isoformat(), "end": world.local(1, 15).isoformat(), "staff_id": str(world.sid("Carlos"))}
    refused = tools_for(world, "Miguel").call("block_time", args)
    assert not refused.ok and refused.error == "Eso solo lo pueden hacer Carlos (el dueño) o un administrador."
    assert world.blocks() == []
    allowed = tools_for(world, "Carlos").call("block_time", {**args, "staff_id": str(world.sid("Miguel"))})
    assert allowed.ok and [str(b["staff_id"]) for b in world.blocks()] == [str(world.sid("Miguel"))]


def test_a_block_over_an_appointment_is_refused_naming_it(world):
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=15, phone="+525500000001", name="Juan Pérez")
    result = tools_for(world, "Miguel").call("block_time", {"start": world.local(1, 14).isoformat(), "end": world.local(1, 16).isoformat()})
    assert not result.ok
    assert "Juan Pérez a las 3:00 PM (Corte de cabello)" in result.error
    assert world.blocks() == []


def test_the_same_message_twice_changes_things_once(world):
    args = {"start": world.local(1, 14).isoformat(), "end": world.local(1, 15).isoformat(), "reason": "comida"}
    first = tools_for(world, "Miguel", "SMsame").call("block_time", args)
    again = tools_for(world, "Miguel", "SMsame").call("block_time", args)
    assert first.ok and again.ok and first.data["block_id"] == again.data["block_id"]
    assert len(world.blocks("Miguel")) == 1
    walk = {"service_id": str(world.service("Corte de cabello")), "customer_phone": "5511112222"}
    one = tools_for(world, "Carlos", "SMwalk").call("book_walk_in", walk)
    two = tools_for(world, "Carlos", "SMwalk").call("book_walk_in", walk)
    assert one.ok and two.ok and one.data["appointment_id"] == two.data["appointment_id"]
    assert len(world.appointments()) == 1
    assert len(world.outbound("+525511112222")) == 1


def test_bad_arguments_get_a_spanish_answer(world):
    tools = tools_for(world, "Miguel")
    bad = tools.call("mark_appointment_status", {"appointment_id": "no-es-un-id", "status": "completed"})
    assert not bad.ok and bad.error.startswith("No entendí appointment_id")
    assert not tools.call("nope", {}).ok
    assert not tools.call("book_on_behalf", {"service_id": str(world.service("Corte de cabello")), "start": world.local(1, 12).isoformat()}).ok


def test_messages_to_customers_are_signed_and_only_to_customers_of_this_business(world):
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=12, phone="+525512345678", name="Rosa Luna")
    tools = tools_for(world, "Miguel")
    sent = tools.call("send_message_to_customer", {"customer_phone": "55 1234 5678", "message": "Hola Rosa, sí tenemos tinte."})
    assert sent.ok and sent.data["body"] == "Hola Rosa, sí tenemos tinte. - Barbería Don Carlos"
    stranger = tools.call("send_message_to_customer", {"customer_phone": "5599990000", "message": "hola"})
    assert not stranger.ok and "no es de un cliente" in stranger.error
    assert [m["text"] for m in world.outbound("+525512345678")][-1].endswith("- Barbería Don Carlos")
    assert world.outbound(OWNER) == []


def test_unknown_staff_gets_no_tools(world):
    import pytest

    from agent.team.tools import TeamToolError

    with pytest.raises(TeamToolError):
        TeamTools(app=world.app, reads=world.reads, wait_for=world.wait_for, organization_id=world.org_id,
                  staff_id=uuid.uuid4(), message_id="x", now=world.clock())
