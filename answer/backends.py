"""LLM backends by name: langchain chat models (``BaseChatModel``), built from the settings.

    model = chat_model("openai:qwen2.5-7b-instruct", "http://127.0.0.1:8000/v1", api_key="", timeout=30)
    model = chat_model("ollama:qwen2.5:7b", "http://127.0.0.1:11434", api_key="", timeout=30)

``openai:<model>`` is ``langchain_openai.ChatOpenAI`` against any OpenAI-compatible server (vLLM,
llama.cpp server, Ollama's ``/v1``, a hosted API); ``ollama:<model>`` is
``langchain_ollama.ChatOllama`` on Ollama's own API. Both are optional extras
(``pip install '.[llm]'``); ``none`` (the default) means no model at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from budgetqa.errors import SettingsError

BACKENDS = ("openai", "ollama")
DEFAULT_URLS = {"openai": "http://127.0.0.1:8080/v1", "ollama": "http://127.0.0.1:11434"}
INSTALL_HINT = "pip install '.[llm]'"
MAX_TOKENS = 512  # an answer is one to three sentences; a runaway reply is cut here
NO_KEY = "not-needed"  # OpenAI-compatible servers without auth still expect some key
RETRIES = 1  # the OpenAI client retries a failed request once (5xx, 429, a dropped connection)


@dataclass(frozen=True)
class BackendSpec:
    """A parsed ``BUDGETQA_LLM`` value: the backend's name and the model's."""

    backend: str  # "none", "openai" or "ollama"
    model: str = ""

    @property
    def name(self) -> str:
        return f"{self.backend}:{self.model}" if self.model else self.backend


def parse_spec(spec: str) -> BackendSpec:
    """``"none"``/``""``, ``"openai:<model>"`` or ``"ollama:<model>"`` (a model name may hold
    colons: ``ollama:qwen2.5:7b``)."""
    spec = (spec or "").strip()
    if spec in ("", "none"):
        return BackendSpec("none")
    backend, _, model = spec.partition(":")
    if backend not in BACKENDS or not model.strip():
        raise SettingsError(
            f"unknown LLM backend '{spec}'; valid: none, openai:<model>, ollama:<model> "
            "(e.g. ollama:qwen2.5:7b)"
        )
    return BackendSpec(backend, model.strip())


def base_url(spec: BackendSpec, url: str) -> str:
    """The server's URL: the setting, or the backend's usual local address when it is empty."""
    return (url or DEFAULT_URLS.get(spec.backend, "")).rstrip("/")


def chat_model(spec: str, url: str, api_key: str, timeout: float) -> Any | None:
    """The chat model named by ``spec`` (None for ``none``). ``timeout`` bounds each HTTP read;
    the answerer also holds the whole answer to it (``answer.llm``)."""
    parsed = parse_spec(spec)
    if parsed.backend == "none":
        return None
    if parsed.backend == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise SettingsError(
                f"BUDGETQA_LLM={spec} needs the langchain-openai package: {INSTALL_HINT}"
            ) from None
        return ChatOpenAI(
            model=parsed.model,
            base_url=base_url(parsed, url),
            api_key=api_key or NO_KEY,
            timeout=timeout,
            max_retries=RETRIES,
            use_responses_api=False,  # chat completions: what every OpenAI-compatible server speaks
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
    try:
        from langchain_ollama import ChatOllama
    except ImportError:
        raise SettingsError(
            f"BUDGETQA_LLM={spec} needs the langchain-ollama package: {INSTALL_HINT}"
        ) from None
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return ChatOllama(
        model=parsed.model,
        base_url=base_url(parsed, url),
        temperature=0,
        num_predict=MAX_TOKENS,
        client_kwargs={"timeout": timeout, "headers": headers},
    )


def model_name(model: Any) -> str:
    """``backend:model`` of a chat model (for traces, the API and eval reports)."""
    name = getattr(model, "model_name", None) or getattr(model, "model", None) or "?"
    kind = type(model).__name__
    backend = {"ChatOpenAI": "openai", "ChatOllama": "ollama"}.get(kind, kind)
    return f"{backend}:{name}"
