"""Compound questions: the parts a question asks for, each answered from its own evidence.

- Several kinds of value joined by a conjunction: "사업 수와 예산은?", "how much, and for how
  many projects?", "언제 끝났고 그때까지 얼마 들었어?" -> one part per kind.
- Several cities or years without arithmetic: "부산과 인천의 예산을 각각", "2021년과 2022년
  예산은?" -> one part per city or year.
- Several named subjects with "각각 / each / respectively": "CCTV와 메타버스 예산은 각각?".
Sums, differences and shares use the same subjects as operands (``operands``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from answer.question import Question, analyze, stopwords
from budgetqa.places import CITIES, cities_in
from retrieve.glossary import find_english

PART_KINDS = ("percent", "count", "date", "who", "money")
# what asks for each kind inside one segment of a compound question (stricter than the cues
# that decide a whole question's kind: "budget" names a topic more often than it asks)
ASKS: dict[str, tuple[str, str]] = {
    "money": (
        r"얼마|금액|액수|규모는|예산(은|는|이|도|과|와)?\s*[?？]?$",
        r"how much|what amount|\bamount\b|how big|(budget|cost|funding|price tag|spending)s?\s*[?]?$",
    ),
    "count": (
        r"몇\s*(건|개|명|곳|가지|대|종)|건수|개수|사업\s*수|과제\s*수",
        r"how many|number of|\bcount\b",
    ),
    "percent": (
        r"몇\s*%|퍼센트|비율|비중|증가율|몇\s*프로",
        r"percent|percentage|what share|proportion|\brate\b",
    ),
    "date": (
        r"언제|날짜|며칠|몇\s*월|기간|마감|기한|몇\s*시",
        r"\bwhen\b|what date|deadline|what time|how long|period",
    ),
    "who": (
        r"누구|누가|어느 (기관|부서|과|업체|기업|회사)|담당 ?(부서|기관|자)",
        r"\bwho\b|which (department|agency|body|company|firm|office|division)",
    ),
}
# conjunctions between the parts of a question
JOIN = re.compile(
    r"\s*(?:,|;|\band\b|\bas well as\b|\bplus\b|\balong with\b|그리고|및|"
    r"(?<=[가-힣])(?:와|과|하고|이랑|랑|고)(?=\s)|(?<=[가-힣])(?:이며|며)(?=\s))\s*",
    re.IGNORECASE,
)
EACH = re.compile(r"각각|따로|각 (도시|연도|해)|\beach\b|respectively|\bboth\b|separately", re.IGNORECASE)
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)\s*년?(?:도)?")
RANGE = re.compile(
    r"(?:19|20)\d{2}\s*년?\s*[~\-–]\s*(?:19|20)\d{2}|(?:19|20)\d{2}\s*(?:to|through|until|부터)", re.I
)


@dataclass(frozen=True)
class Part:
    q: Question
    label: str  # what the part asks, for the answer line ("사업 수", "부산", "2022")


def split_parts(q: Question) -> list[Part]:
    """The parts of ``q``; a single part (the question itself) when it is not compound."""
    if q.op or q.kind in ("publisher", "reporter", "published"):
        return [Part(q, "")]
    kinds = asked_kinds(q.text)
    if len(kinds) >= 2:
        return [Part(replace(q, kind=kind, op=""), kind) for kind in kinds]
    if len(q.cities) >= 2:
        return [Part(replace(q, cities={c}), c) for c in _in_order(q.text, q.cities)]
    if len(q.years) >= 2 and not RANGE.search(q.text):
        return [Part(replace(q, years={y}, related_years=set()), str(y)) for y in sorted(q.years)]
    if EACH.search(q.text):
        subjects = split_subjects(q)
        if len(subjects) >= 2:
            return [Part(_about(q, s), s) for s in subjects]
    return [Part(q, "")]


def asked_kinds(text: str) -> list[str]:
    """The kinds of value asked in different conjunction-separated segments, in order."""
    found: list[str] = []
    for segment in JOIN.split(text):
        if not segment or not segment.strip():
            continue
        kind = next((k for k in PART_KINDS if _cue(k, segment)), "")
        if kind and kind not in found:
            found.append(kind)
    return found


def _cue(kind: str, text: str) -> bool:
    ko, en = ASKS[kind]
    return bool(re.search(ko, text.strip()) or re.search(en, text.strip(), re.IGNORECASE))


def _in_order(text: str, cities: set[str]) -> list[str]:
    def first(city: str) -> int:
        positions = [text.find(a) for a in (city, *CITIES.get(city, ())) if a in text]
        return min(positions) if positions else len(text)

    return sorted(cities, key=first)


def _about(q: Question, subject: str) -> Question:
    """The question asked of one subject: the subject, then the question without the others."""
    part = analyze(f"{subject} {strip_subjects(q.text)}")
    return replace(part, kind=q.kind, years=q.years, cities=q.cities or part.cities, op="")


def strip_subjects(text: str) -> str:
    """What a question asks once its subjects are taken out ("의 예산은 각각 얼마?")."""
    text = YEAR.sub(" ", text)
    cut = re.search(
        r"(의|에|에서|을|를|은|는)?\s*(예산|금액|사업비|규모|비용|budget|amount|spending|cost)", text, re.I
    )
    return text[cut.start() :].strip() if cut else text


SPLIT_KO = re.compile(r"(?:와|과|랑|이랑|하고|및)\s+|,\s*")
OP_CUE_KO = re.compile(
    r"(을|를|의|은|는)?\s*(합치면|합하면|더하면|합계|합산|합친|모두 합|차이|비중|비율|얼마나|전체|총합|각각|따로|세 유형|두 유형).*$"
)
TRAILING_KO = re.compile(
    r"(\s*(예산|금액|사업비|정보화|몫|규모|분야|항목|유형|세|두|을|를|의|은|는|에서|에|이|가))+$"
)


def split_subjects(q: Question) -> list[str]:
    """The things a question names side by side: "자치구랑 투자출연기관 예산을 합치면" ->
    ["자치구", "투자출연기관"]; "the Metaverse Seoul stage 2 and CCTV upgrade allocations" ->
    ["Metaverse Seoul stage 2", "CCTV upgrade"]. A glossary phrase with "and" in it
    ("hardware and software") is one subject."""
    text = YEAR.sub(" ", q.text)
    if q.op == "share":
        if q.lang == "ko":
            head = re.split(r"비중|비율|차지|전체의|전체 대비|몇 ?%|몇 ?퍼센트", text)[0]
            head = re.split(r"(?:에서|중에?서?|가운데)\s+", head)[-1]
            name = TRAILING_KO.sub("", head.strip()).strip()
            return [name] if name else []
        return [g.word for g in q.focus_groups() if not g.generic][:1]
    if q.lang == "ko":
        head = OP_CUE_KO.sub("", text).strip()
        head = re.sub(r"^.*(에서|중)\s+", "", head)
        names = [TRAILING_KO.sub("", n).strip() for n in SPLIT_KO.split(head)]
        return [n for n in names if n and re.search(r"\w", n)]
    for entry in find_english(text):  # protect glossary phrases that contain "and"
        for phrase in entry.en:
            if " and " in phrase:
                text = re.sub(re.escape(phrase), phrase.replace(" and ", "_&_"), text, flags=re.I)
    words = re.findall(r"[\w/·'&-]+|,", text.replace("'s", ""))
    cuts = [i for i, w in enumerate(words) if w.lower() == "and" or w == ","]
    names = []
    for n, cut in enumerate(cuts):
        left_stop = cuts[n - 1] if n else -1
        left = _phrase(words[left_stop + 1 : cut], from_right=True) if n == 0 else None
        if left:
            names.append(left)
        right_end = cuts[n + 1] if n + 1 < len(cuts) else len(words)
        right = _phrase(words[cut + 1 : right_end], from_right=False)
        if right:
            names.append(right)
    return [n.replace("_&_", " and ") for n in names]


def _phrase(words: list[str], from_right: bool) -> str:
    """The noun phrase next to a conjunction: content words, stopping at a function word."""
    seq = list(reversed(words)) if from_right else list(words)
    while seq and seq[0].lower() in stopwords() and not seq[0][0].isdigit():
        seq.pop(0)
    out = []
    for word in seq:
        if word.lower() in stopwords() and not word[0].isdigit():
            break
        out.append(word)
    if from_right:
        out.reverse()
    return " ".join(out)


def operands(q: Question) -> list[Question]:
    """The sub-questions whose values a sum, difference or share combines."""
    if len(q.years) == 2 and q.op in ("diff", "sum"):
        return [replace(q, years={y}, related_years=set(), op="") for y in sorted(q.years)]
    if len(q.cities) == 2 and q.op in ("diff", "sum"):
        return [replace(q, cities={c}, op="") for c in _in_order(q.text, q.cities)]
    subjects = split_subjects(q)
    if q.op == "share":
        if not subjects:
            return []
        whole = analyze("총 정보화 예산" if q.lang == "ko" else "total IT budget")
        part = _about(q, subjects[0])
        return [
            replace(part, kind="count" if _counting(q) else "money"),
            replace(
                whole,
                kind="count" if _counting(q) else "money",
                years=q.years,
                cities=q.cities,
                wants_total=True,
            ),
        ]
    return [_about(q, s) for s in subjects] if len(subjects) >= 2 else []


def _counting(q: Question) -> bool:
    return bool(re.search(r"건수|몇 건|사업 수|number of projects|how many", q.text, re.I))


__all__ = ["Part", "cities_in", "operands", "split_parts", "split_subjects"]
