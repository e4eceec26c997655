"""Readers: bytes in, :class:`~clipkit.model.Transcript` out.

One module per input shape, each exposing ``FORMAT_ID``, ``sniff(text) -> bool``
and ``read(text, source) -> Transcript``.  The format is detected from the content:
exactly one reader must claim it, otherwise the error names the ones that did.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from clipkit.errors import CaptionParseError, CaptionWarning, UnknownFormatError
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


#: The largest input clipkit reads (a 10-hour talk's rolling VTT is about 15 MB).  More is
#: not a caption file, or a stream that never ends (``/dev/zero``).
MAX_INPUT_BYTES = 200_000_000


def read_input(file: str | Path | BinaryIO, source: str | None = None) -> bytes:
    """The bytes of a caption file (a path, or an open binary stream such as stdin),
    refusing more than :data:`MAX_INPUT_BYTES` without reading further."""
    if isinstance(file, (str, Path)):
        source = source or str(file)
        try:
            with open(file, "rb") as stream:
                return _read_capped(stream, source)
        except OSError as exc:
            raise CaptionParseError(f"cannot read: {exc.strerror or exc}", source) from exc
    source = source or "<input>"
    try:
        return _read_capped(file, source)
    except OSError as exc:
        raise CaptionParseError(f"cannot read: {exc.strerror or exc}", source) from exc


def _read_capped(stream: BinaryIO, source: str) -> bytes:
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # no file behind it (BytesIO)
        pass
    else:
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_INPUT_BYTES:
            raise _too_big(source)  # without reading it
    data = stream.read(MAX_INPUT_BYTES + 1)
    check_size(data, source)
    return data


def check_size(data: bytes, source: str) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise _too_big(source)


def _too_big(source: str) -> CaptionParseError:
    return CaptionParseError(
        f"larger than {MAX_INPUT_BYTES / 1_000_000:g} MB, the most clipkit reads "
        "(not a caption file?)",
        source,
    )


def decode(data: bytes, source: str = "<input>") -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 (with BOM, or without one when
    the zero bytes of its ASCII characters say which byte order), else cp1252.

    A UTF-8 file with a few lines in cp1252 (an edit in another editor) is read line by
    line: see :func:`decode_with_warnings`, which also says which lines.  Binary junk (NUL
    bytes that are not UTF-16, control characters, undecodable bytes) is an error.
    """
    return decode_with_warnings(data, source)[0]


def decode_with_warnings(
    data: bytes, source: str = "<input>"
) -> tuple[str, tuple[CaptionWarning, ...]]:
    """:func:`decode`, and a warning when some lines were read in another encoding than the
    rest (naming the first of them)."""
    utf16 = _utf16_codec(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode(utf16, "replace").count("\n") + 1
            raise CaptionParseError(
                "invalid UTF-16 text (cut off, or a broken character)", source, line
            ) from exc
        if utf16 != "utf-16":  # guessed from the zero bytes: binary data may look so too
            _check_not_binary(text, source)
        return text, ()
    if b"\x00" in data:
        raise CaptionParseError("binary data, not a caption file", source)
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    text, warnings = _decode_lines(data, source)
    _check_not_binary(text, source)
    return text, warnings


def _utf16_codec(data: bytes) -> str | None:
    """``"utf-16"`` for a BOM, ``"utf-16-le"``/``"-be"`` for text without one whose every
    other byte is zero (as ASCII characters are in UTF-16), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return None
    pairs = len(head) // 2
    zero_high = head[1::2].count(0)  # little-endian: "a\x00"
    zero_low = head[0::2].count(0)  # big-endian: "\x00a"
    # (some characters beyond Latin-1 have a zero byte too: U+0100, U+4E00, ...)
    if zero_high >= 0.6 * pairs and zero_low <= 0.05 * pairs:
        return "utf-16-le"
    if zero_low >= 0.6 * pairs and zero_high <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_lines(data: bytes, source: str) -> tuple[str, tuple[CaptionWarning, ...]]:
    """Text that is not UTF-8 as a whole, a line at a time: each line that is UTF-8 as
    such (cp1252 text almost never is, when it has any byte above 127), the others as
    cp1252.  The lines in the minority encoding are named in a warning."""
    utf8_lines: list[int] = []
    cp1252_lines: list[int] = []
    decoded: list[str] = []
    lines = data.split(b"\n")
    if lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    for number, raw in enumerate(lines, 1):
        if raw.isascii():
            decoded.append(raw.decode("ascii"))
            continue
        try:
            decoded.append(raw.decode("utf-8"))
            utf8_lines.append(number)
        except UnicodeDecodeError:
            try:
                decoded.append(raw.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise CaptionParseError(
                    f"not UTF-8, UTF-16 or cp1252 text (byte 0x{raw[exc.start]:02x})",
                    source,
                    number,
                ) from None
            cp1252_lines.append(number)
    text = "\n".join(decoded)
    if not utf8_lines:
        return text, ()
    if len(utf8_lines) >= len(cp1252_lines):
        odd, encoding, rest = cp1252_lines, "cp1252", "UTF-8"
    else:
        odd, encoding, rest = utf8_lines, "UTF-8", "cp1252"
    more = f" (and {len(odd) - 1} more lines)" if len(odd) > 1 else ""
    warning = CaptionWarning(
        f"not {rest} like the rest of the file: read as {encoding}{more}", source, odd[0]
    )
    return text, (warning,)


_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # all below 32 but \t \n \r


def _check_not_binary(text: str, source: str) -> None:
    control = _CONTROL_CHARACTER.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise CaptionParseError(
            f"binary data, not a caption file (control character 0x{ord(control.group()):02x})",
            source,
            line,
        )


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
    """Parse caption bytes (at most :data:`MAX_INPUT_BYTES`) into a Transcript; what the
    decoding worked around is in its ``warnings``."""
    check_size(data, source)
    text, warnings = decode_with_warnings(data, source)
    transcript = read_text(text, source, format_id)
    if warnings:
        transcript = replace(transcript, warnings=warnings + transcript.warnings)
    return transcript


def load(path: str | Path, format_id: str | None = None) -> Transcript:
    """Read a caption file from disk into a Transcript."""
    return read_bytes(read_input(path), str(path), format_id)
