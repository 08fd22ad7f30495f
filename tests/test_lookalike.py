"""The look-alike document generator (training data for the scorer, distractors for the scale
benchmark): deterministic, and every case's evidence and figures are in its document."""

from __future__ import annotations

from pathlib import Path

from evals.lookalike import amount_fact, eok, generate, write
from evals.runner import load_eval_set
from evals.scoring import fact_matches, normalize


def test_same_seed_same_documents_and_cases_point_into_them(tmp_path: Path) -> None:
    docs = generate(30, seed=7)
    assert [d.text for d in docs] == [d.text for d in generate(30, seed=7)]
    assert {d.lang for d in docs} == {"ko", "en"} and len({d.city for d in docs}) > 10
    folder, cases_file = write(docs, tmp_path)
    cases = load_eval_set(cases_file)  # the eval-set format: the loader accepts every case
    assert len(cases) == sum(len(d.cases) for d in docs) and len(list(folder.iterdir())) == 30
    for doc in docs:
        text = normalize(doc.text)
        for case in doc.cases:
            assert all(normalize(e) in text for e in case["evidence"]), case
            assert case["answerable"] == bool(case["expected_facts"])
            for fact in case["expected_facts"]:
                alternatives = fact if isinstance(fact, list) else [fact]
                # the table's writing and its value in 억 agree (a total's prose figure is rounded)
                assert fact_matches(alternatives[-2], alternatives[-1]) if len(alternatives) > 1 else True
    kinds = {t for d in docs for c in d.cases for t in c["tags"]}
    assert {"table", "followup", "prose", "unanswerable", "ko", "en"} <= kinds


def test_amounts_in_table_units_convert_exactly() -> None:
    assert eok(24887) == "248.87억"
    assert amount_fact(24887, "백만원", 1.0) == ["24,887백만원", "248.87억"]
    assert amount_fact(5600, "천원", 0.001) == ["5,600,000천원", "56억"]
    assert amount_fact(24900, "억원", 100.0) == ["249억원", "249억"]
    assert amount_fact(24887, "KRW million", 1.0) == ["24,887 million won", "248.87억"]
    assert fact_matches("24,887 million won", "248.87억 원")
