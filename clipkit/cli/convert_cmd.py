"""``clipkit convert``: caption files in, proper captions out, one file or a whole batch.

Only parsing and printing: which files, where their outputs go and the worker pool are
:mod:`clipkit.batch`'s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from clipkit.batch import (
    CAPTION_SUFFIXES,
    BatchOptions,
    Job,
    Outcome,
    convert_batch,
    expand_inputs,
    plan_jobs,
)
from clipkit.cli import COMMAND_HELP
from clipkit.cli.caption_options import (
    add_file_arguments,
    add_policy_arguments,
    style_from_args,
    write_options_from_args,
)
from clipkit.cli.grammar import (
    add_jobs_option,
    add_out_dir,
    add_output_file,
    add_quiet_options,
    add_scheduler_option,
    folder_text,
    report_done,
    shows_progress,
)
from clipkit.convert import convert_bytes, how_taken
from clipkit.errors import ClipkitError, OptionError, StyleError
from clipkit.fileio import atomic_write_bytes
from clipkit.model import Transcript
from clipkit.readers import MAX_INPUT_BYTES, READERS, read_bytes, read_input
from clipkit.scheduler import scheduler_address
from clipkit.writers import EXTENSIONS, WRITERS

if TYPE_CHECKING:
    from tqdm import tqdm

STDIO = "-"
#: The flag of each BatchOptions field, to name it in an error.
FLAGS = {
    "to": "--to",
    "from_format": "--from",
    "output": "-o/--output",
    "out_dir": "-d/--out-dir",
    "jobs": "-j/--jobs",
    "scheduler": "--scheduler",
}

_MAX_MB = MAX_INPUT_BYTES // 1_000_000
EXAMPLES = f"""\
examples:
  clipkit convert talk.md                      writes talk.srt beside talk.md
  clipkit convert talk.en.vtt --to vtt         writes talk.en.clipkit.vtt (never the input)
  clipkit convert talk.md -o captions/talk.vtt format taken from the extension
  clipkit convert talk.md --mode words         writes talk.words.vtt: a timestamp per word
  clipkit convert downloads/ -d subs/ --jobs 0 every caption file under a folder, on all cores
  clipkit convert 'talks/**/*.json3' --to txt  a glob (quote it), as paragraphs of text
  curl -s https://example.org/talk.en.vtt | clipkit convert - > talk.srt
                                               '-' reads stdin and writes stdout
  clipkit convert talk.md --max-chars 32 --max-lines 1 --speaker-marker chevrons
  clipkit convert subs.srt --to vtt -v         an authored file: the same cues as WebVTT
  clipkit convert subs.srt --resegment         an authored file laid out again by the policy
  clipkit convert downloads/ --dry-run         how each file would be taken; writes nothing
  clipkit convert talk.md --audio talk.mp4 -o talk.srt
                                               words timed from the talk's speech
  clipkit convert downloads/ -d subs/ --scheduler tcp://10.0.0.5:8786
                                               on a Dask cluster (bytes sent to the workers
                                               and back: no shared file system needed)

