"""BM25 over Kiwi morphemes, persisted next to Chroma and rebuilt when the store changes.

The tokens of each passage are stored with it in Chroma (so any app worker, even against a
Chroma server, can rebuild the index); the built index is saved in the store generation's
``bm25`` folder with a stamp of the passage ids it covers. It is derived data: when it is stale
it is rebuilt quietly, and when it is missing, empty or unreadable it is rebuilt from Chroma
with a one-line warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import threading
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from pathlib import Path

import numpy as np

from budgetqa.korean import search_tokens
from store.chroma import PassageStore
from store.scope import ScopeTable
from store.unitvectors import UnitVectors

# A scope of fewer passages (a single press release) counts terms over the whole store instead:
# in the dev set's store a 10-passage scope made an unanswerable question look answerable.
MIN_IDF_PASSAGES = 30
CITY_MASKS = 64  # passage masks (and their term counts) kept by set of cities (``counts_in_cities``)
CITY_TERMS = 20_000  # term counts kept per set of cities; past it they start again
BLOCK = 64  # scores per block when ``best`` bounds the k-th best score by block maxima
BLOCKS_PER_K = 8  # ... which it does when there are at least this many blocks per place asked


class SavedBM25:
    """A saved ``bm25s`` index, read and scored with numpy alone, for answering.

    ``bm25s`` imports scipy (0.2 s, a tenth of a cold ``budgetqa ask``) and is needed only to
    build an index. Its saved form is the term-by-passage score matrix in CSC arrays plus the
    vocabulary; ``get_scores`` adds the same slices in the same order as ``bm25s.BM25``'s does
    (so the scores are the same to the bit), and ``vocab_dict`` and ``scores`` are the same.
    """

    METHODS = frozenset({"lucene", "robertson", "atire"})  # those without a non-occurrence array

    def __init__(self, folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in self.METHODS:
            raise ValueError(f"BM25 method {params.get('method')!r} is not read here")
        self.vocab_dict: dict[str, int] = json.loads(
            (folder / "vocab.index.json").read_text(encoding="utf-8")
        )
        self.dtype = np.dtype(params["dtype"])
        self.int_dtype = np.dtype(params["int_dtype"])
        self.scores = {
            "data": np.load(folder / "data.csc.index.npy", allow_pickle=False),
            "indices": np.load(folder / "indices.csc.index.npy", allow_pickle=False),
            "indptr": np.load(folder / "indptr.csc.index.npy", allow_pickle=False),
            "num_docs": params["num_docs"],
        }
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        if not (len(data) == len(indices) == int(indptr[-1]) and len(indptr) >= len(self.vocab_dict)):
            raise ValueError("the saved BM25 arrays do not fit together")

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        # ("" is in bm25s's vocabulary without a column: bm25s raises for it, it scores 0 here)
        known = [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]
        terms = np.asarray([term for term in known if term < len(indptr) - 1], dtype=self.int_dtype)
        scores = np.zeros(self.scores["num_docs"], dtype=self.dtype)
        for start, end in zip(indptr[terms], indptr[terms + 1], strict=True):
            np.add.at(scores, indices[start:end], data[start:end])
        return scores


def best(scores: np.ndarray, k: int) -> np.ndarray:
    """The positions of the ``k`` best positive ``scores``, by score then position (of equal
    scores at the k-th place, the first passages; look-alike documents tie often).

    Only the passages that can make the best ``k`` are sorted: at 100k passages a question's
    words occur in 85k of them. Among blocks of ``BLOCK`` scores, k blocks hold a score at least
    the k-th best block maximum, so the k-th best score is no lower: a scan of the block maxima
    (1,600 at 100k) bounds it, and the few scores above the bound are sorted (0.2 ms at 100k
    passages, against 0.35 ms to select the best k of every positive score)."""
    floor = np.finfo(scores.dtype).tiny  # the least positive score
    blocks = len(scores) // BLOCK
    if blocks >= BLOCKS_PER_K * k:
        maxima = scores[: blocks * BLOCK].reshape(blocks, BLOCK).max(axis=1)
        floor = max(floor, maxima[np.argpartition(maxima, blocks - k)[blocks - k]])
    found = np.flatnonzero(scores >= floor)
    if len(found) > k:  # keep every score tied with the k-th best, then sort
        kth = np.partition(scores[found], len(found) - k)[len(found) - k]
        found = found[scores[found] >= kth]
    return found[np.lexsort((found, -scores[found]))][:k]


class LexicalIndex:
    """BM25 over the store's passages, their ``ScopeTable`` and their ``UnitVectors`` (all of
    one generation, saved in one folder)."""

    def __init__(self, ids: list[str], tokens: list[list[str]], scope: ScopeTable | None = None) -> None:
        import bm25s

        self.ids = ids
        self.scope = scope or ScopeTable([])
        self.units: UnitVectors | None = None  # set by ``build`` once written (not for a read-only folder)
        self._position_of: dict[str, int] | None = None
        self._city_masks: dict[frozenset[str], tuple[np.ndarray | None, dict[str, int]]] = {}
        self._bm25 = bm25s.BM25()
        if ids:
            self._bm25.index([t or [""] for t in tokens], show_progress=False)
        self._lock = threading.Lock()

    @property
    def n_docs(self) -> int:
        return len(self.ids)

    def df(self, token: str) -> int:
        """In how many passages ``token`` occurs (0 for a token the corpus never uses)."""
        if not self.ids:
            return 0
        term = self._bm25.vocab_dict.get(token.lower())
        if term is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[term + 1] - indptr[term])

    def counts_in(self, ids: AbstractSet[str] | None) -> tuple[Callable[[str], int], int]:
        """``df`` and the number of passages, counted among the passages ``ids`` only: how rare
        a term is among the documents a question is asked of. Over the whole store when ``ids``
        is None, or too few (``MIN_IDF_PASSAGES``) to tell a rare term from a common one."""
        return self._counter(self._mask(ids))

    def counts_in_cities(self, cities: set[str]) -> tuple[Callable[[str], int], int]:
        """``counts_in`` the passages of ``cities`` (``scope.ids``), with the passages' mask and
        each term's count kept per set of cities: questions ask of the same few cities, with
        the same budget words, again and again (building the set and the mask took 1.2 ms at
        100k passages, and counting a term in them reads its whole posting list)."""
        key = frozenset(cities)
        if key not in self._city_masks:
            if len(self._city_masks) >= CITY_MASKS:
                # (the oldest; two answering threads may both drop it)
                self._city_masks.pop(next(iter(self._city_masks)), None)
            self._city_masks[key] = (self._mask(self.scope.ids(None, cities)), {})
        mask, counted = self._city_masks[key]
        if len(counted) > CITY_TERMS:
            counted.clear()
        return self._counter(mask, counted)

    def _mask(self, ids: AbstractSet[str] | None) -> np.ndarray | None:
        """The passages ``ids`` as a mask over ``self.ids``; None for the whole store."""
        if ids is None or not self.ids or not MIN_IDF_PASSAGES <= len(ids) < len(self.ids):
            return None
        positions = self._positions()
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[[positions[pid] for pid in ids if pid in positions]] = True
        return mask

    def _counter(
        self, mask: np.ndarray | None, counted: dict[str, int] | None = None
    ) -> tuple[Callable[[str], int], int]:
        """``df`` within ``mask``, remembering each term's count in ``counted`` (a new dict
        unless given: an answer asks for the same terms once per candidate)."""
        if mask is None:
            return self.df, self.n_docs
        indptr, indices = self._bm25.scores["indptr"], self._bm25.scores["indices"]
        counted = {} if counted is None else counted

        def df(token: str) -> int:
            token = token.lower()
            if token not in counted:
                term = self._bm25.vocab_dict.get(token)
                counted[token] = (
                    0 if term is None else int(mask[indices[indptr[term] : indptr[term + 1]]].sum())
                )
            return counted[token]

        return df, int(mask.sum())

    def _positions(self) -> dict[str, int]:
        if self._position_of is None:
            self._position_of = {pid: i for i, pid in enumerate(self.ids)}
        return self._position_of

    def unit_vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """The unit vectors of those passages that the saved file holds."""
        if self.units is None:
            return {}
        positions = self._positions()
        known = [pid for pid in passage_ids if pid in positions]
        found = zip(known, self.units.read([positions[pid] for pid in known]), strict=True)
        return {pid: vectors for pid, vectors in found if vectors is not None}

    @staticmethod
    def stamp(ids: list[str]) -> str:
        return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = search_tokens(query, query=True)
        if not self.ids or not tokens:
            return []
        with self._lock:
            scores = self._bm25.get_scores(tokens)
        return [(self.ids[i], float(scores[i])) for i in best(scores, k)]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._bm25.save(str(folder), show_progress=False)
        self.scope.save(folder)
        tmp = folder / "ids.json.tmp"
        tmp.write_text(json.dumps({"stamp": self.stamp(self.ids), "ids": self.ids}))
        tmp.replace(folder / "ids.json")

    @classmethod
    def load(cls, folder: Path, ids: list[str], units: bool = True) -> LexicalIndex | None:
        """The saved index if it covers exactly ``ids`` (with its unit vectors, unless
        ``units`` is false); None if it is stale. Raises FileNotFoundError when there is none,
        and another exception when it is unreadable."""
        saved = json.loads((folder / "ids.json").read_text())
        if saved["stamp"] != cls.stamp(ids):
            return None
        index = cls.__new__(cls)
        index.ids = list(saved["ids"])
        index._lock = threading.Lock()
        index._position_of = None
        index._city_masks = {}
        index.units = None
        try:
            index.scope = ScopeTable.load(folder)
            if units:
                index.units = UnitVectors.load(folder, saved["stamp"])
        except FileNotFoundError:  # saved before the scope table or the unit vectors: rebuilt quietly
            return None
        if units and index.units is None:
            return None
        if index.ids:
            index._bm25 = SavedBM25(folder)
        else:
            import bm25s

            index._bm25 = bm25s.BM25()
        return index


def build(folder: Path, store: PassageStore) -> LexicalIndex:
    """A fresh index over every passage in the store, saved to ``folder`` when writable. The
    unit vectors are copied for a local store only: a Chroma server holds its vector segments
    in its own process, and copying them over HTTP to every worker would cost more than it saves."""
    ids: list[str] = []
    tokens: list[list[str]] = []
    scope: list[tuple[str, int, str, list[int], list[str]]] = []
    for page_ids, metadatas in store.metadata_pages():  # a page at a time: 100k rows' metadata is GBs
        ids += page_ids
        tokens += [json.loads(m.get("tokens", "[]")) for m in metadatas]
        scope += ScopeTable.rows_of(page_ids, metadatas)
    index = LexicalIndex(ids, tokens, ScopeTable(scope))
    with contextlib.suppress(OSError):  # a read-only data dir still gets an in-memory index
        folder.mkdir(parents=True, exist_ok=True)
        if store.local:
            stamp = LexicalIndex.stamp(ids)
            index.units = UnitVectors.write(
                folder, stamp, index._positions(), store.unit_pages(), store.unit_count()
            )
        index.save(folder)  # last: its ids.json says the folder is whole
    return index


def load_or_build(folder: Path, store: PassageStore) -> LexicalIndex:
    """The saved index when it matches the store's passages, else a fresh one (with a warning
    when the saved one is missing or unreadable, since nothing should have removed it)."""
    ids = store.ids()
    try:
        index = LexicalIndex.load(folder, ids, units=store.local)
    except FileNotFoundError:
        index = None
        if ids:
            _warn(f"the BM25 index in {folder} is missing; rebuilt it from the store")
    except Exception as exc:  # a 0-byte, truncated or foreign file: the index is derived data
        index = None
        _warn(f"the BM25 index in {folder} is unreadable ({type(exc).__name__}); rebuilt it from the store")
    return index or build(folder, store)


def _warn(message: str) -> None:
    print(f"budgetqa: warning: {message}", file=sys.stderr, flush=True)
