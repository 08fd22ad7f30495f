"""Build the LOCKED format-test documents for evals/sets/formats-locked.jsonl.

All text and figures are held in this script. They are fictional, written for this locked eval in
the style of Korean public budget releases, budget books and open-finance portal exports. Rebuild
with:

    .venv/bin/python evals/docs/build_formats_locked.py

Outputs (evals/docs/formats-locked/):
    pohang_2025_it_budget_book.pdf         Korean, PDF, 3 pages, ruled tables on pages 2 (천원) and 3 (백만원)
    chungnam_2024_data_budget_press.pdf    Korean, PDF, 2 pages, ruled table on page 2 (백만원, 3 years)
    cheonan_2023_smart_admin_budget_en.pdf English, PDF, 2 pages, ruled table on page 2 (KRW million)
    gimhae_2024_smart_city_budget.docx     Korean, DOCX, two tables (백만원; 국비/도비/시비 split)
    yeosu_2022_marine_digital_press_en.docx English, DOCX press release (KRW thousand)
    damyang_2025_it_budget.xlsx            Korean, XLSX, two sheets (백만원)
    andong_2023_it_budget.csv              Korean, CSV in UTF-8 with BOM (천원)
    yeongdong_2024_it_budget.hwpx          Korean, HWPX (천원)
"""

import csv
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent / "formats-locked"


def fmt(n):
    """Korean budget-book style: thousands separators, △ for decreases.

    The PDFs use the Hangul middle dot ㆍ (U+318D), as Korean government documents do."""
    return f"△{-n:,}" if n < 0 else f"{n:,}"


def pct(new, old):
    return round((new - old) / old * 100, 1)


def pct_s(new, old):
    p = pct(new, old)
    return f"△{-p:.1f}" if p < 0 else f"{p:.1f}"


# ---------------------------------------------------------------------------
# 1. 포항시 2025 정보화 사업 예산서 (PDF, Korean, 3 pages)
# ---------------------------------------------------------------------------
POHANG_ROWS = [  # 천원: 2024년 본예산, 2025년 예산
    ("행정정보화", 9_842_150, 10_415_300),
    ("지역정보화", 6_318_400, 7_102_650),
    ("정보통신기반", 8_905_720, 8_611_080),
    ("정보보호", 1_874_300, 2_236_500),
    ("데이터ㆍ인공지능", 3_120_000, 4_387_470),
    ("정보화 교육ㆍ격차해소", 1_003_600, 987_000),
]
assert sum(r[1] for r in POHANG_ROWS) == 31_064_170
assert sum(r[2] for r in POHANG_ROWS) == 33_740_000


def pohang_table1():
    rows = []
    for name, a, b in POHANG_ROWS:
        rows.append([name, fmt(a), fmt(b), fmt(b - a), pct_s(b, a)])
    ta = sum(r[1] for r in POHANG_ROWS)
    tb = sum(r[2] for r in POHANG_ROWS)
    rows.append(["합계", fmt(ta), fmt(tb), fmt(tb - ta), pct_s(tb, ta)])
    return rows


POHANG_PROJECTS = [  # 백만원: 총사업비, 국비, 도비, 시비
    ("철강산업단지 디지털트윈 구축", 3_400, 1_700, 510, 1_190),
    ("스마트 항만물류 데이터 플랫폼 구축", 2_850, 1_425, 427, 998),
    ("지능형 CCTV 통합관제 고도화", 1_960, 0, 392, 1_568),
    ("시민 AI 민원상담 서비스", 780, 0, 0, 780),
]
for _p in POHANG_PROJECTS:
    assert _p[1] == _p[2] + _p[3] + _p[4]


def pohang_table2():
    rows = [[n, fmt(t), fmt(g) if g else "-", fmt(d) if d else "-", fmt(s)] for n, t, g, d, s in POHANG_PROJECTS]
    tot = [sum(p[i] for p in POHANG_PROJECTS) for i in range(1, 5)]
    rows.append(["합계"] + [fmt(v) for v in tot])
    return rows


