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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date as Date

from answer.question import Question, analyze, idf, stopwords
from answer.units import DATE_EN, DATE_KO, Unit, units_of
from budgetqa.korean import kiwi
from budgetqa.numbers import Quantity, english_count, english_money, korean_money, same_value
from budgetqa.prompts import render
from budgetqa.types import Hit
from ingest.split import years_in
from retrieve.glossary import english_label, find_english

MIN_SCORE = 0.45  # calibrated on evals/sets/core.jsonl (see README, "Abstention")
NEAR_BEST = 0.12  # units this close to the best count as ties; the latest year wins a tie
TOTAL_MARK = re.compile(r"총 |모두 |전체|in total|a total of|total of|overall")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


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
    """What the answerer may consult besides the hits: corpus statistics and a search."""

    df: Callable[[str], int]
    n_docs: int
    search: Callable[[str], list[Hit]]  # retrieval for sub-questions (computed answers)


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
        if q.op in ("sum", "diff"):
            computed = self._sum_or_diff(q, hits, ctx)
            if computed is not None:
                return computed
        if q.op == "share":
            computed = self._share(q, hits, ctx)
            if computed is not None:
                return computed
        unknown = unknown_terms(q, ctx)
        if unknown:
            return abstain(f"not in the documents: {', '.join(unknown)}", q.lang)
        best = self.best_unit(q, hits, ctx)
        if isinstance(best, Draft):
            return best
        unit, _score = best
        hit = hits[unit.hit]
        if q.kind == "list" or q.op in ("max", "min"):
            return self._list(q, unit, hit)
        if q.numeric or q.kind == "date":
            return self._fact(q, unit, hit)
        return self._sentence(q, unit, hit)

    # -- choosing the unit ------------------------------------------------------------------
    def best_unit(self, q: Question, hits: list[Hit], ctx: Context) -> tuple[Unit, float] | Draft:
        if not hits:
            return abstain("nothing retrieved", q.lang)
        focus = q.focus_terms()
        weights = {t: idf(ctx.df(t), ctx.n_docs) for t in focus}
        scored: list[tuple[float, Unit]] = []
        for i, hit in enumerate(hits):
            for unit in units_of(i, hit):
                if q.years and not year_ok(unit, hit, q.years):
                    continue
                scored.append((score_unit(unit, q, weights), unit))
        if not scored:
            return abstain("no passage about that year", q.lang)
        scored.sort(key=lambda s: -s[0])
        best_score = scored[0][0]
        if best_score < MIN_SCORE:
            return abstain(f"low relevance ({best_score:.2f} < {MIN_SCORE})", q.lang)
        if (q.numeric or q.kind == "date") and not scored[0][1].has(q.kind):
            return abstain(f"no {q.kind} in the best passage", q.lang)
        if not q.years:  # no year named: among near-ties, the most recent document wins
            ties = [s for s in scored if s[0] >= best_score - NEAR_BEST and s[1].has(q.kind)]
            ties = ties or scored[:1]
            top = max(ties, key=lambda s: (int(hits[s[1].hit].metadata.get("doc_year") or 0), s[0]))
            return top[1], top[0]
        return scored[0][1], best_score

    # -- composing ------------------------------------------------------------------------------
    def _fact(self, q: Question, unit: Unit, hit: Hit) -> Draft:
        cite = Citer()
        if q.kind == "date":
            value, span = date_value(unit.text, q.lang)
        else:
            quantity = pick_quantity(unit, q)
            if quantity is None:
                return abstain(f"no {q.kind} in the best passage", q.lang)
            value, span = format_quantity(quantity, q.lang), quantity.text
        label = item_label(unit, span, q.lang)
        text = render(f"{q.lang}.fact", label=label, value=value, scope=scope(q, hit), cite=cite(hit, span))
        text += "\n" + render(f"{q.lang}.evidence", quote=unit.quote(), cite=cite(hit))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    def _list(self, q: Question, unit: Unit, hit: Hit) -> Draft:
        cite = Citer()
        items = unit.items
        if not items:
            return self._sentence(q, unit, hit)
        if q.op in ("max", "min"):
            valued = [(first_money(it), it) for it in items]
            valued = [(v, it) for v, it in valued if v is not None]
            if valued:
                pick = max(valued) if q.op == "max" else min(valued)
                item = pick[1]
                label = f"{english_label_of(item)}: " if q.lang == "en" and english_label_of(item) else ""
                text = render(f"{q.lang}.fact", label=label, value=item.lstrip("▲"), scope=scope(q, hit),
                              cite=cite(hit, item.lstrip("▲")))
                text += "\n" + render(f"{q.lang}.evidence", quote=unit.quote(), cite=cite(hit))
                return Draft(text=text, hits=cite.hits, highlights=cite.highlights)
        lines = [render(f"{q.lang}.list_intro", scope=scope(q, hit), cite=cite(hit))]
        for item in items:
            shown = item.lstrip("▲").strip()
            if q.lang == "en" and english_label_of(shown):
                shown = f"{shown} ({english_label_of(shown)})"
            cite(hit, item.lstrip("▲").strip())
            lines.append(render(f"{q.lang}.list_item", item=shown))
        return Draft(text="\n".join(lines), hits=cite.hits, highlights=cite.highlights)

    def _sentence(self, q: Question, unit: Unit, hit: Hit) -> Draft:
        cite = Citer()
        text = render(f"{q.lang}.sentence", quote=unit.quote(), cite=cite(hit, unit.text))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    def _metadata(self, q: Question, hits: list[Hit], ctx: Context) -> Draft:
        if not hits:
            return abstain("nothing retrieved", q.lang)
        candidates = hits
        if q.years:
            candidates = [h for h in hits if h.metadata.get("doc_year") in q.years] or hits
        hit = candidates[0]
        cite = Citer()
        meta = hit.metadata
        date = format_date(str(meta.get("date", "")), q.lang)
        publisher = str(meta.get("publisher") or meta.get("source", ""))
        if q.kind == "reporter":
            if not meta.get("reporter"):
                return abstain("the document names no reporter", q.lang)
            contact = f" ({meta['contact']})" if meta.get("contact") else ""
            text = render(f"{q.lang}.reporter", reporter=meta["reporter"], contact=contact, cite=cite(hit))
        elif q.kind == "publisher":
            text = render(f"{q.lang}.publisher", publisher=publisher, date=date, cite=cite(hit))
        else:
            if not meta.get("date"):
                return abstain("the document has no date", q.lang)
            text = render(f"{q.lang}.published", date=date, publisher=publisher, cite=cite(hit))
        return Draft(text=text, hits=cite.hits, highlights=cite.highlights)

    def _figure(self, question: str, ctx: Context) -> tuple[Quantity, Unit, Hit] | None:
        """Answer a sub-question with one amount: (quantity, unit, hit), or None."""
        sub = analyze(question)
        sub.kind = "money"
        hits = ctx.search(question)
        best = self.best_unit(sub, hits, ctx)
        if isinstance(best, Draft):
            return None
        unit = best[0]
        quantity = pick_quantity(unit, sub)
        return (quantity, unit, hits[unit.hit]) if quantity else None

    def _sum_or_diff(self, q: Question, hits: list[Hit], ctx: Context) -> Draft | None:
        parts = sub_questions(q)
        if len(parts) != 2:
            return None
        found = [self._figure(p, ctx) for p in parts]
        if any(f is None for f in found):
            return abstain("an operand is not in the documents", q.lang)
        (a, ua, ha), (b, ub, hb) = found  # type: ignore[misc]
        if q.op == "diff" and a.value < b.value:
            (a, ua, ha), (b, ub, hb) = (b, ub, hb), (a, ua, ha)
        result = a.value + b.value if q.op == "sum" else a.value - b.value
        sign = "+" if q.op == "sum" else "−"
        return self._arithmetic(q, [(a, ua, ha), (b, ub, hb)], sign, result)

    def _share(self, q: Question, hits: list[Hit], ctx: Context) -> Draft | None:
        parts = sub_questions(q)
        if not parts:
            return None
        part = self._figure(parts[0], ctx)
        year = " ".join(f"{y}년" for y in sorted(q.years))
        whole = self._figure(f"{year} 총 정보화 예산 총액".strip(), ctx)
        if part is None or whole is None or whole[0].value == 0:
            return abstain("an operand is not in the documents", q.lang)
        result = part[0].value / whole[0].value * 100
        return self._arithmetic(q, [part, whole], "÷", result)

    def _arithmetic(self, q: Question, operands: list[tuple[Quantity, Unit, Hit]], sign: str,
                    result: float) -> Draft:
        cite = Citer()
        terms = []
        for quantity, unit, hit in operands:
            label = item_label(unit, quantity.text, q.lang).rstrip(": ")
            shown = short_money(quantity.value, q.lang)
            terms.append(f"{label} {shown} {cite(hit, quantity.text)}".strip() if label else f"{shown} {cite(hit, quantity.text)}")
        if sign == "÷":
            outcome = f"{result:.1f}%"
        else:
            outcome = format_money(result, q.lang)
        expression = f" {sign} ".join(terms) + f" = {outcome}"
        text = render(f"{q.lang}.computed", expression=expression, scope=scope(q, operands[0][2]), cite="")
        for quantity, unit, hit in operands:
            text += "\n" + render(f"{q.lang}.evidence", quote=unit.quote(), cite=cite(hit))
        return Draft(text=text.replace("  ", " ").strip(), hits=cite.hits, highlights=cite.highlights,
                     derived=[result, round(result, 1)])


