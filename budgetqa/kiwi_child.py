"""Kiwi in a child process, for a fresh process that must answer soon (``budgetqa ask`` and
``search``, the app).

Kiwi takes about 2 s of CPU to load and build (model load, then its first analysis), and it
holds the GIL all that time, so a thread cannot overlap it with the imports and the store open
of a fresh process. A child process can: ``KiwiChild.start()`` runs ``python -m
budgetqa.kiwi_child``, which builds Kiwi exactly as ``budgetqa.korean.kiwi`` does while the
parent goes on, then answers requests over its stdin/stdout (length-prefixed ``marshal``
data: plain tuples and strings, several times faster to pass than pickled objects). Once Kiwi
is built, the child exits when the parent closes the pipe or exits; it ignores Ctrl-C, which
the terminal sends to both.

Requests: ("tokenize", text) -> list of (form, tag, start, len); ("sentences", text) -> list of str.
A child that fails, answers with an error, sends something unreadable or takes longer than
``REPLY_S`` is closed and ``KiwiChildError`` raised; the caller then goes back to Kiwi in its
own process, which gives the same results.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import select
import signal
import struct
import subprocess
import sys
import time
from typing import IO, Any

_HEADER = struct.Struct("<I")
MAX_MESSAGE = 256 * 1024 * 1024  # a longer length is a broken pipe, not a message
REPLY_S = 60.0  # the longest wait for a reply, Kiwi's load in the child included


class KiwiChildError(RuntimeError):
    pass


def _write(stream: IO[bytes], value: Any) -> None:
    data = marshal.dumps(value)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    """One message from a blocking stream (the child's side)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return marshal.loads(data)


def _read_fd(fd: int, deadline: float) -> Any:
    """One message from the file descriptor ``fd``, or an error once ``deadline`` passes."""

    def exactly(n: int) -> bytes:
        chunks: list[bytes] = []
        while n:
            if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError("no reply in time")
            chunk = os.read(fd, n)
            if not chunk:
                raise EOFError("the child process closed its end")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    (size,) = _HEADER.unpack(exactly(_HEADER.size))
    if size > MAX_MESSAGE:
        raise ValueError(f"a reply of {size} bytes")
    return marshal.loads(exactly(size))


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
            status, value = _read_fd(self._proc.stdout.fileno(), time.monotonic() + REPLY_S)
        except (OSError, EOFError, ValueError, TypeError) as exc:  # TimeoutError is an OSError
            self.close()
            raise KiwiChildError(f"the Kiwi child process failed ({exc!r})") from None
        except BaseException:  # (Ctrl-C, out of memory) a reply left unread would answer the next call
            self.close()
            raise
        if status != "ok":
            self.close()
            raise KiwiChildError(str(value))
        return value

    def close(self) -> None:
        for stream in (self._proc.stdin, self._proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self._proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)


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
            continue
        try:
            reply = ("ok", korean.kiwi_here(op, text))
        except ValueError as exc:  # an unknown request
            reply = ("error", str(exc))
        _write(replies, reply)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent; end of input ends this
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nothing else written to fd 1 reaches the parent
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, replies)
