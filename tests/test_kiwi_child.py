"""Kiwi in a child process (``budgetqa ask``, ``budgetqa search``, the app): the same morphemes
and sentences as Kiwi in this process, and a failed, stuck or forked-over child is replaced by
Kiwi here with the same results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from budgetqa import kiwi_child, korean
from budgetqa.kiwi_child import KiwiChild, KiwiChildError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


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
    korean._search_tokens.cache_clear()  # tokens come from the child, not from earlier tests
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
    korean._search_tokens.cache_clear()  # the next call asks Kiwi again
    child._proc.kill()
    child._proc.wait(timeout=10)
    assert korean.search_tokens("25개 자치구 1113억원(857건)") == expected
    assert "1113억" in expected
    assert korean._child is None


def test_a_stuck_child_is_given_up_after_the_reply_time(
    child: KiwiChild, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = korean.search_tokens("정보화 예산")
    korean._search_tokens.cache_clear()  # the next call asks Kiwi again
    monkeypatch.setattr(kiwi_child, "REPLY_S", 0.5)
    os.kill(child._proc.pid, signal.SIGSTOP)
    assert korean.search_tokens("정보화 예산") == expected
    assert korean._child is None
    assert child._proc.poll() is not None  # closed, not left stopped


def test_an_error_reply_closes_the_child(child: KiwiChild) -> None:
    with pytest.raises(KiwiChildError, match="unknown request"):
        child.call("translate", "정보화")
    assert child._proc.poll() is not None


SCRIPT = """
import json, os, sys
from budgetqa import korean
korean.kiwi_in_child()
out = {"child": korean._child is not None, "tokens": korean.search_tokens("서울시 정보화 예산 3703억원"),
       "kiwi_here": korean.kiwi.cache_info().currsize}
if sys.argv[1] == "fork":
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked copy: its parent's child is not its own
        os.write(write, json.dumps([korean.search_tokens("정보화 예산"), korean._child is None]).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    out["forked"] = json.loads(os.read(read, 65536))
    out["parent_after_fork"] = [korean.search_tokens("정보화 예산"), korean._child is not None]
print(json.dumps(out))
"""


def run_script(mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_fresh_process_gets_its_tokens_from_the_child() -> None:
    out = run_script("plain")
    assert out["child"] is True
    assert out["kiwi_here"] == 0  # Kiwi was never loaded in the process itself
    assert out["tokens"] == korean.search_tokens("서울시 정보화 예산 3703억원")


def test_a_forked_copy_uses_kiwi_of_its_own_and_leaves_the_child_to_its_parent() -> None:
    out = run_script("fork")
    expected = korean.search_tokens("정보화 예산")
    assert out["forked"] == [expected, True]
    assert out["parent_after_fork"] == [expected, True]


def test_no_child_when_kiwi_is_already_here(monkeypatch: pytest.MonkeyPatch) -> None:
    korean.kiwi()
    monkeypatch.setattr(korean, "_child", None)
    korean.kiwi_in_child()
    assert korean._child is None
