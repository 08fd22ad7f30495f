"""Answer benchmark: latency p50/p95 of the default chain, cold and warm, by question kind.

    python bench/answer.py [--repeat 3]

Cold: a fresh pipeline (embedder, store, Kiwi) and its first answer. Warm: every case of
evals/sets/core.jsonl, grouped by tag, after one warm-up pass. Prints a table; not a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from answer.chain import QAChain
from budgetqa.pipeline import Pipeline
from budgetqa.settings import Settings
from evals.runner import load_eval_set

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "evals" / "sets" / "core.jsonl"
COLD = """
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
from answer.chain import QAChain
from budgetqa.pipeline import Pipeline
from budgetqa.settings import Settings
t1 = time.perf_counter()
chain = QAChain(Pipeline.open(Settings.load(data_dir=Path({data!r}))))
t2 = time.perf_counter()
chain.ask("What is the total IT budget for 2023?")
t3 = time.perf_counter()
print(f"imports {{t1 - t0:.2f}} s, open pipeline {{t2 - t1:.2f}} s, first answer {{(t3 - t2) * 1000:.0f}} ms")
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="warm passes over the core set")
    args = parser.parse_args()
    cases = load_eval_set(CORE)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.load(data_dir=Path(tmp))
        Pipeline.open(settings).ingest(progress=False)  # build the store outside the timings
        cold = subprocess.run(  # a new process: imports, embedder, Kiwi and store all load cold
            [sys.executable, "-c", COLD.format(root=str(ROOT), data=tmp)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        chain = QAChain(Pipeline.open(settings))
        by_tag: dict[str, list[float]] = defaultdict(list)
        for case in cases:  # warm-up
            chain.ask(case["question"], case.get("history"))
        for _ in range(args.repeat):
            for case in cases:
                started = time.perf_counter()
                chain.ask(case["question"], case.get("history"))
                elapsed = (time.perf_counter() - started) * 1000
                by_tag["all"].append(elapsed)
                for tag in case.get("tags", []):
                    by_tag[tag].append(elapsed)
    print(f"cold (new process): {cold}")
    print(f"{'kind':14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for tag in ["all", *sorted(t for t in by_tag if t != "all")]:
        values = by_tag[tag]
        print(f"{tag:14} {len(values):5d} {statistics.median(values):8.1f} {pct(values, 0.95):8.1f}")


if __name__ == "__main__":
    main()
