"""Korean-aware text helpers: Kiwi morphemes for search, sentence splitting.

Kiwi loads its model once per process (about 2 s with its first analysis) and is shared behind
a lock. A fresh process that must answer soon (``budgetqa ask``, the app) has it built in a
child process instead, while it imports and opens the store (``kiwi_in_child``).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any, NamedTuple

# Morpheme tags kept as search tokens: nouns, numerals, foreign words, hanja, verb/adjective stems.
SEARCH_TAGS = {"NNG", "NNP", "NNB", "NR", "SN", "SL", "SH", "VV", "VA", "XR"}
# Units that make a number meaningful on its own: 3703억, 1431건, 82개, 7%
NUMBER_UNITS = {"억", "조", "만", "천", "건", "개", "원", "명", "%", "년", "월", "일", "분기"}
EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "what",
        "which",
        "who",
        "how",
        "much",
        "many",
        "does",
        "do",
        "did",
        "when",
        "where",
        "there",
        "their",
        "than",
        "into",
    ]
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# C0/C1 control characters (tab and newline kept) and bidi overrides: never part of text that is
# stored, shown in a terminal or searched (see ingest.clean, budgetqa.cli, answer.chain)
CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[{CONTROL_CHARS}]")
# English sentence boundary: end punctuation, space, then an upper-case letter, digit or quote.
_EN_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV_END = re.compile(r"\b(?:[A-Z]\.){1,3}$|\b(?:Mr|Ms|Dr|No|vs|etc|e\.g|i\.e|approx)\.$")

_lock = threading.Lock()
_child: Any = None  # a budgetqa.kiwi_child.KiwiChild once kiwi_in_child() started one


@lru_cache(maxsize=1)
def kiwi() -> Any:
    from kiwipiepy import Kiwi

    # without the multi-word and typo dictionaries Kiwi is ready in about 1.1 s instead of 2.6
    # (load and first analysis): the first answer of a fresh process waits for it. Its tokens
    # and sentences were the same on every corpus and eval document line and every question
    # here (5,084 texts, 1,730 paragraphs).
    model = Kiwi(load_multi_dict=False, load_typo_dict=False)
    # Freeing Kiwi's model at interpreter exit takes 0.45 s, a sixth of a one-question
    # `budgetqa ask`: one extra reference keeps it alive to the end, and the OS reclaims it.
    import ctypes

    ctypes.pythonapi.Py_IncRef(ctypes.py_object(model))
    return model


def kiwi_in_child() -> None:
    """Have Kiwi built in a child process from now on, unless this process already has it.

    For a fresh process that must answer soon (``budgetqa ask`` and ``search``, the app while
    Gradio imports): Kiwi holds the GIL while it loads, so only another process can overlap it
    with the imports and the store open.
    Morphemes and sentences then come from the child; should it fail, from Kiwi here, the same.
    """
    global _child
    with _lock:
        if _child is None and kiwi.cache_info().currsize == 0:
            from budgetqa.kiwi_child import KiwiChild

            _child = KiwiChild.start()


def _kiwi_call(op: str, text: str) -> Any:
    """Kiwi's tokens of ``text`` as (form, tag, start, len), or its sentences' texts (caller
    holds _lock)."""
    global _child
    if _child is not None:
        from budgetqa.kiwi_child import KiwiChildError

        try:
            return _child.call(op, text)
        except KiwiChildError:
            _child = None
    return kiwi_here(op, text)


def kiwi_here(op: str, text: str) -> list[Any]:
    """Kiwi in this process: the tokens of ``text`` as (form, tag, start, len) for "tokenize",
    its sentences' texts for "sentences" (the child process answers with this too)."""
    if op == "tokenize":
        return [(t.form, t.tag, t.start, t.len) for t in kiwi().tokenize(text)]
    if op == "sentences":
        return [s.text for s in kiwi().split_into_sents(text)]
    raise ValueError(f"unknown request {op!r}")


