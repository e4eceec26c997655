"""The yt-dlp edge: fetch a talk, its captions and its metadata into one folder per video.

    >>> from clipkit.fetch import FetchOptions, fetch
    >>> for outcome in fetch(["https://www.youtube.com/watch?v=avWhreBUYF0"]):  # doctest: +SKIP
    ...     print(outcome.result or outcome.error)

Per video, ``<out_dir>/<video id>/`` (the id made a safe file name by :func:`folder_name`) receives:

- ``<id>.mp4``: best video up to ``max_height`` plus best audio, merged by ffmpeg, H.264/AAC
  preferred (clips then cut without re-encoding);
- ``<id>.<lang>.original.json3`` and/or ``<id>.<lang>.original.vtt``: the captions as the site
  serves them (the uploader's own in ``lang`` when there are any, else the automatic ones);
- ``<id>.info.json``: the metadata yt-dlp extracted (title, duration, uploader, chapters...);
- ``<id>.<lang>.srt`` and ``<id>.<lang>.vtt``: the captions rebuilt by :mod:`clipkit.convert`;
- ``chapters.highlights.yaml``: the video's chapters as a highlight file, when it has chapters;
- ``manifest.json``: what was fetched, from where, when and with which options.  It is written
  last, so a folder with a manifest is complete; a rerun skips it without downloading anything.

yt-dlp is used as a library (:class:`yt_dlp.YoutubeDL`), never as a subprocess.  Downloads go to
``*.part`` files that resume on the next run; final names appear only once a file is whole.
Nothing here prints or exits: progress goes to a callback, failures are raised (or returned, in
a batch) as :class:`~clipkit.errors.DownloadError`, one line each.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
import yt_dlp
import yt_dlp.utils

from clipkit.errors import ClipkitError, DownloadError, InvalidValueError
from clipkit.style import CaptionStyle

__all__ = [
    "FFMPEG_INSTALL_HINT",
    "HIGHLIGHTS_NAME",
    "MANIFEST_NAME",
    "DownloadProgress",
    "FetchOptions",
    "FetchOutcome",
    "FetchResult",
    "chapters_to_highlights",
    "check_cookie_file",
    "fetch",
    "fetch_one",
    "ffmpeg_available",
    "folder_name",
    "highlights_yaml",
    "read_url_list",
]

MANIFEST_NAME = "manifest.json"
HIGHLIGHTS_NAME = "chapters.highlights.yaml"
MANIFEST_VERSION = 1
FFMPEG_INSTALL_HINT = (
    "ffmpeg is not installed (needed to merge video and audio): "
    "install it with `sudo apt-get install ffmpeg`"
)
# Caption formats to keep, preferred first: json3 has exact word times, VTT is what players and
# editors read.  When a site offers neither, the first format here that it does offer is taken.
CAPTION_FORMATS: tuple[str, ...] = ("json3", "vtt")
FALLBACK_CAPTION_FORMATS: tuple[str, ...] = ("srt",)
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*$")
# The folder of a video is named by folder_name(), handed to yt-dlp's template in this field.
FOLDER_FIELD = "clipkit_folder"
_FOLDER = f"%({FOLDER_FIELD})s"
FOLDER_NAME_MAX = 80
_UNSAFE_NAME = re.compile(r"[^\w.-]+")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Everything ``clipkit fetch`` can be told; the defaults are the CLI's."""

    out_dir: Path = Path("media")
    max_height: int = 1080
    lang: str = "en"
    captions_only: bool = False
    cookies: Path | None = None  # a Netscape cookies.txt
    cookies_from_browser: str | None = None  # BROWSER[+KEYRING][:PROFILE][::CONTAINER]
    retries: int = 10  # per file, each resuming where the last attempt stopped
    socket_timeout: float = 30.0
    style: CaptionStyle = field(default_factory=CaptionStyle)

    def __post_init__(self) -> None:
        if self.max_height < 1:
            raise InvalidValueError(f"max_height must be positive (got {self.max_height})")
        if not _LANG.match(self.lang):
            raise InvalidValueError(f"not a language code: {self.lang!r} (e.g. en, de, pt-BR)")
        if self.cookies is not None and self.cookies_from_browser is not None:
            raise InvalidValueError("use either a cookies file or cookies from a browser, not both")
        if self.retries < 0:
            raise InvalidValueError(f"retries must not be negative (got {self.retries})")

    def as_manifest(self) -> dict[str, Any]:
        return {
            "max_height": self.max_height,
            "lang": self.lang,
            "captions_only": self.captions_only,
            "cookies": str(self.cookies) if self.cookies else None,
            "cookies_from_browser": self.cookies_from_browser,
            "format": _format_selector(self.max_height),
            "format_sort": list(_format_sort(self.max_height)),
        }


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
    srt: Path
    vtt: Path
    info_json: Path
    highlights: Path | None  # None when the video has no chapters
    skipped: bool = False  # True when the folder was already complete


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What happened to one video (or to a URL that did not get as far as a video)."""

    url: str
    result: FetchResult | None = None
    error: ClipkitError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --------------------------------------------------------------------------- public API


def fetch(
    urls: Iterable[str],
    options: FetchOptions | None = None,
    progress: ProgressCallback | None = None,
) -> Iterator[FetchOutcome]:
    """Fetch every video behind ``urls`` (a playlist gives several), one outcome each.

    A failed video is reported as an outcome with an error and the batch goes on.
    """
    options = options or FetchOptions()
    if options.cookies is not None:
        check_cookie_file(options.cookies)
    for url in urls:
        yield from _fetch_url(url.strip(), options, progress)


def fetch_one(
    url: str, options: FetchOptions | None = None, progress: ProgressCallback | None = None
) -> FetchResult:
    """Fetch the one video behind ``url``; raise :class:`DownloadError` if that fails."""
    outcomes = list(fetch([url], options, progress))
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    if len(outcomes) != 1 or outcomes[0].result is None:
        raise DownloadError(url, f"expected one video, found {len(outcomes)}")
    return outcomes[0].result


def read_url_list(path: str | Path) -> list[str]:
    """The URLs of a batch file: one a line; blank lines and ``#``/``;``/``]`` comments skipped.

    For standard input, pass its text to :func:`parse_url_list`.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DownloadError(str(path), f"cannot read the URL list: {reason}") from exc
    return parse_url_list(text)