authored and automatic captions:
  An SRT/VTT file is automatic when its cues roll (a cue types a line under a repeat of
  the line above: rolling captions converted by yt-dlp) or when at least half of them are
  one line still on screen 0.2 s after the next starts (YouTube's own auto SRT); these,
  like every other input, are rebuilt under the caption policy.  Any other SRT/VTT was
  written by someone: its cues are kept as written (text, line breaks, times), only put on
  the frames of --fps, overlaps trimmed to --min-gap-frames and cues under --min-duration
  lengthened where there is room.  --resegment rebuilds them too.  -v and --dry-run say
  which way each file was taken.

folders:
  A folder is searched recursively (hidden files and folders left out) for
  {" ".join(CAPTION_SUFFIXES)} files; its .md, .txt and .json files are taken only when they
  are captions clipkit reads (a README.md is skipped; -v names what was skipped).  With
  --out-dir, outputs keep the subfolders they were found in.

output names:
  Without -o, each output goes beside its input (or into --out-dir) with the extension of
  the format: talk.md -> talk.srt; --mode lines and --mode words add the mode
  (talk.lines.srt, talk.words.vtt), so a run in another mode never replaces the first.
  When that name is an input itself (talk.srt --to srt, or a folder holding both talk.md
  and talk.srt), the output is talk.clipkit.srt instead: inputs are never overwritten.
  Folders skip files named *.clipkit.* and files that look like an earlier output of
  another file there (talk.srt beside talk.md when converting to srt, talk.words.vtt).
  Outputs are written atomically: after an error or Ctrl-C there is either the old file
  or the whole new one, never half of one; a folder made for outputs is removed again
  when nothing was written into it.

limits:
  An input larger than {_MAX_MB} MB is refused (no caption file is that big), and so is
  a time past 99:59:59.999.  Warnings (a line in another encoding, a broken character)
  are printed as path:line: warning: ... and do not fail the conversion.

exit status: 0 all converted, 1 some file failed (one line each on stderr:
  path:line: what is wrong), 2 usage error, 130 interrupted.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "convert",
        help=COMMAND_HELP["convert"],
        description="Rebuild proper pop-on captions (every word once, in order, timed to\n"
        "the speech) from YouTube rolling auto-captions (VTT, json3), markdown\n"
        "transcripts or SRT/WebVTT files, and write them as SRT, WebVTT, JSON or text.\n"
        "Captions someone wrote (an ordinary SRT/VTT) keep their cues as written.",
        epilog=EXAMPLES,
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="caption files, folders (searched for caption files), globs, or '-' for stdin",
    )
    where = parser.add_mutually_exclusive_group()
    add_output_file(
        where, "the output file, for a single input ('-' for stdout; default: beside the input)"
    )
    add_out_dir(where, "write every output into this folder (default: beside each input)")
    parser.add_argument(
        "--to",
        choices=list(WRITERS),
        help="output format (default: from the -o extension, else vtt for --mode words, else srt)",
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        choices=list(READERS),
        help="input format (default: detected from each file's content)",
    )
    add_jobs_option(parser, "convert N files at once")
    add_scheduler_option(parser, "convert the files")
    add_quiet_options(parser)
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="name each file written and say how its input was taken (authored cues kept "
        "as written, or rebuilt, and why), and each file of a folder that was skipped",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read every input and print where its output would go and how the input is "
        "taken; write nothing",
    )

    parser.add_argument(
        "--audio",
        metavar="MEDIA",
        help="time the words from the speech in this video or audio file (any file ffmpeg "
        "reads; a single input): where the speech cannot be matched (music, another "
        "language) the times estimated from the text are kept, and stderr says how much "
        "was aligned (default: timing from the captions alone)",
    )
    add_policy_arguments(parser)
    add_file_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        options = BatchOptions(
            to=args.to,
            style=style_from_args(args),
            write=write_options_from_args(args),
            from_format=args.from_format,
            output=None if args.output in (None, STDIO) else Path(args.output),
            out_dir=args.out_dir,
            jobs=args.jobs,
            dry_run=args.dry_run,
            scheduler=scheduler_address(args.scheduler),
        )
    except StyleError as exc:
        return _usage_error(str(exc))
    except OptionError as exc:
        return _option_error(exc)
    if args.output is not None and len(args.inputs) != 1:
        return _usage_error("-o/--output takes a single input; use -d/--out-dir for several")
    if args.audio is not None:
        from clipkit.cli.convert_audio import run_with_audio  # loads the aligner: lazily

        return run_with_audio(args, options)

    found = expand_inputs([p for p in args.inputs if p != STDIO], EXTENSIONS[options.format])
    problems = list(found.problems)
    # stdin, and a file written to stdout (-o -), are converted here; files into files by
    # the batch (pairs: source, output; "-" for stdin/stdout)
    streamed: list[tuple[str, str]] = []
    jobs: list[Job] = []
    if STDIO in args.inputs:
        streamed.append((STDIO, args.output or STDIO))
    elif args.output == STDIO:
        streamed += [(str(item.path), STDIO) for item in found.files]
    elif found.files:
        try:
            plan = plan_jobs(found.files, options)
        except OptionError as exc:
            return _option_error(exc)
        jobs, problems = plan.jobs, problems + plan.problems
    for message in problems:
        print(message, file=sys.stderr)
    if args.verbose or args.dry_run:
        for path, why in found.skipped:
            print(f"{path}: skipped ({why})", file=sys.stderr)

    written: list[tuple[str, str]] = []
    failed = len(problems)
    for source, output in streamed:
        if _convert_stream(source, output, options, args.verbose):
            written += [(source, output)] if output != STDIO else []
        else:
            failed += 1
    bar: tqdm[Any] | _NoBar = _NoBar()
    if len(jobs) >= 2 and shows_progress(args) and sys.stderr.isatty():
        from tqdm import tqdm  # (only for a bar shown: it takes a while to import)

        bar = tqdm(total=len(jobs), unit="file", file=sys.stderr, leave=False)

    def show(job: Job, outcome: Outcome) -> None:
        _show(bar, job, outcome, args)
        if outcome.error is None:
            written.append((str(job.source), str(job.output)))

    with bar:
        report = convert_batch(jobs, options, show)
    failed += report.failed
    total = len(jobs) + len(problems) + len(streamed)
    if written and not args.dry_run:
        report_done(args, _done_line(written, total, options))
    if failed and total > 1:
        print(f"clipkit convert: {failed} of {total} inputs failed", file=sys.stderr)
    return 1 if failed else 0


