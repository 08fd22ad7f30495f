"""What a question asks: its language, years, cities, the kind of answer and any arithmetic.

All rules are plain regular expressions over Korean and English wording; ``Question`` is a
plain object the rest of the chain reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

from budgetqa.korean import is_korean, morphemes, search_tokens, stem
from budgetqa.places import cities_in
from retrieve.glossary import find_english, find_korean
from retrieve.hybrid import query_years

# kind of answer -> (Korean cue, English cue); the first kind whose cue matches wins, in the
# order of KIND_ORDER (count before money: "how many projects and how much" asks a count).
CUES: dict[str, tuple[str, str]] = {
    "publisher": (
        r"언론사|매체|어느 신문|어디(서|에서)? 보도|출처|어디 기사",
        r"\bpublisher|which (news|media|outlet|newspaper|paper)|news outlet|publication\b|\bsource\b",
    ),
    "reporter": (r"기자|작성자|누가 (썼|작성)|글쓴이", r"\breporter|journalist|who wrote|\bauthor"),
    "published": (
        r"(언제|며칠에?|날짜|몇 ?시).{0,8}(보도|발표|게재|기사|나왔|공개|올라|배포)|(보도|발표|게재|기사 ?입력)(된|한|일|날짜|시점)"
        r"|(기사|보도자료).{0,12}(언제|몇 ?시|날짜)"
        r"|언제 (보도|발표|게재)",
        r"when (was|were|did) .{0,80}(publish|announc|releas|report|post)|publication date|"
        r"date of (the|this) (article|announcement|report|release)|(published|announced|released) (on|when)|"
        r"(what|which) (date|day) .{0,30}(announc|publish|releas)",
    ),
    "percent": (
        r"몇 ?%|퍼센트|증가율|감소율|비율|비중|몇 ?프로|차지하",
        r"percent|percentage|\bshare\b|\brate\b|proportion|%",
    ),
    "count": (
        r"몇 ?(건|개|명|곳|가지|대|종|군데)|건수|개수|사업 ?수|몇 개의|얼마나 많은 (사업|기업)",
        r"how many|number of|count of",
    ),
    "date": (
        r"언제|날짜|며칠|몇 월|몇월|시점|개시일|시기|마감|기한|기간|몇 시",
        r"\bwhen\b|what date|which date|what day|what time|deadline|\bdue\b|until when|by when|how long|period",
    ),
    "who": (
        r"누구|누가|어떤 사람|어느 (기관|부서|과|곳|업체|기업|회사|팀)|어떤 (기관|부서|업체|기업|회사)|담당 ?(부서|기관|자)|맡아|주관",
        r"\bwho\b|\bwhom\b|which (agency|body|department|division|office|organi[sz]ation|company|firm|team|bureau)|in charge",
    ),
    "money": (
        r"얼마|금액|예산|규모|투입|투자|비용|배정|편성|돈",
        r"how much|budget|amount|\bspen[dt]|\bcosts?\b|allocat|earmark|invest|\bwon\b|funding|set aside|money",
    ),
    "list": (
        r"어떤|무엇|무슨|종류|목록|어느 분야|항목|꼽|뭐가|뭐야|무엇인가|나열|분야는|서비스는",
        r"\bwhich\b|what (are|were|kinds?|types?|services|fields|areas|items)|\blist\b|name (the|some|a few)|\bwhat\b",
    ),
}
KIND_ORDER = ["publisher", "reporter", "published", "percent", "count", "date", "who", "money", "list"]
OPS: dict[str, tuple[str, str]] = {
    "sum": (
        r"합치면|합하면|더하면|합계는|합산|합친|모두 합|둘을 더|를 더한",
        r"combined|together|sum of|add(ed)? up|in total for both|altogether for",
    ),
    "share": (
        r"비중|차지하는|전체의 몇|전체 대비|몇 ?%를|전체에서",
        r"share of|what share|percentage of the (total|whole|overall)|what percent(age)? of|portion of|"
        r"proportion of|fraction of",
    ),
    "diff": (
        r"차이|얼마나 (늘|증가|줄|감소|많)|증가액|증감|더 많|늘어난 금액|몇 (건|개) 더",
        r"difference|how (much|many) more|how much (did|has|does) .{0,40}(increase|grow|rise|change)|grew by|"
        r"increase (from|over)|more than in",
    ),
    "max": (r"가장 (많|큰|높)|최대|제일 (많|큰)", r"\b(largest|biggest|most money|highest|greatest)\b"),
    "min": (r"가장 (적|작|낮)|최소|제일 (적|작)", r"\b(smallest|least|lowest|fewest)\b"),
}
TOTAL_CUE = re.compile(r"총|전체|모두|합계|\btotal\b|\boverall\b|\bin all\b|altogether|whole", re.IGNORECASE)
RELATIVE_YEAR = {"last year": -1}
PREVIOUS = re.compile(
    r"year before|previous year|prior year|last year|전년|작년|그 전 해|1년 전", re.IGNORECASE
)
FOLLOWING = re.compile(r"following year|next year|year after|이듬해|다음 해|내년", re.IGNORECASE)
WHAT_NOUN = re.compile(r"^\s*(what|which)\s+([A-Za-z]+)", re.IGNORECASE)
AMOUNT_WORDS = {
    "is",
    "was",
    "are",
    "were",
    "did",
    "does",
    "do",
    "has",
    "have",
    "will",
    "would",
    "budget",
    "amount",
    "total",
    "sum",
    "figure",
    "allocation",
    "cost",
    "share",
    "percentage",
    "part",
    "portion",
    "money",
    "funding",
    "investment",
    "spending",
    "the",
    "'s",
}
THIS_YEAR = re.compile(r"올해|금년|이번 해|this year|current year", re.IGNORECASE)
COUNT_WORD = re.compile(r"몇\s*(건|개|명|곳|가지|대|종|군데)")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("answer").joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    return frozenset(w.lower() for w in words)


@dataclass(frozen=True)
class Group:
    """A topic of the question: matched by a unit that holds every token of any one of its
    alternatives (the word itself, its glossary synonyms and translations)."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    translated: bool  # has a glossary translation (can match the other language)
    factor: float = 1.0
    generic: bool = False  # made of generic words only; stands in when nothing else names the topic

    @cached_property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for alt in self.alternatives for t in alt))

    def matched_by(self, tokens: AbstractSet[str]) -> bool:
        singles, multis = self._alternative_sets
        return not singles.isdisjoint(tokens) or any(alt <= tokens for alt in multis)

    @cached_property
    def _alternative_sets(self) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
        """The one-token alternatives as one set, the others each as a set (scoring asks
        ``matched_by`` of every retrieved unit)."""
        singles = frozenset(alt[0] for alt in self.alternatives if len(alt) == 1)
        return singles, tuple(frozenset(alt) for alt in self.alternatives if len(alt) != 1)


FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "for",
        "to",
        "by",
        "with",
        "from",
        "as",
        "is",
        "are",
    ]
)
CONTENT_TAGS = {"NNG": 1.0, "NNP": 1.0, "SL": 1.0, "SH": 1.0, "XR": 1.0, "NR": 0.5, "VV": 0.5, "VA": 0.5}


@lru_cache(maxsize=512)
def _focus_groups(text: str, lang: str) -> list[Group]:
    years = query_years(text)
    entries = find_english(text) if lang == "en" else find_korean(text)
    groups: list[Group] = []
    generic: list[Group] = []  # glossary terms made only of generic words ("Seoul city government")
    covered: set[str] = set()
    for entry in entries:  # a glossary phrase is one topic: "인공지능", "hardware and software"
        source = entry.en if lang == "en" else entry.ko
        found = [p for p in source if (p.lower() in text.lower() if lang == "en" else p in text)]
        if not found:
            continue
        alternatives = {
            tuple(t for t in search_tokens(phrase) if t not in FUNCTION_WORDS)
            for phrase in entry.ko + entry.en
        }
        alternatives = {a for a in alternatives if a}
        covered.update(t for p in found for t in search_tokens(p))
        topical = [p for p in found if any(t not in stopwords() for t in search_tokens(p))]
        relative = RELATIVE_YEAR.get(entry.en[0])
        if relative and years:  # "the year before" a named 2022 is 2021: match units naming 2021
            alternatives = {(str(y + relative),) for y in years}
        group = Group(
            (topical or found)[0].lower(),
            tuple(sorted(alternatives, key=len)),
            True,
            1.0,
            generic=not topical,
        )
        (groups if topical else generic).append(group)
    found = morphemes(text.replace("'s", ""))
    seen: set[str] = set(covered)
    for m, nxt in zip(found, [*found[1:], None], strict=True):
        if (
            m.tag == "SN"
            and nxt is not None
            and nxt.start == m.start + m.len
            and nxt.tag in ("NNG", "NNB", "NR")
            and nxt.form not in ("년", "월", "일", "억", "조", "만", "원", "건", "개", "%")
        ):
            compound = f"{m.form}{nxt.form}"  # "3분기", "2단계", "10대": the number tells siblings apart
            if compound not in seen:
                seen.add(compound)
                groups.append(Group(compound, ((compound,), (m.form, nxt.form)), False, 1.0))
            continue
        raw = m.form.lower().strip(".,;:!?'\"")
        form = stem(raw) if m.tag == "SL" else raw
        factor = CONTENT_TAGS.get(m.tag)
        if factor is None or raw in stopwords() or form in stopwords() or form in seen:
            continue
        if len(form) < 2 and m.tag != "SH":
            continue
        if m.tag == "SL" and re.search(r"(ing|ed|ly)$", raw):
            factor = 0.5  # an English verb or adverb form: a paraphrase more than a topic
        if re.fullmatch(r"[\d.,]+", form):
            continue
        seen.add(form)
        # verbs and city names rarely tell the subject apart (cities are a scope of their own)
        plain = m.tag in ("VV", "VA") or bool(cities_in(raw))
        groups.append(Group(raw, ((form,),), False, factor, generic=plain))
    # a question made only of generic words is about them ("the Seoul city government itself")
    return groups if any(g.factor >= 1.0 for g in groups) else generic + groups


