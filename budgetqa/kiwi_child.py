"""Kiwi in a child process, for a fresh process that must answer soon (``budgetqa ask`` and
``search``, the app).

Kiwi takes about 2 s of CPU to load and build (model load, then its first analysis), and it
holds the GIL all that time, so a thread cannot overlap it with the imports and the store open
of a fresh process. A child process can: ``KiwiChild.start()`` runs ``python -m
budgetqa.kiwi_child``, which builds Kiwi exactly as ``budgetqa.korean.kiwi`` does while the
parent goes on, then answers requests over its stdin/stdout (length-prefixed ``marshal``
data: plain tuples and strings, several times faster to pass than pickled objects). The
child exits when the parent closes the pipe or exits.

Requests: ("tokenize", text) -> list of (form, tag, start, len); ("sentences", text) -> list of str.
A failed child raises ``KiwiChildError``, and the caller goes back to Kiwi in its own process,
which gives the same results.
"""

from __future__ import annotations

import marshal
import os
import struct
import subprocess
import sys
from typing import IO, Any

_HEADER = struct.Struct("<I")


class KiwiChildError(RuntimeError):
    pass


def _write(stream: IO[bytes], value: Any) -> None:
    data = marshal.dumps(value)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


class KiwiChild:
    """The parent's end: one request at a time (``budgetqa.korean`` calls it under its lock)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc
        self._owner = os.getpid()  # a forked copy of the parent must not share the pipes

    @classmethod
    def start(cls) -> KiwiChild | None:
        """The child, started (it builds Kiwi in the background), or None if it cannot start."""
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "budgetqa.kiwi_child"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        return cls(proc)

    def call(self, op: str, text: str) -> Any:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if os.getpid() != self._owner:
            raise KiwiChildError("the Kiwi child process belongs to the process this one was forked from")
        try:
            _write(self._proc.stdin, (op, text))
            status, value = _read(self._proc.stdout)
        except (OSError, EOFError, ValueError, TypeError) as exc:
            self.close()
            raise KiwiChildError(f"the Kiwi child process failed ({exc!r})") from None
        if status != "ok":
            raise KiwiChildError(str(value))
        return value

    def close(self) -> None:
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._proc.kill()


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The child's loop: build Kiwi first (before the first request arrives), then answer."""
    from budgetqa import korean

    try:
        korean.kiwi().tokenize("가")  # the first analysis builds Kiwi's tables
    except Exception as exc:  # the parent will see it on its first request
        failure: str | None = f"Kiwi failed to load in the child process: {exc}"
    else:
        failure = None
    while True:
        try:
            op, text = _read(requests)
        except EOFError:
            return
        if failure:
            _write(replies, ("error", failure))
        elif op == "tokenize":
            _write(replies, ("ok", [(t.form, t.tag, t.start, t.len) for t in korean.kiwi().tokenize(text)]))
        elif op == "sentences":
            _write(replies, ("ok", [s.text for s in korean.kiwi().split_into_sents(text)]))
        else:
            _write(replies, ("error", f"unknown request {op!r}"))


if __name__ == "__main__":
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing printed by accident can break the replies
    serve(sys.stdin.buffer, replies)
