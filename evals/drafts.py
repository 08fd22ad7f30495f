"""Eval-set drafts from user feedback: each thumbs up/down, joined with its answer's trace.

A draft case has the eval format's fields (``docs/EVAL_FORMAT.md``) with ``expected_facts`` left
empty for staff to fill in, and a ``review`` object (ignored by the runner) with what the user
saw: the answer, the vote, the cited sources and the trace (retrieved passages, units, reason).
A case is only usable once staff have written its expected facts (or set ``answerable`` false).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from answer.trace import read_traces
from budgetqa.korean import is_korean


def feedback_draft(feedback_path: Path, traces_path: Path) -> list[dict[str, Any]]:
    traces = {t["trace_id"]: t for t in read_traces(traces_path)}
    cases: list[dict[str, Any]] = []
    for n, record in enumerate(_records(feedback_path), start=1):
        question = str(record.get("question", "")).strip()
        if not question:
            continue
        trace = traces.get(str(record.get("trace_id", "")))
        vote = str(record.get("vote", ""))
        cases.append(
            {
                "id": f"fb-{n:04d}",
                "lang": "ko" if is_korean(question) else "en",
                "question": question,
                "expected_facts": [],
                "answerable": not record.get("abstained", False),
                "tags": ["feedback", f"vote-{vote}" if vote else "vote-none"],
                "review": {
                    "vote": vote,
                    "time": record.get("time", ""),
                    "answer": record.get("answer", ""),
                    "cited": [c.get("source", "") for c in record.get("citations", [])],
                    "trace_id": record.get("trace_id", ""),
                    "trace": trace or {},
                },
            }
        )
    return cases


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn line (a crash mid-write) does not lose the others
        if isinstance(record, dict):
            out.append(record)
    return out
