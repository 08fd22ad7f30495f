"""Build the format-test documents for evals/sets/formats.jsonl.

All text and figures are held in this script (fictional figures written for this eval in the
style of Korean public budget releases). Rebuild with:

    python evals/docs/formats/build.py

Outputs (next to this script):
    changwon_2024_it_budget.pdf          Korean, PDF, 2 pages, ruled table on page 2 (백만원)
    suwon_2023_smart_city_press_en.docx  English, DOCX press release (KRW million)
    jeonju_2025_digital_budget.xlsx      Korean, XLSX (백만원)
    cheongju_2021_it_budget.csv          Korean, CSV in CP949 (천원)
    jeju_2020_it_budget.hwpx             Korean, HWPX (억원)
    gangwon_2022_digital_gov_en.pdf      English, PDF, 2 pages, ruled table on page 2 (KRW thousand)
"""

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent / "formats"

# ---------------------------------------------------------------------------
# 1. 창원특례시 2024 (PDF, Korean)
# ---------------------------------------------------------------------------
CHANGWON = {
    "title": "창원특례시 2024년 정보화 사업 예산 편성 결과",
    "meta": ["작성일: 2024. 1. 15.", "담당부서: 창원특례시 정보통신담당관 (스마트정보팀)"],
    "page1": [
        "1. 편성 개요",
        "창원특례시는 2024년도 정보화 사업 예산으로 총 416억 원을 편성하였다. 이는 2023년 "
        "본예산 388억 원보다 7.3% 늘어난 규모이며, 편성된 정보화 사업은 모두 215건이다.",
        "215건 가운데 신규 사업은 41건, 계속 사업은 174건이다. 시는 노후 전산장비 교체와 "
        "사이버 위협 대응을 위해 인프라와 정보보호 분야 예산도 함께 늘렸다.",
        "주요 사업으로는 산업단지 디지털트윈 구축 45억 원, 스마트 교통신호 고도화 38억 원, "
        "통합 디지털 민원창구 구축 22억 원이 반영되었다. 산업단지 디지털트윈 구축은 국비 공모에 "
        "선정된 사업으로 2026년까지 단계적으로 추진된다.",
        "분야별 세부 편성 내역은 다음 쪽의 표와 같다.",
    ],
    "page2_intro": "2. 분야별 정보화 예산 현황",
    "unit": "(단위: 백만원)",
    "header": ["구분", "2023년", "2024년", "증감"],
    "rows": [
        ["시스템 구축", "22,960", "24,887", "1,927"],
        ["유지관리", "9,310", "9,654", "344"],
        ["인프라", "5,480", "5,892", "412"],
        ["정보보호", "1,040", "1,190", "150"],
        ["합계", "38,790", "41,623", "2,833"],
    ],
    "note": "※ 2024년 예산은 본예산 기준이며, 추가경정예산 결과에 따라 변동될 수 있음.",
}

# ---------------------------------------------------------------------------
# 2. Suwon Special City 2023 (DOCX, English)
# ---------------------------------------------------------------------------
SUWON = {
    "title": "Suwon Special City Sets 2023 Smart City Budget at KRW 28.7 Billion",
    "meta": [
        "Release date: February 6, 2023",
        "Department in charge: Smart City Division, Suwon Special City",
    ],
    "prose": [
        "Suwon Special City announced on February 6 that it has allocated KRW 28.7 billion to "
        "smart city programmes in its 2023 budget, up 5.8 percent from the previous year. The "
        "budget covers 134 projects across system development, maintenance, infrastructure and "
        "digital education.",
        "The largest single programme is the expansion of the smart CCTV crime-prevention network, "
        "which receives KRW 4.2 billion. The city will also spend KRW 2.6 billion on a digital "
        "tourism platform for Hwaseong Fortress and KRW 1.8 billion on extending free public Wi-Fi "
        "to 120 more bus stops and parks.",
        '"Our aim is to make everyday services smarter without leaving anyone behind," a city '
        "official said. Of the 134 projects, 29 are new this year.",
        "The breakdown of the smart city budget by category is shown below.",
    ],
    "unit": "(Unit: KRW million)",
    "header": ["Category", "2022", "2023"],
    "rows": [
        ["System development", "11,860", "12,385"],
        ["Maintenance", "7,020", "7,214"],
        ["Infrastructure", "7,236", "7,600"],
        ["Education and outreach", "1,010", "1,501"],
        ["Total", "27,126", "28,700"],
    ],
}

