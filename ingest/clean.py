"""Line cleaner: page chrome out, metadata fields out, article blocks in.

Used for every format (HTML arrives here as lines, see ``ingest.html``). The rules are general
news/press-release heuristics, applied in this order:

1. **Header fields** ("제목:", "Title:", "발행:", "Source:", "기사입력 :", "Published:", ...) in
   the first lines become metadata and leave the body.
2. **Title**: the title field, else the HTML <title>, else the line just above the date line
   ("기사입력 : 2023년01월25일"). Everything above the title line is site chrome (menus, logos).
3. **End of article**: the body stops at a signature line that is only an e-mail address (the
   reporter's byline, kept as ``contact``) or at a section marker for other content
   ("[... 베스트 기사]", "관련기사", "많이 본 뉴스", "Related articles", "Copyright", ...).
   Other stories, stock widgets, shopping links and "go to top" links all live below it.
4. **Line rules** inside the body:
   - widget runs: two or more consecutive short lines (< 25 characters, no digits, not a
     finished sentence) are menus, font-size or translation widgets;
   - photo captions: short lines ending in a credit such as "[서울=뉴스핌]" or starting with "사진";
   - rules and lines without letters or digits;
   - the dateline "[서울=뉴스핌] 조정한 기자 =" gives publisher and reporter.
5. **Structure**: "# ..." lines (Markdown or HTML headings) and short lines without final
   punctuation followed by text are headings (section context, not evidence); lines starting
   with "-", "*", "•", "▲" are list items; the rest are paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from budgetqa.korean import CONTROL, HANGUL, is_korean
from ingest.dates import parse_date

FIELD_KEYS = {
    "title": ("제목", "title", "headline"),
    "publisher": ("발행", "출처", "매체", "source", "publisher"),
    "date": (
        "보도일시",
        "보도일",
        "배포일시",
        "공고일",
        "게시일",
        "기사입력",
        "입력",
        "발행일",
        "게재일",
        "등록",
        "등록일",
        "작성일",
        "published",
        "posted",
        "date",
    ),
    "updated": ("최종수정", "수정", "updated", "modified"),
    "reporter": ("기자", "작성자", "reporter", "author", "by"),
    "contact": ("문의", "contact"),
}
_KEY_TO_FIELD = {k: f for f, keys in FIELD_KEYS.items() for k in keys}
FIELD_LINE = re.compile(r"^([가-힣A-Za-z ]{1,12}?)\s*[:：]\s*(.+)$")
# "입력 2024.03.05 10:00": a date key without a colon, followed by a date
DATE_LINE = re.compile(
    r"^(기사입력|입력|등록일?|발행일|게재일|작성일|published|posted)\s+(\d.*|[A-Za-z]+\.? \d.*)$", re.I
)
HEADER_ZONE = 20  # header fields are looked for in the first N non-blank lines
END_MARKERS = [
    re.compile(r"^\[[^\]]*(베스트|인기|추천|관련|많이\s*본|주요|포토)[^\]]*(기사|뉴스)\]$"),
    re.compile(
        r"^(관련\s*기사|관련\s*뉴스|많이\s*본\s*(뉴스|기사)|인기\s*기사|추천\s*기사|"
        r"이\s*시각\s*(주요|인기)|related (articles|stories|news)|most (read|popular)|"
        r"more stories)\b",
        re.IGNORECASE,
    ),
    re.compile(r"^(copyright\b|ⓒ|©|저작권자|무단\s*전재)", re.IGNORECASE),
]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
SIGNATURE = re.compile(r"^([가-힣]{2,4}\s*(기자|특파원)\s*)?[\w.+-]+@[\w-]+(\.[\w-]+)+$")
DATELINE = re.compile(r"\[([^\]=]{1,10})=([^\]]{1,20})\]\s*([가-힣]{2,4})\s*(?:\S+\s*)?(?:기자|특파원)")
CAPTION = re.compile(r"(\[[^\]]*=[^\]]*\]|\[(사진|그래픽|자료)[^\]]*\]|\((사진|자료)\s*[=:][^)]*\))$")
URL = re.compile(r"https?://[^\s)\]>\"']+")
BULLET = re.compile(r"^(?:[-*+•·◦▪■□○●◆◇]|\d{1,2}[.)])\s+")
TERMINAL = re.compile(r"[.!?。:：…\"'”’]$|다\.?$")
SHORT = 25
HEADING_MAX = 80


@dataclass(frozen=True)
class Block:
    kind: str  # "heading" | "para" | "item"
    text: str
    section: str = ""
    page: int = 0  # the PDF page it is on (0: a format without pages)


@dataclass
class CleanDocument:
    blocks: list[Block]
    fields: dict[str, str] = field(default_factory=dict)
    lang: str = ""


TERMINAL_CODES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")


def normalize(line: str) -> str:
    """NFC, no-break spaces as spaces, and no terminal escape sequences (ANSI/OSC), control or
    bidi-override characters: a document's text cannot drive a terminal or hide its reading order."""
    line = CONTROL.sub("", TERMINAL_CODES.sub("", line))
    line = unicodedata.normalize("NFC", line).replace("\xa0", " ").replace("\u200b", "")
    return re.sub(r"\s+", " ", line).strip()


