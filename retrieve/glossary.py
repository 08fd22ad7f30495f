"""Korean-English glossary (``glossary.tsv``): translate query terms across languages.

The packaged embedder ranks passages in the question's language far above passages in the
other language, so an English question rarely reaches a Korean passage by dense search alone,
and BM25 never does. ``translate_query`` builds a "shadow" query in the other language from the
glossary terms found in the question (plus its years and numbers); the retriever searches with
both. ``english_label`` gives the English name of a Korean term for answers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from budgetqa.korean import is_korean


@dataclass(frozen=True)
class Entry:
    en: tuple[str, ...]
    ko: tuple[str, ...]


@lru_cache(maxsize=1)
def _text() -> str:
    return resources.files("retrieve").joinpath("glossary.tsv").read_text(encoding="utf-8")


def glossary_digest() -> str:
    """A short hash of the glossary: documents are indexed again when it changes."""
    return hashlib.sha256(_text().encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    text = _text()
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, _, ko = line.partition("\t")
        out.append(Entry(tuple(x.strip() for x in en.split("|")), tuple(x.strip() for x in ko.split("|"))))
    return tuple(out)


@cache
def _en_pattern(phrase: str) -> re.Pattern[str]:
    """(Compiled when first needed: most phrases never are in a given run.)"""
    words = [re.escape(w) for w in phrase.split()]
    # "Blockchain-related", "CCTV-based": a hyphenated compound still names the term
    return re.compile(r"(?<![\w-])" + r"\s+".join(words) + r"(?:'s|s|es|ed|d|ing)?(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _en_index() -> list[tuple[str, str, Entry]]:
    """(phrase, its first word in lower case, entry), longest phrase first."""
    pairs = [(phrase, e) for e in entries() for phrase in e.en]
    pairs.sort(key=lambda p: -len(p[0]))  # longest phrase first
    return [(phrase, phrase.split()[0].lower(), e) for phrase, e in pairs]


def find_english(text: str) -> list[Entry]:
    """Glossary entries whose English phrase occurs in ``text`` (longest match wins a span)."""
    taken: list[tuple[int, int]] = []
    found: list[Entry] = []
    lower = text.lower()
    for phrase, first, entry in _en_index():
        if first not in lower:  # the phrase cannot match: skip its regex (most phrases)
            continue
        for match in _en_pattern(phrase).finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            if entry not in found:
                found.append(entry)
    return found


@lru_cache(maxsize=1)
def _ko_index() -> list[tuple[str, Entry]]:
    return sorted(((t, e) for e in entries() for t in e.ko), key=lambda p: -len(p[0]))  # longest first


def find_korean(text: str) -> list[Entry]:
    pairs = _ko_index()
    taken: list[tuple[int, int]] = []
    found: list[Entry] = []
    for term, entry in pairs:
        start = text.find(term)
        while start >= 0:
            span = (start, start + len(term))
            glued = term[0].isdigit() and start > 0 and text[start - 1].isdigit()  # "3년" in "2023년"
            if not glued and not any(span[0] < end and s < span[1] for s, end in taken):
                taken.append(span)
                if entry not in found:
                    found.append(entry)
            start = text.find(term, start + 1)
    return found


NUMBER = re.compile(r"\d[\d,.]*")


def translate_query(question: str) -> str:
    """A keyword query in the other language, or "" when no glossary term matched."""
    if is_korean(question):
        terms = [t for e in find_korean(question) for t in e.en[:2]]
        years = re.findall(r"((?:19|20)\d{2})\s*년", question)
    else:
        terms = [t for e in find_english(question) for t in e.ko]
        years = [f"{y}년" for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", question)]
    if not terms:
        return ""
    return " ".join(dict.fromkeys(terms + years))


def english_label(korean: str) -> str:
    """English name of a Korean glossary term ("자치구" -> "autonomous districts"), or ""."""
    for entry in entries():
        if korean in entry.ko:
            return entry.en[0]
    return ""


@lru_cache(maxsize=8192)
def cross_language_terms(text: str) -> str:
    """The other language's words for what ``text`` mentions: glossary terms and amounts.

    Indexed with each passage (document-side translation), so that "hardware and software"
    finds "HW 및 SW 도입 840억원" and "370.3 billion won" finds "3703억 원". (Cached: ingest
    needs a unit's terms both for its embedded text and for its search tokens.)
    """
    from budgetqa.numbers import english_count, english_money, find_quantities, korean_money

    korean = is_korean(text)
    terms = (
        [t for e in find_korean(text) for t in e.en[:2]]
        if korean
        else [t for e in find_english(text) for t in e.ko[:2]]
    )
    for q in find_quantities(text):
        if q.kind == "money":
            terms.append(english_money(q.value, q.currency) if korean else korean_money(q.value))
        elif q.kind == "count" and korean:
            terms.append(english_count(q.value, q.unit))
    return " ".join(dict.fromkeys(terms))
