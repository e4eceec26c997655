"""Run ffmpeg/ffprobe: stream progress, keep the end of stderr, leave no partial output."""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from clipkit.errors import FFmpegError, FFmpegInterrupted
from clipkit.media.progress import ProgressCallback, ProgressParser

STDERR_TAIL_LINES = 20
BACKGROUND_NICENESS = 10


def format_command(argv: Sequence[str]) -> str:
    return shlex.join(list(argv))


def run_ffmpeg(
    argv: Sequence[str],
    on_progress: ProgressCallback | None = None,
    total_ms: int | None = None,
    what: str = "ffmpeg",
    background: bool = False,
) -> str:
    """Run an ffmpeg command line; return its stderr.

    When ``on_progress`` is given, ``-progress pipe:1 -nostats`` is added so that
    ffmpeg reports its position on stdout.  A non-zero exit raises
    :class:`FFmpegError` with the command and the tail of stderr; Ctrl-C stops
    ffmpeg before re-raising.  A ``background`` run gets the CPU only when the
    others leave it idle (a lower scheduling priority).
    """
    argv = list(argv)
    if on_progress is not None:
        argv = [argv[0], "-progress", "pipe:1", "-nostats", *argv[1:]]
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except FileNotFoundError as exc:
        raise FFmpegError(f"{argv[0]} is not installed (or not on PATH)", argv) from exc
    if background and hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):  # it may already have finished
            os.setpriority(os.PRIO_PROCESS, process.pid, BACKGROUND_NICENESS)
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    collected: list[str] = []

    def drain_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            tail.append(line.rstrip("\n"))
            collected.append(line)

    reader = threading.Thread(target=drain_stderr, daemon=True)
    reader.start()
    try:
        parser = ProgressParser(on_progress, total_ms) if on_progress is not None else None
        assert process.stdout is not None
        for line in process.stdout:
            if parser is not None:
                parser.feed(line)
        returncode = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        reader.join(timeout=5)
    if returncode != 0:
        stderr_tail = "\n".join(line for line in tail if line)
        if returncode < 0 or "received signal" in stderr_tail:
            raise FFmpegInterrupted(f"{what} was stopped by a signal", argv, stderr_tail)
        raise FFmpegError(f"{what} failed (exit {returncode})", argv, stderr_tail)
    return "".join(collected)


def run_capture(argv: Sequence[str], what: str) -> str:
    """Run a short command (ffprobe) and return its stdout."""
    return run_capture_both(argv, what)[0]


def run_capture_both(argv: Sequence[str], what: str) -> tuple[str, str]:
    """Run a short command and return its stdout and stderr; a non-zero exit raises."""
    argv = list(argv)
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace"
        )
    except FileNotFoundError as exc:
        raise FFmpegError(f"{argv[0]} is not installed (or not on PATH)", argv) from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise FFmpegError(f"{what} failed (exit {done.returncode})", argv, tail)
    return done.stdout, done.stderr


def partial_path(final: Path) -> Path:
    """A hidden name next to ``final`` keeping its extension (ffmpeg picks the muxer by it)."""
    return final.with_name(f".{final.stem}.partial-{os.getpid()}{final.suffix}")


@contextlib.contextmanager
def atomic_outputs(*finals: Path) -> Iterator[list[Path]]:
    """Yield temporary paths for ``finals``; move them into place only if the block succeeds.

    On any exception (ffmpeg failure, Ctrl-C) the temporary files are removed and
    nothing appears under the final names.
    """
    temps = [partial_path(final) for final in finals]
    try:
        yield temps
        for temp, final in zip(temps, finals, strict=True):
            if temp.exists():
                os.replace(temp, final)
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
