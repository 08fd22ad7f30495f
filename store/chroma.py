"""Passages in Chroma: local files (PersistentClient) or a server (HttpClient, ``CHROMA_HOST``).

Each passage is cut into answer units (``ingest.units``: sentences, list items, table rows);
every unit is embedded once and its vector kept in a second collection (``<name>_units``), and
the passage's own vector is the normalised mean of its units' vectors, so nothing is embedded
twice. Dense queries go through langchain's ``Chroma`` vector store on the passage collection;
the answerer reads the unit vectors of the passages it retrieved.

The collection's metadata records what built it (embedding model, chunker version); opening it
with another embedding model is refused with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from budgetqa import __version__
from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from budgetqa.types import Hit, Passage

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
CHUNKER_VERSION = "12"  # bump when cleaning or splitting changes: files are then re-ingested
EMBED_BATCH = 256  # texts per embedding call
WRITE_BATCH = 2000  # rows per Chroma write
PENDING = "pending"  # the key of rows that an older version wrote before their document was whole
DOCUMENT_FIELDS = (
    "source", "title", "date", "format", "pages", "publisher", "lang", "passages", "flagged", "ingested_at", "path",
)  # fmt: skip
UNIT_CACHE = 4096  # passages whose unit vectors are kept in memory (ids change with the text)
EXACT_SCOPE = 1000  # a search restricted to at most this many passages ranks them exactly, here
VECTOR_CACHE = 8192  # passage vectors kept in memory for those searches
SCOPE_MATRICES = 16  # scopes whose stacked vectors and norms are kept (2 MB each at 1000 x 512)
ROW_CACHE = 8192  # passages' text and metadata kept in memory: a Chroma get by ids cost 4 ms at 100k


class IdCache(Generic[K, V]):
    """Values by passage id (vectors, rows) or by set of ids (a scope's stacked vectors), the
    least recently used dropped past ``size``; safe across the threads that answer. A passage's
    id changes with its text, so a vector is never stale; a row's metadata can change with its
    document's, so writes ``clear`` the row cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def found(self, ids: list[K]) -> dict[K, V]:
        """Those of ``ids`` that are cached."""
        with self._lock:
            out = {pid: self._items[pid] for pid in ids if pid in self._items}
            for pid in out:
                self._items.move_to_end(pid)
        return out

    def add(self, items: dict[K, V]) -> None:
        with self._lock:
            self._items.update(items)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _pages(collection: Any, include: list[str], size: int) -> Iterator[dict[str, Any]]:
    """Every row of ``collection``, ``size`` at a time (Chroma's ``get`` results)."""
    offset = 0
    while True:
        try:  # (a generator: ``store_call`` would not see a failure while it is iterated)
            got = collection.get(include=include, limit=size, offset=offset)
        except Exception as exc:
            raise StoreError(f"the store failed ({_short(exc)})") from None
        if not got["ids"]:
            return
        yield got
        offset += len(got["ids"])


def store_call(method: Callable[..., T]) -> Callable[..., T]:
    """Turn a Chroma failure during a read (server down, collection dropped) into a StoreError."""

    @functools.wraps(method)
    def wrapper(self: PassageStore, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"the store failed ({_short(exc)})") from None

    return wrapper


def make_client(settings: Settings, chroma_dir: Path | None = None) -> Any:
    """A client for the Chroma server in the settings, or for the local files in ``chroma_dir``
    (a store generation's folder; ``settings.chroma_dir`` when not given)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        folder = chroma_dir or settings.chroma_dir
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
    except Exception as exc:
        where = (
            f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else f"store {chroma_dir or settings.chroma_dir}"
        )
        raise StoreError(f"cannot open the {where}: {_short(exc)}. {RECOVERY}") from None


RECOVERY = (
    "If the store is corrupt, run 'budgetqa ingest --rebuild' to build a new one from the documents "
    "(the old one is kept until the new one is complete)."
)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}"


class PassageStore:
    """The passage collection: replace a document's passages, search, list."""

    def __init__(
        self,
        settings: Settings,
        embeddings: Embeddings,
        check_model: bool = True,
        chroma_dir: Path | None = None,
    ) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.chroma_dir = chroma_dir or settings.chroma_dir
        self.model_id: str = getattr(embeddings, "model_id", type(embeddings).__name__)
        self._client = make_client(settings, self.chroma_dir)
        try:
            self._collection = self._client.get_or_create_collection(
                settings.collection,
                metadata={
                    "embedding_model": self.model_id,
                    "chunker": CHUNKER_VERSION,
                    "app_version": __version__,
                },
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:
            self.close()
            raise StoreError(
                f"cannot open collection '{settings.collection}': {_short(exc)}. {RECOVERY}"
            ) from None
        try:
            self._units = self._client.get_or_create_collection(
                f"{settings.collection}_units", configuration={"hnsw": {"space": "cosine"}}
            )
        except Exception as exc:
            self.close()
            raise StoreError(
                f"cannot open collection '{settings.collection}_units': {_short(exc)}. {RECOVERY}"
            ) from None
        self._unit_cache: IdCache[str, np.ndarray] = IdCache(UNIT_CACHE)
        self._vector_cache: IdCache[str, np.ndarray] = IdCache(VECTOR_CACHE)
        self._scope_matrices: IdCache[frozenset[str], tuple[list[str], np.ndarray, np.ndarray]] = IdCache(
            SCOPE_MATRICES
        )
        self._row_cache: IdCache[str, tuple[str, dict[str, Any], str]] = IdCache(ROW_CACHE)
        if check_model:
            self._check_model()
        self._langchain = Chroma(
            client=self._client,
            collection_name=settings.collection,
            embedding_function=embeddings,
        )

    def _check_model(self) -> None:
        built_with = (self._collection.metadata or {}).get("embedding_model")
        if built_with and built_with != self.model_id:
            if self.count() == 0:  # an empty store can be taken over by the new model
                self._collection.modify(
                    metadata={**self._collection.metadata, "embedding_model": self.model_id}
                )
                return
            raise StoreError(
                f"the store in {self.settings.data_dir} was built with '{built_with}', "
                f"not '{self.model_id}'. Set BUDGETQA_EMBEDDING to the model that built it, or "
                "rebuild it with the new model: budgetqa ingest --rebuild"
            )

    @property
    def local(self) -> bool:
        """Whether the store is local files (not a Chroma server)."""
        return not self.settings.chroma_host

    def close(self) -> None:
        """Release the local files (a no-op for a server); the store is unusable afterwards."""
        with contextlib.suppress(Exception):
            self._client.close()

    @store_call
    def server_generation(self) -> str:
        """The write counter that writers bump on a Chroma server (see ``bump_generation``)."""
        collection = self._client.get_collection(self.settings.collection)
        return str((collection.metadata or {}).get("generation", ""))

    def bump_generation(self) -> None:
        """Tell readers on other machines that the store changed (Chroma server only)."""
        meta = dict(self._collection.metadata or {})
        meta["generation"] = int(meta.get("generation", 0) or 0) + 1
        self._collection.modify(metadata=meta)

    # -- reading ---------------------------------------------------------------------------
    @store_call
    def count(self) -> int:
        return self._collection.count()

    @store_call
    def ids(self, where: dict[str, Any] | None = None, limit: int | None = None) -> list[str]:
        """Passage ids (those matching ``where``; at most ``limit``)."""
        if limit is not None:
            return list(self._collection.get(where=where, include=[], limit=limit)["ids"])
        ids: list[str] = []
        while batch := self._collection.get(where=where, include=[], limit=5000, offset=len(ids))["ids"]:
            ids.extend(batch)
        return ids

    def built_with(self) -> dict[str, Any]:
        return dict(self._collection.metadata or {})

    @store_call
    def documents(self) -> dict[str, dict[str, Any]]:
        """One entry per ingested document (by path): its metadata, passage count and flagged
        lines (lines that address the assistant, see ``ingest.injection``)."""
        docs: dict[str, dict[str, Any]] = {}
        for meta in (m for _, page in self.metadata_pages() for m in page):
            entry = docs.setdefault(meta["path"], {**_public(meta), "passages": 0, "flagged": 0})
            entry["passages"] += 1
            entry["flagged"] += int(meta.get("flagged") or 0)
        return docs

    def document_list(self) -> list[dict[str, Any]]:
        """The documents as ``budgetqa docs`` and the staff tab list them: ``DOCUMENT_FIELDS``,
        sorted by source."""
        found = sorted(self.documents().values(), key=lambda d: (str(d.get("source")), str(d.get("path"))))
        return [{k: d.get(k, "") for k in DOCUMENT_FIELDS} for d in found]

    def metadata_pages(self, size: int = 1000) -> Iterator[tuple[list[str], list[dict[str, Any]]]]:
        """Ids and metadata of every passage, ``size`` rows at a time (the BM25 index and the
        scope table are built from these without holding every row's metadata at once)."""
        for got in _pages(self._collection, ["metadatas"], size):
            yield list(got["ids"]), list(got["metadatas"])

    @store_call
    def unit_count(self) -> int:
        return self._units.count()

    def unit_pages(self, size: int = 2000) -> Iterator[tuple[list[str], list[int], list[Any]]]:
        """(passage ids, unit numbers, vectors) of every stored unit, ``size`` at a time: what
        ``store.unitvectors`` writes its file from."""
        for got in _pages(self._units, ["embeddings", "metadatas"], size):
            metas = got["metadatas"]
            yield [str(m["passage"]) for m in metas], [int(m["n"]) for m in metas], list(got["embeddings"])

    @store_call
    def passages_of(self, path: str) -> list[Hit]:
        """Every passage of one document, in document order."""
        got = self._collection.get(where={"path": path}, include=["documents", "metadatas"])
        hits = [
            _hit(i, _row(d, m))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        return sorted(hits, key=lambda h: int(h.metadata.get("position", 0)))

    @store_call
    def get(self, ids: list[str]) -> dict[str, Hit]:
        """The stored passages of ``ids`` (those that exist), each a new ``Hit``."""
        rows = self._row_cache.found(ids)
        missing = [pid for pid in ids if pid not in rows]
        if missing:
            got = self._collection.get(ids=missing, include=["documents", "metadatas"])
            read = {
                i: _row(d, m)
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            }
            self._row_cache.add(read)
            rows.update(read)
        return {pid: _hit(pid, rows[pid]) for pid in ids if pid in rows}

    @store_call
    def unit_vectors(self, passage_ids: list[str]) -> dict[str, np.ndarray]:
        """The unit vectors of each passage (rows in unit order); absent for a passage whose
        units were not stored."""
        out = self._unit_cache.found(passage_ids)
        missing = [pid for pid in passage_ids if pid not in out]
        if missing:
            got = self._units.get(where={"passage": {"$in": missing}}, include=["embeddings", "metadatas"])
            rows: dict[str, list[tuple[int, Any]]] = {}
            for meta, vector in zip(got["metadatas"], got["embeddings"], strict=True):
                rows.setdefault(str(meta["passage"]), []).append((int(meta["n"]), vector))
            read = {
                pid: np.array([v for _, v in sorted(found, key=lambda r: r[0])], dtype=np.float32)
                for pid, found in rows.items()
            }
            self._unit_cache.add(read)
            out.update(read)
        return out

    @store_call
    def dense_ranking(
        self,
        query: str | list[float],
        k: int,
        where: dict[str, Any] | None = None,
        ids: AbstractSet[str] | None = None,
    ) -> list[tuple[str, float]]:
        """(passage id, cosine) of the passages nearest to ``query`` (a text, or its vector
        from ``embed_query``), among those matching ``where``, or among ``ids`` when given
        (the same passages, found in the scope table: a metadata filter costs a scan of the
        store, a list of ids does not), best first. A scope of at most ``EXACT_SCOPE``
        passages is ranked by exact cosine over its vectors (``exact_ranking``), without
        reading its rows; Chroma's own search returns rows, which are kept for ``get``."""
        if ids is not None and not ids:
            return []
        vector = self.embeddings.embed_query(query) if isinstance(query, str) else query
        if ids is not None and len(ids) <= EXACT_SCOPE:
            return self.exact_ranking(vector, k, ids)
        scope: dict[str, Any] = {"filter": where} if ids is None else {"ids": sorted(ids)}
        # k may exceed the passages in scope: Chroma returns those there are
        found = self._langchain.similarity_search_by_vector_with_relevance_scores(vector, k=k, **scope)
        self._row_cache.add({str(doc.id): _row(doc.page_content, doc.metadata) for doc, _ in found})
        return [(str(doc.id), 1.0 - float(distance)) for doc, distance in found]

    @store_call
    def exact_ranking(self, vector: list[float], k: int, ids: AbstractSet[str]) -> list[tuple[str, float]]:
        """(passage id, cosine) of the ``k`` passages of ``ids`` nearest to ``vector``,
        computed here over their vectors (kept in memory once read: ids change with the
        text). Chroma's HNSW search restricted to a few ids walks much of the graph: 80 ms
        for 50 ids among 100k passages, against 3 ms to read those 50 vectors."""
        found, matrix, norms = self._scope_matrix(ids)
        if not found:
            return []
        q = np.asarray(vector, dtype=np.float32)
        cosines = matrix @ q / np.maximum(norms * np.linalg.norm(q), 1e-12)
        best = np.argsort(-cosines, kind="stable")[:k]
        return [(found[i], float(cosines[i])) for i in best]

    def _scope_matrix(self, ids: AbstractSet[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The passages of ``ids`` that have a vector (in id order), their vectors stacked and
        the vectors' norms. Kept per scope (``SCOPE_MATRICES``) when every passage has one:
        questions ask of the same scopes again and again, and stacking a 1000-passage scope
        anew took 0.7 ms a question at 100k passages."""
        key = frozenset(ids)
        kept = self._scope_matrices.found([key])
        if kept:
            return kept[key]
        ordered = sorted(ids)
        vectors = self._vector_cache.found(ordered)
        missing = [pid for pid in ordered if pid not in vectors]
        if missing:
            got = self._collection.get(ids=missing, include=["embeddings"])
            read = {
                pid: np.asarray(emb, dtype=np.float32)
                for pid, emb in zip(got["ids"], got["embeddings"], strict=True)
            }
            self._vector_cache.add(read)
            vectors.update(read)
        found = [pid for pid in ordered if pid in vectors]
        if not found:
            return [], np.zeros((0, 0), dtype=np.float32), np.zeros(0, dtype=np.float32)
        matrix = np.stack([vectors[pid] for pid in found])
        made = (found, matrix, np.linalg.norm(matrix, axis=1))
        if len(found) == len(ordered):  # (a passage without a vector may get one: not kept)
            self._scope_matrices.add({key: made})
        return made

    # -- writing ---------------------------------------------------------------------------
    def document_keys(self) -> dict[str, str]:
        """path -> ingest key (file hash + chunker version) of every stored document; "" when
        its rows are not all there (an ingest was interrupted), so that it is ingested again:
        when they disagree on the key or on the document's row count, or hold fewer rows than
        that count."""
        keys: dict[str, set[str]] = {}
        counts: dict[str, set[int]] = {}
        rows: dict[str, int] = {}
        for meta in (m for _, page in self.metadata_pages() for m in page):
            path = meta["path"]
            keys.setdefault(path, set()).add(str(meta.get("ingest_key", "")))
            counts.setdefault(path, set()).add(int(meta.get("doc_rows") or 0))  # 0: an older row
            rows[path] = rows.get(path, 0) + 1

        def whole(path: str) -> bool:
            k, n = keys[path], counts[path]
            return len(k) == 1 and PENDING not in k and (n == {0} or n == {rows[path]})

        return {path: next(iter(keys[path])) if whole(path) else "" for path in keys}

    def replace_documents(self, docs: list[DocumentRows]) -> list[tuple[int, int]]:
        """Make the stored passages of each document exactly its ``passages``; returns (added,
        removed) per document. Several documents are embedded and written together: one
        embedding call per ``EMBED_BATCH`` texts, one Chroma write per ``WRITE_BATCH`` rows.
        (``embed_rows`` then ``write_rows``: ingest runs them in two threads, so that one batch
        is written while the next is embedded.)

        ``unit_texts[i]`` are the embedded texts of passage i's units, ``tokens[i]`` its BM25
        tokens. A passage's vector is the normalised mean of its units' vectors and of its
        context line's (title, section, year: embedded once per section), so that a question
        naming the document's subject reaches passages that do not repeat it. Each row carries its
        document's key and row count, so that a document an interrupted ingest left with some
        old rows or only some of its new ones is redone next time instead of looking
        "unchanged" (``document_keys``).
        """
        return self.write_rows(self.embed_rows(docs))

    def embed_rows(self, docs: list[DocumentRows]) -> EmbeddedRows:
        """The rows ``docs`` need written: their passages that are not stored yet, embedded
        (see ``replace_documents``)."""
        paths = [d.path for d in docs]
        old: dict[str, set[str]] = {p: set() for p in paths}
        for start in range(0, len(paths), 100):
            got = self._collection.get(
                where={"path": {"$in": paths[start : start + 100]}}, include=["metadatas"]
            )
            for pid, meta in zip(got["ids"], got["metadatas"], strict=True):
                old[meta["path"]].add(pid)
        adds = [
            (d, p, u, t, a)
            for d in docs
            for p, u, t, a in zip(d.passages, d.unit_texts, d.tokens, d.analyses, strict=True)
        ]
        adds = [row for row in adds if row[1].id not in old[row[0].path]]
        # embed: every unit text once, every context line once
        texts = [text for _, _, units, _, _ in adds for text in units]
        heads = sorted({p.context() for _, p, _, _, _ in adds if p.context()})
        everything = texts + heads
        vectors = np.zeros((len(everything), 0), dtype=np.float32)
        if everything:
            parts = [
                np.asarray(self.embeddings.embed_documents(everything[i : i + EMBED_BATCH]), dtype=np.float32)
                for i in range(0, len(everything), EMBED_BATCH)
            ]
            vectors = np.vstack(parts)
        contexts = dict(zip(heads, vectors[len(texts) :], strict=True))
        unit_rows: list[tuple[str, list[float], dict[str, Any]]] = []
        passage_rows: list[tuple[str, list[float], str, dict[str, Any]]] = []
        offset = 0
        for d, p, units, t, a in adds:
            own = vectors[offset : offset + len(units)]
            offset += len(units)
            unit_rows += [
                (f"{p.id}:{n}", own[n].tolist(), {"passage": p.id, "path": d.path, "n": n})
                for n in range(len(units))
            ]
            if p.context():
                own = np.vstack([own, contexts[p.context()][None, :]])
            mean = own.mean(axis=0)
            mean = mean / (np.linalg.norm(mean) or 1.0)
            meta = self._row_metadata(p, d.path, d.ingest_key, len(d.passages), t, a)
            passage_rows.append((p.id, mean.tolist(), p.text, meta))
        return EmbeddedRows(docs, old, unit_rows, passage_rows)

    def write_rows(self, rows: EmbeddedRows) -> list[tuple[int, int]]:
        """Write what ``embed_rows`` made; returns (added, removed) per document."""
        docs, old, unit_rows, passage_rows = rows.docs, rows.old, rows.unit_rows, rows.passage_rows
        for start in range(0, len(unit_rows), WRITE_BATCH):
            ids, embs, metas = zip(*unit_rows[start : start + WRITE_BATCH], strict=True)
            self._units.upsert(ids=list(ids), embeddings=list(embs), metadatas=list(metas))
        for start in range(0, len(passage_rows), WRITE_BATCH):
            ids, embs, texts_, metas = zip(*passage_rows[start : start + WRITE_BATCH], strict=True)
            self._collection.upsert(
                ids=list(ids), embeddings=list(embs), documents=list(texts_), metadatas=list(metas)
            )
        # stale rows go, then kept rows get their (maybe changed) document metadata and key: one
        # Chroma call per WRITE_BATCH rows for all documents (a call costs about 50 ms whatever
        # its size). Until both are done, a changed document's rows disagree on its key.
        results: list[tuple[int, int]] = []
        stale: list[str] = []
        kept: list[tuple[str, dict[str, Any]]] = []
        for d in docs:
            new_ids = [p.id for p in d.passages]
            gone = sorted(old[d.path] - set(new_ids))
            stale += gone
            # passages that stayed keep their ids (and vectors); their metadata is rewritten, since
            # a document's metadata (title, date ...) can change while a passage's text does not
            mine = [
                (p.id, self._row_metadata(p, d.path, d.ingest_key, len(d.passages), t, a))
                for p, t, a in zip(d.passages, d.tokens, d.analyses, strict=True)
                if p.id in old[d.path]
            ]
            kept += mine
            results.append((len(new_ids) - len(mine), len(gone)))
        for start in range(0, len(stale), WRITE_BATCH):
            batch = stale[start : start + WRITE_BATCH]
            self._collection.delete(ids=batch)
            self._units.delete(where={"passage": {"$in": batch}})
        for start in range(0, len(kept), WRITE_BATCH):
            ids, metas = zip(*kept[start : start + WRITE_BATCH], strict=True)
            self._collection.update(ids=list(ids), metadatas=list(metas))
        self._row_cache.clear()  # kept rows' metadata changed
        return results

    @staticmethod
    def _row_metadata(
        passage: Passage, path: str, ingest_key: str, doc_rows: int, tokens: list[str], analysis: str
    ) -> dict[str, Any]:
        return {
            **passage.metadata(),
            "path": path,
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ingest_key": ingest_key,
            "doc_rows": doc_rows,
            "tokens": json.dumps(tokens, ensure_ascii=False),
            "units": analysis,
        }

    def remove_document(self, path: str) -> int:
        ids = self._collection.get(where={"path": path}, include=[])["ids"]
        if ids:
            self._collection.delete(ids=ids)
        self._units.delete(where={"path": path})
        self._row_cache.clear()
        return len(ids)

    def reset(self) -> None:
        """Drop every passage (``ingest --rebuild``), keeping the collection settings."""
        name = self.settings.collection
        self._client.delete_collection(name)
        with contextlib.suppress(Exception):  # a store from before unit vectors has none
            self._client.delete_collection(f"{name}_units")
        self.__init__(self.settings, self.embeddings, chroma_dir=self.chroma_dir)  # type: ignore[misc]


@dataclass
class EmbeddedRows:
    """Documents embedded and ready to write (``PassageStore.embed_rows`` to ``write_rows``):
    the ids each document had, and the new unit and passage rows."""

    docs: list[DocumentRows]
    old: dict[str, set[str]]
    unit_rows: list[tuple[str, list[float], dict[str, Any]]]
    passage_rows: list[tuple[str, list[float], str, dict[str, Any]]]


@dataclass
class DocumentRows:
    """What ``PassageStore.replace_documents`` writes for one document."""

    path: str
    ingest_key: str
    passages: list[Passage]
    unit_texts: list[list[str]]  # per passage, the texts embedded for its units
    tokens: list[list[str]]  # per passage, its BM25 tokens
    analyses: list[str]  # per passage, its units' analysis as stored (``ingest.units.Analysis``)


# metadata for the store's own readers: BM25 tokens, unit analysis, the document's row count
INTERNAL = ("tokens", "units", "doc_rows")


def _public(meta: dict[str, Any] | None) -> dict[str, Any]:
    """Metadata for callers: without the internal fields."""
    return {k: v for k, v in (meta or {}).items() if k not in INTERNAL}


def _analysis(meta: dict[str, Any] | None) -> str:
    return str((meta or {}).get("units") or "")


def _row(text: str, meta: dict[str, Any] | None) -> tuple[str, dict[str, Any], str]:
    """A passage row as the row cache keeps it: text, public metadata, stored analysis."""
    return text, _public(meta), _analysis(meta)


def _hit(pid: str, row: tuple[str, dict[str, Any], str]) -> Hit:
    """A new ``Hit`` of a row (its own copy of the metadata: callers may change it)."""
    text, meta, analysis = row
    return Hit(id=pid, text=text, metadata=dict(meta), score=0.0, analysis=analysis)
