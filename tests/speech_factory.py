"""Speech whose word times are known: espeak-ng speaks every word of a caption file at its time.

Test data for aligning transcripts to audio (like :mod:`tests.factory` for captions).  From a
rolling YouTube VTT (word-stamped):

- every word is synthesised by espeak-ng on its own, its leading silence trimmed, so that its
  sound starts exactly at the word's VTT time, and cut (with a 5 ms fade) where the next word
  starts; a word too long for its slot is spoken faster (up to ``MAX_WPM``);
- sound tags (``[Music]``) are a quiet chord instead of speech, or silence;
- the sound goes into an MP4 beside a still picture (H.264 at 1 fps + AAC);
- the same VTT, flattened to the whole-second markdown export by
  ``../shared/tools/flatten_md.py``, is the transcript to align.

``excerpt_vtt`` cuts a fixture to its first minutes (cues starting before the cut), so tests
can speak a few minutes of a long talk; ``capcheck.py EXCERPT.vtt OUTPUT`` then scores
captions made from the excerpt's markdown.

    >>> talk = make_spoken_talk(fixture_vtt, tmp_path, until_ms=240_000)  # doctest: +SKIP
    >>> talk.video, talk.markdown, talk.words  # doctest: +SKIP
"""

from __future__ import annotations

import array
import ctypes
import ctypes.util
import math
import re
import subprocess
import sys
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipkit.model import Transcript, Word
from clipkit.readers import read_text

SHARED = Path(__file__).resolve().parents[2] / "shared"
FLATTEN = SHARED / "tools" / "flatten_md.py"
RATE = 22_050  # espeak-ng's own output rate
BASE_WPM = 175
MAX_WPM = 900  # espeak-ng speeds up further with its sonic stage
WPM_STEP = 25  # speaking rates are rounded to this, so that a word is synthesised few times
ONSET_LEVEL = 64  # first sample louder than this (of 32767) is where the word's sound starts
FADE_MS = 5
CHORD_HZ = (220, 277, 330)  # about an A major chord for [Music]; whole cycles in a second
_CUE_TIME = re.compile(r"^(?:(\d+):)?(\d\d):(\d\d)\.(\d{3})\s+-->")


@dataclass(frozen=True, slots=True)
class SpokenTalk:
    """A talk made from a caption file: its video, the truth and the input to align."""

    video: Path  # MP4: a still picture and the speech
    vtt: Path  # the (excerpt of the) VTT the speech follows: the reference for capcheck
    markdown: Path  # the same VTT flattened to whole seconds: the transcript to align
    words: tuple[Word, ...]  # every word and tag of the VTT with its exact start
    duration_ms: int


def excerpt_vtt(text: str, until_ms: int) -> str:
    """The VTT's header and the cues starting before ``until_ms``."""
    blocks = re.split(r"\n{2,}", text.replace("\r\n", "\n"))
    kept: list[str] = []
    for block in blocks:
        timing = next((_CUE_TIME.match(line) for line in block.split("\n") if "-->" in line), None)
        if timing is None:
            kept.append(block)  # header, STYLE, NOTE
            continue
        hours, minutes, seconds, millis = timing.groups()
        start = ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)
        if start >= until_ms:
            break
        kept.append(block)
    return "\n\n".join(kept) + "\n"


def make_spoken_talk(
    vtt: Path,
    folder: Path,
    until_ms: int | None = None,
    voice: str | None = None,
    sound_tags: str = "chord",
    size: str = "160x90",
    masked: Sequence[tuple[int, int, str]] = (),
) -> SpokenTalk:
    """Speak ``vtt`` (its first ``until_ms``), write its MP4 and markdown into ``folder``.

    ``masked``: ``(start_ms, end_ms, "tone" | "silence")`` spans whose speech is replaced
    (music, a dropout: what an aligner must survive).
    """
    folder.mkdir(parents=True, exist_ok=True)
    text = vtt.read_text(encoding="utf-8-sig")
    if until_ms is not None:
        text = excerpt_vtt(text, until_ms)
    name = vtt.name.split("__")[0].removesuffix(".vtt")
    excerpt = folder / f"{name}.vtt"
    excerpt.write_text(text, encoding="utf-8")
    transcript = read_text(text, str(excerpt))
    words = transcript.words
    duration_ms = (until_ms if until_ms is not None else words[-1].end_ms) + 1000
    duration_ms = max(duration_ms, words[-1].end_ms + 500)
    voice = voice or _voice_for(transcript)
    samples = speak_words(words, duration_ms, voice, sound_tags)
    for start, end, kind in masked:
        first, last = _samples(start), min(len(samples), _samples(end))
        filler = (
            _chord(last - first) if kind == "tone" else array.array("h", bytes(2 * (last - first)))
        )
        samples[first:last] = filler
    wav = folder / f"{name}.wav"
    write_wav(wav, samples)
    video = folder / f"{name}.mp4"
    mux_still_video(wav, video, duration_ms, size)
    wav.unlink()
    markdown = folder / f"{name}.md"
    flattened = subprocess.run(
        [sys.executable, str(FLATTEN), str(excerpt)], check=True, capture_output=True, text=True
    )
    markdown.write_text(flattened.stdout, encoding="utf-8")
    return SpokenTalk(video, excerpt, markdown, words, duration_ms)


def _voice_for(transcript: Transcript) -> str:
    language = transcript.language or "en"
    return "en-us" if language.startswith("en") else language.split("-")[0]


