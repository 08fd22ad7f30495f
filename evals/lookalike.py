"""Look-alike budget documents with their questions: training data for the scorer and the
look-alike distractors of the scale benchmark.

    python -m evals.lookalike --docs 60 --out /tmp/lookalike     # writes DIR/docs/*, DIR/lookalike.jsonl

Each document is a fictional budget release of a Korean city for one year: a title, a date
and a department, prose with a total in 억 원, a project count, a change in percent and a few
projects, a distractor about another city, and a table of categories by year with a unit line
(백만원, 천원, 억원 or KRW million/thousand), as Markdown or as pipe-separated text. About a
third are in English. Many documents share categories, years and phrasing: a question must be
answered from the right city and year.

Each document comes with questions in the eval-set format (docs/EVAL_FORMAT.md): table rows
(this year, last year, a follow-up), the total, the count, the change, a project, in Korean and
English, and unanswerable ones (a year the document lacks, a category it lacks). Phrasings are
drawn from several templates. Everything is drawn from ``random.Random(seed)``: the same seed
gives the same files.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from budgetqa.places import CITIES, MORE_CITIES

# (Korean name, English name) of the cities documents are written for
BODIES: list[tuple[str, str]] = [
    (f"{ko}시", en) for ko, en in MORE_CITIES.items() if ko not in {"구리", "동해", "공주", "상주", "사천"}
] + [(ko, next(a for a in aliases if a.isascii())) for ko, aliases in CITIES.items() if ko != "서울"]

TOPICS: list[dict[str, Any]] = [
    {
        "ko": "정보화 사업",
        "en": "informatization projects",
        "categories": [
            ("시스템 구축", "System development"),
            ("유지관리", "Maintenance"),
            ("인프라", "Infrastructure"),
            ("정보보호", "Information security"),
            ("교육·홍보", "Education and outreach"),
            ("클라우드 전환", "Cloud migration"),
            ("데이터 개방", "Open data"),
        ],
        "projects": [
            ("통합 민원 플랫폼 구축", "integrated civil-petition platform"),
            ("노후 전산장비 교체", "replacement of ageing computer equipment"),
            ("공공데이터 포털 고도화", "public data portal upgrade"),
            ("사이버 보안관제센터 확충", "cyber security control centre expansion"),
        ],
    },
    {
        "ko": "스마트시티 사업",
        "en": "smart city programmes",
        "categories": [
            ("스마트 교통", "Smart transport"),
            ("안전·방범", "Safety and crime prevention"),
            ("환경·에너지", "Environment and energy"),
            ("스마트 행정", "Smart administration"),
            ("통합플랫폼", "Integrated platform"),
            ("시민 참여", "Citizen participation"),
        ],
        "projects": [
            ("지능형 교통신호 체계 구축", "intelligent traffic signal system"),
            ("스마트 버스정류장 설치", "smart bus shelters"),
            ("스마트 CCTV 확충", "smart CCTV expansion"),
            ("디지털트윈 플랫폼 구축", "digital twin platform"),
        ],
    },
    {
        "ko": "디지털 전환 사업",
        "en": "digital transformation projects",
        "categories": [
            ("AI 서비스", "AI services"),
            ("데이터 분석", "Data analytics"),
            ("디지털 포용", "Digital inclusion"),
            ("행정정보시스템", "Administrative systems"),
            ("네트워크", "Networks"),
            ("공공 와이파이", "Public Wi-Fi"),
        ],
        "projects": [
            ("AI 민원 상담 챗봇 도입", "AI civil-service chatbot"),
            ("어르신 디지털 배움터 운영", "digital learning centres for seniors"),
            ("공공 와이파이 확대", "public Wi-Fi expansion"),
            ("빅데이터 분석 플랫폼 구축", "big data analytics platform"),
        ],
    },
]
CASES_FILE = "lookalike.jsonl"  # the questions, beside the docs/ folder (see ``write``)
UNITS_KO = [("백만원", 1.0), ("백만원", 1.0), ("천원", 0.001), ("억원", 100.0)]  # unit, its value in 백만원
UNITS_EN = [("KRW million", 1.0), ("KRW million", 1.0), ("KRW thousand", 0.001)]


@dataclass
class LookalikeDoc:
    name: str
    text: str
    lang: str
    city: str
    year: int
    cases: list[dict[str, Any]] = field(default_factory=list)


def eok(million: float) -> str:
    """백만원 as 억 ("248.87억"), exact to the 백만원."""
    text = f"{million / 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}억"


def cell(million: int, per: float) -> str:
    """An amount in 백만원 written in a table's unit (thousands separators)."""
    return f"{round(million / per):,}"


