"""A clip's captions: authored ones kept, the source's frame rate, convert's caption
options, and edges that hold every quoted word.

Media tests (marked ``media``) cut a generated 20 s talk: 320x240 testsrc2 at 25 fps and
a tone that stops where the script below has its pauses, so that ffmpeg's silencedetect
finds them.  Captions come from ``tests/factory.py``.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pysrt
import pytest
from factory import Line, Said, authored_srt, rolling_vtt, written

from clipkit.cli import main
from clipkit.clips import ClipOptions, Source, caption_files, clip_cues, plan_clips, relaid_lines
from clipkit.highlights import parse_yaml
from clipkit.media.probe import MediaInfo, VideoStream
from clipkit.media.silence import Silence
from clipkit.model import Cue, Transcript, Word
from clipkit.readers import read_text
from clipkit.segment import build_cues
from clipkit.snapping import SnapSettings, boundaries, snap_cut
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions

FPS = 25
# The tone is silent here (seconds): right after "Check. Check." starts, and from just
# before "details." ends (its stamped end is 6.4 s) to after it.
SILENT = ((2.3, 3.4), (6.2, 6.9))
SPOKEN = [
    ("Well,", 500), ("hello.", 800), ("Is", 1100), ("this", 1300), ("working?", 1500),
    ("Check.", 2000), ("Check.", 2150), ("One,", 2450), ("two.", 2600),
    ("Everyone", 4000), ("gets", 4300), ("it.", 4500),
    ("No", 5000), ("one", 5200), ("has", 5400), ("to", 5600), ("understand", 5700),
    ("the", 5900), ("details.", 6100),
    ("That", 6410), ("thing", 6700), ("was", 7000), ("real.", 7300),
    ("It's", 9000), ("in", 9300), ("the", 9500), ("world", 9700), ("now.", 9900),
    ("So", 12000), ("we", 12300), ("shipped", 12600), ("it", 13000), ("again.", 13300),
]  # fmt: skip
LINE_STARTS = {0, 5, 9, 12, 19, 23, 28}


def talk_lines() -> list[Line]:
    """The script as caption lines, breaking at LINE_STARTS."""
    bounds = [*sorted(LINE_STARTS), len(SPOKEN)]
    return [
        Line(tuple(Said(text, start) for text, start in SPOKEN[first:last]))
        for first, last in itertools.pairwise(bounds)
    ]


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("talk25")
    video = folder / "talk.mp4"
    quiet = "+".join(f"between(t,{a},{b})" for a, b in SILENT)
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d=20"),
            *("-f", "lavfi", "-i", "sine=f=440:d=20:sample_rate=48000"),
            *("-af", f"volume='if({quiet},0,1)':eval=frame"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(video)),
        ],
        check=True,
        capture_output=True,
    )
    (folder / "talk.en.vtt").write_text(rolling_vtt(talk_lines()), encoding="utf-8")
    authored = written(
        (10000, 12000, "before the clip"),
        (15000, 17000, "alpha beta|gamma"),
    )
    (folder / "authored.srt").write_text(authored_srt(authored), encoding="utf-8")
    return video


def highlights(folder: Path, entries: str) -> Path:
    path = folder / "h.yaml"
    path.write_text("highlights:\n" + entries, encoding="utf-8")
    return path


def clip(talk: Path, captions: str, entries: str, out: Path, *extra: str) -> int:
    return main(
        [
            *("clip", str(talk), "--captions", str(talk.parent / captions)),
            *("--highlights", str(highlights(out.parent, entries)), "--out", str(out)),
            *("--quiet", "--preset", "ultrafast", *extra),
        ]
    )


def srt_cues(path: Path) -> list[tuple[int, int, str]]:
    return [(c.start.ordinal, c.end.ordinal, c.text) for c in pysrt.open(str(path))]


# ---------------------------------------------------------------- authored captions


@pytest.mark.media
def test_a_clip_keeps_authored_cues_shifted_and_cut_at_its_edges(
    talk: Path, tmp_path: Path
) -> None:
    out = tmp_path / "clips"
    entries = (
        "  - title: abg\n    start: 12.4\n    end: 18\n"
        "  - title: edges\n    start: 11\n    end: 16\n"
    )
    assert clip(talk, "authored.srt", entries, out, "--no-snap") == 0
    # 15-17 s "alpha beta / gamma" in a clip from 12.4 s: at 2.6 s, as written
    assert srt_cues(out / "abg.srt") == [(2600, 4600, "alpha beta\ngamma")]
    # a cue straddling an edge is cut to it and keeps its text as written
    assert srt_cues(out / "edges.srt") == [
        (0, 1000, "before the clip"),
        (4000, 5000, "alpha beta\ngamma"),
    ]
    vtt = (out / "abg.vtt").read_text(encoding="utf-8")
    assert "00:00:02.600 --> 00:00:04.600\nalpha beta\ngamma" in vtt


@pytest.mark.media
def test_a_reel_keeps_authored_cues(talk: Path, tmp_path: Path) -> None:
    reel = tmp_path / "reel.mp4"
    entries = (
        "  - title: A\n    start: 9.6\n    end: 12.4\n"
        "  - title: B\n    start: 14.8\n    end: 17.2\n"
    )
    code = main(
        [
            *("reel", str(talk), "--captions", str(talk.parent / "authored.srt")),
            *("--highlights", str(highlights(tmp_path, entries)), "-o", str(reel)),
            *("--no-snap", "--quiet", "--preset", "ultrafast"),
        ]
    )
    assert code == 0
    assert srt_cues(reel.with_suffix(".srt")) == [
        (400, 2400, "before the clip"),
        (2800 + 200, 2800 + 2200, "alpha beta\ngamma"),
    ]


# ---------------------------------------------------------------- frames and options


def frame_problems(cues: list[tuple[int, int, str]], fps: float) -> list[str]:
    return CaptionStyle(fps=fps).frame_grid_problems([(s, e) for s, e, _ in cues])


@pytest.mark.media
def test_clip_captions_sit_on_the_frames_of_the_source(talk: Path, tmp_path: Path) -> None:
    entry = "  - title: all\n    start: 0\n    end: 14\n"
    one_line = ("--no-snap", "--max-lines", "1")  # more cues, more gaps
    assert clip(talk, "talk.en.vtt", entry, tmp_path / "at25", *one_line) == 0
    cues = srt_cues(tmp_path / "at25" / "all.srt")
    assert len(cues) >= 6
    assert frame_problems(cues, 25) == []  # every time on a 25 fps frame, gaps >= 2 frames
    assert frame_problems(cues, 30) != []  # (not merely on a coarser grid)
    assert clip(talk, "talk.en.vtt", entry, tmp_path / "at30", *one_line, "--fps", "30") == 0
    assert frame_problems(srt_cues(tmp_path / "at30" / "all.srt"), 30) == []


@pytest.mark.media
def test_clip_takes_the_caption_options_of_convert(talk: Path, tmp_path: Path) -> None:
    entry = "  - title: opts\n    start: 0\n    end: 14\n"
    out = tmp_path / "o"
    extra = (
        "--no-snap",
        "--shift",
        "3600",
        "--crlf",
        "--bom",
        "--max-chars",
        "16",
        "--max-lines",
        "1",
    )
    assert clip(talk, "talk.en.vtt", entry, out, *extra) == 0
    data = (out / "opts.srt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf1\r\n01:00:00,")
    assert b"\n" not in data.replace(b"\r\n", b"")
    cues = srt_cues(out / "opts.srt")
    assert all(len(text) <= 16 and "\n" not in text for _, _, text in cues)
    assert (out / "opts.vtt").read_bytes().startswith(b"\xef\xbb\xbfWEBVTT\r\n")


def test_burned_captions_are_never_shifted() -> None:
    words = [Word(1000, 1400, "Hello"), Word(1400, 1900, "there.")]
    cues = [Cue(1000, 2400, ("Hello there.",), tuple(words))]
    files = caption_files(cues, words, write=WriteOptions(shift_ms=3_600_000, crlf=True))
    assert files["srt"].startswith(b"1\r\n01:00:01,000")
    assert files["burn"] == b"1\n00:00:01,000 --> 00:00:02,400\nHello there.\n\n"


# ---------------------------------------------------------------- quote edges


def quote_entries() -> str:
    return (
        '  - title: check\n    from: "Check. Check."\n    to: "gets it."\n'
        '  - title: details\n    from: "No one has"\n    to: "understand the details."\n'
    )


@pytest.mark.media
def test_quoted_edges_hold_every_quoted_word(talk: Path, tmp_path: Path) -> None:
    out = tmp_path / "q"
    assert clip(talk, "talk.en.vtt", quote_entries(), out, "--mode", "reencode") == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    check, details = manifest["clips"]
    # "Check. Check." starts at 2.0 s and the audio pauses from 2.3 to 3.4 s: snapping into
    # that pause would have started the clip at 3.25 s, past the quote (and 1.25 s away)
    assert check["cut"]["start"]["ms"] == 2000
    assert (
        "pause 00:02.3-00:03.4 not used: it would cut off the quoted 'Check.'"
        in (check["snapped"]["start_refused"])
    )
    assert check["snapped"]["end_refused"] is None
    assert srt_cues(out / "check.srt")[0][2].startswith("Check. Check.")
    # "details." ends at 6.4 s and the pause starts at 6.2 s: the end stays at 6.4 s
    assert details["cut"]["end"]["ms"] == 6400
    assert details["snapped"]["end_refused"] is None  # the pause was used, up to the word
    assert srt_cues(out / "details.srt")[-1][2].endswith("details.")
    for record in (check, details):
        cues = srt_cues(out / record["files"]["srt"])
        assert cues[-1][1] <= record["cut"]["duration_ms"]  # the last cue ends inside


def fake_source(transcript: Transcript, fps: int = FPS) -> Source:
    video = VideoStream(codec="h264", width=320, height=240, frame_rate=Fraction(fps))
    info = MediaInfo("talk.mp4", 20_000, video, True)
    style = CaptionStyle(fps=fps)
    cues = tuple(build_cues(transcript, style))
    return Source(Path("talk.mp4"), info, transcript, cues, style=style)


def test_snapping_never_moves_a_cut_past_a_quoted_word_nor_beyond_the_tolerance() -> None:
    source = fake_source(read_text(rolling_vtt(talk_lines())))
    silences = [Silence(2300, 3400), Silence(6200, 6900)]
    check, details = plan_clips(
        source, parse_yaml("highlights:\n" + quote_entries()), ClipOptions(), lambda w: silences
    )
    assert (check.start_ms, check.start_snap.rule) == (2000, "sentence start")
    assert check.notes == (
        "start snap refused: pause 00:02.3-00:03.4 not used: it would cut off the quoted "
        "'Check.' at 00:02.0",
    )
    assert details.end_ms == 6400 and "pause 00:06.2-00:06.9" in details.end_snap.rule
    # a long pause is reached, but a cut moves at most the tolerance (0.7 s) into it
    nothing = boundaries([], [])
    start = snap_cut(5000, nothing, [Silence(5200, 7000)], SnapSettings(), is_end=False)
    assert start.snapped_ms == 5700  # not 6850, 0.15 s before the speech resumes
    end = snap_cut(7700, nothing, [Silence(5000, 9000)], SnapSettings(), is_end=True)
    assert end.snapped_ms == 7000  # not 5150, just after the speech stopped


def test_the_cut_rounds_to_the_frame_that_keeps_the_quoted_word() -> None:
    words = (Word(1000, 1400, "Hello"), Word(1400, 2410, "there."), Word(4000, 4300, "Next."))
    source = fake_source(Transcript(words))
    (plan,) = plan_clips(
        source,
        parse_yaml('highlights:\n  - from: "hello"\n    to: "there."\n'),
        ClipOptions(snap=False),
    )
    # 2410 ms is nearest the frame at 2400: that would cut 10 ms off "there."
    assert plan.end_ms == 2440


def head_words() -> tuple[Word, ...]:
    texts = 'or you could make a website." And I was like, "Guess I\'m going'.split()
    return tuple(Word(1000 + 300 * i, 1300 + 300 * i, t) for i, t in enumerate(texts))


def test_no_head_cue_made_of_the_sentence_before() -> None:
    words = head_words()  # 'website."' is 2500-2800, "And" 2800-3100
    cues = [
        Cue(1000, 2300, ("or you could make a",), words[:5]),
        Cue(2500, 3400, ('website." And I',), words[5:8]),
        Cue(3500, 5500, ("was like, \"Guess I'm going",), words[8:]),
    ]
    # a clip from 2.6 s: 'website."' would be a 0.3 s head cue; it is not shown
    clipped = clip_cues(cues, 2600, 6000, CaptionStyle(fps=25))
    assert [(c.start_ms, c.end_ms, c.lines) for c in clipped] == [
        (200, 800, ("And I",)),
        (920, 2920, ("was like, \"Guess I'm going",)),
    ]
    # a head cue holding only the tail of the sentence before, under the minimum: dropped
    tail_only = [cues[0], Cue(2500, 2900, ('website."',), words[5:6]), cues[2]]
    assert [c.lines for c in clip_cues(tail_only, 2600, 6000)] == [cues[2].lines]
    # ... but never the quoted words
    quoted = clip_cues(cues, 2600, 6000, CaptionStyle(fps=25), quoted_ms=2500)
    assert quoted[0].lines == ('website." And I',)
    # authored cues keep their text: the tail is only dropped when it is all the cue holds
    kept = clip_cues(cues, 2600, 6000, CaptionStyle(fps=25), keep_text=True)
    assert kept[0].lines == ('website." And I',)
    # ... or when the cue is left under the minimum, mostly shown before the clip
    late = clip_cues(cues, 3000, 6000, CaptionStyle(fps=25), keep_text=True)
    assert [c.lines for c in late] == [cues[2].lines]  # not 0.4 s of 'website." And I'


def test_vertical_captions_end_inside_the_clip() -> None:
    words = [Word(100 + 300 * i, 350 + 300 * i, f"word{i}") for i in range(12)]
    words[-1] = Word(words[-1].start_ms, words[-1].end_ms, "end.")
    duration = words[-1].end_ms + 40  # the clip ends 40 ms after the last word
    cues = [Cue(100, duration, ("x",), tuple(words))]
    style = CaptionStyle(fps=25)
    files = caption_files(cues, words, True, duration_ms=duration, style=style)
    last = pysrt.from_string(files["srt"].decode())[-1]
    assert last.end.ordinal <= duration  # the last word's linger would run 0.46 s past
    assert last.text.endswith("end.")


def test_a_cue_cut_at_the_clip_start_is_laid_out_again_by_the_segmenter() -> None:
    # Before: a greedy wrap filled the first line and left "ten" alone on the second.
    texts = "Before. one two three four five six seven eight nine ten".split()
    words = tuple(Word(n * 300, n * 300 + 300, text) for n, text in enumerate(texts))
    cue = Cue(0, 3300, (" ".join(texts[:9]), " ".join(texts[9:])), words)
    width = max(len(line) for line in cue.lines)
    [cut] = clip_cues([cue], 300, 3300, CaptionStyle(fps=25))
    assert " ".join(cut.lines).split() == texts[1:]  # every word inside, in order
    assert len(cut.lines) == 2 and max(len(line) for line in cut.lines) <= width
    assert min(len(line.split()) for line in cut.lines) >= 4  # balanced, not 9 + 1
    assert cut.lines == relaid_lines(words[1:], CaptionStyle(fps=25), width, 2)
