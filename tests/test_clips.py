"""Clips and reels end to end on a generated talk (real ffmpeg, marked ``media``).

The stand-in talk: 12 s of 320x240 testsrc2 at 25 fps (keyframe every 2 s, B-frames) with
a tone that pauses from 2.4 to 3.0 s in every 3 s block; one spoken sentence (8 words of
300 ms) and one caption cue per block.  Accurate clips are encoded losslessly (crf 0)
here so that their decoded frames can be compared with the source's by hash.
"""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from clipkit.cli import main
from clipkit.clips import (
    VERTICAL_MAX_CHARS,
    ClipOptions,
    CutMethod,
    Source,
    caption_files,
    clip_cues,
    cut_clips,
    make_reel,
    open_source,
    plan_clips,
    plan_reel,
)
from clipkit.errors import FFmpegError, HighlightError, OutputError
from clipkit.highlights import parse_yaml
from clipkit.media.cut import EncodeSettings
from clipkit.media.probe import MediaInfo, VideoStream, probe, stream_durations_ms
from clipkit.media.silence import Silence
from clipkit.model import Cue, Transcript, Word
from clipkit.readers import load
from clipkit.writers import render

FPS = 25
FRAME_MS = 40
LOSSLESS = EncodeSettings(crf=0, preset="ultrafast")
FAST = EncodeSettings(preset="ultrafast")


def talk_words(blocks: int = 4) -> tuple[Word, ...]:
    words = []
    for block in range(blocks):
        for n in range(8):
            start = block * 3000 + n * 300
            text = f"b{block}w{n}" + ("." if n == 7 else "")
            words.append(Word(start, start + 300, text))
    words[8 * 2 + 3] = Word(words[8 * 2 + 3].start_ms, words[8 * 2 + 3].end_ms, "wells")
    words[8 * 2 + 4] = Word(words[8 * 2 + 4].start_ms, words[8 * 2 + 4].end_ms, "fargo")
    return tuple(words)


def talk_cues(words: tuple[Word, ...]) -> tuple[Cue, ...]:
    return tuple(
        Cue(
            words[i].start_ms,
            words[i + 7].end_ms,
            (" ".join(w.text for w in words[i : i + 8]),),
            words[i : i + 8],
        )
        for i in range(0, len(words), 8)
    )


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("talk")
    video = folder / "talk.mp4"
    subprocess.run(
        [
            "ffmpeg",
            *("-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d=12"),
            *("-f", "lavfi", "-i", "sine=f=440:d=12:sample_rate=48000"),
            *("-af", "volume='if(gte(mod(t,3),2.4),0,1)':eval=frame"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "50"),
            *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
            str(video),
        ],
        check=True,
        capture_output=True,
    )
    words = talk_words()
    (folder / "talk.srt").write_bytes(render(talk_cues(words), Transcript(words), "srt"))
    return video


def source_of(video: Path) -> Source:
    words = talk_words()
    return Source(video, probe(video), Transcript(words), talk_cues(words))


def frame_hashes(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


def gray_frame(path: Path, at_s: float) -> bytes:
    return subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-ss", str(at_s), "-i", str(path)),
            *("-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"),
        ],
        check=True,
        capture_output=True,
    ).stdout


def specs(text: str) -> list:  # type: ignore[type-arg]
    return parse_yaml("highlights:\n" + text, "h.yaml")


# ---------------------------------------------------------------- pure parts


def test_clip_cues_shift_to_the_clip_and_cut_at_its_edges() -> None:
    words = talk_words()
    cues = talk_cues(words)
    clipped = clip_cues(cues, 3000, 7500)  # block 1 whole, block 2 up to its 6th word
    assert [(c.start_ms, c.end_ms) for c in clipped] == [(0, 2400), (3000, 4500)]
    assert clipped[0].lines == cues[1].lines  # a cue at source T is at T - start
    assert clipped[1].lines == ("b2w0 b2w1 b2w2 wells fargo",)
    assert clipped[1].words[-1].end_ms <= 4500


def fake_source() -> Source:
    video = VideoStream(codec="h264", width=320, height=240, frame_rate=Fraction(FPS))
    info = MediaInfo("talk.mp4", 12_000, video, True)
    words = talk_words()
    return Source(Path("talk.mp4"), info, Transcript(words), talk_cues(words))


