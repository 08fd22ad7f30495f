"""Small documents in every supported format, written by the tests themselves (no external file):
a 2024 Daegu IT budget with a unit line and a table, so that each format can be checked for
text, table rows as facts, units and pages."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

TITLE = "2024년 대구광역시 정보화 예산 개요"
PROSE = "대구광역시는 2024년 정보화 사업 215건에 모두 1,234억 원을 편성했다."
UNIT = "(단위: 백만원)"
TABLE = [["구분", "2023년", "2024년"], ["세출예산", "24,887", "26,001"], ["정보화사업", "11,200", "12,340"]]


def write_pdf(path: Path, scanned_page: bool = False, encrypt: str | None = None) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    style = ParagraphStyle("ko", fontName="HYSMyeongJo-Medium", fontSize=11, leading=15)
    story = [Paragraph(TITLE, style), Paragraph(PROSE, style), PageBreak()]
    story += [
        Paragraph("표 1. 대구광역시 예산 현황 " + UNIT, style),
        Table(
            TABLE,
            style=[
                ("FONT", (0, 0), (-1, -1), "HYSMyeongJo-Medium"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ],
        ),
    ]
    if scanned_page:
        story += [PageBreak(), Table([[""]], style=[("BACKGROUND", (0, 0), (-1, -1), colors.grey)])]
    doc = SimpleDocTemplate(str(path), pagesize=A4, encrypt=encrypt)
    doc.build(story)
    return path


def write_image_only_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(path))
    page.setFillColor(colors.grey)
    page.rect(100, 100, 300, 400, fill=1)
    page.save()
    return path


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph(PROSE)
    document.add_paragraph("표 1. 대구광역시 예산 현황 " + UNIT)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "대구 예산"
    sheet.append([TITLE])
    sheet.append([UNIT])
    for row in TABLE:
        sheet.append([int(v.replace(",", "")) if v.replace(",", "").isdigit() else v for v in row])
    book.save(str(path))
    return path


def write_csv(path: Path, encoding: str = "cp949") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([TITLE])
    writer.writerow([UNIT])
    writer.writerows(TABLE)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


HWPX_SECTION = """<?xml version="1.0" encoding="UTF-8"?>
<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">
  <hp:p><hp:run><hp:t>{title}</hp:t></hp:run></hp:p>
  <hp:p><hp:run><hp:t>{prose}</hp:t></hp:run></hp:p>
  <hp:p><hp:run><hp:t>표 1. 대구광역시 예산 현황 {unit}</hp:t></hp:run></hp:p>
  <hp:p><hp:run><hp:tbl>{rows}</hp:tbl></hp:run></hp:p>
</hs:sec>"""


def write_hwpx(path: Path) -> Path:
    rows = "".join(
        "<hp:tr>"
        + "".join(
            f"<hp:tc><hp:subList><hp:p><hp:run><hp:t>{v}</hp:t></hp:run></hp:p></hp:subList></hp:tc>"
            for v in row
        )
        + "</hp:tr>"
        for row in TABLE
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
        archive.writestr(
            "Contents/section0.xml", HWPX_SECTION.format(title=TITLE, prose=PROSE, unit=UNIT, rows=rows)
        )
    return path
