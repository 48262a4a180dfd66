"""Example conversations 4, 5 and 6 end to end through the signed webhook (real Postgres, projections,
the real twilio library against the fake Twilio), with the read models checked after each step.
Plus: a deactivated staff member is a customer again, and «listo <teléfono>» still resolves handoffs."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from commands import Actor
from commands.messages import (
    AddService,
    AddStaff,
    BlockTime,
    BookAppointment,
    ChangeOrganizationStatus,
    DeactivateStaff,
    HandOffConversation,
    RecordStaffFirstMessage,
    RegisterOrganization,
)
from infra.seed import DEMO_HOURS

MX = ZoneInfo("America/Mexico_City")
SYSTEM = Actor.system("team-e2e")
STAFF = "+525522222222"  # Miguel Sánchez
OWNER = "+525511111111"  # Carlos Mendoza
FRIDAY = datetime(2026, 1, 16, tzinfo=MX)
NAIL_NUMBER = "+525587650000"  # Uñas Bonitas
MARIA = "+525566667777"  # María López, staff at Uñas Bonitas
ANA = "+525598765432"  # the walk-in customer of example 5
ROBERTO = "+525500000005"  # the no-show of example 6


def move_clock(stack, hour: int, minute: int = 0) -> None:
    """Set the stack's clock to Friday 16 Jan 2026 at hour:minute (Mexico City); real time keeps running."""
    target = FRIDAY.replace(hour=hour, minute=minute)
    stack.clock.offset = target.astimezone(timezone.utc) - datetime.now(timezone.utc)


def at(hour: int, minute: int = 0) -> datetime:
    return FRIDAY.replace(hour=hour, minute=minute)


def onboarded(stack, org, staff_id) -> None:
    """The person has written before (so their next message is not the onboarding's first)."""
    stack.app.execute(RecordStaffFirstMessage(actor=SYSTEM, cause="team-e2e", organization_id=org, staff_id=staff_id, at=datetime.now(timezone.utc)))


def book(stack, org, service_id, staff_id, hour, minute, phone, name):
    result = stack.app.execute(BookAppointment(
        actor=SYSTEM, cause="team-e2e", organization_id=org, service_id=service_id, start=at(hour, minute),
        customer_phone=phone, customer_name=name, staff_id=staff_id, source="manual",
    ))
    return result.id


def say(stack, text: str, phone: str, to: str | None = None) -> str:
    before = len(stack.replies_to(phone))
    kwargs = {"to": to} if to else {}
    stack.send(text, phone=phone, **kwargs)
    stack.settle()
    replies = stack.replies_to(phone)[before:]
    assert replies, f"no reply to {text!r}"
    return "\n".join(m["body"] for m in replies)


