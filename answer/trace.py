"""Per-answer traces: one JSON line per answer in ``<data>/traces.jsonl``, rotated by size.

A trace says how an answer was made: a hash of the question (the question itself is not kept;
the standalone question is, as the search saw it), the passages retrieved with their scores,
the answer units the scorer weighed and why, the abstention reason, the backend, the store
generation and the time of each step. The answer carries the trace's id, so that feedback on
it (``web.feedback``) can be joined with its trace (``budgetqa feedback export``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAX_BYTES = 5 * 1024 * 1024  # the current file is rotated past this size
KEEP = 3  # rotated files kept: traces.jsonl.1 (newest) .. traces.jsonl.3


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def question_hash(question: str) -> str:
    return hashlib.sha256(question.encode("utf-8", "replace")).hexdigest()[:16]


def record(state: dict[str, Any], answer: Any, trace_id: str, generation: str) -> dict[str, Any]:
    """The trace of one answer, from the chain's final state."""
    draft = state.get("draft")
    return {
        "trace_id": trace_id,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "question_sha256": question_hash(answer.question),
        "standalone_question": answer.standalone_question,
        "lang": answer.lang,
        "years": sorted(state.get("years") or []),
        "retrieved": [
            {
                "id": h.id,
                "source": h.source,
                "score": round(h.score, 5),
                "dense": None if h.dense is None else round(h.dense, 4),
                "lexical": None if h.lexical is None else round(h.lexical, 3),
            }
            for h in state.get("retrieved", [])[:10]
        ],
        "units": getattr(draft, "trace", []),
        "cited": [c.id for c in answer.citations],
        "abstained": answer.abstained,
        "reason": answer.reason,
        "backend": answer.backend,
        "llm": getattr(draft, "llm", {}),
        "generation": generation,
        "timings_ms": state.get("timings", {}),
        "latency_ms": round(answer.latency_ms, 1),
    }


class TraceLog:
    """Appends traces to a JSONL file; past ``MAX_BYTES`` it is rotated (``KEEP`` old files).
    A log that cannot be written (read-only data dir) is reported once and then skipped."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, keep: int = KEEP) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()
        self._broken = False

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            if self._broken:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self.path.exists() and self.path.stat().st_size + len(line) > self.max_bytes:
                    self._rotate()
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)
            except OSError as exc:
                self._broken = True
                print(
                    f"budgetqa: warning: cannot write traces to {self.path} ({exc.strerror}); not tracing",
                    file=sys.stderr,
                )

    def _rotate(self) -> None:
        for n in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
        os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))


def read_traces(path: Path) -> Iterator[dict[str, Any]]:
    """Every readable trace in the current file and its rotated ones (a broken line is skipped)."""
    for candidate in [path, *(path.with_name(f"{path.name}.{n}") for n in range(1, KEEP + 1))]:
        try:
            lines = candidate.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(entry, dict) and "trace_id" in entry:
                yield entry


def find_trace(path: Path, trace_id: str) -> dict[str, Any] | None:
    return next((t for t in read_traces(path) if t.get("trace_id") == trace_id.strip()), None)
