"""The web app: a thin shell that builds the pipeline once and serves the UI.

``python app.py`` (or ``budgetqa serve``) ingests the bundled corpus on first start, then serves
on http://127.0.0.1:7860 (``BUDGETQA_HOST`` / ``BUDGETQA_PORT``, or --host / --port).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from budgetqa.errors import BudgetQAError
from budgetqa.settings import Settings

RESULT_COLUMNS = ["#", "score", "source", "date", "passage"]


def build_ui(pipeline: Any) -> Any:
    import gradio as gr

    def search(query: str, k: float) -> tuple[list[list[Any]], str]:
        query = (query or "").strip()
        if not query:
            return [], "질문을 입력하세요 · Please type a question."
        if len(query) > 1000:
            return [], "질문이 너무 깁니다 (최대 1000자) · The question is too long (max 1000 characters)."
        try:
            hits = pipeline.search(query, k=int(k))
        except BudgetQAError as exc:
            return [], f"오류 · Error: {exc}"
        rows = [[n, round(h.score, 4), h.source, h.date, h.text] for n, h in enumerate(hits, start=1)]
        return rows, f"{len(rows)} passages · 구절 {len(rows)}개"

    with gr.Blocks(title="Seoul Budget Q&A · 서울 예산 Q&A") as demo:
        gr.Markdown(
            "## 서울 예산 Q&A · Seoul Budget Q&A\n검색 · Search the budget documents (한국어 / English)"
        )
        with gr.Row():
            query = gr.Textbox(label="질문 · Question", scale=4, max_length=1000)
            k = gr.Slider(1, 10, value=pipeline.settings.k, step=1, label="결과 수 · Results")
        button = gr.Button("검색 · Search", variant="primary")
        status = gr.Markdown()
        # a Dataframe shows document text as plain text: page text is never rendered as HTML
        table = gr.Dataframe(
            headers=RESULT_COLUMNS, label="근거 구절 · Passages", wrap=True, interactive=False
        )
        gr.Examples(
            ["2023년 서울시 정보화 예산은?", "How much goes to hardware and software in 2023?"], [query]
        )
        button.click(search, [query, k], [table, status])
        query.submit(search, [query, k], [table, status])
    return demo


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from budgetqa.pipeline import Pipeline

    pipeline = Pipeline.open(settings)
    report = pipeline.ensure_ingested()
    if report is not None:
        print(f"first start: ingested the bundled corpus: {report.summary()}", flush=True)
    demo = build_ui(pipeline)
    demo.launch(server_name=host or settings.host, server_port=port or settings.port, show_error=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Seoul Budget Q&A web app.")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        serve(Settings.load(), args.host, args.port)
    except BudgetQAError as exc:
        print(f"budgetqa: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