def speak_words(
    words: Sequence[Word], duration_ms: int, voice: str = "en-us", sound_tags: str = "chord"
) -> array.array[int]:
    """Mono 16-bit samples at ``RATE``: each word's sound from its start to the next word's."""
    total = _samples(duration_ms)
    slots: list[tuple[Word, int]] = []  # (word, samples until the next word starts)
    for index, word in enumerate(words):
        following = words[index + 1].start_ms if index + 1 < len(words) else duration_ms
        slots.append((word, _samples(following) - _samples(word.start_ms)))
    synth = _synthesiser(voice)
    sounds = [synth.fitted(w.text, slot) for w, slot in slots if not w.is_sound_tag]
    out = array.array("h", bytes(2 * total))
    sound_iter = iter(sounds)
    for word, slot in slots:
        at = _samples(word.start_ms)
        if word.is_sound_tag:
            if sound_tags != "chord":
                continue
            sound = _chord(min(slot, _samples(word.end_ms) - at))
        else:
            sound = next(sound_iter)
        sound = _faded(sound[: max(0, min(slot, total - at))])
        out[at : at + len(sound)] = sound
    return out


class _Synthesiser:
    """espeak-ng (its library, in this process: a tenth of the time of one run of the
    command a word), one word at a time, at the slowest rate of a few that fits the slot."""

    def __init__(self, voice: str) -> None:
        self.cache: dict[tuple[str, int], array.array[int]] = {}
        self._chunks: list[bytes] = []
        self._lib = _espeak_library()
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept: the library holds it
        if self._lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0) != RATE:
            raise RuntimeError("espeak-ng does not synthesise at 22050 Hz")
        self._lib.espeak_SetSynthCallback(self._callback)
        if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice!r}")

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if count > 0:
            self._chunks.append(ctypes.string_at(wav, 2 * count))
        return 0

    def fitted(self, text: str, slot: int) -> array.array[int]:
        sound = self.synthesise(text, BASE_WPM)
        if len(sound) <= slot or slot <= 0:
            return sound
        wanted = BASE_WPM * len(sound) / slot
        wpm = min(MAX_WPM, WPM_STEP * math.ceil(wanted / WPM_STEP))
        return self.synthesise(text, wpm)

    def synthesise(self, text: str, wpm: int) -> array.array[int]:
        key = (text, wpm)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        self._chunks.clear()
        self._lib.espeak_SetParameter(_RATE_PARAMETER, wpm, 0)
        data = text.encode() + b"\0"
        self._lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self._lib.espeak_Synchronize()
        samples = array.array("h")
        samples.frombytes(b"".join(self._chunks))
        if sys.byteorder == "big":
            samples.byteswap()
        onset = next((i for i, x in enumerate(samples) if abs(x) > ONSET_LEVEL), len(samples))
        end = len(samples)
        while end > onset and abs(samples[end - 1]) <= ONSET_LEVEL:
            end -= 1
        sound = samples[onset:end]
        self.cache[key] = sound
        return sound


# espeak-ng's C interface (speak_lib.h): synchronous synthesis into a callback
_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS
_RATE_PARAMETER = 1  # espeakRATE, words a minute
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


def _espeak_library() -> ctypes.CDLL:
    name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
    try:
        return ctypes.CDLL(name)
    except OSError as exc:
        raise RuntimeError("espeak-ng's library (libespeak-ng) is not installed") from exc


_SYNTHESISERS: dict[str, _Synthesiser] = {}


def _synthesiser(voice: str) -> _Synthesiser:
    """One synthesiser a voice for the whole process (the library has one state)."""
    if voice not in _SYNTHESISERS:
        _SYNTHESISERS.clear()
        _SYNTHESISERS[voice] = _Synthesiser(voice)
    return _SYNTHESISERS[voice]


def _faded(sound: array.array[int]) -> array.array[int]:
    ramp = min(len(sound) // 2, _samples(FADE_MS))
    if ramp <= 0:
        return sound
    sound = array.array("h", sound)
    for i in range(ramp):
        sound[len(sound) - 1 - i] = sound[len(sound) - 1 - i] * i // ramp
    return sound


def _chord(length: int) -> array.array[int]:
    second = _chord_second()
    sound = second * (max(0, length) // RATE + 1)
    del sound[max(0, length) :]
    return sound


_CHORD: list[array.array[int]] = []


def _chord_second() -> array.array[int]:
    """One second of the chord (it repeats seamlessly: whole cycles of each tone)."""
    if not _CHORD:
        _CHORD.append(
            array.array(
                "h",
                (
                    int(1500 * sum(math.sin(2 * math.pi * hz * i / RATE) for hz in CHORD_HZ))
                    for i in range(RATE)
                ),
            )
        )
    return _CHORD[0]


def write_wav(path: Path, samples: array.array[int]) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples.tobytes())


def mux_still_video(wav: Path, video: Path, duration_ms: int, size: str = "160x90") -> None:
    """An MP4 of the sound beside a still picture (one frame a second is plenty)."""
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=0x1c2833:s={size}:r=1"),
            *("-i", str(wav), "-t", f"{duration_ms / 1000:.3f}", "-map", "0:v", "-map", "1:a"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-pix_fmt"),
            *("yuv420p", "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(video)),
        ],
        check=True,
        capture_output=True,
    )


def _samples(ms: int) -> int:
    return ms * RATE // 1000
