"""Captions timed from the audio: a transcript converted with its words aligned to the speech.

    >>> from clipkit.align.captions import convert_with_audio
    >>> done = convert_with_audio(read_input("talk.md"), "talk.md", "talk.mp4")  # doctest: +SKIP
    >>> done.data  # the SRT, its cues timed from the aligned words  # doctest: +SKIP
    >>> done.result.report.summary()  # doctest: +SKIP
    'aligned 97 % of words; 3 stretches kept their estimated times: 12:03-12:41, ...'

Everything else is :func:`clipkit.convert.convert_bytes`: the same readers, caption policy
and writers.  JSON output says how much was aligned under ``"alignment"``
(:meth:`AlignmentReport.as_json <clipkit.align.report.AlignmentReport.as_json>`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from clipkit.align.engine import AlignProgress, align_transcript
from clipkit.align.report import AlignmentResult
from clipkit.convert import OnRead, convert_bytes
from clipkit.model import Transcript
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions

__all__ = ["AlignedConversion", "convert_with_audio"]


@dataclass(frozen=True, slots=True)
class AlignedConversion:
    """The output file's bytes and how the alignment went."""

    data: bytes
    result: AlignmentResult


def convert_with_audio(
    data: bytes,
    source: str,
    media: str | Path,
    to: str = "srt",
    style: CaptionStyle | None = None,
    options: WriteOptions | None = None,
    from_format: str | None = None,
    on_read: OnRead | None = None,
    on_progress: AlignProgress | None = None,
    jobs: int = 0,
) -> AlignedConversion:
    """:func:`~clipkit.convert.convert_bytes` with the words timed from ``media``'s speech.

    Raises what :func:`~clipkit.align.align_transcript` raises (no sound in ``media``,
    ffmpeg cannot read it, PocketSphinx not installed) and what converting raises.
    """
    results: list[AlignmentResult] = []

    def retime(transcript: Transcript) -> Transcript:
        result = align_transcript(transcript, media, on_progress=on_progress, jobs=jobs)
        results.append(result)
        return result.transcript

    out = convert_bytes(data, source, to, style, options, from_format, on_read, retime)
    result = results[0]
    if to == "json":
        out = with_alignment(out, result.report.as_json())
    return AlignedConversion(out, result)


def with_alignment(data: bytes, alignment: dict[str, object]) -> bytes:
    """The JSON writer's output with an ``"alignment"`` member after its last one."""
    text = data.decode("utf-8")
    newline = "\r\n" if text.endswith("\r\n") else "\n"
    body = text.rstrip()
    if not body.endswith("}"):
        raise ValueError("not a JSON object")
    member = f',{newline} "alignment": {json.dumps(alignment, ensure_ascii=False)}{newline}}}'
    return (body[:-1].rstrip() + member + newline).encode("utf-8")
