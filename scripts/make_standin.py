#!/usr/bin/env python3
"""Generate a stand-in for the sample talk, for when the real video cannot be downloaded.

Same length as the talk (41:01), 1280x720 at 30 fps, showing a running timecode and frame
number.  Sound: espeak-ng speaks each caption at its time (the whole talk takes about two
minutes on 2 cores; --speech 05:30-07:30 limits it to a window, with a tone during the
other captions); pauses between captions are silent so that ``silencedetect`` finds them
like real pauses.  Without espeak-ng, tones everywhere.

    python scripts/make_standin.py -o build/standin.mp4
"""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import ffmpeg
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clipkit.fileio import atomic_outputs
from clipkit.media.runner import run_ffmpeg
from clipkit.model import Cue
from clipkit.readers import load
from clipkit.segment import build_cues
from clipkit.timefmt import parse_time

RATE = 22_050  # espeak-ng's own output rate
TALK_LENGTH = "41:01"
PAUSE_MS = 300  # silence before every caption


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path("build/standin.mp4"))
    parser.add_argument("--captions", type=Path, default=Path("media/avWhreBUYF0.md"))
    parser.add_argument("--duration", default=TALK_LENGTH, help="length (41:01)")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=30)
    speech = parser.add_mutually_exclusive_group()
    speech.add_argument(
        "--speech",
        metavar="MM:SS-MM:SS",
        help="speak only this window, tones elsewhere (default: the whole talk)",
    )
    speech.add_argument("--no-speech", action="store_true", help="tones only")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    bars = not args.no_progress

    duration_ms = parse_time(args.duration)
    cues = [c for c in build_cues(load(args.captions)) if c.start_ms < duration_ms]
    espeak = None if args.no_speech else shutil.which("espeak-ng")
    if args.speech:
        first, _, last = args.speech.partition("-")
        window = (parse_time(first), parse_time(last))
    else:
        window = (0, duration_ms)
    if espeak is None and not args.no_speech:
        print("espeak-ng not found: tones instead of speech", file=sys.stderr)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="standin-") as tmp_name:
        tmp = Path(tmp_name)
        audio = tmp / "audio.wav"
        spoken = write_audio(
            audio, cues, duration_ms, window if espeak else None, espeak, tmp, bars
        )
        print(f"audio: {spoken} captions spoken, {len(cues) - spoken} as tones", file=sys.stderr)
        with (
            atomic_outputs(args.output) as (temp_output,),
            _bar(duration_ms // 1000, "video", "s", bars) as bar,
        ):
            command = video_command(audio, temp_output, duration_ms, args.size, args.fps)

            def encoded(done_ms: int) -> None:
                bar.update(done_ms // 1000 - bar.n)

            run_ffmpeg(command, encoded, duration_ms)
    print(f"{args.output} ({time.monotonic() - began:.0f} s)")
    return 0


def video_command(audio: Path, output: Path, duration_ms: int, size: str, fps: int) -> list[str]:
    picture = ffmpeg.input(
        f"color=c=0x1c2833:s={size}:r={fps}:d={duration_ms / 1000:.3f}", f="lavfi"
    ).video
    height = int(size.split("x")[1])
    picture = picture.filter(
        "drawtext",
        text="%{pts:hms}",
        fontcolor="white",
        fontsize=height // 8,
        x="(w-text_w)/2",
        y="h/2-text_h",
    ).filter(
        "drawtext",
        text="frame %{frame_num}",
        fontcolor="0xf4d03f",
        fontsize=height // 14,
        x="(w-text_w)/2",
        y="h/2+20",
    )
    sound = ffmpeg.input(str(audio)).audio
    out = ffmpeg.output(
        picture,
        sound,
        str(output),
        vcodec="libx264",
        preset="ultrafast",
        crf=30,
        g=fps * 2,
        pix_fmt="yuv420p",
        acodec="aac",
        audio_bitrate="96k",
        movflags="+faststart",
        t=f"{duration_ms / 1000:.3f}",
    )
    return list(ffmpeg.compile(out.overwrite_output(), cmd="ffmpeg"))


def write_audio(
    path: Path,
    cues: Sequence[Cue],
    duration_ms: int,
    window: tuple[int, int] | None,
    espeak: str | None,
    tmp: Path,
    progress: bool = False,
) -> int:
    """One mono WAV: speech (or a tone) during each caption, silence between them."""
    slots = []
    for index, cue in enumerate(cues):
        limit = cues[index + 1].start_ms - PAUSE_MS if index + 1 < len(cues) else duration_ms
        slots.append((cue, max(cue.start_ms + 100, min(cue.end_ms, limit))))
    speak = [
        (n, cue, end)
        for n, (cue, end) in enumerate(slots)
        if espeak and window and window[0] <= cue.start_ms < window[1]
    ]
    speech: dict[int, array.array[int]] = {}
    if espeak:
        with (
            ThreadPoolExecutor(max_workers=4) as pool,
            _bar(len(speak), "speech", "caption", progress) as bar,
        ):
            for n, samples in pool.map(lambda job: _speak(espeak, tmp, *job), speak):
                speech[n] = samples
                bar.update()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        written = 0
        for n, (cue, end) in enumerate(slots):
            start = _samples(cue.start_ms)
            if start > written:
                out.writeframes(bytes(2 * (start - written)))
                written = start
            length = _samples(end) - written
            if length <= 0:
                continue
            sound = speech.get(n) or _tone(length)
            sound = sound[:length]
            out.writeframes(sound.tobytes())
            written += len(sound)
        total = _samples(duration_ms)
        if total > written:
            out.writeframes(bytes(2 * (total - written)))
    return len(speech)


def _speak(espeak: str, tmp: Path, n: int, cue: Cue, end_ms: int) -> tuple[int, array.array[int]]:
    text = " ".join(cue.lines)
    seconds = max(0.3, (end_ms - cue.start_ms) / 1000)
    words_per_minute = int(min(450, max(150, len(text.split()) / seconds * 60 * 1.15)))
    target = tmp / f"cue{n}.wav"
    subprocess.run(
        [espeak, "-s", str(words_per_minute), "-w", str(target), text],
        check=True,
        capture_output=True,
    )
    with wave.open(str(target), "rb") as spoken:
        frames = spoken.readframes(spoken.getnframes())
    samples = array.array("h")
    samples.frombytes(frames)
    target.unlink()
    return n, samples


def _tone(length: int, frequency: float = 330.0) -> array.array[int]:
    """A sine burst with 10 ms ramps (330 Hz repeats exactly every 1/10 s at 22050 Hz)."""
    period = RATE // 10
    cycle = array.array(
        "h", (int(6000 * math.sin(2 * math.pi * frequency * i / RATE)) for i in range(period))
    )
    samples = cycle * (length // period + 1)
    del samples[length:]
    ramp = min(length // 2, RATE // 100)
    for i in range(ramp):
        samples[i] = samples[i] * i // ramp
        samples[length - 1 - i] = samples[length - 1 - i] * i // ramp
    return samples


def _bar(total: int, label: str, unit: str, shown: bool) -> tqdm[Any]:
    """A progress bar on stderr (the two long steps: speaking, encoding)."""
    return tqdm(total=total, desc=label, unit=unit, file=sys.stderr, disable=not shown)


def _samples(ms: int) -> int:
    return ms * RATE // 1000


if __name__ == "__main__":
    raise SystemExit(main())
