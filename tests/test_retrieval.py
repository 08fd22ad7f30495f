"""Hybrid retrieval on the bundled corpus: Korean, English and cross-lingual questions."""

from __future__ import annotations

import pytest
from langchain_core.retrievers import BaseRetriever

from budgetqa.korean import search_tokens
from budgetqa.pipeline import Pipeline

# (question, a substring of the passage that answers it): it must be in the top 3
CASES = [
    ("How much goes to hardware and software in 2023?", "HW 및 SW 도입 840억원(193건)"),
    ("How much do the autonomous districts get in 2023?", "25개 자치구 1113억원(857건)"),
    ("서울시 2023년 정보화 예산 총액은?", "총 3703억 원"),
    ("자치구 정보화 예산은 얼마인가?", "1113억원(857건)"),
    ("투자출연기관에 배정된 금액과 사업 수는?", "439억원(152건)"),
    ("메타버스 서울 2단계 사업 예산은?", "28억원"),
    ("2022년 CCTV 예산은?", "379억"),
    ("2021년 CCTV 예산은?", "CCTV-related: 31.6 billion"),
    ("When was Metaverse Seoul launched?", "2023년 1월 16일"),
    ("How many Fintech Lab companies are on Metaverse Seoul?", "82개"),
    ("How many jobs will the 2022 IT spending create?", "3494개"),
    ("2021년 스마트시티 사업 예산은?", "126.3 billion won"),
    ("소프트웨어 개발 예산 2023", "S/W개발 236억원"),
    ("Which tourist attractions are in Metaverse Seoul?", "경복궁"),
    ("What are the core values of Metaverse Seoul?", "자유·동행·연결"),
    ("2022년 기관별 정보화 예산", "1753억 원(399건)"),
    ("How much for non-face-to-face services in 2021?", "11.7 billion won"),
]


@pytest.mark.parametrize(("question", "evidence"), CASES)
def test_right_passage_in_top_3(corpus_pipeline: Pipeline, question: str, evidence: str) -> None:
    hits = corpus_pipeline.search(question, k=3)
    assert any(evidence in h.text for h in hits), [h.text[:60] for h in hits]


def test_year_in_question_prefers_that_years_passage(corpus_pipeline: Pipeline) -> None:
    hits = corpus_pipeline.search("How much goes to hardware and software in 2023?", k=5)
    years = [h.metadata["doc_year"] for h in hits if "HW" in h.text]
    assert years and years[0] == 2023


def test_hits_carry_scores_and_metadata(corpus_pipeline: Pipeline) -> None:
    hits = corpus_pipeline.search("총 3703억 원", k=5)
    assert hits[0].source == "newspim_2023-01-25_seoul-it-budget.txt"
    assert hits[0].date == "2023-01-25" and hits[0].title
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert "3703억" in hits[0].text and hits[0].lexical and hits[0].dense


def test_is_a_langchain_retriever(corpus_pipeline: Pipeline) -> None:
    retriever = corpus_pipeline.retriever
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("자치구 정보화 예산")
    assert len(docs) == corpus_pipeline.settings.k
    assert {"source", "title", "date", "score"} <= set(docs[0].metadata)
    assert "tokens" not in docs[0].metadata


def test_where_filter_limits_to_a_document(corpus_pipeline: Pipeline) -> None:
    hits = corpus_pipeline.retriever.search("CCTV 예산", k=5, where={"doc_year": 2022})
    assert hits and {h.metadata["doc_year"] for h in hits} == {2022}


def test_kiwi_tokens_keep_amounts_with_units() -> None:
    assert "3703억" in search_tokens("3703억원을")
    assert "1431건" in search_tokens("1431건의 정보화사업")
    assert search_tokens("자치구 정보화 예산은?") == ["자치구", "정보", "예산"]
    assert "2023" not in search_tokens("2023년 예산", query=True)


def test_search_reads_only_the_rows_it_returns(corpus_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rankings are fused over ids; the store is read for the passages that make the top k,
    and a passage whose row is gone gives its place to the next one."""
    retriever, store = corpus_pipeline.retriever, corpus_pipeline.store
    scope = retriever.lexical.scope
    ids = scope.ids({2023}, None)
    assert ids and len(ids) > 5
    question = "2023년 서울시 정보화 예산 사업 수"
    before = retriever.search(question, k=5, where={"doc_year": 2023}, ids=ids)
    asked: list[str] = []
    real_get = store.get
    monkeypatch.setattr(store, "get", lambda wanted: asked.extend(wanted) or real_get(wanted))
    store._row_cache.clear()
    hits = retriever.search(question, k=5, where={"doc_year": 2023}, ids=ids)
    assert [h.id for h in hits] == [h.id for h in before]
    assert [(h.score, h.dense, h.lexical, h.ranks) for h in hits] == [(h.score, h.dense, h.lexical, h.ranks) for h in before]
    assert set(asked) == {h.id for h in hits}  # no other candidate was read
    assert all(h.text and h.metadata.get("doc_year") for h in hits)
    assert any(h.ranks.get("year") for h in hits)  # years come from the scope table

    gone = hits[0].id
    monkeypatch.setattr(store, "get", lambda wanted: {i: h for i, h in real_get(wanted).items() if i != gone})
    after = retriever.search(question, k=5, where={"doc_year": 2023}, ids=ids)
    assert [h.id for h in after] == [h.id for h in before[1:]] + [after[-1].id]
    assert len(after) == 5 and gone not in {h.id for h in after}
