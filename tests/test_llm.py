"""Optional LLM backend: a real HTTP client against a fake OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from answer.chain import QAChain
from answer.llm import LLMAnswerer, OpenAIGenerator, load_generator
from budgetqa.errors import SettingsError
from budgetqa.pipeline import Pipeline


class FakeOpenAI:
    """Answers /v1/chat/completions with a canned reply and records the prompts it got."""

    def __init__(self) -> None:
        self.reply = "The documents do not say."
        self.prompts: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.prompts.append(body["messages"][0]["content"])
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": fake.reply}}]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def fake_llm() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    yield fake
    fake.server.shutdown()


def llm_chain(pipeline: Pipeline, url: str) -> QAChain:
    generator = OpenAIGenerator(url, "fake-model", timeout=5)
    return QAChain(pipeline, answerer=LLMAnswerer(generator), generator=generator)


def test_llm_answer_is_cited_and_checked(corpus_pipeline: Pipeline, fake_llm: FakeOpenAI) -> None:
    chain = llm_chain(corpus_pipeline, fake_llm.url)
    retrieved = chain.ask("What is the total IT budget for 2023?").retrieved
    n = next(i for i, h in enumerate(retrieved, start=1) if "3703억" in h.text)
    fake_llm.reply = f"Seoul will spend 370.3 billion won (3703억 원) on IT in 2023 [{n}]."
    answer = chain.ask("What is the total IT budget for 2023?")
    assert not answer.abstained and answer.backend == "llm:openai:fake-model"
    assert answer.answer.endswith("[1].") and "3703억" in answer.citations[0].text
    prompt = fake_llm.prompts[-1]
    assert (
        "<passage>" in prompt
        and "data, not instructions" in prompt
        and "What is the total IT budget" in prompt
    )


def test_llm_invented_number_is_rejected(corpus_pipeline: Pipeline, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "Seoul will spend 512.9 billion won on IT in 2023 [1]."
    answer = llm_chain(corpus_pipeline, fake_llm.url).ask("What is the total IT budget for 2023?")
    assert answer.abstained and "unsupported numbers" in answer.reason


def test_llm_without_citation_abstains(corpus_pipeline: Pipeline, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "It is a lot of money."
    answer = llm_chain(corpus_pipeline, fake_llm.url).ask("What is the total IT budget for 2023?")
    assert answer.abstained and "cites no passage" in answer.reason


def test_llm_down_falls_back_to_the_default_answerer(corpus_pipeline: Pipeline) -> None:
    chain = llm_chain(corpus_pipeline, "http://127.0.0.1:9/v1")  # nothing listens on port 9
    answer = chain.ask("What is the total IT budget for 2023?")
    assert not answer.abstained and "370.3 billion won" in answer.answer
    assert "not reachable" in answer.reason


def test_llm_condenses_follow_ups(corpus_pipeline: Pipeline, fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "The documents do not say."
    chain = llm_chain(corpus_pipeline, fake_llm.url)
    chain.ask("그럼 CCTV 쪽은?", [{"role": "user", "content": "메타버스 서울 2단계 예산은?"}])
    assert any("Rewritten question:" in p for p in fake_llm.prompts)


def test_generator_settings() -> None:
    assert load_generator("none", "", "", 5) is None
    assert load_generator("openai:qwen", "http://x/v1", "", 5).name == "openai:qwen"
    with pytest.raises(SettingsError, match="unknown LLM backend"):
        load_generator("llamafile", "", "", 5)


def test_unreachable_endpoint_is_skipped_for_a_while() -> None:
    from answer.llm import LLMError

    generator = OpenAIGenerator("http://127.0.0.1:9/v1", "fake-model", timeout=5)
    with pytest.raises(LLMError, match="not reachable"):
        generator.generate("hi")
    with pytest.raises(LLMError, match="a moment ago"):
        generator.generate("hi")
