"""Several app workers on one Chroma server (`chroma run`): an ingest by one is answered by the
other, rate limits are per worker, each worker keeps its own BM25 index, traces and feedback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from budgetqa.pipeline import Pipeline
from tests.conftest import answers_200, free_port, make_settings
from tests.fixture_docs import write_pdf

ROOT = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"
QUESTION = "2023년 대구 세출예산은 얼마야?"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMA.exists() and not shutil.which("chroma"), reason="the chroma CLI is not installed"
    ),
]


def ask(url: str, question: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{url}/api/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_two_workers_share_one_chroma_server(tmp_path: Path) -> None:
    chroma_port = free_port()
    binary = str(CHROMA if CHROMA.exists() else shutil.which("chroma"))
    chroma = subprocess.Popen(
        [
            binary,
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(chroma_port),
            "--path",
            str(tmp_path / "server"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[subprocess.Popen] = []
    try:
        assert answers_200(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", 60)
        server = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port)}
        Pipeline.open(
            make_settings(tmp_path / "w1", chroma_host="127.0.0.1", chroma_port=chroma_port)
        ).ingest(progress=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BUDGETQA_", "CHROMA_"))}
        env.update(server, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", BUDGETQA_RATE_LIMIT="4/60")
        env["BUDGETQA_ANSWER_THRESHOLD"] = "0.3"  # the path across workers, not the scorer's caution
        urls = []
        for n in (1, 2):
            port = free_port()
            workers.append(
                subprocess.Popen(
                    [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
                    env={**env, "BUDGETQA_DATA_DIR": str(tmp_path / f"w{n}")},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            assert answers_200(f"{url}/healthz", 120)
        status, before = ask(urls[1], QUESTION)
        assert status == 200 and before["abstained"]
        # an ingest on worker 1's side (the CLI, on the same server) ...
        (tmp_path / "incoming").mkdir()
        pdf = write_pdf(tmp_path / "incoming" / "daegu_2024.pdf")
        done = subprocess.run(
            [sys.executable, "-m", "budgetqa.cli", "ingest", str(pdf.parent)],
            env={**env, "BUDGETQA_DATA_DIR": str(tmp_path / "w1")},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        # ... is answered by worker 2 (it checks the server's write counter at most once a second)
        time.sleep(1.5)
        status, after = ask(urls[1], QUESTION)
        assert status == 200 and not after["abstained"], after
        assert "24,887백만원" in after["answer"] and after["citations"][0]["source"] == "daegu_2024.pdf"
        with urllib.request.urlopen(f"{urls[1]}/healthz", timeout=5) as response:
            assert json.loads(response.read())["passages"] > 50
        # rate limits are per worker: a client over worker 2's limit is still served by worker 1
        statuses = [ask(urls[1], "2023년 정보화 예산 총액은?")[0] for _ in range(3)]
        assert statuses[-1] == 429
        assert ask(urls[0], QUESTION)[0] == 200
        # each worker keeps its own BM25 index and traces in its data dir
        for n in (1, 2):
            assert (tmp_path / f"w{n}" / "traces.jsonl").exists()
            assert any((tmp_path / f"w{n}").glob("bm25*"))
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(timeout=30)
        chroma.terminate()
        chroma.wait(timeout=20)
