"""Kiwi in a child process (``budgetqa ask``, ``budgetqa search``, the app): the same morphemes
and sentences as Kiwi in this process, and a failed child is replaced by Kiwi here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from budgetqa import korean
from budgetqa.kiwi_child import KiwiChild, KiwiChildError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def corpus_lines() -> list[str]:
    lines = []
    for path in sorted(CORPUS.iterdir()):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


@pytest.fixture
def child(monkeypatch: pytest.MonkeyPatch) -> Iterator[KiwiChild]:
    started = KiwiChild.start()
    assert started is not None
    monkeypatch.setattr(korean, "_child", started)
    yield started
    started.close()


def test_child_gives_the_same_morphemes_and_sentences(child: KiwiChild) -> None:
    lines = [*corpus_lines()[:150], "서울시 2023년 정보화 예산은?", "How much is Seoul's IT budget for 2023?"]
    with korean._lock:
        from_child = [korean._kiwi_call("tokenize", line) for line in lines]
        sentences_from_child = [korean._kiwi_call("sentences", line) for line in lines[:40]]
    assert korean._child is child  # every call went to the child
    local = [[(t.form, t.tag, t.start, t.len) for t in korean.kiwi().tokenize(line)] for line in lines]
    local_sentences = [[s.text for s in korean.kiwi().split_into_sents(line)] for line in lines[:40]]
    assert from_child == local
    assert sentences_from_child == local_sentences
    assert any(tag == "NNP" for tokens in from_child for _, tag, _, _ in tokens)


def test_a_dead_child_is_replaced_by_kiwi_here(child: KiwiChild) -> None:
    expected = korean.search_tokens("25개 자치구 1113억원(857건)")
    child._proc.kill()
    child._proc.wait(timeout=10)
    assert korean.search_tokens("25개 자치구 1113억원(857건)") == expected
    assert korean._child is None


def test_a_forked_copy_does_not_use_its_parents_child(child: KiwiChild) -> None:
    expected = korean.search_tokens("정보화 예산")
    child._owner = -1  # as if this process had been forked from the one that started it
    with pytest.raises(KiwiChildError, match="forked"):
        child.call("tokenize", "정보화")
    assert korean.search_tokens("정보화 예산") == expected
    assert "예산" in expected
    assert korean._child is None


def test_no_child_when_kiwi_is_already_here(monkeypatch: pytest.MonkeyPatch) -> None:
    korean.kiwi()
    monkeypatch.setattr(korean, "_child", None)
    korean.kiwi_in_child()
    assert korean._child is None