def is_korean(text: str, threshold: float = 0.2) -> bool:
    """True when Hangul is a sizeable share of the letters."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and len(HANGUL.findall(text)) / len(letters) >= threshold


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences: Kiwi for Korean, a punctuation rule for the rest."""
    return list(_sentences(text.strip())) if text.strip() else []


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    """(Cached: ingest splits a paragraph into passages, then each passage line into units.)"""
    if is_korean(text):
        with _lock:
            parts = [s.strip() for s in _kiwi_call("sentences", text)]
    else:
        parts = [text]
    out: list[str] = []
    for part in parts:
        out.extend(_split_english(part))
    return tuple(s for s in out if s)


def _split_english(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _EN_BOUNDARY.finditer(text):
        candidate = text[start : match.start()]
        if _ABBREV_END.search(candidate):
            continue
        pieces.append(candidate.strip())
        start = match.end()
    pieces.append(text[start:].strip())
    return pieces


YEAR_TOKEN = re.compile(r"^(19|20)\d{2}(년)?$")


def stem(word: str) -> str:
    """A light English stemmer, the same for documents and questions: "ordered" -> "order",
    "projects" -> "project", "cities" -> "city"."""
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Morpheme(NamedTuple):
    """One of Kiwi's tokens, as its fields (a tuple: one is made for every token analysed)."""

    form: str
    tag: str
    start: int
    len: int


def morphemes(text: str) -> list[Morpheme]:
    """Kiwi's morphemes of ``text`` (form, tag, start, len), under the shared lock, with
    English words made whole: Kiwi cuts a word that ends a sentence in two and keeps the full
    stop ("rose." -> "r" + "ose.", "before." -> "b" + "efore."), so adjacent pieces of foreign
    letters are joined and a final full stop is dropped ("rose", "before"; "U.S." is kept)."""
    with _lock:
        found = _kiwi_call("tokenize", text)
    out: list[Morpheme] = []
    for form, tag, start, length in found:
        last = out[-1] if out else None
        if tag == "SL" and last is not None and last.tag == "SL" and start == last.start + last.len:
            out[-1] = Morpheme(last.form + form, "SL", last.start, last.len + length)
        else:
            out.append(Morpheme(form, tag, start, length))
    return [_without_full_stop(m) if m.tag == "SL" else m for m in out]


def _without_full_stop(m: Morpheme) -> Morpheme:
    if m.form.endswith(".") and "." not in m.form[:-1] and len(m.form) > 1:
        return Morpheme(m.form[:-1], m.tag, m.start, m.len - 1)
    return m


def search_tokens(text: str, query: bool = False) -> list[str]:
    """Tokens for lexical search: content morphemes, plus numbers joined with their unit.

    "3703억원을" -> ["3703", "3703억", "억", "원"]; "자치구 정보화 예산은?" -> ["자치구", "정보", "예산"].
    With ``query=True`` years are left out: the retriever handles years itself, and a bare
    "2023" would otherwise match every passage of every 2023 document equally.
    """
    return list(_search_tokens(text, query))


@lru_cache(maxsize=16384)
def _search_tokens(text: str, query: bool) -> tuple[str, ...]:
    """(Cached: the same texts come back often: an item's lead for each item of its list, the
    other-language terms of many units, a question at each retrieval step.)"""
    if not text.strip():
        return ()
    tokens: list[str] = []
    found = morphemes(text)
    for i, m in enumerate(found):
        form = m.form.lower().replace(",", "")
        if m.tag == "SN":
            tokens.append(form)
            nxt = found[i + 1] if i + 1 < len(found) else None
            if nxt is not None and nxt.form in NUMBER_UNITS and nxt.start == m.start + m.len:
                tokens.append(form + nxt.form)
        elif m.tag == "SL":
            if form not in EN_STOPWORDS:
                tokens.append(stem(form))
        elif m.tag in SEARCH_TAGS:
            tokens.append(form)
    if query:
        tokens = [t for t in tokens if not YEAR_TOKEN.match(t) and t != "년"]
    return tuple(tokens)
