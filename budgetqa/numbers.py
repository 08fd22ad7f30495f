"""Amounts and counts in Korean and English text: parse to values, format for answers.

Korean money units: 만 = 10^4, 억 = 10^8, 조 = 10^12 (천 = 10^3 inside them: "1천억").
    "3703억 원" = 370,300,000,000 won = "370.3 billion won"; "1조 2000억 원" = 1.2 trillion won.
English money: "321.3 billion won", "KRW 3.9 billion", "700 million won", "₩370.3bn".
Counts: "1431건" = 1,431 projects (건 counts cases/projects, 개 counts things, 명 people).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KO_UNITS = {"조": 10**12, "천억": 10**11, "억": 10**8, "천만": 10**7, "백만": 10**6, "만": 10**4, "천": 10**3}
EN_SCALES = {
    "trillion": 10**12,
    "tn": 10**12,
    "billion": 10**9,
    "bn": 10**9,
    "b": 10**9,
    "million": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "thousand": 10**3,
    "k": 10**3,
}
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# one or more "<number><unit>" groups: "1조 2000억", "3703억", "3,703억"
KO_MONEY = re.compile(rf"(?<![\d.,])((?:(?:{NUM})\s*(?:천억|천만|백만|[조억만천])\s*)+)(?:\s*(원|달러))?")
KO_GROUP = re.compile(rf"({NUM})\s*(천억|천만|백만|[조억만천])")
# plain won: "2,500,000원", "500원" (a table cell in 원)
KO_WON = re.compile(rf"(?<![\d.,])({NUM})\s*원(?!장|인|칙|격|본|활|래|년|형|전|문)")
EN_MONEY = re.compile(
    rf"(?:(KRW|USD|US\$|\$|₩|won)\s*)?(?<![\d.,])({NUM})\s*"
    r"(trillion|billion|million|thousand|tn|bn|mn)\b\.?\s*(won|KRW|dollars|USD)?",
    re.IGNORECASE,
)
# "1,045 information and technology projects": up to four words may stand between, but not a
# preposition or another number ("2024 on six smart city projects" is a year, not a count)
COUNT_GAP = (
    r"(?!(?:on|in|for|of|to|from|by|with|over|across|at|into|per|than|a|an|the|one|two|three|four|five"
    r"|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand)\b)"
)
COUNT = re.compile(
    rf"(?<![\d.,])({NUM})\s*여?\s*(건|개|명|곳|종|대|(?:(?:{COUNT_GAP}[A-Za-z-]+\s+){{0,4}})"
    r"(?:projects?|cases?|jobs?|companies|services|access points|tasks|goals|areas|sectors|cameras|kinds|types))",
    re.IGNORECASE,
)
WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
# "seven services", "three stages": English counts written as words
WORD_COUNT = re.compile(
    r"\b(" + "|".join(WORD_NUMBERS) + r")\s+((?:[A-Za-z-]+\s+){0,2}?"
    r"(?:projects?|services|areas|sectors|tasks|goals|stages|fields|kinds|types|companies|jobs))\b",
    re.IGNORECASE,
)
PERCENT = re.compile(rf"(?<![\d.,])({NUM})\s*(%|퍼센트|percent)", re.IGNORECASE)
COUNT_EN = {"건": "projects", "개": "", "명": "people", "곳": "places", "종": "kinds", "대": "units"}


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str  # "money" | "count" | "percent"
    currency: str = "KRW"  # for money
    unit: str = ""  # for counts: 건, 개, projects ...
    text: str = ""  # as written
    start: int = 0
    end: int = 0


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def korean_amount(text: str) -> float | None:
    """Value of a Korean amount such as "3703억", "1조 2000억", "2천억" (None if none)."""
    groups = KO_GROUP.findall(text)
    if not groups:
        return None
    return sum(_num(number) * KO_UNITS[unit] for number, unit in groups)


def find_quantities(text: str) -> list[Quantity]:
    """Money, counts and percentages in ``text``, in order, without overlaps."""
    found: list[Quantity] = []
    for m in KO_MONEY.finditer(text):
        value = korean_amount(m.group(1))
        # "3,000천" alone is no amount ("3천 명"), "3,000천원" is; 백만/억/조/만 always are
        if value is None or not (re.search(r"[조억만]", m.group(1)) or m.group(2) == "원"):
            continue
        currency = "USD" if m.group(2) == "달러" else "KRW"
        found.append(
            Quantity(value, "money", currency, text=m.group(0).strip(), start=m.start(), end=m.end())
        )
    for m in KO_WON.finditer(text):
        found.append(
            Quantity(_num(m.group(1)), "money", text=m.group(0).strip(), start=m.start(), end=m.end())
        )
    for m in EN_MONEY.finditer(text):
        cur = (m.group(1) or m.group(4) or "won").upper()
        currency = "USD" if cur in ("USD", "US$", "$", "DOLLARS") else "KRW"
        value = _num(m.group(2)) * EN_SCALES[m.group(3).lower()]
        found.append(
            Quantity(value, "money", currency, text=m.group(0).strip(), start=m.start(), end=m.end())
        )
    for m in PERCENT.finditer(text):
        found.append(Quantity(_num(m.group(1)), "percent", text=m.group(0), start=m.start(), end=m.end()))
    for m in COUNT.finditer(text):
        found.append(
            Quantity(
                _num(m.group(1)),
                "count",
                unit=m.group(2).lower().split()[-1] if m.group(2).isascii() else m.group(2),
                text=m.group(0),
                start=m.start(),
                end=m.end(),
            )
        )
    for m in WORD_COUNT.finditer(text):
        value = WORD_NUMBERS[m.group(1).lower()]
        if value:
            unit = m.group(2).lower().split()[-1]
            found.append(
                Quantity(float(value), "count", unit=unit, text=m.group(0), start=m.start(), end=m.end())
            )
    found.sort(key=lambda q: (q.start, -(q.end - q.start)))
    out: list[Quantity] = []
    for q in found:
        if out and q.start < out[-1].end:
            continue
        out.append(q)
    return out


def _trim(value: float, decimals: int = 2) -> str:
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_money(value: float, currency: str = "KRW") -> str:
    """370_300_000_000 -> "370.3 billion won"; 2.8e9 -> "2.8 billion won"."""
    noun = "won" if currency == "KRW" else "US dollars"
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if abs(value) >= scale:
            return f"{_trim(value / scale, 3)} {name} {noun}"
    return f"{_trim(value, 0)} {noun}"


def korean_money(value: float) -> str:
    """370_300_000_000 -> "3703억 원"; 1.2e12 -> "1조 2000억 원"."""
    if abs(value) < 10**8:  # under 1억: 만 원 (3,500,000 -> "350만 원"), or plain 원
        man = value / 10**4
        return f"{_trim(man, 1).replace(',', '')}만 원" if abs(value) >= 10**4 else f"{_trim(value, 0)}원"
    jo, rest = divmod(round(value), 10**12)
    eok = rest / 10**8
    parts = []
    if jo:
        parts.append(f"{jo}조")
    if eok:
        parts.append(f"{_trim(eok, 1).replace(',', '')}억")
    return " ".join(parts) + " 원"


def english_count(value: float, unit: str) -> str:
    noun = COUNT_EN.get(unit, unit)
    return f"{_trim(value, 2)} {noun}".strip()


def same_value(a: float, b: float, rel: float = 0.0005) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-9)
