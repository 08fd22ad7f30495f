"""Command line: ``budgetqa ingest | search | stats`` (and ``serve``).

Domain errors become one-line messages on stderr with exit status 2; nothing else is caught
here, so a real bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from budgetqa.errors import BudgetQAError
from budgetqa.korean import CONTROL, kiwi_in_child
from budgetqa.settings import ENV, Settings


def say(*parts: object, file: Any = None, **kwargs: Any) -> None:
    """print() for text that may come from documents: control and escape characters (ANSI/OSC
    sequences, bidi overrides) are removed, so a document cannot drive the operator's terminal."""
    text = " ".join(str(p) for p in parts)
    print(CONTROL.sub("", text), file=file, **kwargs)


def say_json(value: object) -> None:
    """JSON with every control character escaped (json leaves C1 controls as they are)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    print(CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        settings = Settings.load(data_dir=args.data_dir, embedding=args.embedding)
        return args.func(settings, args)
    except BudgetQAError as exc:
        say(f"budgetqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        return 0


def entry() -> int:
    """The ``budgetqa`` console script: ``main`` and then a fast exit.

    Tearing down a process that imported chromadb, langchain and scipy cost 0.35-0.5 s of a
    one-question ``budgetqa ask`` (about 1,400 modules), mostly the interpreter's last garbage
    collections. Freezing the heap skips those collections only: atexit handlers, logging and
    open files still flush and close as usual. Tests call ``main``, so their heap is not frozen.
    """
    code = main()
    gc.freeze()
    return code


def whole_number(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or a one-line refusal."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be {what} ({low}-{high}), not {number}")
        return number

    return parse


positive = whole_number(1, 100, "a number of passages")
port = whole_number(1, 65535, "a TCP port")


def build_parser() -> argparse.ArgumentParser:
    env_help = "\n".join(f"  {k:24} {h} (default: {d})" for k, (_, d, h) in ENV.items())
    parser = argparse.ArgumentParser(
        prog="budgetqa",
        description="Seoul Budget Q&A: ask Korean and English questions about budget documents.",
        epilog="environment variables:\n" + env_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data-dir", type=Path, help="store location (env BUDGETQA_DATA_DIR)")
    parser.add_argument("--embedding", help="embedding backend (env BUDGETQA_EMBEDDING)")
    sub = parser.add_subparsers(title="commands")

    p = sub.add_parser("ingest", help="load, clean, split and index documents")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the bundled corpus)")
    p.add_argument("--rebuild", action="store_true", help="drop the store first (e.g. after changing model)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="ranked passages for a query (hybrid dense + BM25)")
    p.add_argument("query")
    p.add_argument("-k", type=positive, default=None, help="number of passages (default: BUDGETQA_TOP_K)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", help="what the store holds and what built it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "docs", help="list the ingested documents ('docs remove SOURCE' removes one from Chroma and BM25)"
    )
    p.add_argument("action", nargs="?", choices=["list", "remove"], default="list")
    p.add_argument("source", nargs="?", help="for remove: the file name (as listed) or its full path")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("trace", help="show the trace of an answer (its trace id is in the answer)")
    p.add_argument("trace_id")
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser(
        "feedback", help="user feedback: 'export' writes it, joined with traces, as an eval-set draft"
    )
    p.add_argument("action", choices=["export"])
    p.add_argument("--out", type=Path, default=Path("feedback-draft.jsonl"), help="draft eval set (JSONL)")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("ask", help="answer a question with citations (or say the documents do not)")
    p.add_argument("question")
    p.add_argument("--history", type=Path, help="JSON file: a list of {role, content} earlier turns")
    p.add_argument("--json", action="store_true", help="print the same object as POST /api/ask")
    add_llm_flags(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run an eval set (JSONL) and write a report")
    p.add_argument("eval_set", type=Path)
    p.add_argument("--out", type=Path, default=Path("report.json"), help="report JSON (default report.json)")
    p.add_argument("--html", type=Path, help="also write an HTML report")
    p.add_argument("--compare", type=Path, help="an earlier report: print the cases that changed")
    add_llm_flags(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the chat UI (ingests the bundled corpus on first start)")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=port, default=None)
    p.set_defaults(func=cmd_serve)
    return parser


def add_llm_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--llm", help="answer generator: none, openai:<model> or ollama:<model> (env BUDGETQA_LLM)"
    )
    p.add_argument("--llm-url", help="the LLM server's base URL (env BUDGETQA_LLM_URL)")


def with_llm(settings: Settings, args: argparse.Namespace) -> Settings:
    """The settings with the command's --llm/--llm-url flags, which win over the environment."""
    changes = {"llm": args.llm, "llm_url": args.llm_url}
    return settings.with_(**{k: v for k, v in changes.items() if v is not None})