def clean_lines(raw_lines: list[str], hints: dict[str, str] | None = None) -> CleanDocument:
    hints = dict(hints or {})
    lines = [normalize(line) for line in raw_lines]
    fields, field_rows = _header_fields(lines)
    start = _title_and_start(lines, fields, field_rows, hints)
    body = [(i, lines[i]) for i in range(start, len(lines)) if i not in field_rows and lines[i]]
    body = _cut_at_end(body, fields)
    body = [(i, t) for i, t in body if not _same_text(t, fields.get("title", ""))]
    blocks = _classify(body, lines)
    _fill_fields(fields, hints, blocks)
    text = " ".join(b.text for b in blocks)
    return CleanDocument(blocks=blocks, fields=fields, lang="ko" if is_korean(text) else "en")


def _header_fields(lines: list[str]) -> tuple[dict[str, str], set[int]]:
    fields: dict[str, str] = {}
    rows: set[int] = set()
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        seen += 1
        if seen > HEADER_ZONE:
            break
        match = FIELD_LINE.match(line) or DATE_LINE.match(line)
        if not match:
            continue
        name = _KEY_TO_FIELD.get(match.group(1).strip().lower())
        if match.re is DATE_LINE and not parse_date(match.group(2)):
            continue
        if name and name not in fields:
            fields[name] = match.group(2).strip()
            rows.add(i)
    if "date" in fields:
        raw = fields["date"]
        fields["date"] = parse_date(raw)
        if time := re.search(r"(?<!\d)([01]?\d|2[0-3]):([0-5]\d)(?!\d)", raw):
            fields["time"] = f"{int(time.group(1)):02d}:{time.group(2)}"
    return fields, rows


def _field_name(line: str) -> str:
    match = FIELD_LINE.match(line) or DATE_LINE.match(line)
    return _KEY_TO_FIELD.get(match.group(1).strip().lower(), "") if match else ""


def _title_and_start(
    lines: list[str], fields: dict[str, str], field_rows: set[int], hints: dict[str, str]
) -> int:
    """Find the title; return the index where the article body starts."""
    title = fields.get("title") or hints.get("title", "")
    if title:
        fields["title"] = title
        for i, line in enumerate(lines):
            if _same_text(line, title) or (i in field_rows and title in line):
                return i + 1 if i not in field_rows else 0
        return 0
    # No title field: the headline is the last substantial line above the first date field,
    # else the first substantial line that is not a document-type label ("보도자료").
    date_rows = sorted(i for i in field_rows if _field_name(lines[i]) == "date")
    if date_rows:
        for i in range(date_rows[0] - 1, -1, -1):
            if len(lines[i]) >= 10 and i not in field_rows and not _generic_title(lines[i]):
                fields["title"] = lines[i].lstrip("# ").strip()
                return i + 1
    first = next((i for i, line in enumerate(lines) if line and i not in field_rows), None)
    for i, line in enumerate(lines):
        if len(line) >= 10 and i not in field_rows and not _generic_title(line) and not _field_like(line):
            fields["title"] = line.lstrip("# ").strip()
            return i + 1
    if first is not None:
        fields["title"] = lines[first].lstrip("# ").strip()
        return first + 1
    return 0