POHANG = {
    "font": "HYSMyeongJo-Medium",
    "title": "2025년도 포항시 정보화 사업 예산서",
    "running": "2025년도 포항시 정보화 사업 예산서",
    "meta": ["2024. 12. 20.", "포항시 정보통신과"],
    "pages": [
        [
            ("h", "Ⅰ. 편성 개요"),
            ("p", "포항시는 2025년도 정보화 사업 예산으로 총 337억 4,000만 원을 편성하였다. 이는 2024년 "
                  "본예산 310억 6,417만 원보다 26억 7,583만 원(8.6%) 늘어난 규모로, 시 전체 일반회계 "
                  "예산의 1.2% 수준이다."),
            ("p", "정보화 사업은 모두 263건으로, 신규 사업 52건과 계속 사업 211건으로 구성된다. 전년도 "
                  "248건보다 15건 늘었으며, 이 가운데 국ㆍ도비 보조사업은 34건이다."),
            ("p", "분야별로는 데이터ㆍ인공지능 분야가 전년 대비 40.6% 늘어 증가 폭이 가장 컸다. 반면 노후 "
                  "전산장비 교체가 상당 부분 마무리된 정보통신기반 분야는 3.3% 줄었고, 정보화 교육ㆍ격차해소 "
                  "분야도 소폭 감소하였다."),
            ("h", "Ⅱ. 주요 편성 방향"),
            ("p", "시는 산업ㆍ항만 도시의 특성을 살린 4개 전략사업에 총 89억 9,000만 원을 반영하였다. "
                  "철강산업단지 디지털트윈 구축 34억 원, 스마트 항만물류 데이터 플랫폼 구축 28억 5,000만 원, "
                  "지능형 CCTV 통합관제 고도화 19억 6,000만 원, 시민 AI 민원상담 서비스 7억 8,000만 원이 "
                  "그것이다. 전략사업의 재원별 내역은 Ⅳ장에 정리하였다."),
            ("p", "참고로 경상북도 내 시ㆍ군의 2025년 정보화 예산 평균은 118억 원이며, 인근 경주시는 같은 해 "
                  "정보화 예산으로 203억 원을 편성한 것으로 집계되었다."),
        ],
        [
            ("h", "Ⅲ. 분야별 편성 현황"),
            ("p", "분야별 정보화 예산의 2024년 본예산 대비 2025년 편성 내역은 다음과 같다. 행정정보화 분야는 "
                  "차세대 지방재정시스템 연계와 전자결재 고도화 등이 포함되어 여전히 가장 큰 비중을 차지한다."),
            ("unit", "(단위: 천원, %)"),
            ("table", {
                "header": ["구분", "2024년 본예산", "2025년 예산", "증감", "증감률"],
                "rows": pohang_table1(),
                "widths": [120, 95, 95, 85, 55],
            }),
            ("note", "※ 2024년은 본예산, 2025년은 시의회 의결 예산 기준임."),
            ("note", "※ 증감률은 소수점 둘째 자리에서 반올림하였으며, △는 감소를 나타냄."),
        ],
        [
            ("h", "Ⅳ. 전략사업 재원별 내역"),
            ("p", "4개 전략사업의 2025년 편성액을 국비, 도비, 시비로 나누면 다음과 같다. 철강산업단지 디지털트윈 "
                  "구축과 스마트 항만물류 데이터 플랫폼 구축은 정부 공모에 선정된 국비 보조사업이다."),
            ("unit", "(단위: 백만원)"),
            ("table", {
                "header": ["사업명", "총사업비", "국비", "도비", "시비"],
                "rows": pohang_table2(),
                "widths": [190, 70, 60, 60, 60],
            }),
            ("note", "※ 지능형 CCTV 통합관제 고도화는 경상북도 안전 인프라 지원사업(도비 20%)으로 추진함."),
        ],
    ],
}

# ---------------------------------------------------------------------------
# 2. 충청남도 2024 보도자료 (PDF, Korean, 2 pages, table on page 2)
# ---------------------------------------------------------------------------
CHUNGNAM_ROWS = [  # 백만원: 2022, 2023, 2024 (본예산)
    ("전자정부ㆍ행정", 38_420, 40_115, 41_960),
    ("빅데이터ㆍAI", 14_870, 18_230, 22_645),
    ("스마트 농어촌", 17_340, 18_905, 19_870),
    ("정보통신망ㆍ인프라", 27_910, 28_460, 29_030),
    ("사이버보안", 5_480, 6_020, 6_915),
    ("디지털 포용", 7_240, 8_000, 8_030),
]
assert [sum(r[i] for r in CHUNGNAM_ROWS) for i in (1, 2, 3)] == [111_260, 119_730, 128_450]


def chungnam_table():
    rows = [[n, fmt(a), fmt(b), fmt(c), pct_s(c, b)] for n, a, b, c in CHUNGNAM_ROWS]
    t = [sum(r[i] for r in CHUNGNAM_ROWS) for i in (1, 2, 3)]
    rows.append(["합계", fmt(t[0]), fmt(t[1]), fmt(t[2]), pct_s(t[2], t[1])])
    return rows