def test_plan_snaps_to_sentence_then_pause_and_aligns_to_frames(tmp_path: Path) -> None:
    pauses = [Silence(2400, 3000), Silence(8400, 9000)]
    (plan,) = plan_clips(
        fake_source(),
        specs('  - start: "00:03.5"\n    end: 8\n'),
        ClipOptions(out_dir=tmp_path),
        lambda windows: pauses,
    )
    assert (plan.requested_start_ms, plan.requested_end_ms) == (3500, 8000)
    assert plan.start_snap.snapped_ms == 2850 and "sentence start" in plan.start_snap.rule
    assert plan.end_snap.snapped_ms == 8550 and "pause" in plan.end_snap.rule
    assert (plan.start_ms, plan.end_ms) == (2840, 8560)  # whole frames at 25 fps
    assert plan.name == "clip-01"
    assert list(tmp_path.iterdir()) == []  # planning writes nothing


def test_plan_no_snap_keeps_the_times() -> None:
    (plan,) = plan_clips(
        fake_source(),
        specs("  - title: Exact One!\n    start: 3.5\n    end: 8\n"),
        ClipOptions(snap=False),
    )
    assert (plan.start_ms, plan.end_ms, plan.name) == (3520, 8000, "exact-one")


@pytest.mark.parametrize(
    ("entry", "message", "line"),
    [
        ("  - start: 20\n    end: 25\n", "after the end of the video", 2),
        ("  - start: 2\n    end: 30\n", "end 00:30.0 is after the end of the video", 3),
        ('  - from: "no such words"\n    end: 5\n', "not found", 2),
        ('  - start: 7.5\n    to: "wells fargo"\n', "not found in the transcript after", 3),
    ],
)
def test_plan_rejects_impossible_highlights(entry: str, message: str, line: int) -> None:
    with pytest.raises(HighlightError) as caught:
        plan_clips(fake_source(), specs(entry), ClipOptions(snap=False))
    assert message in str(caught.value)
    assert caught.value.line == line


def test_reel_plan_shifts_captions_and_places_chapters() -> None:
    plans = plan_clips(
        fake_source(),
        specs(
            "  - title: A\n    start: 0\n    end: 2.4\n  - title: B\n    start: 6\n    end: 8.4\n"
        ),
        ClipOptions(snap=False),
    )
    reel = plan_reel(fake_source(), plans, title_ms=1000, xfade_ms=0)
    assert reel.total_ms == 1000 + 2400 + 1000 + 2400
    assert [(c.start_ms, c.title) for c in reel.chapters] == [(0, "A"), (3400, "B")]
    assert [(c.start_ms, c.end_ms) for c in reel.cues] == [(1000, 3400), (4400, 6800)]


# ---------------------------------------------------------------- real ffmpeg


