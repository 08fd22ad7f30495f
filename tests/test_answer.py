"""The answering chain on the bundled corpus: grounded, cited, scoped, abstaining."""

from __future__ import annotations

import pytest

from answer.chain import QAChain, QuestionError
from answer.extractive import ExtractiveAnswerer
from answer.scorer import Scorer
from budgetqa.pipeline import Pipeline


@pytest.fixture(scope="module")
def chain(corpus_pipeline: Pipeline) -> QAChain:
    return QAChain(corpus_pipeline)


@pytest.fixture(scope="module")
def ranked(corpus_pipeline: Pipeline) -> QAChain:
    """The chain answering with whatever the scorer ranks first (threshold 0.3 instead of the
    cross-validated one): for tests of scoping and composition, not of abstention."""
    return QAChain(corpus_pipeline, answerer=ExtractiveAnswerer(Scorer.load(threshold=0.3)))


def test_english_total_converts_units_and_keeps_the_original(chain: QAChain) -> None:
    answer = chain.ask("What is the total IT budget for 2023?")
    assert not answer.abstained and answer.lang == "en"
    assert "370.3 billion won" in answer.answer and "3703억 원" in answer.answer
    assert "[1]" in answer.answer
    assert "총 3703억 원을 투입" in answer.citations[0].text
    assert answer.citations[0].date == "2023-01-25" and answer.citations[0].source.startswith("newspim")


def test_korean_answer_quotes_the_figure_as_written(chain: QAChain) -> None:
    answer = chain.ask("2023년 서울시 정보화 예산은 총 얼마야?")
    assert answer.lang == "ko" and "3703억 원" in answer.answer and "근거:" in answer.answer


def test_other_year_abstains_with_related_passages(chain: QAChain) -> None:
    answer = chain.ask("서울시의 2024년 정보화 예산은?")
    assert answer.abstained
    assert answer.answer.startswith("문서에서 확인할 수 없습니다")
    assert answer.citations == [] and answer.related


@pytest.mark.parametrize(
    ("question", "wanted", "refused"),
    [
        ("2022년 CCTV 예산은?", "379억", "92억"),
        ("How much did Seoul allocate to CCTV in 2021?", "31.6 billion won", "379억"),
        ("2021년 정보화사업은 몇 건이었어?", "1,045", "1431"),
    ],
)
def test_year_scoping(ranked: QAChain, question: str, wanted: str, refused: str) -> None:
    answer = ranked.ask(question)
    assert wanted in answer.answer and refused not in answer.answer.split("\n")[0]


def test_no_year_means_the_latest_and_says_so(ranked: QAChain) -> None:
    answer = ranked.ask("서울시 정보화 예산은 얼마야?")
    assert "3703억" in answer.answer and "2023년 기준" in answer.answer


def test_counts_in_english(chain: QAChain) -> None:
    answer = chain.ask("How many IT projects does Seoul run in 2023?")
    assert "1,431 projects" in answer.answer


def test_list_question_returns_the_items(ranked: QAChain) -> None:
    answer = ranked.ask("메타버스 서울 1단계 서비스는 어떤 분야로 구성돼?")
    for item in ("경제", "교육", "세무", "행정", "소통"):
        assert item in answer.answer


def test_sum_shows_arithmetic_on_cited_figures(chain: QAChain) -> None:
    answer = chain.ask("2023년 자치구와 투자출연기관 예산을 합치면?")
    assert "1113억" in answer.answer and "439억" in answer.answer and "1552억 원" in answer.answer
    assert "=" in answer.answer and answer.citations


def test_share_is_computed_with_its_operands(chain: QAChain) -> None:
    answer = chain.ask("2023년 전체 정보화 예산에서 자치구 비중은 몇 %야?")
    assert "1113억" in answer.answer and "3703억" in answer.answer and "30.1%" in answer.answer


def test_metadata_answer_from_passage_metadata(chain: QAChain) -> None:
    answer = chain.ask("When was the Newspim article on Seoul's 2023 IT budget published?")
    assert "January 25, 2023" in answer.answer and "11:15" in answer.answer
    reporter = chain.ask("2023년 정보화 예산 기사를 쓴 기자는 누구야?")
    assert "조정한" in reporter.answer and reporter.citations


def test_follow_up_uses_history(chain: QAChain) -> None:
    history = [
        {"role": "user", "content": "메타버스 서울 2단계 사업 예산은 얼마야?"},
        {"role": "assistant", "content": "28억 원입니다 [1]."},
    ]
    answer = chain.ask("그럼 CCTV 쪽은?", history)
    assert "CCTV" in answer.standalone_question and "92억" in answer.answer


def test_unknown_city_and_boilerplate_abstain(chain: QAChain) -> None:
    busan = chain.ask("부산시의 2023년 정보화 예산은?")
    assert busan.abstained and "부산" in busan.answer
    for question in (
        "김주애는 누구와 함께 베이징에 갔어?",
        "Which stocks does the Newspim stock tracker expect to gain?",
        "How many CCTV cameras will Seoul install in 2023?",
    ):
        answer = chain.ask(question)
        assert answer.abstained, (question, answer.answer)
        assert "Lockheed" not in answer.answer and "김주애" not in answer.answer


@pytest.mark.parametrize(
    ("question", "history", "message"),
    [
        ("   ", None, "empty"),
        ("x" * 1001, None, "too long"),
        (42, None, "must be a string"),
        ("그럼 CCTV는?", "not a list", "history must be a list"),
        ("그럼 CCTV는?", [{"role": "system", "content": "x"}], r"history\[0\]"),
    ],
)
def test_bad_questions_are_refused_clearly(chain: QAChain, question, history, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        chain.ask(question, history)


def test_answer_serialises_like_the_api(chain: QAChain) -> None:
    data = chain.ask("How much goes to hardware and software in 2023?").to_dict()
    assert {"answer", "abstained", "lang", "citations", "latency_ms"} <= set(data)
    citation = data["citations"][0]
    assert {"n", "text", "source", "title", "date", "url"} <= set(citation)
    assert "840억" in data["answer"] and "84 billion won" in data["answer"]