CHUNGNAM = {
    "font": "HYSMyeongJo-Medium",
    "title": "충청남도, 2024년 데이터ㆍ디지털 행정 예산 1,284억 원 편성",
    "running": "충청남도 보도자료",
    "meta": ["보도일시: 2024. 1. 8.(월) 조간", "담당부서: 충청남도 디지털정책과"],
    "pages": [
        [
            ("sub", "- 빅데이터ㆍAI 분야 226억 원으로 24.2% 증액, 사이버보안도 14.9% 늘려 -"),
            ("p", "충청남도는 2024년 데이터ㆍ디지털 행정 분야 예산으로 1,284억 5,000만 원을 편성했다고 8일 "
                  "밝혔다. 이는 2023년 본예산 1,197억 3,000만 원보다 87억 2,000만 원(7.3%) 늘어난 금액이다."),
            ("p", "올해 추진하는 사업은 모두 486건이며, 이 가운데 173건은 도내 15개 시ㆍ군에 지원하는 "
                  "보조사업이다. 도가 직접 수행하는 사업은 313건이다."),
            ("p", "주요 사업으로는 도민 맞춤형 AI 행정비서 구축 48억 원, 스마트 축산 ICT 융복합 지원 37억 원, "
                  "도 통합 데이터 분석 플랫폼 고도화 26억 원 등이 포함됐다. 특히 스마트 축산 ICT 융복합 지원은 "
                  "악취ㆍ질병 관리 센서를 농가 420곳에 보급하는 사업이다."),
            ("p", "한편 2023년 예산은 두 차례 추가경정을 거쳐 최종 1,231억 원으로 늘어난 바 있다. 같은 분야에 "
                  "충청북도는 올해 1,105억 원을 편성한 것으로 알려졌다."),
            ("p", "도 관계자는 \"행정 데이터를 도민 생활 서비스로 연결하는 데 예산을 집중했다\"며 \"시ㆍ군과 "
                  "함께 디지털 격차 해소에도 힘쓰겠다\"고 말했다."),
            ("p", "분야별 예산 현황은 붙임 표와 같다."),
        ],
        [
            ("h", "붙임  분야별 데이터ㆍ디지털 행정 예산 현황 (2022~2024년)"),
            ("unit", "(단위: 백만원, %)"),
            ("table", {
                "header": ["구분", "2022년", "2023년", "2024년", "전년 대비 증감률"],
                "rows": chungnam_table(),
                "widths": [120, 75, 75, 75, 90],
            }),
            ("note", "※ 각 연도 본예산 기준이며, 추가경정예산은 포함하지 않음."),
            ("note", "※ 시ㆍ군 보조사업 예산은 도비 부담분만 포함함."),
        ],
    ],
}

# ---------------------------------------------------------------------------
# 3. Cheonan City 2023 (PDF, English, 2 pages)
# ---------------------------------------------------------------------------
CHEONAN_ROWS = [  # KRW million: 2021, 2022, 2023
    ("Administrative systems", 8_615, 9_040, 9_472),
    ("Transport ICT", 5_230, 6_118, 6_905),
    ("Public safety ICT", 3_946, 4_310, 4_287),
    ("Cloud and network", 4_402, 4_655, 5_120),
    ("Cybersecurity", 1_118, 1_264, 1_493),
]
assert [sum(r[i] for r in CHEONAN_ROWS) for i in (1, 2, 3)] == [23_311, 25_387, 27_277]


def cheonan_table():
    def f(n):
        return f"{n:,}"

    def p(a, b):
        return f"{pct(a, b):+.1f}"

    rows = [[n, f(a), f(b), f(c), p(c, b)] for n, a, b, c in CHEONAN_ROWS]
    t = [sum(r[i] for r in CHEONAN_ROWS) for i in (1, 2, 3)]
    rows.append(["Total", f(t[0]), f(t[1]), f(t[2]), p(t[2], t[1])])
    return rows


CHEONAN = {
    "font": "Helvetica",
    "title": "Cheonan City 2023 Smart Administration Budget Report",
    "running": "Cheonan City | Smart Administration Budget 2023",
    "meta": ["Date: January 30, 2023", "Prepared by: Smart City Division, Cheonan City"],
    "pages": [
        [
            ("h", "1. Overview"),
            ("p", "Cheonan City has set its 2023 smart administration budget at KRW 27,277 million, an "
                  "increase of KRW 1,890 million, or 7.4 percent, over the 2022 main budget of KRW 25,387 "
                  "million. The budget funds 118 projects, of which 26 are new and 92 are continuing."),
            ("p", "Transport ICT shows the fastest growth of the five categories, rising 12.9 percent, while "
                  "public safety ICT edges down slightly after the city-wide CCTV upgrade was completed in 2022."),
            ("h", "2. Flagship programmes"),
            ("p", "Three flagship programmes lead the new spending: AI-based traffic signal control on 12 "
                  "arterial corridors (KRW 2,350 million), an integrated disaster and safety data platform "
                  "(KRW 1,720 million), and smart parking guidance around Cheonan Station (KRW 980 million)."),
            ("p", "For reference, neighbouring Asan City set its 2023 budget for similar programmes at "
                  "KRW 19.6 billion."),
            ("p", "The breakdown by category for 2021 to 2023 is given on the next page."),
        ],
        [
            ("h", "3. Budget by category, 2021-2023"),
            ("unit", "(Unit: KRW million, %)"),
            ("table", {
                "header": ["Category", "2021", "2022", "2023", "Change 2022-23 (%)"],
                "rows": cheonan_table(),
                "widths": [135, 65, 65, 65, 100],
            }),
            ("note", "Main budget figures as adopted by Cheonan City Council."),
        ],
    ],
}

