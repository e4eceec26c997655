"""Generated talks for ``clipkit batch``: short lavfi videos with rolling captions, and job
files naming them (tests/test_batch_dask*.py and scripts/bench_batch.py).

Talk ``n`` is ``seconds`` of 320x240 testsrc2 at 25 fps (H.264, a keyframe every 2 s) with
a tone that pauses from 2.4 to 3.0 s in every 3 s block, and rolling YouTube VTT captions:
one sentence of 8 words (300 ms each) a block.  The sentences of blocks 1 and 3 say "wells
fargo", so ``find: [wells fargo]`` gives two clips.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from factory import rolling_vtt, script

FPS = 25
BLOCK_MS = 3000


def talk_script(talk: int, seconds: int) -> str:
    """The words of talk ``talk``: a sentence a block, lines of four words."""
    sentences = []
    for block in range(seconds * 1000 // BLOCK_MS):
        if block % 2:
            words = f"then wells fargo called talk{talk} about block{block} again."
        else:
            words = f"talk{talk} block{block} is one two three four five."
        first, second = words.split()[:4], words.split()[4:]
        sentences.append(" ".join(first) + " | " + " ".join(second) + " | ~600")
    return " ".join(sentences)


def make_video(path: Path, seconds: int, tone_hz: int = 440) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            *("-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d={seconds}"),
            *("-f", "lavfi", "-i", f"sine=f={tone_hz}:d={seconds}:sample_rate=48000"),
            *("-af", "volume='if(gte(mod(t,3),2.4),0,1)':eval=frame"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "50"),
            *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def make_captions(path: Path, talk: int, seconds: int) -> Path:
    path.write_text(rolling_vtt(script(talk_script(talk, seconds))), encoding="utf-8")
    return path


HIGHLIGHTS = """\
highlights:
  - title: Block zero
    start: 0.2
    end: 2.6
  - title: Block two
    start: 6.1
    end: 8.5
"""


def make_talks(folder: Path, count: int = 3, seconds: int = 12) -> Path:
    """``count`` talks in ``folder`` and ``jobs.yaml`` naming them: captions (SRT and VTT),
    two clips each (by a highlight file, or for talk 0 by ``find``) and a reel."""
    folder.mkdir(parents=True, exist_ok=True)
    talks = []
    for n in range(count):
        make_video(folder / f"talk{n}.mp4", seconds, 330 + 110 * n)
        make_captions(folder / f"talk{n}.en.vtt", n, seconds)
        entry = f"  - video: talk{n}.mp4\n    captions: talk{n}.en.vtt\n"
        if n == 0:
            entry += '    find: ["wells fargo"]\n'
        else:
            (folder / f"talk{n}.highlights.yaml").write_text(HIGHLIGHTS, encoding="utf-8")
            entry += f"    highlights: talk{n}.highlights.yaml\n"
        talks.append(entry)
    job = (
        "out_dir: out\n"
        "defaults:\n"
        "  formats: [srt, vtt]\n"
        "  clips: true\n"
        "  reel: true\n"
        "talks:\n" + "".join(talks)
    )
    path = folder / "jobs.yaml"
    path.write_text(job, encoding="utf-8")
    return path


def make_transcript_jobs(folder: Path, count: int, seconds: int = 60) -> Path:
    """``count`` caption files alone (no video) and a job file converting each to SRT+VTT."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for n in range(count):
        make_captions(folder / f"t{n:04d}.en.vtt", n, seconds)
        entries.append(f"  - captions: t{n:04d}.en.vtt\n")
    path = folder / "jobs.yaml"
    path.write_text("out_dir: out\ntalks:\n" + "".join(entries), encoding="utf-8")
    return path
