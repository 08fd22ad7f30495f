"""The web app: one FastAPI process serving the Gradio chat (/), the widget (/widget) and the
JSON API (/api/ask, /healthz, /docs), over one pipeline built once.

    python app.py [--host 127.0.0.1] [--port 7860]      (or: budgetqa serve)

On first start, with an empty store, the bundled corpus is ingested in the background; the UI
shows the status and /healthz answers 503 until the store is ready.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from budgetqa.errors import BudgetQAError
from budgetqa.korean import kiwi_in_child
from budgetqa.settings import Settings

MAX_UPLOAD = "50mb"  # the staff tab's uploads (eval sets are further limited to 5 MB)
SHUTDOWN_S = 5  # requests still running get this long when the server is stopped


def create_app(settings: Settings, start: bool = True) -> Any:
    kiwi_in_child()  # Kiwi (2 s, holding the GIL) builds in a child process while Gradio imports
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi_offline import FastAPIOffline

    from web.api import add_api
    from web.service import Service
    from web.ui import CSS, chat_blocks

    service = Service(settings)
    app = FastAPIOffline(  # FastAPI with the /docs page's scripts served locally
        title="Seoul Budget Q&A API",
        version="0.1.0",
        description="Bilingual answers from public budget documents, with citations.",
    )
    app.state.service = service
    if settings.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.origins,
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    add_api(app, service)
    for path, compact in (("/widget", True), ("/", False)):
        blocks = chat_blocks(service, compact=compact)
        blocks.queue(default_concurrency_limit=settings.concurrency, max_size=200)
        app = gr.mount_gradio_app(
            app,
            blocks,
            path=path,
            css=CSS,
            footer_links=["api"] if not compact else [],
            show_error=False,
            max_file_size=MAX_UPLOAD,
            # links in the page come from the configured URL, never from the request's Host
            root_path=settings.root_url.rstrip("/") + (path if path != "/" else "")
            if settings.root_url
            else None,
        )
    if start:
        service.start(background=True)
    return app


def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    host, port = host or settings.host, port or settings.port
    if not 1 <= port <= 65535:
        raise BudgetQAError(f"the port must be between 1 and 65535, not {port}")
    app = create_app(settings)
    print(f"Seoul Budget Q&A on http://{host}:{port}  (API docs: /docs, widget: /widget)", flush=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        # X-Forwarded-For names the client only when it comes from a configured proxy
        proxy_headers=bool(settings.proxies),
        forwarded_allow_ips=",".join(settings.proxies) or "",
        timeout_graceful_shutdown=SHUTDOWN_S,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Seoul Budget Q&A web app.")
    parser.add_argument("--host", default=None, help="listen address (env BUDGETQA_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (env BUDGETQA_PORT)")
    args = parser.parse_args(argv)
    try:
        serve(Settings.load(), args.host, args.port)
    except BudgetQAError as exc:
        print(f"budgetqa: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
