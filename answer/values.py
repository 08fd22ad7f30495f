"""Typed values inside a unit: the things an answer can be (an amount, a count, a share, a
date, a person or an organisation).

Each kind of question asks for one kind of value (``VALUE_KIND``); the candidates of the answer
are the values of that kind in the retrieved units. Patterns are general Korean and English
public-document forms, not phrasings of particular documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from functools import lru_cache

from budgetqa.numbers import Quantity, find_quantities

# question kind -> the kind of value that answers it
VALUE_KIND = {
    "money": "money",
    "count": "count",
    "percent": "percent",
    "date": "date",
    "who": "who",
}
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH = "|".join(MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
DATE_PATTERNS = [
    # 2023년 1월 25일, 2023. 1. 25., 2023-01-25, 2023.01.25
    re.compile(
        r"(?<!\d)((?:19|20)\d{2})\s*(?:년\s*|[.\-/]\s*)(\d{1,2})\s*(?:월\s*|[.\-/]\s*)(\d{1,2})\s*일?(?!\d)"
    ),
    # January 25, 2023 / 25 January 2023
    re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),?\s+((?:19|20)\d{{2}})\b"),
    re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?,?\s+((?:19|20)\d{{2}})\b"),
    # 2022년 1월, January 2022, 1월 25일, March 3
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*년\s*(\d{1,2})\s*월(?!\s*\d)"),
    re.compile(rf"\b({_MONTH})\.?\s+((?:19|20)\d{{2}})\b"),
    re.compile(r"(?<![\d.])(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
    re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?![,\d])"),
    # periods and years: 2025~2026년, 2023-2024, 2026년까지, by 2026
    re.compile(
        r"(?<!\d)((?:19|20)\d{2})\s*(?:년\s*)?[~\-–]\s*((?:19|20)\d{2})\s*년?(?!\s*(?:억|조|만|원|건|개))"
    ),
    re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:년|(?=\s*(?:까지|부터)))(?!\s*(?:억|조|만|원|건|개|\d))"),
    re.compile(r"\b(?:in|by|until|from|since|through)\s+((?:19|20)\d{2})\b", re.IGNORECASE),
    # times: 오전 10시, 10시 30분, 11:15, 10 a.m.
    re.compile(r"(?:오전|오후)?\s*(?<!\d)\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?(?![가-힣]{0,1}간)"),
    re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?![\d:])"),
    re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.m\.|p\.m\.|am|pm)\b", re.IGNORECASE),
]
TITLES_KO = (
    r"시장|부시장|정책관|국장|실장|과장|팀장|본부장|단장|센터장|원장|청장|장관|차관|위원장|대표|이사장|"
    r"주무관|사무관|담당관|소장|관장|총장|교수|연구위원|기자|담당자?"
)
_PARTICLE = r"(?=[은는이가을를의께에도과와,.)\s]|$)"
PERSON = re.compile(
    rf"(?<![가-힣])[가-힣]{{2,4}}\s+(?:[가-힣A-Za-z]*(?:시|도|구|군|부|청|국|과|실|팀|단|원|센터|본부)\s+){{0,3}}"
    rf"(?:[가-힣A-Za-z]*(?:{TITLES_KO})){_PARTICLE}|"
    rf"(?:{TITLES_KO})\s+(?:인\s*)?[가-힣]{{2,4}}(?:씨)?(?![가-힣])|"
    r"\b(?:Mayor|Director(?:-General)?|Minister|Commissioner|Governor|Deputy Mayor|Chief|Head|Manager|"
    r"Officer|Dr\.|Mr\.|Ms\.)\s+[A-Z][a-z]+(?:[- ][A-Z]?[a-z]+){0,2}|"
    r"\b[A-Z][a-z]+(?:[- ][A-Za-z][a-z]+){1,2},\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,5}"
    r"(?i:director|head|chief|minister|mayor|manager|officer|commissioner)(?:-General)?\b"
)
# A department name ends in 과 only after a department-like word: "작성과", "내용과" are a noun
# and the particle 과, "정보정책과", "스마트도시과" are departments.
ORG = re.compile(
    r"[가-힣·]{0,12}(?:정책|기획|정보|관리|지원|협력|혁신|총무|예산|행정|안전|산업|교통|도시|데이터|디지털|통신|정보화|복지|경제)과(?![가-힣])|"
    r"[가-힣A-Za-z·]{2,20}(?:국|팀|본부|추진단|사업단|센터|진흥원|재단|공사|공단|연구원|위원회|정책관실|담당관실?|부|처|청)(?=[은는이가을를의에도과와,.)\s]|$)|"
    r"㈜\s*[가-힣A-Za-z]+|\(주\)\s*[가-힣A-Za-z]+|주식회사\s*[가-힣A-Za-z]+|"
    r"[가-힣A-Za-z]{2,12}(?:전자|텔레콤|시스템즈?|정보통신|컨소시엄|소프트|테크)|"
    r"\b(?:[A-Z][A-Za-z&-]+\s+){0,4}(?:Department|Division|Bureau|Office|Agency|Ministry|Team|Center|Centre|"
    r"Foundation|Institute|Corporation|Consortium|Inc\.?|Corp\.?|Co\.|Ltd\.?|Group)\b(?:\s+of(?:\s+[A-Z][A-Za-z&-]+)+)?"
)


@dataclass(frozen=True)
class Value:
    kind: str  # money | count | percent | date | who
    text: str  # as written
    start: int
    end: int
    quantity: Quantity | None = None  # for money, count and percent


def values_in(text: str, kind: str) -> list[Value]:
    """The values of ``kind`` in ``text``, in order, without overlaps."""
    return list(_values(text, kind))


@lru_cache(maxsize=16384)
def _values(text: str, kind: str) -> tuple[Value, ...]:
    """(Cached: the same units come back for question after question.)"""
    if kind in ("money", "count", "percent"):
        return tuple(
            Value(q.kind, q.text, q.start, q.end, q) for q in find_quantities(text) if q.kind == kind
        )
    patterns = DATE_PATTERNS if kind == "date" else [PERSON, ORG] if kind == "who" else []
    found: list[Value] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            span = m.group(0).strip()
            if len(span) < 2:
                continue
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            if not any(start < v.end and v.start < start + len(span) for v in found):
                found.append(Value(kind, span, start, start + len(span)))
    return tuple(sorted(found, key=lambda v: v.start))


def iso_date(text: str) -> str:
    """YYYY-MM-DD for a full date written in Korean, numeric or English form; "" otherwise."""
    if m := DATE_PATTERNS[0].search(text):
        y, mo, d = (int(x) for x in m.groups())
    elif m := DATE_PATTERNS[1].search(text):
        y, mo, d = int(m.group(3)), _month(m.group(1)), int(m.group(2))
    elif m := DATE_PATTERNS[2].search(text):
        y, mo, d = int(m.group(3)), _month(m.group(2)), int(m.group(1))
    else:
        return ""
    try:
        return Date(y, mo, d).isoformat()
    except ValueError:
        return ""


def _month(name: str) -> int:
    name = name.lower()[:3]
    return next(n for n, full in enumerate(MONTHS, start=1) if full.lower().startswith(name))


def format_date(value: str, lang: str) -> str:
    """A date value as an answer shows it: a full date in both forms for English, the written
    form otherwise ("2025~2026년", "10시")."""
    iso = iso_date(value)
    if not iso:
        return value
    y, mo, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if lang == "en":
        return f"{MONTHS[mo - 1]} {d}, {y} ({iso})"
    return f"{y}년 {mo}월 {d}일"
