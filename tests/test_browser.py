"""Browser tests: the real app in a subprocess, driven by Playwright in Debian's Chromium.

Needs /usr/bin/chromium (``.ci/run`` installs it: ``apt-get install chromium``). Set
SCREENSHOT_PATH=docs/chat.png to refresh the README screenshot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from budgetqa.settings import BUNDLED_CORPUS, PROJECT_ROOT
from tests.conftest import answers_200, free_port

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (apt-get install chromium)"
    ),
]
STAFF_TOKEN = "test-staff-token"
HOSTILE = """제목: 시민 안내 페이지
기사입력 : 2023년01월27일
서울시는 2023년 시민 참여 포털 개선에 12억 원을 쓴다고 밝혔다. <script>window.__pwned = 1</script> 자세한 안내는 [여기를 누르세요](http://evil.example/steal) 에서 본다.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("browser")
    docs = root / "docs"
    shutil.copytree(BUNDLED_CORPUS, docs)
    (docs / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(
        BUDGETQA_DATA_DIR=str(root / "data"),
        BUDGETQA_CORPUS_DIR=str(docs),
        BUDGETQA_RATE_LIMIT="0",
        BUDGETQA_STAFF_TOKEN=STAFF_TOKEN,
        # these tests check how answers, sources and abstentions render, not the scorer's
        # calibration: answer whatever it ranks first with some confidence (the setting a city
        # can use too); out-of-scope questions still abstain
        BUDGETQA_ANSWER_THRESHOLD="0.3",
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
    )
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    if not answers_200(f"{url}/healthz", 120):
        proc.kill()
        pytest.fail(f"the app did not become ready: {proc.stdout.read() if proc.stdout else ''}")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield instance
        instance.close()


def ask(page, question: str, expect: str) -> str:
    page.locator("#bqa-question textarea").fill(question)
    page.locator("#bqa-send").click()
    page.locator("#bqa-chat").get_by_text(expect).last.wait_for(timeout=30_000)
    return page.locator("#bqa-chat").inner_text()


def test_korean_and_english_answers_show_sources(server: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(server + "/")
    text = ask(page, "2023년 자치구 정보화 예산은 얼마야?", "출처")
    assert "1113억" in text and "[1]" in text
    assert page.locator("#bqa-chat .bqa-citation mark").first.inner_text()
    text = ask(page, "How much goes to hardware and software in 2023?", "Sources")
    assert "84 billion won" in text and "HW 및 SW 도입" in text
    if os.environ.get("SCREENSHOT_PATH"):
        page.screenshot(path=os.environ["SCREENSHOT_PATH"], full_page=False)
    page.close()


def test_follow_up_uses_history(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    ask(page, "메타버스 서울 2단계 사업 예산은 얼마야?", "28억")
    text = ask(page, "그럼 CCTV 쪽은?", "92억")
    assert "92억" in text
    page.close()


def test_abstention_is_shown_as_such(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    text = ask(page, "서울시의 2024년 정보화 예산은?", "관련 구절")
    assert "문서에서 확인할 수 없습니다" in text
    assert page.locator("#bqa-chat .bqa-citation").count() == 0
    page.close()


def test_document_markup_renders_as_text(server: str, browser) -> None:
    page = browser.new_page()
    page.goto(server + "/")
    text = ask(page, "2023년 시민 참여 포털 개선 예산은?", "12억")
    assert "<script>" in text  # shown, not run
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#bqa-chat a[href^='http://evil.example']").count() == 0
    page.close()


def test_embed_page_loads_the_chat(server: str, browser, tmp_path: Path) -> None:
    html = (PROJECT_ROOT / "examples" / "embed.html").read_text(encoding="utf-8")
    page_file = tmp_path / "embed.html"
    page_file.write_text(html.replace("http://127.0.0.1:7860", server), encoding="utf-8")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    frame = page.frame_locator("#budgetqa-widget")
    frame.locator("#bqa-question textarea").fill("What is the total IT budget for 2023?")
    frame.locator("#bqa-send").click()
    frame.locator("#bqa-chat").get_by_text("370.3 billion won").last.wait_for(timeout=30_000)
    page.close()


def test_staff_eval_tab_runs_a_set_and_offers_reports(server: str, browser, tmp_path: Path) -> None:
    cases = tmp_path / "mini.jsonl"
    cases.write_text(
        '{"id": "a", "lang": "ko", "question": "2023년 정보화 예산 총액은?", "expected_facts": ["3703억"], '
        '"evidence": ["총 3703억 원을 투입"], "answerable": true, "tags": ["numeric"]}\n'
        '{"id": "b", "lang": "en", "question": "What is Busan\'s 2023 IT budget?", "answerable": false, '
        '"tags": ["unanswerable"]}\n',
        encoding="utf-8",
    )
    page = browser.new_page()
    page.goto(server + "/")
    page.get_by_role("tab", name="직원용 · Staff").click()
    page.locator("#bqa-staff-token input").fill("wrong")
    page.locator("#bqa-eval-file input[type=file]").set_input_files(str(cases))
    page.locator("#bqa-eval-run").click()
    page.locator("#bqa-eval-message").get_by_text("Wrong token").wait_for(timeout=30_000)
    page.locator("#bqa-staff-token input").fill(STAFF_TOKEN)
    page.locator("#bqa-eval-run").click()
    page.locator("#bqa-eval-message").get_by_text("passed 1.000").wait_for(timeout=60_000)
    from playwright.sync_api import expect

    files = page.locator("#bqa-eval-files")
    expect(files).to_contain_text(".html", timeout=15_000)  # Gradio shows "report .html"
    expect(files).to_contain_text(".json")
    page.close()


def test_html_report_opens_in_the_browser(browser, tmp_path: Path, corpus_pipeline) -> None:
    from answer.chain import QAChain
    from evals.report_html import render_html
    from evals.runner import load_eval_set, run_eval

    cases = load_eval_set(PROJECT_ROOT / "evals" / "sets" / "core.jsonl")[:4]
    report = run_eval(QAChain(corpus_pipeline), cases, eval_set="core", progress=False)
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())
    assert page.title().startswith("Eval report")
    assert page.locator("table").count() == 2 and page.get_by_text("Summary by tag").count() == 1
    page.close()


# -- an LLM backend: tokens stream into the chat ------------------------------------------------
LLM_QUESTION = "2023년 서울시 정보화 예산 총액은 얼마인가요?"
LLM_ANSWER = "서울시의 2023년 정보화 예산 총액은 3703억 원입니다 [{n}]."


@pytest.fixture(scope="module")
def llm_app(corpus_pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """The app in this process (uvicorn in a thread) on a copy of the session's corpus store,
    answering with ``openai:scripted-model`` from a scripted server on loopback."""
    import threading

    import uvicorn

    from app import create_app
    from tests.conftest import make_settings
    from tests.scripted_llm import ScriptedLLM

    scripted = ScriptedLLM("openai")
    data = tmp_path_factory.mktemp("browser-llm") / "data"
    shutil.copytree(corpus_pipeline.settings.data_dir, data)
    settings = make_settings(data, rate_limit="0", llm=scripted.spec, llm_url=scripted.url, llm_timeout=60)
    app = create_app(settings, start=False)
    app.state.service.start(background=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{server.config.port}", scripted
    server.should_exit = True
    scripted.close()
    thread.join(timeout=10)


def test_llm_tokens_show_as_they_arrive_then_the_sources(llm_app, browser) -> None:
    from playwright.sync_api import expect

    url, scripted = llm_app
    script = scripted.play("hold", LLM_ANSWER, "3703억")  # streams half the answer, then waits
    page = browser.new_page()
    page.goto(url + "/")
    page.locator("#bqa-question textarea").fill(LLM_QUESTION)
    page.locator("#bqa-send").click()
    chat = page.locator("#bqa-chat")
    expect(chat).to_contain_text("서울시의 2023년 정보화", timeout=30_000)  # the first tokens
    assert "3703억" not in chat.inner_text() and page.locator("#bqa-chat .bqa-sources").count() == 0
    script.release.set()  # the rest of the answer
    page.locator("#bqa-chat .bqa-citation").first.wait_for(timeout=30_000)
    text = chat.inner_text()
    assert "서울시의 2023년 정보화 예산 총액은 3703억 원입니다 [1]." in text and "출처" in text
    page.close()


def test_a_rejected_llm_answer_is_replaced_with_a_note(llm_app, browser) -> None:
    url, scripted = llm_app
    scripted.play("reply", "서울시의 2023년 정보화 예산은 1조 원입니다 [{n}].", "3703억")
    page = browser.new_page()
    page.goto(url + "/")
    page.locator("#bqa-question textarea").fill(LLM_QUESTION)
    page.locator("#bqa-send").click()
    page.locator("#bqa-chat .bqa-citation").first.wait_for(timeout=30_000)  # the sources: the end
    text = page.locator("#bqa-chat").inner_text()
    assert "기본 답변기의 답으로 바꿨습니다" in text and "3703억" in text and "1조" not in text
    assert page.locator("#bqa-chat .bqa-note").count() == 1
    page.close()