# -- helpers ----------------------------------------------------------------------------------
def score_unit(unit: Unit, q: Question, weights: dict[str, float]) -> float:
    total = sum(weights.values())
    if total:
        own = sum(w for t, w in weights.items() if t in unit.tokens)
        near = sum(w for t, w in weights.items() if t not in unit.tokens and t in unit.context)
        score = (own + 0.5 * near) / total
    else:
        score = 0.5  # the question has no topic words ("총 예산은?"): rank and cues decide
        if TOTAL_MARK.search(unit.text):
            score += 0.25  # ... and then it asks for the whole, not a part
    score += 0.3 / (1 + unit.hit)
    if unit.kind == "item" and (q.numeric or q.kind == "date"):
        score += 0.05  # an item names exactly what its figure belongs to
    if q.numeric or q.kind == "date":
        score += 0.3 if unit.has(q.kind) else -0.5
    if q.wants_total and TOTAL_MARK.search(unit.text):
        score += 0.25
    if q.kind == "list" or q.op in ("max", "min"):
        score += 0.3 if unit.items else 0.0
    if q.kind == "count" and q.count_unit:
        if any(x.kind == "count" and _unit_matches(x.unit, q.count_unit) for x in unit.quantities):
            score += 0.15
    return score


def _unit_matches(unit: str, wanted: str) -> bool:
    english = {"건": ("projects", "project", "cases", "case"), "개": ("companies", "jobs", "services"),
               "명": ("people",)}
    return unit == wanted or unit in english.get(wanted, ())


