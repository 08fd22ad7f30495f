"""What the unit scorer sees: one row of features per answer candidate.

A candidate is a unit of a retrieved passage together with the value it would give (an amount,
a count, a share, a date, a name), or the unit alone for questions that ask for a list or a
sentence. Each feature is a small function of the question and the candidate; the scorer
(``answer.scorer``) weighs them with coefficients learned from eval cases
(``python -m answer.train``). The names in ``FEATURES`` are the columns of that model, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from answer.question import Group, Question, idf, stopwords
from answer.units import Unit, char_bigrams
from answer.values import PERSON, VALUE_KIND, Value, iso_date, values_in
from budgetqa.korean import search_tokens
from budgetqa.numbers import find_quantities, same_value
from budgetqa.places import cities_in

TOTAL_MARK = re.compile(
    r"총 |총액|모두 |전체|합계|in total|a total of|total of|overall|altogether|in all\b", re.I
)
CHANGE_AFTER = re.compile(
    r"\s*(\S{0,3}\s*)?(증가|늘|감소|줄|more|less|increase|decrease|up\b|down\b|higher|lower)", re.I
)
TIME_Q = re.compile(r"몇 ?시|what time|시각", re.I)
TIME_VALUE = re.compile(r"\d\s*시|\d:\d\d|a\.m\.|p\.m\.|\bam\b|\bpm\b", re.I)
ACRONYMS = {"cctv", "ai", "gis", "ddp", "iot", "ar", "vr", "hw", "sw", "s/w", "ict", "it", "smg", "5g", "xr"}

# Stage 1, the unit: is this unit the evidence for the question?
UNIT_FEATURES: tuple[str, ...] = (
    "dense",  # cosine of question and unit vectors
    "dense_gap",  # dense minus the best dense of this question's units
    "shadow",  # cosine of the question's glossary translation and the unit
    "cover",  # share of the question's topic (idf-weighted) the unit holds
    "cover_ctx",  # the same, counting the unit's lead, section and title
    "cover_gap",  # cover minus the best cover of this question's units
    "bigrams",  # share of the character pairs of the question's topic words found in the unit
    "specific",  # share of the question's specific topic (generic budget words aside) the unit holds
    "whole_q",  # the question names no specific topic (it asks for a whole: "2023년 예산은?")
    "dense_top",  # 1 / (1 + the unit's rank by dense similarity among this question's units)
    "rare",  # the question's rarest topic word is in the unit
    "rare_ctx",  # ... or in its lead, section or title
    "rank",  # 1 / (1 + the passage's retrieval rank)
    "year_named",  # the question names a year and the unit names it too
    "year_doc",  # the question names a year and the document is of that year
    "year_other",  # the unit names only years the question does not ask about
    "latest",  # no year asked: the document is of the latest year retrieved
    "item",  # the unit is a list item or table row
    "lead",  # the unit is a list's lead ("기관별 규모는")
    "cross",  # the unit is in the other language
    "total_q",  # the question asks for a total and the unit says so (총, in total)
    "wants_value",  # the question asks for a value (amount, count, share, date, name)
    "has_value",  # ... and the unit has one of that kind
    "no_value",  # ... and the unit has none
    "value_fit",  # the best share of the question's topic named right around one of its values
    "excluded",  # the unit names only what the question excludes ("자치구 말고", "except the districts")
    "extra",  # the least share of other subjects in a value's clause (see label_extra)
    "label_fit",  # the best share of the question's topic named in one of its values' clauses
    "value_year_any",  # one of its values has the asked year written just before it
    "unit_ok_any",  # one of its values is in the unit asked (건 for projects, won, a time)
    "named_amount",  # the unit holds an amount the question names ("which field got 31억?")
)
# Stage 2, the value: which of the unit's values answers?
VALUE_FEATURES: tuple[str, ...] = (
    "unit_ok",  # the value's unit is the one asked
    "near",  # closeness of the value to a topic word of the question
    "near_rare",  # closeness of the value to the question's rarest topic word
    "near_best",  # no other value of the unit stands closer to a topic word
    "local_cover",  # share of the question's topic named right around the value
    "label_cover",
    "label_extra",  # share of the question's topic named in the value's own clause ("국비 168억 원")
    "is_person",  # the value is a person's name and title (not an organisation)
    "value_year",  # the year written just before the value is the one asked ("2022년 예산: 232억")
    "value_year_other",  # ... or another year
    "value_total",  # a total is asked and the value is marked as one ("총 3703억")
    "change_asked",  # a difference is asked and the value is a stated change ("62억 원 증가")
    "change_not_asked",  # the value is a change but no difference is asked
    "in_parens",  # the value stands in brackets after another ("7%(3459억 원)")
    "first_value",  # the first value of its kind in the unit
    "largest",  # the largest value of its kind in the unit
    "full_date",  # a full date (day, month, year)
)
FEATURES = UNIT_FEATURES + VALUE_FEATURES


@dataclass
class Candidate:
    """A unit and the value it would answer with (None for list and sentence questions)."""

    unit: Unit
    value: Value | None
    features: dict[str, float] = field(default_factory=dict)  # unit and value features
    probability: float = 0.0  # P(the answer is this value): summed over candidates stating it
    own: float = 0.0  # P(unit) x P(value | unit) for this candidate alone
    values: list[Value] = field(default_factory=list)  # every value of the unit (stage 2's choices)

    def unit_vector(self) -> list[float]:
        return [self.features[name] for name in UNIT_FEATURES]

    def value_vector(self) -> list[float]:
        return [self.features[name] for name in VALUE_FEATURES]


@dataclass
class QuestionView:
    """What the features read about a question, computed once per question."""

    q: Question
    groups: list[tuple[Group, float]]  # topic groups with idf weights
    vector: np.ndarray | None
    shadow: np.ndarray | None
    value_kind: str  # "" when the question asks for a list or a sentence
    named_amounts: list[float]
    bigrams: frozenset[str] = frozenset()  # character pairs of the topic words
    asked: frozenset[str] = frozenset()  # every token the question or its topics' alternatives use
    common: Callable[[str], bool] = lambda _t: False  # a token too frequent to tell subjects apart
    excluded: tuple[Group, ...] = ()  # what the question sets aside ("자치구랑 기관 것은 빼고")

    @cached_property
    def rarest(self) -> Group | None:
        topical = [(g, w) for g, w in self.groups if not g.generic]
        return max(topical, key=lambda gw: gw[1])[0] if topical else None

    @cached_property
    def terms(self) -> list[str]:
        """Every term of the topic groups, in order."""
        return [t for g, _ in self.groups for t in g.terms]

    @cached_property
    def vector_norm(self) -> Any:
        return np.linalg.norm(self.vector) if self.vector is not None else 0.0

    @cached_property
    def shadow_norm(self) -> Any:
        return np.linalg.norm(self.shadow) if self.shadow is not None else 0.0


def value_key(value: Value) -> str:
    """What makes two candidates the same answer: the same amount, count or share by value,
    the same date, the same name."""
    if value.quantity is not None:
        return f"{value.kind}:{value.quantity.value:.4g}"
    compact = re.sub(r"\s+", "", value.text.lower())
    if value.kind == "date":
        return f"date:{iso_date(value.text) or compact}"
    return f"{value.kind}:{compact}"


def question_view(
    q: Question,
    df: Callable[[str], int],
    n_docs: int,
    vector: list[float] | None,
    shadow: list[float] | None,
) -> QuestionView:
    excluded = tuple(
        g
        for g in q.focus_groups()
        if not g.generic and any(g.word in part for part in excluded_parts(q.text))
    )
    return QuestionView(
        q=q,
        groups=[(g, w) for g, w in topic_weights(q, df, n_docs) if g not in excluded],
        excluded=excluded,
        vector=None if vector is None else np.asarray(vector, dtype=np.float32),
        shadow=None if shadow is None else np.asarray(shadow, dtype=np.float32),
        value_kind=VALUE_KIND.get(q.kind, ""),
        named_amounts=[x.value for x in find_quantities(q.text) if x.kind == "money"],
        bigrams=frozenset(
            b for g in q.focus_groups() if not g.generic for t in g.terms for b in char_bigrams(t)
        ),
        asked=frozenset(
            [t.lower() for t in search_tokens(q.text)]
            + [t.lower() for g in q.focus_groups() for alt in g.alternatives for t in alt]
        ),
        common=lambda t: df(t) > COMMON_SHARE * max(1, n_docs),
    )


def candidates(view: QuestionView, units: list[Unit]) -> list[Candidate]:
    """Every candidate answer among ``units``, with its features: one per value of the kind
    asked (or one per unit when it has none, or the question asks for no value)."""
    out: list[Candidate] = []
    latest = max((u.doc_year for u in units), default=0)
    for unit in units:
        base = unit_features(view, unit, latest)
        found = values_in(unit.text, view.value_kind) if view.value_kind else []
        rows = [value_features(view, unit, value, found) for value in found]
        base.update(
            has_value=float(bool(found)),
            no_value=float(bool(view.value_kind) and not found),
            value_fit=max((r["local_cover"] for r in rows), default=0.0),
            label_fit=max((r["label_cover"] for r in rows), default=0.0),
            extra=min((r["label_extra"] for r in rows), default=0.0),
            excluded=float(bool(view.excluded) and any(g.matched_by(unit.tokens) for g in view.excluded)),
            value_year_any=max((r["value_year"] for r in rows), default=0.0),
            unit_ok_any=max((r["unit_ok"] for r in rows), default=0.0),
        )
        if not found:
            out.append(Candidate(unit, None, {**base, **value_features(view, unit, None, [])}))
        for value, row in zip(found, rows, strict=True):
            out.append(Candidate(unit, value, {**base, **row}, values=found))
    best_dense = max((c.features["dense"] for c in out), default=0.0)
    best_cover = max((c.features["cover"] for c in out), default=0.0)
    by_dense = sorted(
        {(c.unit.hit.id, c.unit.n): c.features["dense"] for c in out}.items(), key=lambda kv: -kv[1]
    )
    dense_rank = {key: n for n, (key, _) in enumerate(by_dense)}
    for c in out:
        c.features["dense_gap"] = c.features["dense"] - best_dense
        c.features["cover_gap"] = c.features["cover"] - best_cover
        c.features["dense_top"] = 1.0 / (1 + dense_rank[(c.unit.hit.id, c.unit.n)])
    return out


def unit_features(view: QuestionView, unit: Unit, latest: int) -> dict[str, float]:
    q = view.q
    norm = np.linalg.norm(unit.vector) if unit.vector is not None else 0.0
    dense = _cosine(view.vector, view.vector_norm, unit.vector, norm)
    rarest = view.rarest
    both = unit.tokens | unit.context
    in_text = [g.matched_by(unit.tokens) for g, _ in view.groups]
    in_both = [m or g.matched_by(both) for (g, _), m in zip(view.groups, in_text, strict=True)]
    mentioned = unit.years
    asked = q.years | q.related_years
    return {
        "dense": dense,
        "shadow": _cosine(view.shadow, view.shadow_norm, unit.vector, norm)
        if view.shadow is not None
        else dense,
        "cover": coverage(view, in_text, unit.lang),
        "cover_ctx": coverage(view, in_both, unit.lang),
        "bigrams": len(view.bigrams & unit.bigrams) / len(view.bigrams) if view.bigrams else 0.0,
        "specific": coverage(view, in_both, unit.lang, specific=True),
        "whole_q": float(not any(not g.generic for g, _ in view.groups)),
        "rare": float(rarest is not None and rarest.matched_by(unit.tokens)),
        "rare_ctx": float(rarest is not None and rarest.matched_by(both)),
        "rank": 1.0 / (1 + unit.rank),
        "year_named": float(bool(q.years) and bool((mentioned | unit.token_years) & q.years)),
        "year_doc": float(bool(q.years) and unit.doc_year in q.years),
        "year_other": float(bool(q.years) and bool(mentioned) and not (mentioned & asked)),
        "latest": float(not q.years and unit.doc_year == latest and latest > 0),
        "item": float(unit.kind == "item"),
        "lead": float(unit.kind == "lead"),
        "cross": float(unit.lang != q.lang),
        "total_q": float(q.wants_total and bool(TOTAL_MARK.search(unit.text))),
        "wants_value": float(bool(view.value_kind)),
        "named_amount": float(
            any(
                x.kind == "money" and any(same_value(x.value, a) for a in view.named_amounts)
                for x in unit.quantities
            )
        ),
    }


def value_features(
    view: QuestionView, unit: Unit, value: Value | None, values: list[Value]
) -> dict[str, float]:
    q = view.q
    zero = {
        "unit_ok": 0.0,
        "near": 0.0,
        "near_rare": 0.0,
        "near_best": 0.0,
        "local_cover": 0.0,
        "label_cover": 0.0,
        "label_extra": 0.0,
        "is_person": 0.0,
        "value_year": 0.0,
        "value_year_other": 0.0,
        "value_total": 0.0,
        "change_asked": 0.0,
        "change_not_asked": 0.0,
        "in_parens": 0.0,
        "first_value": 0.0,
        "largest": 0.0,
        "full_date": 0.0,
    }
    if value is None:
        return zero
    text = unit.text
    change = value.quantity is not None and is_change(text, value)
    numbers = [v.quantity.value for v in values if v.quantity is not None]
    terms = view.terms
    near = closeness(text, value, terms)
    year = year_before(text, value)
    return {
        **zero,
        "unit_ok": float(unit_ok(q, value)),
        "near": near,
        "near_rare": closeness(text, value, list(view.rarest.terms) if view.rarest else []),
        "near_best": float(all(near >= closeness(text, other, terms) for other in values)),
        "local_cover": local_coverage(view, text, value),
        "label_cover": label_coverage(view, text, value),
        "label_extra": label_extra(view, text, value),
        "is_person": float(value.kind == "who" and bool(PERSON.fullmatch(value.text))),
        "value_year": float(bool(q.years) and year in q.years),
        "value_year_other": float(
            bool(q.years) and year is not None and year not in q.years | q.related_years
        ),
        "value_total": float(
            q.wants_total and bool(TOTAL_MARK.search(text[max(0, value.start - 14) : value.start + 1]))
        ),
        "change_asked": float(change and q.op == "diff"),
        "change_not_asked": float(change and q.op != "diff"),
        "in_parens": float(text[max(0, value.start - 1) : value.start] in ("(", "（")),
        "first_value": float(values[0] is value),
        "largest": float(
            value.quantity is not None and bool(numbers) and value.quantity.value >= max(numbers)
        ),
        "full_date": float(value.kind == "date" and bool(iso_date(value.text))),
    }


# -- small measures ----------------------------------------------------------------------------
def _cosine(a: np.ndarray | None, norm_a: Any, b: np.ndarray | None, norm_b: Any) -> float:
    """(Norms as numpy computes them, each once: the same figures as before they were kept.)"""
    if a is None or b is None:
        return 0.0
    return float(np.dot(a, b) / ((norm_a * norm_b) or 1.0))


def topic_weights(q: Question, df: Callable[[str], int], n_docs: int) -> list[tuple[Group, float]]:
    """Each topic group of the question with its weight: rarity in the corpus (idf) times the
    word's factor. A noun the corpus never uses weighs in full (the question may ask about
    something the documents lack); English verb forms the corpus lacks are dropped."""
    out = []
    for group in q.focus_groups():
        known = [t for t in group.terms if df(t) > 0]
        if not known or not any(all(df(t) > 0 for t in alt) for alt in group.alternatives):
            if group.factor < 1.0:
                continue
            out.append((group, idf(0, n_docs)))
            continue
        weight = group.factor * max(idf(df(t), n_docs) for t in known)
        if re.search(r"\d", group.word):
            weight *= 1.5  # "stage 3", "2단계": the digit tells it from its siblings
        out.append((group, weight))
    return out


def coverage(view: QuestionView, matched: list[bool], lang: str, specific: bool = False) -> float:
    """Share of the question's topic (by weight) that a unit's tokens hold, from which of
    ``view.groups`` they match (``matched``, in order); ``specific``: of its topic words beyond
    generic budget vocabulary. In a unit of the other language a word the glossary cannot
    translate weighs half: it could not match, but the unit is not shown to be about it either.
    1.0 when the question names no such topic."""
    groups = [
        (g, w, m) for (g, w), m in zip(view.groups, matched, strict=True) if not (specific and g.generic)
    ]
    if not groups:
        return 1.0
    same = lang == view.q.lang

    def weight(group: Group, w: float) -> float:
        return w if same or group.translated or group.word.lower() in ACRONYMS else 0.5 * w

    total = sum(weight(g, w) for g, w, _ in groups)
    own = sum(weight(g, w) for g, w, m in groups if m)
    return own / total if total else 0.0


def closeness(text: str, value: Value, terms: list[str]) -> float:
    """1.0 when a topic word stands right before the value, falling to 0 at 60 characters;
    a word after the value counts at double distance."""
    lowered = text.lower()
    best = 0.0
    for term in terms:
        term = term.lower()
        if not term:
            continue
        start = lowered.find(term)
        while start >= 0:
            end = start + len(term)
            distance = value.start - end if value.start >= end else 2 * (start - value.end) + 10
            best = max(best, 1.0 - max(0, distance) / 60)
            start = lowered.find(term, start + 1)
    return max(0.0, best)


def local_coverage(view: QuestionView, text: str, value: Value, before: int = 40, after: int = 15) -> float:
    """Share of the question's topic (by weight) named within ``before`` characters ahead of
    the value or ``after`` behind it: the noun a figure belongs to stands next to it."""
    if not view.groups:
        return 0.0
    window = text[max(0, value.start - before) : value.end + after].lower()
    total = sum(w for _, w in view.groups)
    found = sum(w for g, w in view.groups if any(t.lower() in window for t in g.terms if t))
    return found / total if total else 0.0


CLAUSE_EDGE = re.compile(r"[,;:()（）\[\]▲—|·]|\s(?:and|or|while|but)\s|(?:고|며|과|와)\s")


def value_clause(text: str, value: Value) -> str:
    """The value's own clause: from the previous punctuation or conjunction to the value, and
    after it up to the next one ("지방비 72억 원", "National funds: 71.2 billion won")."""
    edges = [m.end() for m in CLAUSE_EDGE.finditer(text, 0, value.start)]
    start = max([e for e in edges if e <= value.start - 1] or [0])
    if text[max(0, start - 2) : start].strip().endswith(":"):  # "Funds: 98.5": the label is before the colon
        start = max([e for e in edges if e < start - 1] or [0])
    after = CLAUSE_EDGE.search(text, value.end)
    return (text[start : value.start] + " " + text[value.end : after.start() if after else len(text)]).lower()


def label_coverage(view: QuestionView, text: str, value: Value) -> float:
    """Share of the question's topic named in the value's own clause."""
    if not view.groups:
        return 0.0
    clause = value_clause(text, value)
    total = sum(w for _, w in view.groups)
    found = sum(w for g, w in view.groups if any(t.lower() in clause for t in g.terms if t))
    return found / total if total else 0.0


EXCLUSION = (
    re.compile(
        r"((?:[^\s?.!,]+(?:랑|이랑|와|과|하고)\s+|[^\s?.!,]+\s*(?:및|,)\s*)*[^\s?.!,]+?)"
        r"\s*(?:것은|건|은|는|을|를)?\s*(?:말고|빼고|제외하고|제외한|제외)"
    ),
    re.compile(
        r"\b(?:except(?: for)?|excluding|other than|not counting|apart from|leaving out|without)\s+([^?.!,;]{1,60})",
        re.I,
    ),
)


def excluded_parts(text: str) -> list[str]:
    """The phrases a question sets aside: "자치구·출연기관 말고", "not counting the districts"."""
    return [m.group(1).lower() for pattern in EXCLUSION for m in pattern.finditer(text)]


COMMON_SHARE = 0.2  # a token in more than this share of passages names no particular subject


def label_extra(view: QuestionView, text: str, value: Value) -> float:
    """How much the value's clause is about something the question does not ask: the share of
    its distinctive words (not stopwords, numbers, cities or words common in the store) that
    neither the question nor its topics' glossary alternatives use. A sub-programme's figure
    ("'메타버스 서울' 2단계 사업에 28억원") asked as a total scores high."""
    words = {w for w in clause_words(value_clause(text, value)) if not view.common(w)}
    if not words:
        return 0.0
    return len([w for w in words if w not in view.asked]) / len(words)


@lru_cache(maxsize=16384)
def clause_words(clause: str) -> frozenset[str]:
    """The distinctive words of a value's clause: not stopwords, numbers or cities (cached:
    the same units come back for question after question)."""
    words = {
        t.lower()
        for t in search_tokens(clause)
        if len(t) >= 2 and not re.search(r"\d", t) and t.lower() not in stopwords()
    }
    return frozenset(w for w in words if not cities_in(w))


YEAR_BEFORE = re.compile(r"((?:19|20)\d{2})\s*(?:년|year)?", re.I)


def year_before(text: str, value: Value, reach: int = 25) -> int | None:
    """The year written closest before the value, within ``reach`` characters."""
    found = [int(m.group(1)) for m in YEAR_BEFORE.finditer(text[max(0, value.start - reach) : value.start])]
    return found[-1] if found else None


def is_change(text: str, value: Value) -> bool:
    """ "1년 전보다 62억 원 증가" states a change; "7%(3459억 원) 증가" gives the base in brackets."""
    before = text[max(0, value.start - 2) : value.start]
    return bool(CHANGE_AFTER.match(text[value.end : value.end + 12])) and "(" not in before


COUNT_UNITS = {
    "건": ("건", "projects", "project", "cases", "case", "tasks"),
    "개": ("개", "companies", "jobs", "services", "sectors", "areas", "kinds", "types", "goals"),
    "명": ("명", "people"),
}


def unit_ok(q: Question, value: Value) -> bool:
    """The value is in the unit the question asks for."""
    quantity = value.quantity
    if value.kind == "count" and quantity is not None and q.count_unit:
        return quantity.unit in COUNT_UNITS.get(q.count_unit, (q.count_unit,))
    if value.kind == "money" and quantity is not None:
        dollars = bool(re.search(r"달러|dollar|USD|\$", q.text, re.I))
        return (quantity.currency == "USD") == dollars
    if value.kind == "date":
        return bool(TIME_Q.search(q.text)) == bool(TIME_VALUE.search(value.text))
    return True
