"""The scope table answers "which passages are about these years and cities" from memory: it
must select exactly what the Chroma metadata filter selects, and give the same facets. Beside
it, the unit vectors file and the exact search of a narrow scope must give what Chroma gives."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from answer.chain import scope_filter
from budgetqa.pipeline import Pipeline
from store import generations, unitvectors
from store.chroma import EXACT_SCOPE
from store.scope import FILE
from tests.conftest import make_settings


def test_the_scope_table_selects_what_the_chroma_filter_selects(corpus_pipeline: Pipeline) -> None:
    store = corpus_pipeline.store
    scope = corpus_pipeline.retriever.lexical.scope
    years = [set(), {2021}, {2022}, {2023}, {2022, 2023}, {2030}]
    cities = [set(), {"서울"}, {"부산"}, {""}, {"서울", ""}]
    compared = 0
    for y, c in itertools.product(years, cities):
        where = scope_filter(y, c)
        chosen = scope.ids(y, c)
        if where is None:
            assert chosen is None
            continue
        assert chosen == set(store.ids(where=where)), (y, c)
        compared += 1
    assert compared == len(years) * len(cities) - 1
    assert 0 < len(scope.ids({2023}, {"서울"}) or ()) < store.count()
    # the sets are kept per scope: asked again (and past the cache's size), the same passages
    from store.scope import SCOPES

    for n in range(SCOPES + 5):
        scope.ids({1900 + n}, None)
    for y, c in itertools.product(years, cities):
        if scope_filter(y, c) is not None:
            assert scope.ids(y, c) == set(store.ids(where=scope_filter(y, c))), (y, c)
    assert len(scope._ids) <= SCOPES


def test_the_facets_come_from_the_scope_table(corpus_pipeline: Pipeline) -> None:
    facets = corpus_pipeline.facets()
    assert {2021, 2022, 2023} <= facets["doc_years"] <= facets["years"]
    assert "서울" in facets["cities"]
    assert facets["city_years"]["서울"] >= {2021, 2022, 2023}


def test_an_index_saved_before_the_scope_table_is_rebuilt_quietly(
    corpus_store_copy: Path, capsys: object
) -> None:
    folder = generations.current(corpus_store_copy).lexical_dir
    (folder / FILE).unlink()
    pipeline = Pipeline.open(make_settings(corpus_store_copy))
    try:
        assert (folder / FILE).exists()
        assert pipeline.facets()["doc_years"] >= {2021, 2022, 2023}
        assert "warning" not in capsys.readouterr().err  # type: ignore[attr-defined]
    finally:
        pipeline.close()


def test_unit_vectors_are_read_from_the_file_beside_the_index(corpus_pipeline: Pipeline) -> None:
    """The file holds exactly what the units collection holds, passage by passage, so that a
    question never loads the collection's vector segment."""
    lexical = corpus_pipeline.retriever.lexical
    ids = lexical.ids
    assert lexical.units is not None and len(ids) == 50
    from_file = lexical.unit_vectors(ids)
    from_chroma = corpus_pipeline.store.unit_vectors(ids)
    assert set(from_file) == set(from_chroma) == set(ids)
    for pid in ids:
        assert from_file[pid].shape[0] >= 1
        assert np.array_equal(from_file[pid], from_chroma[pid]), pid
    assert corpus_pipeline.unit_vectors(ids[:3]).keys() == set(ids[:3])


def test_an_index_without_unit_vectors_or_with_others_is_rebuilt_quietly(
    corpus_store_copy: Path, capsys: object
) -> None:
    folder = generations.current(corpus_store_copy).lexical_dir
    (folder / unitvectors.VECTORS).unlink()
    (folder / unitvectors.INDEX).unlink()
    pipeline = Pipeline.open(make_settings(corpus_store_copy))
    try:
        assert pipeline.retriever.lexical.units is not None and (folder / unitvectors.VECTORS).exists()
    finally:
        pipeline.close()
    np.savez(
        folder / unitvectors.INDEX, offsets=np.zeros(51, dtype=np.int64), stamp=np.array("another store")
    )
    pipeline = Pipeline.open(make_settings(corpus_store_copy))
    try:
        ids = pipeline.retriever.lexical.ids
        assert len(pipeline.retriever.lexical.unit_vectors(ids)) == len(ids)
        assert "warning" not in capsys.readouterr().err  # type: ignore[attr-defined]
    finally:
        pipeline.close()


