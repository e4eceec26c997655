"""``clipkit find``: where a phrase is said, and a highlight file of those places."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clipkit.cli import COMMAND_HELP
from clipkit.cli.grammar import (
    add_hidden_alias,
    add_output_file,
    add_quiet_options,
    percent,
    report_done,
    shows_progress,
)
from clipkit.errors import OptionError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.highlights import FUZZY_THRESHOLD, find, findings_to_yaml
from clipkit.timefmt import format_time

if TYPE_CHECKING:
    from clipkit.model import Transcript

FIND_EXAMPLES = """\
examples:
  clipkit find talk.srt "wells fargo"            every match: its time and the sentence
  clipkit find talk.srt "wells fargo" -o h.yaml  and a highlight file of whole sentences
  clipkit find talk.md "deep research" --threshold 95     closer matches only
  clipkit find talk.md "wells fargo" --audio talk.mp4    times from the speech, not the text
  clipkit find talk.srt "wells fargo" --video talk.mp4 --timeline wf.xml
                                     the matches as a timeline for an editor (.otio, .xml,
                                     .fcpxml, .edl or .kdenlive), referencing talk.mp4

Matching ignores case and punctuation and tolerates small recognition slips (--threshold).
exit status: 0 found, 1 not found (or an error), 2 usage error.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    finder = subparsers.add_parser(
        "find",
        help=COMMAND_HELP["find"],
        description="Print every place a phrase is said (ignoring case and punctuation,\n"
        "tolerating small recognition differences) with the sentences around it.",
        epilog=FIND_EXAMPLES,
    )
    finder.add_argument("captions", help="captions or transcript (any format clipkit reads)")
    finder.add_argument("phrase", help="the words to look for")
    add_output_file(
        finder,
        "write a highlight file of the matches, whole sentences each (default: none)",
        type=Path,
    )
    add_hidden_alias(finder, "--write", "--output", "output", type=Path, metavar="FILE")
    finder.add_argument(
        "--threshold",
        type=percent,
        default=FUZZY_THRESHOLD,
        metavar="PERCENT",
        help=f"how similar (0-100) a run of words must be to count as a match "
        f"(default: {FUZZY_THRESHOLD:g})",
    )
    finder.add_argument(
        "--audio",
        metavar="MEDIA",
        help="time the words from the speech in this video or audio file first, so the "
        "times found are the spoken ones (default: the captions' own times)",
    )
    finder.add_argument(
        "--timeline",
        type=Path,
        metavar="FILE",
        help="write the matches (whole sentences) as an editor's timeline of --video, the "
        "format by extension: .otio, .xml (FCP 7: Premiere, Resolve), .fcpxml, .edl, .kdenlive "
        "(needs the timeline extra; default: none)",
    )
    finder.add_argument(
        "--video",
        type=Path,
        metavar="VIDEO",
        help="the video the captions belong to, for --timeline (its frame rate is the "
        "timeline's; default: none)",
    )
    add_quiet_options(finder)
    finder.set_defaults(func=run_find)


def run_find(args: argparse.Namespace) -> int:
    from clipkit.readers import load
    from clipkit.timeline import timeline_adapter

    if args.output is not None:
        ensure_not_input(args.output, [args.captions])
    if args.timeline is not None:
        if args.video is None:
            raise OptionError(
                "video", "--timeline needs --video VIDEO (the talk the captions are of)"
            )
        ensure_not_input(args.timeline, [args.captions, args.video, args.output])
        timeline_adapter(args.timeline)  # an unknown extension is said before any work
    transcript = load(args.captions)
    if args.audio is not None:
        transcript = _aligned(transcript, args)
    findings = find(transcript, args.phrase, args.threshold)
    for warning in transcript.warnings:  # what reading the captions worked around
        print(warning, file=sys.stderr)
    for finding in findings:
        print(f"{format_time(finding.match.start_ms)}  {finding.context}")
    if not findings:
        print(f"clipkit: {args.phrase!r} not found in {args.captions}", file=sys.stderr)
        return 1
    if args.output is not None:
        atomic_write_bytes(args.output, findings_to_yaml(findings, args.phrase).encode("utf-8"))
        count = "highlight" if len(findings) == 1 else "highlights"
        report_done(args, f"wrote {len(findings)} {count} to {args.output}")
    if args.timeline is not None:
        _write_timeline(args, transcript, findings)
    return 0


def _aligned(transcript: Transcript, args: argparse.Namespace) -> Transcript:
    """The transcript with its words timed from ``args.audio`` (the summary on stderr)."""
    from clipkit.align import align_transcript  # loads the aligner: lazily
    from clipkit.cli.convert_audio import AlignProgressBar

    with AlignProgressBar(shows_progress(args)) as bar:
        result = align_transcript(transcript, args.audio, on_progress=bar.update)
    report_done(args, f"{args.captions}: {result.report.summary()}")
    return result.transcript


def _write_timeline(args: argparse.Namespace, transcript: Any, findings: list[Any]) -> None:
    """The findings, whole sentences each, as clips of --video on a timeline."""
    from clipkit.media.probe import probe
    from clipkit.segment import build_cues
    from clipkit.style import CaptionStyle
    from clipkit.timeline import Selection, write_timeline

    fps = probe(args.video).fps or CaptionStyle().fps
    cues = tuple(build_cues(transcript, CaptionStyle(fps=fps)))
    selections = [
        Selection.from_ms(
            args.video,
            fps,
            finding.sentence_start.start_ms,
            finding.sentence_end.end_ms,
            title=f"{args.phrase} {number}" if len(findings) > 1 else args.phrase,
            quote=finding.context,
            cues=cues,
        )
        for number, finding in enumerate(findings, 1)
    ]
    write_timeline(selections, args.timeline)
    count = "clip" if len(selections) == 1 else "clips"
    report_done(args, f"wrote a timeline of {len(selections)} {count} to {args.timeline}")
