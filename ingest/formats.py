"""Readers for documents that are not plain text: PDF, DOCX, XLSX, CSV and HWPX.

Each reader turns a file into pages of lines in the form the text path already understands
(``ingest.loaders``): paragraphs as lines, headings as "# ..." lines, and tables as "| a | b |"
rows after their caption and unit line ("(단위: 백만원)"), which ``ingest.tables`` turns into
one fact per row that carries its column headers and unit. A page is (page number, lines);
formats without pages give one page numbered 0.

Libraries (all permissive, all on PyPI with wheels, no system packages):
- PDF text: ``pypdfium2`` (Apache-2.0/BSD-3; PDFium, the fastest and most faithful text layer);
  PDF tables: ``pdfplumber`` (MIT), which finds ruled tables and their cells. A page with no text
  layer (a scan) is reported by page number, never silently empty.
- DOCX: ``python-docx`` (MIT), paragraphs and tables in body order, heading styles as headings.
- XLSX: ``openpyxl`` (MIT), each sheet a table (first non-empty row the header); CSV: the
  standard library, UTF-8 or CP949.
- HWPX (the open, zipped-XML Hangul format): read here with ``zipfile`` and ``xml.etree``:
  paragraphs (``hp:p``/``hp:t``) and table cells (``hp:tbl``/``hp:tr``/``hp:tc``) in order.
- HWP 5 (the binary Hangul format): ``hwp2markdown`` (MIT, pure Python over ``olefile``), which
  gives Markdown with headings, lists and tables; compared with the others in ``docs/HWP.md``.

Limits: merged cells are read as empty cells; a table's first row is its header; a PDF table
without ruling lines is read as text lines; an encrypted PDF is refused (no password prompt).
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from budgetqa.errors import IngestError

Page = tuple[int, list[str]]
PAGE_BAR_FROM = 20  # PDFs of this many pages get a page progress bar on a terminal
UNIT_HINT = re.compile(r"단위\s*[:：]|\(\s*(?:in\s+)?(?:KRW|US\$|USD)|\bwon\)", re.I)


def table_lines(rows: list[list[str]]) -> list[str]:
    """Rows of cells as "| a | b |" lines (empty rows dropped, newlines inside cells joined)."""
    out = []
    for row in rows:
        cleaned = [" ".join(str(c or "").split()).replace("|", "/") for c in row]
        if any(cleaned):
            out.append("| " + " | ".join(cleaned) + " |")
    return out if len(out) >= 2 else []


# -- PDF ------------------------------------------------------------------------------------------
def read_pdf(path: Path) -> tuple[list[Page], list[str], int]:
    """Pages of lines, warnings (pages without a text layer), and the page count."""
    import pdfplumber
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = "it is encrypted (remove the password first)" if "password" in str(exc).lower() else str(exc)
        raise IngestError(f"{path}: cannot read the PDF: {reason}") from None
    pages: list[Page] = []
    scanned: list[int] = []
    total = len(pdf)
    try:
        plumber = pdfplumber.open(str(path))
    except Exception:  # tables are a bonus: the text layer alone still reads
        plumber = None
    from tqdm import tqdm

    # a long PDF shows its own page bar under the file bar (on a terminal)
    bar = tqdm(
        total=total,
        desc=path.name[:30],
        unit="page",
        position=1,
        leave=False,
        file=sys.stderr,
        disable=total < PAGE_BAR_FROM or not sys.stderr.isatty(),
    )
    try:
        for number, page in enumerate(pdf, start=1):
            bar.update(1)
            text = page.get_textpage().get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            lines = [line.strip() for line in text.split("\n")]
            if not any(lines):
                scanned.append(number)
                continue
            tables = _pdf_tables(plumber, number) if plumber is not None else []
            pages.append((number, _merge_tables(lines, tables)))
    finally:
        bar.close()
        if plumber is not None:
            plumber.close()
        pdf.close()
    warnings = []
    if scanned:
        shown = ", ".join(str(n) for n in scanned[:10]) + (" ..." if len(scanned) > 10 else "")
        warnings.append(f"{path.name}: no text layer on page(s) {shown} (scanned? run OCR first); skipped")
    if not pages:
        raise IngestError(f"{path}: no page has a text layer (a scanned PDF?); run OCR first")
    return pages, warnings, total


def _pdf_tables(plumber: object, number: int) -> list[list[list[str]]]:
    try:
        page = plumber.pages[number - 1]  # type: ignore[attr-defined]
        return [t for t in page.extract_tables() if t and len(t) >= 2]
    except Exception:
        return []


def _merge_tables(lines: list[str], tables: list[list[list[str]]]) -> list[str]:
    """The page's text lines with each ruled table's rows replaced by "| ... |" rows (placed
    where the table's first row was)."""
    out = list(lines)
    for table in tables:
        rows = [[str(c or "").strip() for c in row] for row in table]
        keys = [" ".join(" ".join(r).split()) for r in rows]
        found = [i for i, line in enumerate(out) if " ".join(line.split()) in keys and line.strip()]
        rendered = table_lines(rows)
        if not rendered:
            continue
        at = found[0] if found else len(out)
        out = [line for i, line in enumerate(out) if i not in set(found)]
        out[at:at] = ["", *rendered, ""]
    return out


# -- DOCX -----------------------------------------------------------------------------------------
def read_docx(path: Path) -> list[Page]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise IngestError(f"{path}: cannot read the DOCX ({type(exc).__name__})") from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if text and style.lower().startswith(("heading", "title", "제목")):
                lines += ["", f"# {text}", ""]
            elif text:
                lines += [text, ""]
        elif tag == "tbl":
            table = Table(child, document)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            lines += ["", *table_lines(_dedupe_merged(rows)), ""]
    return [(0, lines)]


def _dedupe_merged(rows: list[list[str]]) -> list[list[str]]:
    """python-docx repeats a merged cell's text in every grid cell it spans: keep the first."""
    out = []
    for row in rows:
        cleaned: list[str] = []
        for n, cell in enumerate(row):
            cleaned.append("" if n and cell == row[n - 1] and cell else cell)
        out.append(cleaned)
    return out


# -- XLSX / CSV -----------------------------------------------------------------------------------
def read_xlsx(path: Path) -> list[Page]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"{path}: cannot read the XLSX ({type(exc).__name__})") from None
    lines: list[str] = []
    try:
        for sheet in book.worksheets:
            rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            lines += ["", f"# {sheet.title}", *_sheet_lines(rows), ""]
    finally:
        book.close()
    return [(0, lines)]


