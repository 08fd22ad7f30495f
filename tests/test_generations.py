"""Store generations: a running app survives ingests by other processes, killed ingests and a
deleted data dir; derived data (the BM25 index) heals itself; a corrupt store is recoverable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from budgetqa.cli import main
from budgetqa.pipeline import Pipeline
from ingest.pipeline import ingest_paths
from store import PassageStore, generations, load_embeddings
from store.lexical import build as build_lexical
from tests.conftest import make_settings
from web.service import Service

ROOT = Path(__file__).resolve().parent.parent
NEWSPIM = "newspim_2023-01-25_seoul-it-budget.txt"
NEW_DOC = (
    "# 부산광역시 2025년 스마트도시 예산\n\n"
    "부산광역시는 2025년 스마트도시 조성 사업에 모두 412억 원을 투입한다고 밝혔다.\n"
    "이 가운데 스마트 교통 분야에 95억 원이 배정됐다.\n"
)
QUESTIONS = [
    "2023년 서울시 정보화 예산은?",
    "How many IT projects does Seoul run in 2023?",
    "메타버스 서울 2단계 예산은?",
    "부산 2025년 스마트도시 예산은?",
]


def cli(data: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "budgetqa.cli", "--data-dir", str(data), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def sources(answer) -> set[str]:
    return {h.source for h in [*answer.retrieved, *answer.related]} | {c.source for c in answer.citations}


@pytest.mark.slow
def test_ingest_while_the_app_answers_yields_no_error(tmp_path: Path, corpus_copy: Path) -> None:
    data = tmp_path / "data"
    service = Service(make_settings(data))
    service.start(background=False)  # first start: ingests the bundled corpus
    assert service.status == "ready", service.error
    before = service.health()
    assert before["ready"] and before["passages"] > 30
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "busan_2025.md").write_text(NEW_DOC, encoding="utf-8")

    errors: list[str] = []
    answered = 0
    stop = threading.Event()

    def ask_in_a_loop() -> None:
        nonlocal answered
        n = 0
        while not stop.is_set():
            try:
                service.ask(QUESTIONS[n % len(QUESTIONS)])
                answered += 1
            except Exception as exc:  # every failure counts, whatever its kind
                errors.append(f"{type(exc).__name__}: {exc}")
            n += 1

    asker = threading.Thread(target=ask_in_a_loop)
    asker.start()
    try:
        writer = cli(data, "ingest", str(ROOT / "corpus"), str(extra))
        _out, err = writer.communicate(timeout=240)
        assert writer.returncode == 0, err
        time.sleep(1.0)  # a few more questions on the new generation
    finally:
        stop.set()
        asker.join(timeout=60)
    assert errors == []
    assert answered > 5
    after = service.health()
    assert after["ready"] and after["generation"] != before["generation"]
    assert after["passages"] > before["passages"]
    assert "busan_2025.md" in sources(service.ask("부산 2025년 스마트도시 예산은?"))


@pytest.mark.slow
def test_a_killed_ingest_leaves_the_store_as_it_was(tmp_path: Path, corpus_copy: Path) -> None:
    data = tmp_path / "data"
    pipeline = Pipeline.open(make_settings(data))
    pipeline.ingest([corpus_copy / NEWSPIM], progress=False)
    count, pointer = pipeline.store.count(), (data / "CURRENT").read_text()
    writer = cli(data, "ingest", str(corpus_copy))
    deadline = time.monotonic() + 120
    while not list(data.glob("gen-2-*/chroma")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # half way through embedding the other files
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    assert (data / "CURRENT").read_text() == pointer  # readers never saw the half-written copy
    reader = Pipeline.open(make_settings(data))
    assert reader.store.count() == count
    # the next ingest starts from the last complete generation and removes the leftover
    report = reader.ingest([corpus_copy], progress=False)
    assert report.ingested == 4 and report.errors == []
    ids = reader.store.ids()
    assert len(ids) == len(set(ids)) > count
    assert sorted(p.name.rsplit("-", 1)[0] for p in data.glob("gen-*")) == ["gen-1", "gen-3"]


def test_a_deleted_data_dir_is_noticed_and_a_new_ingest_is_seen(tmp_path: Path, corpus_copy: Path) -> None:
    import shutil

    from answer.chain import QAChain

    data = tmp_path / "data"
    settings = make_settings(data)
    Pipeline.open(settings).ingest([corpus_copy / NEWSPIM], progress=False)
    service = Service(settings)
    service.start(background=False)
    assert service.health()["ready"]
    shutil.rmtree(data)
    health = service.health()
    assert not health["ready"] and "budgetqa ingest" in health["error"]
    answer = service.ask("2023년 서울시 정보화 예산은?")
    assert answer.abstained and answer.citations == []
    # a new ingest at the same path is picked up by the running service
    Pipeline.open(settings).ingest([corpus_copy], progress=False)
    health = service.health()
    assert health["ready"] and health["passages"] > 30
    assert isinstance(service.chain, QAChain)
    assert service.ask("메타버스 서울 2단계 예산은?").retrieved


@pytest.mark.parametrize("damage", ["empty-files", "zero-byte-index", "missing"])
def test_a_damaged_bm25_index_is_rebuilt_with_a_warning(
    tmp_path: Path, corpus_copy: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    data = tmp_path / "data"
    Pipeline.open(make_settings(data)).ingest([corpus_copy / NEWSPIM], progress=False)
    folder = generations.current(data).lexical_dir
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert len(files) > 1
    if damage == "empty-files":
        for path in files:
            path.write_bytes(b"")
    elif damage == "zero-byte-index":
        for path in files:
            if path.name != "ids.json":
                path.write_bytes(b"")
    else:
        import shutil

        shutil.rmtree(folder)
    capsys.readouterr()
    assert main(["--data-dir", str(data), "search", "3703억", "-k", "1"]) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.strip()]
    assert len(warnings) == 1 and "BM25 index" in warnings[0] and "rebuilt" in warnings[0]
    assert "3703억" in captured.out
    # healed on disk: the next command loads it without a word
    assert main(["--data-dir", str(data), "search", "3703억", "-k", "1"]) == 0
    assert capsys.readouterr().err == ""


def test_a_corrupt_store_says_how_to_recover_and_rebuild_recovers(
    tmp_path: Path, corpus_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    Pipeline.open(make_settings(data)).ingest([corpus_copy / NEWSPIM], progress=False)
    (generations.current(data).chroma_dir / "chroma.sqlite3").write_bytes(b"not a database" * 1000)
    assert main(["--data-dir", str(data), "stats"]) == 2
    err = capsys.readouterr().err
    assert "cannot open" in err and "budgetqa ingest --rebuild" in err and "Traceback" not in err
    assert main(["--data-dir", str(data), "ingest", "--rebuild", str(corpus_copy / NEWSPIM)]) == 0
    assert main(["--data-dir", str(data), "stats", "--json"]) == 0
    assert '"passages": 0' not in capsys.readouterr().out


def test_a_store_from_before_generations_is_read_and_carried_over(tmp_path: Path, corpus_copy: Path) -> None:
    data = tmp_path / "data"
    settings = make_settings(data)
    legacy = PassageStore(settings, load_embeddings(settings.embedding))  # <data>/chroma, as before
    ingest_paths(legacy, [corpus_copy / NEWSPIM], progress=False)
    build_lexical(settings.lexical_dir, legacy)
    count = legacy.count()
    legacy.close()
    pipeline = Pipeline.open(settings)
    assert generations.current(data).number == 0 and pipeline.store.count() == count
    pipeline.ingest([corpus_copy], progress=False)
    assert pipeline.store.count() > count and (data / "chroma").exists()  # kept for old readers
    (corpus_copy / NEWSPIM).unlink()
    pipeline.ingest([corpus_copy], progress=False)
    assert generations.current(data).number == 2
    assert not (data / "chroma").exists() and not (data / "bm25").exists()
