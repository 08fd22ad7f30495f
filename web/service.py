"""The one pipeline and chain of a server process, started in the background.

The web server answers at once; ``Service.start()`` opens the store, ingests the bundled corpus
when the store is empty (first start) and builds the chain in a thread, and ``status`` says
where it is ("starting", "ingesting", "ready" or an error message). UI and API share it.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from budgetqa.errors import BudgetQAError
from budgetqa.settings import Settings
from web.ratelimit import RateLimiter

STORE_DOWN = (
    "문서 저장소를 지금 읽을 수 없습니다. 잠시 후 다시 시도하세요 · "
    "The document store cannot be read right now; please try again shortly."
)
SLOT_WAIT_S = 60.0
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # a staff upload larger than this is refused
SAFE_NAME = re.compile(
    r"[^\w.\-가-힣 ()]+"
)  # a question waits this long for a free slot, then gets "busy" (503)


class NotReady(BudgetQAError):
    """The pipeline is still starting (or failed to start)."""


class Busy(BudgetQAError):
    """Every answering slot stayed taken for SLOT_WAIT_S seconds."""


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit)
        self.pipeline: Any = None
        self.chain: Any = None
        self.status = "starting"
        self.error = ""
        self._ready = threading.Event()
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))

    def start(self, background: bool = True) -> None:
        if background:
            threading.Thread(target=self._start, name="budgetqa-start", daemon=True).start()
        else:
            self._start()

    def _start(self) -> None:
        from answer.chain import QAChain
        from budgetqa.pipeline import Pipeline

        try:
            self.pipeline = Pipeline.open(self.settings)
            if self.pipeline.store.count() == 0:
                self.status = "ingesting"
                report = self.pipeline.ingest(progress=False)
                print(f"first start: ingested the bundled corpus: {report.summary()}", flush=True)
            self.chain = QAChain(self.pipeline)
            self.chain.ask("2023년 정보화 예산은?")  # warm up Kiwi and the store
            self.status = "ready"
        except BudgetQAError as exc:
            self.status, self.error = "error", str(exc)
            print(f"budgetqa: error: {exc}", flush=True)
        except Exception as exc:  # a bug must not leave the service "starting" forever
            self.status, self.error = "error", f"{type(exc).__name__}: {exc}"
            print(f"budgetqa: unexpected error while starting: {self.error}", flush=True)
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def ask(
        self,
        question: Any,
        history: Any = None,
        cancel: threading.Event | None = None,
        stream: Any = None,
    ) -> Any:
        """Answer through one of the answering slots. ``cancel`` (set when the client goes
        away) stops the wait for a slot and the answer at its next step; ``stream`` (a
        ``TokenStream``) gets an LLM answer's tokens as they arrive."""
        from answer.chain import Cancelled

        if self.status != "ready":
            raise NotReady(self.status_message())
        deadline = time.monotonic() + SLOT_WAIT_S
        while not self._slots.acquire(timeout=0.25):
            if cancel is not None and cancel.is_set():
                raise Cancelled("the question was cancelled / 질문이 취소되었습니다")
            if time.monotonic() > deadline:
                raise Busy(
                    "서버가 바쁩니다. 잠시 후 다시 시도하세요 · The server is busy, please try again shortly."
                )
        try:
            return self.chain.ask(question, history, cancel, stream)
        finally:
            self._slots.release()

    def status_message(self) -> str:
        if self.status == "error":
            return f"서비스를 시작할 수 없습니다 · The service could not start: {self._public(self.error)}"
        if self.status == "ingesting":
            return "문서를 색인하는 중입니다. 잠시 후 다시 시도하세요 · Indexing the documents, please try again shortly."
        if self.status == "starting":
            return "시작하는 중입니다 · Starting up, please try again shortly."
        return "준비됨 · Ready"

    # -- documents (the staff tab) ------------------------------------------------------------
    @property
    def uploads_dir(self) -> Path:
        return self.settings.data_dir / "uploads"

    def add_documents(self, files: list[str]) -> list[str]:
        """Ingest uploaded files (copied into ``<data>/uploads`` under their own names) as a new
        store generation, which every question after it sees. One line per file: what happened.
        The type is checked by content by the loaders; a file over the size limit is refused."""
        if self.chain is None:
            raise NotReady(self.status_message())
        lines: list[str] = []
        accepted: list[Path] = []
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        for given in files:
            source = Path(given)
            name = SAFE_NAME.sub("_", source.name).strip(" .") or "document"
            size = source.stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                lines.append(f"{name}: larger than {MAX_DOCUMENT_BYTES // 2**20} MB; not added")
                continue
            target = self.uploads_dir / name
            shutil.copyfile(source, target)
            accepted.append(target)
        if accepted:
            writer = self._writer()
            try:
                report = writer.ingest(accepted, progress=False)
            finally:
                writer.close()
            for error in report.errors:
                lines.append(self._public(error).replace(str(self.uploads_dir) + "/", ""))
            for warning in report.warnings:
                lines.append(f"warning: {warning}")
            lines.append(report.summary())
        return lines

    def remove_document(self, source: str) -> str:
        if self.chain is None:
            raise NotReady(self.status_message())
        writer = self._writer()
        try:
            removed = writer.remove(source.strip())
        finally:
            writer.close()
        return f"{source.strip()}: {removed} passage(s) removed"

    def _writer(self) -> Any:
        """A pipeline of its own for a write (questions in flight keep theirs), sharing the
        loaded embedder; readers switch to what it writes on their next question."""
        return self.chain.pipeline.reopened()

    def _public(self, error: object) -> str:
        """An error as /healthz shows it: the data folder named by its setting, not its path."""
        text = str(error)
        for folder in {str(self.settings.data_dir.resolve()), str(self.settings.data_dir)}:
            text = text.replace(folder, "$BUDGETQA_DATA_DIR")
        return text

    def health(self) -> dict[str, Any]:
        """Whether questions can be answered now, checked on the store that answers them: the
        current store generation (switching to it, as a question would)."""
        info: dict[str, Any] = {"status": self.status, "ready": self.status == "ready"}
        if self.error:
            info["error"] = self._public(self.error)
        if self.chain is not None:
            try:
                pipeline = self.chain.follow_store()
                info["passages"] = pipeline.store.count()
                info["embedding_model"] = pipeline.store.model_id
                info["generation"] = pipeline.stamp
            except BudgetQAError as exc:  # the store went away or broke under a running server
                info.update(status="error", ready=False, error=f"store unavailable: {self._public(exc)}")
                return info
            if info["ready"] and info["passages"] == 0:
                info.update(
                    status="empty",
                    ready=False,
                    error="the store is empty or was removed: run 'budgetqa ingest' to fill it",
                )
        return info
