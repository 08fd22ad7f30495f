"""Optional LLM backends behind one small protocol.

``Generator.generate(prompt) -> str`` is all a backend implements. ``OpenAIGenerator`` talks to any
OpenAI-compatible ``/chat/completions`` endpoint (vLLM, llama.cpp server, Ollama's /v1, hosted
APIs). ``LLMAnswerer`` turns a generator into an answerer: it renders ``prompts/answer.txt`` with
the numbered passages, reads the [n] markers back as citations, and falls back to the default
extractive answerer when the endpoint is down. The chain's numeric guard checks its answers
like any other.
"""

from __future__ import annotations

import re
import time
from typing import Protocol

from answer.extractive import Citer, Context, Draft, ExtractiveAnswerer
from answer.question import Question
from budgetqa.errors import BudgetQAError
from budgetqa.prompts import render
from budgetqa.types import Hit

RETRY_AFTER_S = 60.0  # after a failed call, skip the endpoint this long (fall back at once)
LANG_NAMES = {"ko": "Korean (한국어)", "en": "English"}


class LLMError(BudgetQAError):
    """The LLM endpoint failed: down, timed out, or answered something unusable."""


class Generator(Protocol):
    name: str

    def generate(self, prompt: str, max_tokens: int = 400) -> str: ...


class OpenAIGenerator:
    """Any OpenAI-compatible chat completions endpoint."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.name = f"openai:{model}"
        self._down_until = 0.0

    def generate(self, prompt: str, max_tokens: int = 400) -> str:
        import httpx

        if time.monotonic() < self._down_until:  # failed a moment ago: don't wait again per call
            raise LLMError(
                f"LLM endpoint {self.base_url} was unreachable a moment ago; retrying after a pause"
            )

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        url = f"{self.base_url}/chat/completions"
        try:
            response = httpx.post(url, json=body, headers=headers, timeout=self.timeout)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"]).strip()
        except httpx.HTTPStatusError as exc:
            raise LLMError(f"LLM endpoint {url} answered {exc.response.status_code}") from None
        except httpx.HTTPError as exc:
            self._down_until = time.monotonic() + RETRY_AFTER_S
            raise LLMError(f"LLM endpoint {url} is not reachable: {exc}") from None
        except (KeyError, IndexError, TypeError, ValueError):
            raise LLMError(f"LLM endpoint {url} sent a reply without a message") from None


def load_generator(spec: str, base_url: str, api_key: str, timeout: float) -> Generator | None:
    """``spec``: "" or "none" (no LLM), or "openai:<model>"."""
    from budgetqa.errors import SettingsError

    if spec in ("", "none"):
        return None
    name, _, model = spec.partition(":")
    if name != "openai" or not model:
        raise SettingsError(f"unknown LLM backend '{spec}'; valid: none, openai:<model>")
    return OpenAIGenerator(base_url, model, api_key, timeout)


def numbered_passages(hits: list[Hit]) -> str:
    blocks = []
    for n, hit in enumerate(hits, start=1):
        head = f"[{n}] ({hit.title} · {hit.date} · {hit.source})"
        text = hit.text.replace("<", "‹").replace(">", "›")  # a document cannot close the fence
        blocks.append(f"{head}\n<passage>\n{text}\n</passage>")
    return "\n\n".join(blocks)


class LLMAnswerer:
    """Answers with a generator; the extractive answerer is its fallback."""

    def __init__(self, generator: Generator, fallback: ExtractiveAnswerer | None = None) -> None:
        self.generator = generator
        self.fallback = fallback or ExtractiveAnswerer()
        self.name = f"llm:{generator.name}"

    def answer(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        abstain_text = render(f"{q.lang}.abstain")
        years = ", ".join(str(y) for y in sorted(q.years))
        prompt = render(
            "answer",
            lang_name=LANG_NAMES[q.lang],
            abstain=abstain_text,
            scope=f"Answer only for {years}.\n" if years else "",
            question=q.text,
            passages=numbered_passages(hits),
        )
        try:
            text = self.generator.generate(prompt)
        except LLMError as exc:
            draft = self.fallback.answer(q, hits, ctx)
            draft.reason = f"{exc}; {render(f'{q.lang}.llm_down')}"
            return draft
        if not text or abstain_text.rstrip(".") in text:
            return Draft(text=abstain_text, abstained=True, reason="the LLM found no answer")
        cite = Citer()
        markers = [int(m) for m in re.findall(r"\[(\d+)\]", text)]
        cited = [hits[m - 1] for m in markers if 1 <= m <= len(hits)]
        if not cited:
            return Draft(text=abstain_text, abstained=True, reason="the LLM answer cites no passage")
        # renumber the markers in order of first use
        mapping = {m: cite(hits[m - 1]) for m in markers if 1 <= m <= len(hits)}
        text = re.sub(r"\[(\d+)\]", lambda m: mapping.get(int(m.group(1)), ""), text)
        return Draft(text=text, hits=cite.hits)
