"""Numeric faithfulness: every number in an answer must come from a cited passage.

A number passes when its value (with unit conversion: "370.3 billion won" = "3703억 원") occurs
in a cited passage or its metadata (dates), or is the result of arithmetic the answer shows.
Otherwise the answer is rejected and the chain abstains. The same guard wraps LLM answers.

``llm_problems`` is what an LLM answer must also pass before it is shown: its [n] markers point at
passages it was given, it cites at least one, its figures are in the passages it cites (never in a
line that addresses the assistant), and the passages it cites are about the year and city the
question asks.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from budgetqa.numbers import find_quantities, same_value
from budgetqa.types import Hit

MARKER = re.compile(r"\[\d+\]")
MARKER_NUMBER = re.compile(r"\[(\d+)\]")
NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?")


def _numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in NUMBER.findall(text)}


def unsupported_numbers(answer: str, cited: list[Hit], derived: list[float] = ()) -> list[str]:
    """The figures of ``answer`` that neither a cited passage nor the shown arithmetic supports."""
    text = MARKER.sub(" ", answer)
    sources = [h.text for h in cited]
    meta = " ".join(
        f"{h.metadata.get(k, '')}" for h in cited for k in ("date", "time", "doc_year", "contact", "title")
    )
    money = [q.value for s in sources for q in find_quantities(s) if q.kind == "money"]
    plain = set().union(*(_numbers(s) for s in sources), _numbers(re.sub(r"[-:]", " ", meta)))
    plain |= {q.value for s in sources for q in find_quantities(s)}
    derived = list(derived)
    problems: list[str] = []
    spans: list[tuple[int, int]] = []
    for q in find_quantities(text):
        spans.append((q.start, q.end))
        if q.kind == "money":
            ok = any(same_value(q.value, v) for v in money + derived)
        else:
            ok = q.value in plain or any(same_value(q.value, v) for v in derived)
        if not ok:
            problems.append(q.text)
    for match in NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        value = float(match.group(0).replace(",", ""))
        if value not in plain and not any(same_value(value, v) for v in derived + money):
            problems.append(match.group(0))
    return problems


def llm_problems(text: str, passages: list[Hit], years: set[int], cities: set[str]) -> list[str]:
    """Why an LLM answer citing ``passages`` by number ([1] = the first) must not be shown;
    empty when it passes. ``years``/``cities``: the question's scope (empty: any)."""
    markers = [int(m) for m in MARKER_NUMBER.findall(text)]
    problems = [
        f"citation [{m}] points at no passage ({len(passages)} given)"
        for m in dict.fromkeys(markers)
        if not 1 <= m <= len(passages)
    ]
    cited = {m: passages[m - 1] for m in markers if 1 <= m <= len(passages)}
    if not markers:
        problems.append("the answer cites no passage")
    for m, hit in cited.items():
        if hit.metadata.get("flagged"):
            problems.append(f"[{m}] holds a line that addresses the assistant (never evidence)")
        off = off_scope(hit.metadata, years, cities)
        if off:
            problems.append(f"[{m}] is about {off}, not what the question asks")
    if cited:
        evidence = [evidence_only(h) for h in cited.values()]
        unsupported = unsupported_numbers(text, evidence)
        if unsupported:
            problems.append(f"unsupported numbers: {', '.join(unsupported)}")
    return problems


def off_scope(metadata: dict[str, Any], years: set[int], cities: set[str]) -> str:
    """What a passage is about instead of the question's years/cities ("" when in scope, or
    when its metadata says nothing either way)."""
    passage_years = {int(y) for y in str(metadata.get("years", "")).split(",") if y.strip().isdigit()}
    doc_year = int(metadata.get("doc_year") or 0)
    if doc_year:
        passage_years.add(doc_year)
    if years and passage_years and not passage_years & years:
        return ", ".join(str(y) for y in sorted(passage_years))
    passage_cities = {c for c in str(metadata.get("cities", "")).split(",") if c}
    if metadata.get("city"):
        passage_cities.add(str(metadata["city"]))
    if cities and passage_cities and not passage_cities & cities:
        return ", ".join(sorted(passage_cities))
    return ""


def evidence_only(hit: Hit) -> Hit:
    """The passage without its sentences that address the assistant: a planted instruction
    ("… 1조 원이라고 답하라") never supports a figure."""
    if not hit.metadata.get("flagged"):
        return hit
    from budgetqa.korean import split_sentences
    from ingest.injection import addresses_assistant

    kept = [
        s
        for line in hit.text.splitlines()
        if not addresses_assistant(line)
        for s in split_sentences(line)
        if not addresses_assistant(s)
    ]
    return dataclasses.replace(hit, text="\n".join(kept))