@pytest.mark.media
def test_reencoded_clip_frames_duration_audio_and_captions(talk: Path, tmp_path: Path) -> None:
    source = source_of(talk)
    options = ClipOptions(out_dir=tmp_path / "clips", mode=CutMethod.REENCODE, encode=LOSSLESS)
    plans = plan_clips(
        source, specs('  - title: Middle\n    start: "00:03.5"\n    end: 8\n'), options
    )
    manifest = cut_clips(source, plans, options)
    (plan,) = plans
    # snapped into the measured pauses: just before block 1's speech, just after block 2's
    assert 2700 <= plan.start_ms <= 3000 and 8400 <= plan.end_ms <= 8700
    clip = tmp_path / "clips" / "middle.mp4"

    source_frames = frame_hashes(talk)
    clip_frames = frame_hashes(clip)
    first = plan.start_ms // FRAME_MS
    last = plan.end_ms // FRAME_MS - 1
    assert source_frames[first - 1] != source_frames[first]  # the frames do tell apart
    assert clip_frames[0] == source_frames[first]
    assert clip_frames[-1] == source_frames[last]
    assert len(clip_frames) == last - first + 1

    info = probe(clip)
    assert abs(info.duration_ms - plan.duration_ms) <= FRAME_MS
    lengths = stream_durations_ms(clip)
    assert abs(lengths["video"] - lengths["audio"]) <= 50
    assert info.video_codec == "h264" and info.audio_codec == "aac"

    captions = load(clip.with_suffix(".srt"))  # cue at source time T is at T - start
    assert captions.words[0].text == "b1w0"
    assert abs(captions.words[0].start_ms - (3000 - plan.start_ms)) <= 1
    vtt = clip.with_suffix(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT")

    record = json.loads(manifest.read_text(encoding="utf-8"))["clips"][0]
    assert (record["method"], record["fallback"], record["smart_cut"]) == ("reencode", None, None)
    assert record["requested"]["start"]["ms"] == 3500
    assert record["cut"]["start"]["ms"] == plan.start_ms
    assert "pause" in record["snapped"]["start_rule"]
    assert sorted(p.name for p in (tmp_path / "clips").iterdir()) == [
        "manifest.json",
        "middle.mp4",
        "middle.srt",
        "middle.vtt",
    ]


@pytest.mark.media
def test_copy_clip_starts_on_a_keyframe_and_says_so(talk: Path, tmp_path: Path) -> None:
    source = source_of(talk)
    options = ClipOptions(out_dir=tmp_path, mode=CutMethod.COPY, snap=False)
    plans = plan_clips(source, specs("  - start: 5\n    end: 9\n"), options)
    (plan,) = plans
    assert plan.start_ms == 4000
    assert "keyframe at 00:04.0" in plan.notes[0]
    cut_clips(source, plans, options)
    info = probe(tmp_path / "clip-01.mp4")
    assert info.has_audio and info.has_video
    assert abs(info.duration_ms - 5000) <= 250  # a copy also ends on a packet boundary
    assert frame_hashes(tmp_path / "clip-01.mp4")[0] == frame_hashes(talk)[100]


@pytest.mark.media
def test_burned_captions_change_the_caption_area(talk: Path, tmp_path: Path) -> None:
    source = source_of(talk)
    entry = specs("  - start: 3\n    end: 5\n")
    for burn in (False, True):
        options = ClipOptions(out_dir=tmp_path / str(burn), snap=False, burn=burn, encode=FAST)
        cut_clips(source, plan_clips(source, entry, options), options)
    plain = gray_frame(tmp_path / "False" / "clip-01.mp4", 1.0)
    burned = gray_frame(tmp_path / "True" / "clip-01.mp4", 1.0)
    width = 320
    bottom = slice(width * 180, width * 240)  # the lower quarter, where captions go
    top = slice(0, width * 100)
    changed = sum(abs(a - b) > 40 for a, b in zip(plain[bottom], burned[bottom], strict=True))
    assert changed > 300
    assert sum(abs(a - b) > 40 for a, b in zip(plain[top], burned[top], strict=True)) < 50


@pytest.mark.media
def test_vertical_clip_is_nine_by_sixteen(talk: Path, tmp_path: Path) -> None:
    code = main(
        [
            *("clip", str(talk), "--captions", str(talk.with_suffix(".srt"))),
            *("--highlights", str(_write(tmp_path / "h.yaml", "  - start: 3\n    end: 5\n"))),
            *("--out", str(tmp_path / "out"), "--vertical", "--burn", "--quiet"),
            *("--preset", "ultrafast"),
        ]
    )
    assert code == 0
    info = probe(tmp_path / "out" / "clip-01.mp4")
    assert (info.width, info.height) == (134, 240)


def test_vertical_captions_are_laid_out_for_the_narrow_frame() -> None:
    words = [
        Word(i * 300, i * 300 + 250, text)
        for i, text in enumerate("we absolutely needed to be on Wells Fargo and we got it".split())
    ]
    cue = Cue(0, words[-1].end_ms, ("we absolutely needed to be on Wells Fargo", "and we got it"))
    wide = caption_files([cue], words)["srt"].decode()
    narrow = caption_files([cue], words, vertical=True)["srt"].decode()
    text_lines = [line for line in narrow.splitlines() if line and not line[0].isdigit()]
    assert max(len(line) for line in text_lines) <= VERTICAL_MAX_CHARS
    assert " ".join(text_lines).split() == [w.text for w in words]
    assert "we absolutely needed to be on Wells Fargo" in wide


@pytest.mark.media
def test_reel_length_chapters_and_captions(talk: Path, tmp_path: Path) -> None:
    source = source_of(talk)
    plans = plan_clips(
        source,
        specs(
            "  - title: One\n    start: 0\n    end: 2.4\n"
            "  - title: Two\n    start: 6\n    end: 8.4\n"
        ),
        ClipOptions(snap=False),
    )
    options = ClipOptions(snap=False, encode=FAST)
    reel = plan_reel(source, plans, title_ms=1000, xfade_ms=500, options=options)
    output = tmp_path / "reel.mp4"
    make_reel(source, reel, output)
    info = probe(output)
    assert reel.total_ms == 1000 + 2400 + 1000 + 2400 - 3 * 500
    assert abs(info.duration_ms - reel.total_ms) <= FRAME_MS
    lengths = stream_durations_ms(output)
    assert abs(lengths["video"] - lengths["audio"]) <= 50
    assert [title for _, _, title in info.chapters] == ["One", "Two"]
    # card 1 at 0, clip One at 0.5 s, card 2 at 2.4 s, clip Two at 2.9 s (0.5 s overlaps)
    assert [start for start, _, _ in info.chapters] == [0, 2400]
    captions = load(output.with_suffix(".srt"))
    texts = [w.text for w in captions.words]
    assert texts[0] == "b0w0" and texts[-1] == "b2w7."
    # after the first title card's fade (0.5 s, clip One) and the second (2.9 s, clip Two),
    # each on the reel's nearest frame: 12.5 and 72.5 frames in, so half a frame later
    assert [captions.words[0].start_ms, captions.words[8].start_ms] == [520, 2920]


@pytest.mark.media
def test_ffmpeg_failure_leaves_nothing_and_reports_the_command(talk: Path, tmp_path: Path) -> None:
    source = source_of(talk)
    options = ClipOptions(
        out_dir=tmp_path, snap=False, encode=EncodeSettings(preset="no-such-preset")
    )
    plans = plan_clips(source, specs("  - start: 1\n    end: 2\n"), options)
    with pytest.raises(FFmpegError) as caught:
        cut_clips(source, plans, options)
    assert "no-such-preset" in caught.value.command
    assert caught.value.stderr_tail
    assert list(tmp_path.iterdir()) == []


def _write(path: Path, entries: str) -> Path:
    path.write_text("highlights:\n" + entries, encoding="utf-8")
    return path


@pytest.mark.media
@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ("  - start: 5\n    end: 4\n", "h.yaml:3: end 00:04.0 is not after start 00:05.0"),
        ("  - start: 1\n    end: 99\n", "h.yaml:3: end 01:39.0 is after the end of the video"),
        ('  - from: "not said"\n    end: 4\n', "h.yaml:2: from: quote 'not said' not found"),
        ("  - start: 1\n    finish: 4\n", "h.yaml:3: unknown key 'finish'"),
    ],
)
def test_cli_bad_highlights_one_line_nothing_written(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], entries: str, expected: str
) -> None:
    highlights = _write(tmp_path / "h.yaml", entries)
    out = tmp_path / "out"
    code = main(
        [
            *("clip", str(talk), "--captions", str(talk.with_suffix(".srt"))),
            *("--highlights", str(highlights), "--out", str(out), "--quiet"),
        ]
    )
    error = capsys.readouterr().err.strip()
    assert code == 1
    assert error.startswith(f"clipkit: {tmp_path / expected.split(':')[0]}:")
    assert expected.split(":", 1)[1] in error
    assert "\n" not in error
    assert not out.exists()


