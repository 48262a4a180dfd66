"""Events in -> rows out, for every projection (SQLite embedded and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from commands.definitions import UpdateOrganization
from proj_support import ADMIN, full_scenario


def run(container):
    container.projections.run_once()
    return container.reads


def test_every_projection_writes_its_rows(store_url, make_container):
    container = make_container(store_url)
    ids = full_scenario(container.app)
    reads = run(container)
    org = ids["org"]

    # organizations, numbers, counts
    row = reads.get_organization(org)
    assert row["name"] == "Barbería Don Carlos" and row["status"] == "active"
    assert row["settings"]["buffer_minutes"] == 10 and row["settings"]["min_notice_minutes"] == 60
    assert row["whatsapp_numbers"] == ["+525512345678"]
    assert reads.get_organization_by_whatsapp("+525512345678")["id"] == org
    assert reads.get_organization_by_whatsapp("+520000000000") is None
    assert reads.organization_counts(org) == {"staff_count": 2, "customer_count": 3, "appointment_count": 4}
    listed = reads.list_organizations()
    assert [o["id"] for o in listed] == [org] and listed[0]["customer_count"] == 3

    # locations + hours, closures
    locations = reads.list_locations(org)
    assert [loc["name"] for loc in locations] == ["Centro", "Sucursal Norte"]
    north = reads.get_location(ids["location"])
    assert north["business_hours"]["tue"] == [["09:00", "13:00"]] and north["business_hours"]["mon"] == [["09:00", "14:00"]]
    closures = reads.list_closures(org)
    assert [(c["start_date"], c["end_date"], c["reason"]) for c in closures] == [(date(2026, 2, 2), date(2026, 2, 3), "Día festivo")]

    # services and spots
    services = {s["name"]: s for s in reads.list_services(org)}
    assert set(services) == {"Corte de cabello", "Arreglo de barba", "Corte y barba", "Tinte"}
    assert services["Tinte"]["price_cents"] == 40000 and services["Tinte"]["is_active"] is False
    assert services["Corte de cabello"]["has_appointments"] is True and services["Corte y barba"]["has_appointments"] is False
    assert "Tinte" not in {s["name"] for s in reads.list_services(org, active_only=True)}
    assert reads.get_service(org, ids["tinte"])["duration_minutes"] == 60
    spots = reads.list_spots(org)
    assert len(spots) == 1 and spots[0]["service_ids"] == [str(ids["tinte"])]  # removed service dropped from the spot

    # staff
    staff = reads.list_staff(org)
    assert [s["name"] for s in staff] == ["Carlos Mendoza", "Miguel Ángel Sánchez", "Pepe"]
    assert [s["name"] for s in reads.list_staff(org, active_only=True)] == ["Carlos Mendoza", "Miguel Ángel Sánchez"]
    assert reads.get_staff_by_phone(org, "+525522222222")["id"] == ids["miguel"]
    assert [o["name"] for o in reads.list_owners(org)] == ["Carlos Mendoza"]
    regs = reads.list_staff_registrations("+525511111111")
    assert [(r["organization_id"], r["organization_name"]) for r in regs] == [(org, "Barbería Don Carlos")]
    assert reads.list_staff_registrations("+525533333333") == []  # deactivated

    # customers (appointment_count is an increment per booking)
    juan = reads.get_customer_by_phone(org, "+525598765432")
    assert juan["name"] == "Juan Pérez" and juan["appointment_count"] == 2
    assert reads.get_customer_by_phone(org, "+525511112222")["appointment_count"] == 2
    lucia = reads.get_customer(org, ids["lucia"])
    assert lucia["name"] == "Lucía" and lucia["email"] == "lucia@example.com" and lucia["appointment_count"] == 0
    assert [c["name"] for c in reads.list_customers(org, search="luc")] == ["Lucía"]
    assert len(reads.list_customers(org)) == 3

    # appointments
    a1 = reads.get_appointment(org, ids["a1"])
    assert a1["status"] == "confirmed" and a1["reschedule_count"] == 1 and a1["notes"] == "Trae foto"
    assert a1["local_date"] == date(2026, 1, 17) and a1["scheduled_start"] == datetime(2026, 1, 17, 17, 0, tzinfo=timezone.utc)
    assert a1["reminder_sent_at"] == datetime(2026, 1, 16, 17, 0, tzinfo=timezone.utc)
    assert a1["customer_name"] == "Juan Pérez" and a1["staff_name"] == "Miguel Ángel Sánchez" and a1["service_name"] == "Corte de cabello"
    a2 = reads.get_appointment(org, ids["a2"])
    assert a2["status"] == "cancelled" and a2["cancellation_reason"] == "Me surgió algo"
    # 19:30 local on the 16th is 01:30 UTC on the 17th: local_date is the business's date
    a3 = reads.get_appointment(org, ids["a3"])
    assert a3["status"] == "completed" and a3["local_date"] == date(2026, 1, 16) and a3["scheduled_start"].day == 17
    assert reads.get_appointment(org, ids["a4"])["status"] == "no_show"
    by_day = reads.list_appointments(org, date_from=date(2026, 1, 16), date_to=date(2026, 1, 16))
    assert [a["id"] for a in by_day] == [ids["a4"], ids["a3"]]  # ordered by start
    assert [a["id"] for a in reads.list_appointments(org, staff_id=ids["carlos"])] == [ids["a2"], ids["a3"]]
    assert [a["id"] for a in reads.list_appointments(org, status="cancelled")] == [ids["a2"]]
    assert {a["id"] for a in reads.list_appointments(org, status=["completed", "no_show"])} == {ids["a3"], ids["a4"]}
    assert [a["id"] for a in reads.list_appointments(org, customer_id=juan["id"], service_id=ids["corte"])] == [ids["a1"]]
    now = datetime(2026, 1, 14, 18, 0, tzinfo=timezone.utc)
    assert [a["id"] for a in reads.list_upcoming_for_customer(org, juan["id"], now)] == [ids["a1"]]

    # staff blocks (TimeUnblocked removes)
    blocks = reads.list_blocks(org)
    assert [(b["staff_id"], b["day"], b["reason"]) for b in blocks] == [(ids["miguel"], date(2026, 1, 19), "Doctor")]
    assert reads.list_blocks(org, staff_id=ids["carlos"]) == []
    assert reads.list_blocks(org, date_from=date(2026, 1, 20)) == []

    # audit trail
    history = reads.get_appointment_history(org, ids["a1"])
    assert [h["event_type"] for h in history] == ["Booked", "Rescheduled", "NotesUpdated", "ReminderSent"]
    assert [h["version"] for h in history] == [1, 2, 3, 4]
    assert history[0]["actor"] == "customer:+525598765432" and history[0]["cause"] == "wa-1"
    assert history[0]["changes"]["status"] == {"from": None, "to": "confirmed"}
    assert history[1]["changes"]["scheduled_start"] == {"from": "2026-01-15T16:00:00+00:00", "to": "2026-01-17T17:00:00+00:00"}
    assert history[1]["changes"]["reschedule_count"] == {"from": 0, "to": 1}
    assert history[2]["changes"] == {"notes": {"from": "", "to": "Trae foto"}}
    cancel = reads.get_appointment_history(org, ids["a2"])
    assert cancel[-1]["event_type"] == "Cancelled" and cancel[-1]["changes"] == {
        "status": {"from": "confirmed", "to": "cancelled"},
        "cancellation_reason": {"from": None, "to": "Me surgió algo"},
    }
    assert cancel[-1]["occurred_at"].tzinfo is not None

    # activity feed: Spanish one-liners, newest first
    feed = reads.list_activity(org, limit=200)
    kinds = [a["kind"] for a in feed]
    assert kinds[-1] == "organization_registered"
    for kind in ("appointment_booked", "appointment_cancelled", "appointment_confirmed", "appointment_completed",
                 "appointment_no_show", "appointment_rescheduled", "customer_registered", "staff_added",
                 "staff_deactivated", "service_added", "closure_scheduled", "organization_status_changed"):
        assert kind in kinds, kind
    summaries = {a["kind"]: a["summary"] for a in reversed(feed)}  # the latest of each kind
    assert summaries["appointment_cancelled"] == (
        "Cita cancelada en Barbería Don Carlos: Juan Pérez — Arreglo de barba con Carlos Mendoza, jue 15 ene 11:00 AM. Motivo: Me surgió algo."
    )
    assert summaries["appointment_rescheduled"] == (
        "Cita reprogramada en Barbería Don Carlos: Juan Pérez — Corte de cabello con Miguel Ángel Sánchez, de jue 15 ene 10:00 AM a sáb 17 ene 11:00 AM."
    )
    assert summaries["organization_registered"].startswith("Nuevo negocio registrado: Barbería Don Carlos (barbería)")
    closures_said = [a["summary"] for a in feed if a["kind"] == "closure_scheduled"]
    assert closures_said == ["Barbería Don Carlos cerrará el 1 mar 2026.", "Barbería Don Carlos cerrará del 2 feb 2026 al 3 feb 2026 (Día festivo)."]
    assert [a["position"] for a in feed] == sorted((a["position"] for a in feed), reverse=True)
    assert reads.list_activity(limit=3) == feed[:3]
    assert all(a["kind"] == "appointment_booked" for a in reads.list_activity(org, kinds=["appointment_booked"]))


def test_timezone_change_moves_local_dates(store_url, make_container):
    container = make_container(store_url)
    ids = full_scenario(container.app)
    container.projections.run_once()
    # 19:30 in Mexico City on the 16th; in Tijuana (UTC-8) it is 17:30 on the 16th; in UTC+... use Madrid (+1): the 17th
    container.app.execute(UpdateOrganization(actor=ADMIN, cause="tz", organization_id=ids["org"], timezone="Europe/Madrid"))
    container.projections.run_once()
    assert container.reads.get_appointment(ids["org"], ids["a3"])["local_date"] == date(2026, 1, 17)
    assert container.reads.get_organization(ids["org"])["timezone"] == "Europe/Madrid"
