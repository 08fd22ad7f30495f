"""Hybrid retrieval: reciprocal rank fusion of dense (Chroma) and lexical (BM25) rankings.

score(p) = sum over rankings r of 1 / (RRF_K + rank_r(p)), ranks from 1. English questions
rarely match Korean text lexically, so the dense ranking carries cross-lingual questions; BM25
carries exact Korean terms and amounts ("3703억"). The packaged embedder strongly prefers
passages in the question's language, so the question is also searched as a "shadow" query
made of its glossary terms in the other language (``retrieve/glossary.tsv``): four rankings
in all. When the question names a year, passages
about that year (the document's year, or the year written in the passage) get one more
ranking in which they all stand first; that breaks ties between near-identical passages of
different years without hiding the others. Likewise, when the question names an amount
("3703억", "370.3 billion won"), passages holding that value (in any unit) get a ranking of
their own.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, PrivateAttr

from budgetqa.numbers import find_quantities, same_value
from budgetqa.types import Hit
from retrieve.glossary import translate_query

RRF_K = 60
FETCH_K = 20
VECTOR_CACHE = 256  # query vectors kept: a question's parts and retries search the same texts
YEAR_IN_QUESTION = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*(?:억|조|만|원|건|개))")


def query_years(question: str) -> set[int]:
    return {int(y) for y in YEAR_IN_QUESTION.findall(question)}


def about_year(hit: Hit, year: int) -> bool:
    years = {int(y) for y in str(hit.metadata.get("years", "")).split(",") if y}
    return hit.metadata.get("doc_year") == year or year in years


class HybridRetriever(BaseRetriever):
    """langchain retriever over a ``PassageStore`` and a ``LexicalIndex``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    lexical: Any
    k: int = 5
    fetch_k: int = FETCH_K
    rrf_k: int = RRF_K
    # the shadow (translated) query is a weaker signal than the question itself
    weights: dict[str, float] = Field(
        default_factory=lambda: {"dense": 1.0, "lexical": 1.0, "densex": 0.5, "lexicalx": 0.5, "year": 1.0}
    )
    _vectors: dict[str, list[float]] = PrivateAttr(default_factory=dict)

    def vector(self, text: str) -> list[float]:
        """The query vector of ``text`` (embedded once, then cached)."""
        if text not in self._vectors:
            if len(self._vectors) >= VECTOR_CACHE:
                self._vectors.pop(next(iter(self._vectors)))
            self._vectors[text] = self.store.embeddings.embed_query(text)
        return self._vectors[text]

    def search(
        self,
        query: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        ids: AbstractSet[str] | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages for ``query`` among those matching ``where`` (a Chroma
        filter); ``ids``, when given, are exactly the passages ``where`` selects (from the
        scope table), which both rankings are restricted to. The rankings are fused over
        passage ids, and only the passages that make the best ``k`` are read from the store
        (a row read cost 0.4 ms at 100k passages), unless the fusion needs every candidate's
        row: a filter without ``ids``, or an amount in the question."""
        k = k or self.k
        queries = {"": query}
        shadow = translate_query(query)
        if shadow:
            queries["x"] = shadow  # the question's terms in the other language
        found: dict[str, Hit] = {}  # candidates, their text and metadata not read yet
        for tag, text in queries.items():
            dense = self.store.dense_ranking(self.vector(text), self.fetch_k, where=where, ids=ids)
            for rank, (pid, cosine) in enumerate(dense, start=1):
                hit = found.setdefault(pid, Hit(id=pid, text="", metadata={}, score=0.0))
                hit.dense = max(hit.dense or 0.0, cosine)
                hit.ranks["dense" + tag] = rank
            for rank, (pid, score) in enumerate(self.lexical.search(text, self.fetch_k), start=1):
                if ids is None or pid in ids:
                    hit = found.setdefault(pid, Hit(id=pid, text="", metadata={}, score=0.0))
                    hit.lexical = max(hit.lexical or 0.0, score)
                    hit.ranks["lexical" + tag] = rank
        years = query_years(query)
        amounts = [q.value for q in find_quantities(query) if q.kind == "money"]
        hits: dict[str, Hit] = {}
        if amounts or (where and ids is None):
            hits = self._read(list(found.values()))
            if where and ids is None:  # lexical hits outside the filter are dropped
                hits = {i: h for i, h in hits.items() if _matches(h.metadata, where)}
            found = hits
        scope = self.lexical.scope
        if years:  # the scope table knows a passage's years, unless it was stored since: read it
            unknown = [h for pid, h in found.items() if pid not in hits and not scope.knows(pid)]
            read = self._read(unknown) if unknown else {}
            hits.update(read)
            found.update(read)
        for pid, hit in found.items():
            if years and any(about_year(hit, y) if pid in hits else scope.about_year(pid, y) for y in years):
                hit.ranks["year"] = 1
            if amounts and any(
                q.kind == "money" and any(same_value(q.value, a) for a in amounts)
                for q in find_quantities(hit.text)
            ):
                hit.ranks["amount"] = 1
            hit.score = self._fuse(hit.ranks)
        ranked = sorted(found.values(), key=lambda h: (-h.score, h.id))
        out: list[Hit] = []
        while ranked and len(out) < k:  # a passage whose row is gone gives its place to the next
            batch, ranked = ranked[: k - len(out)], ranked[k - len(out) :]
            read = self._read([h for h in batch if h.id not in hits])
            out += [hits.get(h.id) or read[h.id] for h in batch if h.id in hits or h.id in read]
        return out

    def _read(self, candidates: list[Hit]) -> dict[str, Hit]:
        """The candidates whose rows the store has, with their rows read and scores kept."""
        rows = self.store.get([h.id for h in candidates])
        out = {}
        for hit in candidates:
            row = rows.get(hit.id)
            if row is not None:
                row.dense, row.lexical, row.ranks, row.score = hit.dense, hit.lexical, hit.ranks, hit.score
                out[hit.id] = row
        return out

    def _fuse(self, ranks: dict[str, int]) -> float:
        return sum(self.weights.get(name, 1.0) / (self.rrf_k + rank) for name, rank in ranks.items())

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        return [
            Document(
                id=h.id,
                page_content=h.text,
                metadata={**h.metadata, "score": h.score, "dense": h.dense, "lexical": h.lexical},
            )
            for h in self.search(query)
        ]

    def refresh(self, lexical: Any) -> None:
        """Swap in a rebuilt lexical index after an ingest."""
        self.lexical = lexical


def _matches(meta: dict[str, Any], where: dict[str, Any]) -> bool:
    """Evaluate the simple Chroma filters we issue: {field: value}, $eq/$in, $and/$or."""
    for key, cond in where.items():
        if key == "$and":
            if not all(_matches(meta, c) for c in cond):
                return False
        elif key == "$or":
            if not any(_matches(meta, c) for c in cond):
                return False
        elif isinstance(cond, dict):
            if "$eq" in cond and meta.get(key) != cond["$eq"]:
                return False
            if "$in" in cond and meta.get(key) not in cond["$in"]:
                return False
            if "$ne" in cond and meta.get(key) == cond["$ne"]:
                return False
        elif meta.get(key) != cond:
            return False
    return True
