"""Thumbs up/down on answers, appended to ``<data>/feedback.jsonl`` (one JSON object a line)."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_lock = threading.Lock()


def save_feedback(path: Path, question: str, answer: dict[str, Any], vote: str) -> None:
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "vote": vote,
        "trace_id": answer.get("trace_id", ""),
        "question": question,
        "answer": answer.get("answer", ""),
        "abstained": answer.get("abstained", False),
        "citations": [
            {k: c.get(k, "") for k in ("n", "source", "title", "date", "text")}
            for c in answer.get("citations", [])
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, path.open("a", encoding="utf-8") as fh:  # append: earlier feedback is never rewritten
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
