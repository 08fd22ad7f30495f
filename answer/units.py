"""Answer units of retrieved passages, ready to be scored: the unit cut of ``ingest.units``
plus what scoring reads (search tokens in both languages, quantities, language, the unit's
vector from the store).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from budgetqa.korean import is_korean
from budgetqa.numbers import Quantity, find_quantities
from budgetqa.types import Hit
from ingest.split import years_in
from ingest.units import Analysis, analyse

YEAR = re.compile(r"(19|20)\d{2}")
RELATIVE = [
    (re.compile(r"작년|지난해|전년|1년 전|last year|previous year|a year earlier|the year before", re.I), -1),
    (re.compile(r"올해|금년|this year", re.I), 0),
    (re.compile(r"내년|next year|the following year", re.I), 1),
]


@dataclass(frozen=True)
class Unit:
    hit: Hit
    rank: int  # the passage's rank in retrieval (0 = first)
    n: int  # position among the passage's units
    text: str
    kind: str  # sentence | item | lead
    lead: str
    group: int  # items (and the lead) of one list share a group; -1 otherwise
    tokens: frozenset[str]  # search tokens of the text and of its other-language terms
    context: frozenset[str]  # tokens of the lead, section and title
    quantities: tuple[Quantity, ...]
    lang: str
    bigrams: frozenset[str]  # character pairs of the lead and text
    years: frozenset[int]  # years the text or lead names ("2023년", "2023")
    token_years: frozenset[int]  # years among the tokens: named, or relative ("작년") to the document's
    vector: np.ndarray | None

    def quote(self, value: str = "") -> str:
        """The unit as a faithful excerpt: an item keeps its lead, with ellipses. A table row
        ("label — header: value, header: value") keeps only the cells stating ``value``, so
        that the other columns' figures (another year, another fund) do not read as the answer."""
        text = self.text
        label, dash, cells = text.partition(" — ")
        if value and dash and self.kind == "item":
            kept = [cell for cell in cells.split(", ") if value in cell]
            if kept and len(kept) < len(cells.split(", ")):
                text = f"{label} — {', '.join(kept)} …"
        if self.kind == "item" and self.lead:
            return f"{self.lead} … {text}" + ("" if text.endswith("…") else " …")
        return text

    @property
    def doc_year(self) -> int:
        return int(self.hit.metadata.get("doc_year") or 0)


def units_of(hit: Hit, rank: int, vectors: np.ndarray | None = None) -> list[Unit]:
    """The units of one retrieved passage, with their vectors when the store has them."""
    meta = hit.metadata
    parts = _parts(
        hit.text,
        int(meta.get("doc_year") or 0),
        str(meta.get("section", "")),
        str(meta.get("title", "")),
        hit.analysis,
    )
    if vectors is not None and len(vectors) != len(parts):
        vectors = None  # stored by another unit cut: score without unit vectors
    return [
        Unit(hit, rank, n, *part, vector=None if vectors is None else vectors[n])
        for n, part in enumerate(parts)
    ]


@lru_cache(maxsize=8192)
def _parts(text: str, doc_year: int, section: str, title: str, stored: str = "") -> tuple[tuple, ...]:
    """A passage's units as ``Unit`` fields: tokenized from the analysis ingest stored with
    the passage when it is this version's (``ingest.units.Analysis``), else here."""
    analysis = Analysis.from_json(stored) or analyse(text, section, title)
    context = frozenset(analysis.context)
    out = []
    for analysed in analysis.units:
        unit = analysed.unit
        tokens = frozenset(analysed.tokens) | relative_years(unit.text, doc_year)
        out.append(
            (
                unit.text,
                unit.kind,
                unit.lead,
                unit.group,
                tokens,
                context | frozenset(analysed.lead_tokens),
                tuple(find_quantities(unit.text)),
                "ko" if is_korean(unit.text) else "en",
                frozenset(char_bigrams(f"{unit.lead} {unit.text}")),
                frozenset(years_in(unit.text) + years_in(unit.lead)),
                frozenset(int(t) for t in tokens if YEAR.fullmatch(t)),
            )
        )
    return tuple(out)


def char_bigrams(text: str) -> set[str]:
    """Pairs of adjacent letters or digits within words (see ``answer.features``)."""
    out: set[str] = set()
    for word in re.findall(r"[\w·]+", text.lower()):
        out.update(word[i : i + 2] for i in range(len(word) - 1))
    return out


def relative_years(text: str, doc_year: int) -> frozenset[str]:
    """Years a text names relative to its document's ("작년" in a 2023 article is 2022), as
    tokens: a question about 2022 can match it."""
    if not doc_year:
        return frozenset()
    return frozenset(str(doc_year + shift) for pattern, shift in RELATIVE if pattern.search(text))