@dataclass
class Question:
    text: str
    lang: str
    kind: str  # publisher | reporter | published | percent | count | date | who | money | list | text
    op: str = ""  # sum | share | diff | max | min
    years: set[int] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    wants_total: bool = False
    count_unit: str = ""  # preferred unit for counts: 건 (projects), 개 (things), 명 (people)
    strict_unit: bool = False  # "몇 대" asks for machines: a count in another unit is no answer
    this_year: bool = False  # "올해", "this year": the most recent year in the store
    related_years: set[int] = field(default_factory=set)  # "the year before" 2022 -> {2021}

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "count", "percent")

    def focus_terms(self) -> list[str]:
        """Topic words of the question and their glossary translations, flattened."""
        return list(dict.fromkeys(t for group in self.focus_groups() for t in group.terms))

    def focus_groups(self) -> list[Group]:
        """One group per topic word of the question: the word, its glossary translations
        (other language) and a weight factor (nouns 1.0, verb and adjective stems 0.5)."""
        return _focus_groups(self.text, self.lang)


def _matches(kind_cues: tuple[str, str], text: str) -> bool:
    ko, en = kind_cues
    return bool(re.search(ko, text) or re.search(en, text, re.IGNORECASE))


def analyze(text: str) -> Question:
    text = text.strip()
    lang = "ko" if is_korean(text) else "en"
    flags = {kind: _matches(CUES[kind], text) for kind in KIND_ORDER}
    kind = next((k for k in KIND_ORDER if flags[k] and k not in ("money", "list")), "")
    if not kind:
        kind = "money" if flags["money"] else "list" if flags["list"] else "text"
    what = WHAT_NOUN.match(text)
    if (
        kind == "money"
        and what
        and what.group(2).lower() not in AMOUNT_WORDS
        and not re.search(r"how much|얼마", text, re.IGNORECASE)
    ):
        kind = "list"  # "What benchmark did the city use ... spending?" asks for a thing, not an amount
    op = next((name for name, cues in OPS.items() if _matches(cues, text)), "")
    if op == "share":
        kind = "percent"
    elif op in ("sum", "diff") and kind not in ("count",):
        kind = "money"
    count_unit, strict = "", False
    if kind == "count":
        asked = COUNT_WORD.search(text)
        if re.search(r"건|사업|프로젝트|project|case|tender|order", text, re.IGNORECASE):
            count_unit = "건"
        elif re.search(r"명|people|persons", text, re.IGNORECASE):
            count_unit = "명"
        elif asked and asked.group(1) in ("대", "곳", "종"):
            count_unit, strict = asked.group(1), True
        elif re.search(r"\bkinds?\b|\btypes?\b", text, re.IGNORECASE):
            count_unit = "종"
        elif re.search(r"cameras?|machines?|units?", text, re.IGNORECASE):
            count_unit, strict = "대", True
        elif re.search(r"개|기업|compan|firm|job|일자리|서비스|service|곳|place|point", text, re.IGNORECASE):
            count_unit = "개"
    return Question(
        text=text,
        lang=lang,
        kind=kind,
        op=op,
        years=query_years(text),
        cities=set(cities_in(text)),
        wants_total=bool(TOTAL_CUE.search(text)),
        count_unit=count_unit,
        strict_unit=strict,
        this_year=bool(THIS_YEAR.search(text)),
        related_years=related_years(text),
    )


def related_years(text: str) -> set[int]:
    """Years a question refers to relative to the year it names ("the year before" 2022 = 2021)."""
    years = query_years(text)
    if not years:
        return set()
    shift = -1 if PREVIOUS.search(text) else 1 if FOLLOWING.search(text) else 0
    return {y + shift for y in years} if shift else set()


def idf(df: int, n_docs: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
