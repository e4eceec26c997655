"""What a fetch is told and what it gives back: the options (checked when made), progress
reports and results."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from yt_dlp.cookies import SUPPORTED_BROWSERS, SUPPORTED_KEYRINGS, YoutubeDLCookieJar

from clipkit.errors import ClipkitError, OptionError
from clipkit.style import CaptionStyle

__all__ = [
    "BrowserSpec",
    "DownloadProgress",
    "FetchOptions",
    "FetchOutcome",
    "FetchResult",
    "ProgressCallback",
    "format_selector",
    "format_sort",
    "parse_browser_spec",
]

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*$")
#: yt-dlp's ``cookiesfrombrowser``: (browser, profile, keyring, container).
BrowserSpec = tuple[str, str | None, str | None, str | None]


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Everything a fetch can be told; the defaults are the ``clipkit fetch`` command's.

    Every value is checked when the options are made: a mistake is an
    :class:`~clipkit.errors.OptionError` naming the field.
    """

    out_dir: Path = Path("media")
    max_height: int = 1080  # pixels: the best video up to this height
    lang: str = "en"
    captions_only: bool = False
    cookies: Path | None = None  # a Netscape cookies.txt
    cookies_from_browser: str | None = None  # BROWSER[+KEYRING][:PROFILE][::CONTAINER]
    retries: int = 10  # per file, each resuming where the last attempt stopped
    socket_timeout: float = 30.0  # seconds
    style: CaptionStyle = field(default_factory=CaptionStyle)  # for the rebuilt captions

    def __post_init__(self) -> None:
        if self.max_height < 1:
            raise OptionError(
                "max_height",
                f"the video height limit must be at least 1 pixel, not {self.max_height}",
            )
        if not _LANG.match(self.lang):
            raise OptionError("lang", f"not a language code: {self.lang!r} (e.g. en, de, pt-BR)")
        if self.cookies is not None and self.cookies_from_browser is not None:
            raise OptionError(
                "cookies", "use either a cookies file or cookies from a browser, not both"
            )
        if self.retries < 0:
            raise OptionError("retries", f"retries must be 0 or more, not {self.retries}")
        if not self.socket_timeout > 0:
            raise OptionError(
                "socket_timeout",
                f"the network timeout must be above 0 s, not {self.socket_timeout:g}",
            )
        if self.cookies_from_browser is not None:
            parse_browser_spec(self.cookies_from_browser)
        if self.cookies is not None:
            _check_cookie_file(self.cookies)

    def as_manifest(self) -> dict[str, Any]:
        """The options as ``manifest.json`` records them."""
        return {
            "max_height": self.max_height,
            "lang": self.lang,
            "captions_only": self.captions_only,
            "cookies": str(self.cookies) if self.cookies else None,
            "cookies_from_browser": self.cookies_from_browser,
            "format": format_selector(self.max_height),
            "format_sort": list(format_sort(self.max_height)),
        }


def format_selector(max_height: int) -> str:
    """The yt-dlp format asked for: the best video up to ``max_height`` plus the best audio,
    merged; else a single file with both, for sites (and plain ``<video>`` pages) with only
    those."""
    return f"bv*[height<=?{max_height}]+ba/b[height<=?{max_height}]"


def format_sort(max_height: int) -> tuple[str, ...]:
    """Highest resolution up to ``max_height`` first; among equals H.264 then AAC, which
    clips then cut fast."""
    return (f"res:{max_height}", "vcodec:h264", "acodec:aac")


def parse_browser_spec(spec: str) -> BrowserSpec:
    """yt-dlp's ``BROWSER[+KEYRING][:PROFILE][::CONTAINER]`` as the tuple its API takes; an
    :class:`~clipkit.errors.OptionError` when it names no browser yt-dlp supports."""
    match = re.fullmatch(
        r"(?P<name>[^+:]+)(?:\s*\+\s*(?P<keyring>[^:]+))?"
        r"(?:\s*:\s*(?!:)(?P<profile>.+?))?(?:\s*::\s*(?P<container>.+))?",
        spec,
    )
    if match is None:
        raise OptionError("cookies_from_browser", f"not a browser spec: {spec!r}")
    name, keyring, profile, container = match.group("name", "keyring", "profile", "container")
    name = name.strip().lower()
    if name not in SUPPORTED_BROWSERS:
        raise OptionError(
            "cookies_from_browser",
            f"unsupported browser {name!r} (choose from {', '.join(sorted(SUPPORTED_BROWSERS))})",
        )
    if keyring is not None and keyring.upper() not in SUPPORTED_KEYRINGS:
        raise OptionError("cookies_from_browser", f"unsupported keyring {keyring!r}")
    return name, profile, keyring.upper() if keyring else None, container


def _check_cookie_file(path: Path) -> None:
    """An :class:`~clipkit.errors.OptionError` unless ``path`` is a cookies.txt yt-dlp loads."""
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the jar prints skipped lines
            YoutubeDLCookieJar(str(path)).load()
    except FileNotFoundError as exc:
        raise OptionError("cookies", f"{path}: no such cookies file") from exc
    except (OSError, ValueError) as exc:  # http.cookiejar.LoadError is an OSError
        raise OptionError(
            "cookies",
            f"{path}: not a Netscape cookies.txt file (export one from the browser, "
            "or take the cookies from the browser itself)",
        ) from exc


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """One progress report of one file being downloaded."""

    url: str
    filename: str
    status: Literal["downloading", "finished", "error"]
    downloaded_bytes: int
    total_bytes: int | None  # None when the server does not say (or only estimates)
    speed: float | None  # bytes per second
    eta: float | None  # seconds


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One video's folder, complete."""

    url: str
    video_id: str
    title: str
    folder: Path
    manifest: Path
    video: Path | None  # None with captions_only
    captions: tuple[Path, ...]  # the originals, preferred format first
    info_json: Path
    # what the post-steps made, by the name the manifest gives it (srt, vtt, highlights)
    outputs: tuple[tuple[str, Path | None], ...] = ()
    skipped: bool = False  # True when the folder was already complete

    def output(self, name: str) -> Path | None:
        """The file a post-step made under ``name``, or None (none made, or no such step)."""
        return dict(self.outputs).get(name)

    @property
    def srt(self) -> Path | None:
        """The rebuilt captions as SRT."""
        return self.output("srt")

    @property
    def vtt(self) -> Path | None:
        """The rebuilt captions as WebVTT."""
        return self.output("vtt")

    @property
    def highlights(self) -> Path | None:
        """The chapters as a highlight file; None when the video has no chapters."""
        return self.output("highlights")


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What happened to one video (or to a URL that did not get as far as a video)."""

    url: str
    result: FetchResult | None = None
    error: ClipkitError | None = None

    @property
    def ok(self) -> bool:
        """Whether the video was fetched (or found complete)."""
        return self.error is None
