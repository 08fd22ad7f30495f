"""PDF (with pages), DOCX, XLSX, CSV and HWPX: text and table rows as facts with their headers
and units, page citations, the document list, removal, and bad files with a one-line reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from budgetqa.cli import main
from budgetqa.errors import IngestError
from budgetqa.pipeline import Pipeline
from ingest.loaders import load_document
from ingest.split import split_document
from tests import fixture_docs as fx
from tests.conftest import make_settings

WRITERS = {
    "pdf": fx.write_pdf,
    "docx": fx.write_docx,
    "xlsx": fx.write_xlsx,
    "csv": fx.write_csv,
    "hwpx": fx.write_hwpx,
}
ROW = "세출예산 — 2023년: 24,887백만원, 2024년: 26,001백만원"


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_format_gives_its_text_and_table_rows_as_facts(tmp_path: Path, kind: str) -> None:
    doc = load_document(WRITERS[kind](tmp_path / f"daegu.{kind}"))
    passages = split_document(doc)
    texts = "\n".join(p.text for p in passages)
    assert ROW in texts  # the row carries its column headers and the table's unit
    assert "(단위: 백만원)" in texts
    assert doc.meta.format == kind and doc.meta.city == "대구"
    if kind in ("pdf", "docx", "hwpx"):
        assert fx.PROSE in texts and doc.meta.title == fx.TITLE
    if kind in ("pdf", "docx", "hwpx"):  # the caption above the table names it in every row's passage
        assert any(p.text.startswith("표 1. 대구광역시 예산 현황") and ROW in p.text for p in passages)
    if kind == "pdf":
        assert doc.pages == 2
        assert {p.page for p in passages if ROW in p.text} == {2} and {
            p.page for p in passages if fx.PROSE in p.text
        } == {1}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    docs = folder / "docs"
    docs.mkdir()
    fx.write_pdf(docs / "daegu.pdf", scanned_page=True)
    fx.write_docx(docs / "daegu.docx")
    fx.write_xlsx(docs / "daegu.xlsx")
    data = folder / "data"
    report = Pipeline.open(make_settings(data)).ingest([docs], progress=False)
    assert report.errors == [] and report.ingested == 3
    assert any("page(s) 3" in w and "daegu.pdf" in w for w in report.warnings)  # the scanned page
    return data


def test_documents_are_listed_with_format_pages_and_passages(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(store), "docs", "--json"]) == 0
    docs = {d["source"]: d for d in json.loads(capsys.readouterr().out)}
    assert set(docs) == {"daegu.pdf", "daegu.docx", "daegu.xlsx"}
    assert docs["daegu.pdf"]["format"] == "pdf" and docs["daegu.pdf"]["pages"] == 3
    assert all(d["passages"] >= 1 for d in docs.values())


def test_a_pdf_table_row_is_cited_with_its_page_and_converted(store: Path) -> None:
    from answer.chain import QAChain

    settings = make_settings(store, answer_threshold="0.3")  # the answer path, not the scorer's caution
    answer = QAChain(Pipeline.open(settings)).ask("2023년 대구 세출예산은 얼마야?")
    assert not answer.abstained, answer.reason
    assert "248.9억" in answer.answer and "24,887백만원" in answer.answer
    pdf = [c for c in answer.citations if c.source == "daegu.pdf"]
    if pdf:  # the same row is in the DOCX and XLSX: whichever is cited, a PDF citation has its page
        assert pdf[0].page == 2
    assert all(c.page == 0 for c in answer.citations if c.source != "daegu.pdf")


def test_a_document_can_be_removed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(store), "docs", "remove", "daegu.xlsx"]) == 0
    assert "removed daegu.xlsx" in capsys.readouterr().out
    pipeline = Pipeline.open(make_settings(store))
    assert "daegu.xlsx" not in {d["source"] for d in pipeline.store.documents().values()}
    assert all("daegu.xlsx" not in h.source for h in pipeline.search("대구 세출예산", k=10))
    assert main(["--data-dir", str(store), "docs", "remove", "daegu.xlsx"]) == 2
    assert "no document 'daegu.xlsx'" in capsys.readouterr().err


def bad(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "scan.pdf":
        fx.write_image_only_pdf(path)
    elif name == "locked.pdf":
        fx.write_pdf(path, encrypt="secret")
    elif name == "broken.pdf":
        path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 200)
    elif name == "zip-named.pdf":
        fx.write_docx(path)
    elif name == "broken.docx":
        path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 50)
    elif name == "empty.xlsx":
        path.write_bytes(b"")
    elif name == "no-sections.hwpx":
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/hwp+zip")
    return path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("scan.pdf", "no page has a text layer"),
        ("locked.pdf", "encrypted"),
        ("broken.pdf", "cannot read the PDF"),
        ("zip-named.pdf", "not a PDF file"),
        ("broken.docx", "cannot read the DOCX"),
        ("empty.xlsx", "file is empty"),
        ("no-sections.hwpx", "not an HWPX document"),
    ],
)
def test_bad_files_get_a_one_line_reason(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(IngestError) as err:
        load_document(bad(tmp_path, name))
    text = str(err.value)
    assert message in text and "\n" not in text and name in text


HWP = Path(__file__).parent / "fixtures" / "hwp" / "msit_2018-09-03_nuri.hwp"  # see SOURCES.md there


def test_a_real_hwp_press_release_is_read() -> None:
    doc = load_document(HWP)
    texts = "\n".join(p.text for p in split_document(doc))
    assert doc.meta.format == "hwp" and doc.meta.date == "2018-09-04"
    assert doc.meta.title.startswith("우리가 독자 개발하여 최초 발사하는 한국형발사체")
    assert "담당부서: 거대공공연구정책과" in texts  # the header table's key/value pairs
    assert "6,300여명의 국민이 참여하여 총 10,000건 이상의 응모작" in texts
    assert "![" not in texts and "<br>" not in texts


def test_a_broken_hwp_gets_a_one_line_reason(tmp_path: Path) -> None:
    path = tmp_path / "broken.hwp"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00garbage" * 100)
    with pytest.raises(IngestError) as err:
        load_document(path)
    assert "cannot read the HWP" in str(err.value) and "\n" not in str(err.value)


def test_staff_upload_and_removal_are_seen_by_the_running_service(
    corpus_store_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.service
    from web.service import Service

    service = Service(make_settings(corpus_store_copy))
    service.start(background=False)
    assert service.status == "ready", service.error
    upload = tmp_path / "upload"
    upload.mkdir()
    good = fx.write_pdf(upload / "daegu.pdf")
    fake = fx.write_docx(upload / "fake.pdf")  # a zip named .pdf: refused by content
    lines = service.add_documents([str(good), str(fake)])
    assert any("fake.pdf: not a PDF file" in line for line in lines)
    assert not any(str(upload) in line or str(corpus_store_copy) in line for line in lines)
    assert any("1 ingested" in line for line in lines)
    sources = {h.source for h in service.ask("2023년 대구 세출예산은 얼마야?").retrieved}
    assert "daegu.pdf" in sources
    assert "daegu.pdf: " in service.remove_document("daegu.pdf")
    assert "daegu.pdf" not in {h.source for h in service.ask("2023년 대구 세출예산은 얼마야?").retrieved}
    monkeypatch.setattr(web.service, "MAX_DOCUMENT_BYTES", 100)
    assert "larger than" in service.add_documents([str(good)])[0]