def test_a_narrow_scope_is_ranked_exactly_as_chroma_ranks_it(corpus_pipeline: Pipeline) -> None:
    """A scope of up to EXACT_SCOPE passages is ranked here over its vectors; the order and
    the similarities are Chroma's own."""
    store = corpus_pipeline.store
    scope = corpus_pipeline.retriever.lexical.scope.ids({2023}, {"서울"})
    assert scope and len(scope) <= EXACT_SCOPE
    for question in ("2023년 정보화 예산은?", "How many projects in 2023?"):
        vector = store.embeddings.embed_query(question)
        mine = store.exact_ranking(vector, 8, scope)
        found = store._langchain.similarity_search_by_vector_with_relevance_scores(
            vector, k=8, ids=sorted(scope)
        )
        assert [pid for pid, _ in mine] == [str(doc.id) for doc, _ in found]
        rows = store.get([pid for pid, _ in mine])
        for (pid, cosine), (_, distance) in zip(mine, found, strict=True):
            assert cosine == pytest.approx(1.0 - distance, abs=1e-5)
            assert rows[pid].text and rows[pid].metadata.get("path")
    assert store.dense_ranking("예산", 5, ids=set()) == []


def test_a_scope_ranked_again_is_ranked_from_its_kept_vectors_the_same(corpus_pipeline: Pipeline) -> None:
    """The stacked vectors of a scope are kept: a second question on it reads nothing from
    Chroma and gets the ranking a fresh store gives."""
    store = corpus_pipeline.store
    scope = corpus_pipeline.retriever.lexical.scope.ids({2023}, {"서울"})
    assert scope
    first = store.embeddings.embed_query("2023년 정보화 예산은?")
    second = store.embeddings.embed_query("How many projects in 2023?")
    expected = store.exact_ranking(second, 8, scope)
    store.exact_ranking(first, 8, scope)
    assert store._scope_matrices.found([frozenset(scope)])

    def no_reads(*args: object, **kwargs: object) -> None:
        raise AssertionError("read from Chroma")

    collection = store._collection
    try:
        store._collection = type("NoReads", (), {"get": no_reads})()
        assert store.exact_ranking(second, 8, set(scope)) == expected  # an equal set finds it too
    finally:
        store._collection = collection


def test_a_scope_with_a_passage_lacking_its_vector_is_not_kept(corpus_pipeline: Pipeline) -> None:
    store = corpus_pipeline.store
    scope = set(sorted(corpus_pipeline.retriever.lexical.scope.ids({2023}, {"서울"}) or ())[:5])
    scope.add("no-such-passage")
    vector = store.embeddings.embed_query("2023년 정보화 예산은?")
    ranked = store.exact_ranking(vector, 10, scope)
    assert len(ranked) == 5 and "no-such-passage" not in dict(ranked)
    assert not store._scope_matrices.found([frozenset(scope)])


def test_term_counts_by_city_are_those_of_the_citys_passages() -> None:
    from store.lexical import LexicalIndex
    from store.scope import ScopeTable

    ids = [f"p{i}" for i in range(100)]
    cities = ["부산" if i < 40 else "대구" for i in range(100)]
    tokens = [
        ["예산", "부산항"] if c == "부산" else ["예산"] + (["도시철도"] if i % 2 else [])
        for i, c in enumerate(cities)
    ]
    index = LexicalIndex(
        ids, tokens, ScopeTable((pid, 2024, c, [], []) for pid, c in zip(ids, cities, strict=True))
    )
    for _ in range(2):  # the second time from the kept mask
        df, n = index.counts_in_cities({"부산"})
        assert (n, df("예산"), df("부산항"), df("도시철도"), df("없는말")) == (40, 40, 40, 0, 0)
        assert index.counts_in_cities({"부산"})[1] == index.counts_in(index.scope.ids(None, {"부산"}))[1]
    df, n = index.counts_in_cities({"대구"})
    assert (n, df("예산"), df("도시철도"), df("부산항")) == (60, 60, 30, 0)
    df, n = index.counts_in_cities({"부산", "대구"})  # every passage: the whole store's counts
    assert (n, df("예산"), df("부산항")) == (100, 100, 40)


def test_the_passage_count_comes_from_the_index_and_matches_chroma(corpus_pipeline: Pipeline) -> None:
    assert corpus_pipeline.passages() == corpus_pipeline.store.count() > 0


def test_an_empty_store_is_told_from_its_index(tmp_path: Path) -> None:
    from answer.chain import QAChain

    pipeline = Pipeline.open(make_settings(tmp_path))
    try:
        assert pipeline.passages() == 0
        answer = QAChain(pipeline).ask("2023년 예산은?")
        assert answer.abstained and answer.reason == "empty store" and not answer.retrieved
    finally:
        pipeline.close()