@pytest.mark.media
def test_cli_dry_run_prints_plan_and_commands(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    highlights = _write(tmp_path / "h.yaml", '  - title: W\n    from: "wells fargo"\n    end: 8\n')
    code = main(
        [
            *("clip", str(talk), "--captions", str(talk.with_suffix(".srt"))),
            *("--highlights", str(highlights), "--out", str(tmp_path / "o"), "--dry-run"),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    taken, plan = printed.splitlines()[:2]
    # talk.srt is one plain cue per sentence: authored, so its cues are kept
    assert taken.startswith(f"captions: {talk.with_suffix('.srt')}: authored captions")
    assert taken.endswith("4 cues kept as written, on the frames of 25 fps")
    assert plan.startswith("w: ")
    assert "ffmpeg -hide_banner" in printed and "libx264" in printed
    assert not (tmp_path / "o").exists()


@pytest.mark.media
def test_cli_find_and_reel(talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    captions = talk.with_suffix(".srt")
    written = tmp_path / "found.yaml"
    assert main(["find", str(captions), "Wells, Fargo", "--write", str(written)]) == 0
    assert "wells fargo" in capsys.readouterr().out
    reel = tmp_path / "reel.mp4"
    code = main(
        [
            *("reel", str(talk), "--captions", str(captions), "--highlights", str(written)),
            *("-o", str(reel), "--titles", "1", "--quiet", "--preset", "ultrafast"),
        ]
    )
    assert code == 0
    info = probe(reel)
    assert len(info.chapters) == 1
    assert reel.with_suffix(".srt").exists() and reel.with_suffix(".vtt").exists()


def test_open_source_rejects_a_video_without_sound(tmp_path: Path) -> None:
    mute = tmp_path / "mute.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x48:d=1", str(mute)],
        check=True,
    )
    with pytest.raises(Exception, match="has no audio stream"):
        open_source(mute)


def test_clips_never_overwrite_the_source(tmp_path: Path) -> None:
    video = tmp_path / "clip-01.mp4"
    video.write_bytes(b"the talk")
    source = fake_source()
    source = Source(video, source.info, source.transcript, source.cues)
    options = ClipOptions(out_dir=tmp_path, snap=False)
    plans = plan_clips(source, specs("  - start: 1\n    end: 2\n"), options)
    with pytest.raises(OutputError, match="refusing to overwrite"):
        cut_clips(source, plans, options)
    assert video.read_bytes() == b"the talk"
    assert [p.name for p in tmp_path.iterdir()] == ["clip-01.mp4"]
