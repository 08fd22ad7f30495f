"""Lines of a document that address the assistant instead of informing a reader.

"SYSTEM: ...", "ignore previous instructions", "너는 이제 ...", chat-template tokens: a budget
document has no reason to speak to a language model, so such a line is a planted instruction.
It is kept as text (a passage still reads as the page did) but marked: the passage's metadata
counts its flagged lines, ``budgetqa docs`` and the staff tab list them, and the answerer never
takes a flagged line as evidence. The patterns are deliberately few and specific; a figure
planted without such a line is caught by comparing sources (see ``answer.extractive``).
"""

from __future__ import annotations

import re

from budgetqa.korean import split_sentences

ADDRESSING = re.compile(
    r"""
    ^\W{0,3}(?:system|assistant|developer|user|시스템)\s*(?:prompt|message)?\s*[:：>]   # SYSTEM: / Assistant:
    | <\|?\s*(?:im_start|im_end|system|endoftext)\s*\|?>                          # chat-template tokens
    | \[\s*/?\s*(?:INST|SYS)\s*\]
    | \b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:previous|prior|above|all|earlier|system)\b
      [^.\n]{0,20}\b(?:instructions?|prompts?|rules?|messages?)\b
    | \byou\s+are\s+now\b | \bact\s+as\s+(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model)\b
    | \b(?:as\s+an?\s+)?(?:ai|llm|language\s+model|chatbot|assistant)\s*,?\s+(?:you\s+must|must|should)\b
    | (?:이전|앞의|위의|기존|모든|상기)\s*(?:의\s*)?(?:지시|지침|명령|규칙|프롬프트)\S*\s*(?:을|를|은|는)?\s*(?:모두\s*)?(?:무시|잊)
    | 너는\s*이제 | 당신은\s*이제 | 지금부터\s*(?:너|당신)는
    | (?:시스템\s*프롬프트|어시스턴트|챗봇)\s*(?:에게|은|는)?\s*[:：]
    | (?:라고|다고)\s*(?:답하라|답해라|답변하라|대답하라|답하시오|말하라)
    | \b(?:answer|reply|respond|say)\s+(?:that|with)\b[^.\n]{0,80}\b(?:whatever|regardless|always)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def addresses_assistant(line: str) -> bool:
    """Whether a line speaks to the assistant (a planted instruction)."""
    return bool(ADDRESSING.search(line.strip()))


def flagged_lines(text: str) -> list[str]:
    """The lines of ``text`` that address the assistant."""
    return [line.strip() for line in text.splitlines() if line.strip() and addresses_assistant(line)]


def flagged_in(passage: str, planted: list[str]) -> int:
    """How many planted lines a passage holds: document lines (``planted``) that address the
    assistant and overlap the passage, or sentences of the passage that do."""
    head = passage[:40]
    from_lines = sum(1 for line in planted if line[:40] in passage or head in line)
    return from_lines or sum(1 for s in split_sentences(passage) if addresses_assistant(s))