# ---------------------------------------------------------------------------
# 4. 김해시 2024 스마트도시 (DOCX, Korean)
# ---------------------------------------------------------------------------
GIMHAE_ROWS = [  # 백만원: 2023, 2024, (2024 국비, 도비, 시비)
    ("스마트 교통", 4_215, 4_980, 1_990, 598, 2_392),
    ("스마트 안전", 3_560, 3_842, 1_150, 345, 2_347),
    ("스마트 환경", 1_905, 2_417, 720, 216, 1_481),
    ("스마트 행정", 5_230, 5_106, 0, 0, 5_106),
    ("도시통합운영센터 운영", 2_118, 2_289, 0, 458, 1_831),
]
for _r in GIMHAE_ROWS:
    assert _r[2] == _r[3] + _r[4] + _r[5]
assert [sum(r[i] for r in GIMHAE_ROWS) for i in range(1, 6)] == [17_028, 18_634, 3_860, 1_617, 13_157]


def gimhae_tables():
    t1 = [[n, fmt(a), fmt(b), fmt(b - a)] for n, a, b, *_ in GIMHAE_ROWS]
    s = [sum(r[i] for r in GIMHAE_ROWS) for i in range(1, 6)]
    t1.append(["합계", fmt(s[0]), fmt(s[1]), fmt(s[1] - s[0])])
    t2 = [[n, fmt(g) if g else "-", fmt(d) if d else "-", fmt(c), fmt(b)] for n, a, b, g, d, c in GIMHAE_ROWS]
    t2.append(["합계", fmt(s[2]), fmt(s[3]), fmt(s[4]), fmt(s[1])])
    return t1, t2


_G1, _G2 = gimhae_tables()
GIMHAE = {
    "title": "김해시 2024년 스마트도시 사업 예산 현황",
    "meta": ["작성일: 2024. 2. 14.", "작성부서: 김해시 스마트도시과"],
    "blocks": [
        ("h", "□ 개요"),
        ("p", "김해시는 2024년 스마트도시 사업 예산으로 총 186억 3,400만 원을 확보하였다. 이는 2023년 "
              "170억 2,800만 원보다 16억 600만 원(9.4%) 증가한 규모이다."),
        ("p", "사업 수는 모두 64건으로 신규 15건, 계속 49건이다. 재원별로는 국비 38억 6,000만 원(20.7%), "
              "도비 16억 1,700만 원(8.7%), 시비 131억 5,700만 원(70.6%)으로 구성된다."),
        ("p", "주요 사업은 AI 기반 스마트 횡단보도 확대 12억 원, 가야문화권 디지털 관광 안내 9억 5,000만 원, "
              "도시침수 실시간 감시망 구축 7억 2,000만 원 등이다. 스마트 행정 분야는 민원 키오스크 교체가 "
              "2023년에 끝나 소폭 줄었다."),
        ("p", "참고로 인근 양산시의 2024년 스마트도시 예산은 124억 원 규모로 알려졌다."),
        ("h", "□ 분야별 예산 현황"),
        ("unit", "(단위: 백만원)"),
        ("table", {"header": ["구분", "2023년", "2024년", "증감"], "rows": _G1}),
        ("h", "□ 2024년 재원별 내역"),
        ("unit", "(단위: 백만원)"),
        ("table", {"header": ["구분", "국비", "도비", "시비", "계"], "rows": _G2}),
        ("p", "※ 2023년은 최종예산, 2024년은 본예산 기준. △는 감소."),
    ],
}

# ---------------------------------------------------------------------------
# 5. Yeosu City 2022 (DOCX, English press release, KRW thousand)
# ---------------------------------------------------------------------------
YEOSU_ROWS = [  # KRW thousand: 2021, 2022
    ("Tourism information services", 2_418_500, 2_906_200),
    ("Port and fisheries data", 1_752_000, 1_980_400),
    ("Administrative IT", 3_105_800, 3_240_600),
    ("Network and facilities", 1_624_300, 1_511_900),
    ("Information security", 486_400, 612_900),
]
assert [sum(r[i] for r in YEOSU_ROWS) for i in (1, 2)] == [9_387_000, 10_252_000]


