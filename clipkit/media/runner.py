"""Run ffmpeg/ffprobe: stream progress, keep the end of stderr.

Outputs are written under temporary names by :func:`clipkit.fileio.atomic_outputs`.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Sequence

from clipkit.errors import OS_ERROR_TEXT, FFmpegError, FFmpegInterrupted, MissingToolError
from clipkit.media.progress import ProgressCallback, ProgressParser

STDERR_TAIL_LINES = 20
BACKGROUND_NICENESS = 10


def format_command(argv: Sequence[str]) -> str:
    """``argv`` as one shell line, quoted so that it runs as it is."""
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
    except OSError as exc:
        raise _cannot_start(argv, exc) from exc
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
        # the line that says why (e.g. a full disk) can be long before the summaries at the end
        causes = [line.rstrip("\n") for line in collected if OS_ERROR_TEXT.search(line)][:1]
        causes = [line for line in causes if line not in tail]
        stderr_tail = "\n".join(line for line in [*causes, *tail] if line)
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
    except OSError as exc:
        raise _cannot_start(argv, exc) from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise FFmpegError(f"{what} failed (exit {done.returncode})", argv, tail)
    return done.stdout, done.stderr


INSTALL_HINT = "install it with `sudo apt-get install ffmpeg`"


def _cannot_start(argv: Sequence[str], exc: OSError) -> MissingToolError:
    """Why a program could not be started: not installed, or not runnable (one line)."""
    program = argv[0]
    if isinstance(exc, FileNotFoundError):
        missing = f"{program} is not installed (or not on PATH): {INSTALL_HINT}"
        return MissingToolError(missing, argv)
    found = shutil.which(program, mode=os.F_OK) or program
    reason = "not executable" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
    return MissingToolError(f"{program} cannot be run ({found}: {reason})", argv)
