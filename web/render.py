"""Answer and source rendering for the UI. Document text is always escaped: a page that contains
<script> or Markdown links shows them as text, never as markup."""

from __future__ import annotations

import re
from html import escape
from typing import Any

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&])")

LABELS = {
    "ko": {
        "sources": "출처",
        "related": "관련 구절 (인용 아님)",
        "trace": "답변 추적 번호",
    },
    "en": {
        "sources": "Sources",
        "related": "Related passages (not cited)",
        "trace": "Trace id",
    },
}


def plain_markdown(text: str) -> str:
    """Text shown in a Markdown component exactly as written (every Markdown/HTML sign escaped)."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def note_markdown(note: str) -> str:
    """A note about how the answer was made (the LLM's answer was replaced), set apart."""
    return f"<div class='bqa-note'>ⓘ {escape(note)}</div>"


def _highlighted(text: str, spans: list[str]) -> str:
    html = escape(text)
    for span in sorted({s for s in spans if s}, key=len, reverse=True):
        html = html.replace(escape(span), f"<mark>{escape(span)}</mark>", 1)
    return html.replace("\n", "<br>")


def sources_html(answer: dict[str, Any]) -> str:
    """The sources panel under an answer: cited passages (figures highlighted) or, for an
    abstention, the related passages."""
    labels = LABELS.get(answer.get("lang", "ko"), LABELS["ko"])
    if answer.get("abstained"):
        items = answer.get("related", [])
        head = f"<h4>{escape(labels['related'])}</h4>"  # the answer itself already says it abstained
        body = "".join(
            f"<li class='bqa-related'><div class='bqa-meta'>{escape(h.get('title', ''))} · {escape(h.get('date', ''))}"
            f" · {escape(h.get('source', ''))}</div><div class='bqa-text'>{escape(h.get('text', ''))}</div></li>"
            for h in items
        )
        return f"<div class='bqa-sources'>{head}<ul>{body}</ul>{_trace_line(answer, labels)}</div>"
    rows = []
    for c in answer.get("citations", []):
        link = ""
        if str(c.get("url", "")).startswith(("http://", "https://")):
            link = f" · <a href='{escape(c['url'], quote=True)}' target='_blank' rel='noopener noreferrer'>link</a>"
        meta = " · ".join(escape(str(c.get(k, ""))) for k in ("title", "publisher", "date") if c.get(k))
        if c.get("section") and c.get("section") != c.get("title"):
            meta += f" · {escape(str(c['section']))}"
        if c.get("page"):
            meta += f" · p. {int(c['page'])}"
        rows.append(
            f"<li class='bqa-citation' id='bqa-cite-{int(c['n'])}'><div class='bqa-meta'><b>[{int(c['n'])}]</b> {meta}"
            f" · {escape(c.get('source', ''))}{link}</div>"
            f"<div class='bqa-text'>{_highlighted(c.get('text', ''), c.get('highlight', []))}</div></li>"
        )
    return (
        f"<div class='bqa-sources'><h4>{escape(labels['sources'])}</h4><ol>{''.join(rows)}</ol>"
        f"{_trace_line(answer, labels)}</div>"
    )


def _trace_line(answer: dict[str, Any], labels: dict[str, str]) -> str:
    """The answer's trace id, small: what a user quotes when reporting a wrong answer."""
    trace_id = re.sub(r"[^0-9a-f]", "", str(answer.get("trace_id", "")))
    return f"<div class='bqa-meta bqa-trace'>{escape(labels['trace'])}: {trace_id}</div>" if trace_id else ""