def yeosu_table():
    rows = [[n, f"{a:,}", f"{b:,}", f"{pct(b, a):+.1f}"] for n, a, b in YEOSU_ROWS]
    t = [sum(r[i] for r in YEOSU_ROWS) for i in (1, 2)]
    rows.append(["Total", f"{t[0]:,}", f"{t[1]:,}", f"{pct(t[1], t[0]):+.1f}"])
    return rows


YEOSU = {
    "title": "Yeosu Steps Up Digital Marine Tourism with KRW 10.25 Billion IT Budget for 2022",
    "meta": [
        "Release date: January 18, 2022",
        "Issued by: Information and Communication Division, Yeosu City",
    ],
    "blocks": [
        ("p", "Yeosu City said on January 18 that it has set aside KRW 10,252 million for information and "
              "communication projects in its 2022 budget, up 9.2 percent from KRW 9,387 million in 2021. "
              "The budget covers 72 projects, 18 of which are new."),
        ("p", "Tourism information services receive the biggest boost. The city will spend KRW 860 million on "
              "an augmented-reality tour guide at Expo Ocean Park, KRW 640 million on a smart auction data "
              "system for the fish market, and KRW 415 million on real-time information for island ferries."),
        ("p", "Spending on network and facilities falls this year because the replacement of the city hall "
              "core network was completed in 2021. Information security, by contrast, rises 26.0 percent as "
              "the city adds a 24-hour security monitoring service."),
        ("p", "\"Visitors should be able to plan a day on the islands from their phones,\" a city official "
              "said. Suncheon City, by comparison, has budgeted KRW 8.9 billion for similar projects this year."),
        ("p", "The breakdown of the budget by category is shown below."),
        ("unit", "(Unit: KRW thousand)"),
        ("table", {"header": ["Category", "2021", "2022", "Change (%)"], "rows": yeosu_table()}),
        ("p", "Note: 2021 figures are the main budget as adopted; 2022 figures are the budget passed by the "
              "Yeosu City Council in December 2021."),
    ],
}

# ---------------------------------------------------------------------------
# 6. 담양군 2025 (XLSX, Korean)
# ---------------------------------------------------------------------------
DAMYANG_ROWS = [  # 백만원: 2023, 2024, 2025
    ("행정전산", 1_284, 1_352, 1_418),
    ("농업·관광 정보화", 642, 718, 905),
    ("통신망·전산장비", 876, 910, 884),
    ("정보보호", 158, 187, 226),
    ("군민 정보화교육", 94, 101, 97),
]
assert [sum(r[i] for r in DAMYANG_ROWS) for i in (1, 2, 3)] == [3_054, 3_268, 3_530]

DAMYANG = {
    "title": "담양군 2025년 정보화 예산 편성 현황",
    "unit": "(단위: 백만원)",
    "header": ["구분", "2023년", "2024년", "2025년", "전년 대비 증감"],
    "meta": ["작성일: 2025. 1. 10.", "작성부서: 담양군 기획예산실 정보통신팀"],
    "prose": [
        "담양군은 2025년 정보화 예산으로 총 35억 3,000만 원을 편성하였다. 이는 2024년 32억 6,800만 원보다 "
        "8.0% 증가한 규모이며, 정보화 사업은 모두 41건이다.",
        "주요 사업은 죽녹원 스마트 관광 안내 서비스 2억 1,000만 원, 농산물 온라인 직거래 플랫폼 고도화 "
        "1억 6,000만 원, 읍·면 행정복지센터 노후 PC 교체 9,000만 원이다.",
        "참고로 전라남도 22개 시·군의 2025년 정보화 예산 평균은 96억 원 수준이다.",
    ],
    "projects_title": "2025년 주요 정보화 사업",
    "projects_header": ["사업명", "분야", "2025년 예산", "비고"],
    "projects": [
        ["죽녹원 스마트 관광 안내 서비스", "농업·관광 정보화", 210, "신규"],
        ["농산물 온라인 직거래 플랫폼 고도화", "농업·관광 정보화", 160, "계속"],
        ["읍·면 행정복지센터 노후 PC 교체", "통신망·전산장비", 90, "계속"],
        ["군청 보안관제 위탁 운영", "정보보호", 74, "계속"],
    ],
}

# ---------------------------------------------------------------------------
# 7. 안동시 2023 (CSV, UTF-8 with BOM, 천원) - open-data portal style export
# ---------------------------------------------------------------------------
ANDONG_ROWS = [  # 천원: 2022, 2023
    ("전자행정", 4_127_300, 4_385_900),
    ("문화유산 디지털화", 1_845_000, 2_310_500),
    ("스마트 안전·재난", 2_264_800, 2_198_400),
    ("전산장비·통신망", 3_018_600, 3_276_200),
    ("정보보호", 702_300, 811_000),
]
assert [sum(r[i] for r in ANDONG_ROWS) for i in (1, 2)] == [11_958_000, 12_982_000]

