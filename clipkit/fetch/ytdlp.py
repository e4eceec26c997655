"""The yt-dlp edge: a :class:`yt_dlp.YoutubeDL` set up for clipkit, and the few calls
made on it (look a URL up, download a caption track, download the video).

yt-dlp is used as a library, never as a subprocess; its logger keeps what it says and
prints nothing, its progress goes to a callback.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yt_dlp
import yt_dlp.utils
from yt_dlp.extractor import gen_extractor_classes

from clipkit.errors import DownloadError
from clipkit.fetch.failures import clean, translate
from clipkit.fetch.folder import FOLDER_FIELD, write_file
from clipkit.fetch.options import (
    DownloadProgress,
    FetchOptions,
    ProgressCallback,
    format_selector,
    format_sort,
    parse_browser_spec,
)

__all__ = [
    "Log",
    "download_caption",
    "download_video",
    "extract",
    "ffmpeg_available",
    "id_from_url",
    "youtube_dl",
]

_FOLDER = f"%({FOLDER_FIELD})s"


def ffmpeg_available() -> bool:
    """Whether ffmpeg is on PATH (yt-dlp needs it to merge video and audio)."""
    return shutil.which("ffmpeg") is not None


class Log:
    """yt-dlp's logger: keeps warnings and errors, prints nothing."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def debug(self, message: str) -> None:
        """Dropped: yt-dlp's chatter."""

    def info(self, message: str) -> None:
        """Dropped: yt-dlp's chatter."""

    def warning(self, message: str) -> None:
        """Kept, cleaned to one line, for the manifest and error messages."""
        self.warnings.append(clean(message))

    def error(self, message: str) -> None:
        """Kept, cleaned to one line: says why when yt-dlp's exception does not."""
        self.errors.append(clean(message))


@contextlib.contextmanager
def youtube_dl(
    options: FetchOptions, log: Log, url: str, progress: ProgressCallback | None
) -> Iterator[Any]:
    """A YoutubeDL for fetching ``url`` under ``options``, closed afterwards."""
    params = _params(options, log, url, progress)
    ydl = yt_dlp.YoutubeDL(params)
    try:
        yield ydl
    finally:
        # closing saves cookies back to the cookies file; failing that is no failed fetch
        with contextlib.suppress(yt_dlp.utils.YoutubeDLError, OSError):
            ydl.close()


def _params(
    options: FetchOptions, log: Log, url: str, progress: ProgressCallback | None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "logger": log,
        "quiet": True,
        "noprogress": True,
        "color": {"stdout": "no_color", "stderr": "no_color"},
        "outtmpl": {"default": f"{_escape_template(options.out_dir)}/{_FOLDER}/{_FOLDER}.%(ext)s"},
        "format": format_selector(options.max_height),
        "format_sort": list(format_sort(options.max_height)),
        "merge_output_format": "mp4",
        # a single-file download that is not MP4 (e.g. WebM) is remuxed, not re-encoded
        "postprocessors": [{"key": "FFmpegVideoRemuxer", "preferedformat": "mp4"}],
        "extract_flat": "in_playlist",
        "noplaylist": True,  # a watch URL with &list= means that video; a playlist URL still works
        "continuedl": True,
        "retries": options.retries,
        "fragment_retries": options.retries,
        "file_access_retries": 3,
        "socket_timeout": options.socket_timeout,
        "writesubtitles": False,  # captions are fetched by _download_caption
        "writeautomaticsub": False,
        "writeinfojson": False,
        "keepvideo": False,
        "progress_hooks": [_progress_hook(url, progress)] if progress else [],
        # YouTube needs a JavaScript runtime for its formats; yt-dlp only tries deno unless told
        "js_runtimes": _js_runtimes(),
    }
    if options.cookies is not None:
        params["cookiefile"] = str(options.cookies)
    if options.cookies_from_browser:
        params["cookiesfrombrowser"] = parse_browser_spec(options.cookies_from_browser)
    return params


def _js_runtimes() -> dict[str, dict[str, str]]:
    """Every JavaScript runtime yt-dlp supports that is on PATH (it checks their versions)."""
    executables = {"deno": "deno", "node": "node", "bun": "bun", "quickjs": "qjs"}
    found: dict[str, dict[str, str]] = {
        name: {} for name, exe in executables.items() if shutil.which(exe)
    }
    return found or {"deno": {}}


def _escape_template(path: Path) -> str:
    return str(path).replace("%", "%%")


def _progress_hook(url: str, progress: ProgressCallback) -> Callable[[dict[str, Any]], None]:
    def hook(report: dict[str, Any]) -> None:
        status = report.get("status")
        if status not in ("downloading", "finished", "error"):
            return
        total = report.get("total_bytes") or report.get("total_bytes_estimate")
        progress(
            DownloadProgress(
                url=url,
                filename=str(report.get("filename") or report.get("tmpfilename") or ""),
                status=status,
                downloaded_bytes=int(report.get("downloaded_bytes") or 0),
                total_bytes=int(total) if total else None,
                speed=_number(report.get("speed")),
                eta=_number(report.get("eta")),
            )
        )

    return hook


def id_from_url(url: str) -> str | None:
    """The video id a URL names by itself (no request), if a specific extractor knows it."""
    for extractor in gen_extractor_classes():
        if extractor.ie_key() == "Generic":
            continue
        try:
            if extractor.suitable(url):
                temp_id = extractor.get_temp_id(url)
                return str(temp_id) if temp_id else None
        except Exception:  # a third-party extractor's URL regex must not stop a fetch
            continue
    return None


def extract(ydl: Any, url: str, log: Log) -> dict[str, Any]:
    """What yt-dlp knows of ``url`` (a video, or a playlist of entries), nothing downloaded."""
    try:
        info = ydl.extract_info(url, download=False)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise translate(url, exc, log.errors) from exc
    if not isinstance(info, dict):
        raise DownloadError(url, "no video found at this address")
    return info


def download_caption(
    ydl: Any, url: str, info: Mapping[str, Any], fmt: Mapping[str, Any], path: Path, log: Log
) -> Path:
    """One caption track (a yt-dlp subtitle format) into ``path``, unless already there."""
    if path.is_file() and path.stat().st_size > 0:
        return path
    if fmt.get("data") is not None:
        write_file(url, path, str(fmt["data"]).encode("utf-8"))
        return path
    request = dict(fmt)
    request.setdefault("http_headers", info.get("http_headers"))
    try:
        # yt-dlp's own downloader: same cookies, headers, retries and .part handling as the video
        ok = ydl.dl(str(path), request, subtitle=True)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise translate(url, exc, log.errors, what="captions") from exc
    if not ok or not path.is_file():
        raise DownloadError(url, f"could not download the captions ({path.name})")
    return path


def download_video(
    ydl: Any, url: str, info: dict[str, Any], folder: Path, stem: str, log: Log
) -> Path:
    """The video as ``folder/stem.mp4`` (merged, or remuxed, by ffmpeg), unless already there."""
    target = folder / f"{stem}.mp4"
    if target.is_file() and target.stat().st_size > 0:
        return target  # only ever renamed into place once whole
    try:
        ydl.process_ie_result({**info, FOLDER_FIELD: stem}, download=True)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise translate(url, exc, log.errors, what="video") from exc
    if not target.is_file():
        made = sorted(p.name for p in folder.glob(f"{stem}.*") if p.suffix not in (".part",))
        raise DownloadError(url, f"the download gave no {target.name} (found: {', '.join(made)})")
    return target


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
