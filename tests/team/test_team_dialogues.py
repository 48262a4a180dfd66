"""A suite of staff/owner dialogues with varied phrasing (typos, no accents, slang) for the offline
team engine. Each dialogue runs against a fresh business and names its goal; the test checks
the goal was reached, that nothing else changed (a "wrong change"), and that every message got
an answer. The totals are printed in the pytest terminal summary (tests/team/conftest.py).

Clock: Wed 14 Jan 2026 12:00 Mexico City. "mañana" = Thu 15, "el viernes" = Fri 16, "el sábado"
= 17, "el lunes" = 19. The day (Miguel unless noted): 10:00 Juan Pérez (corte), 11:00 Rosa Luna
(corte y barba), 13:00 Pedro Gómez (barba), 14-15 comida (block), 15:00 Roberto García (corte),
17:30 Luis Ramírez (corte); Carlos: 11:00 Sergio Ruiz, 16:00 Mario Díaz; tomorrow 11:00 Ana Torres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from team_support import MX, OWNER as OWNER_PHONE, TeamWorld

CORTE, BARBA, COMBO = "Corte de cabello", "Arreglo de barba", "Corte y barba"
PEOPLE = {
    "Juan Pérez": "+525500000001", "Rosa Luna": "+525512345678", "Pedro Gómez": "+525500000003",
    "Roberto García": "+525500000004", "Luis Ramírez": "+525500000005", "Sergio Ruiz": "+525500000006",
    "Mario Díaz": "+525500000007", "Ana Torres": "+525500000008",
}
RESULTS: list[dict] = []  # read by the terminal summary


def setup_day(world: TeamWorld) -> None:
    for staff, service, day, hour, minute, name in (
        ("Miguel", CORTE, 0, 10, 0, "Juan Pérez"), ("Miguel", COMBO, 0, 11, 0, "Rosa Luna"),
        ("Miguel", BARBA, 0, 13, 0, "Pedro Gómez"), ("Miguel", CORTE, 0, 15, 0, "Roberto García"),
        ("Miguel", CORTE, 0, 17, 30, "Luis Ramírez"), ("Carlos", CORTE, 0, 11, 0, "Sergio Ruiz"),
        ("Carlos", CORTE, 0, 16, 0, "Mario Díaz"), ("Miguel", CORTE, 1, 11, 0, "Ana Torres"),
    ):
        world.book(staff=staff, service=service, day=day, hour=hour, minute=minute, phone=PEOPLE[name], name=name)
    world.block(staff="Miguel", day=0, start=(14, 0), end=(15, 0), reason="comida")


@dataclass
class D:
    name: str
    messages: list[str]
    goal: str  # reply | refused | none | roster | block | unblock | status | walk_in | booking | message | onboard | note | add_staff | service | hours
    who: str = "staff"
    contains: tuple[str, ...] = ()
    staff: str = "Miguel"
    day: int = 0
    start: tuple[int, int] | None = None
    end: tuple[int, int] | None = None
    customer: str | None = None
    status: str | None = None
    service: str | None = None
    phone: str | None = None
    message: str | None = None  # text the customer's outbound message must contain
    extra: dict = field(default_factory=dict)


DIALOGUES = [
    # ---- agenda and look-ups (nothing changes) ----------------------------------------------
    D("que tengo hoy", ["Qué tengo hoy?"], "reply", contains=("Juan Pérez", "Luis Ramírez", "Tienes 5 citas")),
    D("q tengo hoy shorthand", ["q tengo hoy"], "reply", contains=("Tienes 5 citas",)),
    D("ke tengo typo", ["ke tengo oy"], "reply", contains=("Rosa Luna",)),
    D("mi agenda de mañana", ["mi agenda de mañana"], "reply", contains=("Ana Torres", "Tienes 1 cita")),
    D("que tengo manana no accent", ["que tengo manana?"], "reply", contains=("Ana Torres",)),
    D("el jueves", ["que tengo el jueves"], "reply", contains=("Ana Torres",)),
    D("esta semana", ["que tengo esta semana"], "reply", contains=("Juan Pérez", "Ana Torres", "en total")),
    D("que sigue", ["que sigue"], "reply", contains=("Pedro Gómez",)),
    D("k sigue", ["k sigue?"], "reply", contains=("Pedro Gómez",)),
    D("quien sigue", ["quien sigue?"], "reply", contains=("Pedro Gómez",)),
    D("agenda del negocio", ["como esta la agenda de hoy"], "reply", contains=("Mario Díaz", "Juan Pérez", "En total hay 7 citas")),
    D("agenda general sin acentos", ["como esta la agenda hoy?"], "reply", contains=("Sergio Ruiz",)),
    D("agenda de carlos", ["la agenda de Carlos"], "reply", contains=("Mario Díaz", "Carlos tiene 2 citas")),
    D("cuantas citas", ["cuantas citas tengo hoy"], "reply", contains=("Tienes 5 citas",)),
    D("historial por telefono", ["historial de 55 1234 5678"], "reply", contains=("Rosa Luna", "Últimas citas", "Corte y barba (sin marcar)")),
    D("historial pegado", ["historial 5512345678"], "reply", contains=("Rosa Luna",)),
    D("quien es", ["¿quién es Rosa Luna?"], "reply", contains=("Rosa Luna", "+52 55 1234 5678")),
    D("quien es minusculas", ["quien es rosa luna"], "reply", contains=("Rosa Luna",)),
    D("ha venido antes con nombre", ["Roberto Garcia ha venido antes?"], "reply", contains=("Roberto García",)),
    D("info de", ["info de roberto"], "reply", contains=("Roberto García",)),
    D("cliente nuevo", ["historial de 55 9999 0000"], "reply", contains=("cliente nuevo",)),
    D("viewer agenda", ["que tengo hoy"], "reply", who="viewer", contains=("No tienes citas",)),
    D("viewer agenda negocio", ["como esta la agenda de hoy"], "reply", who="viewer", contains=("Juan Pérez",)),
    D("hola", ["hola"], "reply", contains=("Puedes pedirme",)),
    D("ayuda", ["ayuda"], "reply", contains=("Bloquea",)),
    D("gibberish", ["asdfgh"], "reply", contains=("No te entendí",)),
    # ---- blocks --------------------------------------------------------------------------------
    D("bloquea mañana de 2 a 4", ["bloquea mañana de 2 a 4", "si"], "block", day=1, start=(14, 0), end=(16, 0)),
    D("bloqueame porfa sip", ["bloqueame mañana de 2 a 4 porfa", "sip"], "block", day=1, start=(14, 0), end=(16, 0)),
    D("de 6 a 7 simon", ["bloquea de 6 a 7", "simon"], "block", start=(18, 0), end=(19, 0)),
    D("bloquea las 4", ["Bloquea las 4, tengo que salir temprano", "si"], "block", start=(16, 0), end=(17, 0)),
    D("viernes todo el dia", ["bloquea el viernes todo el dia", "si"], "block", day=2, start=(0, 0), end=(24, 0)),
    D("viernes todo el día va", ["bloquea el viernes todo el día", "va"], "block", day=2, start=(0, 0), end=(24, 0)),
    D("blokea typo", ["blokea mañana de 10 a 11", "si"], "block", day=1, start=(10, 0), end=(11, 0)),
    D("over an appointment tomorrow", ["bloquea mañana de 10 a 12"], "refused", contains=("Ana Torres",)),
    D("over an appointment today", ["bloquea de 3 a 4"], "refused", contains=("Roberto García",)),
    D("toda la tarde", ["bloquea mañana en la tarde", "si"], "block", day=1, start=(12, 0), end=(19, 0)),
    D("de 5 en adelante", ["bloquea mañana de 5 en adelante", "si"], "block", day=1, start=(17, 0), end=(20, 0)),
    D("ask the times", ["necesito bloquear el lunes", "de 10 a 1", "si"], "block", day=5, start=(10, 0), end=(13, 0)),
    D("ask day and time", ["bloquea", "mañana de 1 a 2", "si"], "block", day=1, start=(13, 0), end=(14, 0)),
    D("para mi comida", ["bloquea mañana de 2 a 3 para mi comida", "si"], "block", day=1, start=(14, 0), end=(15, 0), extra={"reason": "comida"}),
    D("block then no", ["bloquea mañana de 2 a 4", "no"], "none"),
    D("block then mejor no", ["bloquea mañana de 2 a 4", "mejor no"], "none"),
    D("block then olvidalo", ["bloquea mañana de 2 a 4", "olvidalo"], "none"),
    D("block corrected", ["bloquea mañana de 2 a 4", "no, mejor de 3 a 5", "si"], "block", day=1, start=(15, 0), end=(17, 0)),
    D("quita el bloqueo", ["quita el bloqueo de las 2", "si"], "unblock"),
    D("desbloquea", ["desbloquea las 2", "si"], "unblock"),
    D("kita typo", ["kita el bloqueo de hoy", "si"], "unblock"),
    D("ya no bloquees", ["ya no bloquees mi comida", "sale"], "unblock"),
    D("viewer cannot block", ["bloquea mañana de 2 a 4"], "refused", who="viewer", contains=("solo consulta",)),
    D("staff cannot block the owner", ["bloquea a Carlos mañana de 2 a 4"], "refused", contains=("Carlos (el dueño) o un administrador",)),
    D("owner blocks miguel", ["bloquea a Miguel mañana de 2 a 4", "si"], "block", who="owner", day=1, start=(14, 0), end=(16, 0)),
    # ---- attendance and cancellations --------------------------------------------------------------
    D("cliente de las 11 no llego", ["el cliente de las 11 no llego", "si"], "status", customer="Rosa Luna", status="no_show"),
    D("el de las 10 no vino", ["el de las 10 no vino", "si"], "status", customer="Juan Pérez", status="no_show"),
    D("ya termine con juan", ["ya termine con juan", "si"], "status", customer="Juan Pérez", status="completed"),
    D("ya terminé con Rosa sip", ["ya terminé con Rosa", "sip"], "status", customer="Rosa Luna", status="completed"),
    D("ya acabe", ["ya acabe", "si"], "status", customer="Rosa Luna", status="completed"),
    D("rosa no llego", ["rosa no llego", "si"], "status", customer="Rosa Luna", status="no_show"),
    D("no-show then no", ["el de las 11 no llego", "no"], "none"),
    D("no-show and dictated message", ["el de las 11 no vino", "si", "si, dile que lo esperamos otro dia"], "status",
      customer="Rosa Luna", status="no_show", message="Lo esperamos otro dia."),
    D("no-show, no message", ["el de las 11 no llegó", "sí", "no"], "status", customer="Rosa Luna", status="no_show"),
    D("no-show default message", ["el de las 11 no llegó", "si", "si", "si"], "status", customer="Rosa Luna", status="no_show",
      message="notamos que no pudiste llegar"),
    D("me dejo plantado", ["el de las 10 me dejo plantado", "si"], "status", customer="Juan Pérez", status="no_show"),
    D("cancela la de las 5:30", ["cancela la cita de las 5:30", "si"], "status", customer="Luis Ramírez", status="cancelled"),
    D("cancela la de Ana", ["cancela la cita de Ana Torres", "si"], "status", customer="Ana Torres", status="cancelled"),
    D("viewer cannot mark", ["el de las 11 no llego"], "refused", who="viewer", contains=("solo consulta",)),
    D("owner marks miguel's", ["el de las 10 no llego", "si"], "status", who="owner", customer="Juan Pérez", status="no_show"),
    D("two match, pick by name", ["el de las 11 no llego", "el de sergio", "si"], "status", who="admin", customer="Sergio Ruiz", status="no_show"),
    D("two match, pick by number", ["el de las 11 no vino", "2", "si"], "status", who="admin", status="no_show", extra={"either": ("Rosa Luna", "Sergio Ruiz")}),
    # ---- walk-ins and bookings on behalf --------------------------------------------------------------
    D("walk-in corte sin datos", ["acaba de llegar alguien para corte", "no", "no se", "si"], "walk_in", service=CORTE),
    D("walk-in barba con telefono", ["llego un cliente para barba", "55 4444 3333", "Beto", "si"], "walk_in", service=BARBA, phone="+525544443333"),
    D("walk-in sin cita combo", ["llego alguien sin cita, quiere corte y barba", "no tiene", "Memo", "va"], "walk_in", service=COMBO),
    D("walk-in service asked", ["acaba de llegar alguien", "corte", "5544443333", "Beto", "si"], "walk_in", service=CORTE, phone="+525544443333"),
    D("walk-in menu by number", ["acaba de llegar alguien", "2", "no", "no se", "si"], "walk_in", service=CORTE),  # 2nd on the menu
    D("walk-in then no", ["acaba de llegar alguien para corte", "no", "no se", "no"], "none"),
    D("viewer cannot book", ["acaba de llegar alguien para corte"], "refused", who="viewer", contains=("solo consulta",)),
    D("agendale known customer", ["agendale a 55 1234 5678 un corte el sabado a las 12", "si"], "booking",
      service=CORTE, phone="+525512345678", day=3, start=(12, 0)),
    D("agéndale new customer", ["agéndale a 5598765432 un corte mañana a las 4", "Ana", "si"], "booking",
      service=CORTE, phone="+525598765432", day=1, start=(16, 0)),
    D("hazle cita", ["hazle cita a 55 1111 0000 para barba el viernes a las 11", "Pepe", "si"], "booking",
      service=BARBA, phone="+525511110000", day=2, start=(11, 0)),
    D("agenda a, step by step", ["agenda a 5522223333 mañana", "corte", "a las 5", "Lalo", "si"], "booking",
      service=CORTE, phone="+525522223333", day=1, start=(17, 0)),
    # ---- messages to customers --------------------------------------------------------------------
    D("dile a rosa", ["dile a Rosa que ya está lista su cita", "si"], "message", phone="+525512345678", message="ya está lista su cita"),
    D("mandale por telefono", ["mandale un mensaje a 55 1234 5678 que llegue 10 min antes", "si"], "message",
      phone="+525512345678", message="llegue 10 min antes"),
    D("avisale a roberto", ["avisale a roberto que vamos 10 minutos tarde", "dale"], "message", phone="+525500000004", message="vamos 10 minutos tarde"),
    D("dile then no", ["dile a Rosa que ya está lista su cita", "no"], "none"),
    # ---- staff onboarding (the person's first message) -----------------------------------------------
    D("onboarding keeps name", ["hola", "si", "de lunes a sabado de 10 a 8", "si", "ok"], "onboard",
      extra={"name": "Miguel Sánchez", "mon": [["10:00", "20:00"]], "sun": []}),
    D("onboarding new name, business hours", ["buenas", "Mike", "el del negocio", "sí", "sí"], "onboard", extra={"name": "Mike", "hours": None}),
    D("onboarding entre semana", ["hola", "si", "entre semana de 10 a 7, sabados de 10 a 3", "simon", "va"], "onboard",
      extra={"mon": [["10:00", "19:00"]], "sat": [["10:00", "15:00"]]}),
    D("onboarding corrected hours", ["hola", "si", "de 10 a 7", "no", "de martes a sabado de 11 a 8", "si", "si"], "onboard",
      extra={"mon": [], "tue": [["11:00", "20:00"]]}),
    D("onboarding viewer", ["hola", "si", "el del negocio", "si", "si"], "onboard", who="viewer", staff="Vero", extra={"hours": None}),
    D("onboarding, a question first", ["que tengo hoy", "si", "el del negocio", "si", "si"], "onboard", extra={"hours": None}),
    # ---- notes, stats, adding staff ---------------------------------------------------------------------
    D("anota alergia", ["anota que Rosa es alérgica al tinte", "si"], "note", extra={"customer": "Rosa Luna", "note": "alérgica al tinte"}),
    D("apunta que sin acentos", ["apunta que roberto garcia prefiere tijera", "sale"], "note", extra={"customer": "Roberto García", "note": "prefiere tijera"}),
    D("nota then no", ["anota que Rosa es alérgica al tinte", "no"], "none"),
    D("stats owner", ["como vamos esta semana?"], "reply", who="owner", contains=("📊 Esta semana", "• Citas: 8")),
    D("stats admin last week", ["como nos fue la semana pasada"], "reply", who="admin", contains=("Esa semana",)),
    D("add staff example 7", ["Quiero agregar un nuevo empleado", "Pedro Hernández", "55 1111 2222", "Todos", "si", "no"], "add_staff",
      who="owner", phone="+525511112222", extra={"name": "Pedro Hernández", "level": "staff", "services": 3}),
    D("add admin with services", ["agrega un barbero", "Toño", "5566778899", "corte y barba, arreglo de barba", "si", "si"], "add_staff",
      who="admin", phone="+525566778899", extra={"name": "Toño", "level": "staff", "services": 2, "welcome": True}),
    D("add staff then no", ["quiero agregar un empleado", "Pedro", "55 1111 2222", "todos", "no"], "none", who="owner"),
    # ---- the owner's services ------------------------------------------------------------------------
    D("agrega tinte", ["agrega tinte, 90 minutos, $450", "si"], "service", who="owner", extra={"name": "Tinte", "duration_minutes": 90, "price_cents": 45000}),
    D("agrega keratina step", ["agrega un servicio de keratina", "2 horas, $900", "va"], "service", who="owner",
      extra={"name": "Keratina", "duration_minutes": 120, "price_cents": 90000}),
    D("sube el corte", ["el corte ahora cuesta $180", "si"], "service", who="owner", extra={"name": CORTE, "price_cents": 18000}),
    D("corte dura 40", ["el corte ahora dura 40 minutos", "sip"], "service", who="owner", extra={"name": CORTE, "duration_minutes": 40}),
    D("ya no damos barba", ["ya no damos arreglo de barba", "si"], "service", who="owner", extra={"name": BARBA, "is_active": False}),
    D("precio then no", ["el corte ahora cuesta $180", "no"], "none", who="owner"),
    D("lista de precios", ["cuanto cuesta el corte?"], "reply", contains=("Corte de cabello - $150",)),
    D("admin cannot change prices", ["el corte ahora cuesta $180"], "refused", who="admin", contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
    # ---- the owner's hours and closures -----------------------------------------------------------------
    D("sabados de 9 a 3", ["los sábados abrimos de 9 a 3", "si"], "hours", who="owner", extra={"sat": [["09:00", "15:00"]]}),
    D("domingo ahora si", ["el domingo ahora sí abrimos de 10 a 2", "va"], "hours", who="owner", extra={"sun": [["10:00", "14:00"]]}),
    D("24 de diciembre cerramos", ["el 24 de diciembre cerramos", "si"], "hours", who="owner", extra={"closure": ("2026-12-24", "2026-12-24")}),
    D("del 1 al 7 de enero", ["cerramos del 1 al 7 de enero", "si"], "hours", who="owner", extra={"closure": ("2027-01-01", "2027-01-07")}),
    D("cerramos hoy lists appointments", ["cerramos hoy"], "reply", who="owner", contains=("Juan Pérez", "Mario Díaz", "… y 1 más", "no se cancelan solas")),
    D("hours then no", ["los sábados abrimos de 9 a 3", "no"], "none", who="owner"),
    D("staff cannot change hours", ["los sábados abrimos de 9 a 3"], "refused", contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
    # ---- owner-only actions refused in Spanish ------------------------------------------------------
    D("staff cannot change prices", ["cambia el precio del corte a 200"], "refused", contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
    D("staff cannot add staff", ["quiero agregar un nuevo empleado"], "refused", contains=("Carlos (el dueño) o un administrador",)),
    D("staff cannot see stats", ["como vamos esta semana?"], "refused", contains=("Carlos (el dueño) o un administrador",)),
    D("admin cannot change hours", ["cambia el horario del negocio"], "refused", who="admin", contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
    # ---- flow 12: removing someone (their future appointments: the owner decides) -------------------
    D("remove staff keeping appointments", ["da de baja a Miguel", "déjalas como están", "sí"], "roster", who="owner",
      extra={"staff": "Miguel", "removed": True, "appointments": "keep"}),
    D("remove staff cancelling and telling customers", ["Miguel ya no trabaja aquí", "2", "si"], "roster", who="owner",
      extra={"staff": "Miguel", "removed": True, "appointments": "cancel"}),
    D("admin removes staff by picking from the list", ["quiero dar de baja a un empleado", "2", "cancelalas y avisales", "va"], "roster", who="admin",
      extra={"staff": "Miguel", "removed": True, "appointments": "cancel"}),
    D("remove staff then changes mind", ["quita a Miguel del equipo", "que se queden", "no"], "none", who="owner"),
    D("remove staff forgotten midway", ["da de baja a Miguel", "olvídalo"], "none", who="owner"),
    D("admin cannot remove the owner", ["da de baja a Carlos"], "refused", who="admin", contains=("Solo el dueño puede dar de baja a un dueño.",)),
    D("staff cannot remove staff", ["da de baja a Laura"], "refused", contains=("Carlos (el dueño) o un administrador",)),
    D("viewer cannot remove staff", ["elimina a Miguel del equipo"], "refused", who="viewer"),
    # ---- flow 13: permissions (owner only) -----------------------------------------------------------
    D("make staff an admin", ["hazlo admin a Miguel", "si"], "roster", who="owner", extra={"staff": "Miguel", "level": "admin"}),
    D("permissions asking who and which level", ["quiero cambiar permisos", "Vero", "empleada", "sí"], "roster", who="owner",
      extra={"staff": "Vero", "level": "staff"}),
    D("permissions by menu number", ["cambia los permisos de Laura", "3", "dale"], "roster", who="owner", extra={"staff": "Laura", "level": "viewer"}),
    D("permissions declined", ["dale permisos de administrador a Miguel", "mejor no"], "none", who="owner"),
    D("admin cannot change permissions", ["cambia los permisos de Miguel a administrador"], "refused", who="admin",
      contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
    D("staff cannot change permissions", ["hazme admin"], "refused", contains=("Eso solo lo puede cambiar Carlos, el dueño.",)),
]


def _outbound_counts(world: TeamWorld, phones: set[str]) -> dict[str, int]:
    return {phone: len(world.outbound(phone)) for phone in sorted(phones)}


def _phones(d: D) -> set[str]:
    return {OWNER_PHONE} | set(PEOPLE.values()) | {p for p in (d.phone,) if p} | {"+525544443333", "+525598765432", "+525511110000", "+525522223333"}


def evaluate(world: TeamWorld, d: D, before: tuple, after: tuple, out_before: dict, out_after: dict) -> tuple[bool, bool]:
    """(completed, wrong_change)."""
    if d.goal == "roster":
        return _roster(world, d, before, after, out_before, out_after)
    if before[3] != after[3] and d.goal != "add_staff":
        return False, True  # nobody was removed or re-levelled unless that was the goal
    before, after = before[:3], after[:3]
    appts_b, blocks_b, customers_b = before
    appts_a, blocks_a, customers_a = after
    extra_out = {p: out_after[p] - out_before[p] for p in out_after if out_after[p] != out_before[p]}
    if d.goal in ("reply", "refused", "none"):
        wrong = after != before or bool(extra_out)
        return not wrong, wrong
    if d.goal in ("block", "unblock"):
        new, gone = set(blocks_a) - set(blocks_b), set(blocks_b) - set(blocks_a)
        wrong = appts_a != appts_b or customers_a != customers_b or bool(extra_out)
        if d.goal == "unblock":
            done = not new and len(gone) == 1 and next(iter(gone))[1].startswith("2026-01-14T20:00")  # 14:00 local
            return done and not wrong, wrong or bool(new) or len(gone) > 1
        rows = [b for b in world.blocks() if str(b["id"]) in {n[0] for n in new}]
        start = world.local(d.day, *d.start)
        end = world.local(d.day, 0) + timedelta(hours=d.end[0], minutes=d.end[1])
        ok = (len(rows) == 1 and not gone and rows[0]["start"] == start and rows[0]["end"] == end
              and str(rows[0]["staff_id"]) == str(world.sid(d.staff))
              and (not d.extra.get("reason") or rows[0]["reason"] == d.extra["reason"]))
        return ok and not wrong, wrong or (bool(new) and not ok) or bool(gone)
    if d.goal == "status":
        changed = {a[0]: a for a in appts_a} .items() - {a[0]: a for a in appts_b}.items()
        rows = {str(r["id"]): r for r in world.appointments()}
        names = d.extra.get("either") or (d.customer,)
        target = [rows[i] for i, _ in changed]
        ok = (len(target) == 1 and target[0]["customer_name"] in names and target[0]["status"] == d.status
              and len(appts_a) == len(appts_b))
        allowed_out = {PEOPLE[n] for n in names} if d.message else set()
        message_ok = True
        if d.message:
            phone = PEOPLE[target[0]["customer_name"]] if target else ""
            message_ok = any(d.message in m["text"] and m["text"].endswith("- Barbería Don Carlos") for m in world.outbound(phone))
        wrong = blocks_a != blocks_b or customers_a != customers_b or (bool(changed) and not ok) or bool(set(extra_out) - allowed_out)
        return ok and message_ok and not wrong, wrong
    if d.goal in ("walk_in", "booking"):
        ids_b = {a[0] for a in appts_b}
        new = [r for r in world.appointments() if str(r["id"]) not in ids_b]
        same_old = sorted(a for a in appts_a if a[0] in ids_b) == sorted(appts_b)
        ok = len(new) == 1 and new[0]["service_name"] == d.service and new[0]["status"] == "confirmed"
        if ok and d.goal == "walk_in":
            ok = new[0]["source"] == "walk_in" and abs(new[0]["scheduled_start"] - world.clock()) <= timedelta(minutes=5)
        if ok and d.goal == "booking":
            ok = new[0]["scheduled_start"] == world.local(d.day, *d.start)
        if ok and d.phone:
            ok = new[0]["customer_phone"] == d.phone and extra_out.get(d.phone) == 1
        wrong = blocks_a != blocks_b or not same_old or (bool(new) and not ok) or bool(set(extra_out) - {d.phone})
        return ok and not wrong, wrong
    if d.goal == "note":
        row = world.reads.get_customer_by_phone(world.org_id, PEOPLE[d.extra["customer"]])
        ok = d.extra["note"] in (row["notes"] or "")
        wrong = appts_a != appts_b or blocks_a != blocks_b or bool(extra_out) or customers_a != customers_b
        return ok and not wrong, wrong
    if d.goal == "add_staff":
        row = world.reads.get_staff_by_phone(world.org_id, d.phone)
        ok = bool(row) and row["name"] == d.extra["name"] and row["permission_level"] == d.extra["level"] and len(row["service_ids"]) == d.extra["services"]
        welcome = {d.phone: 1} if d.extra.get("welcome") else {}
        ok = ok and {p: n for p, n in extra_out.items()} == welcome
        wrong = after != before or bool(set(extra_out) - {d.phone})
        return ok and not wrong, wrong
    if d.goal == "service":
        rows = {r["name"]: r for r in world.reads.list_services(world.org_id)}
        row = rows.get(d.extra["name"])
        ok = row is not None and all(row[k] == v for k, v in d.extra.items() if k != "name")
        wrong = after != before or bool(extra_out)
        return ok and not wrong, wrong
    if d.goal == "hours":
        week = world.reads.list_locations(world.org_id)[0]["business_hours"]
        closures = [(c["start_date"].isoformat(), c["end_date"].isoformat()) for c in world.reads.list_closures(world.org_id)]
        if "closure" in d.extra:
            ok = closures == [d.extra["closure"]]
        else:
            ok = all(week[k] == v for k, v in d.extra.items()) and not closures
        wrong = after != before or bool(extra_out)
        return ok and not wrong, wrong
    if d.goal == "onboard":
        row = world.reads.get_staff(world.org_id, world.sid(d.staff))
        ok = "name" not in d.extra or row["name"] == d.extra["name"]
        if "hours" in d.extra:
            ok = ok and row["working_hours"] == d.extra["hours"]
        for day in ("mon", "tue", "sat", "sun"):
            if day in d.extra:
                ok = ok and (row["working_hours"] or {}).get(day) == d.extra[day]
        told = extra_out == {OWNER_PHONE: 1}
        wrong = after != before or bool(set(extra_out) - {OWNER_PHONE})
        return ok and told and not wrong, wrong
    if d.goal == "message":
        texts = [m["text"] for m in world.outbound(d.phone)]
        ok = extra_out == {d.phone: 1} and d.message in texts[-1] and texts[-1].endswith("- Barbería Don Carlos")
        wrong = after != before or bool(set(extra_out) - {d.phone})
        return ok and not wrong, wrong
    raise AssertionError(d.goal)


def _roster(world: TeamWorld, d: D, before: tuple, after: tuple, out_before: dict, out_after: dict) -> tuple[bool, bool]:
    """Flows 12 and 13: exactly that person changed; their appointments kept or cancelled with one message each."""
    target = str(world.sid(d.extra["staff"]))
    team_b, team_a = {t[0]: t for t in before[3]}, {t[0]: t for t in after[3]}
    others_same = all(team_a[k] == v for k, v in team_b.items() if k != target)
    row = team_a[target]
    extra_out = {p: out_after[p] - out_before[p] for p in out_after if out_after[p] != out_before[p]}
    if "level" in d.extra:
        ok = row[1] == d.extra["level"] and row[2]
        wrong = not others_same or before[:3] != after[:3] or bool(extra_out) or (row != team_b[target] and not ok)
        return ok and not wrong, wrong
    appts_b, appts_a = {a[0]: a for a in before[0]}, {a[0]: a for a in after[0]}
    now = world.clock()
    future = {a["id"] for a in world.appointments() if str(a["staff_id"]) == target and a["scheduled_start"] > now}
    changed = {k for k in appts_b if appts_a[k] != appts_b[k]}
    if d.extra["appointments"] == "keep":
        ok = not changed and not extra_out
    else:
        rows = {str(a["id"]): a for a in world.appointments()}
        ok = changed == {str(i) for i in future} and all(rows[k]["status"] == "cancelled" for k in changed)
        ok = ok and extra_out == {rows[k]["customer_phone"]: 1 for k in changed}
    ok = ok and not row[2]
    wrong = not others_same or before[1:3] != after[1:3] or not ok
    return ok and not wrong, wrong


@pytest.mark.parametrize("d", DIALOGUES, ids=lambda d: d.name)
def test_team_dialogue(tmp_path, clock, d: D) -> None:
    world = TeamWorld(tmp_path, clock)
    try:
        setup_day(world)
        phones = _phones(d)
        before, out_before = world.snapshot(), _outbound_counts(world, phones)
        chat = world.chat(d.who, first_message=d.goal == "onboard")
        replies = [chat.say(m) for m in d.messages]
        unanswered = sum(1 for r in replies if not r.strip())
        after, out_after = world.snapshot(), _outbound_counts(world, phones)
        completed, wrong = evaluate(world, d, before, after, out_before, out_after)
        if d.contains:
            completed = completed and all(c in replies[-1] for c in d.contains)
        RESULTS.append({"name": d.name, "completed": completed, "wrong": wrong, "unanswered": unanswered})
        transcript = chat.dump()
    finally:
        world.close()
    assert unanswered == 0, transcript
    assert not wrong, "WRONG CHANGE\n" + transcript
    assert completed, transcript


def test_the_suite_is_big_enough() -> None:
    assert len(DIALOGUES) >= 60
    assert len({d.name for d in DIALOGUES}) == len(DIALOGUES)
    assert datetime(2026, 1, 14, tzinfo=MX).weekday() == 2  # the clock the dialogues are written for
