"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for the REAL ``openai`` client.

openai 3.x talks through httpx2 (respx cannot intercept it), so tests point the client's
``base_url`` at this loopback server instead::

    fake = FakeOpenAI()                      # starts serving on a free port
    fake.tool_calls(("check_availability", {"service_id": "...", "date_from": "2026-01-15"}))
    fake.reply("Tengo estos horarios: ...")  # or fake.reply(lambda request: "...")
    client = openai.OpenAI(api_key="test", base_url=fake.base_url, max_retries=0)
    ...
    fake.requests[-1]["messages"]            # what the client sent
    fake.close()

Each POST /v1/chat/completions consumes one scripted step. A step is a response body (dict), a
``(status, body)`` pair, or a callable ``f(request_json) -> body | (status, body)``; ``delay``
seconds make it slow (for timeouts). An unscripted request gets a 500 and is counted in
``unexpected``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Step = dict | tuple | Callable[[dict], Any]


def completion(message: dict, finish_reason: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def text_body(text: str) -> dict:
    return completion({"role": "assistant", "content": text}, "stop")


_call_ids = iter(range(1, 1_000_000))


def tool_calls_body(*calls: tuple[str, dict | str]) -> dict:
    return completion(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{next(_call_ids)}",
                    "type": "function",
                    "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
                }
                for name, args in calls
            ],
        },
        "tool_calls",
    )


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: deque[tuple[Step, float]] = deque()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.unexpected = 0
        self.errors: list[BaseException] = []  # exceptions raised by callable script steps
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    request = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    request = {}
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                with fake._lock:
                    fake.requests.append(request)
                    fake.headers.append(dict(self.headers))
                    step = fake.script.popleft() if fake.script else None
                if step is None:
                    fake.unexpected += 1
                    self._send(500, {"error": {"message": "unscripted request", "type": "server_error"}})
                    return
                body, delay = step
                if delay:
                    time.sleep(delay)
                if callable(body):
                    try:
                        body = body(request)
                    except Exception as error:  # noqa: BLE001 - a failing script step is a test bug: report it
                        fake.errors.append(error)
                        self._send(500, {"error": {"message": f"script error: {error!r}", "type": "server_error"}})
                        return
                if isinstance(body, str):
                    body = text_body(body)
                status = 200
                if isinstance(body, tuple):
                    status, body = body
                self._send(status, body)

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()

    # ---- scripting ---------------------------------------------------------------------------

    def push(self, step: Step, delay: float = 0.0) -> FakeOpenAI:
        with self._lock:
            self.script.append((step, delay))
        return self

    def reply(self, text: str | Callable[[dict], str], delay: float = 0.0) -> FakeOpenAI:
        if callable(text):
            return self.push(lambda request: text_body(text(request)), delay)
        return self.push(text_body(text), delay)

    def tool_calls(self, *calls: tuple[str, dict | str | Callable[[dict], dict]], delay: float = 0.0) -> FakeOpenAI:
        def build(request: dict) -> dict:
            resolved = [(name, args(request) if callable(args) else args) for name, args in calls]
            return tool_calls_body(*resolved)

        return self.push(build, delay)

    def error(self, status: int = 500, message: str = "boom", delay: float = 0.0) -> FakeOpenAI:
        return self.push((status, {"error": {"message": message, "type": "server_error"}}), delay)

    @property
    def pending(self) -> int:
        return len(self.script)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---- reading what the client sent ------------------------------------------------------------


def tool_results(request: dict) -> list[dict]:
    """The decoded ``tool`` messages of a request, oldest first."""
    out = []
    for message in request.get("messages", []):
        if message.get("role") == "tool":
            try:
                out.append(json.loads(message.get("content") or "{}"))
            except json.JSONDecodeError:
                out.append({"raw": message.get("content")})
    return out


def last_tool_result(request: dict) -> dict:
    results = tool_results(request)
    return results[-1] if results else {}


def system_prompt(request: dict) -> str:
    return next((m.get("content") or "" for m in request.get("messages", []) if m.get("role") == "system"), "")