GENERIC_TITLES = re.compile(r"^#*\s*(보도\s*자료|press release|news release|공고|알림|notice)\s*$", re.I)
DATE_ONLY = re.compile(
    r"^\(?(?:\d{4}\s*(?:년|[.\-/])\s*\d{1,2}\s*(?:월|[.\-/])\s*\d{1,2}\s*일?\.?|[A-Za-z]+ \d{1,2}, \d{4})\)?$"
)


def _field_like(line: str) -> bool:
    """ "담당부서: 정보화담당관", "| a | b |": a header field or table row, not a headline."""
    match = FIELD_LINE.match(line)
    return "|" in line or bool(match and len(match.group(1).strip()) <= 8)


def structured_document(pages: list[tuple[int, list[str]]]) -> CleanDocument:
    """Blocks of a document read by ``ingest.formats`` (PDF, DOCX, XLSX, CSV, HWPX): headings,
    paragraphs and table rows (``ingest.tables``) per page. Such files carry no page
    boilerplate, so nothing is dropped; header lines ("작성일: 2024. 1. 5.") fill the fields as
    for text, and the title is the first heading or first short line."""
    from ingest.tables import convert_tables

    blocks: list[Block] = []
    fields: dict[str, str] = {}
    section = ""
    for number, raw in pages:
        lines = [normalize(line) for line in convert_tables(raw)]
        if not fields:  # header fields ("보도일시: ...") are read once, and are not text
            fields, field_rows = _header_fields(lines)
            lines = ["" if i in field_rows else line for i, line in enumerate(lines)]
        paragraph: list[str] = []
        # a PDF wraps a paragraph over full-width lines: a line that is nearly as wide as the
        # page's widest and does not end a sentence continues on the next line
        wide = 0.8 * max((len(line) for line in lines), default=0)

        for line in lines:
            if not line or not re.search(r"\w", line):
                _flush(paragraph, blocks, section, number)
            elif line.startswith("#"):
                _flush(paragraph, blocks, section, number)
                section = line.lstrip("#").strip()
                blocks.append(Block("heading", section, section, number))
            elif BULLET.match(line) or line.startswith("▲"):
                _flush(paragraph, blocks, section, number)
                blocks.append(Block("item", BULLET.sub("", line).strip(), section, number))
            else:
                paragraph.append(line)
                if not number or TERMINAL.search(line) or len(line) < wide or len(" ".join(paragraph)) > 1500:
                    _flush(paragraph, blocks, section, number)
        _flush(paragraph, blocks, section, number)
    blocks = _with_captions(blocks)
    if "title" not in fields:  # the first heading, else the first line of text (not a field)
        first = next((b.text for b in blocks if b.kind == "heading"), "") or next(
            (b.text for b in blocks if b.kind == "para" and not _field_like(b.text)), ""
        )
        first = re.split(r"\s+-\s+|(?<=다\.)\s", first)[0]
        if first:
            fields["title"] = first if len(first) <= 100 else first[:100].rsplit(" ", 1)[0] + " …"
    text = " ".join(b.text for b in blocks)
    return CleanDocument(blocks=blocks, fields=fields, lang="ko" if is_korean(text) else "en")


def _with_captions(blocks: list[Block]) -> list[Block]:
    """A table's caption ("표 1. 대구광역시 예산 현황 (단위: 백만원)": a short line that is not a
    sentence, just above the table) joins the table's intro line, so that every row of the
    table, and every citation of one, names its table."""
    out: list[Block] = []
    for n, block in enumerate(blocks):
        # a table's intro line is its header cells joined by " | " (``ingest.tables``)
        is_intro = (
            block.kind == "para"
            and " | " in block.text
            and n + 1 < len(blocks)
            and blocks[n + 1].kind == "item"
        )
        caption = out[-1] if out else None
        if (
            is_intro
            and caption is not None
            and caption.kind == "para"
            and caption.page == block.page
            and len(caption.text) <= 80
            and not TERMINAL.search(caption.text)
        ):
            out[-1] = Block("para", f"{caption.text} — {block.text}", block.section, block.page)
            continue
        out.append(block)
    return out


def _flush(paragraph: list[str], blocks: list[Block], section: str, page: int) -> None:
    if paragraph:
        blocks.append(Block("para", " ".join(paragraph), section, page))
        paragraph.clear()


