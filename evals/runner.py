"""Run an eval set through the chain and write the report (../shared/EVAL_FORMAT.md).

    report = run_eval(chain, load_eval_set(path), eval_set=str(path))

A broken eval file raises ``EvalFileError`` naming the line and what is wrong; failing cases are
results, not errors.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from answer.chain import QuestionError, validate
from budgetqa.errors import BudgetQAError
from evals.scoring import evidence_in, expected_met, forbidden_found

FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "lang": str,
    "question": str,
    "history": list,
    "expected_facts": list,
    "forbidden_facts": list,
    "evidence": list,
    "answerable": bool,
    "tags": list,
}
REQUIRED = ("id", "lang", "question", "answerable")


class EvalFileError(BudgetQAError):
    """The eval file cannot be read or a line is not a valid case."""


def load_eval_set(path: str | Path) -> list[dict[str, Any]]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise EvalFileError(f"{path}: not UTF-8 text") from None
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(case, dict):
            raise EvalFileError(f"{where}: a case must be a JSON object")
        for name in REQUIRED:
            if name not in case:
                raise EvalFileError(f"{where}: missing field '{name}'")
        for name, kind in FIELDS.items():
            if name in case and not isinstance(case[name], kind):
                raise EvalFileError(f"{where}: field '{name}' must be {_type_name(kind)}")
        if not case["question"].strip():
            raise EvalFileError(f"{where}: question is empty")
        for name in ("evidence", "tags", "forbidden_facts"):
            if not all(isinstance(x, str) for x in case.get(name, [])):
                raise EvalFileError(f"{where}: every item of '{name}' must be a string")
        if not all(
            isinstance(x, str) or (isinstance(x, list) and all(isinstance(y, str) for y in x))
            for x in case.get("expected_facts", [])
        ):
            raise EvalFileError(f"{where}: expected_facts items must be strings or lists of strings")
        if case["lang"] not in ("ko", "en"):
            raise EvalFileError(f"{where}: lang must be 'ko' or 'en', not {case['lang']!r}")
        if case["id"] in seen:
            raise EvalFileError(f"{where}: duplicate id {case['id']!r}")
        for turn in case.get("history", []):
            if (
                not isinstance(turn, dict)
                or turn.get("role") not in ("user", "assistant")
                or not isinstance(turn.get("content"), str)
            ):
                raise EvalFileError(
                    f'{where}: history turns must be {{"role": user|assistant, "content": str}}'
                )
        seen.add(case["id"])
        cases.append(case)
    if not cases:
        raise EvalFileError(f"{path}: no cases")
    return cases


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", bool: "true or false"}
    return names.get(kind, str(kind))  # type: ignore[arg-type]


def judge(case: dict[str, Any], answer: Any, k: int) -> dict[str, Any]:
    """One report item: the answer, what was retrieved and cited, pass/fail with reasons."""
    retrieved = [h.text for h in answer.retrieved[:k]]
    cited = [c.text for c in answer.citations]
    failures: list[str] = []
    forbidden = forbidden_found(case.get("forbidden_facts", []), answer.answer)
    if forbidden:
        failures.append(f"forbidden facts in answer: {', '.join(forbidden)}")
    hit = cite = facts = None
    if case["answerable"]:
        missing = expected_met(case.get("expected_facts", []), answer.answer)
        facts = not missing and not forbidden and not answer.abstained
        if answer.abstained:
            failures.append(f"abstained on an answerable question ({answer.reason})")
        if missing:
            failures.append(f"missing facts: {', '.join(missing)}")
        evidence = case.get("evidence", [])
        not_retrieved = evidence_in(evidence, retrieved)
        not_cited = evidence_in(evidence, cited)
        hit, cite = not not_retrieved, not not_cited
        if not_retrieved:
            failures.append(f"evidence not in top-{k} retrieved: {', '.join(not_retrieved)}")
        if not_cited:
            failures.append(f"evidence not cited: {', '.join(not_cited)}")
    elif not answer.abstained:
        failures.append("answered an unanswerable question")
    return {
        "id": case["id"],
        "lang": case["lang"],
        "tags": case.get("tags", []),
        "answerable": case["answerable"],
        "question": case["question"],
        "standalone_question": answer.standalone_question,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "reason": answer.reason,
        "retrieved": [
            {"text": h.text, "source": h.source, "score": round(h.score, 6)} for h in answer.retrieved[:k]
        ],
        "citations": [{"n": c.n, "text": c.text, "source": c.source} for c in answer.citations],
        "passed": not failures,
        "failures": failures,
        "latency_ms": round(answer.latency_ms, 1),
        "llm": answer.guard()["verdict"],  # none (no LLM), passed, rejected, timeout, error, abstained
        "_metrics": {
            "facts": facts,
            f"hit@{k}": hit,
            "cite": cite,
            "abstain": None if case["answerable"] else answer.abstained,
            "forbidden": bool(forbidden),
        },
    }


def summarize(items: list[dict[str, Any]], k: int) -> dict[str, Any]:
    def rates(group: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in ("facts", f"hit@{k}", "cite", "abstain"):
            values = [i["_metrics"][name] for i in group if i["_metrics"][name] is not None]
            if values:
                out[name] = round(sum(values) / len(values), 4)
        out["forbidden"] = sum(i["_metrics"]["forbidden"] for i in group)
        out["passed"] = round(sum(i["passed"] for i in group) / len(group), 4)
        out["cases"] = len(group)
        return out

    by_tag: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        for tag in item["tags"]:
            by_tag[tag].append(item)
    latencies = sorted(i["latency_ms"] for i in items)
    summary = rates(items)
    summary["by_tag"] = {tag: rates(group) for tag, group in sorted(by_tag.items())}
    summary["latency_ms"] = {
        "p50": round(statistics.median(latencies), 1),
        "p95": round(latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))], 1),
    }
    return summary


def run_eval(
    chain: Any, cases: list[dict[str, Any]], eval_set: str, progress: bool = True, on_case: Any = None
) -> dict[str, Any]:
    from tqdm import tqdm

    k = chain.settings.k
    refused = []
    for case in cases:  # every question must be one the chain accepts: fail before any work
        try:
            validate(case["question"], case.get("history"), chain.settings.max_question_chars)
        except QuestionError as exc:
            refused.append(f"case {case['id']}: {exc}")
    if refused:
        raise EvalFileError(f"{eval_set}: {len(refused)} case(s) would be refused: " + "; ".join(refused[:5]))
    items = []
    bar = tqdm(cases, desc="eval", unit="case", disable=not progress, file=sys.stderr)
    for n, case in enumerate(bar, start=1):
        answer = chain.ask(case["question"], case.get("history"))
        items.append(judge(case, answer, k))
        if on_case is not None:
            on_case(n, len(cases))
    summary = summarize(items, k)
    verdicts = Counter(item["llm"] for item in items)
    if set(verdicts) != {"none"}:  # with an LLM: how often its answer was shown, and why not
        summary["llm"] = dict(sorted(verdicts.items()))
    for item in items:
        del item["_metrics"]
    return {
        "eval_set": eval_set,
        "config": {
            "embedding_model": chain.pipeline.store.model_id,
            "llm": getattr(chain.answerer, "name", "extractive"),
            **llm_config(chain),
            "k": k,
        },
        "summary": summary,
        "items": items,
    }


def llm_config(chain: Any) -> dict[str, Any]:
    """The answer generator of a report: backend ("none", "openai", "ollama"), model and URL."""
    from answer.backends import base_url, parse_spec

    answerer = chain.answerer
    model = getattr(answerer, "model_name", "")
    if not model:
        return {"backend": "none", "model": "", "llm_url": ""}
    backend, _, name = model.partition(":")
    settings = chain.settings
    url = base_url(parse_spec(settings.llm), settings.llm_url) if settings.llm not in ("", "none") else ""
    return {"backend": backend, "model": name, "llm_url": url}


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    """Cases that changed between two reports: newly failing and newly passing ids."""
    if not isinstance(old, dict) or not isinstance(old.get("items", []), list):
        raise EvalFileError("the report to compare with is not an eval report (no 'items' list)")
    before = {i["id"]: i["passed"] for i in old.get("items", [])}
    after = {i["id"]: i["passed"] for i in new.get("items", [])}
    return {
        "pass_to_fail": sorted(i for i in after if before.get(i) is True and not after[i]),
        "fail_to_pass": sorted(i for i in after if before.get(i) is False and after[i]),
        "new": sorted(set(after) - set(before)),
        "gone": sorted(set(before) - set(after)),
    }
