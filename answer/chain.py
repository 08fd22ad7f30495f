"""The answering chain, a langchain runnable: validate → condense → retrieve → answer → verify.

    chain = QAChain(pipeline)            # builds nothing heavy: the pipeline is already open
    answer = chain.ask("2023년 서울시 정보화 예산은?", history=[...])

Scoping: a question that names a city is answered only from documents about that city, and a
year only from passages about that year (the document's year, or a year the passage names). A
question that names no year is first tried on the most recent year in the store, then on all
years; the answer says which year it used. Abstentions carry the closest passages as
``related``, never as citations.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from answer.backends import chat_model
from answer.condense import condense, render_history
from answer.extractive import Context, Draft, ExtractiveAnswerer, abstain
from answer.guard import unsupported_numbers
from answer.llm import LLMAnswerer, LLMError
from answer.question import Question, analyze
from answer.scorer import Scorer
from answer.streaming import TokenStream
from answer.trace import TraceLog
from answer.trace import new_id as new_trace_id
from answer.trace import record as trace_record
from budgetqa.errors import BudgetQAError, StoreError
from budgetqa.korean import CONTROL_CHARS
from budgetqa.places import main_city
from budgetqa.prompts import render
from budgetqa.types import Answer, Citation, Hit, city_flag

ANSWER_K = 8  # passages the answerer reads (the first ``settings.k`` are reported as retrieved)
READ_ALL = 40  # a question scoped to this many passages or fewer reads them all
ROLES = ("user", "assistant")
MAX_TURNS = 10  # the history turns a follow-up is read against (the last ones)


class QuestionError(BudgetQAError):
    """The question or its history is malformed (empty, too long, wrong types)."""


class Cancelled(BudgetQAError):
    """The asker went away (a closed connection): the work stopped at the next step."""


_asking = threading.local()  # the cancel event and token stream of the question this thread answers


def _asking_cancel() -> threading.Event | None:
    return getattr(_asking, "cancel", None)


def checkpoint() -> None:
    """Stop here if the question being answered on this thread was cancelled."""
    event = getattr(_asking, "cancel", None)
    if event is not None and event.is_set():
        raise Cancelled("the question was cancelled / 질문이 취소되었습니다")


def validate(question: Any, history: Any, max_chars: int) -> tuple[str, list[dict[str, str]]]:
    """The question (control characters removed) and the history as the chain reads it: the
    last ``MAX_TURNS`` turns, each cut to ``max_chars``, so that no history, however long,
    makes a question expensive."""
    if not isinstance(question, str):
        raise QuestionError("question must be a string / 질문은 문자열이어야 합니다")
    question = clean_text(question, "the question / 질문")
    if not question:
        raise QuestionError("the question is empty / 질문이 비어 있습니다")
    if len(question) > max_chars:
        raise QuestionError(
            f"the question is too long ({len(question)} characters, at most {max_chars}) / "
            f"질문이 너무 깁니다 (최대 {max_chars}자)"
        )
    if history is None:
        return question, []
    if not isinstance(history, list):
        raise QuestionError("history must be a list of {role, content} turns")
    turns = []
    for n, turn in enumerate(history):
        if (
            not isinstance(turn, dict)
            or turn.get("role") not in ROLES
            or not isinstance(turn.get("content"), str)
        ):
            raise QuestionError(f'history[{n}] must be {{"role": "user" or "assistant", "content": string}}')
        content = clean_text(turn["content"], f"history[{n}]")
        turns.append({"role": turn["role"], "content": content[:max_chars]})
    return question, turns[-MAX_TURNS:]


CONTROL = re.compile(f"[{CONTROL_CHARS}\u200b-\u200f]")  # and zero-width marks, in a question
CONTENT = re.compile(r"[가-힣A-Za-z0-9\u4e00-\u9fff]")


def clean_text(text: str, what: str) -> str:
    """``text`` without control and bidi characters; a lone surrogate (not text) is an error."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QuestionError(
            f"{what} contains an invalid character (a lone surrogate) / 잘못된 문자가 있습니다"
        ) from None
    return CONTROL.sub(" ", text).strip()


def no_question(text: str) -> Draft:
    """The answer to a message with nothing to look up: in Korean when it has Korean letters
    ("ㅋㅋㅋ"), in English when it has others, else in both ("?", "😀")."""
    if re.search(r"[ㄱ-ㅎㅏ-ㅣ가-힣]", text):
        return abstain("no question", "ko", "no_question")
    if re.search(r"[^\W\d_]", text):
        return abstain("no question", "en", "no_question")
    both = abstain("no question", "ko", "no_question")
    both.text += " · " + abstain("no question", "en", "no_question").text
    return both


