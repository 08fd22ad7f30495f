"""Plain data objects passed between stages (never raw Chroma dicts across modules)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DocumentMeta:
    """What we know about one source document."""

    source: str  # file name or URL the document came from
    title: str = ""
    publisher: str = ""
    date: str = ""  # ISO 8601: YYYY-MM-DD
    time: str = ""  # HH:MM, when the page gives it ("기사입력 : 2023년01월25일 11:15")
    reporter: str = ""
    contact: str = ""
    url: str = ""
    lang: str = ""  # "ko" or "en"
    city: str = ""  # canonical Korean name of the city the document is about ("서울")
    format: str = ""  # the file's format: txt, md, html, pdf, docx, xlsx, csv, hwpx
    pages: int = 0  # pages of a paged format (PDF)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True)
class Passage:
    """A span of 1-3 sentences of a cleaned document, with its document's metadata."""

    id: str
    text: str
    meta: DocumentMeta
    position: int  # order within the document
    section: str = ""
    years: tuple[int, ...] = ()  # years mentioned in the text (plus the document year)
    cities: tuple[str, ...] = ()  # cities named in the text (canonical Korean names)
    flagged: int = 0  # lines that address the assistant (``ingest.injection``): never evidence
    page: int = 0  # the PDF page the passage starts on (0: no pages)

    def context(self) -> str:
        """The passage's context line: its title and section, with the document's year."""
        head = " | ".join(x for x in (self.meta.title, self.section) if x)
        year = f" ({self.meta.year})" if self.meta.year else ""
        return f"{head}{year}" if head else ""

    def embedding_text(self) -> str:
        """The passage with its context line first (what BM25 indexes)."""
        head = self.context()
        return f"{head}\n{self.text}" if head else self.text

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (scalars only)."""
        meta = {k: v for k, v in asdict(self.meta).items()}
        meta.update(
            position=self.position,
            section=self.section,
            years=",".join(str(y) for y in self.years),
            doc_year=self.meta.year or 0,
            flagged=self.flagged,
            page=self.page,
        )
        # one flag per year and per city written in the passage, so that a store filter can
        # select by them (a ministry's table row names the city it gives a figure for)
        meta.update({f"y{year}": True for year in self.years})
        meta["cities"] = ",".join(self.cities)
        meta.update({city_flag(c): True for c in self.cities})
        return meta


def city_flag(city: str) -> str:
    """The metadata flag of a passage that names ``city``."""
    return f"c_{city}"


@dataclass
class Hit:
    """A retrieved passage with its scores."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float  # fused (RRF) score: higher is better
    dense: float | None = None  # cosine similarity from the dense index, if it ranked it
    lexical: float | None = None  # BM25 score, if it ranked it
    ranks: dict[str, int] = field(default_factory=dict)
    # the answer units' analysis ingest stored with the passage (``ingest.units.Analysis``):
    # internal, like the BM25 tokens, so not part of ``metadata``
    analysis: str = field(default="", repr=False, compare=False)

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def title(self) -> str:
        return str(self.metadata.get("title", ""))

    @property
    def date(self) -> str:
        return str(self.metadata.get("date", ""))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "score": round(self.score, 6),
            "dense": None if self.dense is None else round(self.dense, 4),
            "lexical": None if self.lexical is None else round(self.lexical, 4),
            "source": self.source,
            "title": self.title,
            "date": self.date,
            "publisher": self.metadata.get("publisher", ""),
            "url": self.metadata.get("url", ""),
        }


@dataclass
class Citation:
    """A passage an answer cites; ``n`` is its marker in the answer text ([n])."""

    n: int
    id: str
    text: str
    source: str
    title: str
    date: str
    url: str = ""
    publisher: str = ""
    highlight: list[str] = field(default_factory=list)  # the cited spans (figures, items)
    page: int = 0  # the PDF page (0: a format without pages)
    section: str = ""  # the heading the passage is under (a sheet, a chapter, a table's section)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    """What the chain returns, and what the API serialises."""

    question: str
    answer: str
    abstained: bool
    lang: str
    citations: list[Citation] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)  # shown on abstention, never cited
    retrieved: list[Hit] = field(default_factory=list)
    standalone_question: str = ""  # after condensing the chat history
    reason: str = ""  # why it abstained, or which guard rejected a draft
    backend: str = "extractive"
    latency_ms: float = 0.0
    trace_id: str = ""  # the id of this answer's line in <data>/traces.jsonl
    note: str = ""  # shown with the answer: an LLM answer was replaced by the default one, and why
    llm: dict[str, Any] = field(default_factory=dict)  # the LLM call: backend, streamed, verdict, reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "abstained": self.abstained,
            "lang": self.lang,
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
            "reason": self.reason,
            "backend": self.backend,
            "note": self.note,
            "guard": self.guard(),
            "latency_ms": round(self.latency_ms, 1),
        }

    def guard(self) -> dict[str, str]:
        """The LLM guard's verdict on this answer: passed, rejected, timeout, error or abstained
        (with the reason), or "none" when no LLM wrote it."""
        if not self.llm:
            return {"verdict": "none", "reason": ""}
        return {"verdict": str(self.llm.get("verdict", "")), "reason": str(self.llm.get("reason", ""))}
