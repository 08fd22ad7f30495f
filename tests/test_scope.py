"""The scope table answers "which passages are about these years and cities" from memory: it
must select exactly what the Chroma metadata filter selects, and give the same facets."""

from __future__ import annotations

import itertools
from pathlib import Path

from answer.chain import scope_filter
from budgetqa.pipeline import Pipeline
from store import generations
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