def has_content(question: str) -> bool:
    """Whether a question has at least two letters or digits ("😀", "?", "ㅋㅋㅋ" have none)."""
    return len(CONTENT.findall(question)) >= 2


class QAChain:
    """The chain over a pipeline that follows the store: each question first checks whether
    another process made a new store generation current and, if so, switches to it; the
    question is then answered from that one generation to the end (``pipeline`` is per thread),
    and the generation before stays open for questions still on it."""

    def __init__(self, pipeline: Any, answerer: Any = None) -> None:
        settings = pipeline.settings
        self._shared = pipeline
        self._retired: list[Any] = []
        self._switching = threading.Lock()
        self._local = threading.local()
        self.settings = settings
        if answerer is None:
            scorer = Scorer.load(
                settings.scorer or None, settings.answer_threshold or None, embedding=settings.embedding
            )
            if scorer.embedding != settings.embedding:
                print(
                    f"budgetqa: warning: the answer scorer was trained on {scorer.embedding} similarities, "
                    f"not {settings.embedding}'s, and will rarely be confident: train one with "
                    f"`python -m answer.train --embedding {settings.embedding} --out FILE` and set "
                    "BUDGETQA_SCORER=FILE",
                    file=sys.stderr,
                )
            extractive = ExtractiveAnswerer(scorer)
            model = chat_model(settings.llm, settings.llm_url, settings.llm_api_key, settings.llm_timeout)
            answerer = LLMAnswerer(model, extractive, timeout=settings.llm_timeout) if model else extractive
        self.answerer = answerer
        # the LLM answerer also rewrites follow-ups (else the rules do)
        self.llm: LLMAnswerer | None = answerer if isinstance(answerer, LLMAnswerer) else None
        self.traces = TraceLog(settings.traces_path)
        self.runnable: Runnable = (
            RunnableLambda(timed("validate", self._validate), name="validate")
            | RunnableLambda(timed("condense", self._condense), name="condense")
            | RunnableLambda(timed("retrieve_answer", self._retrieve_and_answer), name="retrieve_answer")
            | RunnableLambda(timed("verify", self._verify), name="verify")
        )

    @property
    def pipeline(self) -> Any:
        """The pipeline of the question this thread is answering (else the latest one)."""
        return getattr(self._local, "pipeline", None) or self._shared

    # -- public ---------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[dict[str, str]] | None = None,
        cancel: threading.Event | None = None,
        stream: TokenStream | None = None,
    ) -> Answer:
        """Answer ``question``. When ``cancel`` is set (the client went away), the work stops
        at the next step or retrieval attempt with ``Cancelled``. With ``stream``, an LLM
        answer's tokens go there as they arrive (the returned answer is still the final word)."""
        started = time.perf_counter()
        _asking.cancel = cancel
        _asking.stream = stream
        try:
            try:
                state = self._invoke(question, history)
            except StoreError:  # the generation went away under the question (deleted data dir,
                state = self._invoke(question, history, reopen=True)  # a second ingest): once more
        finally:
            _asking.cancel = None
            _asking.stream = None
        answer: Answer = state["answer"]
        answer.latency_ms = (time.perf_counter() - started) * 1000
        answer.trace_id = new_trace_id()
        self.traces.write(trace_record(state, answer, answer.trace_id, state.get("generation", "")))
        return answer

    def _invoke(self, question: str, history: Any, reopen: bool = False) -> dict[str, Any]:
        pipeline = self._local.pipeline = self.follow_store(reopen)
        try:
            state = self.runnable.invoke({"question": question, "history": history})
            return {**state, "generation": pipeline.stamp}
        finally:
            self._local.pipeline = None

    def follow_store(self, reopen: bool = False) -> Any:
        """The pipeline on the current store generation (switching to it when it changed)."""
        with self._switching:
            shared = self._shared
            fresh = shared.reopened() if reopen else shared.current()
            if fresh is not shared:
                self._retired.append(shared)
                while len(self._retired) > 1:  # questions still on the one before may finish
                    self._retired.pop(0).close()
                self._shared = fresh
            return fresh

    @property
    def facets(self) -> dict[str, set]:
        return self.pipeline.facets()

    # -- steps ----------------------------------------------------------------------------------
    def _validate(self, state: dict[str, Any]) -> dict[str, Any]:
        question, history = validate(
            state.get("question"), state.get("history"), self.settings.max_question_chars
        )
        return {"question": question, "history": history}

    def _condense(self, state: dict[str, Any]) -> dict[str, Any]:
        standalone = condense(state["question"], state["history"])
        if self.llm is not None and state["history"] and standalone != state["question"]:
            from langchain_core.messages import HumanMessage

            try:
                prompt = render(
                    "condense",
                    lang=analyze(state["question"]).lang,
                    history=render_history(state["history"]),
                    question=state["question"],
                )
                rewritten = self.llm.complete([HumanMessage(content=prompt)], cancel=_asking_cancel())
                standalone = rewritten.strip().splitlines()[0].strip() if rewritten.strip() else standalone
            except LLMError:
                pass  # the rule-based rewrite stands
        if len(standalone) > 2 * self.settings.max_question_chars:  # bounded, however it was built
            standalone = state["question"]
        return {**state, "standalone": standalone}

    def _retrieve_and_answer(self, state: dict[str, Any]) -> dict[str, Any]:
        q = analyze(state["standalone"])
        if not has_content(state["standalone"]):
            return {**state, "q": q, "draft": no_question(state["standalone"]), "retrieved": []}
        refusal = self._out_of_scope(q)
        if refusal is not None:
            retrieved = self._search(q.text, q, None) if self.pipeline.passages() else []
            return {**state, "q": q, "draft": refusal, "retrieved": retrieved}
        draft: Draft | None = None
        attempt: dict[str, Any] = {}
        for attempt in self._attempts(state, q):
            checkpoint()
            draft = self.answer_state(attempt)
            if not draft.abstained:
                break
        if draft is None:  # pragma: no cover - there is always one attempt
            draft = abstain("nothing retrieved", q.lang)
        return {**state, **attempt, "draft": draft}

    def _out_of_scope(self, q: Question) -> Draft | None:
        """An abstention when the store is empty, or the question names a city or year that no
        document is about."""
        facets = self.facets
        if not facets["doc_years"] and not facets["cities"] and self.pipeline.passages() == 0:
            return abstain("empty store", q.lang, "abstain_empty")
        unknown_cities = q.cities - facets["cities"]
        if unknown_cities:
            return abstain(
                f"no documents about {', '.join(sorted(unknown_cities))}",
                q.lang,
                "abstain_city",
                known=", ".join(sorted(facets["cities"])) or "-",
                cities=", ".join(sorted(unknown_cities)),
            )
        if q.years and not (q.years & facets["years"]):
            return abstain(
                f"no documents for {sorted(q.years)}",
                q.lang,
                "abstain_year",
                years=", ".join(str(y) for y in sorted(q.years)),
                known=", ".join(str(y) for y in sorted(facets["doc_years"])),
            )
        return None

    def _attempts(self, state: dict[str, Any], q: Question) -> list[dict[str, Any]]:
        """The retrievals to try in order: the named years; else the most recent year, then
        all years. A question that names no city, in a store that has documents of the home
        city (``BUDGETQA_HOME_CITY``), is asked of that city, then of it and the documents
        about no city in particular (a ministry's notice), never of other cities. (Lazy: a
        later attempt is searched only when an earlier one abstains.)"""
        home = main_city(self.settings.home_city) if self.settings.home_city else ""
        if home and not q.cities and home in self.facets["cities"]:
            asked = [(replace(q, cities={home}), {home}), (q, {home, ""})]
        else:
            asked = [(q, q.cities)]
        attempts: list[tuple[Question, set[int], set[str]]] = []
        for each, cities in asked:
            years = self.facets["doc_years"]
            if each.cities:  # "올해" and unnamed years mean the latest year of that city's documents
                years = set().union(*(self.facets["city_years"].get(c, set()) for c in each.cities)) or years
            latest = {max(years)} if years else set()
            scopes = [each.years] if each.years else ([latest] if latest else []) + [set()]
            attempts += [(each, scope, cities) for scope in scopes]
        return _Lazy(
            attempts,
            lambda a: {
                **state,
                "q": a[0],
                "years": a[1],
                "cities": a[2],
                "retrieved": self._search(a[0].text, a[0], a[1], a[2]),
            },
        )

    def attempt_states(self, question: str, history: Any = None) -> list[dict[str, Any]]:
        """Every retrieval attempt the chain would make for a question (for training the
        scorer); none when the question is out of scope."""
        state = self._condense(self._validate({"question": question, "history": history}))
        q = analyze(state["standalone"])
        if self._out_of_scope(q) is not None:
            return []
        return list(self._attempts(state, q))

    def answer_state(self, state: dict[str, Any]) -> Draft:
        q: Question = state["q"]
        cities = state.get("cities", q.cities)
        return self.answerer.answer(q, state["retrieved"], self._context(q, state["years"], cities))

    def _verify(self, state: dict[str, Any]) -> dict[str, Any]:
        q: Question = state["q"]
        draft: Draft = state["draft"]
        if not draft.abstained:
            problems = unsupported_numbers(draft.text, draft.hits, draft.derived)
            if problems:
                rejected = abstain(f"unsupported numbers: {', '.join(problems)}", q.lang)
                rejected.note, rejected.llm = draft.note, draft.llm
                draft = rejected
        retrieved: list[Hit] = state["retrieved"]
        if not draft.abstained:  # passages fetched for sub-questions or metadata join the list
            cited_ids = {h.id for h in draft.hits}
            retrieved = [*draft.hits, *(h for h in retrieved if h.id not in cited_ids)]
        citations = [
            Citation(
                n=n,
                id=h.id,
                text=h.text,
                source=h.source,
                title=h.title,
                date=h.date,
                url=str(h.metadata.get("url", "")),
                publisher=str(h.metadata.get("publisher", "")),
                highlight=draft.highlights.get(h.id, []),
                page=int(h.metadata.get("page") or 0),
                section=str(h.metadata.get("section", "")),
            )
            for n, h in enumerate(draft.hits, start=1)
        ]
        answer = Answer(
            question=state["question"],
            standalone_question=state["standalone"],
            answer=draft.text,
            abstained=draft.abstained,
            lang=q.lang,
            citations=[] if draft.abstained else citations,
            related=retrieved[:3] if draft.abstained else [],
            retrieved=retrieved[: self.settings.k],
            reason=draft.reason,
            backend=getattr(self.answerer, "name", "extractive"),
            note=draft.note,
            llm=dict(draft.llm),
        )
        return {**state, "answer": answer}

    # -- helpers --------------------------------------------------------------------------------
    def _search(
        self, text: str, q: Question, years: set[int] | None, cities: set[str] | None = None
    ) -> list[Hit]:
        """The passages the answerer reads: the best ``ANSWER_K`` of the hybrid ranking, and
        when the question's scope (city, year) holds at most ``READ_ALL`` passages, all of
        them after those (a narrow scope is read whole: nothing in it is missed)."""
        k = max(self.settings.k, ANSWER_K)
        cities = q.cities if cities is None else cities
        where = scope_filter(years, cities)
        scoped = self.pipeline.retriever.lexical.scope.ids(years, cities)
        hits = self.pipeline.retriever.search(text, k=k, where=where, ids=scoped)
        if scoped is not None and len(scoped) <= READ_ALL:
            seen = {h.id for h in hits}
            rest = self.pipeline.store.get(sorted(scoped - seen))
            hits += sorted(
                rest.values(), key=lambda h: (str(h.metadata.get("path")), h.metadata.get("position", 0))
            )
        return hits

    def _context(self, q: Question, years: set[int], cities: set[str]) -> Context:
        """What the answerer reads besides the passages. How rare a question's terms are (idf)
        is counted among the documents of the cities it is asked of (all documents when it
        names none and there is no home city, or when those hold too few passages: see
        ``store.lexical.MIN_IDF_PASSAGES``): distractors of other cities, however many, do not
        change how a Seoul question is scored."""
        lexical = self.pipeline.retriever.lexical
        df, n_docs = lexical.counts_in_cities(cities)

        def search(sub: Question) -> list[Hit]:
            return self._search(sub.text, sub, sub.years or years or None)

        return Context(
            df=df,
            n_docs=max(1, n_docs),
            embed=self.pipeline.retriever.vector,
            unit_vectors=self.pipeline.unit_vectors,
            search=search,
            passages_of=self.pipeline.store.passages_of,
            cities=set(self.facets["cities"]),
            stream=getattr(_asking, "stream", None),
            cancel=_asking_cancel(),
        )


