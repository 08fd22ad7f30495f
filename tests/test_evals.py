"""Eval runner: the file format, scoring rules, reports, the CLI, and the committed baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from answer.chain import QAChain
from budgetqa.cli import main
from budgetqa.pipeline import Pipeline
from evals.report_html import render_html
from evals.runner import EvalFileError, compare, load_eval_set, run_eval
from evals.scoring import expected_met, fact_matches, forbidden_found

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "evals" / "sets" / "core.jsonl"


@pytest.mark.parametrize(
    ("fact", "answer", "matches"),
    [
        ("3703억", "총 3,703억원을 투입", True),
        ("3703억", "370.3 billion won [1]", True),
        ("3703억", "₩370.3bn", True),
        ("303억", "총 3703억 원", False),
        ("7%", "7 percent", True),
        ("1431건", "1,431 projects", True),
        ("1431", "1432 projects", False),
        ("Invest Seoul", "invest seoul", True),
    ],
)
def test_fact_matching_rules(fact: str, answer: str, matches: bool) -> None:
    assert fact_matches(fact, answer) is matches


def test_alternatives_and_forbidden() -> None:
    assert expected_met([["2023-01-25", "January 25, 2023"]], "on January 25, 2023") == []
    assert expected_met(["3703억", "1431건"], "3703억 원") == ["1431건"]
    assert forbidden_found(["303억"], "370.3 billion won") == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"id": "a", "lang": "ko", "question": "q"}', "missing field 'answerable'"),
        ('{"id": "a", "lang": "fr", "question": "q", "answerable": true}', "lang must be"),
        (
            '{"id": "a", "lang": "ko", "question": "q", "answerable": "yes"}',
            "'answerable' must be true or false",
        ),
        (
            '{"id": "a", "lang": "ko", "question": "q", "answerable": true, "tags": "x"}',
            "'tags' must be a list",
        ),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_broken_eval_files_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "ok", "lang": "ko", "question": "q", "answerable": false}'
    path = tmp_path / "set.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError) as err:
        load_eval_set(path)
    assert f"{path}:2:" in str(err.value) and message in str(err.value)


def test_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    case = '{"id": "a", "lang": "ko", "question": "q", "answerable": false}'
    path.write_text(f"{case}\n{case}\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match="duplicate id"):
        load_eval_set(path)
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match="no cases"):
        load_eval_set(tmp_path / "empty.jsonl")


def test_report_format_and_html(corpus_pipeline: Pipeline, tmp_path: Path) -> None:
    cases = load_eval_set(CORE)[:6]
    report = run_eval(QAChain(corpus_pipeline), cases, eval_set="core", progress=False)
    assert set(report) == {"eval_set", "config", "summary", "items"}
    assert {"embedding_model", "llm", "k"} <= set(report["config"])
    assert report["config"]["backend"] == "none" and report["config"]["model"] == ""  # BUDGETQA_LLM=none
    assert "llm" not in report["summary"] and {i["llm"] for i in report["items"]} == {"none"}
    item = report["items"][0]
    assert {
        "id",
        "question",
        "answer",
        "abstained",
        "retrieved",
        "citations",
        "passed",
        "failures",
        "latency_ms",
    } <= set(item)
    assert {"text", "source", "score"} <= set(item["retrieved"][0])
    assert {"p50", "p95"} <= set(report["summary"]["latency_ms"]) and report["summary"]["by_tag"]
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>") and "Summary by tag" in html
    assert "<script" not in html.lower()


def test_compare_reports() -> None:
    old = {"items": [{"id": "a", "passed": True}, {"id": "b", "passed": False}]}
    new = {"items": [{"id": "a", "passed": False}, {"id": "b", "passed": True}, {"id": "c", "passed": True}]}
    assert compare(old, new) == {"pass_to_fail": ["a"], "fail_to_pass": ["b"], "new": ["c"], "gone": []}


def test_cli_eval_exit_codes(
    tmp_path: Path, corpus_store_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(corpus_store_copy)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    assert main(["--data-dir", data, "eval", str(bad)]) == 2
    assert "bad.jsonl:1: missing field 'lang'" in capsys.readouterr().err
    failing = tmp_path / "failing.jsonl"
    failing.write_text(
        json.dumps(
            {
                "id": "x",
                "lang": "en",
                "question": "What is the total IT budget for 2023?",
                "expected_facts": ["1 trillion won"],
                "answerable": True,
            }
        )
        + "\n"
    )
    out = tmp_path / "r.json"
    assert (
        main(
            ["--data-dir", data, "eval", str(failing), "--out", str(out), "--html", str(tmp_path / "r.html")]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["items"][0]["passed"] is False and "missing facts" in report["items"][0]["failures"][0]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


BASELINE = json.loads((ROOT / "evals" / "baseline.json").read_text())


def test_core_set_has_the_kinds_of_question_it_claims() -> None:
    cases = load_eval_set(CORE)
    assert len(cases) >= 80
    tags = {t for c in cases for t in c.get("tags", [])}
    kinds = {
        "numeric",
        "list",
        "entity",
        "metadata",
        "followup",
        "computed",
        "paraphrase",
        "year-trap",
        "unanswerable",
    }
    assert kinds <= tags
    assert sum(not c["answerable"] for c in cases) >= 12


@pytest.fixture(scope="module")
def store_with(corpus_pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store of the bundled corpus plus the given document folders, built once per folder list
    (from a copy of the session's corpus store, so the corpus is not embedded again)."""
    import shutil

    from tests.conftest import make_settings

    built: dict[tuple[str, ...], Pipeline] = {}

    def get(folders: list[str]) -> Pipeline:
        key = tuple(folders)
        if key not in built:
            data = tmp_path_factory.mktemp("eval-store") / "data"
            shutil.copytree(corpus_pipeline.settings.data_dir, data)
            pipeline = Pipeline.open(make_settings(data))
            pipeline.ingest([ROOT / f for f in folders], progress=False)
            built[key] = pipeline
        return built[key]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("eval_set", sorted(BASELINE["sets"]))
def test_eval_sets_hold_their_baselines(
    eval_set: str, request: pytest.FixtureRequest, store_with: Any
) -> None:
    """Each eval set, run for real on its store; scores must not fall below evals/baseline.json."""
    floors = BASELINE["sets"][eval_set]
    pipeline = store_with(floors["docs"]) if floors["docs"] else request.getfixturevalue("corpus_pipeline")
    cases = load_eval_set(ROOT / eval_set)
    summary = run_eval(QAChain(pipeline), cases, eval_set=eval_set, progress=False)["summary"]
    for name, floor in floors["min"].items():
        assert summary[name] >= floor, (name, summary[name], floor)
    for name, ceiling in floors["max"].items():
        assert summary[name] <= ceiling, (name, summary[name], ceiling)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "lang": "ko", "question": "  ", "answerable": true}', "question is empty"),
        (
            '{"id": "a", "lang": "ko", "question": "q", "answerable": true, "evidence": [1]}',
            "'evidence' must be a string",
        ),
        (
            '{"id": "a", "lang": "ko", "question": "q", "answerable": true, "tags": [3]}',
            "'tags' must be a string",
        ),
        (
            '{"id": "a", "lang": "ko", "question": "q", "answerable": true, "expected_facts": [{"x": 1}]}',
            "expected_facts",
        ),
    ],
)
def test_eval_items_are_type_checked(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=message):
        load_eval_set(path)
