"""``clipkit convert INPUT --audio MEDIA``: one transcript, its words timed from the speech.

Imported only when ``--audio`` is given (alignment loads PocketSphinx).  The conversion is
:func:`clipkit.align.captions.convert_with_audio`; this module shows its progress on a bar
and says on stderr how much of the talk was aligned.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.align.captions import convert_with_audio
from clipkit.batch import BatchOptions, expand_inputs, plan_jobs
from clipkit.cli.grammar import report_done, shows_progress
from clipkit.errors import ClipkitError, OutputError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.model import Transcript
from clipkit.readers import read_input
from clipkit.writers import EXTENSIONS

STDIO = "-"
STAGES = {"reading audio": "reading the audio", "aligning": "aligning words"}


def run_with_audio(args: argparse.Namespace, options: BatchOptions) -> int:
    """Convert the single input with its words aligned to ``args.audio``; the exit status."""
    if len(args.inputs) != 1 or args.dry_run:
        what = "--dry-run" if args.dry_run else "several inputs"
        return _usage(f"--audio takes a single input file, not {what}")
    source: str = args.inputs[0]
    media = Path(args.audio)
    try:
        output = _output_for(source, args.output, options)
        if output != STDIO:
            ensure_not_input(output, [media] if source == STDIO else [source, media])
        data = read_input(sys.stdin.buffer, "<stdin>") if source == STDIO else read_input(source)
        name = "<stdin>" if source == STDIO else source
        read: list[Transcript] = []
        with AlignProgressBar(shows_progress(args)) as bar:
            done = convert_with_audio(
                data,
                name,
                media,
                options.format,
                options.style,
                options.write,
                options.from_format,
                read.append,
                on_progress=bar.update,
                jobs=args.jobs,
            )
    except ClipkitError as exc:
        print(exc, file=sys.stderr)
        return 1
    for transcript in read:
        for warning in transcript.warnings:
            print(warning, file=sys.stderr)
    if output == STDIO:
        sys.stdout.buffer.write(done.data)
        sys.stdout.buffer.flush()
    else:
        try:
            atomic_write_bytes(output, done.data)
        except ClipkitError as exc:
            print(exc, file=sys.stderr)
            return 1
    report_done(args, f"{name}: {done.result.report.summary()}")
    if output != STDIO:
        report_done(args, f"converted {name} to {output}")
    return 0


def _output_for(source: str, output: str | None, options: BatchOptions) -> str:
    """Where the output goes: ``-o``, else where the batch would put it (beside the input,
    or into ``-d``), else stdout for stdin."""
    if output is not None:
        return output
    if source == STDIO:
        return STDIO
    found = expand_inputs([source], EXTENSIONS[options.format])
    plan = plan_jobs(found.files, options) if found.files else None
    problems = found.problems + (plan.problems if plan else [])
    if problems or plan is None or len(plan.jobs) != 1:
        raise OutputError(problems[0] if problems else f"{source}: not a single caption file")
    return str(plan.jobs[0].output)


class AlignProgressBar:
    """One bar on stderr for the stages of aligning (reading the audio, aligning words),
    in seconds of media; nothing when progress is not wanted or stderr is no terminal."""

    def __init__(self, wanted: bool) -> None:
        self._wanted = wanted and sys.stderr.isatty()
        self._bar: tqdm[Any] | None = None
        self._stage = ""

    def __enter__(self) -> AlignProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()

    def update(self, stage: str, done_ms: int, total_ms: int) -> None:
        if not self._wanted:
            return
        if stage != self._stage or self._bar is None:
            if self._bar is not None:
                self._bar.close()
            self._stage = stage
            bar: tqdm[Any] = tqdm(
                total=round(total_ms / 1000, 1),
                unit="s",
                desc=STAGES.get(stage, stage),
                file=sys.stderr,
                leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s "
                "[{elapsed}<{remaining}]",
            )
            self._bar = bar
        self._bar.n = round(min(done_ms, total_ms) / 1000, 1)
        self._bar.refresh()


def _usage(message: str) -> int:
    print(f"clipkit convert: error: {message}", file=sys.stderr)
    return 2


__all__ = ["AlignProgressBar", "run_with_audio"]
