"""Twilio webhook signatures, checked against the public URL Twilio actually called."""

from __future__ import annotations

from typing import Any

from twilio.request_validator import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm


def public_url(public_base_url: str, path: str, query: str) -> str:
    """Behind a proxy ``request.url`` is not what Twilio signed: rebuild it from the configured base."""
    url = public_base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def is_valid(auth_token: str, url: str, form: Any, headers: Any) -> bool:
    signature = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower())
    if not signature:
        return False
    algorithm = get_signature_algorithm(headers.get(SIGNATURE_SETTINGS_HEADER) or "")
    return RequestValidator(auth_token).validate(url, form, signature, algorithm)
