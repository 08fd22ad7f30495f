"""Follow-up questions: rewrite the last question so it stands alone.

Deterministic rules by default (an LLM prompt, ``prompts/condense.txt``, when a generator is
configured). A question is a follow-up when there is history and it is elliptical: it opens with
"그럼/그러면/그 중/또/and/what about/how about", or it has no predicate of its own ("투자·출연기관은?",
"CCTV 쪽은?", "2022년은?", "And the following year?"). The rewrite keeps the earlier question and
swaps in what the follow-up names:
- a year ("2022년은?", "what about 2021?") or a relative one ("the following year", "그 전 해")
  replaces the earlier year;
- a topic ("CCTV 쪽은?") replaces the earlier question's topic words (the glossary terms it named,
  or its leading noun phrase), keeping what was asked (how much, how many, when ...);
- anything else is put in front of the earlier question, so retrieval sees both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from answer.question import stopwords
from budgetqa.korean import is_korean, morphemes
from budgetqa.places import CITIES, cities_in
from retrieve.glossary import find_english, find_korean
from retrieve.hybrid import query_years

LEAD_KO = re.compile(r"^(그럼|그러면|그렇다면|그 중에?서?|그중에?서?|또|그리고|그 밖에|그밖에|그럼에도)\s*")
LEAD_EN = re.compile(r"^(and|so|then|what about|how about|and what about|also|what of)\b[\s,]*", re.I)
TAIL_KO = re.compile(r"\s*(쪽|쪽은|쪽이|부분|분야|경우)?\s*(은|는|이|가|도|요|의)?\s*[?？.]*\s*$")
PREDICATE_KO = re.compile(
    r"(얼마|몇|언제|누구|무엇|어떤|어디|인가|인지|나요|까요|니까|[가-힣]+[었았했]|하나|되나|있나|주세요|알려)"
)
PREDICATE_EN = re.compile(r"\b(how|what|when|who|which|is|are|was|were|does|did|do|much|many)\b", re.I)
NEXT_YEAR = re.compile(
    r"following year|next year|year after|이듬해|다음 해|다음해|그 다음 해|그다음 해|이듬 해", re.I
)
PREV_YEAR = re.compile(r"previous year|year before|prior year|그 전 해|그 전년|전년도?|그 이전 해", re.I)
YEAR = re.compile(r"(19|20)\d{2}(\s*년)?")
PRONOUN_EN = re.compile(
    r"\b([Ii]t|[Tt]hat|[Tt]his|[Tt]hose|[Tt]hese|[Tt]hey|them|[Ii]ts|there)\b"
)  # not "IT"
PRONOUN_KO = re.compile(
    r"그것|그거|이것|이거|그 중|그중|거기|그 단계|그 사업|그 분야|해당|그 돈|그 예산|이 중"
)
FILLER = {"the", "for", "and", "about", "of", "what", "so", "then", "in", "on", "a", "an", "with"}
GENERIC = {
    "budget",
    "total",
    "project",
    "invest",
    "information technology",
    "informatization budget",
    "information technology projects",
    "Seoul Metropolitan Government",
    "Seoul",
    "how many projects",
    "service",
    "areas",
    "announce",
}


def is_followup(question: str, history: Sequence[dict[str, Any]]) -> bool:
    if not any(turn.get("role") == "user" for turn in history):
        return False
    q = question.strip()
    if LEAD_KO.match(q) or LEAD_EN.match(q) or NEXT_YEAR.search(q) or PREV_YEAR.search(q):
        return True
    if PRONOUN_KO.search(q) or PRONOUN_EN.search(q):
        return True
    if is_korean(q):
        return len(q) <= 25 and not PREDICATE_KO.search(q)
    return len(q.split()) <= 5 and not PREDICATE_EN.search(q)


def condense(question: str, history: Sequence[dict[str, Any]]) -> str:
    """The question rewritten to stand alone (unchanged when it is not a follow-up)."""
    users = [str(t.get("content", "")) for t in history if t.get("role") == "user"]
    if not users or not is_followup(question, history):
        return question.strip()
    previous = users[0]
    for earlier in users[1:]:  # earlier follow-ups build on each other
        previous = (
            condense(earlier, [{"role": "user", "content": previous}])
            if is_followup(earlier, [{"role": "user", "content": previous}])
            else earlier
        )
    return _merge(question.strip(), previous.strip())


def _merge(question: str, previous: str) -> str:
    core = LEAD_EN.sub("", LEAD_KO.sub("", question)).strip()
    prev_years = sorted(query_years(previous))
    years = sorted(query_years(core))
    if NEXT_YEAR.search(core) and prev_years:
        years = [prev_years[-1] + 1]
        core = NEXT_YEAR.sub("", core)
    elif PREV_YEAR.search(core) and prev_years and not _has_predicate(core):
        years = [prev_years[0] - 1]
        core = PREV_YEAR.sub("", core)
    if _has_predicate(core):  # a full question that points back ("How is it split by ...?")
        context = [str(y) for y in prev_years if y not in years] + _specific_names(previous)
        return f"{question.strip()} ({' '.join(context)})" if context else question.strip()
    topic = _topic(core)
    merged = previous
    if years:
        if prev_years:
            merged = YEAR.sub(lambda m: f"{years[0]}년" if m.group(2) else str(years[0]), merged, count=1)
        elif is_korean(previous):
            merged = f"{years[0]}년 {merged}"
        else:
            merged = f"{merged.rstrip('?')} in {years[0]}?"
    return _swap_topic(merged, topic) if topic else merged


def _has_predicate(text: str) -> bool:
    return bool(PREDICATE_KO.search(text) if is_korean(text) else PREDICATE_EN.search(text))


def _topic(core: str) -> str:
    """What the follow-up names, without particles, years and filler words."""
    topic = YEAR.sub("", TAIL_KO.sub("", core.rstrip("?？. ")))
    words = [w for w in re.split(r"\s+", topic) if w]
    while words and words[0].lower() in FILLER:
        words.pop(0)
    while words and words[-1].lower() in FILLER:
        words.pop()
    topic = " ".join(words).strip(" ,")
    return "" if re.fullmatch(r"[\W\d]*", topic) else topic


def _specific_entries(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of the non-generic glossary terms in ``text``, left to right."""
    korean = is_korean(text)
    spans: list[tuple[int, int, str]] = []
    for entry in find_korean(text) if korean else find_english(text):
        if entry.en[0] in GENERIC:
            continue
        names = sorted(entry.ko if korean else entry.en, key=len, reverse=True)
        for name in names:
            start = text.lower().find(name.lower())
            if start >= 0 and not any(s <= start < e for s, e, _ in spans):
                spans.append((start, start + len(name), text[start : start + len(name)]))
                break
    return sorted(spans)


