"""The default answerer: deterministic, offline, no language model.

1. Cut the retrieved passages into answer units (sentences, list items, table rows) and list
   the candidates: each unit with each value of the kind asked (amount, count, share, date,
   name), or the unit alone for list and sentence questions (``answer.features``).
2. Score every candidate with the learned unit scorer (``answer.scorer``): the probability that
   it is the evidence and the answer. Abstain when the best one is under the scorer's
   threshold, chosen by cross-validation grouped by document with a wrong figure costing
   several abstentions. Units of another year than the one asked never compete.
3. Compound questions ("사업 수와 예산은?", "부산과 인천 각각") are split into parts
   (``answer.parts``), each answered from its own evidence; a part without evidence is named as
   such. Sums, differences and shares use a stated figure when one scores high enough, else
   show their arithmetic on cited operands.
4. Compose from ``prompts/answers.toml``: the value first (English converts units and keeps the
   original: "370.3 billion won (3703억 원)"), then the quoted source with [n] markers.

Every number in the text comes from a cited passage or from the shown arithmetic; the guard in
``answer.guard`` checks that again on the final text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from answer.features import Candidate, QuestionView, candidates, question_view
from answer.parts import Part, operands, split_parts
from answer.question import Question, idf
from answer.scorer import Scorer
from answer.streaming import TokenStream
from answer.units import Unit, units_of
from answer.values import format_date
from budgetqa.korean import search_tokens
from budgetqa.numbers import Quantity, english_count, english_money, find_quantities, korean_money, same_value
from budgetqa.places import english_name
from budgetqa.prompts import render
from budgetqa.types import Hit
from retrieve.glossary import cross_language_terms, english_label, find_korean, translate_query

PART_LABELS = {
    "ko": {"money": "금액", "count": "건수", "percent": "비율", "date": "시기", "who": "담당"},
    "en": {"money": "Amount", "count": "Number", "percent": "Share", "date": "Date", "who": "Who"},
}
META_KINDS = ("publisher", "reporter", "published")
COUNT_UNITS = {"projects": "건", "project": "건", "cases": "건", "건": "건", "개": "개"}
RIVAL_ALONE = 0.9  # another document's figure this likely on its own is shown beside the best


@dataclass
class Draft:
    text: str
    hits: list[Hit] = field(default_factory=list)  # cited, in marker order
    abstained: bool = False
    reason: str = ""
    derived: list[float] = field(default_factory=list)  # results of shown arithmetic
    highlights: dict[str, list[str]] = field(default_factory=dict)  # hit id -> cited spans
    trace: list[dict[str, Any]] = field(default_factory=list)  # the best candidates and why
    note: str = ""  # shown with the answer: the LLM's answer was replaced, and why
    llm: dict[str, Any] = field(default_factory=dict)  # the LLM call: backend, verdict, reason, ms


@dataclass
class Context:
    """What the answerer may consult besides the hits."""

    df: Callable[[str], int]  # in how many passages a search token occurs
    n_docs: int
    embed: Callable[[str], list[float]]  # a question's vector (cached by the retriever)
    unit_vectors: Callable[[list[str]], dict[str, Any]]  # passage id -> its units' vectors
    search: Callable[[Question], list[Hit]] | None = None  # passages for a part or operand
    passages_of: Callable[[str], list[Hit]] | None = None  # every passage of a document
    cities: set[str] = field(default_factory=set)  # cities the store has documents about
    stream: TokenStream | None = None  # where an LLM answer's tokens go as they arrive
    cancel: threading.Event | None = None  # set when the asker went away


class Citer:
    """Numbers cited passages in order of first use."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.highlights: dict[str, list[str]] = {}

    def __call__(self, hit: Hit, span: str = "") -> str:
        ids = [h.id for h in self.hits]
        if hit.id not in ids:
            self.hits.append(hit)
            ids.append(hit.id)
        if span:
            self.highlights.setdefault(hit.id, []).append(span)
        return f"[{ids.index(hit.id) + 1}]"


