"""Retrieval benchmark: ingest time, passages/s, warm search latency p50/p95, peak RSS.

    python bench/retrieval.py [--queries 50] [--corpus DIR]

Prints a table; not part of the tests. Uses a temporary data dir, so it never touches ./data.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from budgetqa.settings import Settings

QUERIES = [
    "How much goes to hardware and software in 2023?",
    "What is the total IT budget for 2023?",
    "서울시 2023년 정보화 예산 총액은?",
    "자치구 정보화 예산은 얼마인가?",
    "투자출연기관에 배정된 금액과 사업 수는?",
    "메타버스 서울 2단계 사업 예산은?",
    "2022년 CCTV 예산은?",
    "When was Metaverse Seoul launched?",
    "How many jobs will the 2022 IT spending create?",
    "2021년 스마트시티 사업 예산은?",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp))
        t0 = time.perf_counter()
        from budgetqa.pipeline import Pipeline

        t_import = time.perf_counter() - t0
        pipeline = Pipeline.open(settings)
        rows.append(("import pipeline modules", f"{t_import:.2f} s"))
        rows.append(("embedding backend", settings.embedding))
        rows.append(("embedding load", f"{pipeline.timings['embedding_load_s'] * 1000:.0f} ms"))
        rss_before = peak_rss_mb()
        t0 = time.perf_counter()
        report = pipeline.ingest([args.corpus or settings.corpus_dir], progress=False)
        ingest_s = time.perf_counter() - t0
        n = pipeline.store.count()
        rows.append(("ingest (cold: Kiwi load, embed, Chroma, BM25)", f"{ingest_s:.2f} s"))
        rows.append(("passages", f"{n} from {report.files} files"))
        rows.append(("passages/s (cold)", f"{n / ingest_s:.1f}"))
        embed_texts = [h.text for h in pipeline.store.get(pipeline.store.ids()).values()]
        t0 = time.perf_counter()
        pipeline.store.embeddings.embed_documents(embed_texts)
        embed_s = time.perf_counter() - t0
        rows.append(("embedding only, passages/s", f"{len(embed_texts) / embed_s:.1f}"))
        t0 = time.perf_counter()
        pipeline.ingest([args.corpus or settings.corpus_dir], progress=False)
        rows.append(("re-ingest unchanged corpus", f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
        for q in QUERIES:  # warm-up
            pipeline.search(q)
        latencies = []
        for i in range(args.queries):
            t0 = time.perf_counter()
            pipeline.search(QUERIES[i % len(QUERIES)])
            latencies.append((time.perf_counter() - t0) * 1000)
        rows.append(
            (f"search latency p50 (warm, {args.queries} queries)", f"{statistics.median(latencies):.1f} ms")
        )
        rows.append(("search latency p95 (warm)", f"{pct(latencies, 0.95):.1f} ms"))
        rows.append(("peak RSS before ingest", f"{rss_before:.0f} MB"))
        rows.append(("peak RSS", f"{peak_rss_mb():.0f} MB"))
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':{width}}  value")
    print(f"{'-' * width}  -----")
    for key, value in rows:
        print(f"{key:{width}}  {value}")


if __name__ == "__main__":
    main()
