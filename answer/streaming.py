"""Token streaming: where an answer's text goes while the model writes it.

A ``TokenStream`` wraps a callback ``emit(event, data)`` (the API's server-sent events, the chat's
queue). Events: ``token`` ``{"text"}`` as each piece arrives, and ``reset`` ``{"reason"}`` when
what was shown so far is withdrawn (the guard rejected it, or the chain tries another scope);
the final answer follows from the chain itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from budgetqa.types import Hit

Emit = Callable[[str, dict[str, Any]], None]
PARTIAL_MARKER = re.compile(r"\[\d*$")  # "[" or "[1" at the end of a piece: wait for the rest
MARKER = re.compile(r"\[(\d+)\]")


class TokenStream:
    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self.shown = False  # tokens were sent since the last reset

    def token(self, text: str) -> None:
        if text:
            self.shown = True
            self._emit("token", {"text": text})

    def reset(self, reason: str) -> None:
        """Withdraw what was shown (nothing to do when nothing was)."""
        if self.shown:
            self.shown = False
            self._emit("reset", {"reason": reason})


class Renumber:
    """Renumbers [n] markers (n = the prompt's passage numbers) in order of first use, as the
    text arrives piece by piece, so that what is streamed is what the final answer says. A
    marker without a passage ([7] of 3) is left as written (the guard rejects it)."""

    def __init__(self, passages: list[Hit], cite: Callable[[Hit], str]) -> None:
        self.passages = passages
        self.cite = cite
        self._pending = ""

    def feed(self, piece: str) -> str:
        text = self._pending + piece
        partial = PARTIAL_MARKER.search(text)
        self._pending = partial.group(0) if partial else ""
        return self._renumber(text[: partial.start()] if partial else text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._renumber(text)

    def _renumber(self, text: str) -> str:
        def one(match: re.Match[str]) -> str:
            n = int(match.group(1))
            return self.cite(self.passages[n - 1]) if 1 <= n <= len(self.passages) else match.group(0)

        return MARKER.sub(one, text)
