"""The LLM answerer: a langchain chat model writes the answer, the guards decide whether it is shown.

``LLMAnswerer(model)`` takes any langchain ``BaseChatModel`` (``answer.backends.chat_model`` builds
the configured one: ``openai:<model>`` or ``ollama:<model>``). It sends ``prompts/system.txt`` and
``prompts/answer.txt`` as chat messages with the best passages fenced as numbered data, streams
the reply when the question is asked with a ``TokenStream`` (``model.stream``) and waits for it
whole otherwise (``model.invoke``), both within ``timeout`` seconds for the whole answer.

Every reply passes ``answer.guard.llm_problems`` (markers point at given passages, at least one
citation, figures in the cited passages, the question's year and city) before it is shown. On a
timeout, an error or a rejection the deterministic answerer answers instead, with a visible note
(``Draft.note``) and the reason in the answer's trace (``Draft.llm``); a rejected streamed
answer is withdrawn (a ``reset`` event) and replaced by it.
"""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from typing import Any

from answer.backends import model_name
from answer.extractive import Citer, Context, Draft, ExtractiveAnswerer
from answer.guard import llm_problems
from answer.question import Question
from answer.streaming import Renumber, TokenStream
from budgetqa.errors import BudgetQAError
from budgetqa.prompts import render
from budgetqa.types import Hit

RETRY_AFTER_S = 60.0  # after an unreachable endpoint, skip it this long (fall back at once)
LLM_PASSAGES = 8  # the best passages the model reads
LANG_NAMES = {"ko": "Korean (한국어)", "en": "English"}
POLL_S = 0.1  # how often a wait for the model looks at the question's cancel event


class LLMError(BudgetQAError):
    """The LLM failed: unreachable, an error status, or a reply that is not a chat completion."""


class LLMTimeout(LLMError):
    """The LLM did not finish its answer within the timeout."""


class LLMUnreachable(LLMError):
    """Nothing answers at the LLM's address."""


def chat_messages(q: Question, passages: list[Hit]) -> list[Any]:
    """The system and user messages for a question over numbered passages."""
    from langchain_core.messages import HumanMessage, SystemMessage

    scope = " · ".join([*(str(y) for y in sorted(q.years)), *sorted(q.cities)]) or "-"
    system = render("system", lang_name=LANG_NAMES[q.lang], abstain=render(f"{q.lang}.abstain"))
    user = render("answer", question=q.text, scope=scope, passages=numbered_passages(passages))
    return [SystemMessage(content=system), HumanMessage(content=user)]


def fenced(text: str) -> str:
    """Document text inside the fence: it cannot close the fence or an attribute."""
    return text.replace("<", "‹").replace(">", "›").replace('"', "″")


def numbered_passages(hits: list[Hit]) -> str:
    return "\n\n".join(
        render(
            "passage",
            n=n,
            title=fenced(hit.title),
            date=fenced(hit.date),
            source=fenced(hit.source),
            text=fenced(hit.text),
        ).strip()
        for n, hit in enumerate(hits, start=1)
    )


def is_abstention(text: str) -> bool:
    """The model said the documents do not answer (in either language, with no citation)."""
    phrases = [render(f"{lang}.abstain").rstrip(".") for lang in LANG_NAMES]
    return "[" not in text and any(p in text for p in phrases)