ANDONG = {
    "title": "안동시 2023년 정보화 사업 예산 현황",
    "unit": "(단위: 천원)",
    "header": ["구분", "2022년", "2023년", "증감", "증감률(%)"],
    "meta": ["작성일: 2023. 1. 27.", "작성부서: 안동시 정보통신과"],
    "prose": [
        "안동시는 2023년 정보화 사업 예산으로 총 129억 8,200만 원을 편성하였다. 이는 2022년 본예산 "
        "119억 5,800만 원보다 8.6% 늘어난 규모이며, 사업 수는 76건이다.",
        "주요 사업은 하회마을 실감형 디지털 관람 서비스 6억 5,000만 원, 도산서원 기록유산 디지털 아카이브 "
        "4억 2,000만 원, 스마트 경로당 확대 2억 8,000만 원이다.",
        "2022년 예산은 추가경정을 거쳐 최종 124억 1,000만 원으로 늘어난 바 있다.",
    ],
}


def andong_rows():
    rows = []
    for n, a, b in ANDONG_ROWS:
        rows.append([n, str(a), str(b), str(b - a), f"{pct(b, a):.1f}"])
    t = [sum(r[i] for r in ANDONG_ROWS) for i in (1, 2)]
    rows.append(["합계", str(t[0]), str(t[1]), str(t[1] - t[0]), f"{pct(t[1], t[0]):.1f}"])
    return rows


# ---------------------------------------------------------------------------
# 8. 영동군 2024 (HWPX, Korean, 천원)
# ---------------------------------------------------------------------------
YEONGDONG_ROWS = [  # 천원: 2023, 2024
    ("행정정보 시스템", 1_126_400, 1_208_700),
    ("와인·관광 정보화", 384_000, 512_600),
    ("정보통신망 운영", 698_200, 721_300),
    ("정보보호", 143_500, 166_900),
    ("주민 정보화 지원", 88_900, 73_500),
]
assert [sum(r[i] for r in YEONGDONG_ROWS) for i in (1, 2)] == [2_441_000, 2_683_000]


def yeongdong_rows():
    rows = [[n, fmt(a), fmt(b), fmt(b - a)] for n, a, b in YEONGDONG_ROWS]
    t = [sum(r[i] for r in YEONGDONG_ROWS) for i in (1, 2)]
    rows.append(["합계", fmt(t[0]), fmt(t[1]), fmt(t[1] - t[0])])
    return rows


YEONGDONG = {
    "title": "영동군 2024년 정보화 예산 편성 결과",
    "meta": ["보도일시: 2024. 1. 16.(화)", "담당부서: 영동군 행정과 정보통신팀"],
    "prose": [
        "영동군은 2024년 정보화 예산으로 총 26억 8,300만 원을 편성했다고 밝혔다. 이는 2023년 본예산 "
        "24억 4,100만 원보다 2억 4,200만 원(9.9%) 늘어난 규모다.",
        "정보화 사업은 모두 38건으로 이 가운데 신규 사업이 7건이다. 분야별로는 와인·관광 정보화 분야가 "
        "33.5% 늘어 증가율이 가장 높았다.",
        "주요 사업은 영동와인터널 스마트 관광 안내 2억 4,000만 원, 농촌 스마트 마을방송 확대 1억 3,000만 원, "
        "군청 통합 보안관제 고도화 6,500만 원이다.",
        "인근 옥천군의 같은 해 정보화 예산은 21억 원 수준이다.",
    ],
    "unit": "(단위: 천원)",
    "header": ["구분", "2023년", "2024년", "증감"],
    "rows": yeongdong_rows(),
    "note": "※ 본예산 기준, △는 감소",
}


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def build_pdf(doc, path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = doc["font"]
    bold = "Helvetica-Bold" if font == "Helvetica" else font
    title = ParagraphStyle("t", fontName=bold, fontSize=16, leading=22, spaceAfter=8, alignment=1)
    sub = ParagraphStyle("s", fontName=font, fontSize=11, leading=16, spaceAfter=10, alignment=1)
    meta = ParagraphStyle("m", fontName=font, fontSize=10, leading=14, alignment=2)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=17, spaceAfter=8, firstLineIndent=8)
    head = ParagraphStyle("h", fontName=bold, fontSize=12, leading=18, spaceBefore=6, spaceAfter=6)
    unit = ParagraphStyle("u", fontName=font, fontSize=9.5, leading=13, alignment=2, spaceAfter=3)
    note = ParagraphStyle("n", fontName=font, fontSize=9, leading=13, spaceBefore=2)

    def decorate(canvas, d):
        canvas.saveState()
        canvas.setFont(font, 8.5)
        canvas.setStrokeColor(colors.grey)
        canvas.line(20 * mm, A4[1] - 15 * mm, A4[0] - 20 * mm, A4[1] - 15 * mm)
        canvas.drawString(20 * mm, A4[1] - 13 * mm, doc["running"])
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"- {d.page} -")
        canvas.restoreState()

    story = [Paragraph(escape(doc["title"]), title)]
    story += [Paragraph(escape(m), meta) for m in doc["meta"]]
    story.append(Spacer(1, 10))
    for i, page in enumerate(doc["pages"]):
        if i:
            story.append(PageBreak())
        for kind, val in page:
            if kind == "table":
                data = [val["header"]] + val["rows"]
                t = Table(data, colWidths=val.get("widths"), repeatRows=1)
                t.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, -1), font, 9.5),
                    ("FONT", (0, 0), (-1, 0), bold, 9.5),
                    ("FONT", (0, -1), (-1, -1), bold, 9.5),
                    ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.black),
                    ("LINEABOVE", (0, 0), (-1, 0), 1.4, colors.black),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.9, colors.black),
                    ("LINEABOVE", (0, -1), (-1, -1), 0.9, colors.black),
                    ("LINEBELOW", (0, -1), (-1, -1), 1.4, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
                    ("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.95, 0.95, 0.95)),
                    ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("ALIGN", (0, -1), (0, -1), "CENTER"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]))
                story.append(t)
                story.append(Spacer(1, 4))
            else:
                style = {"h": head, "p": body, "sub": sub, "unit": unit, "note": note}[kind]
                story.append(Paragraph(escape(val), style))
    SimpleDocTemplate(
        str(path), pagesize=A4, title=doc["title"], author=doc["meta"][-1],
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm, bottomMargin=20 * mm,
    ).build(story, onFirstPage=decorate, onLaterPages=decorate)


