"""Constants and small text helpers shared by the offline engine's modules."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agent.offline.state import when_from_dict, when_to_dict  # noqa: F401 - re-exported
from agent.spanish.format import format_duration

ABANDON_AFTER = timedelta(minutes=30)
FORGET_AFTER = timedelta(hours=24)
MAX_FAILURES = 3
SEARCH_AHEAD_DAYS = 7
SEE_YOU = "¡Nos vemos!"
CAPABILITIES = "Puedo agendar, cambiar o cancelar tu cita, o darte precios y horarios."
EMPTY_MESSAGE = (
    "No me llegó texto en tu mensaje. 🙏 Por ahora solo leo mensajes escritos (no audios, fotos ni stickers); "
    "¿me lo escribes, por favor?"
)

# Words naming beauty services: asked about but not offered -> the owner answers (handoff).
SERVICE_WORDS = (
    "tinte", "tintes", "tenir", "mechas", "rayitos", "decoloracion",
    "manicure", "manicura", "pedicure", "pedicura", "gelish", "acrilico", "acrilicas", "peinado",
    "peinados", "maquillaje", "ceja", "cejas", "pestanas", "alaciado", "keratina", "botox",
    "depilacion", "depilar", "facial", "faciales", "masaje", "masajes", "permanente", "rizado",
    "tratamiento", "tratamientos", "lavado", "afeitado", "rasurado", "barba", "corte", "cortes",
    "manipedi", "mani", "pedi", "extensiones", "trenzas", "diseno", "delineado", "microblading",
)  # fmt: skip
ASK_SERVICE_RE = re.compile(r"\b(?:hacen|haces|manejan|manejas|ofrecen|ofreces|tienen|tienes|dan|venden)\b")
BARE_HOUR_RE = re.compile(r"^(?:a las |las |a la |la )?(\d{1,2})(?:[:.](\d{2}))?$")
# "me llamo Pedro" / "mi nombre es Ana" said outside the name question: the name is learned.
STATED_NAME_RE = re.compile(r"(?:^|(?<=[\s,.;!¡¿?]))(?:me\s+llamo|mi\s+nombre\s+es)\s+", re.IGNORECASE)
NAME_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Intents that move a conversation on from "¿Todo bien?" after a change.
MOVING_ON = frozenset({"my_appointments", "prices", "hours", "services", "location", "human", "cancel", "book"})

# ---- small helpers --------------------------------------------------------------------------------


GLUED_A_LAS = re.compile(r"\b(?:alas|alas\.)(?=\s*\d)", re.IGNORECASE)


def preclean(text: str) -> str:
    """Typos the parsers should not have to know: "alas 4" (a las 4)."""
    return GLUED_A_LAS.sub("a las", text)


def minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " y " + items[-1]


def bad_date_text(said: str) -> str:
    return f"El {said} no existe. 😅"


def ahead_text(hours: float) -> str:
    """24 -> "un día antes", 48 -> "dos días antes", 3 -> "3 horas antes"."""
    if hours % 24 == 0 and hours <= 72:
        return {1: "un día antes", 2: "dos días antes", 3: "tres días antes"}[int(hours // 24)]
    if hours == 1:
        return "una hora antes"
    return f"{hours:g} horas antes"


def duration(minutes: int) -> str:
    return format_duration(minutes)
