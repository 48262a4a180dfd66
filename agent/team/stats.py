"""Owner stats (stateless): "¿cómo vamos esta semana?" -> booked, completed, no-shows, cancelled,
revenue of completed appointments, busiest day, new vs returning customers, this week vs last."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from agent.spanish import WEEKDAY_NAMES, format_date, format_price

HISTORY_LIMIT = 20000


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _summary(rows: list[dict], first_seen: dict[str, date], first: date, last: date) -> dict:
    kept = [r for r in rows if r["status"] != "cancelled"]
    completed = [r for r in rows if r["status"] == "completed"]
    days = Counter(r["local_date"] for r in kept)
    busiest = max(days.items(), key=lambda kv: (kv[1], -kv[0].toordinal()))[0] if days else None
    customers = {str(r["customer_id"]) for r in kept}
    new = sum(1 for c in customers if first <= first_seen[c] <= last)
    return {
        "booked": len(kept), "completed": len(completed), "no_shows": sum(1 for r in rows if r["status"] == "no_show"),
        "cancelled": sum(1 for r in rows if r["status"] == "cancelled"),
        "revenue_cents": sum(int(r.get("price_cents") or 0) for r in completed),
        "busiest_day": busiest.isoformat() if busiest else None, "busiest_count": days[busiest] if busiest else 0,
        "new_customers": new, "returning_customers": len(customers) - new,
    }


def week_stats(tools: Any, day: date) -> dict:
    first, last = _week(day)
    previous = (first - timedelta(days=7), first - timedelta(days=1))
    rows = tools._reads.list_appointments(tools.organization_id, date_to=last, limit=HISTORY_LIMIT)
    first_seen: dict[str, date] = {}
    for row in rows:
        if row["status"] != "cancelled":
            key = str(row["customer_id"])
            first_seen[key] = min(first_seen.get(key, row["local_date"]), row["local_date"])
    this = [r for r in rows if first <= r["local_date"] <= last]
    before = [r for r in rows if previous[0] <= r["local_date"] <= previous[1]]
    return {"week": [first.isoformat(), last.isoformat()], "this_week": _summary(this, first_seen, first, last),
            "last_week": _summary(before, first_seen, *previous)}


def render(data: dict, today: date) -> str:
    first, last = (date.fromisoformat(d) for d in data["week"])
    now, prev = data["this_week"], data["last_week"]
    label = "Esta semana" if first <= today <= last else "Esa semana"
    lines = [f"📊 {label} (del {format_date(first)} al {format_date(last)}):",
             f"• Citas: {now['booked']} (la semana anterior: {prev['booked']})",
             f"• Completadas: {now['completed']} · No-shows: {now['no_shows']} · Canceladas: {now['cancelled']}",
             f"• Ingresos de citas completadas: {format_price(now['revenue_cents'])} (la semana anterior: {format_price(prev['revenue_cents'])})"]
    if now["busiest_day"]:
        busiest = date.fromisoformat(now["busiest_day"])
        lines.append(f"• Día más fuerte: {WEEKDAY_NAMES[busiest.weekday()]} ({now['busiest_count']} citas)")
    lines.append(f"• Clientes: {now['new_customers']} nuevos y {now['returning_customers']} que regresan")
    return "\n".join(lines)
