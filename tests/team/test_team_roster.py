"""Flows 12 and 13 in detail: the dictated message to customers, and the tools' own refusals
(the same checks the LLM path meets), which change nothing.

Clock: Wed 14 Jan 2026 12:00 Mexico City."""

from __future__ import annotations

from team_support import TeamWorld

RAUL = "+525500000009"


def test_owner_removes_a_barber_cancelling_with_a_dictated_message(world: TeamWorld) -> None:
    # given Miguel with one appointment tomorrow
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=11, phone=RAUL, name="Raúl Soto")
    chat = world.chat("owner")
    # when the owner removes him, cancelling and dictating what to tell the customer
    listed = chat.say("da de baja a Miguel")
    assert "Miguel Sánchez tiene 1 cita próxima:\n• jueves 15 de enero, 11:00 AM - Corte de cabello - Raúl Soto" in listed
    summary = chat.say("cancélala y dile que con gusto lo atiende Carlos otro día")
    assert summary == ("¿Doy de baja a Miguel Sánchez? Ya no podrá escribirme ni recibir citas nuevas. Cancelo su cita próxima y le aviso "
                       "al cliente. Les digo: «Con gusto lo atiende Carlos otro día.». Responde sí o no.")
    assert world.reads.get_staff(world.org_id, world.sid("Miguel"))["is_active"]
    done = chat.say("sí")
    # then he is inactive, the appointment cancelled, and Raúl got exactly that message, signed
    assert done.startswith("Listo ✓ Di de baja a Miguel Sánchez. Cancelé su cita y les avisé a Raúl Soto.")
    assert not world.reads.get_staff(world.org_id, world.sid("Miguel"))["is_active"]
    assert [a["status"] for a in world.appointments()] == ["cancelled"]
    (sent,) = world.outbound(RAUL)
    assert sent["text"] == ("Hola Raúl, lamentamos avisarte que tu cita de Corte de cabello del jueves 15 de enero a las 11:00 AM quedó "
                            "cancelada. Con gusto lo atiende Carlos otro día. - Barbería Don Carlos")


def test_the_removal_tool_refuses_and_changes_nothing(world: TeamWorld) -> None:
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=11, phone=RAUL, name="Raúl Soto")
    before = world.snapshot()
    staff_tools = world.agent.tools_for(world.org_id, world.sid("Miguel"), "SM-roster-1")
    admin_tools = world.agent.tools_for(world.org_id, world.sid("Laura"), "SM-roster-2")
    owner_tools = world.agent.tools_for(world.org_id, world.sid("Carlos"), "SM-roster-3")
    refused = staff_tools.call("remove_staff", {"staff_id": str(world.sid("Vero"))})
    assert refused.error == "Eso solo lo pueden hacer Carlos (el dueño) o un administrador."
    assert admin_tools.call("remove_staff", {"staff_id": str(world.sid("Carlos"))}).error == "Solo el dueño puede dar de baja a un dueño."
    assert owner_tools.call("remove_staff", {"staff_id": str(world.sid("Carlos"))}).error == "No puedes darte de baja a ti mismo."
    undecided = owner_tools.call("remove_staff", {"staff_id": str(world.sid("Miguel"))})
    assert undecided.error == ("Miguel Sánchez tiene 1 cita próxima: primero decide si se quedan como están o se cancelan "
                               "avisando a cada cliente.")
    assert admin_tools.call("change_permissions", {"staff_id": str(world.sid("Miguel")), "permission_level": "admin"}).error == \
        "Eso solo lo puede cambiar Carlos, el dueño."
    assert owner_tools.call("change_permissions", {"staff_id": str(world.sid("Carlos")), "permission_level": "staff"}).ok is False
    assert world.snapshot() == before and world.outbound(RAUL) == []


def test_an_admin_removes_someone_keeping_their_appointments(world: TeamWorld) -> None:
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=11, phone=RAUL, name="Raúl Soto")
    admin_tools = world.agent.tools_for(world.org_id, world.sid("Laura"), "SM-roster-4")
    result = admin_tools.call("remove_staff", {"staff_id": str(world.sid("Miguel")), "future_appointments": "keep"})
    assert result.ok and result.data["kept"] == 1 and result.data["cancelled"] == 0
    assert [a["status"] for a in world.appointments()] == ["confirmed"] and world.outbound(RAUL) == []
    assert not world.reads.get_staff(world.org_id, world.sid("Miguel"))["is_active"]
