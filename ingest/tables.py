"""Tables as facts: each row becomes a line that carries its column headers and its unit.

Markdown tables ("| a | b |"), pipe-separated text rows ("2021년 | 724 | 310") and HTML tables
(turned into pipe rows by ``ingest.html``) are read the same way:

- a two-column table whose first column holds short keys ("| 보도일시 | 2023. 1. 12. |") is a
  list of fields: "보도일시: 2023. 1. 12." lines, which the header reader understands;
- any other table gives an intro line (its headers and unit) and one list line per row:
  "시 본청 — 2023년 사업 수: 112건, 2023년 예산: 412억 원, 증감: +36억 원". A bare number gets
  the table's unit ("(단위: 억원)", "(KRW billion)", or its column header's own unit), so that
  amounts are understood by value ("2,640" in 백만원 is 26.4억 원) and the numeric guard accepts
  them. Count and share columns get their own units instead.

Limits: the first row is the header (multi-row headers are read as data rows); merged cells
are read as empty; a cell's unit comes from its column header or the table's unit line.
"""

from __future__ import annotations

import re

PIPE_ROW = re.compile(r"^\|.*\|$")
TEXT_ROW = re.compile(r"^[^|]+(?:\s\|\s[^|]*){2,}$")
SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
UNIT_LINE = re.compile(
    r"단위\s*[:：]?\s*([^)\]]+)|\(\s*(?:in\s+)?((?:KRW|US\$|USD)\s*[\w ]+|[\w ]*\bwon)\s*\)", re.I
)
NUMBER_CELL = re.compile(r"^[+\-−△▲▽]?\s*\d[\d,]*(?:\.\d+)?$")
COUNT_HEADER = re.compile(
    r"사업\s*수|과제\s*수|건수|개수|수$|인원|대수|\bprojects?\b|\bcount\b|\bnumber\b|\bno\.|firms|companies|units",
    re.I,
)
PERCENT_HEADER = re.compile(r"%|비율|비중|증감률|증가율|\bshare\b|\brate\b|percent", re.I)
KEY_MAX = 12


def is_table_row(line: str) -> bool:
    line = line.strip()
    return bool(PIPE_ROW.match(line) or SEPARATOR.match(line) or TEXT_ROW.match(line))


def cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [re.sub(r"\*\*|__", "", c).strip() for c in line.split("|")]


def convert_tables(lines: list[str]) -> list[str]:
    """``lines`` with every table run replaced by field lines or an intro and row lines."""
    out: list[str] = []
    n = 0
    while n < len(lines):
        end = n
        while end < len(lines) and lines[end].strip() and is_table_row(lines[end]):
            end += 1
        rows = [cells(line) for line in lines[n:end] if not SEPARATOR.match(line.strip())]
        if end - n >= 2 and len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            unit = _table_unit(out)
            out.extend(render_table(rows, unit))
            n = end
        else:
            out.append(lines[n])
            n += 1
    return out


def _table_unit(before: list[str]) -> str:
    """The unit stated just above a table ("(단위: 억원)", "Budget (KRW billion)"); the unit
    line itself is dropped from the text (it lives on in every row)."""
    seen = 0
    for i in range(len(before) - 1, -1, -1):
        line = before[i].strip()
        if not line:
            continue
        seen += 1
        match = UNIT_LINE.search(line)
        if match:
            if re.fullmatch(r"[\[(]?\s*단위\s*[:：]?[^)\]]*[)\]]?", line):
                del before[i]
            return (match.group(1) or match.group(2) or "").strip()
        if seen >= 2:
            return ""
    return ""


def render_table(rows: list[list[str]], unit: str) -> list[str]:
    if _is_fields(rows):
        return [f"{r[0]}: {r[1]}" for r in rows if r[0] and len(r) > 1 and r[1]]
    header, data = rows[0], rows[1:]
    intro = " | ".join(h for h in header if h)
    label = "단위" if re.search(r"[가-힣]", unit) else "unit"
    lines = [f"{intro} ({label}: {unit})" if unit else intro]
    for row in data:
        filled = [(header[k] if k < len(header) else "", c) for k, c in enumerate(row) if c]
        if not filled:
            continue
        label = filled[0][1]
        parts = [f"{h}: {with_unit(c, h, unit)}" if h else with_unit(c, h, unit) for h, c in filled[1:]]
        lines.append(f"- {label} — {', '.join(parts)}" if parts else f"- {label}")
    return lines


def _is_fields(rows: list[list[str]]) -> bool:
    return all(len(r) == 2 for r in rows) and all(
        0 < len(r[0]) <= KEY_MAX and not NUMBER_CELL.match(r[0]) for r in rows
    )


def with_unit(cell: str, header: str, unit: str) -> str:
    """A bare number with the unit of its column (or of the table)."""
    if not NUMBER_CELL.match(cell):
        return cell
    own = re.search(r"\(([^)]*)\)", header)
    column_unit = own.group(1) if own and unit_suffix(own.group(1), cell) else ""
    if column_unit:
        return cell + unit_suffix(column_unit, cell)
    if PERCENT_HEADER.search(header):
        return f"{cell}%"
    if COUNT_HEADER.search(header):
        english = re.search(r"\b(projects?|firms|companies|units)\b", header, re.I)
        return f"{cell} {english.group(1).lower()}" if english else f"{cell}건"
    return cell + unit_suffix(unit, cell) if unit else cell


def unit_suffix(unit: str, cell: str) -> str:
    """What to write after a number for a unit line's unit ("억원" -> "억 원")."""
    u = unit.lower().replace(" ", "")
    table = [
        ("krw100million", "억 원"),
        ("100millionwon", "억 원"),
        ("조원", "조 원"),
        ("억원", "억 원"),
        ("백만원", "백만원"),
        ("천원", "천원"),
        ("krwtrillion", " trillion won"),
        ("trillionwon", " trillion won"),
        ("krwbillion", " billion won"),
        ("billionwon", " billion won"),
        ("krwbn", " billion won"),
        ("krwmillion", " million won"),
        ("millionwon", " million won"),
        ("%", "%"),
        ("원", "원"),
    ]
    for key, suffix in table:
        if key in u:
            return suffix
    return ""