def timed(name: str, step: Any) -> Any:
    """A chain step that adds its duration (ms) to the state's ``timings``."""

    def run(state: dict[str, Any]) -> dict[str, Any]:
        checkpoint()
        started = time.perf_counter()
        out = step(state)
        timings = {**state.get("timings", {}), name: round((time.perf_counter() - started) * 1000, 2)}
        return {**out, "timings": timings}

    return run


class _Lazy(list):
    """A list whose items are built on first access, in order."""

    def __init__(self, keys: list[Any], build: Any) -> None:
        super().__init__(keys)
        self._build = build

    def __iter__(self) -> Any:
        for key in list.__iter__(self):
            yield self._build(key)


def scope_filter(years: set[int] | None, cities: set[str]) -> dict[str, Any] | None:
    """A Chroma ``where`` filter for the years (document year or a year the passage names)
    and cities a question is scoped to."""
    clauses: list[dict[str, Any]] = []
    if years:
        options: list[dict[str, Any]] = []
        for year in sorted(years):
            options += [{"doc_year": year}, {f"y{year}": True}]
        clauses.append({"$or": options})
    if cities:  # documents about the city ("": about none), or passages that name it
        options = [{"city": {"$in": sorted(cities)}}, *({city_flag(c): True} for c in sorted(cities) if c)]
        clauses.append(options[0] if len(options) == 1 else {"$or": options})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
