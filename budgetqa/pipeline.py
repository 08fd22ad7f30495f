"""The pipeline, built once per process: embeddings -> store -> lexical index -> retriever.

The CLI, the app and the tests all go through ``Pipeline.open(settings)``; nothing is loaded at
import time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from budgetqa.settings import Settings
from budgetqa.types import Hit
from ingest.pipeline import IngestReport, ingest_paths
from retrieve.hybrid import HybridRetriever
from store.chroma import PassageStore
from store.embeddings import load_embeddings
from store.lexical import build as build_lexical
from store.lexical import load_or_build


@dataclass
class Pipeline:
    settings: Settings
    store: PassageStore
    retriever: HybridRetriever
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings, rebuild: bool = False) -> Pipeline:
        """Load the embedder and open the store. ``rebuild`` empties the store first, which is
        also how a store built with another embedding model is replaced."""
        t0 = time.perf_counter()
        embeddings = load_embeddings(settings.embedding, settings.embed_threads)
        t1 = time.perf_counter()
        store = PassageStore(settings, embeddings, check_model=not rebuild)
        if rebuild:
            store.reset()
        lexical = load_or_build(settings.lexical_dir, store)
        t2 = time.perf_counter()
        retriever = HybridRetriever(store=store, lexical=lexical, k=settings.k)
        return cls(settings, store, retriever, {"embedding_load_s": t1 - t0, "store_open_s": t2 - t1})

    def ingest(self, paths: Iterable[Path] | None = None, progress: bool = True) -> IngestReport:
        report = ingest_paths(self.store, list(paths or [self.settings.corpus_dir]), progress=progress)
        self._refresh_lexical()
        return report

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        return self.retriever.search(query, k=k)

    def _refresh_lexical(self) -> None:
        self.retriever.refresh(build_lexical(self.settings.lexical_dir, self.store))
