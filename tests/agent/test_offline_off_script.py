"""Off-script customer dialogues (issue #8) on the offline engine, one test per dialogue.

Each dialogue declares what the customer asked for or explicitly accepted; the harness counts a
*wrong booking* for anything else created, moved or cancelled, and an *unanswered* message for a
turn without a reply. Totals are printed at the end of the run (see ``conftest.py``).

Clock: Wed 14 Jan 2026 12:00 Mexico City. Thu 15 = "mañana", Fri 16, Sat 17 (10-18), Sun 18
closed, Mon 19. Barbers: Carlos Mendoza (owner) and Miguel Sánchez. "juan": Juan Pérez has a
haircut on Thu 15 at 4 PM with Carlos; "juan2": and a beard trim on Sat 17 at 12 PM.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from dialogue_harness import (
    BARBA,
    CARLOS,
    COMBO,
    CORTE,
    MIGUEL,
    Booked,
    Cancelled,
    Moved,
    Script,
    explain,
    run_script,
)

WED, THU, FRI, SAT, MON = date(2026, 1, 14), date(2026, 1, 15), date(2026, 1, 16), date(2026, 1, 17), date(2026, 1, 19)
FEB = (date(2026, 2, 1), date(2026, 2, 28))
S = Script
NOT_UNDERSTOOD = "no te entendí"
GOODBYE = "que tengas"

SCRIPTS = [
    # ---- a change is never a new booking ----------------------------------------------------------
    S("typo kambiar pa otro dia", ["hola kiero kambiar mi sita pa otro dia", "el viernes a las 11"], (Moved(FRI, time(11)),), "juan"),
    S("nesesito mover al viernes", ["nesesito mover mi cita al viernes", "la primera"], (Moved(FRI),), "juan"),
    S("me la pasas al sabado", ["me la pasas para el sabado?", "la 2"], (Moved(SAT),), "juan"),
    S("move to monday 4 with miguel", ["quiero cambiar la cita para el lunes a las 4 con miguel"], (Moved(MON, time(16), staff=MIGUEL),), "juan"),
    S("move, side question, time", ["quiero cambiar mi cita", "cuanto cuesta la barba?", "el viernes a las 12"], (Moved(FRI, time(12)),), "juan", reply=("$100",)),
    S("booking turns into a change", ["quiero un corte", "ah no, mejor quiero cambiar la que ya tengo", "el viernes a las 5"], (Moved(FRI, time(17)),), "juan"),
    S("two appointments, pick by day", ["quiero cambiar mi cita", "la del sabado", "el lunes a las 12"], (Moved(MON, time(12), service=BARBA),), "juan2"),
    S("two appointments, asks which", ["cambia mi cita para el viernes a las 10", "la del corte"], (Moved(FRI, time(10), service=CORTE),), "juan2", reply=("¿Cuál",)),
    S("reagendar mañana a las 6", ["reagendar mi cita", "mañana a las 6"], (Moved(THU, time(18)),), "juan"),
    S("change the hour", ["puedo cambiar la hora de mi cita? a las 6"], (Moved(THU, time(18)),), "juan"),
    S("kambiar la ora", ["kiero kambiar la ora de mi cita a las 5"], (Moved(THU, time(17)),), "juan"),
    S("already have one, pass it", ["ola", "oye ya tengo cita pero la quiero pasar al viernes", "a las 11"], (Moved(FRI, time(11)),), "juan"),
    S("move, where are you, pick", ["cambiar mi cita al viernes", "donde estan?", "la primera"], (Moved(FRI),), "juan"),
    S("the one tomorrow to 6", ["la de mañana pasala a las 6 porfa"], (Moved(THU, time(18)),), "juan"),
    S("last of two to monday", ["quiero cambiar una cita", "la ultima", "el lunes a las 12"], (Moved(MON, time(12), service=BARBA),), "juan2"),
    S("change without appointments", ["quiero cambiar mi cita"], (), reply=("no encontré citas",)),
    # ---- staff preference -------------------------------------------------------------------------
    S("miguel busy, his other time", ["corte mañana a las 4 con Miguel", "la primera", "Ana"], (Booked(CORTE, THU, staff=MIGUEL),), busy=((THU, time(16), MIGUEL),), named=True, reply=("Miguel",)),
    S("miguel busy, accept carlos", ["corte mañana a las 4 con Miguel", "va, con Carlos entonces", "Ana"], (Booked(CORTE, THU, time(16), staff=CARLOS),), busy=((THU, time(16), MIGUEL),), named=True),
    S("miguel busy, nothing silent", ["corte mañana a las 4 con Miguel"], (), busy=((THU, time(16), MIGUEL),), reply=("Miguel",)),
    S("with miguel, pick a day", ["quiero un corte con miguel", "el viernes", "la 2", "Ana"], (Booked(CORTE, FRI, staff=MIGUEL),), named=True),
    S("with miguel in the time message", ["corte mañana", "a las 10 con miguel", "Ana"], (Booked(CORTE, THU, time(10), staff=MIGUEL),), named=True),
    S("move: same barber taken, offer miguel", ["cambia mi cita al viernes a las 5", "sí, con Miguel"], (Moved(FRI, time(17), staff=MIGUEL),), "juan", busy=((FRI, time(17), CARLOS),), reply=("Miguel",)),
    S("move: same barber taken, keep carlos", ["cambia mi cita al viernes a las 5", "no, con Carlos", "la primera"], (Moved(FRI, staff=CARLOS),), "juan", busy=((FRI, time(17), CARLOS),)),
    S("move keeps the barber", ["cambia mi cita al viernes a las 11"], (Moved(FRI, time(11), staff=CARLOS),), "juan"),
    # ---- ways out ----------------------------------------------------------------------------------
    S("cancel flow: mejor no", ["cancela mi cita", "no, mejor no"], (), "juan", reply=("sigue en pie",), never=(NOT_UNDERSTOOD,)),
    S("cancel flow: cancela todo", ["quiero cancelar", "cancela todo", "si"], (Cancelled(CORTE), Cancelled(BARBA)), "juan2", never=(NOT_UNDERSTOOD,)),
    S("booking: olvidalo", ["quiero un corte", "olvídalo"], (), never=(NOT_UNDERSTOOD,)),
    S("booking: dejalo asi", ["quiero un corte", "mañana", "déjalo así"], (), never=(NOT_UNDERSTOOD,)),
    S("booking: mejor no", ["quiero un corte", "mañana", "mejor no"], (), never=(NOT_UNDERSTOOD,)),
    S("booking: no", ["corte el viernes", "no"], (), never=(NOT_UNDERSTOOD,)),
    S("modify: olvidalo", ["cambiar mi cita", "olvidalo"], (), "juan", never=(NOT_UNDERSTOOD,)),
    S("modify: mejor dejala asi", ["cambiar mi cita", "el viernes", "mejor déjala así"], (), "juan", never=(NOT_UNDERSTOOD,)),
    S("booking: card question", ["quiero un corte", "aceptan tarjeta?"], (), reply=("Carlos",), never=(NOT_UNDERSTOOD,)),
    S("cancel turns into a change", ["cancela mi cita", "mejor cámbiala para el viernes a las 10"], (Moved(FRI, time(10)),), "juan"),
    S("modify turns into cancel", ["quiero cambiar mi cita", "mejor cancélala", "si"], (Cancelled(CORTE),), "juan"),
    S("booking: forget it, cancel mine", ["quiero un corte para el viernes", "olvidalo, mejor cancela mi cita de mañana", "si"], (Cancelled(CORTE),), "juan"),
    S("proposal declined", ["quiero un corte a las 5", "no"], (), never=(NOT_UNDERSTOOD,)),
    S("cancel: ya no, gracias", ["cancelar mi cita", "ya no, gracias"], (), "juan", never=(NOT_UNDERSTOOD,)),
    # ---- acknowledgements are not goodbyes ---------------------------------------------------------
    S("jajaja ok mid booking", ["quiero un corte", "jajaja ok", "mañana a las 5", "Ana"], (Booked(CORTE, THU, time(17)),), named=True, never=(GOODBYE,)),
    S("thumbs up mid booking", ["quiero un corte", "👍", "el viernes a las 11", "Ana"], (Booked(CORTE, FRI, time(11)),), named=True, never=(GOODBYE,)),
    S("ok with several offers", ["corte mañana", "ok", "la primera", "Ana"], (Booked(CORTE, THU),), named=True, never=(GOODBYE,)),
    S("hola then ok", ["hola", "ok"], (), never=(GOODBYE, NOT_UNDERSTOOD)),
    S("jajaja alone", ["jajaja"], (), never=(GOODBYE,)),
    S("ok during modify", ["cambiar mi cita", "ok", "el viernes a las 12"], (Moved(FRI, time(12)),), "juan", never=(GOODBYE,)),
    # ---- superlatives and references --------------------------------------------------------------
    S("lo mas temprano", ["corte mañana", "lo más temprano que tengas", "Ana"], (Booked(CORTE, THU, time(10)),), named=True),
    S("la ultima of friday", ["quiero un corte el viernes", "la última", "Ana"], (Booked(CORTE, FRI, time(19, 30)),), named=True),
    S("lo mas tarde el sabado", ["corte el sabado lo mas tarde que tengas", "si", "Ana"], (Booked(CORTE, SAT, time(17, 30)),), named=True),
    S("lo antes posible", ["quiero un corte", "lo antes posible", "si", "Ana"], (Booked(CORTE, WED, time(13)),), named=True),
    S("la primera of my appointments", ["quiero cancelar una cita", "la primera", "si"], (Cancelled(CORTE),), "juan2"),
    S("la segunda opcion", ["barba el viernes en la tarde", "la segunda opción", "Ana"], (Booked(BARBA, FRI, part="afternoon"),), named=True),
    # ---- al rato, ahorita, parts of the day, months -----------------------------------------------
    S("al rato", ["me das un corte al rato?", "la primera", "Ana"], (Booked(CORTE, WED, part="afternoon"),), named=True),
    S("ahorita en la tarde", ["ahorita en la tarde tienes para barba?", "la 1", "Ana"], (Booked(BARBA, WED, part="afternoon"),), named=True),
    S("hoy en la noche", ["corte hoy en la noche", "la 1", "Ana"], (Booked(CORTE, WED, part="evening"),), named=True),
    S("en febrero", ["quiero un corte en febrero", "la primera", "Ana"], (Booked(CORTE, FEB),), named=True, reply=("febrero",)),
    S("y para febrero", ["cuanto cuesta el corte", "y para febrero?"], (), reply=("febrero",), never=(NOT_UNDERSTOOD,)),
    S("febrero inside booking", ["quiero un corte", "y para febrero?"], (), reply=("febrero",), never=(NOT_UNDERSTOOD,)),
    # ---- greetings -----------------------------------------------------------------------------------
    S("holaa", ["holaa"], (), reply=("bienvenida",)),
    S("buenaaas", ["buenaaas"], (), reply=("bienvenida",)),
    S("buenas tardess", ["buenas tardess"], (), reply=("bienvenida",)),
    S("wenas", ["wenas"], (), reply=("bienvenida",)),
    S("holis!!", ["holiss!!"], (), reply=("bienvenida",)),
    # ---- questions ---------------------------------------------------------------------------------
    S("aceptan tarjeta", ["aceptan tarjeta?", "si"], (), reply=("Carlos",), handoff=True),
    S("estacionamiento", ["tienen estacionamiento?"], (), reply=("Carlos",), never=(NOT_UNDERSTOOD,)),
    S("no me llego el recordatorio", ["no me llegó el recordatorio"], (), "juan", reply=("4:00 PM",), never=(NOT_UNDERSTOOD,)),
    S("reminder without appointment", ["no me llego el recordatorio de mi cita"], (), never=(NOT_UNDERSTOOD,)),
    S("available times thursday", ["¿qué horarios tienes el jueves?", "corte", "la 2", "Ana"], (Booked(CORTE, THU),), named=True, reply=("tengo disponibles estos horarios",), never=("abrimos",)),
    S("room friday afternoon for barba", ["tienes espacio el viernes en la tarde para barba?", "la 1", "Ana"], (Booked(BARBA, FRI, part="afternoon"),), named=True),
    S("available times for combo saturday", ["que horarios hay el sabado para corte y barba?", "la primera", "Ana"], (Booked(COMBO, SAT),), named=True),
    # ---- inferred things are confirmed first ------------------------------------------------------
    S("time without a day", ["quiero un corte a las 5", "si", "Ana"], (Booked(CORTE, WED, time(17)),), named=True, reply=("miércoles 14 de enero",)),
    S("remembered service confirmed", ["cuanto cuesta la barba?", "y el viernes a las 11?", "si", "Ana"], (Booked(BARBA, FRI, time(11)),), named=True),
    # ---- no silence ----------------------------------------------------------------------------------
    S("empty message", [""], (), reply=("escr",)),
    S("empty mid booking", ["quiero un corte", "", "mañana a las 5", "Ana"], (Booked(CORTE, THU, time(17)),), named=True),
    # ---- more off-script turns ---------------------------------------------------------------------
    S("ok to an either-or is asked again", ["corte mañana a las 4 con Miguel", "ok", "si", "Ana"], (Booked(CORTE, THU, time(16), staff=CARLOS),), busy=((THU, time(16), MIGUEL),), named=True, reply=("(sí / no)",)),
    S("later the same day", ["la puedo recorrer para mas tarde?", "la primera"], (Moved(THU, part="afternoon"),), "juan", xfail="'más tarde' is not read as later than the appointment itself"),
    S("same time with miguel", ["me puedes cambiar con miguel?"], (Moved(THU, time(16), staff=MIGUEL),), "juan"),
    S("cancel both at once", ["cancela las dos citas", "si"], (Cancelled(CORTE), Cancelled(BARBA)), "juan2"),
    S("ahorita no, mañana", ["quiero un corte", "ahorita no, mañana a las 5", "Ana"], (Booked(CORTE, THU, time(17)),), named=True),
    S("opening hours still answered", ["a que hora abren el sabado?"], (), reply=("10:00 AM",)),
    S("payment question mid modify", ["cambiar mi cita", "aceptan efectivo?", "el viernes a las 12"], (Moved(FRI, time(12)),), "juan", reply=("Carlos",)),
    S("gracias mid booking", ["quiero un corte", "mañana", "gracias"], (), never=(NOT_UNDERSTOOD,)),
    S("thumbs up after booking", ["corte mañana a las 5", "Ana", "👍"], (Booked(CORTE, THU, time(17)),), named=True, never=(NOT_UNDERSTOOD,)),
    S("voice note alone", ["🎤"], (), reply=("escr",)),
    S("another booking while having one", ["quiero otra cita para barba el sabado a las 11"], (Booked(BARBA, SAT, time(11)),), "juan"),
    S("modify: the last one of friday", ["cambiar mi cita al viernes", "la ultima"], (Moved(FRI),), "juan"),
    S("modify: earliest on friday", ["cambiar mi cita para el viernes", "lo más temprano que tengas"], (Moved(FRI, time(10), staff=CARLOS),), "juan"),
    S("cancel no, then book", ["cancela mi cita", "no", "quiero un corte el viernes a las 11"], (Booked(CORTE, FRI, time(11)),), "juan"),
    S("voice note mid modify", ["cambiar mi cita", "", "el viernes a las 12"], (Moved(FRI, time(12)),), "juan"),
    S("staff not on the team", ["corte mañana a las 11 con Pedro"], (), reply=("no tengo a Pedro",)),
    S("staff not on the team, accepts", ["corte mañana a las 11 con Pedro", "si", "Ana"], (Booked(CORTE, THU, time(11)),), named=True),
    S("two appointments, by hour", ["quiero cambiar mi cita", "la de las 12", "el lunes a las 12"], (Moved(MON, time(12), service=BARBA),), "juan2"),
    S("price question, then move with miguel", ["cuanto cuesta la barba?", "quiero mover mi cita para el lunes a las 4 con miguel"], (Moved(MON, time(16), staff=MIGUEL),), "juan"),
    S("booking flow, then a typo'd move", ["quiero un corte", "no espera, kiero mober mi sita pal lunes", "a las 12"], (Moved(MON, time(12)),), "juan"),
    S("move, then a side question about the old day", ["quiero cambiar mi cita para el viernes", "y mañana a que hora abren?", "la primera"], (Moved(FRI),), "juan"),
    S("side question then pick", ["quiero un corte mañana", "cuanto cuesta?", "la 2", "Ana"], (Booked(CORTE, THU),), named=True),
]


@pytest.mark.parametrize(
    "script",
    [pytest.param(s, marks=pytest.mark.xfail(reason=s.xfail, strict=True)) if s.xfail else s for s in SCRIPTS],
    ids=lambda s: s.name,
)
def test_off_script_dialogue(tmp_path, clock, script):
    result = run_script(tmp_path, clock, script)
    assert not result.wrong, explain(result)
    assert not result.unanswered, explain(result)
    assert result.completed, explain(result)


def test_there_are_at_least_sixty_off_script_dialogues():
    assert len(SCRIPTS) >= 60
    assert len({s.name for s in SCRIPTS}) == len(SCRIPTS)
