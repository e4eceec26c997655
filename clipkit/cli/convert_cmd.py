"""``clipkit convert``: caption files in, proper captions out, one file or a whole batch."""

from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tqdm import tqdm

from clipkit.cli.caption_options import (
    add_file_arguments,
    add_policy_arguments,
    style_from_args,
    write_options_from_args,
)
from clipkit.convert import convert_bytes, convert_file, format_for_path, how_taken
from clipkit.errors import ClipkitError, StyleError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.model import Transcript
from clipkit.readers import MAX_INPUT_BYTES, READERS, read_bytes, read_input
from clipkit.style import CaptionStyle
from clipkit.writers import EXTENSIONS, WRITERS, WriteOptions

#: What a folder given as input is searched for (not recursively).
CAPTION_SUFFIXES = (".md", ".txt", ".vtt", ".srt", ".json3", ".json")
#: Marks a file clipkit wrote beside an input of the same name; folders skip such files.
OUTPUT_INFIX = ".clipkit"
STDIO = "-"

_MAX_MB = MAX_INPUT_BYTES // 1_000_000
EXAMPLES = f"""\
examples:
  clipkit convert talk.md                      writes talk.srt beside talk.md
  clipkit convert talk.en.vtt --to vtt         writes talk.en.clipkit.vtt (never the input)
  clipkit convert talk.md -o captions/talk.vtt format taken from the extension
  clipkit convert downloads/ --out-dir subs/ --jobs 0
                                               every caption file in a folder, on all cores
  clipkit convert 'talks/**/*.json3' --to txt  a glob (quote it), as paragraphs of text
  curl -s https://example.org/talk.en.vtt | clipkit convert - > talk.srt
                                               '-' reads stdin and writes stdout
  clipkit convert talk.md --max-chars 32 --max-lines 1 --speaker-marker chevrons
  clipkit convert subs.srt --to vtt -v         an authored file: the same cues as WebVTT
  clipkit convert subs.srt --resegment         an authored file laid out again by the policy
  clipkit convert downloads/ --dry-run         how each file would be taken; writes nothing

authored and automatic captions:
  An SRT/VTT file is automatic when its cues roll (a cue types a line under a repeat of
  the line above: rolling captions converted by yt-dlp) or when at least half of them are
  one line still on screen 0.2 s after the next starts (YouTube's own auto SRT); these,
  like every other input, are rebuilt under the caption policy.  Any other SRT/VTT was
  written by someone: its cues are kept as written (text, line breaks, times), only put on
  the frames of --fps, overlaps trimmed to --min-gap-frames and cues under --min-duration
  lengthened where there is room.  --resegment rebuilds them too.  -v and --dry-run say
  which way each file was taken.

output names:
  Without -o, each output goes beside its input (or into --out-dir) with the extension of
  the format: talk.md -> talk.srt.  When that name is an input itself (talk.srt --to srt,
  or a folder holding both talk.md and talk.srt), the output is talk.clipkit.srt instead:
  inputs are never overwritten.  Folders skip files named *.clipkit.* and, for the chosen
  format, files that look like an earlier output of another file there (talk.srt beside
  talk.md when converting to srt).  Outputs are written atomically: after an error or
  Ctrl-C there is either the old file or the whole new one, never half of one.

limits:
  An input larger than {_MAX_MB} MB is refused (no caption file is that big), and so is
  a time past 99:59:59.999.  Warnings (a line in another encoding, a broken character)
  are printed as path:line: warning: ... and do not fail the conversion.

exit status: 0 all converted, 1 some file failed (one line each on stderr:
  path:line: what is wrong), 2 usage error, 130 interrupted.
"""


@dataclass(frozen=True, slots=True)
class Job:
    source: str  # a path, or "-" for stdin
    output: str  # a path, or "-" for stdout


@dataclass(frozen=True, slots=True)
class Settings:
    to: str
    style: CaptionStyle
    options: WriteOptions
    from_format: str | None
    dry_run: bool = False


