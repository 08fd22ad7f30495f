"""Pure scoring functions for the eval format (../shared/EVAL_FORMAT.md).

Matching of a fact against an answer:
- money with Korean or English units is compared by value (relative tolerance 0.05%):
  "3703억" matches "3703억 원", "3,703억원", "370.3 billion won", "₩370.3bn";
- a percentage matches "7%", "7 percent", "7퍼센트";
- a count ("1431건", "1431") matches the number with or without separators and unit;
- anything else: substring after NFKC, case folding and removing whitespace.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from budgetqa.numbers import NUM, find_quantities, same_value

PLAIN_NUMBER = re.compile(rf"^\s*({NUM})\s*(건|개|명|곳|종|대|projects?|cases?|jobs?)?\s*$", re.IGNORECASE)


def normalize(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold())


def _numbers_in(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(rf"(?<![\d.]){NUM}(?![\d])", text)]


def fact_matches(fact: str, answer: str) -> bool:
    quantities = find_quantities(fact)
    whole = quantities[0] if len(quantities) == 1 and quantities[0].text.strip() == fact.strip() else None
    if whole is not None and whole.kind == "money":
        return any(q.kind == "money" and same_value(q.value, whole.value) for q in find_quantities(answer))
    if whole is not None and whole.kind == "percent":
        wanted = whole.value
        return any(
            q.kind == "percent" and same_value(q.value, wanted) for q in find_quantities(answer)
        ) or bool(re.search(rf"(?<![\d.]){re.escape(f'{wanted:g}')}\s*(%|percent|퍼센트)", answer))
    plain = PLAIN_NUMBER.match(fact)
    if whole is not None or plain:
        value = whole.value if whole is not None else float(plain.group(1).replace(",", ""))  # type: ignore[union-attr]
        return any(same_value(value, n) for n in _numbers_in(answer))
    return normalize(fact) in normalize(answer)


def expected_met(expected: list[Any], answer: str) -> list[str]:
    """The expected facts missing from ``answer`` (a list item is a set of alternatives)."""
    missing = []
    for fact in expected:
        options = fact if isinstance(fact, list) else [fact]
        if not any(fact_matches(str(o), answer) for o in options):
            missing.append(" | ".join(str(o) for o in options))
    return missing


def forbidden_found(forbidden: list[str], answer: str) -> list[str]:
    return [str(f) for f in forbidden if fact_matches(str(f), answer)]


def evidence_in(evidence: list[str], passages: list[str]) -> list[str]:
    """The evidence strings not found in any of ``passages`` (whitespace-insensitive)."""
    texts = [normalize(p) for p in passages]
    return [e for e in evidence if not any(normalize(e) in t for t in texts)]