# ---------------------------------------------------------------------------
# 3. 전주시 2025 (XLSX, Korean)
# ---------------------------------------------------------------------------
JEONJU = {
    "title": "전주시 2025년 디지털 전환 사업 예산 현황",
    "unit": "(단위: 백만원)",
    "header": ["구분", "2024년", "2025년"],
    "rows": [
        ["시스템 구축", 7120, 7480],
        ["유지관리", 6050, 6310],
        ["인프라", 4210, 4460],
        ["정보보호", 1620, 1550],
        ["합계", 19000, 19800],
    ],
    "meta": ["작성일: 2025. 1. 20.", "담당부서: 전주시 정보통신과"],
    "prose": [
        "전주시는 2025년 디지털 전환 사업 예산으로 총 198억 원을 확보하였다. 이는 2024년 190억 원보다 "
        "4.2% 증가한 금액이며, 사업 수는 97건이다.",
        "주요 사업은 스마트 주차 공유 플랫폼 15억 원, 한옥마을 스마트 관광안내 시스템 12억 원, "
        "AI 민원 상담 챗봇 8억 원이다.",
        "정보보호 분야 예산은 노후 보안장비 교체가 2024년에 마무리됨에 따라 전년보다 소폭 줄었다.",
    ],
}

# ---------------------------------------------------------------------------
# 4. 청주시 2021 (CSV in CP949, Korean)
# ---------------------------------------------------------------------------
CHEONGJU = {
    "title": "청주시 2021년 공공 정보화 사업 예산 현황",
    "unit": "(단위: 천원)",
    "header": ["구분", "2020년", "2021년"],
    "rows": [
        ["시스템 구축", "5870000", "5600000"],
        ["유지관리", "4980000", "5150000"],
        ["인프라", "3720000", "3500000"],
        ["정보보호", "1140000", "1050000"],
        ["합계", "15710000", "15300000"],
    ],
    "meta": ["작성일: 2021. 2. 1.", "담당부서: 청주시 정보화담당관"],
    "prose": [
        "청주시는 2021년 공공 정보화 사업 예산으로 총 153억 원을 편성하였다. 방역 관련 장비의 일괄 "
        "도입이 2020년에 끝나면서 예산은 전년 대비 2.6% 감소하였고, 사업 수는 88건이다.",
        "주요 사업은 버스정보시스템 고도화 9억 원, 지능형 하천 홍수감시 시스템 7억 원, "
        "공공데이터 개방 포털 개편 3억 원이다.",
    ],
}

# ---------------------------------------------------------------------------
# 5. 제주특별자치도 2020 (HWPX, Korean)
# ---------------------------------------------------------------------------
JEJU = {
    "title": "제주특별자치도 2020년 스마트 관광·교통 정보화 예산 편성",
    "meta": ["보도일시: 2020. 1. 9.(목) 배포", "담당부서: 제주특별자치도 디지털융합과"],
    "prose": [
        "제주특별자치도는 2020년 정보화 예산으로 총 236억 원을 편성했다고 밝혔다. 이는 2019년 "
        "본예산 221억 원보다 6.8% 증가한 규모로, 정보화 사업은 모두 112건이다.",
        "주요 사업으로는 관광객 이동 빅데이터 분석 플랫폼 17억 원, 전기차 충전 인프라 통합관제 "
        "시스템 14억 원, 읍·면 지역 공공와이파이 확충 11억 원이 반영되었다.",
        "도는 관광과 교통 분야의 데이터를 통합해 도민과 관광객이 체감할 수 있는 서비스를 "
        "확대할 계획이라고 설명했다.",
    ],
    "unit": "(단위: 억원)",
    "header": ["구분", "2019년", "2020년"],
    "rows": [
        ["시스템 구축", "96.4", "104.5"],
        ["유지관리", "68.2", "71.3"],
        ["인프라", "44.1", "47.6"],
        ["정보보호", "12.3", "12.6"],
        ["합계", "221.0", "236.0"],
    ],
}

# ---------------------------------------------------------------------------
# 6. Gangwon Province 2022 (PDF, English)
# ---------------------------------------------------------------------------
GANGWON = {
    "title": "Gangwon Province 2022 Digital Government Budget Briefing",
    "meta": [
        "Date: March 3, 2022",
        "Prepared by: Information and Communications Policy Division, Gangwon Provincial Government",
    ],
    "page1": [
        "1. Overview",
        "Gangwon Province has set its 2022 digital government budget at KRW 31.2 billion, an "
        "increase of 9.1 percent on 2021. The budget funds 163 projects, 37 of them new.",
        "Three flagship programmes account for a large share of the new spending: a remote "
        "health-monitoring service for rural seniors (KRW 3.3 billion), a wildfire early-detection "
        "camera network (KRW 2.8 billion), and a digital platform for the Pyeongchang winter "
        "sports venues (KRW 1.9 billion).",
        "The province will also replace ageing servers in its data centre and strengthen "
        "information security across county offices.",
        "The breakdown by category is given on the next page.",
    ],
    "page2_intro": "2. Budget by category",
    "unit": "(Unit: KRW thousand)",
    "header": ["Category", "2021", "2022"],
    "rows": [
        ["System development", "12,480,000", "13,920,000"],
        ["Maintenance", "8,350,000", "8,760,000"],
        ["Infrastructure", "6,270,000", "6,980,000"],
        ["Information security", "1,500,000", "1,540,000"],
        ["Total", "28,600,000", "31,200,000"],
    ],
    "note": "Figures are from the main budget as adopted by the provincial council.",
}


