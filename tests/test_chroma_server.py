"""Client/server mode: the store in a real Chroma server (``chroma run``) on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from answer.chain import QAChain
from budgetqa.pipeline import Pipeline
from tests.conftest import make_settings

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.mark.skipif(
    not CHROMA.exists() and not shutil.which("chroma"), reason="the chroma CLI is not installed"
)
def test_ingest_and_answer_through_a_chroma_server(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            str(CHROMA if CHROMA.exists() else shutil.which("chroma")),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--path",
            str(tmp_path / "server"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        settings = make_settings(tmp_path / "local", chroma_host="127.0.0.1", chroma_port=port)
        pipeline = Pipeline.open(settings)
        assert pipeline.ingest(progress=False).ingested == 5
        assert not (tmp_path / "local" / "chroma").exists()  # vectors live in the server
        answer = QAChain(Pipeline.open(settings)).ask(
            "What is the total IT budget for 2023?"
        )  # a second worker
        assert "370.3 billion won" in answer.answer and answer.citations
    finally:
        server.terminate()
        server.wait(timeout=20)
