"""Cold start: how long a fresh process takes to answer, and the app to be ready.

    python bench/coldstart.py [--runs 5] [--data-dir DIR]

On a store of the bundled corpus (built in a temporary folder unless ``--data-dir`` names
one), prints:
- ``budgetqa ask`` wall time, process start to exit, over ``--runs`` fresh processes
  (a Korean and an English question); the goal is 3 s;
- where a cold answer's time goes: imports, store open, the wait for Kiwi (which builds in a
  child process meanwhile, ``budgetqa.kiwi_child``), the first answer;
- import time by top-level package (``python -X importtime``);
- ``python app.py`` until ``/healthz`` answers 200; the goal is 10 s.
Not a test: figures depend on the machine (and on Python's bytecode cache being writable).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTIONS = ["서울시 2023년 정보화 예산은?", "How much is Seoul's IT budget for 2023?"]
STEPS = """
import time
t0 = time.perf_counter()
from budgetqa.korean import kiwi_in_child, search_tokens
kiwi_in_child()  # as budgetqa ask does
from answer.chain import QAChain
from budgetqa.pipeline import Pipeline
from budgetqa.settings import Settings
t1 = time.perf_counter()
pipeline = Pipeline.open(Settings.load())
t2 = time.perf_counter()
search_tokens("서울시 정보화 예산")
t3 = time.perf_counter()
QAChain(pipeline).ask({question!r})
t4 = time.perf_counter()
print(
    f"imports {{t1 - t0:.2f}} s, store open {{t2 - t1:.2f}} s, "
    f"then waiting for Kiwi (built in a child process since the start) {{t3 - t2:.2f}} s, "
    f"first answer {{t4 - t3:.2f}} s"
)
"""


def env(data: Path) -> dict[str, str]:
    out = {**os.environ, "BUDGETQA_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
    out.pop("PYTHONDONTWRITEBYTECODE", None)  # a normal install caches bytecode
    return out


def wall(cmd: list[str], data: Path) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env(data), cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - started


def import_times(data: Path) -> list[tuple[str, float]]:
    """Import seconds by top-level package (each module's own time, summed) in one cold
    ``budgetqa ask`` (Kiwi's imports happen in its child process, not counted here)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(BIN / "budgetqa"), "ask", QUESTIONS[1]],
        env=env(data),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line)
        if found:
            by_package[found.group(2).split(".")[0]] += int(found.group(1)) / 1e6
    return sorted(by_package.items(), key=lambda item: -item[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_ready(data: Path, timeout: float = 60.0) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        env=env(data),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        return float("nan")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="an existing store (default: a fresh one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="budgetqa-cold-") as tmp:
        data = args.data_dir or Path(tmp) / "data"
        if args.data_dir is None:
            subprocess.run(
                [str(BIN / "budgetqa"), "ingest"], env=env(data), cwd=ROOT, capture_output=True, check=True
            )
        wall([str(BIN / "budgetqa"), "ask", QUESTIONS[0]], data)  # bytecode cache, disk cache
        for question in QUESTIONS:
            times = [wall([str(BIN / "budgetqa"), "ask", question], data) for _ in range(args.runs)]
            print(
                f"budgetqa ask {question!r}: p50 {statistics.median(times):.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs)"
            )
        steps = subprocess.run(
            [sys.executable, "-c", STEPS.format(question=QUESTIONS[0])],
            env=env(data),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"where a cold answer's time goes: {steps.stdout.strip()}")
        print("import time by package (s): " + ", ".join(f"{p} {s:.2f}" for p, s in import_times(data)[:12]))
        ready = sorted(app_ready(data) for _ in range(3))
        print(
            f"app.py ready (/healthz 200): p50 {ready[1]:.2f} s (min {ready[0]:.2f}, max {ready[2]:.2f}, 3 runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