def read_csv(path: Path, text: str) -> list[Page]:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise IngestError(f"{path}: not a readable CSV ({exc})") from None
    return [(0, ["", f"# {path.stem}", *_sheet_lines(rows)])]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _sheet_lines(rows: list[list[str]]) -> list[str]:
    """A sheet's text lines: single-cell rows before the table (caption, unit line) as lines,
    then the table from its first row with two or more cells."""
    rows = [[c.strip() for c in row] for row in rows if any(str(c).strip() for c in row)]
    lines: list[str] = []
    start = 0
    while start < len(rows) and sum(1 for c in rows[start] if c) < 2:
        lines.append(next(c for c in rows[start] if c))
        start += 1
    width = max((len(r) for r in rows[start:]), default=0)
    table = [r + [""] * (width - len(r)) for r in rows[start:]]
    return [*lines, "", *table_lines(table)]


# -- HWP 5 --------------------------------------------------------------------------------------
MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def read_hwp(path: Path) -> list[Page]:
    import hwp2md

    try:
        result = hwp2md.convert_bytes(path.read_bytes(), filename=path.name)
    except hwp2md.EncryptedDocumentError:
        raise IngestError(f"{path}: the HWP is encrypted (remove the password first)") from None
    except hwp2md.DrmProtectedError:
        raise IngestError(f"{path}: the HWP is DRM-protected; export it without protection") from None
    except hwp2md.Hwp2mdError as exc:
        raise IngestError(f"{path}: cannot read the HWP ({' '.join(str(exc).split())[:120]})") from None
    except Exception as exc:  # a parser bug on an odd file must not stop the batch
        raise IngestError(f"{path}: cannot read the HWP ({type(exc).__name__})") from None
    lines = []
    for line in result.markdown.splitlines():
        line = MD_LINK.sub(r"\1", MD_IMAGE.sub("", line)).replace("<br>", " ")
        if line.strip().startswith("|") and not line.replace("|", "").strip():
            continue  # a table row left empty once its images are gone
        lines.append(line)
    return [(0, _field_pairs(_unbox(lines)))]


