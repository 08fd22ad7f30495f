"""Numeric faithfulness: every number in an answer must come from a cited passage.

A number passes when its value (with unit conversion: "370.3 billion won" = "3703억 원") occurs
in a cited passage or its metadata (dates), or is the result of arithmetic the answer shows.
Otherwise the answer is rejected and the chain abstains. The same guard wraps LLM answers.
"""

from __future__ import annotations

import re

from budgetqa.numbers import find_quantities, same_value
from budgetqa.types import Hit

MARKER = re.compile(r"\[\d+\]")
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
