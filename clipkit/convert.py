"""The conversion the CLI wraps: caption bytes in, caption bytes out.

    >>> from clipkit.convert import convert_file
    >>> convert_file("talk.md", "talk.srt")  # doctest: +SKIP

Nothing here prints or exits; problems are raised as :class:`~clipkit.errors.ClipkitError`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from clipkit.errors import CaptionParseError, OutputError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.readers import read_bytes
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import EXTENSIONS, WRITERS, WriteOptions, render

__all__ = ["convert_bytes", "convert_file", "format_for_path"]


def convert_bytes(
    data: bytes,
    source: str = "<input>",
    to: str = "srt",
    style: CaptionStyle | None = None,
    options: WriteOptions | None = None,
    from_format: str | None = None,
) -> bytes:
    """Read captions of any supported kind, rebuild the cues, write them as ``to``.

    ``source`` names the input in error messages.  ``--mode words`` (``style.mode ==
    "words"``) written as WebVTT gets per-word timestamp tags.
    """
    if to not in WRITERS:
        raise OutputError(f"unknown output format {to!r} (choose from {', '.join(WRITERS)})")
    style = style or CaptionStyle()
    options = options or WriteOptions()
    if style.mode == "words" and to == "vtt" and not options.words_vtt:
        options = replace(options, words_vtt=True)
    transcript = read_bytes(data, source, from_format)
    cues = build_cues(transcript, style)
    return render(cues, transcript, to, options, grid=style)


def convert_file(
    input_path: str | Path,
    output_path: str | Path,
    to: str | None = None,
    style: CaptionStyle | None = None,
    options: WriteOptions | None = None,
    from_format: str | None = None,
) -> Path:
    """Convert one file into another, atomically; returns the output path.

    ``to`` defaults to the output's extension (``.srt``, ``.vtt``, ``.json``, ``.txt``).
    The output is never written onto the input, and nothing is written if anything fails.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    to = to or format_for_path(output_path) or "srt"
    ensure_not_input(output_path, [input_path])
    try:
        data = input_path.read_bytes()
    except OSError as exc:
        raise CaptionParseError(f"cannot read: {exc.strerror or exc}", str(input_path)) from exc
    atomic_write_bytes(
        output_path, convert_bytes(data, str(input_path), to, style, options, from_format)
    )
    return output_path


def format_for_path(path: str | Path) -> str | None:
    """The output format a file name asks for (``talk.vtt`` -> ``"vtt"``), if any."""
    suffix = Path(path).suffix.lower()
    return next((fmt for fmt, ext in EXTENSIONS.items() if ext == suffix), None)
