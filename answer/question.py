"""What a question asks: its language, years, cities, the kind of answer and any arithmetic.

All rules are plain regular expressions over Korean and English wording; ``Question`` is a
plain object the rest of the chain reads.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from budgetqa.korean import is_korean, search_tokens
from budgetqa.places import cities_in
from retrieve.glossary import find_english
from retrieve.hybrid import query_years

# kind of answer -> (Korean cue, English cue); the first kind whose cue matches wins, in the
# order of KIND_ORDER (count before money: "how many projects and how much" asks a count).
CUES: dict[str, tuple[str, str]] = {
    "publisher": (r"언론사|매체|어느 신문|어디(서|에서)? 보도|출처|어디 기사",
                  r"\bpublisher|which (news|media|outlet|newspaper|paper)|news outlet|publication\b|\bsource\b"),
    "reporter": (r"기자|작성자|누가 (썼|작성)|글쓴이", r"\breporter|journalist|who wrote|\bauthor"),
    "published": (r"(언제|며칠에?|날짜).{0,6}(보도|발표|게재|기사|나왔|공개)|(보도|발표|게재|기사 ?입력)(된|한|일|날짜|시점)"
                  r"|언제 (보도|발표|게재)",
                  r"when (was|were|did) .{0,40}(publish|announc|releas|report|post)|publication date|"
                  r"date of (the|this) (article|announcement|report|release)|(published|announced|released) (on|when)"),
    "percent": (r"몇 ?%|퍼센트|증가율|감소율|비율|비중|몇 ?프로|차지하",
                r"percent|percentage|\bshare\b|\brate\b|proportion|%"),
    "count": (r"몇 ?(건|개|명|곳|가지|대|종|군데)|건수|개수|사업 ?수|몇 개의|얼마나 많은 (사업|기업)",
              r"how many|number of|count of"),
    "date": (r"언제|날짜|며칠|몇 월|몇월|시점|개시일|시기", r"\bwhen\b|what date|which date|what day|what time"),
    "who": (r"누구|누가|어떤 사람", r"\bwho\b|\bwhom\b"),
    "money": (r"얼마|금액|예산|규모|투입|투자|비용|배정|편성|돈",
              r"how much|budget|amount|\bspen[dt]|\bcosts?\b|allocat|earmark|invest|\bwon\b|funding|set aside|money"),
    "list": (r"어떤|무엇|무슨|종류|목록|어느 분야|항목|꼽|뭐가|뭐야|무엇인가|나열|분야는|서비스는",
             r"\bwhich\b|what (are|were|kinds?|types?|services|fields|areas|items)|\blist\b|name the|\bwhat\b"),
}
KIND_ORDER = ["publisher", "reporter", "published", "percent", "count", "date", "who", "money", "list"]
OPS: dict[str, tuple[str, str]] = {
    "sum": (r"합치면|합하면|더하면|합계는|합산|합친|모두 합|둘을 더|를 더한",
            r"combined|together|sum of|add(ed)? up|in total for both|altogether for"),
    "share": (r"비중|차지하는|전체의 몇|전체 대비|몇 ?%를|전체에서",
              r"share of|what share|percentage of the (total|whole|overall)|what percent(age)? of|portion of|"
              r"proportion of|fraction of"),
    "diff": (r"차이|얼마나 (늘|증가|줄|감소|많)|증가액|증감|더 많|늘어난 금액",
             r"difference|how much more|how much (did|has|does) .{0,40}(increase|grow|rise|change)|grew by|"
             r"increase (from|over)|more than in"),
    "max": (r"가장 (많|큰|높)|최대|제일 (많|큰)", r"\b(largest|biggest|most money|highest|greatest)\b"),
    "min": (r"가장 (적|작|낮)|최소|제일 (적|작)", r"\b(smallest|least|lowest|fewest)\b"),
}
TOTAL_CUE = re.compile(r"총|전체|모두|합계|\btotal\b|\boverall\b|\bin all\b|altogether|whole", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = resources.files("answer").joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = [w for line in text.splitlines() if not line.startswith("#") for w in line.split()]
    return frozenset(w.lower() for w in words)


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

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "count", "percent")

    def focus_terms(self) -> list[str]:
        """Topic words of the question (Korean-side tokens; English words and their glossary
        translations), without question words and generic budget words."""
        terms = [t for t in search_tokens(self.text, query=True) if t not in stopwords()]
        if self.lang == "en":
            for entry in find_english(self.text):
                for ko in entry.ko[:2]:
                    terms.extend(t for t in search_tokens(ko, query=True) if t not in stopwords())
        terms = [t for t in terms if not t.isdigit() and not re.fullmatch(r"\d[\d.,]*\D?", t)]
        return list(dict.fromkeys(terms))

    def english_words(self) -> list[str]:
        """English content words of the question that no glossary phrase covers."""
        if self.lang != "en":
            return []
        covered = " ".join(p for e in find_english(self.text) for p in e.en).lower()
        return [
            w.lower() for w in WORD.findall(self.text)
            if w.lower() not in stopwords() and w.lower() not in covered and len(w) > 2
        ]


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
    op = next((name for name, cues in OPS.items() if _matches(cues, text)), "")
    if op == "share":
        kind = "percent"
    elif op in ("sum", "diff") and kind not in ("count",):
        kind = "money"
    count_unit = ""
    if kind == "count":
        if re.search(r"건|사업|project|case", text, re.IGNORECASE):
            count_unit = "건"
        elif re.search(r"명|people|persons", text, re.IGNORECASE):
            count_unit = "명"
        elif re.search(r"개|기업|compan|firm|job|일자리|서비스|service|곳|place", text, re.IGNORECASE):
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
    )


def idf(df: int, n_docs: int) -> float:
    return math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
