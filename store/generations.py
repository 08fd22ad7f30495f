"""Store generations: every write makes a new copy of the store; a pointer file names the current one.

    <data>/CURRENT                {"generation": 7, "folder": "gen-7-3fa2c1"}  (temp file + rename: atomic)
    <data>/gen-7-3fa2c1/chroma    the Chroma files of generation 7
    <data>/gen-7-3fa2c1/bm25      its BM25 index
    <data>/write.lock      held (flock) by the one writer at a time

A writer (``budgetqa ingest``, the app's first-start ingest) takes the lock, copies the current
generation into a new folder, writes there, closes it and only then replaces CURRENT. Readers
(the app, other commands, other workers on the same disk) keep answering from the generation
they opened and switch when they see ``stamp()`` change, so a question is answered from the old
or the new state, never from a half-written one. An ingest killed half way leaves a folder that
CURRENT never named; the next writer deletes it. The generation before the current one is kept
for readers still on it; older ones are deleted.

Generation 0 is the layout from before generations (``<data>/chroma``, ``<data>/bm25``): a store
from an earlier version is read as it is, and its first new ingest copies it into ``gen-1``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from budgetqa.errors import StoreError

POINTER = "CURRENT"
LOCK = "write.lock"
FOLDER = re.compile(r"^gen-(\d+)-[0-9a-f]+$")  # the random part: a folder name is never reused


@dataclass(frozen=True)
class Generation:
    number: int
    folder: Path

    @property
    def chroma_dir(self) -> Path:
        return self.folder / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.folder / "bm25"


def stamp(data_dir: Path) -> str:
    """A cheap fingerprint of what ``current()`` would open: the pointer's content and the data
    folder's inode (so that a deleted and recreated folder counts as a change)."""
    try:
        inode = os.stat(data_dir).st_ino
    except OSError:
        return "missing"
    try:
        return f"{inode}:{(data_dir / POINTER).read_text(encoding='utf-8').strip()}"
    except OSError:
        return f"{inode}:"


def current(data_dir: Path) -> Generation:
    """The generation that readers should open."""
    pointer = data_dir / POINTER
    try:
        saved = json.loads(pointer.read_text(encoding="utf-8"))
        number, name = int(saved["generation"]), str(saved["folder"])
        if not FOLDER.match(name):
            raise ValueError(name)
    except FileNotFoundError:
        return Generation(0, data_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        done = _complete(data_dir)
        if not done:
            raise StoreError(
                f"{pointer} is unreadable ({type(exc).__name__}) and no complete store generation "
                "is left; run 'budgetqa ingest --rebuild'"
            ) from None
        print(
            f"budgetqa: warning: {pointer} is unreadable; using the newest complete store ({done[-1].folder.name})",
            file=sys.stderr,
        )
        return done[-1]
    folder = data_dir / name
    if not folder.is_dir():
        raise StoreError(f"{pointer} names {folder.name}, which is missing; run 'budgetqa ingest --rebuild'")
    return Generation(number, folder)


def _all(data_dir: Path) -> list[Generation]:
    found = []
    with contextlib.suppress(OSError):
        for child in data_dir.iterdir():
            match = FOLDER.match(child.name)
            if match and child.is_dir():
                found.append(Generation(int(match.group(1)), child))
    return sorted(found, key=lambda g: g.number)


def _complete(data_dir: Path) -> list[Generation]:
    return [g for g in _all(data_dir) if (g.folder / "COMPLETE").exists()]


class Writer:
    """One write to a local store: ``with Writer(data_dir) as gen: ...; writer.commit()``.

    Entering takes the write lock (waiting for another writer, with a message) and prepares the
    new generation's folder: a copy of the current one, or empty when ``empty`` (a rebuild).
    ``commit()`` makes it current. Leaving without a commit deletes the folder: the store stays
    as it was.
    """

    def __init__(self, data_dir: Path, empty: bool = False) -> None:
        self.data_dir = data_dir
        self.empty = empty
        self.generation: Generation | None = None
        self._lock: IO[str] | None = None
        self._committed = False

    def __enter__(self) -> Generation:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = open(self.data_dir / LOCK, "a+")  # held until __exit__
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("budgetqa: waiting for another ingest into this store to finish ...", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        self._lock = lock
        try:
            base = current(self.data_dir) if not self.empty else None
        except StoreError:
            if not self.empty:
                self._release()
                raise
            base = None
        known = [g.number for g in _all(self.data_dir)]
        number = max([*known, base.number if base else 0]) + 1
        new = Generation(number, self.data_dir / f"gen-{number}-{secrets.token_hex(3)}")
        try:
            new.folder.mkdir()
            if base is not None and base.chroma_dir.is_dir():
                shutil.copytree(base.chroma_dir, new.chroma_dir)
        except OSError as exc:
            shutil.rmtree(new.folder, ignore_errors=True)
            self._release()
            raise StoreError(f"cannot prepare a new store generation in {self.data_dir}: {exc}") from None
        self.generation = new
        return new

    def commit(self) -> None:
        """Make the new generation current (atomically), then delete what no reader needs."""
        assert self.generation is not None
        (self.generation.folder / "COMPLETE").write_text("")
        tmp = self.data_dir / f"{POINTER}.tmp"
        body = json.dumps({"generation": self.generation.number, "folder": self.generation.folder.name})
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(body)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.data_dir / POINTER)
        self._committed = True
        self._prune()

    def _prune(self) -> None:
        """Keep the new generation and the one before it (readers may still be on it)."""
        assert self.generation is not None
        kept = [g for g in _complete(self.data_dir) if g.number < self.generation.number][-1:]
        for gen in _all(self.data_dir):
            if gen.number != self.generation.number and gen not in kept:
                shutil.rmtree(gen.folder, ignore_errors=True)
        if kept:  # the layout from before generations is no longer anybody's
            for legacy in ("chroma", "bm25"):
                shutil.rmtree(self.data_dir / legacy, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        if not self._committed and self.generation is not None:
            shutil.rmtree(self.generation.folder, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None
