"""Answer units: the sentences, list items and table rows of a passage.

A passage "기관별 규모는 ▲서울시 2151억원(422건) ▲25개 자치구 1113억원(857건) 등이다." gives a lead
unit ("기관별 규모는") and one unit per "▲" item, each item keeping the lead as context; a list
passage ("Budget by organization" + "- ..." lines, or a table caption + its rows) gives the intro's
sentences and one unit per line. Plain text gives one unit per sentence.

Units are cut at ingest, where each gets its own vector (the passage's vector is the mean of
its units': nothing is embedded twice), and the cut is stored with the passage together with
each unit's search tokens (``analyse``, ``Analysis``), so that answering does not run Kiwi over
passages again; a passage stored without it (by an older version) is cut again when a question
is answered. The cut is deterministic, so unit ``n`` of a passage is the same both times.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from budgetqa.korean import search_tokens, split_sentences
from retrieve.glossary import cross_language_terms
from store.chroma import CHUNKER_VERSION

# What ``analyse`` stores is valid for this version of it and of the tokenizer (CHUNKER_VERSION
# in ``store.chroma``, which ``ANALYSIS_STAMP`` includes): a passage stored with another stamp
# is analysed again when it is answered from.
ANALYSIS_VERSION = "1"
ANALYSIS_STAMP = f"{CHUNKER_VERSION}.{ANALYSIS_VERSION}"
ITEM_END = re.compile(r"\s*(등이다|이다|다|등|으로 나뉜다|로 나뉜다|으로 잡혔다|로 잡혔다)\.?\s*$")
LEAD_MAX_CHARS = 120  # a longer lead is not repeated in each item's embedded text


@dataclass(frozen=True)
class UnitText:
    text: str
    kind: str = "sentence"  # sentence | item | lead
    lead: str = ""  # the intro or lead an item belongs to
    group: int = -1  # items of one list share a group number (-1: not in a list)

    def embed_text(self) -> str:
        """What is embedded for the unit: an item with its (short) lead, else the unit."""
        if self.kind == "item" and self.lead and len(self.lead) <= LEAD_MAX_CHARS:
            return f"{self.lead} {self.text}"
        return self.text


@lru_cache(maxsize=8192)
def split_units(text: str) -> tuple[UnitText, ...]:
    """The units of a passage text, in order."""
    units: list[UnitText] = []
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) > 1:  # an intro line and its list lines (or table rows): group 0
        intro = lines[0]
        units.extend(_sentence_units(intro, first_group=1))
        for line in lines[1:]:
            line = line[2:] if line.startswith("- ") else line
            for item in split_sentences(line) or [line]:
                if item.count("▲") < 2:
                    units.append(UnitText(item, "item", intro, 0))
                    continue
                # "분기별로는 ▲1분기 201건 ▲2분기 98건이다.": the head leads, one unit per item
                head, *pieces = (p.strip() for p in item.split("▲"))
                lead = f"{intro} {head}".strip() if head else intro
                if head:
                    units.append(UnitText(head, "lead", "", 0))
                pieces = [ITEM_END.sub("", p).strip(" ,") for p in pieces]
                units.extend(UnitText("▲" + p, "item", lead, 0) for p in pieces if p)
        return tuple(units)
    for line in lines:
        units.extend(_sentence_units(line, first_group=0))
    return tuple(units)


def _sentence_units(line: str, first_group: int) -> list[UnitText]:
    """A line's sentences; a sentence with "▲" items gives its lead and one unit per item."""
    out: list[UnitText] = []
    group = first_group
    for sentence in split_sentences(line):
        if sentence.count("▲") < 2:
            out.append(UnitText(sentence))
            continue
        lead, *items = (p.strip() for p in sentence.split("▲"))
        items = [ITEM_END.sub("", it).strip(" ,") for it in items]
        if lead:
            out.append(UnitText(lead, "lead", "", group))
        out.extend(UnitText("▲" + it, "item", lead, group) for it in items if it)
        group += 1
    return out


@dataclass(frozen=True)
class AnalysedUnit:
    """A unit with its search tokens: those of its text and of its other-language terms
    (``unit_tokens``), and those of its lead."""

    unit: UnitText
    tokens: tuple[str, ...]
    lead_tokens: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    """What answering reads of a passage's units that costs Kiwi time, computed once at ingest
    and stored with the passage (``to_json``), so that a worker answering from a passage for
    the first time does not analyse it again: the units and their tokens, and the tokens of
    the passage's section and title."""

    context: tuple[str, ...]
    units: tuple[AnalysedUnit, ...]

    def to_json(self, stamp: str = ANALYSIS_STAMP) -> str:
        rows = [
            [u.unit.text, u.unit.kind, u.unit.lead, u.unit.group, u.tokens, u.lead_tokens] for u in self.units
        ]
        data = {"v": stamp, "context": self.context, "units": rows}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, stored: str, stamp: str = ANALYSIS_STAMP) -> Analysis | None:
        """The stored analysis; None when there is none, or it was made by another version or
        cannot be read (the caller analyses the passage itself)."""
        if not stored:
            return None
        try:
            data = json.loads(stored)
            if data.get("v") != stamp:
                return None
            units = tuple(
                AnalysedUnit(
                    UnitText(str(text), str(kind), str(lead), int(group)), tuple(tokens), tuple(lead_tokens)
                )
                for text, kind, lead, group, tokens, lead_tokens in data["units"]
            )
            return cls(tuple(data["context"]), units)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def analyse(text: str, section: str, title: str) -> Analysis:
    """The units of a passage and their search tokens (see ``Analysis``)."""
    return Analysis(
        context_tokens(section, title),
        tuple(
            AnalysedUnit(unit, tuple(unit_tokens(unit.text)), tuple(search_tokens(unit.lead)))
            for unit in split_units(text)
        ),
    )


@lru_cache(maxsize=256)
def context_tokens(section: str, title: str) -> tuple[str, ...]:
    """Search tokens of a passage's section and title (cached: a document's passages share
    them)."""
    return tuple(search_tokens(f"{section} {title}"))


def unit_tokens(text: str) -> list[str]:
    """Search tokens of a unit's text and of its other-language terms, each once, in order."""
    return list(dict.fromkeys(search_tokens(text) + search_tokens(cross_language_terms(text))))
