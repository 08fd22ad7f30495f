"""Per-answer traces: written for every answer, found by id, rotated by size, joined with
feedback into an eval-set draft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from answer.chain import QAChain
from answer.trace import TraceLog, find_trace, question_hash, read_traces
from budgetqa.cli import main
from budgetqa.pipeline import Pipeline
from evals.runner import load_eval_set
from web.feedback import save_feedback


@pytest.fixture()
def chain(corpus_pipeline: Pipeline, tmp_path: Path) -> QAChain:
    chain = QAChain(corpus_pipeline)
    chain.traces = TraceLog(tmp_path / "data" / "traces.jsonl")
    return chain


def test_every_answer_has_a_trace(chain: QAChain) -> None:
    question = "2023년 서울시 정보화 사업은 몇 건이야?"
    answer = chain.ask(question)
    assert len(answer.trace_id) == 16 and answer.to_dict()["trace_id"] == answer.trace_id
    trace = find_trace(chain.traces.path, answer.trace_id)
    assert trace is not None
    assert trace["question_sha256"] == question_hash(question) and question not in json.dumps(
        trace, ensure_ascii=False
    ).replace(trace["standalone_question"], "")
    assert set(trace["timings_ms"]) == {"validate", "condense", "retrieve_answer", "verify"}
    assert trace["retrieved"] and {"id", "source", "score"} <= set(trace["retrieved"][0])
    assert trace["units"] and {"unit", "p", "why"} <= set(trace["units"][0])
    assert trace["cited"] == [c.id for c in answer.citations]
    assert trace["backend"] == "extractive" and trace["generation"]
    abstained = chain.ask("2023년 서울시 우주항공 예산은?")
    assert find_trace(chain.traces.path, abstained.trace_id)["reason"] == abstained.reason


def test_traces_rotate_and_stay_findable(tmp_path: Path) -> None:
    log = TraceLog(tmp_path / "traces.jsonl", max_bytes=2000, keep=2)
    for n in range(60):
        log.write({"trace_id": f"{n:016x}", "pad": "x" * 100})
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["traces.jsonl", "traces.jsonl.1", "traces.jsonl.2"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    assert find_trace(tmp_path / "traces.jsonl", f"{59:016x}") is not None
    assert find_trace(tmp_path / "traces.jsonl", f"{0:016x}") is None  # rotated out
    kept = list(read_traces(tmp_path / "traces.jsonl"))
    assert 20 < len(kept) < 60


def test_an_unwritable_trace_log_does_not_stop_answers(
    corpus_pipeline: Pipeline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    chain = QAChain(corpus_pipeline)
    chain.traces = TraceLog(blocker / "traces.jsonl")
    assert chain.ask("2023년 서울시 정보화 예산은?").answer
    assert chain.ask("2023년 서울시 정보화 사업은 몇 건이야?").answer
    warnings = [line for line in capsys.readouterr().err.splitlines() if "cannot write traces" in line]
    assert len(warnings) == 1


def test_feedback_export_joins_traces_into_an_eval_draft(
    chain: QAChain, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    good = chain.ask("2023년 서울시 정보화 사업은 몇 건이야?").to_dict()
    bad = chain.ask("What is the total IT budget for 2023?").to_dict()
    save_feedback(data / "feedback.jsonl", good["question"], good, "up")
    save_feedback(data / "feedback.jsonl", bad["question"], bad, "down")
    with (data / "feedback.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"torn line\n')  # a crash mid-write loses only that line
    out_path = tmp_path / "draft.jsonl"
    assert main(["--data-dir", str(data), "feedback", "export", "--out", str(out_path)]) == 0
    assert "2 feedback record(s), 2 with their trace" in capsys.readouterr().out
    cases = load_eval_set(out_path)  # a draft is a valid eval file
    assert [c["tags"] for c in cases] == [["feedback", "vote-up"], ["feedback", "vote-down"]]
    assert cases[0]["review"]["trace"]["trace_id"] == good["trace_id"]
    assert cases[1]["lang"] == "en" and cases[1]["expected_facts"] == []
    assert main(["--data-dir", str(data), "trace", good["trace_id"]]) == 0
    assert json.loads(capsys.readouterr().out)["trace_id"] == good["trace_id"]
    assert main(["--data-dir", str(data), "trace", "0000"]) == 2
