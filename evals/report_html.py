"""A self-contained HTML page for an eval report: summary by tag, then every case.

Everything from the report (questions, answers, passages) is escaped: document text is data
and is never rendered as HTML.
"""

from __future__ import annotations

from html import escape
from typing import Any

METRICS = ("facts", "hit@5", "cite", "abstain", "forbidden", "passed", "cases")
STYLE = """
body{font-family:system-ui,'Noto Sans KR',sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}
th{background:#f3f3f3}.fail{background:#fff1f0}.pass{background:#f3fff0}pre{white-space:pre-wrap;margin:0}
details{margin:.2rem 0}summary{cursor:pointer}.num{text-align:right}
"""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"<td class='num'>{value:.3f}</td>"
    return f"<td class='num'>{escape(str(value))}</td>" if value is not None else "<td></td>"


def render_html(report: dict[str, Any]) -> str:
    summary = report["summary"]
    metric_names = [m for m in METRICS if m in summary or any(m in t for t in summary["by_tag"].values())]
    if "hit@5" not in metric_names:
        metric_names = [m for m in summary if m not in ("by_tag", "latency_ms")]
    head = "".join(f"<th>{escape(m)}</th>" for m in metric_names)
    rows = [f"<tr><th>all</th>{''.join(_cell(summary.get(m)) for m in metric_names)}</tr>"]
    for tag, values in summary["by_tag"].items():
        rows.append(f"<tr><td>{escape(tag)}</td>{''.join(_cell(values.get(m)) for m in metric_names)}</tr>")
    items = []
    for item in report["items"]:
        css = "pass" if item["passed"] else "fail"
        cited = "".join(
            f"<li>[{c['n']}] {escape(c['source'])}<pre>{escape(c['text'])}</pre></li>"
            for c in item["citations"]
        )
        retrieved = "".join(
            f"<li>{r['score']:.4f} {escape(r['source'])}<pre>{escape(r['text'])}</pre></li>"
            for r in item["retrieved"]
        )
        failures = "<br>".join(escape(f) for f in item["failures"]) or "—"
        items.append(
            f"<tr class='{css}'><td>{escape(item['id'])}</td><td>{escape(', '.join(item['tags']))}</td>"
            f"<td>{escape(item['question'])}</td><td><pre>{escape(item['answer'])}</pre>"
            f"<details><summary>cited ({len(item['citations'])})</summary><ol>{cited}</ol></details>"
            f"<details><summary>retrieved ({len(item['retrieved'])})</summary><ol>{retrieved}</ol></details></td>"
            f"<td>{'yes' if item['abstained'] else 'no'}</td><td>{failures}</td>"
            f"<td class='num'>{item['latency_ms']}</td></tr>"
        )
    config = escape(", ".join(f"{k}={v}" for k, v in report["config"].items()))
    latency = summary["latency_ms"]
    return (
        "<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
        f"<title>Eval report · {escape(report['eval_set'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>Eval report · 평가 보고서</h1><p>{escape(report['eval_set'])} · {config} · "
        f"latency p50 {latency['p50']} ms, p95 {latency['p95']} ms</p>"
        f"<h2>Summary by tag · 태그별 요약</h2><table><tr><th>tag</th>{head}</tr>{''.join(rows)}</table>"
        "<h2>Cases · 사례</h2><table><tr><th>id</th><th>tags</th><th>question</th><th>answer</th>"
        f"<th>abstained</th><th>failures</th><th>ms</th></tr>{''.join(items)}</table></body></html>"
    )
