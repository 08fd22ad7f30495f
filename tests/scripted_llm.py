"""Scripted LLM servers on loopback: one speaks the OpenAI protocol (``/v1/chat/completions``,
JSON or server-sent events), one Ollama's (``/api/chat``, JSON or NDJSON). They replay what the
test scripts, so that the real langchain clients talk real HTTP to them.

A reply is a template: ``{n}`` becomes the number of the first passage in the request that holds
``needle`` (the passages are fenced as ``<passage n="…">`` by ``prompts/passage.txt``), so a
scripted answer cites the passage it means whatever the retrieval order. ``Script.kind``:

- ``reply``: the text (streamed in small pieces when the client asks for a stream)
- ``slow``: nothing (or, streamed, the first piece) for ``delay`` seconds, then the text
- ``error``: HTTP 500
- ``malformed``: a body (or stream event) that is not JSON
- ``hold``: streams the first half, waits for ``release`` to be set, then the rest
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.S)
PIECE = 4  # characters per streamed piece: markers like "[1]" arrive split


@dataclass
class Script:
    kind: str = "reply"
    text: str = "문서에서 확인할 수 없습니다."
    needle: str = ""
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)


class ScriptedLLM:
    def __init__(self, protocol: str) -> None:
        assert protocol in ("openai", "ollama")
        self.protocol = protocol
        self.script = Script()
        self.requests: list[dict[str, Any]] = []  # first tries (an OpenAI client's retries are not kept)
        self.closing = threading.Event()  # ends every wait when the server stops
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.headers.get("x-stainless-retry-count", "0") == "0":  # not the client's retry
                    scripted.requests.append(body)
                scripted.answer(self, body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{port}" + ("/v1" if protocol == "openai" else "")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def spec(self) -> str:
        return f"{self.protocol}:scripted-model"

    def play(self, kind: str, text: str = "", needle: str = "", delay: float = 0.0) -> Script:
        self.script = Script(kind, text or Script.text, needle, delay)
        return self.script

    def close(self) -> None:
        self.closing.set()
        self.script.release.set()
        self.server.shutdown()
        self.server.server_close()

    def last_prompt(self) -> str:
        return "\n".join(m["content"] for m in self.requests[-1]["messages"])

    # -- replies --------------------------------------------------------------------------------
    def reply_text(self, body: dict[str, Any]) -> str:
        script = self.script
        user = body["messages"][-1]["content"]
        passages = {int(n): text for n, text in PASSAGE.findall(user)}
        n = next((k for k, text in sorted(passages.items()) if script.needle and script.needle in text), 1)
        return script.text.replace("{n}", str(n))

    def answer(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        script = self.script
        streamed = bool(body.get("stream", self.protocol == "ollama"))  # Ollama streams by default
        if script.kind == "error":
            return self._send(handler, 500, b'{"error": "scripted failure"}', "application/json")
        if script.kind == "malformed":
            bad = b'{"choices": [{"message": ' if not streamed else b""
            if streamed:
                bad = b"data: {not json\n\n" if self.protocol == "openai" else b'{"message": {not json\n'
            return self._send(handler, 200, bad, "application/json")
        text = self.reply_text(body)
        if not streamed:
            if script.kind == "slow":
                self.closing.wait(script.delay)
            return self._send(handler, 200, json.dumps(self._whole(text)).encode(), "application/json")
        handler.send_response(200)
        kind = "text/event-stream" if self.protocol == "openai" else "application/x-ndjson"
        handler.send_header("Content-Type", kind)
        handler.end_headers()
        pieces = [text[i : i + PIECE] for i in range(0, len(text), PIECE)]
        try:
            for i, piece in enumerate(pieces):
                if i == 1 and script.kind == "slow":
                    self.closing.wait(script.delay)
                if i == len(pieces) // 2 and script.kind == "hold":
                    script.release.wait(60)
                self._event(handler, self._piece(piece))
            self._event(handler, self._end())
            if self.protocol == "openai":
                handler.wfile.write(b"data: [DONE]\n\n")
                handler.wfile.flush()
        except OSError:  # the client gave up (a timeout): nothing more to send
            pass

    def _send(self, handler: BaseHTTPRequestHandler, status: int, data: bytes, kind: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a timeout)
            handler.wfile.write(data)

    def _event(self, handler: BaseHTTPRequestHandler, payload: dict[str, Any]) -> None:
        line = json.dumps(payload, ensure_ascii=False)
        data = f"data: {line}\n\n" if self.protocol == "openai" else f"{line}\n"
        handler.wfile.write(data.encode())
        handler.wfile.flush()

    def _whole(self, text: str) -> dict[str, Any]:
        if self.protocol == "openai":
            return {
                "id": "chatcmpl-scripted",
                "object": "chat.completion",
                "created": 0,
                "model": "scripted-model",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        return {**self._ollama(text), "done": True, "done_reason": "stop"}

    def _piece(self, text: str) -> dict[str, Any]:
        if self.protocol == "openai":
            return {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "scripted-model",
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}
                ],
            }
        return {**self._ollama(text), "done": False}

    def _end(self) -> dict[str, Any]:
        if self.protocol == "openai":
            return {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "scripted-model",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
        return {
            **self._ollama(""),
            "done": True,
            "done_reason": "stop",
            "eval_count": 1,
            "prompt_eval_count": 1,
        }

    @staticmethod
    def _ollama(text: str) -> dict[str, Any]:
        return {
            "model": "scripted-model",
            "created_at": "2024-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": text},
        }