def parse_url_list(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", ";", "]"))
    ]


def check_cookie_file(path: str | Path) -> None:
    """Raise :class:`DownloadError` unless ``path`` is a cookies.txt yt-dlp can load."""
    from yt_dlp.cookies import YoutubeDLCookieJar

    try:
        with contextlib.redirect_stderr(io.StringIO()):  # the jar prints skipped lines
            YoutubeDLCookieJar(str(path)).load()
    except FileNotFoundError as exc:
        raise DownloadError(str(path), "no such cookies file") from exc
    except (OSError, ValueError) as exc:  # http.cookiejar.LoadError is an OSError
        raise DownloadError(
            str(path),
            "not a Netscape cookies.txt file (export one from the browser, "
            "or use --cookies-from-browser)",
        ) from exc


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def chapters_to_highlights(chapters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """yt-dlp chapters as a highlight file (the clip command's format), one highlight each."""
    highlights: list[dict[str, Any]] = []
    for number, chapter in enumerate(chapters, 1):
        start, end = chapter.get("start_time"), chapter.get("end_time")
        if not isinstance(start, int | float) or not isinstance(end, int | float) or end <= start:
            continue
        title = str(chapter.get("title") or "").strip() or f"Chapter {number}"
        highlights.append(
            {
                "title": title,
                "start": _Time(_clock(round(start * 1000))),
                "end": _Time(_clock(round(end * 1000))),
                "pad": 0.0,  # chapter boundaries are exact: no lead-in or tail
            }
        )
    return {"highlights": highlights}


def highlights_yaml(chapters: Sequence[Mapping[str, Any]]) -> str:
    """The highlight file for ``chapters``, times quoted (a bare 12:30 is a number in YAML 1.1)."""
    header = "# The video's chapters, one highlight each (written by clipkit fetch).\n"
    body = yaml.dump(
        chapters_to_highlights(chapters),
        Dumper=_HighlightDumper,
        sort_keys=False,
        allow_unicode=True,
        width=1000,
    )
    return header + body


class _Time(str):
    """A clock time, always written quoted."""

    __slots__ = ()


class _HighlightDumper(yaml.SafeDumper):
    pass


def _quoted_time(dumper: yaml.SafeDumper, value: _Time) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_HighlightDumper.add_representer(_Time, _quoted_time)


# --------------------------------------------------------------------------- one URL


def _fetch_url(
    url: str, options: FetchOptions, progress: ProgressCallback | None
) -> Iterator[FetchOutcome]:
    log = _Log()
    try:
        with _youtube_dl(_params(options, log, url, progress)) as ydl:
            # A URL that names its video (YouTube's do) and whose folder is complete costs no
            # request at all, so a rerun works offline too.
            known_id = _id_from_url(url)
            if known_id is not None:
                done = _completed(ydl, url, known_id, options)
                if done is not None:
                    yield FetchOutcome(url, done)
                    return
            info = _extract(ydl, url, log)
            if info.get("_type") in ("playlist", "multi_video"):
                yield from _fetch_entries(ydl, url, info, options, log, progress)
                return
            yield _outcome(url, lambda: _fetch_video(ydl, url, info, options, log, progress))
    except DownloadError as exc:  # the URL failed before reaching a video
        yield FetchOutcome(url, error=exc)
    except OSError as exc:
        yield FetchOutcome(url, error=_os_error(url, exc))


@contextlib.contextmanager
def _youtube_dl(params: dict[str, Any]) -> Iterator[Any]:
    ydl = yt_dlp.YoutubeDL(params)
    try:
        yield ydl
    finally:
        # closing saves cookies back to the cookies file; failing that is no failed fetch
        with contextlib.suppress(yt_dlp.utils.YoutubeDLError, OSError):
            ydl.close()


def _fetch_entries(
    ydl: Any,
    url: str,
    playlist: Mapping[str, Any],
    options: FetchOptions,
    log: _Log,
    progress: ProgressCallback | None,
) -> Iterator[FetchOutcome]:
    entries = [entry for entry in playlist.get("entries") or [] if entry]
    if not entries:
        yield FetchOutcome(url, error=DownloadError(url, "the playlist has no videos"))
        return
    for entry in entries:
        entry_url = str(entry.get("webpage_url") or entry.get("url") or url)

        def run(entry: dict[str, Any] = entry, entry_url: str = entry_url) -> FetchResult:
            entry_id = str(entry.get("id") or "")
            try:
                if entry.get("_type") in ("url", "url_transparent"):
                    done = _completed(ydl, entry_url, entry_id, options)
                    if done is not None:
                        return done
                    entry = _extract(ydl, str(entry["url"]), log)
                return _fetch_video(ydl, entry_url, entry, options, log, progress)
            except DownloadError as exc:
                if entry_url != url or not entry_id:
                    raise
                # several videos on one page share its URL: say which one failed
                raise DownloadError(url, f"video {entry_id}: {exc.message}") from exc

        yield _outcome(entry_url, run)


def _outcome(url: str, run: Callable[[], FetchResult]) -> FetchOutcome:
    try:
        return FetchOutcome(url, run())
    except DownloadError as exc:
        return FetchOutcome(url, error=exc)
    except ClipkitError as exc:
        return FetchOutcome(url, error=DownloadError(url, str(exc)))
    except OSError as exc:
        return FetchOutcome(url, error=_os_error(url, exc))


def _extract(ydl: Any, url: str, log: _Log) -> dict[str, Any]:
    try:
        info = ydl.extract_info(url, download=False)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise _translate(url, exc, log) from exc
    if not isinstance(info, dict):
        raise DownloadError(url, "no video found at this address")
    return info


# --------------------------------------------------------------------------- one video


def _fetch_video(
    ydl: Any,
    url: str,
    info: dict[str, Any],
    options: FetchOptions,
    log: _Log,
    progress: ProgressCallback | None,
) -> FetchResult:
    video_id = str(info.get("id") or "")
    if not video_id:
        raise DownloadError(url, "the site gave no video id")
    done = _completed(ydl, url, video_id, options)
    if done is not None:
        return done
    try:
        choice = _choose_captions(url, info, options.lang)
    except DownloadError as exc:
        withheld = next((w for w in log.warnings if "PO token" in w), None)
        if withheld is None:
            raise
        raise DownloadError(url, f"{exc.message}; yt-dlp says: {withheld}") from exc
    if not options.captions_only and not ffmpeg_available():
        raise DownloadError(url, FFMPEG_INSTALL_HINT)

    folder, stem = _folder_and_stem(ydl, url, video_id, options.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    captions = tuple(
        _download_caption(
            ydl, url, info, fmt, folder / f"{stem}.{options.lang}.original.{ext}", log
        )
        for ext, fmt in choice.formats
    )
    video = None if options.captions_only else _download_video(ydl, url, info, folder, stem, log)

    info_json = folder / f"{stem}.info.json"
    _write(url, info_json, _json_bytes(ydl.sanitize_info(info)))
    srt, vtt = _rebuild(url, captions[0], folder / f"{stem}.{options.lang}", options.style)
    chapters = info.get("chapters") or []
    highlights = None
    if chapters:
        highlights = folder / HIGHLIGHTS_NAME
        _write(url, highlights, highlights_yaml(chapters).encode("utf-8"))

    result = FetchResult(
        url=url,
        video_id=video_id,
        title=str(info.get("title") or video_id),
        folder=folder,
        manifest=folder / MANIFEST_NAME,
        video=video,
        captions=captions,
        srt=srt,
        vtt=vtt,
        info_json=info_json,
        highlights=highlights,
    )
    _write(result.url, result.manifest, _json_bytes(_manifest(result, info, choice, options, log)))
    return result


CaptionKind = Literal["uploader", "automatic"]


@dataclass(frozen=True, slots=True)
class _CaptionChoice:
    language: str  # the site's key, e.g. "en", "en-US", "en-orig"
    kind: CaptionKind
    formats: tuple[tuple[str, dict[str, Any]], ...]  # (ext, yt-dlp format), preferred first


def _choose_captions(url: str, info: Mapping[str, Any], lang: str) -> _CaptionChoice:
    """The uploader's captions in ``lang`` if any, else the automatic ones."""
    sources: tuple[tuple[CaptionKind, Mapping[str, Any]], ...] = (
        ("uploader", info.get("subtitles") or {}),
        ("automatic", info.get("automatic_captions") or {}),
    )
    for kind, tracks in sources:
        key = _match_language(lang, list(tracks))
        if key is None:
            continue
        by_ext = {
            str(fmt.get("ext") or ""): fmt
            for fmt in tracks[key]
            if fmt.get("url") or fmt.get("data")
        }
        wanted = [ext for ext in CAPTION_FORMATS if ext in by_ext]
        if not wanted:
            wanted = [ext for ext in FALLBACK_CAPTION_FORMATS if ext in by_ext][:1]
        if wanted:
            return _CaptionChoice(key, kind, tuple((ext, by_ext[ext]) for ext in wanted))
        offered = ", ".join(sorted(by_ext)) or "none"
        raise DownloadError(
            url, f"captions in {key!r} only come as {offered}; clipkit reads json3, vtt or srt"
        )
    available = sorted(set(info.get("subtitles") or {}) | set(info.get("automatic_captions") or {}))
    listed = f" (available: {', '.join(available[:15])}{', ...' if len(available) > 15 else ''})"
    raise DownloadError(url, f"no captions in {lang!r}{listed if available else ''}")


def _match_language(lang: str, keys: Sequence[str]) -> str | None:
    """``en`` matches ``en``, then ``en-orig`` (YouTube's untranslated ASR), then ``en-*``."""
    lowered = {key.lower(): key for key in keys}
    wanted = lang.lower()
    for candidate in (wanted, f"{wanted}-orig"):
        if candidate in lowered:
            return lowered[candidate]
    regional = sorted(key for low, key in lowered.items() if low.startswith(f"{wanted}-"))
    return regional[0] if regional else None


def _download_caption(
    ydl: Any, url: str, info: Mapping[str, Any], fmt: Mapping[str, Any], path: Path, log: _Log
) -> Path:
    if path.is_file() and path.stat().st_size > 0:
        return path
    if fmt.get("data") is not None:
        _write(url, path, str(fmt["data"]).encode("utf-8"))
        return path
    request = dict(fmt)
    request.setdefault("http_headers", info.get("http_headers"))
    try:
        # yt-dlp's own downloader: same cookies, headers, retries and .part handling as the video
        ok = ydl.dl(str(path), request, subtitle=True)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise _translate(url, exc, log, what="captions") from exc
    if not ok or not path.is_file():
        raise DownloadError(url, f"could not download the captions ({path.name})")
    return path


def _download_video(
    ydl: Any, url: str, info: dict[str, Any], folder: Path, stem: str, log: _Log
) -> Path:
    target = folder / f"{stem}.mp4"
    if target.is_file() and target.stat().st_size > 0:
        return target  # only ever renamed into place once whole
    try:
        ydl.process_ie_result({**info, FOLDER_FIELD: stem}, download=True)
    except yt_dlp.utils.YoutubeDLError as exc:
        raise _translate(url, exc, log, what="video") from exc
    if not target.is_file():
        made = sorted(p.name for p in folder.glob(f"{stem}.*") if p.suffix not in (".part",))
        raise DownloadError(url, f"the download gave no {target.name} (found: {', '.join(made)})")
    return target


def _rebuild(url: str, source: Path, base: Path, style: CaptionStyle) -> tuple[Path, Path]:
    from clipkit.convert import convert_file

    outputs = []
    for to in ("srt", "vtt"):
        target = base.with_name(f"{base.name}.{to}")
        try:
            outputs.append(convert_file(source, target, to=to, style=style))
        except ClipkitError as exc:
            raise DownloadError(url, f"captions fetched but not rebuilt: {exc}") from exc
    return outputs[0], outputs[1]


# --------------------------------------------------------------------------- completeness


def folder_name(video_id: str) -> str:
    """The folder (and file stem) of a video: its id, when that is a plain file name.

    Ids come from the site, or from the URL itself (yt-dlp's generic extractor takes the
    last ``/`` segment, query and fragment included, so ``a.m3u8?x=/..`` has the id ``..``).
    Anything but letters, digits, ``_``, ``-`` and ``.`` becomes ``_``; leading dots and
    dashes go (never ``.``, ``..``, a hidden folder or an option); the length is capped.
    A changed id gets a hash of the real one, so two ids never share a folder.
    """
    name = _UNSAFE_NAME.sub("_", video_id).lstrip(".-")
    if name and name == video_id and len(name) <= FOLDER_NAME_MAX:
        return name
    digest = hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name[:FOLDER_NAME_MAX].rstrip('.-') or 'video'}-{digest}"


def _folder_and_stem(ydl: Any, url: str, video_id: str, out_dir: Path) -> tuple[Path, str]:
    """Where this video goes, ``<out_dir>/<name>/<name>.mp4``; checked to be inside ``out_dir``.

    The folder must be an entry of ``out_dir`` itself, also once links are followed: a link
    planted there that points elsewhere is refused rather than written through.
    """
    name = folder_name(video_id)
    planned = Path(ydl.prepare_filename({"id": video_id, FOLDER_FIELD: name, "ext": "mp4"}))
    folder = out_dir / name
    if planned != folder / f"{name}.mp4":
        raise DownloadError(url, f"{planned}: refusing to write outside {folder}")
    if folder.resolve().parent != out_dir.resolve():
        raise DownloadError(url, f"{folder}: a link out of {out_dir}; refusing to write through it")
    return folder, name


def _plain_name(name: object) -> bool:
    """A file name of the folder itself (a manifest names no path elsewhere)."""
    return isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name


def _completed(ydl: Any, url: str, video_id: str, options: FetchOptions) -> FetchResult | None:
    """The finished result if ``video_id`` was fetched before and is still whole, else None."""
    if not video_id:
        return None
    folder, _ = _folder_and_stem(ydl, url, video_id, options.out_dir)
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("status") != "complete":
        return None
    fetched, files, sizes = (manifest.get(key) or {} for key in ("options", "files", "sizes"))
    if not all(isinstance(part, dict) for part in (fetched, files, sizes)):
        return None
    if fetched.get("lang") != options.lang:
        return None
    if not options.captions_only and not files.get("video"):
        return None  # fetched captions only before; the video is wanted now
    captions = files.get("captions") or []
    named = [*sizes, *(captions if isinstance(captions, list) else [None])]
    named += [value for key, value in files.items() if key != "captions" and value is not None]
    if not all(_plain_name(name) for name in named):
        return None  # names a path elsewhere: fetch again rather than trust it
    for name, size in sizes.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            return None

    def path_of(key: str) -> Path | None:
        name = files.get(key)
        return folder / name if isinstance(name, str) else None

    srt, vtt, info_json = path_of("srt"), path_of("vtt"), path_of("info_json")
    if srt is None or vtt is None or info_json is None:
        return None
    return FetchResult(
        url=url,
        video_id=str(manifest.get("id") or video_id),
        title=str(manifest.get("title") or video_id),
        folder=folder,
        manifest=folder / MANIFEST_NAME,
        video=path_of("video"),
        captions=tuple(folder / str(name) for name in files.get("captions") or []),
        srt=srt,
        vtt=vtt,
        info_json=info_json,
        highlights=path_of("highlights"),
        skipped=True,
    )


def _manifest(
    result: FetchResult,
    info: Mapping[str, Any],
    choice: _CaptionChoice,
    options: FetchOptions,
    log: _Log,
) -> dict[str, Any]:
    def name(path: Path | None) -> str | None:
        return path.name if path is not None else None

    files: dict[str, Any] = {
        "video": name(result.video),
        "captions": [path.name for path in result.captions],
        "info_json": result.info_json.name,
        "srt": result.srt.name,
        "vtt": result.vtt.name,
        "highlights": name(result.highlights),
    }
    listed = [result.video, *result.captions, result.info_json, result.srt, result.vtt]
    listed.append(result.highlights)
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": "complete",
        "id": result.video_id,
        "title": result.title,
        "url": result.url,
        "webpage_url": info.get("webpage_url"),
        "extractor": info.get("extractor_key") or info.get("extractor"),
        "uploader": info.get("uploader"),
        "duration": info.get("duration"),
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "tool": {"yt_dlp": yt_dlp.version.__version__, "clipkit_fetch": MANIFEST_VERSION},
        "options": options.as_manifest(),
        "captions": {
            "language": choice.language,
            "kind": choice.kind,
            "formats": [ext for ext, _ in choice.formats],
        },
        "video_format": _video_format(info) if result.video else None,
        "files": files,
        "sizes": {path.name: path.stat().st_size for path in listed if path is not None},
        "warnings": log.warnings[-20:],
    }