class Outcome(NamedTuple):
    """How one input went: the error line if it failed, else which way it was taken; and
    what reading it worked around (warnings, shown either way)."""

    error: str | None
    how: str | None = None
    warnings: tuple[str, ...] = ()


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "convert",
        help="rebuild captions from rolling YouTube captions or transcripts",
        description="Rebuild proper pop-on captions (every word once, in order, timed to\n"
        "the speech) from YouTube rolling auto-captions (VTT, json3), markdown\n"
        "transcripts or SRT/WebVTT files, and write them as SRT, WebVTT, JSON or text.\n"
        "Captions someone wrote (an ordinary SRT/VTT) keep their cues as written.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="caption files, folders (their .md .txt .vtt .srt .json3 .json files), "
        "globs, or '-' for stdin",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "-o", "--output", metavar="OUT", help="output file for a single input ('-' for stdout)"
    )
    where.add_argument("--out-dir", metavar="DIR", type=Path, help="write all outputs here")
    parser.add_argument(
        "--to",
        choices=list(WRITERS),
        help="output format (default: from the -o extension, else vtt for --mode words, else srt)",
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        choices=list(READERS),
        help="input format, when detecting it from the content is not wanted",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="convert N files at once (default 1; 0 = one per CPU core)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="name each file written and say how its input was taken (authored cues kept "
        "as written, or rebuilt, and why)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read every input and print where its output would go and how the input is "
        "taken; write nothing",
    )

    add_policy_arguments(parser)
    add_file_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        style = style_from_args(args)
    except StyleError as exc:
        print(f"clipkit convert: error: {exc}", file=sys.stderr)
        return 2
    to = args.to or (args.output and format_for_path(args.output))
    to = to or ("vtt" if style.mode == "words" else "srt")
    settings = Settings(
        to=to,
        style=style,
        options=write_options_from_args(args),
        from_format=args.from_format,
        dry_run=args.dry_run,
    )
    if args.jobs < 0:
        print("clipkit convert: error: --jobs must be 0 or more", file=sys.stderr)
        return 2

    inputs, failures = expand_inputs(args.inputs, EXTENSIONS[to])
    if args.output is not None and len(inputs) + len(failures) != 1:
        print(
            "clipkit convert: error: -o takes a single input; use --out-dir for several",
            file=sys.stderr,
        )
        return 2
    jobs, unplaced = plan_jobs(inputs, EXTENSIONS[to], args.output, args.out_dir)
    failures += unplaced
    for message in failures:
        print(message, file=sys.stderr)

    if args.out_dir is not None and not args.dry_run:
        try:
            args.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"{args.out_dir}: cannot create folder: {exc.strerror}", file=sys.stderr)
            return 1

    workers = min(args.jobs or os.cpu_count() or 1, len(jobs)) or 1
    show_bar = len(jobs) > 1 and not args.quiet and sys.stderr.isatty()
    failed = len(failures) + run_jobs(jobs, settings, workers, show_bar, args.verbose)
    total = len(jobs) + len(failures)
    if failed and total > 1:
        print(f"clipkit convert: {failed} of {total} inputs failed", file=sys.stderr)
    return 1 if failed else 0


def expand_inputs(patterns: Iterable[str], output_suffix: str) -> tuple[list[str], list[str]]:
    """Files to convert, and one error line for each pattern that names nothing."""
    found: list[str] = []
    errors: list[str] = []
    for pattern in patterns:
        path = Path(pattern)
        if pattern == STDIO:
            found.append(STDIO)
        elif path.is_dir():
            files = _caption_files_in(path, output_suffix)
            if not files:
                errors.append(f"{pattern}: no caption files in this folder")
            found += files
        elif path.exists():
            found.append(pattern)
        elif glob.has_magic(pattern):
            matches = sorted(m for m in glob.glob(pattern, recursive=True) if Path(m).is_file())
            if not matches:
                errors.append(f"{pattern}: no files match")
            found += matches
        else:
            errors.append(f"{pattern}: no such file or folder")
    unique: list[str] = []
    seen: set[str] = set()
    for name in found:
        key = name if name == STDIO else str(Path(name).resolve())
        if key not in seen:
            seen.add(key)
            unique.append(name)
    return unique, errors


def _caption_files_in(folder: Path, output_suffix: str) -> list[str]:
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in CAPTION_SUFFIXES
        and not p.name.startswith(".")
        and OUTPUT_INFIX + "." not in p.name
    )
    other_stems = {p.stem for p in files if p.suffix.lower() != output_suffix}
    return [
        str(p) for p in files if not (p.suffix.lower() == output_suffix and p.stem in other_stems)
    ]