def _extend_noun_phrase(text: str, span: tuple[int, int, str]) -> tuple[int, int, str]:
    """Grow a term's span over the nouns that follow it: "핀테크랩 부스에서는" -> "핀테크랩 부스",
    so that swapping the topic replaces the whole noun phrase and keeps the particle."""
    if not is_korean(text):
        return span
    start, end, _ = span
    for token in morphemes(text):
        if token.start < end:
            continue
        if token.start - end > 1 or token.tag not in ("NNG", "NNP") or token.form in stopwords():
            break
        end = token.start + token.len
    return start, end, text[start:end]


def _specific_names(text: str) -> list[str]:
    return [name for _, _, name in _specific_entries(text)]


def _swap_topic(previous: str, topic: str) -> str:
    """Replace the earlier question's specific terms with ``topic`` (or put it in front)."""
    topic_cities, prev_cities = cities_in(topic), cities_in(previous)
    if topic_cities and prev_cities:  # "부산은?" after a question about 서울: swap the city
        for alias in sorted(_aliases(next(iter(prev_cities))), key=len, reverse=True):
            if alias in previous:
                return previous.replace(alias, topic, 1)
    spans = [_extend_noun_phrase(previous, span) for span in _specific_entries(previous)]
    if not spans:
        return f"{topic} {previous}"
    out, last = [], 0
    for n, (start, end, _) in enumerate(spans):
        out.append(previous[last:start])
        if n == 0:
            out.append(topic)
        last = end
    out.append(previous[last:])
    return re.sub(r"\s{2,}", " ", "".join(out)).strip()


def render_history(history: Sequence[dict[str, Any]], limit: int = 6) -> str:
    lines = [f"{t.get('role', 'user')}: {t.get('content', '')}" for t in list(history)[-limit:]]
    return "\n".join(lines)


def _aliases(city: str) -> tuple[str, ...]:
    return (city, *CITIES.get(city, ()))
