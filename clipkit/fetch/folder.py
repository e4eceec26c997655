"""A video's folder: its name, what ``manifest.json`` says of it, and writing into it.

A folder with a ``manifest.json`` is complete (the manifest is written last); a rerun finds
it by :func:`completed` and downloads nothing.  A manifest that names a file elsewhere is not
trusted: the video is fetched again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yt_dlp

from clipkit.errors import ClipkitError, DownloadError
from clipkit.fetch.captions import CaptionChoice
from clipkit.fetch.failures import os_error
from clipkit.fetch.options import FetchOptions, FetchResult
from clipkit.fileio import atomic_write_bytes

__all__ = [
    "FOLDER_FIELD",
    "FOLDER_NAME_MAX",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "completed",
    "folder_and_stem",
    "folder_name",
    "json_bytes",
    "manifest",
    "write_file",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
#: The field of yt-dlp's output template that names a video's folder (see folder_name).
FOLDER_FIELD = "clipkit_folder"
FOLDER_NAME_MAX = 80
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


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


def folder_and_stem(ydl: Any, url: str, video_id: str, out_dir: Path) -> tuple[Path, str]:
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


def completed(
    ydl: Any,
    url: str,
    video_id: str,
    options: FetchOptions,
    outputs: Sequence[str],
    required: Sequence[str],
) -> FetchResult | None:
    """The finished result if ``video_id`` was fetched before and is still whole, else None.

    Whole: the manifest says so, for the same language (and with the video, if it is
    wanted now), names a file for each of ``required`` (what the post-steps always make),
    and every file it names is in the folder at the size it records.  ``outputs`` (all
    the post-steps may make) are the result's.
    """
    if not video_id:
        return None
    folder, _ = folder_and_stem(ydl, url, video_id, options.out_dir)
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

    info_json = path_of("info_json")
    if info_json is None or not all(path_of(name) is not None for name in required):
        return None  # an output a post-step always makes is missing: it has to be made
    return FetchResult(
        url=url,
        video_id=str(manifest.get("id") or video_id),
        title=str(manifest.get("title") or video_id),
        folder=folder,
        manifest=folder / MANIFEST_NAME,
        video=path_of("video"),
        captions=tuple(folder / str(name) for name in files.get("captions") or []),
        info_json=info_json,
        outputs=tuple((name, path_of(name)) for name in outputs),
        skipped=True,
    )


def manifest(
    result: FetchResult,
    info: Mapping[str, Any],
    choice: CaptionChoice,
    options: FetchOptions,
    warnings: Sequence[str],
) -> dict[str, Any]:
    """What ``manifest.json`` says of a fetched video."""

    def name(path: Path | None) -> str | None:
        return path.name if path is not None else None

    files: dict[str, Any] = {
        "video": name(result.video),
        "captions": [path.name for path in result.captions],
        "info_json": result.info_json.name,
        **{key: name(path) for key, path in result.outputs},
    }
    listed = [result.video, *result.captions, result.info_json]
    listed += [path for _, path in result.outputs]
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
        "warnings": list(warnings[-20:]),
    }


def _video_format(info: Mapping[str, Any]) -> dict[str, Any]:
    """The chosen format; for a merge, the codecs come from its video and audio parts."""
    parts = [info, *(info.get("requested_formats") or [])]

    def codec(key: str) -> Any:
        return next((p.get(key) for p in parts if p.get(key) not in (None, "none")), None)

    chosen = {key: info.get(key) for key in ("format_id", "width", "height", "fps")}
    return {**chosen, "vcodec": codec("vcodec"), "acodec": codec("acodec")}


def write_file(url: str, path: Path, data: bytes) -> None:
    """``data`` into ``path`` atomically; a failure as a :class:`DownloadError` of ``url``."""
    try:
        atomic_write_bytes(path, data)
    except ClipkitError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError):
            raise os_error(url, cause) from exc
        raise DownloadError(url, str(exc)) from exc


def json_bytes(value: Any) -> bytes:
    """``value`` as indented UTF-8 JSON, as the folder's JSON files are written."""
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")
