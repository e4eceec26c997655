"""A media file's sound as raw samples, for speech analysis (alignment of transcripts).

ffmpeg decodes any input it reads to mono 16-bit little-endian PCM at 16 kHz (what speech
models expect) into a temporary file beside nothing the user owns; the samples are read
back and the file removed, whatever happens.  A window (``start_ms``, ``duration_ms``) is
cut by ffmpeg's input seeking, which is sample-exact for audio.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_ffmpeg

SPEECH_RATE = 16_000
BYTES_PER_SAMPLE = 2


@dataclass(frozen=True, slots=True)
class Pcm:
    """Mono signed 16-bit little-endian samples, starting ``start_ms`` into the media."""

    samples: bytes
    start_ms: int = 0
    rate: int = SPEECH_RATE

    @property
    def duration_ms(self) -> int:
        """The audio's length in ms."""
        return len(self.samples) // BYTES_PER_SAMPLE * 1000 // self.rate

    def window(self, start_ms: int, end_ms: int) -> bytes:
        """The samples from ``start_ms`` to ``end_ms`` (media time), clipped to what is here."""
        first = max(0, (start_ms - self.start_ms) * self.rate // 1000)
        last = max(first, (end_ms - self.start_ms) * self.rate // 1000)
        return self.samples[first * BYTES_PER_SAMPLE : last * BYTES_PER_SAMPLE]


def pcm_command(
    path: str | Path,
    output: str | Path,
    start_ms: int = 0,
    duration_ms: int | None = None,
    rate: int = SPEECH_RATE,
) -> list[str]:
    """ffmpeg: the first audio stream of ``path`` as raw mono s16le at ``rate`` into ``output``."""
    options: dict[str, str] = {}
    if start_ms > 0:
        options["ss"] = f"{start_ms / 1000:.3f}"
    if duration_ms is not None:
        options["t"] = f"{duration_ms / 1000:.3f}"
    stream = ffmpeg.input(str(path), **options)["a:0"]
    out = ffmpeg.output(
        stream, str(output), f="s16le", acodec="pcm_s16le", ac=1, ar=rate, vn=None, sn=None
    )
    out = out.global_args("-hide_banner", "-nostdin")
    return list(ffmpeg.compile(out.overwrite_output(), cmd="ffmpeg"))


def read_pcm(
    path: str | Path,
    start_ms: int = 0,
    duration_ms: int | None = None,
    rate: int = SPEECH_RATE,
    on_progress: ProgressCallback | None = None,
) -> Pcm:
    """Decode the sound of ``path`` (from ``start_ms``, for ``duration_ms``) to :class:`Pcm`.

    Raises :class:`~clipkit.errors.FFmpegError` when ffmpeg cannot read it (no audio
    stream, not media); ``on_progress`` gets the position reached, in ms of the window.
    """
    start_ms = max(0, start_ms)
    handle, name = tempfile.mkstemp(prefix="clipkit-pcm-", suffix=".raw")
    os.close(handle)
    try:
        run_ffmpeg(
            pcm_command(path, name, start_ms, duration_ms, rate),
            on_progress=on_progress,
            total_ms=duration_ms,
            what="ffmpeg (reading the sound)",
        )
        samples = Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)
    return Pcm(samples, start_ms, rate)
