"""Every ClipkitError survives pickling with its data, as a worker process hands it back."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
from concurrent.futures import ProcessPoolExecutor

import pytest

import clipkit
from clipkit.errors import (
    AlignmentUnavailable,
    CaptionParseError,
    ClipkitError,
    DownloadError,
    FFmpegError,
    FFmpegInterrupted,
    HighlightError,
    InvalidValueError,
    JobFileError,
    MediaError,
    MissingToolError,
    OptionError,
    OutputError,
    StyleError,
    UnknownFormatError,
)
from clipkit.media.smartcut import SmartCutUnavailable
from clipkit.scheduler import UpstreamFailed
from clipkit.timeline.selection import TimelineError

#: One error of each kind, made with every argument it takes.
SAMPLES: list[ClipkitError] = [
    ClipkitError("something"),
    CaptionParseError("bad time", "talk.srt", 12, "00:61:00"),
    UnknownFormatError("not captions", "notes.txt", 1),
    InvalidValueError("not a time: 'soon'"),
    OptionError("max_height", "the video height limit must be at least 1 pixel, not 0"),
    StyleError("max_lines must be 1 or more"),
    OutputError("clips/a.mp4: cannot write: disk full"),
    FFmpegError("ffmpeg failed", ["ffmpeg", "-i", "a.mp4"], "x\nNo space left on device\n"),
    MissingToolError("ffprobe is not installed", ["ffprobe"]),
    FFmpegInterrupted("ffmpeg was stopped", ["ffmpeg"], "tail"),
    MediaError("talk.mp4", "no video stream"),
    DownloadError("https://example.org/v", "Private video", "sign-in"),
    HighlightError("end is not after start", "h.yaml", 4),
    AlignmentUnavailable("the align extra is not installed"),
    TimelineError("cut.prproj: unknown timeline format '.prproj'"),
    SmartCutUnavailable("the source is not H.264"),
    JobFileError("clips: unknown key 'mdoe'", "talks.yaml", 7),
    UpstreamFailed("keynote/clips: not run, a step before it failed (...)"),
]


def _every_error_class() -> set[type[ClipkitError]]:
    for module in pkgutil.walk_packages(clipkit.__path__, "clipkit."):
        if not module.name.endswith("__main__"):  # errors defined anywhere in clipkit count
            importlib.import_module(module.name)
    found: set[type[ClipkitError]] = set()
    pending: list[type[ClipkitError]] = [ClipkitError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending += cls.__subclasses__()
    return found


def test_every_error_class_has_a_sample() -> None:
    missing = _every_error_class() - {type(error) for error in SAMPLES}
    assert not missing, f"add a sample of {sorted(c.__name__ for c in missing)} to SAMPLES"


@pytest.mark.parametrize("error", SAMPLES, ids=lambda error: type(error).__name__)
def test_an_error_pickles_with_its_data(error: ClipkitError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.args == error.args
    assert vars(again) == vars(error)


def _raise(index: int) -> None:
    raise SAMPLES[index]


def test_an_error_raised_in_a_worker_process_comes_back_whole() -> None:
    download = next(i for i, error in enumerate(SAMPLES) if isinstance(error, DownloadError))
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise, download)
        with pytest.raises(DownloadError) as caught:
            future.result()
    assert (caught.value.url, caught.value.message, caught.value.kind) == (
        "https://example.org/v",
        "Private video",
        "sign-in",
    )
    assert str(caught.value).startswith("https://example.org/v: Private video (")
