"""Tables as facts and answer units: rows keep their headers and unit; ▲ items are units."""

from __future__ import annotations

from budgetqa.numbers import find_quantities
from ingest.tables import convert_tables
from ingest.units import split_units

TABLE = """(단위: 백만원)
| 사업명 | 2022년 | 2023년 |
|---|---|---|
| 스마트 교차로 | 2,640 | 3,100 |
| 공공 와이파이 | 450 | 390 |"""


def test_table_rows_carry_headers_and_unit() -> None:
    lines = convert_tables(TABLE.splitlines())
    assert lines[0] == "사업명 | 2022년 | 2023년 (단위: 백만원)"
    assert lines[1] == "- 스마트 교차로 — 2022년: 2,640백만원, 2023년: 3,100백만원"
    money = [q for q in find_quantities(lines[1]) if q.kind == "money"]
    assert [q.value for q in money] == [2_640_000_000, 3_100_000_000]  # 2,640백만원 = 26.4억 원


def test_two_column_key_tables_become_fields() -> None:
    rows = "| 보도일시 | 2023. 1. 12. |\n|---|---|\n| 담당부서 | 디지털정책과 |".splitlines()
    assert convert_tables(rows) == ["보도일시: 2023. 1. 12.", "담당부서: 디지털정책과"]


def test_units_split_items_rows_and_sentences() -> None:
    units = split_units("\n".join(convert_tables(TABLE.splitlines())))
    assert [u.kind for u in units] == ["sentence", "item", "item"]
    assert units[1].lead.startswith("사업명 | 2022년") and units[1].text.startswith("스마트 교차로")
    units = split_units("유형별로는 ▲시스템 구축 612억 원(101건) ▲HW 도입 840억원(193건). 두 번째 문장이다.")
    assert [(u.kind, u.text) for u in units] == [
        ("lead", "유형별로는"),
        ("item", "▲시스템 구축 612억 원(101건)"),
        ("item", "▲HW 도입 840억원(193건)."),
        ("sentence", "두 번째 문장이다."),
    ]