def abstain(reason: str, lang: str, template: str = "abstain", **values: str) -> Draft:
    return Draft(text=render(f"{lang}.{template}", **values), abstained=True, reason=reason)


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, scorer: Scorer | None = None) -> None:
        self.scorer = scorer or Scorer.load()

    # -- entry point ------------------------------------------------------------------------
    def answer(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        """A draft answer to ``q`` from ``hits`` (best first)."""
        if not hits:
            return abstain("nothing retrieved", q.lang)
        if q.kind in META_KINDS:
            return self._metadata(q, hits, ctx)
        if q.op in ("sum", "diff", "share"):
            return self._computed(q, hits, ctx)
        parts = split_parts(q)
        if len(parts) > 1:
            return self._compound(q, parts, hits, ctx)
        ranked = self.rank(q, hits, ctx)
        best = ranked[0] if ranked else None
        confidence = self.scorer.confidence(ranked)
        if not self._sure(ranked):
            draft = abstain(_low(best, confidence, self.scorer.threshold), q.lang)
            draft.trace = self._trace(ranked)
            return draft
        cite = Citer()
        lines = self._lines(q, best, ranked, cite, "", ctx)
        return Draft("\n".join(lines), cite.hits, highlights=cite.highlights, trace=self._trace(ranked))

    def _sure(self, ranked: list[Candidate]) -> bool:
        """The best candidate is likely enough, and is a value when the question asks for one
        (a sentence without the count asked does not answer "how many")."""
        if not ranked or self.scorer.confidence(ranked) < self.scorer.threshold:
            return False
        return ranked[0].value is not None or not ranked[0].features.get("wants_value")

    def rank(self, q: Question, hits: list[Hit], ctx: Context, role: str = "answer") -> list[Candidate]:
        """Every candidate of ``hits`` for ``q`` with its probability, best first. ``role``:
        "answer", or "operand" for the figures that arithmetic combines."""
        vectors = ctx.unit_vectors([h.id for h in hits])
        units = [u for rank, hit in enumerate(hits) for u in units_of(hit, rank, vectors.get(hit.id))]
        if q.years:  # a unit about another year never answers (it is not even a candidate)
            units = [u for u in units if year_ok(u, q.years)]
        # a passage with a line that addresses the assistant ("SYSTEM: ...") is never evidence
        units = [u for u in units if not u.hit.metadata.get("flagged")]
        view = self.view(q, ctx)
        found = candidates(view, units)
        self.scorer.score(found)
        return sorted(found, key=lambda c: (-c.probability, -c.own))

    @staticmethod
    def view(q: Question, ctx: Context) -> QuestionView:
        shadow = translate_query(q.text)
        return question_view(q, ctx.df, ctx.n_docs, ctx.embed(q.text), ctx.embed(shadow) if shadow else None)

    # -- composing ---------------------------------------------------------------------------
    def _lines(
        self, q: Question, best: Candidate, ranked: list[Candidate], cite: Citer, label: str, ctx: Context
    ) -> list[str]:
        """The answer lines for one question (or part): the value and its quoted source."""
        unit, value = best.unit, best.value
        hit = unit.hit
        if value is not None:
            rivals = self._rivals(best, ranked)
            if rivals:
                return self._disagreement(q, [best, *rivals], cite, label)
            also = self._also(best, ranked)
            markers = cite(hit, value.text) + "".join(cite(c.unit.hit, c.value.text) for c in also if c.value)
            shown = shown_value(best, q.lang)
            name = f"{label}: " if label else item_label(unit, value.text, q.lang)
            fact = render(f"{q.lang}.fact", label=name, value=shown, scope=scope(q, unit, ctx), cite=markers)
            return [fact, render(f"{q.lang}.evidence", quote=unit.quote(value.text), cite=cite(hit))]
        if q.kind == "list" or q.op in ("max", "min") or (unit.kind in ("lead", "item") and not label):
            items = list_items(unit, ranked, q)
            if not items and q.kind == "list":  # a list is asked: the one right after the best unit
                follows = [c.unit for c in ranked if c.unit.hit.id == unit.hit.id and c.unit.n == unit.n + 1]
                if follows and (items := list_items(follows[0], ranked, q)):
                    unit = follows[0]
            if items:
                return self._list(q, unit, items, cite, label, ctx)
        head = f"{label}: " if label else ""
        return [head + render(f"{q.lang}.sentence", quote=unit.quote(), cite=cite(hit, unit.text))]

    def _disagreement(self, q: Question, found: list[Candidate], cite: Citer, label: str) -> list[str]:
        """Documents that state different values for what was asked: all of them, each cited,
        and no pick between them (a planted or outdated figure must not win by phrasing)."""
        values = " · ".join(
            f"{shown_value(c, q.lang)} {cite(c.unit.hit, c.value.text if c.value else '')}" for c in found
        )
        head = render(f"{q.lang}.disagree", values=values)
        lines = [f"{label}: {head}" if label else head]
        for c in found:
            lines.append(
                render(
                    f"{q.lang}.evidence",
                    quote=c.unit.quote(c.value.text if c.value else ""),
                    cite=cite(c.unit.hit),
                )
            )
        return lines

    def _rivals(self, best: Candidate, ranked: list[Candidate]) -> list[Candidate]:
        """The best value of each unit from another document, about the same year and city,
        that states another value of the same kind and would be a likely answer on its own
        (``Scorer.alone``: its unit against "none", not against the other candidates)."""
        if best.value is None:
            return []
        out: list[Candidate] = []
        seen_units = {(best.unit.hit.id, best.unit.n)}
        paths = {str(best.unit.hit.metadata.get("path"))}
        for c in ranked[1:20]:
            key = (c.unit.hit.id, c.unit.n)
            if key in seen_units:
                continue
            seen_units.add(key)
            if (
                c.value is None
                or str(c.unit.hit.metadata.get("path")) in paths
                or c.value.kind != best.value.kind
                or c.unit.doc_year != best.unit.doc_year
                or c.unit.hit.metadata.get("city", "") != best.unit.hit.metadata.get("city", "")
                or same_value_of(best, c)
                or c.value.text == best.value.text
                or not same_measure(best, c)
                or self.scorer.alone(c) < RIVAL_ALONE
                or any(same_value_of(c, other) for other in out)
            ):
                continue
            out.append(c)
            paths.add(str(c.unit.hit.metadata.get("path")))
        return out[:2]

    def _list(
        self, q: Question, unit: Unit, items: list[Unit], cite: Citer, label: str, ctx: Context
    ) -> list[str]:
        intro = render(f"{q.lang}.list_intro", scope=scope(q, unit, ctx), cite=cite(unit.hit))
        lines = [f"{label}: {intro}" if label else intro]
        for item in items:
            cite(item.hit, item.text)
            lines.append(render(f"{q.lang}.list_item", item=list_line(item, q.lang)))
        lead = items[0].lead
        if lead and len(lead) > 20 and unit.kind != "item":
            lines.append(render(f"{q.lang}.evidence", quote=lead, cite=cite(unit.hit)))
        return lines

    def _also(self, best: Candidate, ranked: list[Candidate]) -> list[Candidate]:
        """Other passages that state the same value about the same thing, to cite as well."""
        out: list[Candidate] = []
        seen = {best.unit.hit.id}
        for c in ranked[1:12]:
            if c.value is None or c.unit.hit.id in seen or c.probability < self.scorer.threshold / 2:
                continue
            if same_value_of(best, c):
                out.append(c)
                seen.add(c.unit.hit.id)
        return out[:2]

    # -- compound questions ------------------------------------------------------------------
    def _compound(self, q: Question, parts: list[Part], hits: list[Hit], ctx: Context) -> Draft:
        cite = Citer()
        lines: list[str] = []
        missing: list[str] = []
        trace: list[dict[str, Any]] = []
        for part in parts:
            part_hits = hits if _same_scope(part.q, q) or ctx.search is None else ctx.search(part.q)
            ranked = self.rank(part.q, part_hits, ctx) if part_hits else []
            trace += self._trace(ranked, part.label)
            label = _part_label(part, q.lang)
            if not self._sure(ranked):
                missing.append(label)
                continue
            lines += [
                ln for ln in self._lines(part.q, ranked[0], ranked, cite, label, ctx) if ln not in lines
            ]
        if not lines:
            draft = abstain(f"no part has evidence: {', '.join(missing)}", q.lang)
            draft.trace = trace
            return draft
        facts = [ln for ln in lines if not ln.startswith(("근거", "Source"))]
        quotes = [ln for ln in lines if ln.startswith(("근거", "Source"))]
        lines = facts + [render(f"{q.lang}.part_missing", what=m) for m in missing] + quotes
        return Draft("\n".join(lines), cite.hits, highlights=cite.highlights, trace=trace)

    # -- arithmetic --------------------------------------------------------------------------
    def _computed(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        """A stated figure when one scores high enough ("62억 원 증가", "577건(54%)"), else the
        arithmetic on cited operands, shown."""
        if q.op in ("diff", "share") and len(q.years) < 2:
            stated = replace(
                q, kind="percent" if q.op == "share" else ("count" if q.kind == "count" else "money")
            )
            ranked = self.rank(stated, hits, ctx)
            confident = self.scorer.confidence(ranked) >= self.scorer.threshold
            fits = [
                c
                for c in ranked[:1]
                if c.value is not None and confident and (q.op == "share" or c.features["change_asked"])
            ]
            if fits:
                cite = Citer()
                lines = self._lines(stated, fits[0], ranked, cite, "", ctx)
                return Draft(
                    "\n".join(lines), cite.hits, highlights=cite.highlights, trace=self._trace(ranked)
                )
        subs = operands(q)
        if len(subs) < 2:
            return self._plain(q, hits, ctx)
        kind = "count" if q.kind == "count" or subs[0].kind == "count" else "money"
        found: list[Candidate] = []
        for sub in subs:
            sub = replace(sub, kind=kind)
            sub_hits = ctx.search(sub) if ctx.search else hits
            ranked = self.rank(sub, sub_hits, ctx, role="operand")
            best = next((c for c in ranked if c.value is not None), None)
            if best is None or self.scorer.confidence(ranked) < self.scorer.threshold:
                return abstain(f"not in the documents: no figure for '{sub.text}'", q.lang)
            found.append(best)
        values = [c.value.quantity.value for c in found if c.value and c.value.quantity]
        if len(values) != len(found):
            return abstain("not in the documents: an operand has no figure", q.lang)
        if q.op == "share":
            return self._arithmetic(q, found, "÷", values[0] / values[1] * 100)
        if q.op == "diff":
            found.sort(key=lambda c: -(c.value.quantity.value if c.value and c.value.quantity else 0))
            return self._arithmetic(q, found[:2], "−", abs(values[0] - values[1]))
        return self._arithmetic(q, found, "+", sum(values))

    def _plain(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        return self.answer(replace(q, op=""), hits, ctx)

    def _arithmetic(self, q: Question, operands_: list[Candidate], sign: str, result: float) -> Draft:
        cite = Citer()
        terms = []
        for c in operands_:
            assert c.value is not None and c.value.quantity is not None
            label = item_label(c.unit, c.value.text, q.lang).rstrip(": ")
            shown = short_value(c.value.quantity, q.lang)
            marker = cite(c.unit.hit, c.value.text)
            terms.append(f"{label} {shown} {marker}" if label else f"{shown} {marker}")
        first = operands_[0].value.quantity  # type: ignore[union-attr]
        if sign == "÷":
            outcome = f"{result:.1f}%"
        elif first is not None and first.kind == "count":
            outcome = english_count(result, first.unit) if q.lang == "en" else f"{result:g}{first.unit}"
        else:
            outcome = format_money(result, q.lang)
        years = sorted({c.unit.doc_year for c in operands_} - {0})
        scope_text = render(f"{q.lang}.scope", year=years[0]) if len(years) == 1 else ""
        text = render(
            f"{q.lang}.computed",
            expression=f" {sign} ".join(terms) + f" = {outcome}",
            scope=scope_text,
            cite="",
        )
        seen: set[str] = set()
        for c in operands_:
            if c.unit.quote() not in seen:
                seen.add(c.unit.quote())
                text = (
                    text.strip()
                    + "\n"
                    + render(f"{q.lang}.evidence", quote=c.unit.quote(), cite=cite(c.unit.hit))
                )
        return Draft(text, cite.hits, highlights=cite.highlights, derived=[result, round(result, 1)])

    # -- document metadata -------------------------------------------------------------------
    def _metadata(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        """Date, publisher or reporter of the document the question is about, citing the
        passage that states the date (or the document's first passage)."""
        weights = {t: idf(ctx.df(t), ctx.n_docs) for t in q.focus_terms()}
        by_doc: dict[str, list[Hit]] = {}
        for hit in hits:
            by_doc.setdefault(str(hit.metadata.get("path", hit.source)), []).append(hit)

        def doc_score(item: tuple[str, list[Hit]]) -> float:
            meta = item[1][0].metadata
            text = " ".join(h.text for h in item[1]) + f" {meta.get('title', '')} {meta.get('publisher', '')}"
            tokens = set(search_tokens(text)) | set(search_tokens(cross_language_terms(text)))
            score = sum(w for t, w in weights.items() if t in tokens) / (sum(weights.values()) or 1.0)
            if q.years and meta.get("doc_year") in q.years:
                score += 1.0
            return score - 0.01 * hits.index(item[1][0])

        path, doc_hits = max(by_doc.items(), key=doc_score)
        meta = doc_hits[0].metadata
        passages = ctx.passages_of(path) if ctx.passages_of else doc_hits
        hit = next((p for p in passages if states_date(p.text, str(meta.get("date", "")))), passages[0])
        cite = Citer()
        date = format_date(str(meta.get("date", "")), q.lang) if meta.get("date") else ""
        if meta.get("time"):
            date += f" {meta['time']}"
        publisher = str(meta.get("publisher") or meta.get("source", ""))
        if q.kind == "reporter":
            if not meta.get("reporter"):
                return abstain("not in the documents: the document names no reporter", q.lang)
            contact = f" ({meta['contact']})" if meta.get("contact") else ""
            text = render(f"{q.lang}.reporter", reporter=meta["reporter"], contact=contact, cite=cite(hit))
        elif q.kind == "publisher":
            text = render(f"{q.lang}.publisher", publisher=publisher, date=date or "-", cite=cite(hit))
        else:
            if not date:
                return abstain("not in the documents: the document has no date", q.lang)
            text = render(f"{q.lang}.published", date=date, publisher=publisher, cite=cite(hit))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    def _trace(self, ranked: list[Candidate], part: str = "", top: int = 3) -> list[dict[str, Any]]:
        return [
            {
                "part": part,
                "unit": c.unit.text[:200],
                "passage": c.unit.hit.id,
                "value": c.value.text if c.value else "",
                "p": round(c.probability, 4),
                "own": round(c.own, 4),
                "why": [[n, round(v, 3)] for n, v in self.scorer.explain(c)],
            }
            for c in ranked[:top]
        ]


# -- helpers ------------------------------------------------------------------------------------
def _low(best: Candidate | None, confidence: float, threshold: float) -> str:
    if best is None:
        return "not in the documents: no unit of the asked year or scope"
    what = (
        "a value of the kind asked" if best.value is None and best.features.get("wants_value") else "evidence"
    )
    return f"not in the documents: no {what} is likely enough (confidence {confidence:.2f} < {threshold:.2f})"


def _same_scope(a: Question, b: Question) -> bool:
    return a.years == b.years and a.cities == b.cities and a.text == b.text


def _part_label(part: Part, lang: str) -> str:
    if part.label in PART_LABELS[lang]:
        return PART_LABELS[lang][part.label]
    if lang == "en" and re.search(r"[가-힣]", part.label):
        return english_name(part.label) or english_label(part.label) or part.label
    return part.label


def year_ok(unit: Unit, years: set[int]) -> bool:
    """A unit may answer for ``years`` when it names one of them, or its document is of that
    year (a unit there that names only another year is weighed down by the scorer)."""
    return bool((unit.years | unit.token_years) & years) or unit.doc_year in years


def shown_value(c: Candidate, lang: str) -> str:
    """A candidate's value as the answer shows it (converted for English)."""
    assert c.value is not None
    if c.value.kind == "date":
        return format_date(c.value.text, lang)
    return format_value(c.value.quantity, c.value.text, lang) if c.value.quantity else c.value.text


def same_measure(a: Candidate, b: Candidate) -> bool:
    """Whether two values measure the same thing: the same currency, or counts of the same
    unit ("355 projects" and "20 tasks" do not contradict each other)."""
    qa, qb = (a.value.quantity if a.value else None), (b.value.quantity if b.value else None)
    if qa is None or qb is None:
        return qa is qb
    if qa.kind != qb.kind:
        return False
    if qa.kind == "money":
        return qa.currency == qb.currency
    return qa.kind != "count" or COUNT_UNITS.get(qa.unit, qa.unit) == COUNT_UNITS.get(qb.unit, qb.unit)


def same_value_of(a: Candidate, b: Candidate) -> bool:
    if a.value is None or b.value is None or a.value.kind != b.value.kind:
        return False
    qa, qb = a.value.quantity, b.value.quantity
    if qa is not None and qb is not None:
        if qa.kind == "count" and qa.value < 10:
            return False  # "3개" is too common to corroborate anything
        return same_value(qa.value, qb.value)
    return a.value.text == b.value.text


def list_items(unit: Unit, ranked: list[Candidate], q: Question) -> list[Unit]:
    """The items of the list ``unit`` belongs to (or leads), in document order; for max/min
    questions the largest (smallest) ones first."""
    if unit.group < 0:
        return []
    siblings = {
        c.unit.n: c.unit
        for c in ranked
        if c.unit.hit.id == unit.hit.id and c.unit.group == unit.group and c.unit.kind == "item"
    }
    items = [siblings[n] for n in sorted(siblings)]
    if q.op in ("max", "min") and items:
        by_count = bool(
            re.search(r"건수|몇 건|사업 수|number of projects|most projects|fewest|how many", q.text, re.I)
        )
        kind = "count" if by_count else "money"
        valued = [(v, it) for it in items if (v := first_quantity(it, kind)) is not None]
        if valued:
            valued.sort(key=lambda x: x[0], reverse=q.op == "max")
            return [it for _, it in valued[: wanted_count(q.text)]]
    return items


def first_quantity(unit: Unit, kind: str) -> float | None:
    found = [x.value for x in unit.quantities if x.kind == kind]
    return found[0] if found else None


def wanted_count(text: str) -> int:
    """ "가장 큰 항목 세 개" -> 3; default 1."""
    words = {"두": 2, "세": 3, "네": 4, "다섯": 5, "two": 2, "three": 3, "four": 4, "five": 5}
    match = re.search(
        r"(\d+|두|세|네|다섯|two|three|four|five)\s*(개|가지|곳|items?|fields?|areas?)", text, re.I
    )
    if not match:
        return 1
    word = match.group(1).lower()
    return int(word) if word.isdigit() else words.get(word, 1)


def list_line(item: Unit, lang: str) -> str:
    """A list item as the answer shows it; in English, a Korean item gets its English label
    and converted figures, with the original quoted."""
    text = item.text.lstrip("▲").strip()
    if lang != "en" or not re.search(r"[가-힣]", text):
        return text
    label = english_label_of(text)
    figures = ", ".join(format_value(x, x.text, "en").split(" (")[0] for x in item.quantities)
    head = ": ".join(x for x in (label, figures) if x)
    return f"{head} (“{text}”)" if head else f"“{text}”"


def format_value(quantity: Quantity | None, written: str, lang: str) -> str:
    if quantity is None:
        return written
    if quantity.kind == "money":
        return format_money(quantity.value, lang, quantity.text, quantity.currency)
    if quantity.kind == "percent":
        return f"{quantity.value:g}%"
    if lang == "en":
        english = english_count(quantity.value, quantity.unit)
        return english if english == quantity.text else f"{english} ({quantity.text})"
    if not re.search(r"\d", quantity.text):  # "seven services" -> "7개 (seven services)"
        unit = "건" if quantity.unit in ("projects", "project", "cases") else "개"
        return f"{quantity.value:g}{unit} ({quantity.text})"
    return quantity.text


def format_money(value: float, lang: str, written: str = "", currency: str = "KRW") -> str:
    korean_written = bool(written) and bool(re.search(r"[억조만천원]", written))
    if currency != "KRW":
        return written or english_money(value, currency)
    if lang == "en":
        return f"{english_money(value)} ({written if korean_written else korean_money(value)})"
    if written and not korean_written:
        return f"{korean_money(value)} ({written})"
    if written and not re.search(r"[억조]", written) and value >= 10**8:
        return f"{korean_money(value)} ({written})"  # "24,887백만원" -> "248.9억 원 (24,887백만원)"
    return written or korean_money(value)


def short_value(quantity: Quantity, lang: str) -> str:
    """An operand in shown arithmetic: "1113억" / "111.3 billion" / "1,431"."""
    if quantity.kind == "count":
        return english_count(quantity.value, "") if lang == "en" else f"{quantity.value:g}"
    if lang == "en":
        return english_money(quantity.value).replace(" won", "")
    return korean_money(quantity.value).replace(" 원", "")


def item_label(unit: Unit, span: str, lang: str) -> str:
    """The name a figure belongs to, for items ("25개 자치구: "); in English only a known
    English label, never a half-translated Korean phrase."""
    if unit.kind != "item":
        return ""
    head = unit.text.lstrip("▲").strip()
    if span and span in head:
        head = head[: head.index(span)]
    if " — " in head:  # a table row "인프라 — 2024년: 4,210백만원, 2025년: ": its label and this column
        row, _, cells = head.partition(" — ")
        head = f"{row} {cells.rsplit(', ', 1)[-1]}"
    head = re.sub(r"^[-\s]+|[\s:(（|—-]+$", "", head)
    if not head or len(head) > 50:
        return ""
    if lang == "en" and re.search(r"[가-힣]", head):
        label = english_label_of(head)
        return f"{label}: " if label else ""
    return f"{head}: "


def english_label_of(text: str) -> str:
    if not re.search(r"[가-힣]", text):
        return ""
    entries = find_korean(text)
    return ", ".join(e.en[0] for e in entries[:2]) if entries else english_label(text)


def scope(q: Question, unit: Unit, ctx: Context) -> str:
    """ " (2023년 기준)" / " (for 2023)"; with the city when the store holds several and the
    question names none: " (부산, 2023년 기준)"."""
    year = next(iter(q.years)) if len(q.years) == 1 else unit.doc_year
    city = str(unit.hit.metadata.get("city", "")) if len(ctx.cities) > 1 and not q.cities else ""
    if city and q.lang == "en":
        city = english_name(city)
    if city and year:
        return render(f"{q.lang}.scope_city", city=city, year=year)
    if city:
        return render(f"{q.lang}.scope_place", city=city)
    return render(f"{q.lang}.scope", year=year) if year else ""


def states_date(text: str, iso: str) -> bool:
    """Whether a passage states the document's date (in any of the usual forms)."""
    if not re.match(r"\d{4}-\d{2}-\d{2}", iso):
        return False
    y, mo, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    months = format_date(iso, "en").split(" ")[0]
    forms = [f"{y}년 {mo}월 {d}일", f"{mo}월 {d}일", f"{months} {d}, {y}", f"{d}일 밝혔다"]
    return any(form in text for form in forms)


__all__ = ["Candidate", "Citer", "Context", "Draft", "ExtractiveAnswerer", "abstain", "find_quantities"]
