"""Shared fixtures: real Chroma in temp dirs, the real packaged embedder, the bundled corpus."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from budgetqa.pipeline import Pipeline
from budgetqa.settings import BUNDLED_CORPUS, Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own settings never leak into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("BUDGETQA_") or key in ("CHROMA_HOST", "CHROMA_PORT"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session", autouse=True)
def _kiwi_in_process() -> None:
    """Kiwi loaded in the test process first, so that the app and CLI commands that would build
    it in a child process (``korean.kiwi_in_child``) use it here in every test order;
    ``test_kiwi_child`` starts its children itself."""
    from budgetqa import korean

    korean.kiwi()


def make_settings(data_dir: Path, **changes: object) -> Settings:
    return Settings.load(env={}, data_dir=data_dir, **changes)


def free_port() -> int:
    """A loopback TCP port nobody listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers_200(url: str, seconds: float) -> bool:
    """Whether ``url`` answers 200 within ``seconds`` (polled: a server that is starting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.5)
    return False


@pytest.fixture(scope="session")
def corpus_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """One store with the whole bundled corpus, shared by read-only tests."""
    data = tmp_path_factory.mktemp("corpus-store")
    pipeline = Pipeline.open(make_settings(data))
    report = pipeline.ingest(progress=False)
    assert report.errors == [], report.errors
    assert report.ingested == 5
    return pipeline


@pytest.fixture()
def corpus_store_copy(corpus_pipeline: Pipeline, tmp_path: Path) -> Path:
    """A writable copy of the session's corpus store (its data dir): no ingest to wait for."""
    target = tmp_path / "corpus-data"
    shutil.copytree(corpus_pipeline.settings.data_dir, target)
    return target


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "docs"
    shutil.copytree(BUNDLED_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def all_passages(corpus_pipeline: Pipeline) -> list[dict]:
    store = corpus_pipeline.store
    hits = store.get(store.ids())
    return [{"text": h.text, **h.metadata} for h in hits.values()]
