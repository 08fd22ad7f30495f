"""Prompts and answer templates are files in ``prompts/``, rendered strictly.

``render(name, **values)`` fails with ``PromptError`` on a missing or unused variable, so a
template and the code that fills it cannot drift apart silently. Values are inserted as text:
nothing in a value is interpreted as a template again.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache, lru_cache
from typing import Any

from budgetqa.errors import BudgetQAError
from budgetqa.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"


class PromptError(BudgetQAError):
    """A prompt template is missing or was rendered with the wrong variables."""


@cache
def template(name: str) -> str:
    """A prompt file (``condense``, ``answer``) or a phrase from answers.toml (``ko.money``)."""
    if "." in name:
        lang, key = name.split(".", 1)
        try:
            return str(_phrases()[lang][key])
        except KeyError:
            raise PromptError(f"no answer template '{name}' in prompts/answers.toml") from None
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise PromptError(f"prompt file {path} is missing") from None


@lru_cache(maxsize=1)
def _phrases() -> dict[str, Any]:
    with open(PROMPTS_DIR / "answers.toml", "rb") as fh:
        return tomllib.load(fh)


def fields_of(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def render(name: str, **values: Any) -> str:
    text = template(name)
    wanted = fields_of(text)
    missing, unused = wanted - values.keys(), values.keys() - wanted
    if missing or unused:
        raise PromptError(
            f"template '{name}': missing {sorted(missing) or '-'}, unexpected {sorted(unused) or '-'}"
        )
    return text.format(**{k: str(v) for k, v in values.items()})


def all_templates() -> list[str]:
    """Every template name (for the test that renders them all)."""
    names = [p.stem for p in PROMPTS_DIR.glob("*.txt")]
    names += [f"{lang}.{key}" for lang, table in _phrases().items() for key in table]
    return sorted(names)
