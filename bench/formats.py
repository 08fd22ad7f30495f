"""How long a large PDF takes: write an N-page budget book (prose and a ruled table with a unit line
on every page), then time reading it (text and tables) and ingesting it into a temporary store.

    python bench/formats.py [--pages 300]

Prints pages/s for reading, passages and passages/s for the ingest, and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def write_book(path: Path, pages: int) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(UnicodeCIDFont("HYSMyeongJo-Medium"))
    style = ParagraphStyle("ko", fontName="HYSMyeongJo-Medium", fontSize=10, leading=14)
    grid = [("FONT", (0, 0), (-1, -1), "HYSMyeongJo-Medium"), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
    story = []
    for n in range(1, pages + 1):
        story += [
            Paragraph(f"제{n}장 정보화 사업 {n}", style),
            Paragraph(
                f"사업 {n}은 2024년에 {n * 7 % 900 + 100}억 원을 들여 행정 시스템 {n % 13 + 2}종을 개선한다. "
                "사업 기간은 2024년 1월부터 12월까지이며 시민 서비스 품질을 높이는 것이 목적이다.",
                style,
            ),
            Paragraph("(단위: 백만원)", style),
            Table(
                [["구분", "2023년", "2024년"]]
                + [
                    [
                        f"세부사업 {n}-{r}",
                        f"{(n * 31 + r * 7) % 9000 + 1000:,}",
                        f"{(n * 37 + r * 11) % 9000 + 1000:,}",
                    ]
                    for r in range(1, 6)
                ],
                style=grid,
            ),
            PageBreak(),
        ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    from budgetqa.pipeline import Pipeline
    from budgetqa.settings import Settings
    from ingest.loaders import load_document
    from ingest.split import split_document

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "budget_book.pdf"
        started = time.perf_counter()
        write_book(pdf, args.pages)
        print(
            f"wrote {args.pages} pages ({pdf.stat().st_size / 2**20:.1f} MiB) in {time.perf_counter() - started:.1f} s"
        )
        started = time.perf_counter()
        doc = load_document(pdf)
        passages = split_document(doc)
        read_s = time.perf_counter() - started
        print(f"read: {read_s:.1f} s ({args.pages / read_s:.1f} pages/s), {len(passages)} passages")
        pipeline = Pipeline.open(Settings.load(data_dir=Path(tmp) / "data"))
        started = time.perf_counter()
        report = pipeline.ingest([pdf], progress=False)
        ingest_s = time.perf_counter() - started
        print(
            f"ingest: {report.summary()} in {ingest_s:.1f} s "
            f"({report.added / ingest_s:.1f} passages/s, reading included)"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