def amount_fact(million: int, unit: str, per: float) -> list[str]:
    """Alternatives an answer may state: the table's own writing, and in 억."""
    written = cell(million, per)
    own = f"{written}{unit}" if not unit.startswith("KRW") else f"{written} {unit.split()[1]} won"
    return [own, eok(round(million / per) * per)]


def _ko_date(year: int, rng: random.Random) -> str:
    return f"{year}. {rng.randint(1, 2)}. {rng.randint(2, 27)}."


def _en_date(year: int, rng: random.Random) -> str:
    return f"{rng.choice(['January', 'February'])} {rng.randint(2, 27)}, {year}"


def make_document(n: int, rng: random.Random, reserved: set[str]) -> LookalikeDoc:
    city_ko, city_en = rng.choice([b for b in BODIES if b[0] not in reserved])
    other_ko, other_en = rng.choice([b for b in BODIES if b[0] not in (city_ko, *reserved)])
    topic = rng.choice(TOPICS)
    lang = "en" if rng.random() < 0.35 else "ko"
    year = rng.randint(2017, 2026)
    years = [year - 1, year] if rng.random() < 0.7 else [year - 2, year - 1, year]
    cats = rng.sample(topic["categories"], rng.randint(4, 5))
    unit, per = rng.choice(UNITS_EN if lang == "en" else UNITS_KO)
    # amounts in 백만원 per category and year; 억원 tables hold whole 억
    step = 100 if per == 100.0 else 1
    table: dict[str, list[int]] = {}
    for ko, _ in cats:
        base = rng.randint(300, 30000)
        row = []
        for _ in years:
            row.append(max(step, round(base / step) * step))
            base = int(base * rng.uniform(0.9, 1.2))
        table[ko] = row
    totals = [sum(table[c][k] for c, _ in cats) for k in range(len(years))]
    total, before = totals[-1], totals[-2]
    change = round((total - before) / before * 100, 1)
    count = rng.randint(40, 400)
    new = rng.randint(5, count // 3)
    projects = rng.sample(topic["projects"], 2)
    project_eok = [rng.randint(3, 60) for _ in projects]
    other_total = rng.randint(50, 900)
    total_eok, before_eok = round(total / 100), round(before / 100)
    date = _en_date(year, rng) if lang == "en" else _ko_date(year, rng)

    if lang == "ko":
        verb = "늘어난" if change >= 0 else "줄어든"
        prose = [
            f"{city_ko}는 {year}년도 {topic['ko']} 예산으로 총 {total_eok}억 원을 편성했다고 밝혔다. "
            f"이는 {year - 1}년 {before_eok}억 원보다 {abs(change)}% {verb} 규모이며, "
            f"편성된 사업은 모두 {count}건이다.",
            f"{count}건 가운데 신규 사업은 {new}건이다. 주요 사업으로는 {projects[0][0]} "
            f"{project_eok[0]}억 원, {projects[1][0]} {project_eok[1]}억 원이 반영되었다.",
            f"한편 인근 {other_ko}는 같은 해 {topic['ko']}에 {other_total}억 원을 편성한 것으로 알려졌다.",
        ]
        title = f"{city_ko} {year}년 {topic['ko']} 예산 편성 결과"
        meta = [f"작성일: {date}", f"담당부서: {city_ko} 정보통신과"]
        header = ["구분", *(f"{y}년" for y in years)]
        unit_line = f"(단위: {unit})"
        rows = [[ko, *(cell(v, per) for v in table[ko])] for ko, _ in cats]
        rows.append(["합계", *(cell(v, per) for v in totals)])
        intro = f"{len(prose) + 1}. 분야별 {topic['ko']} 예산 현황"
    else:
        verb = "up" if change >= 0 else "down"
        prose = [
            f"{city_en} City has allocated KRW {total / 1000:.1f} billion to {topic['en']} in its "
            f"{year} budget, {verb} {abs(change)} percent from KRW {before / 1000:.1f} billion in "
            f"{year - 1}. The budget covers {count} projects, {new} of them new.",
            f"The largest items are the {projects[0][1]} (KRW {project_eok[0] / 10:.1f} billion) and the "
            f"{projects[1][1]} (KRW {project_eok[1] / 10:.1f} billion).",
            f"Neighbouring {other_en} set aside KRW {other_total / 10:.1f} billion for the same purpose.",
        ]
        title = f"{city_en} City {year} budget for {topic['en']}"
        meta = [f"Release date: {date}", f"Department: {city_en} City ICT Division"]
        header = ["Category", *map(str, years)]
        unit_line = f"(Unit: {unit})"
        rows = [[en, *(cell(table[ko][k], per) for k in range(len(years)))] for ko, en in cats]
        rows.append(["Total", *(cell(v, per) for v in totals)])
        intro = f"Budget for {topic['en']} by category"

    markdown = rng.random() < 0.6
    lines = [f"# {title}" if markdown else title, "", *meta, ""]
    for p in prose:
        lines += [p, ""]
    lines += [intro, unit_line]
    if markdown:
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        lines += [" | ".join(header), *(" | ".join(r) for r in rows)]
    slug = city_en.lower().replace(" ", "-")
    doc = LookalikeDoc(
        name=f"{n:05d}_{slug}_{year}_{lang}.{'md' if markdown else 'txt'}",
        text="\n".join(lines) + "\n",
        lang=lang,
        city=city_ko,
        year=year,
    )
    drawn = {
        "city_ko": city_ko,
        "city_en": city_en,
        "total": total,
        "total_eok": total_eok,
        "count": count,
        "change": change,
        "projects": projects,
        "project_eok": project_eok,
    }
    doc.cases = _questions(doc, rng, topic, cats, table, unit, per, rows, drawn)
    return doc


def _questions(
    doc: LookalikeDoc,
    rng: random.Random,
    topic: dict[str, Any],
    cats: list[tuple[str, str]],
    table: dict[str, list[int]],
    unit: str,
    per: float,
    rows: list[list[str]],
    v: dict[str, Any],
) -> list[dict[str, Any]]:
    city_ko, city_en, year = v["city_ko"], v["city_en"], doc.year
    cases: list[dict[str, Any]] = []

    def add(
        lang: str, question: str, facts: list[Any], evidence: list[str], tags: list[str], **extra: Any
    ) -> None:
        cases.append(
            {
                "id": f"{doc.name.split('_')[0]}-{len(cases) + 1:02d}",
                "lang": lang,
                "question": question,
                "expected_facts": facts,
                "forbidden_facts": extra.pop("forbidden", []),
                "evidence": evidence,
                "answerable": bool(facts),
                "tags": [*tags, lang, f"doc-{doc.lang}"],
                **extra,
            }
        )

    k = rng.randrange(len(cats))
    ko_cat, en_cat = cats[k]
    label = ko_cat if doc.lang == "ko" else en_cat
    row = rows[k]
    this, last = table[ko_cat][-1], table[ko_cat][-2]
    ko_row = rng.choice(
        [
            "{c} {y}년 {cat} 예산은 얼마인가요?",
            "{y}년 {c}의 {cat} 분야 예산은?",
            "{c}가 {y}년에 {cat}에 편성한 금액은 얼마야?",
            "{c} {t} 예산 중 {y}년 {cat} 예산을 알려주세요.",
        ]
    )
    en_row = rng.choice(
        [
            "How much did {c} allocate to {cat} in {y}?",
            "What is {c}'s {y} budget for {cat}?",
            "{c} {cat} budget in {y}?",
            "How much is set aside for {cat} in {c}'s {y} {t} budget?",
        ]
    )
    fact = [amount_fact(this, unit, per)]
    forbidden = [amount_fact(last, unit, per)[0]] if last != this else []
    evidence = [label, row[-1]]
    if doc.lang == "ko" or rng.random() < 0.5:
        add(
            "ko",
            ko_row.format(c=city_ko, y=year, cat=ko_cat, t=topic["ko"]),
            fact,
            evidence,
            ["table"],
            forbidden=forbidden,
        )
    if doc.lang == "en" or rng.random() < 0.5:
        add(
            "en",
            en_row.format(c=city_en, y=year, cat=en_cat.lower(), t=topic["en"]),
            fact,
            evidence,
            ["table"],
            forbidden=forbidden,
        )
    # last year's value of another row, and a follow-up back to this row's previous year
    j = rng.choice([i for i in range(len(cats)) if i != k])
    other = cats[j]
    q_lang = doc.lang if rng.random() < 0.8 else ("en" if doc.lang == "ko" else "ko")
    prev = table[other[0]][-2]
    text = (
        f"{city_ko}의 {year - 1}년 {other[0]} 예산은 얼마였나요?"
        if q_lang == "ko"
        else f"What was {city_en}'s {other[1].lower()} budget in {year - 1}?"
    )
    add(
        q_lang,
        text,
        [amount_fact(prev, unit, per)],
        [other[0] if doc.lang == "ko" else other[1], rows[j][-2]],
        ["table", "last-year"],
        forbidden=[amount_fact(table[other[0]][-1], unit, per)[0]] if table[other[0]][-1] != prev else [],
    )
    first = cases[0]
    add(
        first["lang"],
        "그럼 전년도는?" if first["lang"] == "ko" else f"And in {year - 1}?",
        [amount_fact(last, unit, per)],
        [label, row[-2]],
        ["table", "followup"],
        history=[
            {"role": "user", "content": first["question"]},
            {"role": "assistant", "content": f"{first['expected_facts'][0][0]} [1]"},
        ],
        forbidden=[amount_fact(this, unit, per)[0]] if this != last else [],
    )
    # prose: total, count, change, a project
    total_eok, count, change = v["total_eok"], v["count"], v["change"]
    if doc.lang == "ko":
        total_ev, count_ev, change_ev = f"총 {total_eok}억 원", f"모두 {count}건", f"{abs(change)}%"
        total_facts = [[f"{total_eok}억", *amount_fact(v["total"], unit, per)]]
    else:
        total_ev, count_ev = f"KRW {v['total'] / 1000:.1f} billion", f"covers {count} projects"
        change_ev = f"{abs(change)} percent"
        total_facts = [[f"{v['total'] / 1000:.1f} billion won", *amount_fact(v["total"], unit, per)]]
    for lang in {doc.lang, rng.choice(["ko", "en"])}:
        add(
            lang,
            rng.choice(
                [
                    f"{city_ko} {year}년 {topic['ko']} 예산 총액은?",
                    f"{year}년 {city_ko}의 {topic['ko']} 예산은 모두 얼마인가요?",
                ]
            )
            if lang == "ko"
            else rng.choice(
                [
                    f"What is {city_en}'s total {year} budget for {topic['en']}?",
                    f"How big is {city_en}'s {year} {topic['en']} budget?",
                ]
            ),
            total_facts,
            [total_ev],
            ["prose", "total"],
        )
    add(
        doc.lang,
        f"{city_ko} {year}년 {topic['ko']}은 모두 몇 건인가요?"
        if doc.lang == "ko"
        else f"How many {topic['en']} does {city_en}'s {year} budget cover?",
        [f"{count}건" if doc.lang == "ko" else f"{count}"],
        [count_ev],
        ["prose", "count"],
    )
    add(
        doc.lang,
        f"{city_ko}의 {year}년 {topic['ko']} 예산은 전년보다 몇 퍼센트 변했나요?"
        if doc.lang == "ko"
        else f"By how many percent did {city_en}'s {topic['en']} budget change in {year}?",
        [f"{abs(change)}%"],
        [change_ev],
        ["prose", "percent"],
    )
    p = rng.randrange(2)
    name_ko, name_en = v["projects"][p]
    amount = v["project_eok"][p]
    add(
        doc.lang,
        f"{city_ko}의 {year}년 {name_ko} 예산은?"
        if doc.lang == "ko"
        else f"How much will {city_en} spend on the {name_en} in {year}?",
        [f"{amount}억"],
        [name_ko if doc.lang == "ko" else name_en],
        ["prose", "project"],
    )
    # unanswerable: a year the document does not cover, a category it does not have
    missing = next(c for c in topic["categories"] + [("드론 산업", "Drone industry")] if c not in cats)
    later = year + rng.randint(2, 4)
    if doc.lang == "ko":
        add("ko", f"{city_ko} {later}년 {ko_cat} 예산은 얼마인가요?", [], [], ["unanswerable", "year"])
        add("ko", f"{city_ko} {year}년 {missing[0]} 예산은?", [], [], ["unanswerable", "category"])
    else:
        add(
            "en",
            f"How much did {city_en} allocate to {en_cat.lower()} in {later}?",
            [],
            [],
            ["unanswerable", "year"],
        )
        add(
            "en",
            f"What is {city_en}'s {year} budget for {missing[1].lower()}?",
            [],
            [],
            ["unanswerable", "category"],
        )
    return cases


def generate(docs: int, seed: int = 0) -> list[LookalikeDoc]:
    rng = random.Random(seed)
    return [make_document(n, rng, reserved=set()) for n in range(docs)]


def write(docs: list[LookalikeDoc], out: Path) -> tuple[Path, Path]:
    """The documents under ``out/docs`` and their questions in ``out/lookalike.jsonl``."""
    folder = out / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    with (out / CASES_FILE).open("w", encoding="utf-8") as cases:
        for doc in docs:
            (folder / doc.name).write_text(doc.text, encoding="utf-8")
            for case in doc.cases:
                cases.write(json.dumps(case, ensure_ascii=False) + "\n")
    return folder, out / CASES_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.lookalike", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    docs = generate(args.docs, args.seed)
    folder, cases = write(docs, args.out)
    print(f"{len(docs)} documents in {folder}, {sum(len(d.cases) for d in docs)} questions in {cases}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