def build_docx(doc, path):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    d.core_properties.title = doc["title"]
    d.add_heading(doc["title"], level=1)
    for m in doc["meta"]:
        p = d.add_paragraph(m)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for kind, val in doc["blocks"]:
        if kind == "h":
            d.add_heading(val, level=2)
        elif kind == "unit":
            p = d.add_paragraph(val)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif kind == "table":
            rows = [val["header"]] + val["rows"]
            t = d.add_table(rows=len(rows), cols=len(rows[0]))
            t.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, v in enumerate(row):
                    cell = t.cell(r, c)
                    cell.text = v
                    if r == 0 or r == len(rows) - 1:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
                    if c > 0 and r > 0:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            d.add_paragraph("")
        else:
            d.add_paragraph(val)
    d.save(str(path))


def build_xlsx(doc, path):
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    grey = PatternFill("solid", fgColor="DDDDDD")

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "정보화예산"
    ws.append([doc["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    ws.append(["", "", "", "", doc["unit"]])
    ws.append(doc["header"])
    for name, a, b, c in DAMYANG_ROWS:
        ws.append([name, a, b, c, c - b])
    tot = [sum(r[i] for r in DAMYANG_ROWS) for i in (1, 2, 3)]
    ws.append(["합계", tot[0], tot[1], tot[2], tot[2] - tot[1]])
    last = ws.max_row
    for row in ws.iter_rows(min_row=3, max_row=last, max_col=5):
        for cell in row:
            cell.border = box
            if cell.column > 1 and cell.row > 3:
                cell.number_format = "#,##0;[Red]-#,##0"
            if cell.row in (3, last):
                cell.font = Font(bold=True)
                cell.fill = grey
                if cell.row == 3:
                    cell.alignment = Alignment(horizontal="center")
    ws.append([])
    for line in doc["meta"] + doc["prose"]:
        ws.append([line])
    ws.column_dimensions["A"].width = 20
    for col in "BCDE":
        ws.column_dimensions[col].width = 14

    ws2 = wb.create_sheet("주요사업")
    ws2.append([doc["projects_title"]])
    ws2["A1"].font = Font(bold=True, size=13)
    ws2.append(["", "", "", doc["unit"]])
    ws2.append(doc["projects_header"])
    for p in doc["projects"]:
        ws2.append(p)
        ws2.cell(ws2.max_row, 3).number_format = "#,##0"
    for row in ws2.iter_rows(min_row=3, max_row=ws2.max_row, max_col=4):
        for cell in row:
            cell.border = box
            if cell.row == 3:
                cell.font = Font(bold=True)
                cell.fill = grey
    ws2.column_dimensions["A"].width = 34
    ws2.column_dimensions["B"].width = 18
    ws2.column_dimensions["C"].width = 12
    wb.properties.title = doc["title"]
    wb.save(str(path))


def build_csv(doc, path):
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([doc["title"]])
        w.writerow([doc["unit"]])
        w.writerow(doc["header"])
        w.writerows(andong_rows())
        w.writerow([])
        for line in doc["meta"] + doc["prose"]:
            w.writerow([line])


def build_hwpx(doc, path):
    ns = (
        'xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app" '
        'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph" '
        'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" '
        'xmlns:hc="http://www.hancom.co.kr/hwpml/2011/core" '
        'xmlns:hh="http://www.hancom.co.kr/hwpml/2011/head"'
    )
    pid = [0]

    def para(text):
        pid[0] += 1
        return (f'<hp:p id="{pid[0]}" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
                f'<hp:run charPrIDRef="0"><hp:t>{escape(text)}</hp:t></hp:run></hp:p>')

    parts = [para(doc["title"])] + [para(m) for m in doc["meta"]]
    parts += [para(p) for p in doc["prose"]]
    parts.append(para(doc["unit"]))
    rows = [doc["header"]] + doc["rows"]
    trs = []
    for r, row in enumerate(rows):
        tcs = "".join(
            f'<hp:tc name="" header="{1 if r == 0 else 0}" hasMargin="0" protect="0" editable="0" dirty="0" '
            f'borderFillIDRef="1"><hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" '
            f'vertAlign="CENTER">{para(c)}</hp:subList><hp:cellAddr colAddr="{ci}" rowAddr="{r}"/>'
            f'<hp:cellSpan colSpan="1" rowSpan="1"/><hp:cellSz width="10000" height="1000"/></hp:tc>'
            for ci, c in enumerate(row)
        )
        trs.append(f"<hp:tr>{tcs}</hp:tr>")
    pid[0] += 1
    parts.append(
        f'<hp:p id="{pid[0]}" paraPrIDRef="0" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
        f'<hp:run charPrIDRef="0"><hp:tbl id="1" rowCnt="{len(rows)}" colCnt="{len(rows[0])}" '
        f'cellSpacing="0" borderFillIDRef="1" noAdjust="0">{"".join(trs)}</hp:tbl></hp:run></hp:p>'
    )
    parts.append(para(doc["note"]))
    section = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               f"<hs:sec {ns}>" + "".join(parts) + "</hs:sec>")
    header = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              f'<hh:head {ns} version="1.4" secCnt="1"><hh:beginNum page="1" footnote="1" endnote="1" '
              'pic="1" tbl="1" equation="1"/><hh:refList/></hh:head>')
    version = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" tagetApplication="WORDPROCESSOR" '
               'major="5" minor="1" micro="0" buildNumber="1" os="1" xmlVersion="1.4" application="Hancom Office Hangul" '
               'appVersion="12, 0, 0, 1"/>')
    container = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
                 'xmlns:hpf="http://www.hancom.co.kr/schema/2011/hpf"><ocf:rootfiles>'
                 '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
                 '</ocf:rootfiles></ocf:container>')
    manifest = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    content = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/" version="" unique-identifier="" id="">'
               f'<opf:metadata><opf:title>{escape(doc["title"])}</opf:title><opf:language>ko</opf:language>'
               '</opf:metadata><opf:manifest>'
               '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
               '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
               '<opf:item id="settings" href="settings.xml" media-type="application/xml"/>'
               '</opf:manifest><opf:spine><opf:itemref idref="header" linear="yes"/>'
               '<opf:itemref idref="section0" linear="yes"/></opf:spine></opf:package>')
    settings = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<ha:HWPApplicationSetting xmlns:ha="http://www.hancom.co.kr/hwpml/2011/app">'
                '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in [
            ("version.xml", version),
            ("Contents/header.xml", header),
            ("Contents/section0.xml", section),
            ("settings.xml", settings),
            ("META-INF/container.xml", container),
            ("META-INF/manifest.xml", manifest),
            ("Contents/content.hpf", content),
        ]:
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


def main():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    OUT.mkdir(parents=True, exist_ok=True)

    build_pdf(POHANG, OUT / "pohang_2025_it_budget_book.pdf")
    build_pdf(CHUNGNAM, OUT / "chungnam_2024_data_budget_press.pdf")
    build_pdf(CHEONAN, OUT / "cheonan_2023_smart_admin_budget_en.pdf")
    build_docx(GIMHAE, OUT / "gimhae_2024_smart_city_budget.docx")
    build_docx(YEOSU, OUT / "yeosu_2022_marine_digital_press_en.docx")
    build_xlsx(DAMYANG, OUT / "damyang_2025_it_budget.xlsx")
    build_csv(ANDONG, OUT / "andong_2023_it_budget.csv")
    build_hwpx(YEONGDONG, OUT / "yeongdong_2024_it_budget.hwpx")
    for p in sorted(OUT.iterdir()):
        print(p.name, p.stat().st_size)


if __name__ == "__main__":
    main()
