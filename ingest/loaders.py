"""Read a source file into cleaned lines plus document metadata.

Formats: ``.txt`` and ``.md`` (read as text), ``.html``/``.htm`` (the DOM is pruned first, see
``html_to_lines``): these are pages with boilerplate, cleaned by ``ingest.clean``. ``.pdf``,
``.docx``, ``.xlsx``, ``.csv`` and ``.hwpx`` are read by ``ingest.formats`` into headings,
paragraphs and table rows with their page numbers; they have no page boilerplate, so nothing is
dropped. Anything else is an ``IngestError`` with a one-line message; so is a file that is
empty, binary where text is expected, or in an encoding other than UTF-8 or CP949/EUC-KR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetqa.errors import IngestError
from budgetqa.places import document_city
from budgetqa.types import DocumentMeta
from ingest.clean import CleanDocument, clean_lines, structured_document
from ingest.html import html_to_lines
from ingest.tables import convert_tables

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
STRUCTURED_SUFFIXES = (".pdf", ".docx", ".xlsx", ".csv", ".hwpx", ".hwp")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + STRUCTURED_SUFFIXES
MAGIC = {".pdf": b"%PDF", ".docx": b"PK", ".xlsx": b"PK", ".hwpx": b"PK", ".hwp": b"\xd0\xcf\x11\xe0"}
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_STRUCTURED_BYTES = 200 * 1024 * 1024  # a budget book PDF runs to hundreds of pages


@dataclass(frozen=True)
class LoadedDocument:
    meta: DocumentMeta
    body: CleanDocument
    path: str  # resolved absolute path: the key that a re-ingest replaces
    warnings: tuple[str, ...] = ()  # e.g. PDF pages without a text layer
    pages: int = 0  # for paged formats (PDF)


def read_text(path: Path) -> str:
    """Decode a text file: UTF-8 (with or without BOM), else CP949 (a superset of EUC-KR)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"{path}: file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if not data.strip():
        raise IngestError(f"{path}: file is empty")
    if b"\x00" in data[:4096]:
        raise IngestError(f"{path}: looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{path}: not UTF-8 or CP949/EUC-KR text; convert it to UTF-8 first")


def load_document(path: str | Path) -> LoadedDocument:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            f"{path}: unsupported file type '{suffix or '(none)'}'; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    if suffix in STRUCTURED_SUFFIXES:
        return _load_structured(path, suffix)
    text = read_text(path)
    hints: dict[str, str] = {}
    if suffix in (".html", ".htm"):
        lines, hints = html_to_lines(text)
    else:
        lines = text.splitlines()
        if suffix == ".md":
            lines = [_strip_markdown(line) for line in lines]
    body = clean_lines(convert_tables(lines), hints)
    if not body.blocks:
        raise IngestError(f"{path}: no article text found after removing page boilerplate")
    return LoadedDocument(_meta(path, body), body, str(path.resolve()))


def _load_structured(path: Path, suffix: str) -> LoadedDocument:
    from ingest import formats

    try:
        size = path.stat().st_size
        with path.open("rb") as file:
            head = file.read(8)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size == 0:
        raise IngestError(f"{path}: file is empty")
    if size > MAX_STRUCTURED_BYTES:
        raise IngestError(f"{path}: file is larger than {MAX_STRUCTURED_BYTES // 2**20} MiB")
    if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
        raise IngestError(
            f"{path}: not a {suffix[1:].upper()} file (its content says otherwise); check its type"
        )
    warnings: list[str] = []
    count = 0
    if suffix == ".pdf":
        pages, warnings, count = formats.read_pdf(path)
    elif suffix == ".docx":
        pages = formats.read_docx(path)
    elif suffix == ".xlsx":
        pages = formats.read_xlsx(path)
    elif suffix == ".hwpx":
        pages = formats.read_hwpx(path)
    elif suffix == ".hwp":
        pages = formats.read_hwp(path)
    else:
        pages = formats.read_csv(path, read_text(path))
    body = structured_document(pages)
    if not body.blocks:
        raise IngestError(f"{path}: no text found in the document")
    return LoadedDocument(
        _meta(path, body, pages=count), body, str(path.resolve()), warnings=tuple(warnings), pages=count
    )


def _meta(path: Path, body: CleanDocument, pages: int = 0) -> DocumentMeta:
    return DocumentMeta(
        source=path.name,
        title=body.fields.get("title", ""),
        publisher=body.fields.get("publisher", ""),
        date=body.fields.get("date", ""),
        time=body.fields.get("time", ""),
        reporter=body.fields.get("reporter", ""),
        contact=body.fields.get("contact", ""),
        url=body.fields.get("url", ""),
        lang=body.lang,
        city=document_city(body.fields.get("title", ""), " ".join(b.text for b in body.blocks)),
        format={"htm": "html"}.get(path.suffix.lower().lstrip("."), path.suffix.lower().lstrip(".")),
        pages=pages,
    )


_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")


def _strip_markdown(line: str) -> str:
    """Markdown to plain text, keeping the structure marks that the cleaner reads (#, -, >)."""
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    if line.startswith(">"):
        line = line.lstrip("> ").strip()
    return line
