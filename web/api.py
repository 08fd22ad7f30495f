"""The JSON API: ``POST /api/ask``, ``POST /api/ask/stream`` (server-sent events) and ``GET
/healthz`` (OpenAPI docs at ``/docs``)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Any, Literal

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from answer.chain import Cancelled, QuestionError, validate
from answer.streaming import TokenStream
from budgetqa.errors import BudgetQAError, StoreError
from web.service import STORE_DOWN, Busy, NotReady, Service


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=8000)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="the question, in Korean or English")
    history: list[Turn] | None = Field(default=None, max_length=40, description="earlier turns, oldest first")


class CitationOut(BaseModel):
    n: int
    text: str
    source: str
    title: str
    date: str
    url: str
    publisher: str = ""
    page: int = Field(default=0, description="the PDF page of the passage (0: no pages)")
    section: str = Field(default="", description="the heading the passage is under (sheet, chapter)")


class GuardOut(BaseModel):
    verdict: str = Field(
        description="the LLM guard's verdict: none (no LLM), passed, rejected, timeout, error or abstained"
    )
    reason: str = Field(default="", description="why the LLM answer was not shown")


class AskResponse(BaseModel):
    trace_id: str = Field(default="", description="this answer's trace (staff can look it up)")
    answer: str
    abstained: bool
    lang: str
    citations: list[CitationOut]
    latency_ms: float
    standalone_question: str = ""
    related: list[dict[str, Any]] = []
    note: str = Field(default="", description="shown with the answer: the LLM's answer was replaced, and why")
    guard: GuardOut | None = None


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _answer_unless_disconnected(
    service: Service, request: Request, question: str, history: Any, cancel: threading.Event
) -> Any:
    """``service.ask`` in a worker thread while the request's connection is watched: when the
    client goes away, ``cancel`` is set and the answer stops at its next step (``Cancelled``)."""
    outcome: dict[str, Any] = {}

    async def work() -> None:
        try:
            outcome["answer"] = await anyio.to_thread.run_sync(service.ask, question, history, cancel)
        except BaseException as exc:  # handed to the caller below, outside the task group
            outcome["error"] = exc
        finally:
            cancel.set()  # also ends the watcher

    async with anyio.create_task_group() as group:
        group.start_soon(_watch_disconnect, request, cancel)
        group.start_soon(work)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["answer"]


async def _watch_disconnect(request: Request, cancel: threading.Event) -> None:
    while not cancel.is_set():
        if await request.is_disconnected():
            cancel.set()
            return
        await anyio.sleep(0.1)


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def add_api(app: FastAPI, service: Service) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse(status_code=422, content={"detail": "; ".join(problems)})

    @app.post("/api/ask", response_model=AskResponse, tags=["ask"])
    async def ask(body: AskRequest, request: Request) -> Any:
        """Answer a question from the documents, with citations, or say the documents do not."""
        if not service.limiter.allow(client_key(request)):
            return JSONResponse(
                status_code=429,
                content={"detail": service.limiter.message()},
                headers={"Retry-After": str(service.limiter.retry_after(client_key(request)))},
            )
        history = [t.model_dump() for t in body.history] if body.history else None
        cancel = threading.Event()  # set when the client goes away: the work stops at its next step
        try:
            answer = await _answer_unless_disconnected(service, request, body.question, history, cancel)
        except Cancelled:
            return JSONResponse(status_code=499, content={"detail": "client closed the request"})
        except QuestionError as exc:
            return JSONResponse(status_code=400, content={"detail": str(exc)})
        except (NotReady, Busy) as exc:
            return JSONResponse(status_code=503, content={"detail": str(exc)}, headers={"Retry-After": "10"})
        except StoreError as exc:  # details (paths, driver messages) go to the log only
            print(f"budgetqa: store error answering a question: {exc}", flush=True)
            return JSONResponse(
                status_code=503, content={"detail": STORE_DOWN}, headers={"Retry-After": "10"}
            )
        except BudgetQAError as exc:
            return JSONResponse(status_code=503, content={"detail": str(exc)})
        return answer.to_dict()

    @app.post(
        "/api/ask/stream",
        tags=["ask"],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}},
    )
    async def ask_stream(body: AskRequest, request: Request) -> Any:
        """The answer as server-sent events: ``token`` ``{"text"}`` as an LLM writes it, ``reset``
        ``{"reason"}`` when what was streamed is withdrawn (the guard rejected it: the final answer
        replaces it), then one ``final`` event with the same object as ``/api/ask`` (citations,
        ``guard`` verdict, ``note``), or ``error`` ``{"status", "detail"}``. Without an LLM there are
        no tokens: just ``final``. Bad requests are refused before the stream starts (4xx JSON)."""
        key = client_key(request)
        if not service.limiter.allow(key):
            return JSONResponse(
                status_code=429,
                content={"detail": service.limiter.message()},
                headers={"Retry-After": str(service.limiter.retry_after(key))},
            )
        history = [t.model_dump() for t in body.history] if body.history else None
        try:
            validate(body.question, history, service.settings.max_question_chars)
        except QuestionError as exc:
            return JSONResponse(status_code=400, content={"detail": str(exc)})
        if service.status != "ready":
            return JSONResponse(
                status_code=503, content={"detail": service.status_message()}, headers={"Retry-After": "10"}
            )
        return StreamingResponse(
            _events(service, request, body.question, history),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        print(f"budgetqa: internal error: {type(exc).__name__}: {exc}", flush=True)  # for the operator
        return JSONResponse(status_code=500, content={"detail": "internal error / 내부 오류"})

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:  # async: answered even while every worker thread is busy
        """200 when the store and model are ready (with the passage count), 503 otherwise."""
        info = await asyncio.to_thread(service.health)  # may reopen a store that changed
        return JSONResponse(status_code=200 if info["ready"] else 503, content=info)


async def _events(service: Service, request: Request, question: str, history: Any) -> AsyncIterator[str]:
    """The events of one streamed answer: the chain runs in a worker thread and hands its tokens
    over through a queue; a client that goes away cancels it at its next step."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    cancel = threading.Event()

    def emit(event: str, data: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (event, data))

    def work() -> None:
        try:
            answer = service.ask(question, history, cancel, stream=TokenStream(emit))
            emit("final", AskResponse.model_validate(answer.to_dict()).model_dump())
        except Cancelled:
            emit("end", {})
        except QuestionError as exc:
            emit("error", {"status": 400, "detail": str(exc)})
        except (NotReady, Busy) as exc:
            emit("error", {"status": 503, "detail": str(exc)})
        except StoreError as exc:
            print(f"budgetqa: store error answering a question: {exc}", flush=True)
            emit("error", {"status": 503, "detail": STORE_DOWN})
        except BudgetQAError as exc:
            emit("error", {"status": 503, "detail": str(exc)})
        except Exception as exc:  # never a traceback to the client
            print(f"budgetqa: internal error: {type(exc).__name__}: {exc}", flush=True)
            emit("error", {"status": 500, "detail": "internal error / 내부 오류"})

    loop.run_in_executor(None, work)  # ends on its own: at its next step once cancelled
    try:
        while True:
            try:
                event, data = await asyncio.wait_for(queue.get(), timeout=0.5)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                continue
            if event == "end":
                return
            yield sse(event, data)
            if event in ("final", "error"):
                return
    finally:
        cancel.set()  # a client that went away stops the work at its next step
