"""The pipeline, built once per process: embeddings -> store -> lexical index -> retriever.

The CLI, the app and the tests all go through ``Pipeline.open(settings)``; nothing is loaded at
import time. A pipeline serves one store generation (``store.generations``): ``ingest`` writes
a new one and switches to it, and ``current()`` gives a pipeline on the generation that another
process (``budgetqa ingest`` while the app runs) made current.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from budgetqa.errors import BudgetQAError
from budgetqa.settings import Settings
from budgetqa.types import Hit
from ingest.pipeline import IngestReport, ingest_paths
from retrieve.hybrid import HybridRetriever
from store import generations
from store.chroma import PassageStore
from store.embeddings import load_embeddings
from store.lexical import build as build_lexical
from store.lexical import load_or_build

T = TypeVar("T")
SERVER_CHECK_S = 1.0  # against a Chroma server the generation is read at most this often


@dataclass
class Pipeline:
    settings: Settings
    store: PassageStore
    retriever: HybridRetriever
    stamp: str = ""  # what ``store.generations.stamp`` (or the server's counter) said when opened
    timings: dict[str, float] = field(default_factory=dict)
    _rebuild: generations.Writer | None = None
    _checked: float = 0.0

    @classmethod
    def open(cls, settings: Settings, rebuild: bool = False) -> Pipeline:
        """Load the embedder and open the current store generation. With ``rebuild`` the
        pipeline starts on a new, empty generation (which is also how a store built with another
        embedding model, or a corrupt one, is replaced): the next ``ingest`` fills it and makes
        it current, and until then readers keep the old one."""
        t0 = time.perf_counter()
        embeddings = load_embeddings(
            settings.embedding, settings.embed_threads, settings.embedding_url, settings.embedding_api_key
        )
        t1 = time.perf_counter()
        if rebuild and not settings.chroma_host:
            writer = generations.Writer(settings.data_dir, empty=True)
            gen = writer.__enter__()
            store = PassageStore(settings, embeddings, check_model=False, chroma_dir=gen.chroma_dir)
            pipeline = cls._on(settings, store, gen.lexical_dir, "")
            pipeline._rebuild = writer
        else:
            pipeline = cls._open_current(settings, embeddings, check_model=not rebuild)
            if rebuild:
                pipeline.store.reset()
                pipeline.retriever.refresh(build_lexical(settings.lexical_dir, pipeline.store))
        pipeline.timings = {"embedding_load_s": t1 - t0, "store_open_s": time.perf_counter() - t1}
        return pipeline

    @classmethod
    def _open_current(cls, settings: Settings, embeddings: Any, check_model: bool = True) -> Pipeline:
        if settings.chroma_host:
            store = PassageStore(settings, embeddings, check_model=check_model)
            return cls._on(settings, store, settings.lexical_dir, store.server_generation())
        stamp = generations.stamp(settings.data_dir)  # read first: a later change is seen next time
        gen = generations.current(settings.data_dir)
        store = PassageStore(settings, embeddings, check_model=check_model, chroma_dir=gen.chroma_dir)
        return cls._on(settings, store, gen.lexical_dir, stamp)

    @classmethod
    def _on(cls, settings: Settings, store: PassageStore, lexical_dir: Path, stamp: str) -> Pipeline:
        try:
            lexical = load_or_build(lexical_dir, store)
        except Exception:
            store.close()
            raise
        retriever = HybridRetriever(store=store, lexical=lexical, k=settings.k)
        return cls(settings, store, retriever, stamp=stamp, _checked=time.monotonic())

    # -- following other writers ----------------------------------------------------------------
    def changed(self) -> bool:
        """Whether another writer made a new store generation current since this one opened."""
        if self._rebuild is not None:
            return False
        if self.settings.chroma_host:
            if time.monotonic() - self._checked < SERVER_CHECK_S:
                return False
            self._checked = time.monotonic()
            return self.store.server_generation() != self.stamp
        return generations.stamp(self.settings.data_dir) != self.stamp

    def current(self) -> Pipeline:
        """This pipeline, or a new one on the generation that replaced its own."""
        return self.reopened() if self.changed() else self

    def reopened(self) -> Pipeline:
        """A new pipeline on the current store generation, sharing this one's loaded embedder."""
        return self._open_current(self.settings, self.store.embeddings)

    def close(self) -> None:
        self.store.close()

    def passages(self) -> int:
        """How many passages the generation this pipeline serves holds: from its BM25 index
        (Chroma's count reads the whole collection: 15 ms at 100k passages)."""
        return self.retriever.lexical.n_docs

    def facets(self) -> dict[str, set]:
        """What questions can be scoped to (years, cities): from the scope table of the
        generation this pipeline serves."""
        return self.retriever.lexical.scope.facets()

    # -- writing --------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path] | None = None, progress: bool = True) -> IngestReport:
        """Ingest files and folders into a new store generation and switch to it. Nothing
        changes for readers until the whole ingest is in; an ingest that changes nothing leaves
        the current generation as it is."""
        paths = list(paths or [self.settings.corpus_dir])

        def work(store: PassageStore) -> tuple[IngestReport, bool]:
            report = ingest_paths(store, paths, progress=progress)
            return report, bool(report.ingested or report.removed)

        return self._write(work)

    def remove(self, source: str) -> int:
        """Remove the documents whose file name or path is ``source`` (a new generation, as for
        an ingest); returns how many passages went."""
        docs = self.store.documents()
        paths = [p for p, d in docs.items() if source in (p, d.get("source"))]
        if not paths:
            known = ", ".join(sorted(str(d.get("source")) for d in docs.values())) or "none"
            raise BudgetQAError(f"no document {source!r} in the store (documents: {known})")

        def work(store: PassageStore) -> tuple[int, bool]:
            removed = sum(store.remove_document(p) for p in paths)
            return removed, True

        return self._write(work)

    def _write(self, work: Callable[[PassageStore], tuple[T, bool]]) -> T:
        """Run ``work`` on a new store generation (a copy of the current one; the empty one of a
        rebuild) and make it current when ``work`` says it changed something."""
        if self.settings.chroma_host:  # a server has no generations: write in place, bump the counter
            result, changed = work(self.store)
            if changed:
                self.store.bump_generation()
            self.stamp = self.store.server_generation()
            self.retriever.refresh(build_lexical(self.settings.lexical_dir, self.store))
            return result
        writer, self._rebuild = self._rebuild, None
        if writer is None:
            writer = generations.Writer(self.settings.data_dir)
            writer.__enter__()
        try:
            gen = writer.generation
            assert gen is not None
            store = self.store if self.store.chroma_dir == gen.chroma_dir else None
            store = store or PassageStore(self.settings, self.store.embeddings, chroma_dir=gen.chroma_dir)
            try:
                result, changed = work(store)
                changed = changed or writer.empty
                if changed:
                    build_lexical(gen.lexical_dir, store)
                    store.close()  # everything on disk before the switch
                    writer.commit()
            finally:
                store.close()
        finally:
            writer.__exit__(None, None, None)
        if changed:
            self._switch(self.reopened())
        return result

    def _switch(self, other: Pipeline) -> None:
        old = self.store
        self.store, self.retriever, self.stamp = other.store, other.retriever, other.stamp
        if old is not self.store:
            old.close()

    def unit_vectors(self, passage_ids: list[str]) -> dict[str, Any]:
        """The unit vectors of each passage: from the file beside the BM25 index, else (a
        passage it lacks, or a read-only folder) from the store's units collection."""
        found = self.retriever.lexical.unit_vectors(passage_ids)
        missing = [pid for pid in passage_ids if pid not in found]
        return {**found, **self.store.unit_vectors(missing)} if missing else found

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, k=k)