class _NoBar:
    """The progress bar when none is shown (one file, --quiet, no terminal)."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self) -> None:
        return None

    def write(self, line: str, file: TextIO) -> None:
        print(line, file=file)  # as tqdm.write does


def _show(bar: tqdm[Any] | _NoBar, job: Job, outcome: Outcome, args: argparse.Namespace) -> None:
    """One finished file: its warnings and error, or (-v, --dry-run) how it was taken."""
    for warning in outcome.warnings:
        bar.write(warning, file=sys.stderr)
    if outcome.error is not None:
        bar.write(str(outcome.error), file=sys.stderr)
    elif args.dry_run:
        bar.write(f"{job.source} -> {job.output}: {outcome.how}", file=sys.stdout)
    elif args.verbose:
        bar.write(f"{job.source} -> {job.output}: {outcome.how}", file=sys.stderr)
    bar.update()


def _done_line(written: list[tuple[str, str]], total: int, options: BatchOptions) -> str:
    """``converted talk.md to talk.srt``, or ``converted 9 of 10 files into subs/``."""
    if total == 1:
        source, output = written[0]
        return f"converted {'<stdin>' if source == STDIO else source} to {output}"
    counted = f"converted {len(written)} of {total} files"
    if options.out_dir is not None:
        return f"{counted} into {folder_text(options.out_dir)}"
    return f"{counted}, each beside its input"


def _convert_stream(source: str, output: str, options: BatchOptions, verbose: bool) -> bool:
    """Standard input (``source`` "-") or a file into a file or standard output (``output``
    "-"); whether it worked.  Problems are printed."""
    read: list[Transcript] = []
    name = "<stdin>" if source == STDIO else source
    try:
        data = read_input(sys.stdin.buffer, name) if source == STDIO else read_input(source)
        if options.dry_run:
            read.append(read_bytes(data, name, options.from_format))
        else:
            result = convert_bytes(
                data,
                name,
                options.format,
                options.style,
                options.write,
                options.from_format,
                read.append,
            )
            if output == STDIO:
                sys.stdout.buffer.write(result)
                sys.stdout.buffer.flush()
            else:
                atomic_write_bytes(output, result)
    except ClipkitError as exc:
        _print_warnings(read)
        print(exc, file=sys.stderr)
        return False
    _print_warnings(read)
    if (verbose or options.dry_run) and read:
        stream = sys.stdout if options.dry_run else sys.stderr
        print(f"{source} -> {output}: {how_taken(read[0], options.style)}", file=stream)
    return True


def _print_warnings(read: list[Transcript]) -> None:
    for transcript in read:
        for warning in transcript.warnings:
            print(warning, file=sys.stderr)


def _option_error(error: OptionError) -> int:
    return _usage_error(f"{FLAGS.get(error.option, error.option)}: {error.message}")


def _usage_error(message: str) -> int:
    print(f"clipkit convert: error: {message}", file=sys.stderr)
    return 2
