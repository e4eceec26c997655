"""``clipkit convert``: caption files in, proper captions out, one file or a whole batch."""

from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.convert import convert_bytes, convert_file, format_for_path
from clipkit.errors import CaptionParseError, ClipkitError, StyleError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.readers import READERS
from clipkit.style import CaptionStyle
from clipkit.writers import EXTENSIONS, WRITERS, WriteOptions

#: What a folder given as input is searched for (not recursively).
CAPTION_SUFFIXES = (".md", ".txt", ".vtt", ".srt", ".json3", ".json")
#: Marks a file clipkit wrote beside an input of the same name; folders skip such files.
OUTPUT_INFIX = ".clipkit"
STDIO = "-"

EXAMPLES = """\
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

output names:
  Without -o, each output goes beside its input (or into --out-dir) with the extension of
  the format: talk.md -> talk.srt.  When that name is an input itself (talk.srt --to srt,
  or a folder holding both talk.md and talk.srt), the output is talk.clipkit.srt instead:
  inputs are never overwritten.  Folders skip files named *.clipkit.* and, for the chosen
  format, files that look like an earlier output of another file there (talk.srt beside
  talk.md when converting to srt).  Outputs are written atomically: after an error or
  Ctrl-C there is either the old file or the whole new one, never half of one.

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


def _seconds_to_ms(text: str) -> int:
    try:
        return round(float(text) * 1000)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None


_MARKERS = {"dash": "- ", "chevrons": ">> "}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    default = CaptionStyle()
    parser = subparsers.add_parser(
        "convert",
        help="rebuild captions from rolling YouTube captions or transcripts",
        description="Rebuild proper pop-on captions (every word once, in order, timed to\n"
        "the speech) from YouTube rolling auto-captions (VTT, json3), markdown\n"
        "transcripts or SRT/WebVTT files, and write them as SRT, WebVTT, JSON or text.",
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
    parser.add_argument("-v", "--verbose", action="store_true", help="name each file written")

    policy = parser.add_argument_group("caption policy")
    policy.add_argument(
        "--mode",
        choices=["cues", "lines", "words"],
        help=f"cues: pop-on captions under the policy below; lines: one cue per "
        f"spoken line; words: WebVTT with a timestamp per word "
        f"(default {default.mode})",
    )
    policy.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help=f"characters a line (default {default.max_chars})",
    )
    policy.add_argument(
        "--max-lines", type=int, metavar="N", help=f"lines a cue (default {default.max_lines})"
    )
    policy.add_argument(
        "--min-duration",
        type=_seconds_to_ms,
        metavar="SECONDS",
        dest="min_duration_ms",
        help=f"shortest cue (default {default.min_duration_ms / 1000:g})",
    )
    policy.add_argument(
        "--max-duration",
        type=_seconds_to_ms,
        metavar="SECONDS",
        dest="max_duration_ms",
        help=f"longest cue (default {default.max_duration_ms / 1000:g})",
    )
    policy.add_argument(
        "--fps",
        type=float,
        help="video frame rate: every cue starts and ends on one of its frames (23.976, "
        f"29.97, 59.94 mean 24000/1001, ...; default {default.fps:g})",
    )
    policy.add_argument(
        "--min-gap-frames",
        type=int,
        metavar="N",
        help=f"frames between cues (default {default.min_gap_frames})",
    )
    policy.add_argument(
        "--close-gap",
        type=_seconds_to_ms,
        metavar="SECONDS",
        dest="close_gap_ms",
        help=f"gaps up to this are closed to the minimum gap "
        f"(default {default.close_gap_ms / 1000:g})",
    )
    policy.add_argument(
        "--linger",
        type=_seconds_to_ms,
        metavar="SECONDS",
        dest="linger_ms",
        help=f"how long a cue may stay up after its last word "
        f"(default {default.linger_ms / 1000:g})",
    )
    policy.add_argument(
        "--max-cps",
        type=float,
        metavar="CPS",
        help=f"reading speed, characters a second (default {default.max_cps:g})",
    )
    policy.add_argument(
        "--speaker-marker",
        choices=list(_MARKERS),
        help="how a new speaker is shown: dash (a leading '-') or chevrons (a leading "
        "'>>'; default dash)",
    )
    policy.add_argument(
        "--no-sound-tags",
        dest="sound_tags",
        action="store_false",
        default=None,
        help="drop [Music], [Applause] and other sound tags",
    )

    output = parser.add_argument_group("output file")
    output.add_argument("--bom", action="store_true", help="start with a UTF-8 byte order mark")
    output.add_argument("--crlf", action="store_true", help="Windows line endings (CR LF)")
    output.add_argument(
        "--shift",
        type=_seconds_to_ms,
        default=0,
        metavar="SECONDS",
        dest="shift_ms",
        help="add SECONDS to every time, in whole frames (negative: earlier; what falls "
        "before zero is cut)",
    )
    parser.set_defaults(func=run)


def style_from_args(args: argparse.Namespace) -> CaptionStyle:
    """A CaptionStyle with the defaults, changed where a flag was given."""
    given: dict[str, Any] = {}
    for field in fields(CaptionStyle):
        value = getattr(args, field.name, None)
        if value is not None:
            given[field.name] = _MARKERS[value] if field.name == "speaker_marker" else value
    return CaptionStyle(**given)


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
        options=WriteOptions(bom=args.bom, crlf=args.crlf, shift_ms=args.shift_ms),
        from_format=args.from_format,
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

    if args.out_dir is not None:
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


def convert_one(job: Job, settings: Settings) -> str | None:
    """Convert one file; the error line to show if it failed, else None."""
    try:
        if job.source == STDIO or job.output == STDIO:
            _convert_stdio(job, settings)
        else:
            convert_file(
                job.source,
                job.output,
                settings.to,
                settings.style,
                settings.options,
                settings.from_format,
            )
    except ClipkitError as exc:
        return str(exc)
    except Exception as exc:  # a bug must not stop the batch; say where it happened
        return f"{job.source}: internal error ({type(exc).__name__}: {exc})"
    return None


def _convert_stdio(job: Job, settings: Settings) -> None:
    if job.source == STDIO:
        data, source = sys.stdin.buffer.read(), "<stdin>"
    else:
        try:
            data, source = Path(job.source).read_bytes(), job.source
        except OSError as exc:
            raise CaptionParseError(f"cannot read: {exc.strerror or exc}", job.source) from exc
    result = convert_bytes(
        data, source, settings.to, settings.style, settings.options, settings.from_format
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

        def report(job: Job, error: str | None) -> None:
            nonlocal failed
            if error is not None:
                failed += 1
                bar.write(error, file=sys.stderr)
            elif verbose and job.output != STDIO:
                bar.write(f"{job.source} -> {job.output}", file=sys.stderr)
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
    report: Callable[[Job, str | None], None],
) -> None:
    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint) as pool:
        futures: dict[Future[str | None], Job] = {
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