def test_example_4_staff_checks_the_day_and_blocks_the_free_slot(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org, miguel = demo.organization_id, demo.staff_ids["Miguel Sánchez"]
    move_clock(stack, 8)
    onboarded(stack, org, miguel)
    svc = demo.service_ids
    book(stack, org, svc["Corte de cabello"], miguel, 10, 0, "+525500000001", "Juan Pérez")
    book(stack, org, svc["Corte y barba"], miguel, 11, 0, "+525500000002", "Miguel Ángel Soto")
    book(stack, org, svc["Corte de cabello"], miguel, 12, 30, "+525500000003", "Luis Ramírez")
    stack.app.execute(BlockTime(actor=SYSTEM, cause="team-e2e", organization_id=org, staff_id=miguel, start=at(14), end=at(15), reason="comida"))
    book(stack, org, svc["Arreglo de barba"], miguel, 15, 0, "+525500000004", "Carlos Pérez")
    book(stack, org, svc["Corte de cabello"], miguel, 17, 0, "+525500000005", "Roberto García")
    stack.settle()
    move_clock(stack, 13, 10)

    agenda = say(stack, "Qué tengo hoy?", STAFF)
    assert agenda.startswith("Hola Miguel, aquí está tu agenda para hoy viernes:")
    for line in ("⏰ 10:00 AM - Corte de cabello - Juan Pérez", "⏰ 11:00 AM - Corte y barba - Miguel Ángel Soto",
                 "⏰ 12:30 PM - Corte de cabello - Luis Ramírez", "🍽️ 2:00 PM - 3:00 PM - Bloqueado (comida)",
                 "⏰ 3:00 PM - Arreglo de barba - Carlos Pérez", "⏰ 5:00 PM - Corte de cabello - Roberto García",
                 "⏰ 3:20 PM - 5:00 PM - Disponible"):
        assert line in agenda, agenda
    assert "Tienes 5 citas" in agenda
    assert stack.container.reads.list_blocks(org, staff_id=miguel) and len(stack.container.reads.list_blocks(org)) == 1

    question = say(stack, "Bloquea las 4, tengo que salir temprano", STAFF)
    assert question == "¿Bloqueo tu horario hoy viernes de 4:00 PM a 5:00 PM (tengo que salir temprano)? Responde sí o no."
    assert len(stack.container.reads.list_blocks(org)) == 1  # nothing before the «sí»

    done = say(stack, "Si", STAFF)
    assert done == "Listo, bloqueé las 4:00 PM ✓ ¿Algo más?"
    blocks = [b for b in stack.container.reads.list_blocks(org, staff_id=miguel) if b["reason"] == "tengo que salir temprano"]
    assert len(blocks) == 1 and blocks[0]["start"] == at(16) and blocks[0]["end"] == at(17)

    again = say(stack, "No solo las 4", STAFF)
    assert again  # every message gets an answer
    assert len(stack.container.reads.list_blocks(org)) == 2
    assert len(stack.container.reads.list_appointments(org, status=["confirmed"])) == 5


def _nail_salon(stack):
    org = stack.app.execute(RegisterOrganization(
        actor=SYSTEM, cause="team-e2e", name="Uñas Bonitas", whatsapp_number=NAIL_NUMBER, business_type="nail_salon",
        business_hours=DEMO_HOURS, owner_name="Sofía Ruiz", owner_phone="+525577778888",
    )).id
    services = {}
    for name, minutes, cents in (("Manicure", 45, 20000), ("Pedicure", 60, 25000), ("Mani + Pedi", 90, 40000)):
        services[name] = stack.app.execute(AddService(actor=SYSTEM, cause="team-e2e", organization_id=org, name=name, duration_minutes=minutes, price_cents=cents)).id
    maria = stack.app.execute(AddStaff(actor=SYSTEM, cause="team-e2e", organization_id=org, name="María López", phone_number=MARIA, permission_level="staff")).id
    stack.app.execute(ChangeOrganizationStatus(actor=SYSTEM, cause="team-e2e", organization_id=org, status="active"))
    onboarded(stack, org, maria)
    stack.settle()
    return org, services, maria


def test_example_5_staff_registers_a_walk_in(team_stack) -> None:
    stack = team_stack
    move_clock(stack, 11, 31)
    org, services, maria = _nail_salon(stack)
    reads = stack.container.reads

    menu = say(stack, "Acaba de llegar alguien para uñas", MARIA, to=NAIL_NUMBER)
    assert menu.startswith("¿Qué servicio quiere? Tenemos:")
    for line in ("• Manicure - $200 (45 min)", "• Pedicure - $250 (1 hr)", "• Mani + Pedi - $400 (1 hr 30 min)"):
        assert line in menu
    assert reads.list_appointments(org) == []

    ask_phone = say(stack, "Mani pedi", MARIA, to=NAIL_NUMBER)
    assert "teléfono" in ask_phone
    ask_name = say(stack, "55 9876 5432", MARIA, to=NAIL_NUMBER)
    assert ask_name == "Registrado. ¿Nombre?"
    confirm = say(stack, "Ana", MARIA, to=NAIL_NUMBER)
    assert confirm == "¿Registro a Ana (55 9876 5432) para Mani + Pedi ahora a las 11:30 AM contigo? Responde sí o no."
    assert reads.list_appointments(org) == [] and reads.get_customer_by_phone(org, ANA) is None

    done = say(stack, "👍", MARIA, to=NAIL_NUMBER)
    assert done.startswith("Listo ✓ Registré a Ana (55 9876 5432) para Mani + Pedi ahora a las 11:30 AM contigo.")
    (appointment,) = reads.list_appointments(org)
    assert appointment["source"] == "walk_in" and appointment["status"] == "confirmed"
    assert appointment["staff_id"] == maria and appointment["service_type_id"] == services["Mani + Pedi"]
    assert appointment["scheduled_start"] == at(11, 30)
    customer = reads.get_customer_by_phone(org, ANA)
    assert customer["name"] == "Ana"
    sent = stack.replies_to(ANA)  # the customer got her WhatsApp confirmation (a template: she never wrote)
    assert len(sent) == 1 and sent[0]["content_sid"] and sent[0]["from"] == f"whatsapp:{NAIL_NUMBER}"


def test_example_6_owner_marks_a_no_show_and_messages_the_customer(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org, carlos = demo.organization_id, demo.staff_ids["Carlos Mendoza"]
    move_clock(stack, 9)
    appointment_id = book(stack, org, demo.service_ids["Corte de cabello"], carlos, 15, 0, ROBERTO, "Roberto García")
    stack.settle()
    move_clock(stack, 15, 25)
    reads = stack.container.reads

    question = say(stack, "El de las 3 no llegó", OWNER)
    assert question == "¿Te refieres a la cita de Roberto García a las 3:00 PM (Corte de cabello)?"
    assert reads.get_appointment(org, appointment_id)["status"] == "confirmed"

    marked = say(stack, "Si", OWNER)
    assert marked == "Marqué la cita como no-show ✓ ¿Quieres que le envíe un mensaje a Roberto?"
    assert reads.get_appointment(org, appointment_id)["status"] == "no_show"
    history = reads.get_appointment_history(org, appointment_id)
    assert history[-1]["actor"] == f"owner:{carlos}"

    sent = say(stack, "Si, dile que esperamos que esté bien y que nos avise para reagendar", OWNER)
    body = ("Hola Roberto, notamos que no pudiste llegar a tu cita de hoy. Esperamos que esté bien y que nos avise "
            "para reagendar. - Barbería Don Carlos")
    assert sent == f'Enviado ✓ Le mandé: "{body}"'
    outbound = [m["content"] for m in stack.container.conversation_reads.list_outbound_to(org, ROBERTO)]
    assert outbound == [body]
    assert len(stack.replies_to(ROBERTO)) == 1


def test_a_deactivated_staff_member_is_treated_as_a_customer(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org = demo.organization_id
    stack.app.execute(DeactivateStaff(actor=SYSTEM, cause="team-e2e", organization_id=org, staff_id=demo.staff_ids["Miguel Sánchez"]))
    stack.settle()
    say(stack, "Qué tengo hoy?", STAFF)
    assert stack.outcomes[-1]["outcome"] == "agent"
    assert stack.container.reads.get_customer_by_phone(org, STAFF) is not None


def test_listo_with_a_phone_still_resolves_a_handoff(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org = demo.organization_id
    customer = "+525599998888"
    stack.send("Hola", phone="+5215599998888")
    stack.settle()
    stack.app.execute(HandOffConversation(actor=SYSTEM, cause="t", organization_id=org, customer_phone=customer, reason="pregunta"))
    stack.settle()
    reply = say(stack, "listo 5599998888", OWNER)
    assert "Vuelvo a atender" in reply
    assert not stack.app.conversation_state(org, customer)["handed_off"]
    assert say(stack, "que tengo mañana", OWNER).startswith("Hola Carlos, aquí está tu agenda para mañana")


def test_a_barber_answering_listo_is_told_only_owners_and_admins_hand_back(team_stack) -> None:
    # given a handed-off conversation and Miguel, a staff-level barber
    stack, demo = team_stack, team_stack.demo
    org = demo.organization_id
    customer = "+525599998888"
    stack.send("Hola", phone="+5215599998888")
    stack.settle()
    stack.app.execute(HandOffConversation(actor=SYSTEM, cause="t", organization_id=org, customer_phone=customer, reason="pregunta"))
    stack.settle()
    # when he answers «listo» with the customer's phone
    reply = say(stack, "listo 5599998888", STAFF)
    # then he hears why not (not "nothing to resolve") and the conversation stays with the team
    assert "permiso" in reply.lower() or "solo" in reply.lower(), reply
    assert stack.app.conversation_state(org, customer)["handed_off"]


def test_team_state_survives_between_messages_and_is_stored_with_the_conversation(team_stack) -> None:
    stack = team_stack
    move_clock(stack, 10)
    onboarded(stack, stack.demo.organization_id, stack.demo.staff_ids["Miguel Sánchez"])
    say(stack, "bloquea de 2 a 4 para mi comida", STAFF)
    state = stack.app.conversation_state(stack.demo.organization_id, STAFF)
    assert state["agent_state"]["team"]["step"] == "confirm"
    assert state["agent_state"]["team"]["pending"]["kind"] == "block"
    assert say(stack, "mejor no", STAFF) == "Va, no cambié nada. ¿Algo más?"
    assert stack.container.reads.list_blocks(stack.demo.organization_id) == []


def test_staff_onboarding_on_the_first_message_then_the_owner_is_told(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org, miguel = demo.organization_id, demo.staff_ids["Miguel Sánchez"]
    reads = stack.container.reads
    move_clock(stack, 10)
    stack.send("Hola", phone=OWNER)  # the owner wrote today: the notice goes free-form
    stack.settle()

    welcome = say(stack, "Hola", STAFF)
    assert "Ya estás registrado en el equipo" in welcome and "«Miguel Sánchez»" in welcome
    assert say(stack, "Miguelito", STAFF).startswith("Mucho gusto, Miguelito 🙌 ¿Qué días y en qué horario trabajas?")
    assert reads.get_staff(org, miguel)["name"] == "Miguelito"
    proposal = say(stack, "de lunes a viernes de 10 a 7, los sábados no", STAFF)
    assert "• Lunes: 10:00 AM a 7:00 PM" in proposal and "• Sábado: no trabajas" in proposal
    assert reads.get_staff(org, miguel)["working_hours"] is None  # nothing saved before the «sí»
    # a request in the middle is answered, then the onboarding question comes back
    agenda = say(stack, "que tengo hoy?", STAFF)
    assert "aquí está tu agenda" in agenda and "seguimos con tu registro" in agenda
    assert say(stack, "si", STAFF).startswith("Listo, guardé tu horario ✓")
    hours = reads.get_staff(org, miguel)["working_hours"]
    assert hours["mon"] == [["10:00", "19:00"]] and hours["sat"] == [] and hours["sun"] == []
    owner_before = len(stack.replies_to(OWNER))
    done = say(stack, "si", STAFF)
    assert done.startswith("¡Listo, Miguelito! Ya quedó tu registro ✓ Ya le avisé a Carlos.")
    notices = stack.replies_to(OWNER)[owner_before:]
    assert len(notices) == 1 and "Miguelito ya quedó registrado en Parlo" in notices[0]["body"]
    # afterwards: plain team mode
    assert say(stack, "que sigue", STAFF).startswith("No tienes más citas")


CENTRAL = "+525500000000"


def test_case_2a_staff_of_one_business_manage_it_from_the_central_number(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    move_clock(stack, 10)
    reply = say(stack, "que tengo hoy?", OWNER, to=CENTRAL)
    assert reply.startswith("Hola Carlos, aquí está tu agenda para hoy viernes")
    assert stack.replies_to(OWNER)[-1]["from"] == f"whatsapp:{CENTRAL}"
    assert stack.outcomes[-1]["outcome"] == "team"
    assert say(stack, "bloquea de 6 a 7", OWNER, to=CENTRAL).startswith("¿Bloqueo tu horario hoy viernes de 6:00 PM a 7:00 PM?")
    assert say(stack, "sí", OWNER, to=CENTRAL).startswith("Listo")
    (block,) = stack.container.reads.list_blocks(demo.organization_id, staff_id=demo.staff_ids["Carlos Mendoza"])
    assert block["start"] == at(18) and block["end"] == at(19)


def test_case_2b_staff_of_several_businesses_are_redirected(team_stack) -> None:
    stack = team_stack
    from infra.seed import seed_demo

    seed_demo(stack.app, whatsapp_number="+525587654321", name="Barbería Norte")  # Carlos owns this one too
    stack.settle()
    reply = say(stack, "que tengo hoy?", OWNER, to=CENTRAL)
    assert "varios negocios" in reply and "Barbería Norte" in reply and "Barbería Don Carlos" in reply
    assert stack.outcomes[-1]["outcome"] == "central"


def test_example_7_owner_adds_staff_who_then_gets_onboarding(team_stack) -> None:
    stack, demo = team_stack, team_stack.demo
    org = demo.organization_id
    reads = stack.container.reads
    pedro = "+525511112222"
    move_clock(stack, 10)
    assert say(stack, "Quiero agregar un nuevo empleado", OWNER) == "¡Claro! Necesito algunos datos:\n1. ¿Cómo se llama?"
    assert say(stack, "Pedro Hernández", OWNER) == "2. ¿Cuál es su número de WhatsApp?"
    services = say(stack, "55 1111 2222", OWNER)
    assert services.startswith("3. ¿Qué servicios va a ofrecer Pedro?") and "• Corte y barba" in services
    confirm = say(stack, "Todos", OWNER)
    assert confirm == "¿Agrego a Pedro Hernández (55 1111 2222) como empleado, con todos los servicios? Responde sí o no."
    assert reads.get_staff_by_phone(org, pedro) is None
    added = say(stack, "Si", OWNER)
    assert added.startswith("Perfecto. Agregué a Pedro Hernández (55 1111 2222) como empleado ✓")
    assert added.endswith("¿Quieres que le mande un mensaje de bienvenida explicándole cómo usar Parlo?")
    row = reads.get_staff_by_phone(org, pedro)
    assert row["permission_level"] == "staff" and row["is_active"] and len(row["service_ids"]) == 3 and row["first_message_at"] is None
    assert say(stack, "Si", OWNER) == "Enviado ✓"
    welcome = stack.container.conversation_reads.list_outbound_to(org, pedro)
    assert len(welcome) == 1 and welcome[0]["kind"] == "welcome" and "Pedro" in welcome[0]["content"]
    # Pedro's first message: staff onboarding (case 3)
    assert "Ya estás registrado en el equipo" in say(stack, "hola", pedro)