def _video_format(info: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen format; for a merge, the codecs come from its video and audio parts."""
    parts = [info, *(info.get("requested_formats") or [])]

    def codec(key: str) -> Any:
        return next((p.get(key) for p in parts if p.get(key) not in (None, "none")), None)

    chosen = {key: info.get(key) for key in ("format_id", "width", "height", "fps")}
    return {**chosen, "vcodec": codec("vcodec"), "acodec": codec("acodec")}


# --------------------------------------------------------------------------- yt-dlp plumbing


class _Log:
    """yt-dlp's logger: keeps warnings and errors, prints nothing."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def debug(self, message: str) -> None:
        pass

    def info(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        self.warnings.append(_clean(message))

    def error(self, message: str) -> None:
        self.errors.append(_clean(message))


def _format_selector(max_height: int) -> str:
    # bv*+ba: the best video (up to max_height) plus the best audio, merged; b: a single file
    # with both, for sites (and plain <video> pages) that only have those.
    return f"bv*[height<=?{max_height}]+ba/b[height<=?{max_height}]"


def _format_sort(max_height: int) -> tuple[str, ...]:
    # Highest resolution up to max_height first; among equals H.264 then AAC, which cut fast.
    return (f"res:{max_height}", "vcodec:h264", "acodec:aac")


def _params(
    options: FetchOptions, log: _Log, url: str, progress: ProgressCallback | None
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "logger": log,
        "quiet": True,
        "noprogress": True,
        "color": {"stdout": "no_color", "stderr": "no_color"},
        "outtmpl": {"default": f"{_escape_template(options.out_dir)}/{_FOLDER}/{_FOLDER}.%(ext)s"},
        "format": _format_selector(options.max_height),
        "format_sort": list(_format_sort(options.max_height)),
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
        params["cookiesfrombrowser"] = _browser_spec(options.cookies_from_browser)
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


def _browser_spec(spec: str) -> tuple[str, str | None, str | None, str | None]:
    """yt-dlp's ``BROWSER[+KEYRING][:PROFILE][::CONTAINER]`` as the tuple its API takes."""
    from yt_dlp.cookies import SUPPORTED_BROWSERS, SUPPORTED_KEYRINGS

    match = re.fullmatch(
        r"(?P<name>[^+:]+)(?:\s*\+\s*(?P<keyring>[^:]+))?"
        r"(?:\s*:\s*(?!:)(?P<profile>.+?))?(?:\s*::\s*(?P<container>.+))?",
        spec,
    )
    if match is None:
        raise InvalidValueError(f"not a browser spec: {spec!r}")
    name, keyring, profile, container = match.group("name", "keyring", "profile", "container")
    name = name.strip().lower()
    if name not in SUPPORTED_BROWSERS:
        raise InvalidValueError(
            f"unsupported browser {name!r} (choose from {', '.join(sorted(SUPPORTED_BROWSERS))})"
        )
    if keyring is not None and keyring.upper() not in SUPPORTED_KEYRINGS:
        raise InvalidValueError(f"unsupported keyring {keyring!r}")
    return name, profile, keyring.upper() if keyring else None, container


def browser_spec_error(spec: str) -> str | None:
    """Why ``spec`` is not a valid ``--cookies-from-browser`` value (None if it is)."""
    try:
        _browser_spec(spec)
    except ValueError as exc:
        return str(exc)
    return None


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
                speed=_float(report.get("speed")),
                eta=_float(report.get("eta")),
            )
        )

    return hook


def _id_from_url(url: str) -> str | None:
    """The video id a URL names by itself (no request), if a specific extractor knows it."""
    from yt_dlp.extractor import gen_extractor_classes

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


def _translate(
    url: str, exc: yt_dlp.utils.YoutubeDLError, log: _Log, what: str = ""
) -> DownloadError:
    """yt-dlp's error as one clear line."""
    cause = _root_cause(exc)
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        return DownloadError(url, "disk full (no space left on device); free some space and rerun")
    status = getattr(cause, "status", None) or getattr(cause, "code", None)
    message = _clean(str(exc.msg if hasattr(exc, "msg") and exc.msg else exc))
    lowered = message.lower()
    if "no space left on device" in lowered:
        return DownloadError(url, "disk full (no space left on device); free some space and rerun")
    if isinstance(status, int) and status >= 400:
        reason = getattr(cause, "reason", "") or ""
        where = f" for the {what}" if what else ""
        reason_text = f" {reason}" if reason else ""
        return DownloadError(url, f"HTTP error {status}{reason_text}{where}")
    if "private video" in lowered or "sign in" in lowered:
        message = re.split(r"\.\s+Use --cookies", message)[0].rstrip(". ")
        return DownloadError(url, f"{message} (try --cookies FILE or --cookies-from-browser NAME)")
    network = (
        "connection refused",
        "name or service not known",
        "temporary failure in name resolution",
        "network is unreachable",
        "timed out",
        "failed to resolve",
        "no route to host",
        "connection reset",
    )
    if any(marker in lowered for marker in network):
        return DownloadError(url, f"network error: {_network_reason(message)}")
    dropped = ("content too short", "giving up after", "more expected", "incompleteread")
    if any(marker in lowered for marker in dropped):
        detail = re.sub(r"^\[download\]\s*(Got error:\s*)?", "", message)
        return DownloadError(
            url, f"the connection dropped mid-file ({detail}); rerun to resume the .part file"
        )
    return DownloadError(url, message or (log.errors[-1] if log.errors else "download failed"))


def _network_reason(message: str) -> str:
    """``cannot reach HOST:PORT (REASON)`` out of urllib3/requests' long connection errors."""
    host = re.search(r"host='([^']+)'(?:,\s*port=(\d+))?", message)
    reasons = re.findall(r"\[Errno -?\d+\]\s*([^)\]']+)", message)
    reason = reasons[-1].strip() if reasons else ""
    if "timed out" in message.lower() and not reason:
        reason = "timed out"
    if host is None or not reason:
        return message
    where = f"{host[1]}:{host[2]}" if host[2] else host[1]
    return f"cannot reach {where} ({reason}; is the network up?)"


def _root_cause(exc: BaseException) -> BaseException | None:
    exc_info = getattr(exc, "exc_info", None)
    cause: BaseException | None = exc_info[1] if exc_info else exc.__cause__ or exc.__context__
    seen = 0
    while cause is not None and seen < 10:
        deeper = getattr(cause, "exc_info", None)
        inner = deeper[1] if deeper else None
        inner = inner or getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        if not isinstance(inner, BaseException):
            break
        cause, seen = inner, seen + 1
    return cause


def _clean(message: str) -> str:
    """One line, without yt-dlp's ``ERROR:`` prefix, colours or ``(caused by ...)`` tail."""
    text = _ANSI.sub("", str(message)).replace("\r", " ")
    text = re.sub(r"^\s*(ERROR|WARNING):\s*", "", text)
    text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    text = re.sub(r"\s*\(caused by .*$", "", text)
    text = re.sub(r";\s*please report this issue on .*$", "", text)
    return text.strip()


def _os_error(url: str, exc: OSError) -> DownloadError:
    if exc.errno == errno.ENOSPC:
        return DownloadError(url, "disk full (no space left on device); free some space and rerun")
    where = f"{exc.filename}: " if exc.filename else ""
    return DownloadError(url, f"{where}{exc.strerror or exc}")


def _write(url: str, path: Path, data: bytes) -> None:
    from clipkit.fileio import atomic_write_bytes

    try:
        atomic_write_bytes(path, data)
    except ClipkitError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError):
            raise _os_error(url, cause) from exc
        raise DownloadError(url, str(exc)) from exc


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _clock(ms: int) -> str:
    """``MM:SS`` for whole seconds under an hour, else ``HH:MM:SS.mmm``."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    if hours == 0 and millis == 0:
        return f"{minutes:02d}:{seconds:02d}"
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