def _open(settings: Settings, rebuild: bool = False):
    from budgetqa.pipeline import Pipeline

    return Pipeline.open(settings, rebuild=rebuild)


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    missing = [str(p) for p in (args.paths or [settings.corpus_dir]) if not Path(p).exists()]
    if args.rebuild and missing:  # never drop the store for a typo
        raise BudgetQAError(f"not rebuilding: no such file or folder: {', '.join(missing)}")
    pipeline = _open(settings, rebuild=args.rebuild)
    started = time.perf_counter()
    report = pipeline.ingest(args.paths or None)
    for outcome in report.outcomes:  # one line per file
        say(f"  {outcome}")
    for error in report.errors:
        say(f"budgetqa: skipped: {error}", file=sys.stderr)
    elapsed = time.perf_counter() - started
    say(f"{report.summary()} in {elapsed:.1f}s; store holds {pipeline.store.count()} passages")
    return 1 if report.errors and not report.ingested and not report.unchanged else 0


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    query = args.query.strip()
    if not query:
        raise BudgetQAError("the query is empty")
    kiwi_in_child()
    pipeline = _open(settings)
    if pipeline.store.count() == 0:
        raise BudgetQAError("the store is empty: run 'budgetqa ingest' first")
    hits = pipeline.search(query, k=args.k)
    if args.json:
        say_json([h.to_dict() for h in hits])
        return 0
    for n, hit in enumerate(hits, start=1):
        say(f"[{n}] score {hit.score:.4f}  {hit.source}  {hit.date}  {hit.title}")
        for line in hit.text.splitlines():
            say(f"    {line}")
    return 0


def _chain(settings: Settings):
    from answer.chain import QAChain

    pipeline = _open(settings)
    if pipeline.store.count() == 0:
        raise BudgetQAError("the store is empty: run 'budgetqa ingest' first")
    return QAChain(pipeline)


