"""Mexican-Spanish toolkit for the offline conversation engine: pure functions, no I/O.

- ``text``: normalisation (accents, WhatsApp shorthand) and phrase lookup.
- ``dates``: "mañana en la tarde como a las 5" -> ``When``; times; "la 2" -> option 2.
- ``format``: the exact strings customers see ("jueves 15 de enero", "3:00 PM", "$1,200").
- ``matching``: loose service / option matching.
- ``intents``: keyword intents and names.
"""

from .dates import (
    PART_OF_DAY_MINUTES,
    PartOfDay,
    When,
    invalid_date,
    parse_choice_number,
    parse_time,
    parse_when,
)
from .format import (
    MONTH_NAMES,
    WEEKDAY_NAMES,
    format_at_time,
    format_date,
    format_date_capitalized,
    format_day_phrase,
    format_duration,
    format_phone,
    format_price,
    format_time,
    relative_day_label,
)
from .intents import INTENTS, detect_intents, extract_name
from .matching import match_option, match_service
from .text import clauses, contains_any, normalize, strip_accents, tokens

__all__ = [
    "INTENTS",
    "MONTH_NAMES",
    "PART_OF_DAY_MINUTES",
    "PartOfDay",
    "WEEKDAY_NAMES",
    "When",
    "clauses",
    "contains_any",
    "detect_intents",
    "extract_name",
    "format_at_time",
    "format_date",
    "format_date_capitalized",
    "format_day_phrase",
    "format_duration",
    "format_phone",
    "format_price",
    "format_time",
    "invalid_date",
    "match_option",
    "match_service",
    "normalize",
    "parse_choice_number",
    "parse_time",
    "parse_when",
    "relative_day_label",
    "strip_accents",
    "tokens",
]
