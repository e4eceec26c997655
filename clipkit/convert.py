"""The conversion the CLI wraps: caption bytes in, caption bytes out.

    >>> from clipkit.convert import convert_file
    >>> convert_file("talk.md", "talk.srt")  # doctest: +SKIP

Nothing here prints or exits; problems are raised as :class:`~clipkit.errors.ClipkitError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from clipkit.errors import OutputError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.model import Transcript
from clipkit.readers import READERS, read_bytes, read_input
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import EXTENSIONS, WRITERS, WriteOptions, render

__all__ = ["convert_bytes", "convert_file", "format_for_path", "how_taken"]

#: Called with the input as read, before it is converted (the CLI's -v says how it was taken).
OnRead = Callable[[Transcript], None]
#: Gives the transcript new word times before its cues are built (alignment to the audio).
Retime = Callable[[Transcript], Transcript]


def convert_bytes(
    data: bytes,
    source: str = "<input>",
    to: str = "srt",
    style: CaptionStyle | None = None,
    options: WriteOptions | None = None,
    from_format: str | None = None,
    on_read: OnRead | None = None,
    retime: Retime | None = None,
) -> bytes:
    """Read captions of any supported kind, rebuild the cues, write them as ``to``.

    ``source`` names the input in error messages.  ``--mode words`` (``style.mode ==
    "words"``) written as WebVTT gets per-word timestamp tags.  Authored captions keep
    their cues, only repaired, unless ``style.resegment`` (:func:`how_taken`).
    ``on_read`` gets the transcript read: its ``warnings`` say what the reader worked around;
    ``retime`` (see :func:`clipkit.align.captions.convert_with_audio`) may time it anew.
    """
    if to not in WRITERS:
        raise OutputError(f"unknown output format {to!r} (choose from {', '.join(WRITERS)})")
    style = style or CaptionStyle()
    options = options or WriteOptions()
    if style.mode == "words" and to == "vtt" and not options.words_vtt:
        options = replace(options, words_vtt=True)
    transcript = read_bytes(data, source, from_format)
    if on_read is not None:
        on_read(transcript)
    if retime is not None:
        transcript = retime(transcript)
    cues = build_cues(transcript, style)
    try:
        return render(cues, transcript, to, options, grid=style)
    except OutputError as exc:
        raise OutputError(f"{source}: {exc}") from None


def convert_file(
    input_path: str | Path,
    output_path: str | Path,
    to: str | None = None,
    style: CaptionStyle | None = None,
    options: WriteOptions | None = None,
    from_format: str | None = None,
    on_read: OnRead | None = None,
) -> Path:
    """Convert one file into another, atomically; returns the output path.

    ``to`` defaults to the output's extension (``.srt``, ``.vtt``, ``.json``, ``.txt``).
    The output is never written onto the input, and nothing is written if anything fails.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    to = to or format_for_path(output_path) or "srt"
    ensure_not_input(output_path, [input_path])
    data = read_input(input_path)
    atomic_write_bytes(
        output_path,
        convert_bytes(data, str(input_path), to, style, options, from_format, on_read),
    )
    return output_path


def format_for_path(path: str | Path) -> str | None:
    """The output format a file name asks for (``talk.vtt`` -> ``"vtt"``), if any."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt, ext in EXTENSIONS.items() if ext == suffix), None)


def how_taken(transcript: Transcript, style: CaptionStyle | None = None) -> str:
    """Which way an input is converted, and why: for ``-v`` and ``--dry-run``.

    ``authored captions (...): 24 cues kept as written``, or ``rolling captions (...):
    rebuilt``; formats that are always automatic are named by their reader.
    """
    style = style or CaptionStyle()
    detection = transcript.detection
    if not detection:
        spec = READERS.get(transcript.source_format)
        detection = spec.description if spec else "captions"
    if transcript.authored and not style.resegment:
        return f"{detection}: {len(transcript.authored_cues)} cues kept as written"
    if transcript.authored:
        return f"{detection}: re-segmented under the caption policy (resegment)"
    return f"{detection}: rebuilt under the caption policy"