def build_pdf(doc, path, font):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, spaceAfter=10)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, spaceAfter=8)
    head = ParagraphStyle("h", fontName=font, fontSize=12, leading=18, spaceAfter=6)

    def footer(canvas, d):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 28, f"- {d.page} -")
        canvas.restoreState()

    story = [Paragraph(escape(doc["title"]), title)]
    story += [Paragraph(escape(m), body) for m in doc["meta"]]
    story.append(Spacer(1, 8))
    for i, p in enumerate(doc["page1"]):
        story.append(Paragraph(escape(p), head if i == 0 else body))
    story.append(PageBreak())
    story.append(Paragraph(escape(doc["page2_intro"]), head))
    story.append(Paragraph(escape(doc["unit"]), body))
    story.append(
        Table(
            [doc["header"]] + doc["rows"],
            style=[
                ("FONT", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ],
        )
    )
    story.append(Spacer(1, 8))
    story.append(Paragraph(escape(doc["note"]), body))
    SimpleDocTemplate(str(path), pagesize=A4, title=doc["title"]).build(
        story, onFirstPage=footer, onLaterPages=footer
    )


def build_docx(doc, path):
    import docx

    d = docx.Document()
    d.add_heading(doc["title"], level=1)
    for m in doc["meta"]:
        d.add_paragraph(m)
    for p in doc["prose"]:
        d.add_paragraph(p)
    d.add_paragraph(doc["unit"])
    rows = [doc["header"]] + doc["rows"]
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, val in enumerate(row):
            t.cell(r, c).text = val
    d.save(str(path))


def build_xlsx(doc, path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "예산현황"
    ws.append([doc["title"]])
    ws.append([doc["unit"]])
    ws.append(doc["header"])
    for row in doc["rows"]:
        ws.append(row)
        for cell in ws[ws.max_row][1:]:
            cell.number_format = "#,##0"
    ws.append([])
    for line in doc["meta"] + doc["prose"]:
        ws.append([line])
    ws.column_dimensions["A"].width = 18
    wb.save(str(path))


def build_csv(doc, path):
    with open(path, "w", encoding="cp949", newline="") as f:
        w = csv.writer(f)
        w.writerow([doc["title"]])
        w.writerow([doc["unit"]])
        w.writerow(doc["header"])
        w.writerows(doc["rows"])
        w.writerow([])
        for line in doc["meta"] + doc["prose"]:
            w.writerow([line])


def build_hwpx(doc, path):
    def para(text):
        return f"<hp:p><hp:run><hp:t>{escape(text)}</hp:t></hp:run></hp:p>"

    parts = [para(doc["title"])] + [para(m) for m in doc["meta"]]
    parts += [para(p) for p in doc["prose"]]
    parts.append(para(doc["unit"]))
    trs = []
    for row in [doc["header"]] + doc["rows"]:
        tcs = "".join(f"<hp:tc><hp:subList>{para(c)}</hp:subList></hp:tc>" for c in row)
        trs.append(f"<hp:tr>{tcs}</hp:tr>")
    parts.append(f"<hp:p><hp:run><hp:tbl>{''.join(trs)}</hp:tbl></hp:run></hp:p>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
        'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph">' + "".join(parts) + "</hs:sec>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("Contents/section0.xml", xml, compress_type=zipfile.ZIP_DEFLATED)


def main():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))

    build_pdf(CHANGWON, OUT / "changwon_2024_it_budget.pdf", "HYSMyeongJo-Medium")
    build_docx(SUWON, OUT / "suwon_2023_smart_city_press_en.docx")
    build_xlsx(JEONJU, OUT / "jeonju_2025_digital_budget.xlsx")
    build_csv(CHEONGJU, OUT / "cheongju_2021_it_budget.csv")
    build_hwpx(JEJU, OUT / "jeju_2020_it_budget.hwpx")
    build_pdf(GANGWON, OUT / "gangwon_2022_digital_gov_en.pdf", "Helvetica")
    for p in sorted(OUT.iterdir()):
        print(p.name, p.stat().st_size)


if __name__ == "__main__":
    main()
