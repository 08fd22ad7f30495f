"""Split a cleaned document into passages of 1-3 sentences.

- Korean paragraphs are split into sentences with Kiwi, English ones with a punctuation rule.
- A sentence that starts with "▲" belongs to the one before it (inline list items).
- A list stays together with its introduction: the paragraph just before the items (when short)
  or the section heading, e.g. "Budget by organization" + its three items.
- Sentences are packed greedily up to 3 per passage and about ``MAX_CHARS`` characters.
- Passage ids hash the document path and the text: re-ingesting the same file gives the same
  ids, and a changed passage gets a new one.
"""

from __future__ import annotations

import hashlib
import re

from budgetqa.korean import split_sentences
from budgetqa.places import cities_in
from budgetqa.types import Passage
from ingest.clean import Block
from ingest.injection import addresses_assistant, flagged_in
from ingest.loaders import LoadedDocument

MAX_SENTENCES = 3
MAX_CHARS = 400
MAX_LIST_CHARS = 800
INTRO_MAX_CHARS = 300
YEAR = re.compile(r"(?<![\d,.])((?:19[5-9]|20\d)\d)(?!\d|\s*(?:억|조|만|천|원|건|개|명|%))")


def split_document(doc: LoadedDocument) -> list[Passage]:
    chunks: list[tuple[str, str, int]] = []  # (text, section, page)
    blocks = doc.body.blocks
    n = 0
    while n < len(blocks):
        block = blocks[n]
        where = (block.section, block.page)
        if block.kind == "heading":
            n += 1
            continue
        if block.kind == "para":
            sentences = _sentences(block.text)
            next_is_item = n + 1 < len(blocks) and blocks[n + 1].kind == "item"
            if next_is_item:
                intro = block.text if len(block.text) <= INTRO_MAX_CHARS else sentences[-1]
                if intro is not block.text:
                    chunks.extend((t, *where) for t in _pack(sentences[:-1]))
                items, n = _collect_items(blocks, n + 1)
                chunks.extend((t, *where) for t in _list_chunks(intro, items))
                continue
            chunks.extend((t, *where) for t in _pack(sentences))
            n += 1
            continue
        items, n = _collect_items(blocks, n)  # a list without an introducing paragraph
        chunks.extend((t, *where) for t in _list_chunks(block.section, items))
    return _passages(doc, chunks)


def _sentences(text: str) -> list[str]:
    merged: list[str] = []
    for sentence in split_sentences(text):
        if merged and (sentence.startswith("▲") or not re.search(r"[.!?다]\s*$", merged[-1])):
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return merged


def _pack(sentences: list[str]) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        too_long = current and len(" ".join(current)) + len(sentence) > MAX_CHARS
        if len(current) == MAX_SENTENCES or too_long:
            out.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        out.append(" ".join(current))
    return out


def _collect_items(blocks: list[Block], n: int) -> tuple[list[str], int]:
    items: list[str] = []
    while n < len(blocks) and blocks[n].kind == "item":
        items.append(blocks[n].text)
        n += 1
    return items, n


def _list_chunks(intro: str, items: list[str]) -> list[str]:
    """Intro + items, split into pieces of at most MAX_LIST_CHARS, each repeating the intro."""
    head = f"{intro}\n" if intro else ""
    out: list[str] = []
    current: list[str] = []
    for item in items:
        line = item if item.startswith("▲") else f"- {item}"
        if current and len(head) + sum(len(x) + 1 for x in current) + len(line) > MAX_LIST_CHARS:
            out.append(head + "\n".join(current))
            current = []
        current.append(line)
    if current:
        out.append(head + "\n".join(current))
    return out


def years_in(text: str) -> tuple[int, ...]:
    return tuple(sorted({int(y) for y in YEAR.findall(text)}))


def _passages(doc: LoadedDocument, chunks: list[tuple[str, str, int]]) -> list[Passage]:
    passages: list[Passage] = []
    seen: set[str] = set()
    planted = [b.text for b in doc.body.blocks if addresses_assistant(b.text)]
    for text, section, page in chunks:
        text = text.strip()
        if not text or text in seen:
            continue
        seen.add(text)
        digest = hashlib.sha256(f"{doc.path}\n{text}".encode()).hexdigest()[:24]
        passages.append(
            Passage(
                id=digest,
                text=text,
                meta=doc.meta,
                position=len(passages),
                section=section,
                years=years_in(text),
                cities=tuple(sorted(cities_in(text))),
                flagged=flagged_in(text, planted),
                page=page,
            )
        )
    return passages
