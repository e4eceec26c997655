"""One error family for everything clipkit raises on purpose.

The CLI prints ``str(error)`` as a single line; nothing here prints or exits.  Every error
survives pickling with its data (``__reduce__`` gives the arguments it was made with), so a
worker process can hand it back whole, as pysubs2's errors do for multiprocessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
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
        """The same error, about ``source``."""
        return CaptionParseError(self.message, source, self.line, self.snippet)

    def __reduce__(self) -> tuple[type[CaptionParseError], tuple[str, str, int | None, str]]:
        return type(self), (self.message, self.source, self.line, self.snippet)

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        shown = f" ({self.snippet!r})" if self.snippet else ""
        return f"{where}: {self.message}{shown}"


@dataclass(frozen=True, slots=True)
class CaptionWarning:
    """Something a reader worked around (a line in another encoding, a broken character).

    Not raised: readers return these with the transcript (``Transcript.warnings``) and
    the CLI prints them; ``str()`` gives ``path:line: warning: message``.
    """

    message: str
    source: str = "<input>"
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: warning: {self.message}"


class UnknownFormatError(CaptionParseError):
    """No reader, or more than one, claims the input."""


class InvalidValueError(ClipkitError, ValueError):
    """A value clipkit cannot take, such as a time in a highlight file.  Callers that know
    the file add it (a highlight file's line); also a ValueError."""


class OptionError(ClipkitError):
    """An options object (FetchOptions, BatchOptions, ...) given a value it cannot take.

    ``option`` is the field's name (``"max_height"``), so that a caller can name it its own
    way (the CLI names its flag); the message says what is wrong in the library's words.
    """

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        self.message = message
        super().__init__(message)

    def __reduce__(self) -> tuple[type[OptionError], tuple[str, str]]:
        return type(self), (self.option, self.message)


class StyleError(ClipkitError):
    """A caption style setting that makes no sense (e.g. max_lines=0)."""


class OutputError(ClipkitError):
    """An output that cannot be written (would overwrite an input, bad folder...)."""


class FFmpegError(ClipkitError):
    """ffmpeg/ffprobe failed: carries the command and the end of its stderr.

    ``str()`` is the message and the line of stderr that says why: an operating-system
    error (a full disk, no permission...) when there is one, else the last line that is
    not one of ffmpeg's closing summaries ("Conversion failed!").
    """

    def __init__(self, message: str, command: Sequence[str] = (), stderr_tail: str = "") -> None:
        self.message = message
        self.command = list(command)
        self.stderr_tail = stderr_tail
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[type[FFmpegError], tuple[str, list[str], str]]:
        return type(self), (self.message, self.command, self.stderr_tail)

    @property
    def cause(self) -> str:
        """The line of stderr that says why, or ``""``."""
        lines = [line.strip() for line in self.stderr_tail.splitlines() if line.strip()]
        for line in lines:
            if OS_ERROR_TEXT.search(line):
                return line
        telling = [line for line in lines if not line.startswith(_FFMPEG_SUMMARIES)]
        return (telling or lines or [""])[-1]

    @property
    def out_of_space(self) -> bool:
        """Whether ffmpeg ran out of disk space."""
        return "no space left on device" in self.stderr_tail.lower()

    def __str__(self) -> str:
        cause = self.cause
        return f"{self.message}: {cause}" if cause else self.message


# ffmpeg's last words after an error, which say nothing of its cause
_FFMPEG_SUMMARIES = ("Conversion failed!", "Exiting normally", "Last message repeated")
OS_ERROR_TEXT = re.compile(
    r"No space left on device|Disk quota exceeded|Read-only file system|Permission denied"
    r"|Input/output error|File too large",
    re.IGNORECASE,
)


class MissingToolError(FFmpegError):
    """ffmpeg or ffprobe is not installed, or the one on PATH cannot be run."""


class FFmpegInterrupted(FFmpegError):
    """ffmpeg was stopped by a signal (Ctrl-C, kill): not a failure to work around."""


class MediaError(ClipkitError):
    """A media file that clipkit cannot use (missing, not a video, no audio...)."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")

    def __reduce__(self) -> tuple[type[MediaError], tuple[str, str]]:
        return type(self), (self.path, self.message)


class DownloadError(ClipkitError):
    """A video, its captions or its metadata could not be fetched.

    ``kind`` says what would help, when something would: ``"sign-in"`` (the site wants a
    signed-in user's cookies).  ``str()`` adds that advice in the library's words; a caller
    with its own words for it (the CLI names its options) uses ``url`` and ``message``.
    """

    def __init__(self, url: str, message: str, kind: str = "") -> None:
        self.url = url
        self.message = message
        self.kind = kind
        super().__init__(self.__str__())

    def __str__(self) -> str:
        advice = DOWNLOAD_ADVICE.get(self.kind)
        return f"{self.url}: {self.message}" + (f" ({advice})" if advice else "")

    def __reduce__(self) -> tuple[type[DownloadError], tuple[str, str, str]]:
        return type(self), (self.url, self.message, self.kind)


#: What a DownloadError of a kind suggests doing, in the library's words.
DOWNLOAD_ADVICE = {
    "sign-in": "the site wants you signed in: pass a signed-in browser's cookies or a cookies.txt",
}


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

    def __reduce__(self) -> tuple[type[HighlightError], tuple[str, str, int | None]]:
        return type(self), (self.message, self.source, self.line)


class AlignmentUnavailable(ClipkitError):
    """Aligning to the audio needs a part that is not installed (the ``align`` extra)."""


class JobFileError(HighlightError):
    """A batch job file (``clipkit batch JOBS.yaml``) with a mistake in it: ``file:line:
    what is wrong``, said the way highlight files say theirs."""