def unknown_terms(q: Question, ctx: Context) -> list[str]:
    """Nouns of the question that no passage contains (after glossary translation).

    Korean nouns and English proper nouns count; other English words count only when most of
    the question's English content words are unknown (a question about something else)."""
    unknown: list[str] = []
    with_glossary = {p.lower() for e in find_english(q.text) for p in e.en}
    for token in kiwi().tokenize(q.text):
        form = token.form
        if form.lower() in stopwords() or len(form) < 2:
            continue
        if token.tag in ("NNG", "NNP") and ctx.df(form) == 0:
            unknown.append(form)
        elif token.tag == "SL" and form[0].isupper() and ctx.df(form.lower()) == 0:
            if not any(form.lower() in p for p in with_glossary):
                unknown.append(form)
    english = q.english_words()
    missing = [w for w in english if ctx.df(w) == 0]
    if english and len(missing) * 2 > len(english):
        unknown.extend(w for w in missing if w not in unknown)
    return list(dict.fromkeys(unknown))


def year_ok(unit: Unit, hit: Hit, years: set[int]) -> bool:
    mentioned = set(years_in(unit.text) + years_in(unit.lead))
    if mentioned & years:
        return True
    doc_year = hit.metadata.get("doc_year")
    return doc_year in years and not (mentioned - years and len(mentioned) == 1 and doc_year not in mentioned)


def pick_quantity(unit: Unit, q: Question) -> Quantity | None:
    kind = "money" if q.kind not in ("count", "percent") else q.kind
    found = [x for x in unit.quantities if x.kind == kind]
    if kind == "count" and q.count_unit:
        preferred = [x for x in found if _unit_matches(x.unit, q.count_unit)]
        found = preferred or found
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    if q.wants_total:
        marked = [x for x in found if TOTAL_MARK.search(unit.text[max(0, x.start - 12) : x.start + 1])]
        if marked:
            return marked[0]
    # the amount nearest after a topic word of the question
    positions = [unit.text.lower().find(t) for t in q.focus_terms() if unit.text.lower().find(t) >= 0]
    if positions:
        anchor = min(positions)
        after = [x for x in found if x.start >= anchor]
        if after:
            return after[0]
    return found[0]


def first_money(text: str) -> float | None:
    from budgetqa.numbers import find_quantities

    money = [q.value for q in find_quantities(text) if q.kind == "money"]
    return money[0] if money else None


def format_quantity(quantity: Quantity, lang: str) -> str:
    if quantity.kind == "money":
        return format_money(quantity.value, lang, quantity.text, quantity.currency)
    if quantity.kind == "percent":
        return f"{quantity.value:g}%"
    if lang == "en":
        english = english_count(quantity.value, quantity.unit)
        return english if english == quantity.text else f"{english} ({quantity.text})"
    return quantity.text