def _read_json(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BudgetQAError(f"cannot read {what} {path}: {exc}") from None


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    kiwi_in_child()  # Kiwi builds on the other core while this process imports and opens the store
    history = _read_json(args.history, "history file") if args.history else None
    answer = _chain(with_llm(settings, args)).ask(args.question, history)
    if args.json:
        say_json(answer.to_dict())
        return 0
    say(answer.answer)
    if answer.note:
        say(f"({answer.note})")
    if answer.citations:
        say()
        for c in answer.citations:
            page = (f" · {c.section}" if c.section and c.section != c.title else "") + (
                f" · p. {c.page}" if c.page else ""
            )
            say(f"[{c.n}] {c.title} · {c.publisher} · {c.date} · {c.source}{page}")
    elif answer.related:
        say()
        say("related passages (not cited) / 관련 구절 (인용 아님):")
        for hit in answer.related:
            snippet = " ".join(hit.text.split())[:80]
            say(f"  - {hit.source} ({hit.date}): {snippet}…")
    return 0


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from evals.report_html import render_html
    from evals.runner import compare, load_eval_set, run_eval

    cases = load_eval_set(args.eval_set)  # a broken file fails here, before any work
    old = _read_json(args.compare, "report") if args.compare else None
    if old is not None and not (isinstance(old, dict) and isinstance(old.get("items"), list)):
        raise BudgetQAError(f"{args.compare} is not an eval report (no 'items' list)")
    for path in (args.out, args.html):
        if path is not None and not path.parent.exists():
            raise BudgetQAError(f"cannot write {path}: folder {path.parent} does not exist")
    settings = with_llm(settings, args)
    report = run_eval(_chain(settings), cases, eval_set=str(args.eval_set), progress=sys.stderr.isatty())
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.html:
        args.html.write_text(render_html(report), encoding="utf-8")
    summary = report["summary"]
    config = report["config"]
    model = f" {config['model']}" if config["model"] else ""
    say(
        f"{args.eval_set}: {summary['cases']} cases, passed {summary['passed']:.3f} (llm: {config['backend']}{model})"
    )
    for name in ("facts", "hit@5", "cite", "abstain", "forbidden"):
        if name in summary:
            say(f"  {name:10} {summary[name]}")
    if "llm" in summary:
        say(f"  llm        {', '.join(f'{k} {v}' for k, v in summary['llm'].items())}")
    say(f"  latency    p50 {summary['latency_ms']['p50']} ms, p95 {summary['latency_ms']['p95']} ms")
    for tag, values in summary["by_tag"].items():
        shown = ", ".join(f"{k} {v}" for k, v in values.items() if k not in ("cases",))
        say(f"  [{tag}] ({values['cases']}) {shown}")
    say(f"report: {args.out}" + (f", {args.html}" if args.html else ""))
    if old is not None:
        changes = compare(old, report)
        for key, ids in changes.items():
            if ids:
                say(f"{key}: {', '.join(ids)}")
    return 0


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    pipeline = _open(settings)
    docs = pipeline.store.documents()
    info = {
        "data_dir": str(settings.data_dir),
        "chroma": f"{settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else str(pipeline.store.chroma_dir),
        "passages": pipeline.store.count(),
        "documents": [
            {k: d.get(k, "") for k in ("source", "title", "date", "publisher", "lang", "passages")}
            for d in sorted(docs.values(), key=lambda d: d.get("source", ""))
        ],
        "built_with": pipeline.store.built_with(),
        "embedding": settings.embedding,
    }
    if args.json:
        say_json(info)
        return 0
    say(f"store: {info['chroma']}  passages: {info['passages']}  documents: {len(docs)}")
    say(f"built with: {info['built_with']}")
    for d in info["documents"]:
        date, lang = d["date"] or "----------", d["lang"] or "--"
        say(f"  {date:10}  {lang}  {d['passages']:4} passages  {d['source']}  {d['title']}")
    return 0


def cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "remove":
        if not args.source:
            raise BudgetQAError("which document? budgetqa docs remove SOURCE (see: budgetqa docs)")
        pipeline = _open(settings)
        removed = pipeline.remove(args.source)
        say(f"removed {args.source}: {removed} passage(s); store holds {pipeline.store.count()} passages")
        return 0
    docs = _open(settings).store.document_list()
    if args.json:
        say_json(docs)
        return 0
    say(f"{len(docs)} document(s); {sum(1 for d in docs if d['flagged'])} with flagged lines")
    for d in docs:
        flag = f"  ⚠ {d['flagged']} flagged line(s)" if d["flagged"] else ""
        date = d["date"] or "----------"
        pages = f"{d['pages']} p., " if d["pages"] else ""
        kind = d["format"] or "?"
        say(
            f"  {date:10}  {d['lang'] or '--'}  {kind:5}  {pages}{d['passages']} passages  {d['source']}  {d['title']}{flag}"
        )
    return 0


def cmd_trace(settings: Settings, args: argparse.Namespace) -> int:
    from answer.trace import find_trace

    found = find_trace(settings.traces_path, args.trace_id)
    if found is None:
        raise BudgetQAError(f"no trace {args.trace_id!r} in {settings.traces_path} (or its rotated files)")
    say_json(found)
    return 0


def cmd_feedback(settings: Settings, args: argparse.Namespace) -> int:
    from evals.drafts import feedback_draft

    if not args.out.parent.exists():
        raise BudgetQAError(f"cannot write {args.out}: folder {args.out.parent} does not exist")
    cases = feedback_draft(settings.feedback_path, settings.traces_path)
    args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    joined = sum(1 for c in cases if c["review"].get("trace"))
    say(f"{len(cases)} feedback record(s), {joined} with their trace, written to {args.out} for review")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import app

    app.serve(settings, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