def _generic_title(line: str) -> bool:
    return bool(GENERIC_TITLES.match(line.strip()))


def _cut_at_end(body: list[tuple[int, str]], fields: dict[str, str]) -> list[tuple[int, str]]:
    paragraphs = 0
    for n, (_, text) in enumerate(body):
        if SIGNATURE.match(text) and paragraphs >= 1:
            fields.setdefault("contact", EMAIL.search(text).group(0))  # type: ignore[union-attr]
            return body[:n]
        if any(marker.search(text) for marker in END_MARKERS):
            return body[:n]
        if len(text) >= 40:
            paragraphs += 1
    return body


def _is_short(text: str) -> bool:
    """A menu or widget line: short, no digits, not a heading mark, not a finished sentence."""
    return (
        len(text) < SHORT
        and not any(c.isdigit() for c in text)
        and not text.startswith("#")
        and not TERMINAL.search(text)
    )


def _classify(body: list[tuple[int, str]], lines: list[str]) -> list[Block]:
    # widget runs: consecutive short lines (blank lines between them do not break a run)
    drop: set[int] = set()
    run: list[int] = []
    for n, (_, text) in enumerate([*body, (-1, "x" * SHORT)]):
        plain = BULLET.sub("", text).lstrip("※").strip()
        if _is_short(plain) and not _is_heading_line(text):
            run.append(n)
            continue
        if len(run) >= 2:
            drop.update(run)
        run = []
    blocks: list[Block] = []
    section = ""
    for n, (_i, text) in enumerate(body):
        if n in drop or not re.search(r"\w", text):
            continue
        if len(text) < 60 and CAPTION.search(text) and not TERMINAL.search(text.rstrip("]")):
            continue
        nxt = body[n + 1][1] if n + 1 < len(body) else ""
        if text.startswith("#"):
            section = text.lstrip("#").strip()
            blocks.append(Block("heading", section, section))
        elif BULLET.match(text) or text.startswith("▲"):
            blocks.append(Block("item", BULLET.sub("", text).strip(), section))
        elif _is_heading_line(text) and nxt and len(nxt) > len(text):
            section = text
            blocks.append(Block("heading", text, section))
        elif _is_short(text):
            continue  # a lone menu or widget word
        else:
            blocks.append(Block("para", text, section))
    return blocks


def _is_heading_line(text: str) -> bool:
    return text.startswith("#") or (
        len(text) < HEADING_MAX
        and not TERMINAL.search(text)
        and not BULLET.match(text)
        and not text.startswith(("▲", "※", "["))
    )


def _fill_fields(fields: dict[str, str], hints: dict[str, str], blocks: list[Block]) -> None:
    """Complete metadata from the HTML head and the dateline; tidy publisher and URL."""
    source_text = fields.get("publisher", "")
    if "url" not in fields:
        match = URL.search(source_text) or URL.search(hints.get("url", ""))
        if match:
            fields["url"] = match.group(0).rstrip(".,;")
    if source_text:
        fields["publisher"] = (
            re.split(r"\s*[(,/;]|\s+보도|\s+press release", source_text)[0].strip() or source_text
        )
    for block in blocks[:5]:
        match = DATELINE.search(block.text)
        if match:
            fields.setdefault("publisher", match.group(2).strip())
            fields.setdefault("reporter", match.group(3).strip())
            break
    if "publisher" not in fields and hints.get("site"):
        fields["publisher"] = hints["site"]
    if "date" not in fields and hints.get("date"):
        fields["date"] = parse_date(hints["date"])
    if "date" not in fields:  # a notice's date stands alone on a line ("2022년 1월 28일")
        alone = next((b.text for b in blocks[:12] if DATE_ONLY.match(b.text.strip())), "")
        if alone:
            fields["date"] = parse_date(alone)
    if "reporter" not in fields and hints.get("reporter"):
        fields["reporter"] = hints["reporter"]
    fields.pop("updated", None)
    for key in [k for k, v in fields.items() if not v]:
        del fields[key]


def _same_text(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return re.sub(r"\W+", "", s.lstrip("#")).lower()

    return bool(a and b) and key(a) == key(b)


__all__ = ["HANGUL", "Block", "CleanDocument", "clean_lines"]
