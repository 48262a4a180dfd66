"""The permission matrix over chat: each action built for the team chat x each level (owner, admin,
staff, viewer). Allowed: the change happens (after a «sí»). Refused: a Spanish explanation naming
who can, and nothing changes (appointments, blocks, customers, messages)."""

from __future__ import annotations

import pytest

from team_support import TeamWorld

LEVELS = {"owner": "Carlos", "admin": "Laura", "staff": "Miguel", "viewer": "Vero"}
ALL = {"owner", "admin", "staff", "viewer"}
WORKERS = {"owner", "admin", "staff"}
JUAN, ANA = "+525500000001", "+525500000008"
NEW = "+525598765432"


def setup(world: TeamWorld, sender: str) -> None:
    world.book(staff="Miguel", service="Corte de cabello", day=0, hour=10, phone=JUAN, name="Juan Pérez")
    world.book(staff="Miguel", service="Corte de cabello", day=1, hour=11, phone=ANA, name="Ana Torres")
    world.block(staff=sender, day=2, start=(14, 0), end=(15, 0), reason="doctor")


def _status(world, name):
    return next(a["status"] for a in world.appointments() if a["customer_name"] == name)


# action -> (messages (with {other} for another team member), levels allowed, check of the change)
ACTIONS = {
    "view_own_schedule": (["qué tengo hoy"], ALL, None),
    "view_business_schedule": (["¿cómo está la agenda de hoy?"], ALL, None),
    "customer_history": (["historial de 55 0000 0001"], ALL, None),
    "block_own_time": (["bloquea mañana de 2 a 4", "sí"], WORKERS,
                       lambda w, me: len([b for b in w.blocks(me) if b["reason"] != "doctor"]) == 1),
    "unblock_own_time": (["quita el bloqueo del viernes", "sí"], WORKERS, lambda w, me: w.blocks(me) == []),
    "block_others_time": (["bloquea a {other} mañana de 2 a 4", "sí"], {"owner", "admin"}, None),
    "mark_no_show": (["el de las 10 no llegó", "sí"], WORKERS, lambda w, me: _status(w, "Juan Pérez") == "no_show"),
    "mark_completed": (["ya terminé con Juan", "sí"], WORKERS, lambda w, me: _status(w, "Juan Pérez") == "completed"),
    "cancel_appointment": (["cancela la cita de Ana Torres", "sí"], WORKERS, lambda w, me: _status(w, "Ana Torres") == "cancelled"),
    "book_walk_in": (["acaba de llegar alguien para corte", "no", "no sé", "sí"], WORKERS,
                     lambda w, me: any(a["source"] == "walk_in" for a in w.appointments())),
    "book_on_behalf": (["agéndale a 55 9876 5432 un corte mañana a las 4", "Ana", "sí"], WORKERS,
                       lambda w, me: any(a["customer_phone"] == NEW for a in w.appointments())),
    "message_customer": (["dile a Juan que ya puede pasar", "sí"], WORKERS, lambda w, me: len(w.outbound(JUAN)) == 1),
    "customer_note": (["anota que Juan Pérez es alérgico al tinte", "sí"], WORKERS,
                      lambda w, me: "alérgico al tinte" in w.reads.get_customer_by_phone(w.org_id, JUAN)["notes"]),
    "view_stats": (["¿cómo vamos esta semana?"], {"owner", "admin"}, None),
    "change_business_hours": (["los sábados abrimos de 9 a 3", "sí"], {"owner"},
                              lambda w, me: w.reads.list_locations(w.org_id)[0]["business_hours"]["sat"] == [["09:00", "15:00"]]),
    "close_business": (["cerramos el 24 de diciembre", "sí"], {"owner"}, lambda w, me: len(w.reads.list_closures(w.org_id)) == 1),
    "manage_services": (["el corte ahora cuesta $180", "sí"], {"owner"},
                        lambda w, me: w.reads.get_service(w.org_id, w.service("Corte de cabello"))["price_cents"] == 18000),
    "change_service_durations": (["el corte ahora dura 40 minutos", "sí"], {"owner"},
                                 lambda w, me: w.reads.get_service(w.org_id, w.service("Corte de cabello"))["duration_minutes"] == 40),
    "add_staff": (["quiero agregar un nuevo empleado", "Pedro Hernández", "55 1111 2222", "todos", "sí", "no"], {"owner", "admin"},
                  lambda w, me: w.reads.get_staff_by_phone(w.org_id, "+525511112222") is not None),
    "remove_staff": (["da de baja a {other}", "déjalas como están", "sí"], {"owner", "admin"},
                     lambda w, me: not w.reads.get_staff(w.org_id, w.sid("Miguel"))["is_active"] and _status(w, "Ana Torres") == "confirmed"),
    "change_permissions": (["cambia los permisos de {other} a administrador", "sí"], {"owner"},
                           lambda w, me: w.reads.get_staff(w.org_id, w.sid("Miguel"))["permission_level"] == "admin"),
}
def _other(level: str) -> str:
    return "Miguel" if level != "staff" else "Carlos"


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_matrix_over_chat(tmp_path, clock, action: str, level: str) -> None:
    world = TeamWorld(tmp_path, clock)
    try:
        me = LEVELS[level]
        setup(world, me)
        messages, allowed, check = ACTIONS[action]
        before = world.snapshot()
        messages_before = {p: len(world.outbound(p)) for p in (JUAN, ANA, NEW)}
        chat = world.chat(level)
        replies = [chat.say(m.format(other=_other(level))) for m in messages]
        assert all(r.strip() for r in replies)
        if level in allowed:
            if check is not None:
                assert check(world, me), chat.dump()
            elif action == "block_others_time":
                assert len(world.blocks(_other(level))) == 1, chat.dump()
            else:
                assert world.snapshot() == before
            assert "solo consulta" not in replies[0] and not replies[0].startswith("Eso solo"), chat.dump()
        else:
            assert world.snapshot() == before, chat.dump()
            assert {p: len(world.outbound(p)) for p in (JUAN, ANA, NEW)} == messages_before
            if level == "viewer" and ("staff" in allowed or action == "block_others_time"):
                assert "solo consulta" in replies[0], chat.dump()  # read-only first: nothing to ask an admin for
            elif allowed == {"owner"}:
                assert replies[0] == "Eso solo lo puede cambiar Carlos, el dueño.", chat.dump()
            else:
                assert replies[0] == "Eso solo lo pueden hacer Carlos (el dueño) o un administrador.", chat.dump()
    finally:
        world.close()
