"""Readers: bytes in, :class:`~clipkit.model.Transcript` out.

One module per input shape, each exposing ``FORMAT_ID``, ``sniff(text) -> bool``
and ``read(text, source) -> Transcript``.  The format is detected from the content:
exactly one reader must claim it, otherwise the error names the ones that did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clipkit.errors import CaptionParseError, UnknownFormatError
from clipkit.model import Transcript
from clipkit.readers import json3, markdown, subtitles, youtube_vtt


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    format_id: str
    description: str
    sniff: Callable[[str], bool]
    read: Callable[[str, str], Transcript]


READERS: dict[str, ReaderSpec] = {
    spec.format_id: spec
    for spec in (
        ReaderSpec(markdown.FORMAT_ID, markdown.DESCRIPTION, markdown.sniff, markdown.read),
        ReaderSpec(
            youtube_vtt.FORMAT_ID, youtube_vtt.DESCRIPTION, youtube_vtt.sniff, youtube_vtt.read
        ),
        ReaderSpec(json3.FORMAT_ID, json3.DESCRIPTION, json3.sniff, json3.read),
        ReaderSpec(
            subtitles.SRT_ID, subtitles.SRT_DESCRIPTION, subtitles.sniff_srt, subtitles.read_srt
        ),
        ReaderSpec(
            subtitles.VTT_ID, subtitles.VTT_DESCRIPTION, subtitles.sniff_vtt, subtitles.read_vtt
        ),
    )
}


def decode(data: bytes, source: str = "<input>") -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    Binary junk (NUL bytes without a UTF-16 BOM, or undecodable bytes) is an error.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CaptionParseError("invalid UTF-16 text", source) from exc
    if b"\x00" in data:
        raise CaptionParseError("binary data, not a caption file", source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CaptionParseError("not UTF-8, UTF-16 or cp1252 text", source) from exc
    if sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t") > 0:
        raise CaptionParseError("binary data, not a caption file", source)
    return text


def detect_format(text: str, source: str = "<input>") -> str:
    """The id of the one reader that claims ``text``."""
    if not text.strip():
        raise CaptionParseError("empty file", source)
    claims = [spec.format_id for spec in READERS.values() if spec.sniff(text)]
    if len(claims) == 1:
        return claims[0]
    if not claims:
        raise UnknownFormatError(
            "not a caption file clipkit can read (expected markdown transcript, "
            "YouTube VTT, json3, SRT or WebVTT)",
            source,
            1,
        )
    raise UnknownFormatError(f"ambiguous format: claimed by {', '.join(claims)}", source)


def read_text(text: str, source: str = "<input>", format_id: str | None = None) -> Transcript:
    """Parse caption text into a Transcript, detecting the format unless given."""
    if format_id is None:
        format_id = detect_format(text, source)
    elif format_id not in READERS:
        raise UnknownFormatError(
            f"unknown input format {format_id!r} (choose from {', '.join(READERS)})", source
        )
    if not text.strip():
        raise CaptionParseError("empty file", source)
    transcript = READERS[format_id].read(text, source)
    if not transcript.words:
        raise CaptionParseError("no caption text found", source)
    return transcript


def read_bytes(data: bytes, source: str = "<input>", format_id: str | None = None) -> Transcript:
    return read_text(decode(data, source), source, format_id)


def load(path: str | Path, format_id: str | None = None) -> Transcript:
    """Read a caption file from disk into a Transcript."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CaptionParseError(f"cannot read: {exc.strerror or exc}", str(path)) from exc
    return read_bytes(data, str(path), format_id)
