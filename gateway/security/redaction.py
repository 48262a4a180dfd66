"""Credentials never reach a log line: query-string values of sensitive parameters are redacted.

Magic links carry their token in the URL fragment (never sent to the server), but an old or
hand-made ``/login?token=...`` would otherwise land in uvicorn's access log, which prints the
full query string. :class:`RedactQueryFilter` rewrites the path argument of every access record.
"""

from __future__ import annotations

import logging
import re

SENSITIVE_PARAMETERS = ("token", "access_token", "password", "secret", "code", "key", "signature")
REDACTED = "[redactado]"
_SENSITIVE = re.compile(
    r"(?i)([?&;](?:" + "|".join(SENSITIVE_PARAMETERS) + r")=)[^&;#\s]*",
)
ACCESS_LOGGER = "uvicorn.access"


def redact_url(text: str) -> str:
    """``/login?token=abc&x=1`` -> ``/login?token=[redactado]&x=1``."""
    return _SENSITIVE.sub(lambda m: m.group(1) + REDACTED, text) if isinstance(text, str) else text


class RedactQueryFilter(logging.Filter):
    """For uvicorn's access logger: ``args`` are (client, method, path with query, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and args:
            record.args = tuple(redact_url(a) if isinstance(a, str) else a for a in args)
        elif isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        return True


def install_access_log_redaction(logger_name: str = ACCESS_LOGGER) -> None:
    """Attach the filter to the access logger once (idempotent; logging.config keeps logger filters)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactQueryFilter) for f in logger.filters):
        logger.addFilter(RedactQueryFilter())
