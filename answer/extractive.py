"""The default answerer: deterministic, offline, no language model.

It picks the answer span from the retrieved passages and composes a short answer in the
question's language from the templates in ``prompts/answers.toml``:

1. Split the passages into units (sentences, list items) and score each one: the question's
   topic words it contains (weighted by rarity in the corpus), whether it holds the kind of
   value asked (amount, count, percentage, date), its passage's retrieval rank, and cues for
   totals and lists.
2. Abstain when the question names something no passage mentions (an unknown term), when the
   best unit lacks the kind of value asked, or when its score is under ``MIN_SCORE``.
3. Compose: the figure as written (Korean) or converted with the original kept (English:
   "370.3 billion won (3703억 원)"), the list items, or the sentence; then the quoted source
   span. Sums, shares and differences show their arithmetic on cited figures.

Every number in the text comes from a cited passage or from the shown arithmetic; the guard in
``answer.guard`` checks that again on the final text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date

from answer.question import Group, Question, analyze, idf, stopwords
from answer.units import DATE_EN, DATE_KO, DATE_YEAR, Unit, units_of
from budgetqa.korean import search_tokens
from budgetqa.numbers import Quantity, english_count, english_money, find_quantities, korean_money, same_value
from budgetqa.prompts import render
from budgetqa.types import Hit
from ingest.split import years_in
from retrieve.glossary import cross_language_terms, english_label, find_korean

MIN_SCORE = 0.45  # calibrated on evals/sets/core.jsonl (see README, "Abstention")
MIN_COVERAGE = 0.4  # the best unit must hold 40% of the question's topic (by weight); calibrated likewise
STATED_COVERAGE = 0.5  # a stated change or share is used instead of computing one above this
INCREASE = re.compile(r"\s*(\S{0,3}\s*)?(증가|늘|more|increase|up\b|higher)")
NEAR_BEST = 0.12  # units this close to the best count as ties; the latest year wins a tie
LOOKUP = re.compile(r"\bwhich\b|\bwhat (fields?|items?|areas?|projects?)\b|어떤|어느|무엇|뭐", re.IGNORECASE)
TOTAL_MARK = re.compile(r"총 |모두 |전체|in total|a total of|total of|overall")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass
class Draft:
    text: str
    hits: list[Hit] = field(default_factory=list)  # cited, in marker order
    abstained: bool = False
    reason: str = ""
    derived: list[float] = field(default_factory=list)  # results of shown arithmetic
    highlights: dict[str, list[str]] = field(default_factory=dict)  # hit id -> cited spans


@dataclass
class Context:
    """What the answerer may consult besides the hits: corpus statistics, a search for
    sub-questions (computed answers) and a document's passages (metadata answers)."""

    df: Callable[[str], int]
    n_docs: int
    search: Callable[[str, set[int]], list[Hit]] | None = None
    passages_of: Callable[[str], list[Hit]] | None = None


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

    def answer(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        """A draft answer to ``q`` from ``hits`` (best first)."""
        if q.kind in ("publisher", "reporter", "published"):
            return self._metadata(q, hits, ctx)
        if q.op in ("sum", "diff", "share"):
            computed = self._computed(q, hits, ctx)
            if computed is not None:
                return computed
        named = [x for x in find_quantities(q.text) if x.kind == "money"]
        if named and (q.kind in ("list", "who", "text") or LOOKUP.search(q.text)):
            found = self._by_amount(q, named[0], hits, ctx)
            if found is not None:
                return found
        if q.kind in ("money", "count") and not q.op and asks_for_whole(q):
            whole = self._total(q, hits, ctx)  # "How many projects in 2023?": the year's total
            if whole is not None:
                quantity, unit, hit = whole
                return self._fact(
                    q, unit, hit, self._corroborating(q, unit, hits, ctx, hit, quantity), quantity
                )
        best = self.best_unit(q, hits, ctx)
        if isinstance(best, Draft):
            return best
        unit, _score = best
        hit = hits[unit.hit]
        if (q.kind == "list" or q.op in ("max", "min")) and unit.items:
            return self._list(q, unit, hit)
        if q.kind == "text" and unit.items and len(unit.text) < 40:  # a heading that introduces a list
            return self._list(q, unit, hit)
        if q.numeric or q.kind == "date":
            return self._fact(q, unit, hit, self._corroborating(q, unit, hits, ctx))
        return self._sentences(q, unit, hits, ctx)

    def _by_amount(self, q: Question, amount: Quantity, hits: list[Hit], ctx: Context) -> Draft | None:
        """ "Which fields received 3.1 billion won?" / "100억 원 넘게 배정된 항목은?": the items
        whose amount equals (or exceeds, or falls under) the one named."""
        cite = Citer()
        lines: list[str] = []
        for _score, _cover, unit in self.scored_units(q, hits, ctx):
            if unit.kind != "item":
                continue
            compare = comparison(q.text)
            if any(x.kind == "money" and compare(x.value, amount.value) for x in unit.quantities):
                item = unit.text.lstrip("▲").strip()
                if item not in lines:
                    cite(hits[unit.hit], item)
                    lines.append(item)
        if not lines:
            return None
        hit = cite.hits[0]
        text = [render(f"{q.lang}.list_intro", scope=scope(q, hit), cite="".join(cite(h) for h in cite.hits))]
        text += [render(f"{q.lang}.list_item", item=item) for item in lines]
        return Draft(text="\n".join(text), hits=cite.hits, highlights=cite.highlights)

    def _corroborating(
        self,
        q: Question,
        unit: Unit,
        hits: list[Hit],
        ctx: Context,
        hit: Hit | None = None,
        quantity: Quantity | None = None,
    ) -> list[tuple[Hit, str]]:
        """Other passages that state the same figure (or date) about the same topic, to cite as
        well. ``hit``: the unit's passage, when it is not one of ``hits``."""
        hit = hit or hits[unit.hit]
        out: list[tuple[Hit, str]] = []
        if q.kind == "date":
            value, _span = date_value(unit.text, q.lang)
            for _score, cover, other in self.scored_units(q, hits, ctx):
                other_hit = hits[other.hit]
                if other_hit.id != hit.id and cover >= MIN_COVERAGE and value:
                    other_value, other_span = date_value(other.text, q.lang)
                    if other_value == value and other_hit.id not in {h.id for h, _ in out}:
                        out.append((other_hit, other_span))
            return out[:2]
        quantity = quantity or pick_quantity(unit, q)
        if quantity is None:
            return []
        for _score, cover, other in self.scored_units(q, hits, ctx):
            other_hit = hits[other.hit]
            if other_hit.id == hit.id or cover < MIN_COVERAGE:
                continue
            same = [
                x for x in other.quantities if x.kind == quantity.kind and same_value(x.value, quantity.value)
            ]
            if same and other_hit.id not in {h.id for h, _ in out}:
                out.append((other_hit, same[0].text))
        return (out + same_document(quantity, hit, ctx, exclude={h.id for h, _ in out}))[:2]

    # -- choosing the unit ------------------------------------------------------------------
    def scored_units(self, q: Question, hits: list[Hit], ctx: Context) -> list[tuple[float, float, Unit]]:
        """(score, coverage, unit) for every unit of ``hits`` that may answer ``q``, best first."""
        groups = topic_weights(q, ctx)
        has_topic = any(not g.generic for g, _ in groups)  # generic words only: the question asks for a whole
        scored = []
        for i, hit in enumerate(hits):
            for unit in units_of(i, hit):
                if q.years and not year_ok(unit, hit, q.years):
                    continue
                cover = coverage(unit, groups, q.lang)
                doc_year = int(hit.metadata.get("doc_year") or 0)
                scored.append((score_unit(unit, q, has_topic, cover, doc_year), cover, unit))
        scored.sort(key=lambda s: -s[0])
        return scored

    def best_unit(self, q: Question, hits: list[Hit], ctx: Context) -> tuple[Unit, float] | Draft:
        if not hits:
            return abstain("nothing retrieved", q.lang)
        scored = self.scored_units(q, hits, ctx)
        if not scored:
            return abstain("no passage about that year", q.lang)
        best_score, best_cover, best = scored[0]
        if best_cover < MIN_COVERAGE:
            return abstain(
                f"not in the documents: the question's topic is not covered ({best_cover:.2f})", q.lang
            )
        if best_score < MIN_SCORE:
            return abstain(f"low relevance ({best_score:.2f} < {MIN_SCORE})", q.lang)
        if (q.numeric or q.kind == "date") and pick_quantity(best, q) is None and q.kind != "date":
            return abstain(f"not in the documents: no {q.kind} for this topic", q.lang)
        if q.kind == "date" and not best.has("date"):
            return abstain("not in the documents: no date for this topic", q.lang)
        wanted = entity_asked(q.text)
        if wanted and not any(ENTITY[wanted].search(u.text) for _s, c, u in scored[:3] if c >= MIN_COVERAGE):
            return abstain(f"not in the documents: no {wanted} is named", q.lang)
        if not q.years:  # no year named: among near-ties, the most recent document wins
            ties = [s for s in scored if s[0] >= best_score - NEAR_BEST and s[1] >= best_cover - 0.01]
            top = max(ties, key=lambda s: (int(hits[s[2].hit].metadata.get("doc_year") or 0), s[0]))
            return top[2], top[0]
        return best, best_score

    # -- composing ------------------------------------------------------------------------------
    def _fact(
        self,
        q: Question,
        unit: Unit,
        hit: Hit,
        also: Sequence[tuple[Hit, str]] = (),
        chosen: Quantity | None = None,
    ) -> Draft:
        """The figure (or date) of ``unit``; ``also``: other passages stating the same figure."""
        cite = Citer()
        if q.kind == "date":
            value, span = date_value(unit.text, q.lang)
        else:
            quantity = chosen or pick_quantity(unit, q)
            if quantity is None:
                return abstain(f"not in the documents: no {q.kind} for this topic", q.lang)
            value, span = format_quantity(quantity, q.lang), quantity.text
        label = item_label(unit, span, q.lang)
        markers = cite(hit, span) + "".join(cite(h, s) for h, s in also)
        text = render(f"{q.lang}.fact", label=label, value=value, scope=scope(q, hit), cite=markers)
        text += "\n" + render(f"{q.lang}.evidence", quote=unit.quote(), cite=cite(hit))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    def _list(self, q: Question, unit: Unit, hit: Hit) -> Draft:
        cite = Citer()
        items = [it.lstrip("▲").strip() for it in unit.items]
        if q.op in ("max", "min"):
            by_count = bool(COUNTING.search(q.text))
            valued = [
                (v, it)
                for it in items
                if (v := (first_count(it) if by_count else first_money(it))) is not None
            ]
            if valued:
                ordered = sorted(valued, reverse=q.op == "max")
                items = [it for _, it in ordered[: wanted_count(q.text)]]
        lines = [render(f"{q.lang}.list_intro", scope=scope(q, hit), cite=cite(hit))]
        for item in items:
            label = english_label_of(item) if q.lang == "en" else ""
            cite(hit, item)
            lines.append(render(f"{q.lang}.list_item", item=f"{item} ({label})" if label else item))
        if unit.kind == "sentence" and unit.lead:
            lines.append(render(f"{q.lang}.evidence", quote=unit.text, cite=cite(hit)))
        return Draft(text="\n".join(lines), hits=cite.hits, highlights=cite.highlights)

    def _sentences(self, q: Question, unit: Unit, hits: list[Hit], ctx: Context) -> Draft:
        """Quote the best sentence, and the runner-up from the same passage when it also fits."""
        cite = Citer()
        parts = [render(f"{q.lang}.sentence", quote=unit.quote(), cite=cite(hits[unit.hit], unit.text))]
        extra = 2 if q.kind == "list" else 1
        for _score, cover, other in self.scored_units(q, hits, ctx)[1:8]:
            if (
                extra
                and other.hit == unit.hit
                and other.kind == "sentence"
                and cover >= 0.5
                and other.text not in unit.text
                and unit.text not in other.text
            ):
                parts.append(
                    render(f"{q.lang}.sentence", quote=other.quote(), cite=cite(hits[other.hit], other.text))
                )
                extra -= 1
        return Draft(text="\n".join(parts), hits=cite.hits, highlights=cite.highlights)

    def _metadata(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        """Date, publisher or reporter of the document the question is about, citing the
        passage that states the date (or the document's first passage)."""
        if not hits:
            return abstain("nothing retrieved", q.lang)
        weights = {t: idf(ctx.df(t), ctx.n_docs) for t in q.focus_terms()}
        by_doc: dict[str, list[Hit]] = {}
        for hit in hits:
            by_doc.setdefault(str(hit.metadata.get("path", hit.source)), []).append(hit)

        def doc_score(item: tuple[str, list[Hit]]) -> float:
            _path, doc_hits = item
            meta = doc_hits[0].metadata
            tokens = set(search_tokens(" ".join(h.text for h in doc_hits) + " " + str(meta.get("title", ""))))
            tokens |= set(search_tokens(cross_language_terms(str(meta.get("title", "")))))
            tokens |= set(search_tokens(f"{meta.get('publisher', '')} {meta.get('source', '')}"))
            total = sum(weights.values()) or 1.0
            score = sum(w for t, w in weights.items() if t in tokens) / total
            if q.years and meta.get("doc_year") in q.years:
                score += 1.0
            if re.search(r"영문|english", q.text, re.I) and meta.get("lang") == "en":
                score += 0.5
            return score - 0.01 * hits.index(doc_hits[0])

        path, doc_hits = max(by_doc.items(), key=doc_score)
        meta = doc_hits[0].metadata
        passages = ctx.passages_of(path) if ctx.passages_of else doc_hits
        hit = next((p for p in passages if states_date(p.text, str(meta.get("date", "")))), passages[0])
        cite = Citer()
        date = format_date(str(meta.get("date", "")), q.lang)
        if meta.get("time"):
            date += f" {meta['time']}"
        publisher = str(meta.get("publisher") or meta.get("source", ""))
        if q.kind == "reporter":
            if not meta.get("reporter"):
                return abstain("not in the documents: the document names no reporter", q.lang)
            contact = f" ({meta['contact']})" if meta.get("contact") else ""
            text = render(f"{q.lang}.reporter", reporter=meta["reporter"], contact=contact, cite=cite(hit))
        elif q.kind == "publisher":
            text = render(f"{q.lang}.publisher", publisher=publisher, date=date, cite=cite(hit))
        else:
            if not meta.get("date"):
                return abstain("not in the documents: the document has no date", q.lang)
            text = render(f"{q.lang}.published", date=date, publisher=publisher, cite=cite(hit))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    # -- arithmetic -------------------------------------------------------------------------------
    def _computed(self, q: Question, hits: list[Hit], ctx: Context) -> Draft | None:
        """Sums, differences and shares with the arithmetic shown. A figure the text states
        itself ("1년 전보다 62억 원 증가", "577건(54%)") wins over computing one."""
        stated = self._stated(q, hits, ctx)
        if stated is not None:
            return stated
        if len(q.years) == 2:
            subjects = [(f"{y}년 {' '.join(specific_terms(q)) or '총 예산'}", {y}) for y in sorted(q.years)]
        else:
            subjects = [(name, q.years) for name in split_subjects(q)]
        if q.op == "share":
            if not subjects:
                return None
            subjects = [*subjects[:1], ("총 정보화 예산", q.years)]
        if len(subjects) < 2:
            return None
        kind = "count" if q.kind == "count" or (q.op == "share" and COUNTING.search(q.text)) else "money"
        found = [
            self._operand(text, years, kind, q, hits, ctx, whole=(q.op == "share" and n == 1))
            for n, (text, years) in enumerate(subjects)
        ]
        if any(f is None for f in found):
            return abstain("not in the documents: an operand is missing", q.lang)
        operands = [f for f in found if f is not None]
        values = [o[0].value for o in operands]
        if q.op == "share":
            return self._arithmetic(q, operands, "÷", values[0] / values[1] * 100, ctx)
        if q.op == "diff":
            operands.sort(key=lambda o: -o[0].value)
            return self._arithmetic(q, operands[:2], "−", operands[0][0].value - operands[1][0].value, ctx)
        return self._arithmetic(q, operands, "+", sum(values), ctx)

    def _stated(self, q: Question, hits: list[Hit], ctx: Context) -> Draft | None:
        if q.op == "diff" and len(q.years) == 2:
            return None  # two years named: compare their figures
        stated = Question(**{**q.__dict__, "op": "", "kind": "percent" if q.op == "share" else q.kind})
        if q.op == "diff":
            stated.kind = "money" if q.kind != "count" else "count"
        best = self.scored_units(stated, hits, ctx)
        for _score, cover, unit in best[:3]:
            if cover < STATED_COVERAGE:
                continue
            if q.op == "diff" and not any(is_change(unit, x) for x in unit.quantities):
                continue
            if q.op == "share" and not unit.has("percent"):
                continue
            if q.op == "sum":
                continue
            stated.op = q.op
            return self._fact(stated, unit, hits[unit.hit])
        return None

    def _operand(
        self,
        text: str,
        years: set[int],
        kind: str,
        q: Question,
        hits: list[Hit],
        ctx: Context,
        whole: bool = False,
    ) -> tuple[Quantity, Unit, Hit] | None:
        sub = analyze(text)
        sub.kind, sub.op, sub.years, sub.lang = kind, "", set(years), q.lang
        sub.wants_total = whole or not specific_terms(sub)
        sub.count_unit = q.count_unit
        pool = ctx.search(text, years) if ctx.search else hits
        if sub.wants_total:
            return self._total(sub, pool, ctx)
        for _score, cover, unit in self.scored_units(sub, pool, ctx)[:5]:
            if cover < MIN_COVERAGE:
                continue
            quantity = pick_quantity(unit, sub)
            if quantity is not None:
                return quantity, unit, pool[unit.hit]
        return None

    def _total(self, q: Question, hits: list[Hit], ctx: Context) -> tuple[Quantity, Unit, Hit] | None:
        """A year's total: the largest amount (or count) a document of that year gives; a
        budget article's total is the sum of its parts, so nothing in it is larger."""
        kind = "count" if q.kind == "count" else "money"
        if not hits:
            return None
        hits = whole_documents(hits, q.years, ctx)
        best: tuple[Quantity, Unit, Hit] | None = None
        for i, hit in enumerate(hits):
            if q.years and hit.metadata.get("doc_year") not in q.years:
                continue
            for unit in units_of(i, hit):
                for quantity in unit.quantities:
                    if quantity.kind != kind or (kind == "count" and not _unit_matches(quantity.unit, "건")):
                        continue
                    if quantity.currency != "KRW":
                        continue
                    if best is None or quantity.value > best[0].value:
                        best = (quantity, unit, hit)
        return best

    def _arithmetic(
        self, q: Question, operands: list[tuple[Quantity, Unit, Hit]], sign: str, result: float, ctx: Context
    ) -> Draft:
        cite = Citer()
        terms = []
        for quantity, unit, hit in operands:
            label = item_label(unit, quantity.text, q.lang).rstrip(": ")
            shown = short_value(quantity, q.lang)
            marker = cite(hit, quantity.text) + "".join(
                cite(h, sp) for h, sp in same_document(quantity, hit, ctx)[:1]
            )
            terms.append(f"{label} {shown} {marker}" if label else f"{shown} {marker}")
        if sign == "÷":
            outcome = f"{result:.1f}%"
        elif operands[0][0].kind == "count":
            outcome = (
                english_count(result, operands[0][0].unit)
                if q.lang == "en"
                else f"{result:g}{operands[0][0].unit}"
            )
        else:
            outcome = format_money(result, q.lang)
        expression = f" {sign} ".join(terms) + f" = {outcome}"
        years = sorted({int(h.metadata.get("doc_year") or 0) for _, _, h in operands} - {0})
        scope_text = render(f"{q.lang}.scope", year=years[0]) if len(years) == 1 else ""
        text = render(f"{q.lang}.computed", expression=expression, scope=scope_text, cite="").strip()
        seen: set[str] = set()
        for _quantity, unit, hit in operands:
            if unit.quote() in seen:
                continue
            seen.add(unit.quote())
            text += "\n" + render(f"{q.lang}.evidence", quote=unit.quote(), cite=cite(hit))
        return Draft(
            text=text, hits=cite.hits, highlights=cite.highlights, derived=[result, round(result, 1)]
        )


# -- helpers ----------------------------------------------------------------------------------
def coverage(unit: Unit, groups: list[tuple[Group, float]], lang: str) -> float:
    """Share of the question's topic (by weight) that the unit holds; its lead, section and
    title count half. For a unit in the other language, a word the glossary cannot translate
    weighs half (it could not match, but the unit is not shown to be about it either).
    1.0 when the question names no topic."""
    if not groups:
        return 1.0
    same_language = unit.lang == lang

    def weight(group: Group, w: float) -> float:
        return w if same_language or group.translated or _script_neutral(group.word) else 0.5 * w

    total = sum(weight(g, w) for g, w in groups)
    own = sum(weight(g, w) for g, w in groups if g.matched_by(unit.tokens))
    near = sum(
        weight(g, w)
        for g, w in groups
        if not g.matched_by(unit.tokens) and g.matched_by(unit.context | unit.tokens)
    )
    return (own + 0.5 * near) / total if total else 0.0


def topic_weights(q: Question, ctx: Context) -> list[tuple[Group, float]]:
    """Each topic group with its weight: rarity in the corpus (idf) times the word's factor.

    A word the corpus never uses counts in full when it is a noun (the question asks about
    something the documents may not have: "personnel costs", "김주애"), but English words that
    look like verb forms ("carrying", "planned") are dropped: paraphrases, not topics."""
    out = []
    for group in q.focus_groups():
        known = [t for t in group.terms if ctx.df(t) > 0]
        if not known or not any(all(ctx.df(t) > 0 for t in alt) for alt in group.alternatives):
            if group.factor < 1.0:
                continue
            out.append((group, idf(0, ctx.n_docs)))
            continue
        weight = group.factor * max(idf(ctx.df(t), ctx.n_docs) for t in known)
        if re.search(r"\d", group.word):
            weight *= 1.5  # "stage 3", "2단계": the digit is what tells it from its siblings
        out.append((group, weight))
    return out


def _script_neutral(word: str) -> bool:
    """Acronyms written the same in both languages' text (CCTV, AI, GIS, DDP, IoT): words that
    Korean documents also use in Latin letters."""
    return word.lower() in ACRONYMS


ACRONYMS = {
    "cctv",
    "ai",
    "gis",
    "ddp",
    "iot",
    "ar",
    "vr",
    "hw",
    "sw",
    "s/w",
    "ict",
    "it",
    "smg",
    "ktx",
    "5g",
    "xr",
}


ENTITY_QUESTION = {
    "company": re.compile(
        r"which (company|firm|contractor|vendor|business)|what company|어느 (기업|업체|회사)|"
        r"어떤 (기업|업체|회사)|(기업|업체|회사)(는|은|가|이)? (어디|누구)",
        re.IGNORECASE,
    ),
    "district": re.compile(
        r"which (district|borough|gu)\b|in which district|어느 (구|자치구)|어떤 (구|자치구)", re.IGNORECASE
    ),
}
ENTITY = {
    "company": re.compile(
        r"㈜|\(주\)|주식회사|[가-힣A-Za-z]+(전자|텔레콤|시스템즈|정보통신|컨소시엄)|"
        r"\b[A-Z][A-Za-z&]+ (Inc|Corp|Co|Ltd|Group|Systems|Consortium)\b"
    ),
    "district": re.compile(r"[가-힣]{1,4}구(?![가-힣])|\b[A-Z][a-z]+-gu\b"),
}


def entity_asked(text: str) -> str:
    """The kind of name a question wants ("which company" -> "company"), if any."""
    return next((kind for kind, pattern in ENTITY_QUESTION.items() if pattern.search(text)), "")


PERSON = re.compile(
    r"[가-힣]{2,4}\s*(서울)?시?\s*(시장|정책관|디지털정책관|스마트도시정책관|국장|실장|과장|기자|장관|위원장|대표)|"
    r"(Mayor|Director|Minister|Commissioner)\s+[A-Z][a-z]+"
)


def score_unit(unit: Unit, q: Question, has_topic: bool, cover: float, doc_year: int = 0) -> float:
    score = cover if has_topic else 0.5
    if q.years and doc_year in q.years:
        score += 0.2  # a document of that year speaks for it better than a mention elsewhere
    if q.years and other_year_only(unit, q.years | q.related_years):
        score -= 0.15  # "작년(2022년) 3459억" in a 2023 article is about another year
    if q.kind == "who" and PERSON.search(unit.text):
        score += 0.3
    if not has_topic and TOTAL_MARK.search(unit.text):
        score += 0.25  # no topic named ("총 예산은?"): the whole, not a part
    score += 0.3 / (1 + unit.hit)
    if q.numeric or q.kind == "date":
        quantity = pick_quantity(unit, q) if q.kind != "date" else None
        score += 0.3 if (quantity is not None or (q.kind == "date" and unit.has("date"))) else -0.5
        if quantity is not None:
            score += 0.2 * closeness(unit, q, quantity)
        if unit.kind == "item":
            score += 0.05  # an item names exactly what its figure belongs to
            if quantity is not None and names_topic(unit, q, quantity):
                score += 0.2
    if q.wants_total and TOTAL_MARK.search(unit.text):
        score += 0.25
    if q.kind == "list" or q.op in ("max", "min"):
        score += 0.3 if unit.items else 0.0
    return score


def term_positions(unit: Unit, q: Question) -> list[tuple[int, int]]:
    text = unit.text.lower()
    spans = []
    for term in q.focus_terms():
        start = text.find(term.lower())
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term.lower(), start + 1)
    return spans


def closeness(unit: Unit, q: Question, quantity: Quantity) -> float:
    """1.0 when a topic word stands right before the figure, falling to 0 at 60 characters."""
    spans = term_positions(unit, q)
    if not spans:
        return 0.0
    distance = min(
        (quantity.start - end) if quantity.start >= end else 2 * (start - quantity.end) + 10
        for start, end in spans
    )
    return max(0.0, 1.0 - max(0, distance) / 60)


def year_ok(unit: Unit, hit: Hit, years: set[int]) -> bool:
    """A unit may answer for ``years`` when it names one of them, or when its document is of
    that year (a unit of that document that names only another year is penalised in scoring)."""
    mentioned = set(years_in(unit.text) + years_in(unit.lead))
    return bool(mentioned & years) or hit.metadata.get("doc_year") in years


def other_year_only(unit: Unit, years: set[int]) -> bool:
    mentioned = set(years_in(unit.text) + years_in(unit.lead))
    return bool(mentioned) and not (mentioned & years)


def _unit_matches(unit: str, wanted: str) -> bool:
    english = {
        "건": ("projects", "project", "cases", "case"),
        "개": ("companies", "jobs", "services"),
        "명": ("people",),
    }
    return unit == wanted or unit in english.get(wanted, ())


def pick_quantity(unit: Unit, q: Question) -> Quantity | None:
    """The figure of the asked kind that belongs to the question's topic: the nearest after a
    topic word; a total when the question asks for one; the stated change for differences."""
    kind = "money" if q.kind not in ("count", "percent") else q.kind
    found = [x for x in unit.quantities if x.kind == kind]
    if kind == "count" and q.count_unit:
        preferred = [x for x in found if _unit_matches(x.unit, q.count_unit)]
        found = preferred if (preferred or q.strict_unit) else found
    if not found:
        return None
    if q.op == "diff":
        changes = [x for x in found if is_change(unit, x)]
        if changes:
            return changes[0]
    if len(found) == 1:
        return found[0]
    if q.wants_total:
        marked = [x for x in found if TOTAL_MARK.search(unit.text[max(0, x.start - 14) : x.start + 1])]
        if marked:
            return marked[0]
    return max(found, key=lambda x: (closeness(unit, q, x), -x.start))


def same_document(
    quantity: Quantity, hit: Hit, ctx: Context, exclude: set[str] = frozenset()
) -> list[tuple[Hit, str]]:
    """Other passages of ``hit``'s document that state the same figure ("also in [2]")."""
    if ctx.passages_of is None or (quantity.kind == "count" and quantity.value < 10):
        return []
    out = []
    for other in ctx.passages_of(str(hit.metadata.get("path", ""))):
        if other.id == hit.id or other.id in exclude:
            continue
        same = [
            x
            for x in find_quantities(other.text)
            if x.kind == quantity.kind and same_value(x.value, quantity.value)
        ]
        if same:
            out.append((other, same[0].text))
    return out


def names_topic(unit: Unit, q: Question, quantity: Quantity) -> bool:
    """Whether the item's label (the words before its figure) names a topic of the question."""
    label = set(search_tokens(unit.text[: quantity.start])) | set(
        search_tokens(cross_language_terms(unit.text[: quantity.start]))
    )
    return any(g.matched_by(label) for g in q.focus_groups() if not g.generic)


def is_change(unit: Unit, quantity: Quantity) -> bool:
    """ "1년 전보다 62억 원 증가" states a change; "7%(3459억 원) 증가" gives the base in brackets."""
    before = unit.text[max(0, quantity.start - 2) : quantity.start]
    return bool(INCREASE.match(unit.text[quantity.end : quantity.end + 12])) and "(" not in before


MORE_THAN = re.compile(r"넘|이상|초과|\b(over|more than|above|greater than|at least)\b", re.IGNORECASE)
LESS_THAN = re.compile(r"미만|이하|\b(under|less than|below|at most)\b", re.IGNORECASE)
INCLUSIVE = re.compile(r"이상|이하|\bat (least|most)\b", re.IGNORECASE)


def comparison(text: str) -> Callable[[float, float], bool]:
    """How an item's amount must relate to the amount a question names."""
    inclusive = bool(INCLUSIVE.search(text))
    if MORE_THAN.search(text):
        return lambda value, named: (
            (value > named and not same_value(value, named)) or (inclusive and same_value(value, named))
        )
    if LESS_THAN.search(text):
        return lambda value, named: (
            (value < named and not same_value(value, named)) or (inclusive and same_value(value, named))
        )
    return same_value


COUNTING = re.compile(
    r"건수|몇 건|사업 수|number of projects|most projects|fewest projects|how many", re.IGNORECASE
)


def first_count(text: str) -> float | None:
    counts = [q.value for q in find_quantities(text) if q.kind == "count" and _unit_matches(q.unit, "건")]
    return counts[0] if counts else None


def whole_documents(hits: list[Hit], years: set[int], ctx: Context) -> list[Hit]:
    """The retrieved passages plus every other passage of their documents (of ``years``, when
    given): a year's total may sit in a passage the retriever did not rank high."""
    if ctx.passages_of is None:
        return hits
    out = list(hits)
    seen = {h.id for h in hits}
    for path in dict.fromkeys(str(h.metadata.get("path", "")) for h in hits):
        for passage in ctx.passages_of(path) if path else []:
            if passage.id not in seen and (not years or passage.metadata.get("doc_year") in years):
                seen.add(passage.id)
                out.append(passage)
    return out


def first_money(text: str) -> float | None:
    money = [q.value for q in find_quantities(text) if q.kind == "money"]
    return money[0] if money else None


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


def format_quantity(quantity: Quantity, lang: str) -> str:
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
    korean_written = bool(written) and bool(re.search(r"[억조만]", written))
    if currency != "KRW":
        return written or english_money(value, currency)
    if lang == "en":
        return f"{english_money(value)} ({written if korean_written else korean_money(value)})"
    if written and not korean_written:
        return f"{korean_money(value)} ({written})"
    return written or korean_money(value)


def short_value(quantity: Quantity, lang: str) -> str:
    """An operand in shown arithmetic: "1113억" / "111.3 billion" / "1,431"."""
    if quantity.kind == "count":
        return english_count(quantity.value, "") if lang == "en" else f"{quantity.value:g}"
    if lang == "en":
        return english_money(quantity.value).replace(" won", "")
    return korean_money(quantity.value).replace(" 원", "")


def item_label(unit: Unit, span: str, lang: str) -> str:
    """The name the figure belongs to, for items: "25개 자치구: "."""
    if unit.kind != "item":
        return ""
    head = unit.text.lstrip("▲").strip()
    if span and span in head:
        head = head[: head.index(span)]
    head = re.sub(r"^[-\s]+|[\s:(（]+$", "", head)
    if not head or len(head) > 50:
        return ""
    if lang == "en" and english_label_of(head):
        return f"{head} ({english_label_of(head)}): "
    return f"{head}: "


def english_label_of(text: str) -> str:
    if not re.search(r"[가-힣]", text):
        return ""
    entries = find_korean(text)
    return ", ".join(e.en[0] for e in entries[:2]) if entries else english_label(text)


def scope(q: Question, hit: Hit) -> str:
    year = hit.metadata.get("doc_year") or ""
    if len(q.years) == 1:
        year = next(iter(q.years))
    return render(f"{q.lang}.scope", year=year) if year else ""


def date_value(text: str, lang: str) -> tuple[str, str]:
    if m := DATE_KO.search(text):
        y, mo, d = (int(x) for x in m.groups())
        span = m.group(0)
    elif m := DATE_EN.search(text):
        y, mo, d = int(m.group(3)), MONTHS.index(m.group(1)) + 1, int(m.group(2))
        span = m.group(0)
    elif m := DATE_YEAR.search(text):
        years = "–".join(g for g in m.groups() if g)
        return (f"{years}년" if lang == "ko" else years), m.group(0)
    else:
        return "", ""
    try:
        return format_date(Date(y, mo, d).isoformat(), lang), span
    except ValueError:  # "2월 30일" in a document: quote it as written
        return span, span


def states_date(text: str, iso: str) -> bool:
    """Whether a passage states the document's date (in any of the usual forms)."""
    if not re.match(r"\d{4}-\d{2}-\d{2}", iso):
        return False
    y, mo, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    forms = [f"{y}년 {mo}월 {d}일", f"{mo}월 {d}일", f"{MONTHS[mo - 1]} {d}, {y}", f"{d}일 밝혔다"]
    return any(form in text for form in forms)


def format_date(iso: str, lang: str) -> str:
    if not re.match(r"\d{4}-\d{2}-\d{2}", iso):
        return iso
    y, mo, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if lang == "en":
        return f"{MONTHS[mo - 1]} {d}, {y} ({iso})"
    return f"{y}년 {mo}월 {d}일"


SPLIT_KO = re.compile(r"(?:와|과|랑|이랑|하고|및)\s+|,\s*")
OP_CUE_KO = re.compile(
    r"(을|를|의|은|는)?\s*(합치면|합하면|더하면|합계|합산|합친|모두 합|차이|비중|비율|얼마나|전체|총합|세 유형|두 유형).*$"
)
TRAILING_KO = re.compile(
    r"(\s*(예산|금액|사업비|정보화|몫|규모|분야|항목|유형|세|두|을|를|의|은|는|에서|에|이|가))+$"
)


def split_subjects(q: Question) -> list[str]:
    """The things a sum, difference or share is about: "자치구랑 투자출연기관 예산을 합치면" ->
    ["자치구", "투자출연기관"]; "the Metaverse Seoul stage 2 and CCTV upgrade allocations" ->
    ["Metaverse Seoul stage 2", "CCTV upgrade"]."""
    text = re.sub(r"(19|20)\d{2}\s*년?(에|의|도)?", " ", q.text)
    if q.op == "share":
        if q.lang == "ko":
            head = re.split(r"비중|비율|차지|전체의|전체 대비|몇 ?%|몇 ?퍼센트", text)[0]
            head = re.split(r"(?:에서|중에?서?|가운데)\s+", head)[-1]
            name = TRAILING_KO.sub("", head.strip()).strip()
            return [name] if name else []
        return [g.word for g in q.focus_groups() if not is_generic(g)][:1]
    if q.lang == "ko":
        head = OP_CUE_KO.sub("", text).strip()
        head = re.sub(r"^.*(에서|중)\s+", "", head)
        names = [TRAILING_KO.sub("", n).strip() for n in SPLIT_KO.split(head)]
        return [n for n in names if n and re.search(r"\w", n)]
    words = re.findall(r"[\w/·'-]+|,", text.replace("'s", ""))
    cuts = [i for i, w in enumerate(words) if w.lower() == "and" or w == ","]
    if not cuts:
        return []
    names = []
    for n, cut in enumerate(cuts):
        left_stop = cuts[n - 1] if n else -1
        left = _phrase(words[left_stop + 1 : cut], from_right=True) if n == 0 else None
        if left:
            names.append(left)
        right_end = cuts[n + 1] if n + 1 < len(cuts) else len(words)
        right = _phrase(words[cut + 1 : right_end], from_right=False)
        if right:
            names.append(right)
    return names


def _phrase(words: list[str], from_right: bool) -> str:
    """The noun phrase next to a conjunction: content words, stopping at a function word."""
    seq = list(reversed(words)) if from_right else list(words)
    while seq and seq[0].lower() in stopwords() and not seq[0][0].isdigit():
        seq.pop(0)
    out = []
    for word in seq:
        if word.lower() in stopwords() and not word[0].isdigit():
            break
        out.append(word)
    if from_right:
        out.reverse()
    return " ".join(out)


def specific_terms(q: Question) -> list[str]:
    """Topic words beyond generic budget vocabulary (empty for "the total IT budget")."""
    return [g.word for g in q.focus_groups() if not is_generic(g)]


WHOLE_WORDS = {
    "how",
    "many",
    "much",
    "project",
    "number",
    "budget",
    "total",
    "it",
    "ict",
    "informatization",
    "information",
    "technology",
    "spending",
    "overall",
    "정보",
    "정보화",
    "예산",
    "사업",
    "총",
    "총액",
    "전체",
    "몇",
    "건",
    "수",
    "건수",
    "규모",
    "금액",
    "digital",
    "서울시",
    "서울",
    "seoul",
    "smg",
}


def asks_for_whole(q: Question) -> bool:
    """True when the question names nothing but the budget itself ("How many projects in 2023?",
    "2023년 정보화 예산은?"): the answer is the year's total, not one of its parts."""
    for group in q.focus_groups():
        words = search_tokens(group.word) or [group.word]
        if not all(w in WHOLE_WORDS or (w in stopwords() and w not in ("city", "government")) for w in words):
            return False
    return True


def is_generic(group: Group) -> bool:
    words = search_tokens(group.word) or [group.word]
    return all(w in GENERIC_TERMS or w in stopwords() for w in words)


GENERIC_TERMS = {
    "budget",
    "information",
    "technology",
    "it",
    "ict",
    "total",
    "projects",
    "project",
    "seoul",
    "정보",
    "정보화",
    "예산",
    "사업",
    "서울시",
    "총",
    "총액",
    "전체",
    "통신",
    "정보통신",
}
