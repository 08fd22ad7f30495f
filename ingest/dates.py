"""Dates in Korean and English press text -> ISO 8601 (YYYY-MM-DD)."""

from __future__ import annotations

import re

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
NUMERIC = re.compile(r"(\d{4})\s*(?:년|[.\-/])\s*(\d{1,2})\s*(?:월|[.\-/])\s*(\d{1,2})")
MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})\b")
DAY_FIRST = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def parse_date(text: str) -> str:
    """The first date in ``text`` as YYYY-MM-DD, or "" when there is none."""
    found: list[tuple[int, str]] = []
    if m := NUMERIC.search(text):
        found.append((m.start(), _iso(m.group(1), m.group(2), m.group(3))))
    if (m := MONTH_FIRST.search(text)) and m.group(1).lower() in MONTHS:
        found.append((m.start(), _iso(m.group(3), MONTHS[m.group(1).lower()], m.group(2))))
    if (m := DAY_FIRST.search(text)) and m.group(2).lower() in MONTHS:
        found.append((m.start(), _iso(m.group(3), MONTHS[m.group(2).lower()], m.group(1))))
    found = [f for f in found if f[1]]
    return min(found)[1] if found else ""


def _iso(year: str | int, month: str | int, day: str | int) -> str:
    y, mo, d = int(year), int(month), int(day)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return ""
    return f"{y:04d}-{mo:02d}-{d:02d}"
