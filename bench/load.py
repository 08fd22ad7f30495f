"""Load test of the JSON API on loopback: a bounded burst of concurrent /api/ask requests.

    python bench/load.py [--clients 50] [--questions 10] [--rate-limit 0] [--url URL[,URL...]]

Starts the app on a free local port with a temporary copy of the store (unless --url points at
running ones: several workers on one Chroma server, see the README; client n talks to URL n mod
their number), sends clients x questions requests from that many threads, and prints errors (by
status), latency p50/p95 and throughput. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "How many projects in 2023?",
    "2023년 자치구 정보화 예산은?",
    "How much goes to hardware and software in 2023?",
    "2022년 CCTV 예산은?",
    "When did Metaverse Seoul launch?",
    "자치구와 투자출연기관 예산을 합치면?",
    "서울시의 2024년 정보화 예산은?",
    "What was the 2021 smart city budget?",
    "메타버스 서울 2단계 사업 예산은?",
    "Who wrote the Newspim article on the 2023 IT budget?",
]


def post(url: str, question: str) -> tuple[int, float]:
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(
        f"{url}/api/ask", data=body, headers={"content-type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


def start_server(rate_limit: str) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    env.update(BUDGETQA_DATA_DIR=tmp.name, BUDGETQA_RATE_LIMIT=rate_limit, GRADIO_ANALYTICS_ENABLED="False")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(180):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, url, tmp
        except OSError:
            time.sleep(1)
    proc.kill()
    raise SystemExit("the app did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10, help="per client")
    parser.add_argument("--rate-limit", default="0", help="BUDGETQA_RATE_LIMIT for the started app")
    parser.add_argument(
        "--url", default="", help="running apps on loopback (comma-separated) instead of one started"
    )
    args = parser.parse_args()
    urls = [u.strip().rstrip("/") for u in args.url.split(",") if u.strip()]
    if any(not u.startswith(("http://127.", "http://localhost")) for u in urls):
        raise SystemExit("only loopback addresses are allowed")
    proc = tmp = None
    if not urls:
        proc, url, tmp = start_server(args.rate_limit)
        urls = [url]
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(args.questions):
            outcome = post(urls[n % len(urls)], QUESTIONS[(n + i) % len(QUESTIONS)])
            with lock:
                results.append(outcome)

    try:
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        if tmp is not None:
            tmp.cleanup()
    statuses = Counter(status for status, _ in results)
    ok = sorted(ms for status, ms in results if status == 200)
    print(
        f"requests {len(results)} ({args.clients} clients x {args.questions}, {len(urls)} worker(s)), {elapsed:.1f} s"
    )
    print(f"status counts: {dict(sorted(statuses.items()))}")
    if ok:
        p95 = ok[min(len(ok) - 1, round(0.95 * (len(ok) - 1)))]
        print(f"latency ms (200s): p50 {statistics.median(ok):.0f}, p95 {p95:.0f}, max {ok[-1]:.0f}")
    print(f"throughput: {len(ok) / elapsed:.1f} answers/s")


if __name__ == "__main__":
    main()
