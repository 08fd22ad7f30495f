"""Read a source file into cleaned lines plus document metadata.

Formats: ``.txt`` and ``.md`` (read as text), ``.html``/``.htm`` (the DOM is pruned first, see
``html_to_lines``). Anything else is an ``IngestError`` with a one-line message; so is a file
that is empty, binary, or in an encoding other than UTF-8 or CP949/EUC-KR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from budgetqa.errors import IngestError
from budgetqa.places import document_city
from budgetqa.types import DocumentMeta
from ingest.clean import CleanDocument, clean_lines
from ingest.html import html_to_lines
from ingest.tables import convert_tables

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm")
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadedDocument:
    meta: DocumentMeta
    body: CleanDocument
    path: str  # resolved absolute path: the key that a re-ingest replaces


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
    meta = DocumentMeta(
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
    )
    return LoadedDocument(meta, body, str(path.resolve()))


_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)]*)\)")


def _strip_markdown(line: str) -> str:
    """Markdown to plain text, keeping the structure marks that the cleaner reads (#, -, >)."""
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    if line.startswith(">"):
        line = line.lstrip("> ").strip()
    return line
