"""Owner stats ("¿cómo vamos esta semana?") and customer notes ("anota que ...") by chat."""

from __future__ import annotations

from agent.team.tools import TeamTools
from team_support import TeamWorld

JUAN, ROSA, LUIS, ANA = "+525500000001", "+525512345678", "+525500000005", "+525500000008"


def tools(world: TeamWorld, who: str, sid: str) -> TeamTools:
    return TeamTools(app=world.app, reads=world.reads, wait_for=world.wait_for, organization_id=world.org_id,
                     staff_id=world.sid(who), message_id=sid, now=world.clock())


def test_weekly_stats_compare_with_last_week(world):
    # given: last Monday (5 Jan) Juan came; this week (12-18 Jan) Juan and Rosa came, Luis was a no-show,
    # Ana cancelled, and one more appointment is booked for Friday
    world.book(staff="Miguel", service="Corte de cabello", day=-9, hour=11, phone=JUAN, name="Juan Pérez")  # Mon 5 Jan
    last_week = world.appointments()[0]["id"]
    world.book(staff="Miguel", service="Corte de cabello", day=0, hour=10, phone=JUAN, name="Juan Pérez")
    world.book(staff="Miguel", service="Corte y barba", day=0, hour=11, phone=ROSA, name="Rosa Luna")
    world.book(staff="Carlos", service="Corte de cabello", day=-1, hour=16, phone=LUIS, name="Luis Ramírez")
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=12, phone=ANA, name="Ana Torres")
    world.book(staff="Carlos", service="Arreglo de barba", day=2, hour=12, phone="+525500000009", name="Beto")
    ids = {a["customer_name"] + a["scheduled_start"].isoformat(): a["id"] for a in world.appointments()}
    owner = tools(world, "Carlos", "SMstats")
    for key, status in ids.items():
        if "Juan" in key and ids[key] != last_week or "Rosa" in key:
            assert owner.call("mark_appointment_status", {"appointment_id": str(ids[key]), "status": "completed"}).ok
        if "Luis" in key:
            assert owner.call("mark_appointment_status", {"appointment_id": str(ids[key]), "status": "no_show"}).ok
        if "Ana" in key:
            assert owner.call("mark_appointment_status", {"appointment_id": str(ids[key]), "status": "cancelled"}).ok
    from datetime import datetime

    from team_support import MX

    world.clock.set(datetime(2026, 1, 5, 12, 0, tzinfo=MX))  # after last Monday's appointment started
    assert tools(world, "Carlos", "SMold").call("mark_appointment_status", {"appointment_id": str(last_week), "status": "completed"}).ok
    world.clock.set(datetime(2026, 1, 14, 12, 0, tzinfo=MX))

    # when the owner asks
    reply = world.chat("owner").say("como vamos esta semana?")

    # then
    assert reply.startswith("📊 Esta semana (del lunes 12 de enero al domingo 18 de enero):")
    assert "• Citas: 4 (la semana anterior: 1)" in reply
    assert "• Completadas: 2 · No-shows: 1 · Canceladas: 1" in reply
    assert "• Ingresos de citas completadas: $370 (la semana anterior: $150)" in reply
    assert "• Día más fuerte: miércoles (2 citas)" in reply
    assert "• Clientes: 3 nuevos y 1 que regresan" in reply
    data = owner.call("get_stats", {}).data
    assert data["this_week"]["revenue_cents"] == 37000 and data["last_week"]["completed"] == 1


def test_a_note_is_added_to_the_customer_after_a_confirmation(world):
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=12, phone=ROSA, name="Rosa Luna")
    chat = world.chat("staff")
    assert chat.say("anota que Rosa es alérgica al tinte") == "¿Anoto en la ficha de Rosa Luna: «Rosa es alérgica al tinte»? Responde sí o no."
    assert world.reads.get_customer_by_phone(world.org_id, ROSA)["notes"] == ""
    assert chat.say("si") == "Anotado en la ficha de Rosa Luna ✓ ¿Algo más?"
    notes = world.reads.get_customer_by_phone(world.org_id, ROSA)["notes"]
    assert notes == "2026-01-14 (Miguel): Rosa es alérgica al tinte"
    assert "📝 Notas: 2026-01-14 (Miguel): Rosa es alérgica al tinte" in chat.say("¿quién es Rosa Luna?")
    # a second note keeps the first
    chat.say("anota que prefiere los sábados")  # "este cliente": the last one we talked about
    chat.say("sí")
    assert world.reads.get_customer_by_phone(world.org_id, ROSA)["notes"].count("\n") == 1