def plan_jobs(
    inputs: Sequence[str], suffix: str, output: str | None, out_dir: Path | None
) -> tuple[list[Job], list[str]]:
    """Pair every input with where its output goes; an error line for those that cannot be."""
    if output is not None:
        if output != STDIO and inputs and inputs[0] != STDIO:
            try:
                ensure_not_input(output, inputs)
            except ClipkitError as exc:
                return [], [str(exc)]
        return [Job(source, output) for source in inputs], []

    jobs: list[Job] = []
    errors: list[str] = []
    taken = {str(Path(source).resolve()) for source in inputs if source != STDIO}
    for source in inputs:
        if source == STDIO:
            jobs.append(Job(STDIO, STDIO))
            continue
        path = Path(source)
        folder = out_dir if out_dir is not None else path.parent
        candidates = (
            folder / f"{path.stem}{suffix}",
            folder / f"{path.stem}{OUTPUT_INFIX}{suffix}",
            folder / f"{path.name}{OUTPUT_INFIX}{suffix}",
        )
        for candidate in candidates:
            key = str(candidate.resolve())
            if key not in taken:
                taken.add(key)
                jobs.append(Job(source, str(candidate)))
                break
        else:
            errors.append(f"{source}: no output name left that is not an input or another output")
    return jobs, errors


def convert_one(job: Job, settings: Settings) -> Outcome:
    """Convert one file (with ``dry_run``, only read it): how it went."""
    read: list[Transcript] = []
    try:
        if settings.dry_run:
            read.append(read_bytes(*_input_of(job), settings.from_format))
        elif job.source == STDIO or job.output == STDIO:
            _convert_stdio(job, settings, read.append)
        else:
            convert_file(
                job.source,
                job.output,
                settings.to,
                settings.style,
                settings.options,
                settings.from_format,
                read.append,
            )
    except ClipkitError as exc:
        return Outcome(str(exc), warnings=_warnings(read))
    except Exception as exc:  # a bug must not stop the batch; say where it happened
        error = f"{job.source}: internal error ({type(exc).__name__}: {exc})"
        return Outcome(error, warnings=_warnings(read))
    return Outcome(None, how_taken(read[0], settings.style) if read else None, _warnings(read))


def _warnings(read: list[Transcript]) -> tuple[str, ...]:
    """What reading the input worked around, one line each."""
    return tuple(str(warning) for transcript in read for warning in transcript.warnings)


def _input_of(job: Job) -> tuple[bytes, str]:
    """The input's bytes (refused past the readers' size cap) and its name for messages."""
    if job.source == STDIO:
        return read_input(sys.stdin.buffer, "<stdin>"), "<stdin>"
    return read_input(job.source), job.source


def _convert_stdio(job: Job, settings: Settings, on_read: Callable[[Transcript], None]) -> None:
    data, source = _input_of(job)
    result = convert_bytes(
        data, source, settings.to, settings.style, settings.options, settings.from_format, on_read
    )
    if job.output == STDIO:
        sys.stdout.buffer.write(result)
        sys.stdout.buffer.flush()
    else:
        atomic_write_bytes(job.output, result)


def run_jobs(
    jobs: Sequence[Job], settings: Settings, workers: int, show_bar: bool, verbose: bool
) -> int:
    """Run the jobs, reporting each failure as it happens; the number that failed."""
    failed = 0
    with tqdm(
        total=len(jobs), unit="file", file=sys.stderr, disable=not show_bar, leave=False
    ) as bar:

        def report(job: Job, outcome: Outcome) -> None:
            nonlocal failed
            for warning in outcome.warnings:
                bar.write(warning, file=sys.stderr)
            if outcome.error is not None:
                failed += 1
                bar.write(outcome.error, file=sys.stderr)
            elif settings.dry_run:
                bar.write(f"{job.source} -> {job.output}: {outcome.how}", file=sys.stdout)
            elif verbose:
                target = "" if job.output == STDIO else f" -> {job.output}"
                bar.write(f"{job.source}{target}: {outcome.how}", file=sys.stderr)
            bar.update()

        in_process: list[Job] = []
        in_pool: list[Job] = []
        for job in jobs:
            stdio = STDIO in (job.source, job.output)
            (in_process if workers == 1 or stdio else in_pool).append(job)
        if in_pool:
            _run_in_pool(in_pool, settings, workers, report)
        for job in in_process:
            report(job, convert_one(job, settings))
    return failed


def _run_in_pool(
    jobs: Sequence[Job],
    settings: Settings,
    workers: int,
    report: Callable[[Job, Outcome], None],
) -> None:
    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint) as pool:
        futures: dict[Future[Outcome], Job] = {
            pool.submit(convert_one, job, settings): job for job in jobs
        }
        try:
            for future in as_completed(futures):
                report(futures[future], future.result())
        except KeyboardInterrupt:
            # files being written finish whole (the workers ignore Ctrl-C), the rest never start
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _ignore_sigint() -> None:
    """Ctrl-C reaches the whole process group; only the main process should act on it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