class LLMAnswerer:
    """Answers with a chat model; the deterministic answerer is its fallback."""

    def __init__(
        self,
        model: Any,
        fallback: ExtractiveAnswerer | None = None,
        timeout: float = 30.0,
        max_passages: int = LLM_PASSAGES,
    ) -> None:
        self.model = model
        self.fallback = fallback or ExtractiveAnswerer()
        self.timeout = float(timeout)
        self.max_passages = max_passages
        self.model_name = model_name(model)
        self.name = f"llm:{self.model_name}"
        self._down_until = 0.0

    # -- answering ------------------------------------------------------------------------------
    def answer(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        passages = hits[: self.max_passages]
        stream: TokenStream | None = ctx.stream
        if stream is not None:
            stream.reset(render(f"{q.lang}.llm_retry"))  # an earlier attempt's abstention was shown
        if not passages:
            return self.fallback.answer(q, hits, ctx)
        started = time.monotonic()
        info: dict[str, Any] = {"backend": self.model_name, "streamed": stream is not None}
        cite = Citer()
        renumber = Renumber(passages, cite)
        shown: list[str] = []

        def on_token(piece: str) -> None:
            out = renumber.feed(piece)
            shown.append(out)
            if stream is not None:
                stream.token(out)

        try:
            raw = self.complete(
                chat_messages(q, passages), on_token if stream is not None else None, ctx.cancel
            )
        except LLMTimeout as exc:
            note = render(f"{q.lang}.llm_slow", seconds=f"{self.timeout:g}")
            return self._fallback(q, hits, ctx, info, started, "timeout", str(exc), note)
        except LLMError as exc:
            note = render(f"{q.lang}.llm_down" if isinstance(exc, LLMUnreachable) else f"{q.lang}.llm_error")
            return self._fallback(q, hits, ctx, info, started, "error", str(exc), note)
        info["ms"] = round((time.monotonic() - started) * 1000, 1)
        text = raw.strip()
        if not text or is_abstention(text):
            info["verdict"] = "abstained"
            return Draft(
                text=render(f"{q.lang}.abstain"), abstained=True, reason="the LLM found no answer", llm=info
            )
        problems = llm_problems(text, passages, q.years, q.cities)
        if problems:
            note = render(f"{q.lang}.llm_rejected")
            return self._fallback(q, hits, ctx, info, started, "rejected", "; ".join(problems), note)
        if stream is not None:
            tail = renumber.flush()
            shown.append(tail)
            stream.token(tail)
            final = "".join(shown).strip()
        else:
            whole = Renumber(passages, cite)
            final = whole.feed(text) + whole.flush()
        info["verdict"] = "passed"
        return Draft(text=final, hits=cite.hits, llm=info)

    def _fallback(
        self,
        q: Question,
        hits: list[Hit],
        ctx: Context,
        info: dict[str, Any],
        started: float,
        verdict: str,
        why: str,
        note: str,
    ) -> Draft:
        """The deterministic answer instead, with a note saying so; a streamed answer that was
        shown is withdrawn first."""
        if ctx.stream is not None:
            ctx.stream.reset(note)
        draft = self.fallback.answer(q, hits, ctx)
        info.update(verdict=verdict, reason=why, ms=round((time.monotonic() - started) * 1000, 1))
        draft.llm = info
        draft.note = note
        draft.reason = f"LLM {verdict}: {why}" + (f"; {draft.reason}" if draft.reason else "")
        return draft

    # -- the model call -------------------------------------------------------------------------
    def complete(
        self, messages: list[Any], on_token: Any = None, cancel: threading.Event | None = None
    ) -> str:
        """The model's reply to ``messages`` within ``timeout`` seconds, streamed to ``on_token``
        when given. The call runs in a worker thread (with this thread's langchain context, so
        callbacks still see it), so that a stalled server costs no more than the timeout."""
        if time.monotonic() < self._down_until:  # failed a moment ago: don't wait again per question
            raise LLMUnreachable(f"{self.model_name} was unreachable a moment ago; retrying after a pause")
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        model = self.model

        def work() -> None:
            try:
                if on_token is None:
                    # stream=False: one JSON reply (ChatOllama would otherwise stream on the wire)
                    events.put(("done", str(model.invoke(messages, stream=False).text)))
                    return
                for chunk in model.stream(messages):
                    if stop.is_set():
                        return
                    events.put(("token", str(chunk.text)))
                events.put(("done", None))
            except BaseException as exc:  # handed to the waiting thread
                events.put(("error", exc))

        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(work,), name="budgetqa-llm", daemon=True).start()
        deadline = time.monotonic() + self.timeout
        parts: list[str] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LLMTimeout(f"{self.model_name} did not answer within {self.timeout:g} s")
                if cancel is not None and cancel.is_set():
                    raise LLMError("the question was cancelled")
                try:
                    kind, value = events.get(timeout=min(remaining, POLL_S))
                except queue.Empty:
                    continue
                if kind == "token":
                    parts.append(value)
                    on_token(value)
                elif kind == "done":
                    return "".join(parts) if value is None else value
                else:
                    raise self._error(value)
        finally:
            stop.set()

    def _error(self, exc: BaseException) -> LLMError:
        """An exception from the model call as an ``LLMError`` naming what happened."""
        chain = [exc]
        while chain[-1].__cause__ is not None or chain[-1].__context__ is not None:
            chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
            if len(chain) > 10:
                break
        names = {type(e).__name__ for e in chain}
        status = next(
            (getattr(e, "status_code", None) for e in chain if getattr(e, "status_code", None)), None
        )
        if names & {"APITimeoutError", "ReadTimeout", "TimeoutException", "ConnectTimeout", "TimeoutError"}:
            return LLMTimeout(f"{self.model_name} did not answer within {self.timeout:g} s")
        if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ConnectionRefusedError"}:
            self._down_until = time.monotonic() + RETRY_AFTER_S
            return LLMUnreachable(f"{self.model_name} is not reachable: {exc}")
        if status:
            return LLMError(f"{self.model_name} answered HTTP {status}")
        return LLMError(f"{self.model_name} sent an unusable reply ({type(exc).__name__}: {exc})")
