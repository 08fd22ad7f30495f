"""Answer units: the sentences, list items and clauses of retrieved passages, scored against
the question. The default answerer quotes the best unit, so every answer stays a span of a
cited passage.

A passage "기관별 규모는 ▲서울시 2151억원(422건) ▲25개 자치구 1113억원(857건) ..." gives one unit
for the sentence and one per "▲" item, each item keeping the sentence's lead ("기관별 규모는")
as context; a list passage ("Budget by organization" + "- ..." lines) gives one unit per line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from budgetqa.korean import is_korean, search_tokens, split_sentences
from budgetqa.numbers import Quantity, find_quantities
from budgetqa.types import Hit
from retrieve.glossary import cross_language_terms

ITEM_END = re.compile(r"\s*(등이다|이다|다|등|으로 나뉜다|로 나뉜다|으로 잡혔다|로 잡혔다)\.?\s*$")
DATE_KO = re.compile(r"(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일")
# a year or a span of years also dates a plan: "2025~2026년", "(2023-2024)", "by the end of 2022"
DATE_YEAR = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:\s*[~\-–]\s*((?:19|20)\d{2}))?(?:\s*년|(?!\d))(?!\s*(?:억|조|만|원|건|개))"
)
DATE_EN = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+(\d{1,2}),?\s+(\d{4})\b"
)


@dataclass
class Unit:
    hit: int  # index into the retrieved hits
    text: str  # the sentence, item or line
    lead: str = ""  # the sentence's lead or the list's intro, for items
    kind: str = "sentence"  # sentence | item
    items: list[str] = field(default_factory=list)  # for a sentence or intro that lists items
    tokens: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)  # lead, section and title tokens
    quantities: list[Quantity] = field(default_factory=list)
    lang: str = "ko"

    def has(self, kind: str) -> bool:
        if kind == "date":
            return bool(DATE_KO.search(self.text) or DATE_EN.search(self.text) or DATE_YEAR.search(self.text))
        return any(q.kind == kind for q in self.quantities)

    def quote(self) -> str:
        """The unit as a faithful excerpt: an item keeps its lead, with ellipses."""
        if self.kind == "item" and self.lead:
            return f"{self.lead} … {self.text} …"
        return self.text


RELATIVE = [
    (re.compile(r"작년|지난해|전년|1년 전|last year|previous year|a year earlier|the year before", re.I), -1),
    (re.compile(r"올해|금년|this year", re.I), 0),
    (re.compile(r"내년|next year|the following year", re.I), 1),
]


def _tokens(text: str, doc_year: int = 0) -> set[str]:
    tokens = set(search_tokens(text)) | set(search_tokens(cross_language_terms(text)))
    if doc_year:  # "작년" in a 2023 article is 2022: a question about 2022 can match it
        tokens.update(str(doc_year + shift) for pattern, shift in RELATIVE if pattern.search(text))
    return tokens


def units_of(hit_index: int, hit: Hit) -> list[Unit]:
    """The units of one retrieved passage (cached: passages are split once, not per question)."""
    meta = hit.metadata
    return list(
        _units(
            hit_index,
            hit.text,
            int(meta.get("doc_year") or 0),
            str(meta.get("section", "")),
            str(meta.get("title", "")),
        )
    )


@lru_cache(maxsize=4096)
def _units(hit_index: int, text: str, doc_year: int, section: str, title: str) -> tuple[Unit, ...]:
    hit = Hit(id="", text=text, metadata={"section": section, "title": title}, score=0.0)
    return tuple(_split_units(hit_index, hit, doc_year))


def _split_units(hit_index: int, hit: Hit, doc_year: int) -> list[Unit]:
    context_text = " ".join(str(hit.metadata.get(k, "")) for k in ("section", "title"))
    context = set(search_tokens(context_text))
    units: list[Unit] = []
    lines = [line.strip() for line in hit.text.split("\n") if line.strip()]
    intro = lines[0] if len(lines) > 1 else ""
    for n, line in enumerate(lines):
        is_item = n > 0 and len(lines) > 1
        if is_item:
            text = line[2:] if line.startswith("- ") else line
            pieces = [p.strip() for p in text.split("▲") if p.strip()] if text.count("▲") >= 2 else [text]
            for piece in pieces:
                piece = ITEM_END.sub("", piece).strip(" ,") if len(pieces) > 1 else piece
                piece = "▲" + piece if len(pieces) > 1 else piece
                for sentence in split_sentences(piece) or [piece]:
                    units.append(_unit(hit_index, sentence, intro, "item", context, doc_year))
            continue
        for sentence in split_sentences(line):
            if sentence.count("▲") >= 2:
                lead, *items = [p.strip() for p in sentence.split("▲")]
                items = [ITEM_END.sub("", it).strip(" ,") for it in items]
                unit = _unit(hit_index, sentence, "", "sentence", context, doc_year)
                unit.items = [it for it in items if it]
                units.append(unit)
                units.extend(_unit(hit_index, "▲" + it, lead, "item", context, doc_year) for it in unit.items)
            else:
                unit = _unit(hit_index, sentence, "", "sentence", context, doc_year)
                if n == 0 and len(lines) > 1:
                    unit.items = [ln[2:] if ln.startswith("- ") else ln for ln in lines[1:]]
                units.append(unit)
    return units


def _unit(hit: int, text: str, lead: str, kind: str, context: set[str], doc_year: int = 0) -> Unit:
    return Unit(
        hit=hit,
        text=text,
        lead=lead,
        kind=kind,
        tokens=_tokens(text, doc_year),
        context=context | set(search_tokens(lead)),
        quantities=find_quantities(text),
        lang="ko" if is_korean(text) else "en",
    )
