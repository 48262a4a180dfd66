"""A fake Twilio REST API on 127.0.0.1 that speaks the wire format the real ``twilio`` library uses.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP Basic auth and a form body;
answers 201 with JSON (sid, status, to, from, body ...). ``fail_next(n, "500" | "63016")`` makes the
next n sends fail like Twilio does (a 500, or the 400 with error 63016 for free-form text outside
the 24-hour window).
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


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.messages: list[dict] = []
        self.requests = 0
        self._failures: list[str] = []
        self._cond = threading.Condition()
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
                fake._handle(self, raw)

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
