"""Ingest files and folders into the store: idempotent, replace-on-change, prune-on-delete.

For each file: load (decode, clean, metadata) -> split -> tokenize -> replace its passages.
A file whose bytes and chunker version are unchanged is skipped without embedding anything.
A file that fails gets a one-line error in the report and the rest of the folder goes on.
Documents that were ingested from a folder and no longer exist in it are removed.
"""

from __future__ import annotations

import hashlib
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from budgetqa.errors import BudgetQAError, IngestError
from budgetqa.korean import search_tokens
from budgetqa.types import Passage
from ingest.loaders import SUPPORTED_SUFFIXES, LoadedDocument, load_document
from ingest.split import split_document
from ingest.units import analyse, split_units
from retrieve.glossary import cross_language_terms, glossary_digest
from store.chroma import CHUNKER_VERSION, DocumentRows, PassageStore

T = TypeVar("T")
EMBED_TEXTS = 512  # unit texts gathered across files before they are embedded and written
FIRST_EMBED_TEXTS = 32  # the first batch is small: the embedder starts once a few files are read
PREFETCH = 64  # files read ahead of the embedder: more than one flush (EMBED_TEXTS) holds


@dataclass
class IngestReport:
    files: int = 0
    ingested: int = 0
    unchanged: int = 0
    added: int = 0
    removed: int = 0
    pruned_files: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # ingested, with a caveat (scanned PDF pages)
    outcomes: list[str] = field(default_factory=list)  # one line per file: what happened to it

    def summary(self) -> str:
        text = (
            f"{self.files} file(s): {self.ingested} ingested, {self.unchanged} unchanged; "
            f"{self.added} passage(s) added, {self.removed} removed"
        )
        if self.pruned_files:
            text += f"; {self.pruned_files} deleted file(s) pruned"
        if self.errors:
            text += f"; {len(self.errors)} error(s)"
        return text


def collect_files(paths: Iterable[Path], report: IngestReport) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and the folders they came from (for pruning deleted files)."""
    files: list[Path] = []
    folders: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folders.append(path.resolve())
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(
                    part.startswith(".") for part in child.relative_to(path).parts
                ):
                    files.append(child)
        elif path.is_file():
            files.append(path)
        else:
            report.errors.append(f"{path}: no such file or folder")
    return files, folders


def ingest_paths(store: PassageStore, paths: Iterable[Path], progress: bool = True) -> IngestReport:
    """Ingest ``paths`` (files and folders). Three threads keep the embedder busy: one reads,
    splits and tokenizes the files ahead (``prefetch``), the calling thread embeds texts of
    several files at once (``EMBED_TEXTS``), and one writes each embedded batch to Chroma while
    the next is embedded (one write at a time, in order)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from tqdm import tqdm

    report = IngestReport()
    files, folders = collect_files(paths, report)
    report.files = len(files)
    known = store.document_keys()
    bar = tqdm(
        total=len(files),
        desc="ingest",
        unit="file",
        disable=not progress or not sys.stderr.isatty(),
        file=sys.stderr,
    )
    Batch = list[tuple[int, Prepared]]  # prepared files, by outcome slot
    pending: Batch = []
    writing: list[tuple[Batch, Future[list[tuple[int, int]]]]] = []  # the write in flight

    def skipped(batch: Batch, exc: BudgetQAError) -> None:
        for slot, p in batch:
            report.errors.append(f"{p.path}: {exc}")
            report.outcomes[slot] = f"{p.path.name}: skipped: {exc}"
        bar.update(len(batch))

    def settle() -> None:
        """Wait for the write in flight and put its outcome in the report."""
        if not writing:
            return
        batch, future = writing.pop()
        try:
            results = future.result()
        except BudgetQAError as exc:
            skipped(batch, exc)
            return
        for (slot, p), (added, removed) in zip(batch, results, strict=True):
            report.ingested += 1
            report.added += added
            report.removed += removed
            report.warnings.extend(p.doc.warnings)
            pages = f", {p.doc.pages} pages" if p.doc.pages else ""
            report.outcomes[slot] = (
                f"{p.path.name}: ingested ({p.doc.meta.format}{pages}, {len(p.rows.passages)} passages)"
                + (f"; {'; '.join(p.doc.warnings)}" if p.doc.warnings else "")
            )
        bar.update(len(batch))

    def flush(writer: ThreadPoolExecutor) -> None:
        batch = pending.copy()
        pending.clear()
        if not batch:
            return
        try:
            rows = store.embed_rows([p.rows for _, p in batch])
        except BudgetQAError as exc:
            skipped(batch, exc)
            return
        settle()
        writing.append((batch, writer.submit(store.write_rows, rows)))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-write") as writer:
        limit = FIRST_EMBED_TEXTS
        for path, prepared in prefetch(files, lambda f: prepare(f, known)):
            report.outcomes.append("")
            slot = len(report.outcomes) - 1
            if isinstance(prepared, BudgetQAError):
                report.errors.append(str(prepared))
                report.outcomes[slot] = f"{path.name}: skipped: {str(prepared).split(': ', 1)[-1]}"
                bar.update(1)
            elif prepared is None:
                report.unchanged += 1
                report.outcomes[slot] = f"{path.name}: unchanged"
                bar.update(1)
            else:
                pending.append((slot, prepared))
                if sum(len(u) for _, p in pending for u in p.rows.unit_texts) >= limit:
                    flush(writer)
                    limit = EMBED_TEXTS
        flush(writer)
        settle()
    bar.close()
    seen = {str(f.resolve()) for f in files}
    for path in known:
        in_folder = any(Path(path).is_relative_to(folder) for folder in folders)
        if in_folder and path not in seen and not Path(path).exists():
            report.removed += store.remove_document(path)
            report.pruned_files += 1
    return report


