"""How TeamTools present a schedule: appointments and blocks of the business-local days, working
hours, and the free gaps a barber can still fill today. A mixin: it reads through ``self._reads``
inside ``self.organization_id`` only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from agent.spanish.format import format_date, format_phone, format_price, format_time
from agent.team.specs import ScheduleArgs, TeamToolError

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LIVE = ("pending", "confirmed")
SHOWN = ("pending", "confirmed", "completed", "no_show")
MAX_RANGE_DAYS = 31


class ScheduleViews:
    _reads: Any
    _cache: dict
    organization_id: Any

    def hours_for(self, staff: dict | None, day: date) -> list[tuple[time, time]]:
        """Working intervals of a person (their own hours, else the business's) on a local day."""
        for closure in self._closures():
            if closure.get("start_date") and closure["start_date"] <= day <= closure["end_date"]:
                return []
        weekly = (staff or {}).get("working_hours") or self._business_hours()
        return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in (weekly.get(WEEKDAY_KEYS[day.weekday()]) or [])]

    def business_hours(self) -> dict:
        """The primary location's weekly hours ({"mon": [["10:00", "20:00"]], ...})."""
        return self._business_hours()

    def _business_hours(self) -> dict:
        if "hours" not in self._cache:
            rows = self._reads.list_locations(self.organization_id) or []
            primary = next((r for r in rows if r.get("is_primary")), rows[0] if rows else None)
            self._cache["hours"] = (primary or {}).get("business_hours") or {}
        return self._cache["hours"]

    def _closures(self) -> list[dict]:
        if "closures" not in self._cache:
            self._cache["closures"] = list(self._reads.list_closures(self.organization_id) or [])
        return self._cache["closures"]

    def describe_appointment(self, row: dict) -> dict:
        start, end = self.local(row["scheduled_start"]), self.local(row["scheduled_end"])
        phone = row.get("customer_phone") or ""
        return {
            "kind": "appointment",
            "appointment_id": str(row["id"]),
            "date": start.date().isoformat(),
            "date_text": format_date(start.date()),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time": format_time(start),
            "end_time": format_time(end),
            "service": row.get("service_name") or "Servicio",
            "service_id": str(row.get("service_type_id") or row.get("service_id")),
            "price": format_price(int(row.get("price_cents") or 0)),
            "customer": row.get("customer_name") or ("Cliente sin registro" if phone.startswith("walk-in:") else (format_phone(phone) if phone else "Cliente")),
            "customer_phone": phone if phone.startswith("+") else None,
            "staff": row.get("staff_name") or "",
            "staff_id": str(row["staff_id"]),
            "status": row.get("status", "confirmed"),
            "source": row.get("source") or "",
        }

    def _describe_block(self, row: dict) -> dict:
        start, end = self.local(row["start"]), self.local(row["end"])
        staff_name = ""
        try:
            staff_name = self.member(row["staff_id"])["name"]
        except TeamToolError:
            pass
        return {
            "kind": "block",
            "block_id": str(row["id"]),
            "date": row["day"].isoformat() if isinstance(row["day"], date) else str(row["day"]),
            "start": start.isoformat(),
            "end": end.isoformat(),
            "time": format_time(start),
            "end_time": format_time(end),
            "reason": row.get("reason") or "",
            "staff": staff_name,
            "staff_id": str(row["staff_id"]),
            "all_day": start.time() == time(0) and (end - start) >= timedelta(hours=23),
        }

    def _range(self, args: ScheduleArgs) -> tuple[date, date]:
        first = args.date_from or self.today
        last = args.date_to or first
        if last < first:
            first, last = last, first
        if (last - first).days > MAX_RANGE_DAYS:
            raise TeamToolError("Puedo mostrarte hasta un mes a la vez.")
        return first, last

    def _schedule(self, first: date, last: date, staff_id: Any) -> dict:
        rows = self._reads.list_appointments(self.organization_id, date_from=first, date_to=last, staff_id=staff_id, status=SHOWN)
        blocks = self._reads.list_blocks(self.organization_id, staff_id=staff_id, date_from=first, date_to=last)
        staff = self.member(staff_id) if staff_id is not None else None
        days = []
        day = first
        while day <= last:
            items = [self.describe_appointment(r) for r in rows if self.local(r["scheduled_start"]).date() == day]
            items += [self._describe_block(b) for b in blocks if (b["day"] if isinstance(b["day"], date) else date.fromisoformat(str(b["day"]))) == day]
            items.sort(key=lambda i: (i["start"], i["kind"]))
            hours = self.hours_for(staff, day)
            entry = {
                "date": day.isoformat(),
                "date_text": format_date(day),
                "open": bool(hours),
                "hours": [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in hours],
                "items": items,
                "appointment_count": sum(1 for i in items if i["kind"] == "appointment" and i["status"] in LIVE),
            }
            if staff is not None:
                entry["free"] = self._free(day, hours, items)
            days.append(entry)
            day += timedelta(days=1)
        return {"date_from": first.isoformat(), "date_to": last.isoformat(), "days": days,
                "appointment_count": sum(d["appointment_count"] for d in days)}

    def _free(self, day: date, hours: list[tuple[time, time]], items: list[dict]) -> list[dict]:
        """Free gaps of at least one slot inside working hours, from now on."""
        step = timedelta(minutes=self.slot_minutes)
        busy = sorted((datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"])) for i in items
                      if i["kind"] == "block" or i["status"] in LIVE + ("completed",))
        gaps = []
        for open_at, close_at in hours:
            cursor = datetime.combine(day, open_at, self.tz)
            close = datetime.combine(day, close_at, self.tz)
            while cursor < self.local_now and cursor < close:
                cursor += step  # only the rest of the day is useful to a barber
            for start, end in busy + [(close, close)]:
                if end <= cursor:
                    continue
                stop = min(start, close)
                if stop - cursor >= step:
                    gaps.append({"start": cursor.isoformat(), "end": stop.isoformat(), "time": format_time(cursor), "end_time": format_time(stop)})
                cursor = max(cursor, end)
                if cursor >= close:
                    break
        return gaps
