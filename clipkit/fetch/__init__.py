"""Fetch a talk, its captions and its metadata into one folder per video, with yt-dlp.

    >>> from clipkit.fetch import FetchOptions, fetch_all
    >>> for outcome in fetch_all(["https://www.youtube.com/watch?v=avWhreBUYF0"]):  # doctest: +SKIP
    ...     print(outcome.result or outcome.error)

Per video, ``<out_dir>/<video id>/`` (the id made a safe file name by :func:`folder_name`) receives:

- ``<id>.mp4``: best video up to ``max_height`` plus best audio, merged by ffmpeg, H.264/AAC
  preferred (clips then cut without re-encoding);
- ``<id>.<lang>.original.json3`` and/or ``<id>.<lang>.original.vtt``: the captions as the site
  serves them (the uploader's own in ``lang`` when there are any, else the automatic ones);
- ``<id>.info.json``: the metadata yt-dlp extracted (title, duration, uploader, chapters...);
- what the post-steps make (:mod:`clipkit.fetch.steps`); by default ``<id>.<lang>.srt`` and
  ``<id>.<lang>.vtt``, the captions rebuilt by :mod:`clipkit.convert`, and
  ``chapters.highlights.yaml`` and ``chapters.txt`` (``00:00 Title`` lines), the video's
  chapters as a highlight file and as YouTube lists them, when it has chapters;
- ``manifest.json``: what was fetched, from where, when and with which options.  It is written
  last, so a folder with a manifest is complete; a rerun skips it without downloading anything.

yt-dlp is used as a library (:class:`yt_dlp.YoutubeDL`), never as a subprocess.  Downloads go to
``*.part`` files that resume on the next run; final names appear only once a file is whole.
Nothing here prints or exits: progress goes to a callback, failures are raised (or returned, in
a batch) as :class:`~clipkit.errors.DownloadError`, one line each.

The package by stage: :mod:`~clipkit.fetch.options` (what a fetch is told and gives back),
:mod:`~clipkit.fetch.ytdlp` (yt-dlp set up), :mod:`~clipkit.fetch.captions` (which captions),
:mod:`~clipkit.fetch.failures` (yt-dlp's errors in one line), :mod:`~clipkit.fetch.folder`
(the folder and its manifest), :mod:`~clipkit.fetch.steps` (post-steps),
:mod:`~clipkit.fetch.run` (the fetch), :mod:`~clipkit.fetch.urls` (URL batch files).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from clipkit.errors import DownloadError
from clipkit.fetch.folder import FOLDER_NAME_MAX, MANIFEST_NAME, folder_name
from clipkit.fetch.options import (
    DownloadProgress,
    FetchOptions,
    FetchOutcome,
    FetchResult,
    ProgressCallback,
)
from clipkit.fetch.run import FFMPEG_INSTALL_HINT, run_fetch
from clipkit.fetch.steps import (
    CHAPTERS_NAME,
    CHAPTERS_TEXT_NAME,
    FetchedVideo,
    PostStep,
    RebuildCaptions,
    WriteChapters,
    chapters_file_text,
    default_steps,
)
from clipkit.fetch.urls import parse_url_list, read_url_list
from clipkit.fetch.ytdlp import ffmpeg_available

__all__ = [
    "CHAPTERS_NAME",
    "CHAPTERS_TEXT_NAME",
    "FFMPEG_INSTALL_HINT",
    "FOLDER_NAME_MAX",
    "MANIFEST_NAME",
    "DownloadProgress",
    "FetchOptions",
    "FetchOutcome",
    "FetchResult",
    "FetchedVideo",
    "PostStep",
    "ProgressCallback",
    "RebuildCaptions",
    "WriteChapters",
    "chapters_file_text",
    "default_steps",
    "fetch_all",
    "fetch_one",
    "ffmpeg_available",
    "folder_name",
    "parse_url_list",
    "read_url_list",
]


def fetch_all(
    urls: Iterable[str],
    options: FetchOptions | None = None,
    progress: ProgressCallback | None = None,
    steps: Sequence[PostStep] | None = None,
) -> Iterator[FetchOutcome]:
    """Fetch every video behind ``urls`` (a playlist gives several), one outcome each.

    ``steps`` run on each video once it is in its folder; by default :func:`default_steps`
    (the captions rebuilt under ``options.style``, the chapters as a highlight file).  A
    failed video is reported as an outcome with an error and the batch goes on.
    """
    options = options or FetchOptions()
    chosen = default_steps(options.style) if steps is None else tuple(steps)
    yield from run_fetch(urls, options, chosen, progress)


def fetch_one(
    url: str,
    options: FetchOptions | None = None,
    progress: ProgressCallback | None = None,
    steps: Sequence[PostStep] | None = None,
) -> FetchResult:
    """Fetch the one video behind ``url``; raise :class:`DownloadError` if that fails."""
    outcomes = list(fetch_all([url], options, progress, steps))
    for outcome in outcomes:
        if outcome.error is not None:
            raise outcome.error
    if len(outcomes) != 1 or outcomes[0].result is None:
        raise DownloadError(url, f"expected one video, found {len(outcomes)}")
    return outcomes[0].result
