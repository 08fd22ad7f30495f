"""The Gradio UI: a chat with sources (Korean/English), a compact widget, and the staff eval tab."""

from __future__ import annotations

import hmac
import json
import os
import queue
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from budgetqa.errors import BudgetQAError, StoreError
from web.feedback import save_feedback
from web.render import note_markdown, plain_markdown, sources_html
from web.service import STORE_DOWN, Service

EXAMPLES = [
    "2023년 서울시 정보화 예산은 얼마야?",
    "How much goes to hardware and software in 2023?",
    "자치구와 투자출연기관 예산을 합치면?",
    "When did Metaverse Seoul launch?",
]
CSS = """
.bqa-sources{font-size:.9em;border-top:1px solid #ddd;margin-top:.5em;padding-top:.4em}
.bqa-sources h4{margin:.2em 0}.bqa-meta{color:#555;font-size:.9em}.bqa-text{white-space:pre-wrap}
.bqa-sources mark{background:#ffe58a;padding:0 .1em}.bqa-abstained{color:#a15c00;font-weight:600}
.bqa-note{color:#8a4b00;font-size:.9em;font-style:italic}
"""
SORRY = "답변 중 오류가 났습니다. 다시 시도해 주세요 · Something went wrong, please try again."


def ask_streaming(
    service: Service, message: str, history: list[dict[str, str]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The chat's view of one question: ``token`` and ``reset`` events while an LLM writes, then
    ``answer`` ``{"answer": dict}`` or ``error`` ``{"detail"}`` (a bilingual message, never a
    traceback). The chain runs in a worker thread; its tokens come through a queue."""
    from answer.streaming import TokenStream

    events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()

    def work() -> None:
        try:
            answer = service.ask(message, history, stream=TokenStream(lambda e, d: events.put((e, d))))
            events.put(("answer", {"answer": answer.to_dict()}))
        except StoreError as exc:  # the details are for the operator's log, not the chat
            print(f"budgetqa: store error answering a question: {exc}", flush=True)
            events.put(("error", {"detail": STORE_DOWN}))
        except BudgetQAError as exc:  # bilingual messages: not ready, busy, bad question
            events.put(("error", {"detail": str(exc)}))
        except Exception as exc:  # never a traceback in the chat
            print(f"budgetqa: error answering {message!r}: {type(exc).__name__}: {exc}", flush=True)
            events.put(("error", {"detail": SORRY}))

    threading.Thread(target=work, name="budgetqa-chat", daemon=True).start()
    while True:
        event, data = events.get()
        yield event, data
        if event in ("answer", "error"):
            return


def chat_blocks(service: Service, compact: bool = False) -> gr.Blocks:
    """The chat. ``compact``: the widget layout for a sidebar (no tabs, smaller)."""
    title = "서울 예산 Q&A · Seoul Budget Q&A"
    with gr.Blocks(title=title) as blocks:
        if not compact:
            gr.Markdown(
                f"## {title}\n공개 예산 문서에 근거해 답하고 출처를 밝힙니다 · Answers from public budget "
                "documents, with sources."
            )
        status = gr.Markdown(service.status_message(), elem_id="bqa-status")
        with gr.Tab("대화 · Chat") if not compact else gr.Column():
            chatbot = gr.Chatbot(
                label="대화 · Chat",
                height=380 if compact else 560,
                elem_id="bqa-chat",
                render_markdown=True,
                sanitize_html=True,
                latex_delimiters=[],  # "$$" in a document is text, not a formula
                feedback_options=("Like", "Dislike"),
            )
            answers = gr.State([])
            with gr.Row():
                box = gr.Textbox(
                    label="질문 · Question",
                    placeholder="예: 2023년 자치구 정보화 예산은? · e.g. How many projects in 2023?",
                    scale=5,
                    max_length=service.settings.max_question_chars,
                    elem_id="bqa-question",
                )
                send = gr.Button("보내기 · Send", variant="primary", scale=1, elem_id="bqa-send")
            clear = gr.Button("새 대화 · New chat", size="sm")
            if not compact:
                gr.Examples(EXAMPLES, [box], label="예시 질문 · Example questions")

            def respond(
                message: str, chat: list[dict[str, Any]], past: list[dict[str, Any]], request: gr.Request
            ):
                chat, past = list(chat or []), list(past or [])
                message = (message or "").strip()
                if not message:
                    yield chat, past, "", service.status_message()
                    return
                chat.append({"role": "user", "content": plain_markdown(message)})
                key = request.client.host if request and request.client else "ui"
                if not service.limiter.allow(key):
                    chat.append({"role": "assistant", "content": plain_markdown(service.limiter.message())})
                    past.append({"question": message, "answer": None})  # keeps votes aligned with answers
                    yield chat, past, "", service.status_message()
                    return
                history = [
                    t
                    for p in past
                    if p["answer"]
                    for t in (
                        {"role": "user", "content": p["question"]},
                        {"role": "assistant", "content": p["answer"]["answer"]},
                    )
                ]
                chat.append({"role": "assistant", "content": ""})
                answer: dict[str, Any] | None = None
                streamed = ""
                for event, data in ask_streaming(service, message, history):
                    if event == "token":  # an LLM's words as they arrive
                        streamed += data["text"]
                        chat[-1] = {"role": "assistant", "content": plain_markdown(streamed)}
                    elif event == "reset":  # the guard rejected them: the default answer follows
                        streamed = ""
                        chat[-1] = {"role": "assistant", "content": note_markdown(data["reason"])}
                    elif event == "error":
                        chat[-1] = {"role": "assistant", "content": plain_markdown(data["detail"])}
                        past.append({"question": message, "answer": None})
                    else:
                        answer = data["answer"]
                        break
                    yield chat, past, "", service.status_message()
                if answer is None:
                    return
                past.append({"question": message, "answer": answer})
                if not streamed:  # no LLM tokens: show the answer line by line
                    shown: list[str] = []
                    for line in answer["answer"].split("\n"):
                        shown.append(line)
                        chat[-1] = {"role": "assistant", "content": plain_markdown("\n".join(shown))}
                        yield chat, past, "", service.status_message()
                note = ("\n\n" + note_markdown(answer["note"])) if answer.get("note") else ""
                chat[-1] = {
                    "role": "assistant",
                    "content": plain_markdown(answer["answer"]) + note + "\n\n" + sources_html(answer),
                }
                yield chat, past, "", service.status_message()

            def on_like(data: gr.LikeData, past: list[dict[str, Any]], chat: list[dict[str, Any]]) -> None:
                index = data.index[0] if isinstance(data.index, list | tuple) else data.index
                ordinal = sum(1 for m in chat[: int(index) + 1] if m.get("role") == "assistant") - 1
                if 0 <= ordinal < len(past) and past[ordinal]["answer"]:
                    vote = "up" if data.liked else "down"
                    save_feedback(
                        service.settings.feedback_path,
                        past[ordinal]["question"],
                        past[ordinal]["answer"],
                        vote,
                    )

            outputs = [chatbot, answers, box, status]
            send.click(respond, [box, chatbot, answers], outputs)
            box.submit(respond, [box, chatbot, answers], outputs)
            clear.click(lambda: ([], [], ""), None, [chatbot, answers, box])
            chatbot.like(on_like, [answers, chatbot], None)
        if not compact:
            staff_tab(service)
        blocks.load(lambda: service.status_message(), None, status)
    return blocks


REPORTS_DIR = Path(tempfile.gettempdir()) / f"budgetqa-eval-{os.getpid()}"


class SlottedChain:
    """The chain as the eval runner sees it, answering through the service's slots."""

    def __init__(self, service: Service) -> None:
        self.service, self.settings = service, service.settings
        self.pipeline, self.answerer = service.chain.pipeline, service.chain.answerer

    def ask(self, question: str, history: Any = None) -> Any:
        return self.service.ask(question, history)


MAX_EVAL_BYTES = 5 * 1024 * 1024
MAX_EVAL_CASES = 1000  # an uploaded eval set larger than this is refused (uploads are also capped in size)


def staff_tab(service: Service) -> None:
    """Eval runs and the document list, behind ``BUDGETQA_STAFF_TOKEN``; not shown without one."""
    if not service.settings.staff_token:
        return
    with gr.Tab("직원용 · Staff"):
        gr.Markdown(
            "평가 세트(JSONL)를 올려 실행합니다 · Upload an eval set (JSONL, shared format) and run it."
        )
        token = gr.Textbox(label="직원 토큰 · Staff token", type="password", elem_id="bqa-staff-token")
        upload = gr.File(
            label="평가 세트 · Eval set (.jsonl)",
            file_types=[".jsonl"],
            type="filepath",
            elem_id="bqa-eval-file",
        )
        with gr.Row():
            run = gr.Button("실행 · Run", variant="primary", elem_id="bqa-eval-run")
            stop = gr.Button("중지 · Stop", elem_id="bqa-eval-stop")
            list_docs = gr.Button("문서 목록 · Documents", elem_id="bqa-docs")
        message = gr.Markdown(elem_id="bqa-eval-message")
        summary = gr.Dataframe(label="태그별 요약 · Summary by tag", interactive=False)
        failing = gr.Dataframe(label="실패한 사례 · Failing cases", interactive=False, wrap=True)
        files = gr.File(label="보고서 · Reports", file_count="multiple", elem_id="bqa-eval-files")
        documents = gr.Dataframe(
            label="문서 · Documents", interactive=False, wrap=True, elem_id="bqa-docs-table"
        )

        def allowed(given: str, request: gr.Request | None) -> str:
            """ "" when the token is right; else why not. Attempts are limited per client, so
            guessing is slow and nobody else is locked out."""
            client = request.client.host if request and request.client else "unknown"
            if not service.limiter.allow(f"staff:{client}"):
                return plain_markdown(service.limiter.message())
            if not hmac.compare_digest((given or "").encode(), service.settings.staff_token.encode()):
                return "토큰이 맞지 않습니다 · Wrong token."
            return ""

        def show_documents(given: str, request: gr.Request):
            import pandas as pd

            refused = allowed(given, request)
            if refused:
                return refused, None
            if service.chain is None:
                return service.status_message(), None
            docs = service.chain.follow_store().store.document_list()
            columns = ["source", "title", "date", "passages", "flagged"]
            rows = [[d[c] for c in columns] for d in docs]
            flagged = sum(1 for r in rows if r[-1])
            text = f"{len(rows)}개 문서, 지시문 의심 줄이 있는 문서 {flagged}개 · {len(rows)} documents, {flagged} with flagged lines"
            return text, pd.DataFrame(rows, columns=columns)

        list_docs.click(show_documents, [token], [message, documents])

        gr.Markdown(
            "문서를 올리거나 지웁니다 · Add or remove documents (PDF, HWP, HWPX, DOCX, XLSX, CSV, TXT, MD, HTML; "
            "at most 50 MB each). 질문은 바로 새 문서로 답합니다 · Questions use them at once."
        )
        new_docs = gr.File(
            label="문서 올리기 · Upload documents",
            file_count="multiple",
            type="filepath",
            elem_id="bqa-doc-upload",
        )
        with gr.Row():
            add = gr.Button("추가 · Add", elem_id="bqa-doc-add")
            gone = gr.Textbox(label="지울 문서 (목록의 이름) · Document to remove (its listed name)", scale=3)
            remove = gr.Button("삭제 · Remove", elem_id="bqa-doc-remove")

        def add_documents(given: str, paths: list[str] | None, request: gr.Request):
            refused = allowed(given, request)
            if refused:
                return refused
            if not paths:
                return "파일을 올리세요 · Upload a file first."
            try:
                lines = service.add_documents(list(paths))
            except BudgetQAError as exc:
                return plain_markdown(str(exc))
            return "  \n".join(plain_markdown(line) for line in lines)

        def remove_document(given: str, source: str, request: gr.Request):
            refused = allowed(given, request)
            if refused:
                return refused
            if not (source or "").strip():
                return "지울 문서 이름을 쓰세요 · Name the document to remove."
            try:
                return plain_markdown(service.remove_document(source))
            except BudgetQAError as exc:
                return plain_markdown(str(exc))

        add.click(add_documents, [token, new_docs], [message])
        remove.click(remove_document, [token, gone], [message])

        with gr.Row():
            trace_id = gr.Textbox(label="답변 추적 번호 · Trace id", elem_id="bqa-trace-id", scale=3)
            look_up = gr.Button("추적 보기 · Show trace", elem_id="bqa-trace-show", scale=1)
        trace_json = gr.JSON(label="추적 · Trace", elem_id="bqa-trace")

        def show_trace(given: str, wanted: str, request: gr.Request):
            from answer.trace import find_trace

            refused = allowed(given, request)
            if refused:
                return refused, None
            found = find_trace(service.settings.traces_path, wanted or "")
            if found is None:
                return "그런 추적이 없습니다 · No trace with that id.", None
            return "", found

        look_up.click(show_trace, [token, trace_id], [message, trace_json])

        def run_eval_ui(
            given: str,
            path: str | None,
            request: gr.Request,
            progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects it)
        ):
            from evals.report_html import render_html
            from evals.runner import load_eval_set, run_eval

            refused = allowed(given, request)
            if refused:
                return refused, None, None, None
            if not path:
                return "파일을 올리세요 · Upload a file first.", None, None, None
            if Path(path).stat().st_size > MAX_EVAL_BYTES:
                return (
                    "평가 세트가 너무 큽니다 (최대 5 MB) · The eval set is too large (at most 5 MB).",
                    None,
                    None,
                    None,
                )
            try:
                cases = load_eval_set(path)
                if len(cases) > MAX_EVAL_CASES:
                    return (
                        f"사례가 너무 많습니다 ({len(cases)}개, 최대 {MAX_EVAL_CASES}개) · Too many cases "
                        f"({len(cases)}, at most {MAX_EVAL_CASES}).",
                        None,
                        None,
                        None,
                    )
                if service.status != "ready":
                    return service.status_message(), None, None, None
                report = run_eval(
                    SlottedChain(service),
                    cases,
                    eval_set=Path(path).name,
                    progress=False,
                    on_case=lambda n, total: progress((n, total), desc="eval"),
                )
            except BudgetQAError as exc:  # named by the uploaded file's name, not the server's path
                shown = str(exc).replace(str(path), Path(path).name).replace(str(Path(path).parent), "")
                return f"오류 · Error: {plain_markdown(shown)}", None, None, None
            out = REPORTS_DIR  # one folder per process: each run replaces the previous reports
            out.mkdir(parents=True, exist_ok=True)
            (out / "report.json").write_text(
                json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            (out / "report.html").write_text(render_html(report), encoding="utf-8")
            s = report["summary"]
            metrics = ["facts", "hit@5", "cite", "abstain", "forbidden", "passed", "cases"]
            rows = [["all", *[s.get(m, "") for m in metrics]]]
            rows += [[tag, *[v.get(m, "") for m in metrics]] for tag, v in s["by_tag"].items()]
            fails = [
                [i["id"], i["question"], i["answer"][:300], "; ".join(i["failures"])]
                for i in report["items"]
                if not i["passed"]
            ]
            text = (
                f"{s['cases']}개 사례, 통과 {s['passed']:.3f} · {s['cases']} cases, passed {s['passed']:.3f} · "
                f"p50 {s['latency_ms']['p50']} ms"
            )
            import pandas as pd

            return (
                text,
                pd.DataFrame(rows, columns=["tag", *metrics]),
                pd.DataFrame(fails, columns=["id", "question", "answer", "failures"]),
                [str(out / "report.json"), str(out / "report.html")],
            )

        running = run.click(run_eval_ui, [token, upload], [message, summary, failing, files])
        stop.click(None, None, None, cancels=[running])  # the run stops after the current case
