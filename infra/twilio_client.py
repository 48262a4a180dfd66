"""The real Twilio sender: ``twilio.rest.Client`` pointed at ``settings.twilio_api_url``.

Synchronous (the dispatcher runs in worker threads); errors are classified for the retry policy.
"""

from __future__ import annotations

import json

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from gateway.whatsapp.sender import SendError, SendResult

OUTSIDE_WINDOW = 63016
DEFAULT_API_URL = "https://api.twilio.com"


def twilio_rest_client(account_sid: str, auth_token: str, api_url: str = DEFAULT_API_URL, timeout: float = 10.0) -> Client:
    """The real client; a non-default ``api_url`` (PARLO_TWILIO_API_URL) routes every Twilio host
    Parlo uses (api: messages and phone numbers, messaging: WhatsApp senders, content: templates)
    to that one base URL, so tests and staging can point it at a fake."""
    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
    base = api_url.rstrip("/")
    client.api.base_url = base
    if base != DEFAULT_API_URL:
        client.messaging.base_url = base
        client.content.base_url = base
    return client

RETRYABLE_CODES = {20429, 30001, 30008}  # rate limited, queue overflow, unknown (transient)


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, api_url: str = DEFAULT_API_URL, timeout: float = 10.0) -> None:
        self.client = twilio_rest_client(account_sid, auth_token, api_url, timeout)

    def send(
        self,
        *,
        from_address: str,
        to_address: str,
        body: str | None = None,
        content_sid: str | None = None,
        content_variables: dict | None = None,
        status_callback: str | None = None,
    ) -> SendResult:
        kwargs: dict = {"from_": from_address, "to": to_address}
        if content_sid:
            kwargs["content_sid"] = content_sid
            if content_variables:
                kwargs["content_variables"] = json.dumps({str(k): str(v) for k, v in content_variables.items()}, ensure_ascii=False)
        else:
            kwargs["body"] = body or ""
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as error:
            code = error.code
            if code == OUTSIDE_WINDOW:
                raise SendError(str(code), error.msg or "Outside the 24-hour window", retryable=False, outside_window=True) from error
            retryable = (error.status or 0) >= 500 or error.status == 429 or code in RETRYABLE_CODES
            raise SendError(str(code or error.status), error.msg or str(error), retryable=retryable) from error
        except requests.exceptions.RequestException as error:
            raise SendError(type(error).__name__, str(error), retryable=True) from error
        return SendResult(sid=message.sid, status=message.status or "queued")
