"""The JSON API and the web helpers, in-process (FastAPI TestClient) on a real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import create_app
from budgetqa.errors import SettingsError
from budgetqa.pipeline import Pipeline
from tests.conftest import make_settings
from web.feedback import save_feedback
from web.ratelimit import RateLimiter
from web.render import plain_markdown, sources_html


@pytest.fixture(scope="module")
def client(corpus_pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data = tmp_path_factory.mktemp("web-data") / "data"
    shutil.copytree(corpus_pipeline.settings.data_dir, data)  # the session's corpus store, copied
    settings = make_settings(data, rate_limit="1000/60", allowed_origins="https://city.example")
    app = create_app(settings, start=False)
    app.state.service.start(background=False)
    return TestClient(app)


def test_healthz_and_docs(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["ready"] is True and health.json()["passages"] > 30
    assert client.get("/docs").status_code == 200
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_ask_returns_the_answer_with_citations(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "What is the total IT budget for 2023?"})
    assert response.status_code == 200
    body = response.json()
    assert "370.3 billion won" in body["answer"] and body["abstained"] is False and body["lang"] == "en"
    assert body["citations"] and {"n", "text", "source", "title", "date", "url"} <= set(body["citations"][0])
    assert body["latency_ms"] > 0


def test_ask_with_history(client: TestClient) -> None:
    history = [
        {"role": "user", "content": "메타버스 서울 2단계 사업 예산은?"},
        {"role": "assistant", "content": "28억 원입니다."},
    ]
    body = client.post("/api/ask", json={"question": "그럼 CCTV 쪽은?", "history": history}).json()
    assert "92억" in body["answer"]


def test_stream_without_an_llm_is_one_final_event(client: TestClient) -> None:
    with client.stream(
        "POST", "/api/ask/stream", json={"question": "What is the total IT budget for 2023?"}
    ) as r:
        body = r.read().decode()
    assert r.status_code == 200 and body.startswith("event: final\ndata: ") and body.count("event:") == 1
    final = json.loads(body.split("data: ", 1)[1])
    assert "370.3 billion won" in final["answer"] and final["guard"] == {"verdict": "none", "reason": ""}
    assert final["citations"] and final["note"] == ""


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"question": ""}, 400, "empty"),
        ({"question": "x" * 2000}, 400, "too long"),
        ({"question": 12}, 422, "question"),
        ({}, 422, "question: Field required"),
        ({"question": "예산은?", "history": [{"role": "robot", "content": "x"}]}, 422, "history.0.role"),
        ({"question": "예산은?", "history": "hello"}, 422, "history"),
        ({"question": "예산은?", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_requests_get_clear_4xx(client: TestClient, payload: dict, status: int, message: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_cors_allow_list(client: TestClient) -> None:
    allowed = client.options(
        "/api/ask", headers={"Origin": "https://city.example", "Access-Control-Request-Method": "POST"}
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://city.example"
    other = client.options(
        "/api/ask", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert other.headers.get("access-control-allow-origin") is None


def test_not_ready_is_503(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path / "data"), start=False)  # never started
    client = TestClient(app)
    assert client.get("/healthz").status_code == 503
    response = client.post("/api/ask", json={"question": "2023년 예산은?"})
    assert response.status_code == 503 and "Starting" in response.json()["detail"]


def test_rate_limit_settings() -> None:
    assert RateLimiter("0").allow("a")
    with pytest.raises(SettingsError):
        RateLimiter("lots")


def test_document_text_is_escaped() -> None:
    answer = {
        "lang": "ko",
        "abstained": False,
        "citations": [
            {
                "n": 1,
                "text": "<script>alert(1)</script> [click](http://evil.example) 379억 원",
                "source": "x.html",
                "title": "<b>t</b>",
                "date": "2022-01-13",
                "url": "javascript:alert(1)",
                "highlight": ["379억 원"],
            }
        ],
    }
    html = sources_html(answer)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>t</b>" not in html
    assert "<mark>379억 원</mark>" in html and "javascript:" not in html
    assert (
        plain_markdown("[click](http://evil.example) <b>x</b>")
        == r"\[click\]\(http://evil\.example\) \<b\>x\</b\>"
    )


def test_feedback_is_appended(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.jsonl"
    answer = {
        "answer": "3703억 원 [1]",
        "abstained": False,
        "citations": [{"n": 1, "source": "a.txt", "text": "t"}],
    }
    save_feedback(path, "2023년 예산은?", answer, "up")
    save_feedback(path, "2023년 예산은?", answer, "down")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["vote"] for r in records] == ["up", "down"] and records[0]["citations"][0]["source"] == "a.txt"
