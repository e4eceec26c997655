"""The fetch itself: URL -> videos -> each video's folder, then the post-steps handed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from clipkit.errors import ClipkitError, DownloadError
from clipkit.fetch.captions import choose_captions
from clipkit.fetch.failures import os_error
from clipkit.fetch.folder import (
    MANIFEST_NAME,
    completed,
    folder_and_stem,
    json_bytes,
    manifest,
    write_file,
)
from clipkit.fetch.options import FetchOptions, FetchOutcome, FetchResult, ProgressCallback
from clipkit.fetch.steps import FetchedVideo, PostStep
from clipkit.fetch.ytdlp import (
    Log,
    download_caption,
    download_video,
    extract,
    ffmpeg_available,
    id_from_url,
    youtube_dl,
)
from clipkit.fileio import output_folder

__all__ = ["FFMPEG_INSTALL_HINT", "run_fetch"]

FFMPEG_INSTALL_HINT = (
    "ffmpeg is not installed (needed to merge video and audio): "
    "install it with `sudo apt-get install ffmpeg`"
)


def run_fetch(
    urls: Iterable[str],
    options: FetchOptions,
    steps: Sequence[PostStep],
    progress: ProgressCallback | None = None,
) -> Iterator[FetchOutcome]:
    """Fetch every video behind ``urls``, running ``steps`` on each; one outcome a video."""
    for url in urls:
        yield from _Fetch(url.strip(), options, steps, progress).outcomes()


class _Fetch:
    """One URL's fetch: the YoutubeDL, its log, and what to run on each video."""

    def __init__(
        self,
        url: str,
        options: FetchOptions,
        steps: Sequence[PostStep],
        progress: ProgressCallback | None,
    ) -> None:
        self.url = url
        self.options = options
        self.steps = steps
        self.progress = progress
        self.log = Log()
        self.outputs = tuple(name for step in steps for name in step.outputs)
        self.required = tuple(name for step in steps for name in step.required)
        self.ydl: Any = None

    def outcomes(self) -> Iterator[FetchOutcome]:
        url = self.url
        try:
            with youtube_dl(self.options, self.log, url, self.progress) as self.ydl:
                # A URL that names its video (YouTube's do) and whose folder is complete costs
                # no request at all, so a rerun works offline too.
                known_id = id_from_url(url)
                if known_id is not None:
                    done = self._completed(url, known_id)
                    if done is not None:
                        yield FetchOutcome(url, done)
                        return
                info = extract(self.ydl, url, self.log)
                if info.get("_type") in ("playlist", "multi_video"):
                    yield from self._entries(info)
                    return
                yield _outcome(url, lambda: self._video(url, info))
        except DownloadError as exc:  # the URL failed before reaching a video
            yield FetchOutcome(url, error=exc)
        except OSError as exc:
            yield FetchOutcome(url, error=os_error(url, exc))

    def _completed(self, url: str, video_id: str) -> FetchResult | None:
        return completed(self.ydl, url, video_id, self.options, self.outputs, self.required)

    def _entries(self, playlist: Mapping[str, Any]) -> Iterator[FetchOutcome]:
        url = self.url
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
                        done = self._completed(entry_url, entry_id)
                        if done is not None:
                            return done
                        entry = extract(self.ydl, str(entry["url"]), self.log)
                    return self._video(entry_url, entry)
                except DownloadError as exc:
                    if entry_url != url or not entry_id:
                        raise
                    # several videos on one page share its URL: say which one failed
                    raise DownloadError(url, f"video {entry_id}: {exc.message}", exc.kind) from exc

            yield _outcome(entry_url, run)

    def _video(self, url: str, info: dict[str, Any]) -> FetchResult:
        ydl, options, log = self.ydl, self.options, self.log
        video_id = str(info.get("id") or "")
        if not video_id:
            raise DownloadError(url, "the site gave no video id")
        done = self._completed(url, video_id)
        if done is not None:
            return done
        try:
            choice = choose_captions(url, info, options.lang)
        except DownloadError as exc:
            withheld = next((w for w in log.warnings if "PO token" in w), None)
            if withheld is None:
                raise
            raise DownloadError(url, f"{exc.message}; yt-dlp says: {withheld}") from exc
        if not options.captions_only and not ffmpeg_available():
            raise DownloadError(url, FFMPEG_INSTALL_HINT)

        folder, stem = folder_and_stem(ydl, url, video_id, options.out_dir)
        # folders made here are removed again if the fetch fails before anything is in them
        # (a .part file of the video stays, to resume from)
        with output_folder(folder):
            captions = tuple(
                download_caption(ydl, url, info, fmt, _original(folder, stem, options, ext), log)
                for ext, fmt in choice.formats
            )
            video = None
            if not options.captions_only:
                video = download_video(ydl, url, info, folder, stem, log)
            info_json = folder / f"{stem}.info.json"
            write_file(url, info_json, json_bytes(ydl.sanitize_info(info)))
            title = str(info.get("title") or video_id)
            fetched = FetchedVideo(
                url, video_id, title, folder, stem, options.lang, captions, video, info
            )
            outputs: list[tuple[str, Path | None]] = []
            for step in self.steps:
                made = step.run(fetched)
                outputs += [(name, made.get(name)) for name in step.outputs]
            result = FetchResult(
                url=url,
                video_id=video_id,
                title=title,
                folder=folder,
                manifest=folder / MANIFEST_NAME,
                video=video,
                captions=captions,
                info_json=info_json,
                outputs=tuple(outputs),
            )
            record = manifest(result, info, choice, options, log.warnings)
            write_file(url, result.manifest, json_bytes(record))
        return result


def _original(folder: Path, stem: str, options: FetchOptions, ext: str) -> Path:
    """Where the captions as served go: ``<stem>.<lang>.original.<ext>``."""
    return folder / f"{stem}.{options.lang}.original.{ext}"


def _outcome(url: str, run: Callable[[], FetchResult]) -> FetchOutcome:
    try:
        return FetchOutcome(url, run())
    except DownloadError as exc:
        return FetchOutcome(url, error=exc)
    except ClipkitError as exc:
        return FetchOutcome(url, error=DownloadError(url, str(exc)))
    except OSError as exc:
        return FetchOutcome(url, error=os_error(url, exc))
