"""Running smart cuts: the pieces side by side, the audio beside them, the join, the
checks, the mux."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from clipkit.media.cut import EncodeSettings
from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_ffmpeg
from clipkit.media.smartcut.commands import SmartCommands
from clipkit.media.smartcut.plan import SmartCutUnavailable, SmartPlan
from clipkit.media.smartcut.verify import SIDE_BY_SIDE, compare_windows, structure_problems


def smart_cut(
    source: str | Path,
    plan: SmartPlan,
    output: str | Path,
    settings: EncodeSettings | None = None,
    on_progress: ProgressCallback | None = None,
    work: Path | None = None,
) -> None:
    """Cut ``plan`` out of ``source`` into ``output`` and verify it (see :func:`smart_join`)."""
    smart_join(source, [plan], output, settings, on_progress, None, work)


def smart_join(
    source: str | Path,
    plans: Sequence[SmartPlan],
    output: str | Path,
    settings: EncodeSettings | None = None,
    on_progress: ProgressCallback | None = None,
    chapters_file: str | Path | None = None,
    work: Path | None = None,
) -> None:
    """Smart-cut every plan out of ``source`` and join them, in order, into ``output``.

    The audio is encoded all along beside the video work: the pieces side by side,
    then their join, then the verifying decodes of the joined video side by side.
    The verified video and the audio are then put together (with the chapters of
    ``chapters_file``, an ffmetadata file), and the result's packets, streams and
    lengths checked.  The pieces are written in ``work`` (an existing folder; by
    default a temporary one).  Raises :class:`SmartCutUnavailable` when anything does
    not verify (``output`` is then left for the caller to discard).
    """
    settings = settings or EncodeSettings()
    total_ms = round(sum(plan.duration for plan in plans) * 1000)

    def report(fraction: float) -> None:
        if on_progress is not None:
            on_progress(round(total_ms * fraction))

    with (
        _folder(work) as folder,
        ThreadPoolExecutor(max_workers=1) as audio_worker,
    ):
        commands = SmartCommands.build(source, plans, output, settings, folder, chapters_file)
        # The audio waits for spare CPU: the edge encodes are the critical path.
        audio = audio_worker.submit(run_ffmpeg, commands.audio, None, None, "ffmpeg (audio)", True)
        _run_side_by_side(commands.pieces, "ffmpeg (smart cut piece)")
        report(0.6)
        for path, text in commands.files.items():
            path.write_text(text, encoding="utf-8")
        run_ffmpeg(commands.join, what="ffmpeg (smart cut join)")
        problems = compare_windows(source, plans, commands.joined_video)
        report(0.8)
        audio.result()
        if not problems:
            run_ffmpeg(commands.mux, what="ffmpeg (smart cut mux)")
            problems = structure_problems(plans, output)
    if problems:
        raise SmartCutUnavailable("verification failed: " + "; ".join(problems[:3]))
    report(1.0)


@contextmanager
def _folder(work: Path | None) -> Iterator[Path]:
    if work is not None:
        yield work
        return
    with tempfile.TemporaryDirectory(prefix="clipkit-smart-") as name:
        yield Path(name)


def _run_side_by_side(commands: Sequence[Sequence[str]], what: str) -> None:
    if not commands:
        return
    with ThreadPoolExecutor(max_workers=min(len(commands), SIDE_BY_SIDE + 1)) as pool:
        for future in [pool.submit(run_ffmpeg, argv, None, None, what) for argv in commands]:
            future.result()