def format_money(value: float, lang: str, written: str = "", currency: str = "KRW") -> str:
    if lang == "en":
        english = english_money(value, currency)
        korean = written if written and re.search(r"[억조만]", written) else korean_money(value)
        return f"{english} ({korean})" if currency == "KRW" else english
    korean = korean_money(value) if not written or not re.search(r"[억조만]", written) else written
    if currency == "KRW" and written and not re.search(r"[억조만]", written):
        return f"{korean} ({written})"
    return korean


def short_money(value: float, lang: str) -> str:
    """Operands in arithmetic: "1113억" / "111.3 billion"."""
    if lang == "en":
        return english_money(value).replace(" won", "")
    return korean_money(value).replace(" 원", "")


def item_label(unit: Unit, span: str, lang: str) -> str:
    """The name the figure belongs to, for items: "25개 자치구: "."""
    if unit.kind != "item":
        return ""
    head = unit.text.lstrip("▲").strip()
    if span and span in head:
        head = head[: head.index(span)]
    head = re.sub(r"^[-\s]+|[\s:(（]+$", "", head)
    if not head or len(head) > 40:
        return ""
    if lang == "en" and english_label_of(head):
        return f"{head} ({english_label_of(head)}): "
    return f"{head}: "


def english_label_of(text: str) -> str:
    from retrieve.glossary import find_korean

    entries = find_korean(text)
    return ", ".join(e.en[0] for e in entries[:2]) if entries else english_label(text)


def scope(q: Question, hit: Hit) -> str:
    year = hit.metadata.get("doc_year") or ""
    if q.years:
        year = min(q.years) if len(q.years) == 1 else year
    return render(f"{q.lang}.scope", year=year) if year else ""


def date_value(text: str, lang: str) -> tuple[str, str]:
    if m := DATE_KO.search(text):
        y, mo, d = (int(x) for x in m.groups())
        span = m.group(0)
    elif m := DATE_EN.search(text):
        y, mo, d = int(m.group(3)), MONTHS.index(m.group(1)) + 1, int(m.group(2))
        span = m.group(0)
    else:
        return "", ""
    return format_date(Date(y, mo, d).isoformat(), lang), span


def format_date(iso: str, lang: str) -> str:
    if not re.match(r"\d{4}-\d{2}-\d{2}", iso):
        return iso
    y, mo, d = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    if lang == "en":
        return f"{MONTHS[mo - 1]} {d}, {y} ({iso})"
    return f"{y}년 {mo}월 {d}일"


SPLIT_KO = re.compile(r"\s*(?:와|과|및|하고|랑|,)\s+")


def sub_questions(q: Question) -> list[str]:
    """The operands of a sum, difference or share as stand-alone questions.

    Two years ("2022년과 2023년 정보화 예산 차이") give the same question for each year; two
    named items ("자치구와 투자출연기관 예산을 합치면") give one question per item."""
    rest = re.sub(r"(19|20)\d{2}\s*년?", "", q.text)
    if len(q.years) == 2:
        topic = re.sub(r"(합치면|합하면|차이는?|차이|얼마나.*|difference.*|combined.*|과|와|and)\W*$", "", rest)
        return [f"{y}년 {topic.strip()} 총 예산" if q.lang == "ko" else f"{topic.strip()} total budget {y}"
                for y in sorted(q.years)]
    year = " ".join(f"{y}년" for y in sorted(q.years))
    if q.lang == "ko":
        head = re.split(r"(예산|금액|규모|사업비|을|를|의|은|는)\s", rest + " ", maxsplit=1)[0]
        names = [n.strip() for n in SPLIT_KO.split(head) if n.strip()]
    else:
        names = [e.ko[0] for e in _specific_entries(q.text)]
    if q.op == "share":
        return [f"{year} {names[0]} 예산".strip()] if names else []
    return [f"{year} {n} 예산".strip() for n in names] if len(names) == 2 else []


def _specific_entries(text: str) -> list:
    generic = {"budget", "total", "project", "information technology", "Seoul Metropolitan Government",
               "invest", "how many projects", "informatization budget", "information technology projects"}
    entries = [e for e in find_english(text) if e.en[0] not in generic]
    positions = []
    for entry in entries:
        spots = [text.lower().find(p.lower()) for p in entry.en if text.lower().find(p.lower()) >= 0]
        positions.append((min(spots) if spots else 0, entry))
    return [e for _, e in sorted(positions, key=lambda p: p[0])]
