"""One error family for everything clipkit raises on purpose.

The CLI prints ``str(error)`` as a single line; nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ClipkitError(Exception):
    """Base class of every error clipkit raises deliberately."""


class CaptionParseError(ClipkitError):
    """A caption or transcript file that cannot be read.

    ``str()`` gives ``path:line: message`` (``path: message`` without a line).
    """

    def __init__(
        self, message: str, source: str = "<input>", line: int | None = None, snippet: str = ""
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.snippet = snippet
        super().__init__(self.__str__())

    def with_source(self, source: str) -> CaptionParseError:
        return CaptionParseError(self.message, source, self.line, self.snippet)

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        shown = f" ({self.snippet!r})" if self.snippet else ""
        return f"{where}: {self.message}{shown}"


class UnknownFormatError(CaptionParseError):
    """No reader, or more than one, claims the input."""


class StyleError(ClipkitError):
    """A caption style setting that makes no sense (e.g. max_lines=0)."""


class OutputError(ClipkitError):
    """An output that cannot be written (would overwrite an input, bad folder...)."""


class FFmpegError(ClipkitError):
    """ffmpeg/ffprobe failed: carries the command and the end of its stderr."""

    def __init__(self, message: str, command: Sequence[str] = (), stderr_tail: str = "") -> None:
        self.message = message
        self.command = list(command)
        self.stderr_tail = stderr_tail
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = self.message
        if self.stderr_tail:
            last = self.stderr_tail.strip().splitlines()[-1:] or [""]
            text += f": {last[0]}"
        return text


class FFmpegInterrupted(FFmpegError):
    """ffmpeg was stopped by a signal (Ctrl-C, kill): not a failure to work around."""


class MediaError(ClipkitError):
    """A media file that clipkit cannot use (missing, not a video, no audio...)."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class DownloadError(ClipkitError):
    """A video, its captions or its metadata could not be fetched."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.url}: {self.message}"


class HighlightError(ClipkitError):
    """A highlight file or a highlight request with a mistake in it."""

    def __init__(self, message: str, source: str = "<highlights>", line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


class AlignmentUnavailable(ClipkitError):
    """Aligning to the audio needs a part that is not installed (the ``align`` extra)."""
