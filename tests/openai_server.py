"""A small OpenAI-compatible chat server for tests and benchmarks (no model behind it).

It answers ``POST /v1/chat/completions`` on 127.0.0.1 (a free port) from a
scripted queue of ``Reply`` objects or from a function of the request, and can
inject the faults a real endpoint shows: a fixed delay, no answer (timeouts),
429 with Retry-After, 5xx, a malformed body, ``finish_reason=length`` and a
dropped connection. Every request is recorded (parsed body, headers, time).

    from openai_server import OpenAIServer, Reply   # tests/ is on sys.path under pytest

    with OpenAIServer([Reply.rate_limited(retry_after=0.2), Reply.answer({"claims": []})]) as server:
        settings = LlmSettings(model="m", base_url=server.url, api_key="k")  # server.url ends in /v1
        ...
    assert len(server.requests) == 2

``Reply.answer(obj)`` adapts to the request's mode: a tool call when the
request offers tools, a ```json block for md_json, plain JSON content
otherwise. A handler function gets the ``ChatRequest`` and returns a
``Reply``. With ``OpenAIServer(script, delay=0.05)`` every reply waits 50 ms
(benchmarks). An exhausted script answers 500 ``script exhausted`` and counts
it in ``server.unexpected`` so a test can assert nothing unplanned was asked.

The answers are written by hand by whoever writes the test; nothing here is
a model's output, and every response says so in an ``X-Hand-Written`` header.

Under ``pytest --block-network`` mark tests that use it with
``@pytest.mark.block_network(allowed_hosts=[r"127\\.0\\.0\\.1$"])`` so the loopback
connection is allowed and everything else stays blocked.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["HAND_WRITTEN_HEADER", "ChatRequest", "OpenAIServer", "Reply", "schema_title"]

# Every response carries this header, so a cassette recorded from this server says so itself.
HAND_WRITTEN_HEADER = "X-Hand-Written"


@dataclass
class ChatRequest:
    """One request as the server saw it."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """All message contents joined (what the prompt says)."""
        return "\n".join(str(m.get("content") or "") for m in self.messages)


def schema_title(body: dict[str, Any]) -> str | None:
    """The name of the response schema a request asks for, in any instructor mode."""
    tools = body.get("tools") or []
    if tools:
        return tools[0].get("function", {}).get("name")
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt.get("json_schema", {}).get("name")
    for message in body.get("messages", []):  # json / md_json: the schema is in the system prompt
        content = str(message.get("content") or "")
        at = content.find("json_schema:")
        start = content.find("{", at) if at >= 0 else -1
        if start >= 0:
            try:
                schema, _ = json.JSONDecoder().raw_decode(content[start:])
            except ValueError:
                continue
            return schema.get("title")
    return None


@dataclass
class Reply:
    """What the server does with one request. Build with the class methods."""

    kind: str  # "answer", "content", "status", "hang", "drop", "raw"
    payload: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    finish_reason: str = "stop"
    delay: float = 0.0
    usage: tuple[int, int] = (120, 30)  # prompt, completion tokens reported

    @classmethod
    def answer(cls, obj: Any, *, finish_reason: str = "stop", delay: float = 0.0, usage: tuple[int, int] = (120, 30)) -> Reply:
        """A structured answer (dict, or a JSON string, valid or not) in whatever form the request's mode expects."""
        return cls("answer", obj, finish_reason=finish_reason, delay=delay, usage=usage)

    @classmethod
    def content(cls, text: str, *, finish_reason: str = "stop", delay: float = 0.0) -> Reply:
        """Plain assistant text, whatever the mode (prose, broken JSON…)."""
        return cls("content", text, finish_reason=finish_reason, delay=delay)

    @classmethod
    def truncated(cls, obj: Any) -> Reply:
        """An answer cut off at max_tokens: half the JSON and finish_reason=length."""
        text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
        return cls("answer", text[: max(1, len(text) // 2)], finish_reason="length")

    @classmethod
    def error(cls, status: int, message: str = "error", headers: dict[str, str] | None = None, delay: float = 0.0) -> Reply:
        body = {"error": {"message": message, "type": "server_error" if status >= 500 else "invalid_request_error", "code": None}}
        return cls("status", body, status=status, headers=dict(headers or {}), delay=delay)

    @classmethod
    def rate_limited(cls, retry_after: float = 0.2) -> Reply:
        return cls.error(429, "rate limit reached", headers={"Retry-After": f"{retry_after:g}"})

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Reply:
        """Accept the request and never answer (until ``seconds`` pass or the server stops): a timeout."""
        return cls("hang", delay=seconds)

    @classmethod
    def drop(cls) -> Reply:
        """Close the connection without any response."""
        return cls("drop")

    @classmethod
    def malformed(cls) -> Reply:
        """HTTP 200 whose body is not JSON."""
        return cls("raw", b'{"id": "chatcmpl-x", "choices": [', headers={"Content-Type": "application/json"})


Handler = Callable[[ChatRequest], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default backlog of 5 resets connections when 16+ clients connect at once


def completion_body(request: ChatRequest, reply: Reply, number: int) -> dict[str, Any]:
    """An OpenAI chat.completion object for ``reply`` (kinds ``answer`` and ``content``)."""
    body = request.body
    message: dict[str, Any] = {"role": "assistant", "content": None}
    payload = reply.payload
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    if reply.kind == "answer" and body.get("tools"):
        name = body["tools"][0]["function"]["name"]
        message["tool_calls"] = [
            {"id": f"call_{number}", "type": "function", "function": {"name": name, "arguments": text}}
        ]
    elif reply.kind == "answer" and _wants_codeblock(body):
        message["content"] = f"```json\n{text}\n```"
    else:
        message["content"] = text
    prompt, completion = reply.usage
    return {
        "id": f"chatcmpl-hand-{number}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "unknown"),
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }


def _wants_codeblock(body: dict[str, Any]) -> bool:
    """instructor's md_json mode asks for the answer in a json code block."""
    return not body.get("response_format") and any(
        "json codeblock" in str(m.get("content") or "") for m in body.get("messages", [])
    )


class OpenAIServer:
    """Serve scripted chat completions on ``self.url`` (``http://127.0.0.1:<port>/v1``) in a thread."""

    def __init__(self, script: Iterable[Reply] | Handler | None = None, *, delay: float = 0.0) -> None:
        self._handler: Handler | None = script if callable(script) else None
        self._queue: deque[Reply] = deque([] if script is None or callable(script) else script)
        self.delay = delay
        self.requests: list[ChatRequest] = []
        self.unexpected = 0
        self.in_flight = 0  # requests being answered now
        self.max_in_flight = 0  # the most answered at once (a client's concurrency, seen from the server)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control
    def push(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> OpenAIServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                server._serve(self)

            def do_GET(self) -> None:  # noqa: N802
                self._json(404, {"error": {"message": "not found"}})

            def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header(HAND_WRITTEN_HEADER, "tests/openai_server.py")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        # serve_forever polls for shutdown every poll_interval (0.5 s by default): stop() would wait that long.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="openai-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving
    def _next_reply(self, request: ChatRequest) -> Reply | None:
        if self._handler is not None:
            return self._handler(request)
        with self._lock:
            return self._queue.popleft() if self._queue else None

    def _serve(self, h: Any) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(h)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, h: Any) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        request = ChatRequest(path=h.path, body=body, headers={k.lower(): v for k, v in h.headers.items()}, at=time.monotonic())
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
        if not h.path.rstrip("/").endswith("/chat/completions"):
            h._json(404, {"error": {"message": f"no route {h.path}"}})
            return
        reply = self._next_reply(request)
        if reply is None:
            with self._lock:
                self.unexpected += 1
            h._json(500, {"error": {"message": "script exhausted: the test did not expect this request"}})
            return
        wait = self.delay + (reply.delay if reply.kind != "hang" else 0.0)
        if wait:
            self._stopping.wait(wait)
        if reply.kind == "hang":
            self._stopping.wait(reply.delay)
            h.close_connection = True
            return
        if reply.kind == "drop":
            h.close_connection = True
            h.connection.close()
            return
        if reply.kind == "raw":
            h.send_response(reply.status)
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(reply.payload)))
            h.end_headers()
            h.wfile.write(reply.payload)
            return
        if reply.kind == "status":
            h._json(reply.status, reply.payload, reply.headers)
            return
        h._json(200, completion_body(request, reply, number), reply.headers)
