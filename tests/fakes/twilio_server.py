"""A fake Twilio REST API on 127.0.0.1 that speaks the wire format the real ``twilio`` library uses.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth and a form body;
answers 201 with JSON (sid, status, to, from, body ...). ``fail_next(n, "500" | "63016")`` makes the
next n sends fail like Twilio does (a 500, or the 400 with error 63016 for free-form text outside
the 24-hour window).

Number provisioning (issue #11), on the same server: ``GET .../AvailablePhoneNumbers/MX/Local.json``,
``GET|POST .../IncomingPhoneNumbers.json`` (list by FriendlyName, buy), ``POST
.../IncomingPhoneNumbers/{Sid}.json`` (update the webhook) and messaging v2 ``GET|POST
/v2/Channels/Senders`` (JSON bodies). ``fail_route(route, n, "500" | "lost")`` makes the next n
calls of one route fail; "lost" does the work and then answers 500, like a response lost on the
way back. ``rejected_display_names`` are refused like Meta refuses a display name.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/Messages\.json$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-zA-Z]+)/(?P<rest>.+)$")
SENDERS_PATH = re.compile(r"^/v2/Channels/Senders(?:/(?P<sender>XE[0-9a-f]+))?$")
AVAILABLE = re.compile(r"^AvailablePhoneNumbers/(?P<country>[A-Z]{2})/(?P<kind>Local|Mobile)\.json$")
INCOMING = re.compile(r"^IncomingPhoneNumbers(?:/(?P<number>PN[0-9a-f]+))?\.json$")


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict] = []
        self.requests = 0
        self._failures: list[str] = []
        self._cond = threading.Condition()
        # provisioning state
        self.available_numbers = [f"+5281{n:08d}" for n in range(10000000, 10000020)]
        self.incoming_numbers: list[dict] = []
        self.senders: list[dict] = []
        self.rejected_display_names: set[str] = set()
        self.route_calls: dict[str, int] = {}
        self._route_failures: dict[str, list[str]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if PATH.match(self.path.split("?")[0]):
                    fake._handle(self, raw)
                else:
                    fake._provisioning(self, "POST", raw)

            def do_GET(self) -> None:  # noqa: N802
                fake._provisioning(self, "GET", "")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-twilio", daemon=True)

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, n: int, kind: str = "500") -> None:
        with self._cond:
            self._failures.extend([kind] * n)

    def _handle(self, handler, raw: str) -> None:
        match = PATH.match(handler.path.split("?")[0])
        if not match:
            handler._reply(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if handler.headers.get("Authorization") != expected or match.group("sid") != self.account_sid:
            handler._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        with self._cond:
            self.requests += 1
            failure = self._failures.pop(0) if self._failures else None
            if failure is None and not form.get("Body") and not form.get("ContentSid"):
                failure = "21619"
        if failure == "500":
            handler._reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            return
        if failure == "63016":
            handler._reply(
                400,
                {"code": 63016, "message": "Failed to send freeform message because you are outside the allowed window.", "status": 400},
            )
            return
        if failure == "21619":
            handler._reply(400, {"code": 21619, "message": "A text message body or media urls must be specified.", "status": 400})
            return
        sid = "SM" + uuid.uuid4().hex
        record = {
            "sid": sid,
            "account_sid": self.account_sid,
            "status": "queued",
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "content_sid": form.get("ContentSid"),
            "content_variables": json.loads(form["ContentVariables"]) if form.get("ContentVariables") else None,
            "status_callback": form.get("StatusCallback"),
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        with self._cond:
            self.messages.append(record)
            self._cond.notify_all()
        handler._reply(201, record)

    def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[dict]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def to(self, address: str) -> list[dict]:
        with self._cond:
            return [m for m in self.messages if m["to"] == address]

    # ---- number provisioning ---------------------------------------------------------------

    def fail_route(self, route: str, n: int = 1, kind: str = "500") -> None:
        """Routes: available, list_numbers, buy, update_number, list_senders, create_sender."""
        with self._cond:
            self._route_failures.setdefault(route, []).extend([kind] * n)

    def _authorized(self, handler) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return handler.headers.get("Authorization") == expected

    def _provisioning(self, handler, method: str, raw: str) -> None:
        path, _, query = handler.path.partition("?")
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if not self._authorized(handler):
            handler._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        account = ACCOUNT_PATH.match(path)
        senders = SENDERS_PATH.match(path)
        if account and account.group("sid") != self.account_sid:
            handler._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            return
        if account and AVAILABLE.match(account.group("rest")) and method == "GET":
            route, work = "available", lambda: self._available(params)
        elif account and INCOMING.match(account.group("rest")):
            number_sid = INCOMING.match(account.group("rest")).group("number")
            form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            if method == "GET" and not number_sid:
                route, work = "list_numbers", lambda: self._list_numbers(params)
            elif method == "POST" and not number_sid:
                route, work = "buy", lambda: self._buy(form)
            elif method == "POST":
                route, work = "update_number", lambda: self._update_number(number_sid, form)
            else:
                route, work = "unknown", None
        elif senders and method == "GET" and not senders.group("sender"):
            route, work = "list_senders", lambda: self._list_senders(params)
        elif senders and method == "POST" and not senders.group("sender"):
            route, work = "create_sender", lambda: self._create_sender(json.loads(raw or "{}"))
        else:
            route, work = "unknown", None
        if work is None:
            handler._reply(404, {"code": 20404, "message": "Not found", "status": 404})
            return
        with self._cond:
            self.route_calls[route] = self.route_calls.get(route, 0) + 1
            pending = self._route_failures.get(route) or []
            failure = pending.pop(0) if pending else None
        if failure == "500":
            handler._reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            return
        status, payload = work()
        if failure == "lost":
            handler._reply(500, {"code": 20500, "message": "Internal Server Error", "status": 500})
            return
        handler._reply(status, payload)

    def _number_record(self, sid: str, number: str, form: dict) -> dict:
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "phone_number": number,
            "friendly_name": form.get("FriendlyName") or number,
            "sms_url": form.get("SmsUrl"),
            "sms_method": form.get("SmsMethod") or "POST",
            "capabilities": {"sms": True, "voice": True, "mms": False},
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{sid}.json",
        }

    def _available(self, params: dict) -> tuple[int, dict]:
        with self._cond:
            taken = {n["phone_number"] for n in self.incoming_numbers}
            free = [n for n in self.available_numbers if n not in taken]
        size = int(params.get("PageSize") or 50)
        items = [{"phone_number": n, "friendly_name": n, "iso_country": "MX", "capabilities": {"sms": True, "voice": True}} for n in free[:size]]
        return 200, {"available_phone_numbers": items, "uri": "/available", "end": len(items), "page": 0, "page_size": size, "start": 0}

    def _list_numbers(self, params: dict) -> tuple[int, dict]:
        with self._cond:
            items = [n for n in self.incoming_numbers if not params.get("FriendlyName") or n["friendly_name"] == params["FriendlyName"]]
        return 200, {"incoming_phone_numbers": items, "uri": "/incoming", "end": len(items), "page": 0, "page_size": 50, "start": 0}

    def _buy(self, form: dict) -> tuple[int, dict]:
        number = form.get("PhoneNumber")
        with self._cond:
            if number not in self.available_numbers or any(n["phone_number"] == number for n in self.incoming_numbers):
                return 400, {"code": 21422, "message": "PhoneNumber is not available", "status": 400}
            record = self._number_record("PN" + uuid.uuid4().hex, number, form)
            self.incoming_numbers.append(record)
        return 201, record

    def _update_number(self, sid: str, form: dict) -> tuple[int, dict]:
        with self._cond:
            for record in self.incoming_numbers:
                if record["sid"] == sid:
                    if "SmsUrl" in form:
                        record["sms_url"] = form["SmsUrl"]
                    if "SmsMethod" in form:
                        record["sms_method"] = form["SmsMethod"]
                    return 200, record
        return 404, {"code": 20404, "message": "Not found", "status": 404}

    def _list_senders(self, params: dict) -> tuple[int, dict]:
        with self._cond:
            items = list(self.senders)
        return 200, {"senders": items, "meta": {"key": "senders", "page": 0, "page_size": 50, "next_page_url": None, "previous_page_url": None}}

    def _create_sender(self, body: dict) -> tuple[int, dict]:
        sender_id = body.get("sender_id") or ""
        name = ((body.get("profile") or {}).get("name") or "").strip()
        with self._cond:
            if not sender_id.startswith("whatsapp:+") or not any("whatsapp:" + n["phone_number"] == sender_id for n in self.incoming_numbers):
                return 400, {"code": 63100, "message": "Invalid sender_id", "status": 400}
            if not name:
                return 400, {"code": 63101, "message": "profile.name is required", "status": 400}
            if name in self.rejected_display_names:
                return 400, {"code": 63102, "message": "The display name does not follow Meta's display name guidelines", "status": 400}
            if any(s["sender_id"] == sender_id for s in self.senders):
                return 409, {"code": 63103, "message": "Sender already exists", "status": 409}
            sid = "XE" + uuid.uuid4().hex
            record = {
                "sid": sid,
                "status": "CREATING",
                "sender_id": sender_id,
                "configuration": body.get("configuration") or {},
                "webhook": body.get("webhook") or {},
                "profile": body.get("profile") or {},
                "url": f"https://messaging.twilio.com/v2/Channels/Senders/{sid}",
            }
            self.senders.append(record)
        return 200, record
