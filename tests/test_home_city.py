"""BUDGETQA_HOME_CITY: in a store of many cities, a question that names none is about the home
city (then documents about no city), never answered from another city's figures."""

from __future__ import annotations

from pathlib import Path

from answer.chain import QAChain
from budgetqa.pipeline import Pipeline
from evals.lookalike import generate, write
from tests.conftest import make_settings

QUESTION = "2023년 정보화 예산 총액은 얼마인가요?"  # names no city


def test_a_question_naming_no_city_is_about_the_home_city(corpus_store_copy: Path, tmp_path: Path) -> None:
    # other cities' 2023 informatization budgets
    others = [d for d in generate(200, seed=3) if d.year == 2023 and "정보화 사업" in d.text][:3]
    assert len(others) == 3
    folder, _ = write(others, tmp_path / "lookalike")
    Pipeline.open(make_settings(corpus_store_copy)).ingest([folder], progress=False)
    home = QAChain(Pipeline.open(make_settings(corpus_store_copy, home_city="Seoul")))
    answer = home.ask(QUESTION)
    assert not answer.abstained and "3703억" in answer.answer
    assert all(
        "lookalike" not in str(c.source) and c.source.startswith(("newspim", "seoul"))
        for c in answer.citations
    )
    # what the home city's documents do not say is not taken from another city's
    unanswered = home.ask("2023년 정보화 사업 중 신규 사업은 몇 건인가요?")
    assert unanswered.abstained or all(
        c.source.startswith(("newspim", "seoul", "metaverse")) for c in unanswered.citations
    )
    # a question that names a city is still answered for that city
    other = others[0]
    named = home.ask(f"{other.city} {other.year}년 정보화 사업 예산 총액은?")
    assert named.citations and all(c.source == other.name for c in named.citations)