@dataclass
class Prepared:
    """A file read, split and tokenized: ready for the embedder."""

    path: Path
    doc: LoadedDocument
    rows: DocumentRows


def prepare(path: Path, known: dict[str, str]) -> Prepared | BudgetQAError | None:
    """Load, split and tokenize one file; None when it is unchanged since its last ingest, the
    error when it cannot be read (returned, not raised: the batch goes on)."""
    try:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise IngestError(
                f"{path}: unsupported file type '{path.suffix or '(none)'}'; "
                f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
            )
        key = _ingest_key(path)
        if known.get(str(path.resolve())) == key:
            return None
        doc = load_document(path)
        passages = split_document(doc)
        rows = DocumentRows(
            doc.path,
            key,
            passages,
            [unit_texts(p) for p in passages],
            [search_tokens(index_text(p)) for p in passages],
            [analyse(p.text, p.section, p.meta.title).to_json() for p in passages],
        )
        return Prepared(path, doc, rows)
    except BudgetQAError as exc:
        return exc


def prefetch(items: list[Path], work: Callable[[Path], T], ahead: int = PREFETCH) -> Iterator[tuple[Path, T]]:
    """``(item, work(item))`` in order, computed by one background thread up to ``ahead`` items
    before the consumer."""
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read") as pool:
        queue: deque[tuple[Path, Future[T]]] = deque()
        feed = iter(items)
        for item in feed:
            queue.append((item, pool.submit(work, item)))
            if len(queue) >= ahead:
                break
        while queue:
            item, future = queue.popleft()
            nxt = next(feed, None)
            if nxt is not None:
                queue.append((nxt, pool.submit(work, nxt)))
            yield item, future.result()


def unit_texts(passage: Passage) -> list[str]:
    """What is embedded for a passage: each of its units, with the other language's terms for
    it (``retrieve.glossary.cross_language_terms``), so English questions reach Korean units."""
    out = []
    for unit in split_units(passage.text):
        extra = cross_language_terms(unit.text)
        out.append(f"{unit.embed_text()}\n{extra}" if extra else unit.embed_text())
    return out


def index_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: title/section context, the text, and the other
    language's terms for it (see ``retrieve.glossary.cross_language_terms``)."""
    text = passage.embedding_text()
    extra = cross_language_terms(passage.text)
    return f"{text}\n{extra}" if extra else text


def _ingest_key(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    # the glossary shapes what is indexed (other-language terms): editing it re-indexes
    return hashlib.sha256(
        data + f"\nchunker={CHUNKER_VERSION}\nglossary={glossary_digest()}".encode()
    ).hexdigest()