def _row(line: str) -> list[str] | None:
    line = line.strip()
    if not (line.startswith("|") and line.endswith("|")) or re.fullmatch(r"[|\-: ]+", line):
        return None
    return [c.strip() for c in line[1:-1].split("|")]


def _unbox(lines: list[str]) -> list[str]:
    """A one-cell table (a title or summary box, common in press releases) is a paragraph."""
    out = []
    for n, line in enumerate(lines):
        cells = _row(line)
        neighbours = [_row(x) for x in lines[max(0, n - 1) : n] + lines[n + 1 : n + 3]]
        if cells is not None and len(cells) == 1 and not any(c and len(c) > 1 for c in neighbours if c):
            out.append(cells[0])
        elif re.fullmatch(r"\|[\-: ]+\|", line.strip()) and out and _row(lines[n - 1]) is None:
            continue  # the separator of a table that became a paragraph
        else:
            out.append(line)
    return out


def _field_pairs(lines: list[str]) -> list[str]:
    """Rows of four cells that are two key/value pairs ("| 배포일시 | 2018. 9. 3. | 담당부서 | … |",
    a press release's header) as two-cell rows, which ``ingest.tables`` reads as fields."""
    out = []
    for line in lines:
        cells = _row(line)
        if cells and len(cells) == 4 and all(0 < len(cells[i]) <= 12 for i in (0, 2)) and cells[1]:
            out += [f"| {cells[0]} | {cells[1]} |", f"| {cells[2]} | {cells[3]} |"]
        elif (
            cells
            and len(cells) == 4
            and 0 < len(cells[0]) <= 12
            and cells[1]
            and not cells[2]
            and not cells[3]
        ):
            out.append(f"| {cells[0]} | {cells[1]} |")
        elif re.fullmatch(r"\|(?:\s*-{3,}\s*\|){4}", line.strip()):
            out.append("|---|---|")
        else:
            out.append(line)
    return out


# -- HWPX -----------------------------------------------------------------------------------------
HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"


def read_hwpx(path: Path) -> list[Page]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(
                (n for n in archive.namelist() if re.match(r"Contents/section\d+\.xml$", n)),
                key=lambda n: int(re.findall(r"\d+", n)[-1]),
            )
            if not names:
                raise IngestError(f"{path}: not an HWPX document (no Contents/section*.xml)")
            sections = [archive.read(n) for n in names]
    except zipfile.BadZipFile:
        raise IngestError(f"{path}: not an HWPX document (not a zip archive)") from None
    lines: list[str] = []
    for data in sections:
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as exc:
            raise IngestError(f"{path}: broken HWPX section XML ({exc})") from None
        _hwpx_lines(root, lines)
    return [(0, lines)]


def _hwpx_lines(element: ElementTree.Element, lines: list[str]) -> None:
    """Paragraphs and tables in document order; a table's cells are not read again as
    paragraphs."""
    for child in element:
        if child.tag == f"{HP}tbl":
            rows = []
            for tr in child.iter(f"{HP}tr"):
                rows.append([" ".join(_texts(tc)) for tc in tr.iter(f"{HP}tc")])
            lines += ["", *table_lines(rows), ""]
        elif child.tag == f"{HP}p":
            if any(grand.tag == f"{HP}tbl" for grand in child.iter()):
                _hwpx_lines(child, lines)  # a paragraph that holds a table: read in order
                continue
            text = "".join(t.text or "" for t in child.iter(f"{HP}t")).strip()
            if text:
                lines += [text, ""]
        else:
            _hwpx_lines(child, lines)


def _texts(element: ElementTree.Element) -> list[str]:
    return [t.text.strip() for t in element.iter(f"{HP}t") if t.text and t.text.strip()]
