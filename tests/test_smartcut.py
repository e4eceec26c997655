"""Smart cut on generated H.264 sources (real ffmpeg; the media tests are marked ``media``).

The sources: testsrc2 (every frame differs) with a tone, encoded by x264 with B-frames
and a fixed keyframe interval: 1080p30 with a keyframe every 3 s and B-pyramid
(reorder depth 2), 720p25 with a keyframe every 5 s and plain B-frames (depth 1), and a
small open-GOP stream whose keyframes are not clean cut points.  Each smart-cut clip is
checked independently of the tool's own verification: every frame decodes without an
error, the frame count is exact, copied frames are bit-identical to the source's decode
and re-encoded ones are above 40 dB PSNR against it, audio and video last the same, and
the packets form one continuous stream.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from clipkit.cli import main
from clipkit.clips import (
    ClipOptions,
    ClipPlan,
    cut_clips,
    make_reel,
    open_source,
    plan_clips,
    plan_reel,
)
from clipkit.clips.method import CutMethod, MethodChoice
from clipkit.highlights import parse_yaml
from clipkit.media import smartcut
from clipkit.media.cut import EncodeSettings
from clipkit.media.probe import Packet, VideoStream, probe, stream_durations_ms
from clipkit.media.smartcut import (
    Piece,
    SmartCutUnavailable,
    SmartPlan,
    mismatch,
    picture,
    plan_smart_cut,
)


@dataclass(frozen=True)
class SourceSpec:
    size: str
    rate: int
    gop_frames: int
    seconds: int
    x264_params: str
    profile: str = "high"
    sample_aspect_ratio: str = "1:1"


SOURCES = {
    "1080p30": SourceSpec("1920x1080", 30, 90, 11, "bframes=3:b-pyramid=normal"),
    "720p25": SourceSpec("1280x720", 25, 125, 14, "bframes=2:b-pyramid=none", "main", "4:3"),
    "open-gop": SourceSpec("320x240", 25, 50, 10, "bframes=3:open-gop=1"),
}


def make_source(folder: Path, name: str) -> Path:
    spec = SOURCES[name]
    path = folder / f"{name}.mp4"
    gop = str(spec.gop_frames)
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s={spec.size}:r={spec.rate}:d={spec.seconds}"),
            *("-f", "lavfi", "-i", f"sine=f=440:d={spec.seconds}:sample_rate=48000"),
            *("-vf", f"setsar={spec.sample_aspect_ratio.replace(':', '/')}"),
            *("-c:v", "libx264", "-preset", "superfast", "-profile:v", spec.profile),
            *("-g", gop, "-keyint_min", gop, "-sc_threshold", "0"),
            *("-x264-params", spec.x264_params, "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", str(path)),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("smart-sources")
    return {name: make_source(folder, name) for name in SOURCES}


# ---------------------------------------------------------------- independent checks


def frame_hashes(path: Path, seek: str | None = None, frames: int | None = None) -> list[str]:
    argv = ["ffmpeg", "-v", "error"]
    if seek is not None:
        argv += ["-ss", seek]
    argv += ["-i", str(path), "-map", "0:v"]
    if frames is not None:
        argv += ["-frames:v", str(frames)]
    out = subprocess.run([*argv, "-f", "framemd5", "-"], check=True, capture_output=True, text=True)
    return [line.rsplit(",", 1)[-1].strip() for line in out.stdout.splitlines() if line[:1] != "#"]


def psnr_against_source(
    clip: Path, source: Path, seek: str, frames: int, clip_seek: str | None = None
) -> list[float]:
    """Per-frame PSNR of ``clip`` against ``frames`` source frames from ``seek``.

    The whole clip is compared (an extra frame shows as an extra value), or with
    ``clip_seek`` only its ``frames`` frames from there (one part of a reel).
    """
    clip_input = ["-i", str(clip)] if clip_seek is None else ["-ss", clip_seek, "-i", str(clip)]
    clip_trim = "" if clip_seek is None else f"trim=end_frame={frames},"
    graph = (
        f"[0:v]{clip_trim}setpts=PTS-STARTPTS[clip];"
        f"[1:v]trim=end_frame={frames},setpts=PTS-STARTPTS[src];[clip][src]psnr=stats_file=-"
    )
    argv = ["ffmpeg", "-v", "error", *clip_input, "-ss", seek, "-i", str(source)]
    out = subprocess.run(
        [*argv, "-lavfi", graph, "-f", "null", "-"], check=True, capture_output=True, text=True
    )
    values = re.findall(r"psnr_avg:(inf|[\d.]+)", out.stdout)
    return [math.inf if v == "inf" else float(v) for v in values]


def decode_errors(path: Path) -> str:
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    return done.stderr.strip()


def video_packets(path: Path) -> list[tuple[int, int]]:
    out = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", "v"),
            *("-show_entries", "packet=stream_index,pts,dts", "-of", "json", str(path)),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    packets = json.loads(out.stdout)["packets"]
    assert {p["stream_index"] for p in packets} == {0}
    return [(int(p["pts"]), int(p["dts"])) for p in packets]


def stream_kinds(path: Path) -> list[str]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return [s["codec_type"] for s in json.loads(out.stdout)["streams"]]


def seek_text(frame: int, rate: int) -> str:
    return f"{math.floor(frame * 1_000_000 / rate) / 1e6:.6f}"


# ---------------------------------------------------------------- smart cuts


CASES = [
    # source, start ms, end ms: head + copy + tail; a start on a keyframe (no head);
    # an end on a keyframe (no tail); a long B-frame-depth-1 cut with a 5 s group.
    ("1080p30", 1500, 7700),
    ("1080p30", 3000, 8000),
    ("1080p30", 1000, 9000),
    ("1080p30", 2967, 7700),  # one frame before a keyframe: too short a head, on to the next
    ("720p25", 2200, 12600),
]


@pytest.mark.media
@pytest.mark.parametrize(("name", "start_ms", "end_ms"), CASES)
def test_smart_cut_is_frame_exact_and_one_clean_stream(
    sources: dict[str, Path], tmp_path: Path, name: str, start_ms: int, end_ms: int
) -> None:
    source, spec = sources[name], SOURCES[name]
    plan = smartcut.plan_for(source, start_ms, end_ms)
    first = round(start_ms * spec.rate / 1000)
    frames = round(end_ms * spec.rate / 1000) - first
    assert plan.frames == frames
    head = plan.head.frames if plan.head else 0
    tail = plan.tail.frames if plan.tail else 0
    to_keyframe = -first % spec.gop_frames
    if 0 < to_keyframe <= plan.stream.reorder_depth:
        to_keyframe += spec.gop_frames
    assert head == to_keyframe
    assert head + plan.middle.frames + tail == frames and plan.middle.frames > 0
    clip = tmp_path / "clip.mp4"
    smartcut.smart_cut(source, plan, clip, EncodeSettings())

    assert decode_errors(clip) == ""
    clip_hashes = frame_hashes(clip)
    assert len(clip_hashes) == frames
    source_hashes = frame_hashes(source)[first : first + frames]
    assert len(set(source_hashes)) == frames  # every source frame is different
    psnr = psnr_against_source(clip, source, seek_text(first, spec.rate), frames)
    assert len(psnr) == frames
    for index in range(frames):
        if head <= index < head + plan.middle.frames:
            assert clip_hashes[index] == source_hashes[index], f"copied frame {index}"
        else:
            assert psnr[index] > 40, f"re-encoded frame {index}: {psnr[index]:.1f} dB"
    # the frames at the ends and on both sides of each join are the source's frames
    for index in {0, head - 1, head, head + plan.middle.frames - 1, frames - 1} - {-1}:
        assert psnr[index] > 40

    assert stream_kinds(clip) == ["video", "audio"]
    clip_stream = probe(clip).video
    assert clip_stream is not None
    assert clip_stream.sample_aspect_ratio == spec.sample_aspect_ratio
    assert picture(clip_stream) == picture(plan.stream)
    assert (clip_stream.level, clip_stream.time_base) == (plan.stream.level, plan.stream.time_base)
    packets = video_packets(clip)
    shown = sorted(pts for pts, _dts in packets)
    steps = {b - a for a, b in itertools.pairwise(shown)}
    assert len(steps) == 1  # one continuous stream: every frame one frame after the last
    decoding = [dts for _pts, dts in packets]
    assert {b - a for a, b in itertools.pairwise(decoding)} == steps  # decoded at one pace too
    lengths = stream_durations_ms(clip)
    assert abs(lengths["video"] - (end_ms - start_ms)) <= 1000 / spec.rate
    assert abs(lengths["video"] - lengths["audio"]) <= 50
    with clip.open("rb") as handle:  # +faststart: the index comes before the media data
        head_bytes = handle.read(4096)
    assert head_bytes.find(b"moov") < head_bytes.find(b"mdat") or b"mdat" not in head_bytes


@pytest.mark.media
def test_reencoded_pieces_match_the_source_stream(sources: dict[str, Path]) -> None:
    stream = probe(sources["720p25"]).video
    assert stream is not None
    assert (stream.codec, stream.profile, stream.reorder_depth) == ("h264", "Main", 1)
    assert (stream.width, stream.height, stream.frame_rate) == (1280, 720, Fraction(25))
    assert stream.sample_aspect_ratio == "4:3"
    assert mismatch(stream) is None


@pytest.mark.media
def test_clip_within_one_group_of_pictures_is_reencoded(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    with pytest.raises(SmartCutUnavailable, match="one group of pictures"):
        smartcut.plan_for(sources["720p25"], 5400, 9000)
    source = open_source(sources["720p25"])
    options = ClipOptions(out_dir=tmp_path, snap=False)
    plans = plan_clips(source, parse_yaml("- start: 5.4\n  end: 9\n", "h.yaml"), options)
    assert plans[0].method == "reencode"
    manifest = json.loads(cut_clips(source, plans, options).read_text())
    record = manifest["clips"][0]
    assert manifest["mode"] == "smart"
    assert record["method"] == "reencode" and "one group of pictures" in record["fallback"]
    assert len(frame_hashes(tmp_path / "clip-01.mp4")) == 90


@pytest.mark.media
def test_a_cut_that_fails_verification_falls_back_to_reencoding(
    sources: dict[str, Path], tmp_path: Path
) -> None:
    # An open-GOP keyframe is marked as a sync point but its neighbours reference the
    # group before it: the copied middle cannot decode on its own.
    source_path = sources["open-gop"]
    plan = smartcut.plan_for(source_path, 1000, 9000)
    with pytest.raises(SmartCutUnavailable, match="verification failed"):
        smartcut.smart_cut(source_path, plan, tmp_path / "direct.mp4")

    source = open_source(source_path)
    options = ClipOptions(out_dir=tmp_path / "clips", snap=False)
    plans = plan_clips(source, parse_yaml("- start: 1\n  end: 9\n", "h.yaml"), options)
    assert plans[0].method == "smart"
    done: list[ClipPlan] = []
    manifest = json.loads(cut_clips(source, plans, options, on_clip=done.append).read_text())
    record = manifest["clips"][0]
    assert record["method"] == "reencode" and "verification failed" in record["fallback"]
    assert done[0].method == "reencode"
    clip = tmp_path / "clips" / "clip-01.mp4"
    assert decode_errors(clip) == ""
    assert len(frame_hashes(clip)) == 200
    assert min(psnr_against_source(clip, source_path, seek_text(25, 25), 200)) > 30
    assert sorted(p.name for p in clip.parent.iterdir()) == [
        "clip-01.mp4",
        "clip-01.srt",
        "clip-01.vtt",
        "manifest.json",
    ]


@pytest.mark.media
def test_clip_command_defaults_to_smart_and_reports_it(
    sources: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    highlights = tmp_path / "h.yaml"
    highlights.write_text("- title: Middle\n  start: 1.5\n  end: 7.7\n", encoding="utf-8")
    video = str(sources["1080p30"])
    common = [video, "--highlights", str(highlights), "--no-snap", "--no-progress"]
    assert main(["clip", *common, "--out", str(tmp_path / "c"), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "middle: smart cut: 45 + " in printed
    assert "-c:v copy" in printed or "-vcodec copy" in printed
    assert not (tmp_path / "c").exists()

    assert main(["clip", *common, "--out", str(tmp_path / "c")]) == 0
    assert "middle: smart cut" in capsys.readouterr().err
    record = json.loads((tmp_path / "c" / "manifest.json").read_text())["clips"][0]
    assert record["method"] == "smart" and record["fallback"] is None
    assert record["smart_cut"]["head_frames"] == 45
    assert len(frame_hashes(tmp_path / "c" / "middle.mp4")) == 186


@pytest.mark.media
def test_mode_flags(sources: dict[str, Path], tmp_path: Path) -> None:
    highlights = tmp_path / "h.yaml"
    highlights.write_text("- start: 1\n  end: 2\n", encoding="utf-8")
    video = str(sources["720p25"])
    common = [video, "--highlights", str(highlights), "--no-snap", "--quiet", "--dry-run"]
    assert main(["clip", *common, "--mode", "smart", "--burn"]) == 1
    assert main(["clip", *common, "--mode", "reencode", "--copy"]) == 1
    assert main(["clip", *common, "--mode", "reencode"]) == 0
    assert main(["clip", *common, "--copy"]) == 0


# ---------------------------------------------------------------- planning (no ffmpeg)


def stream_of(**changes: object) -> VideoStream:
    fields: dict[str, object] = {
        "codec": "h264",
        "profile": "High",
        "level": 40,
        "pix_fmt": "yuv420p",
        "width": 1920,
        "height": 1080,
        "time_base": Fraction(1, 15360),
        "frame_rate": Fraction(30),
        "reorder_depth": 1,  # as ipbb_packets: one B-frame of decoding delay
    }
    fields.update(changes)
    return VideoStream(**fields)  # type: ignore[arg-type]


def group_decoding_order(size: int) -> list[int]:
    """A closed group shown I B B P B B P ... P: each anchor is decoded before its B-frames."""
    anchors = list(range(0, size, 3))
    anchors += range(anchors[-1] + 1, size)  # the group ends on P-frames: nothing open
    order, previous = [0], 0
    for anchor in anchors[1:]:
        order += [anchor, *range(previous + 1, anchor)]
        previous = anchor
    return order


def ipbb_packets(frames: int, gop: int, tick: int = 512) -> list[Packet]:
    packets = []
    for group in range(0, frames, gop):
        for position, index in enumerate(group_decoding_order(min(gop, frames - group))):
            pts, dts = (group + index) * tick, (group + position - 1) * tick
            packets.append(Packet(pts, dts, index == 0, 1000))
    return sorted(packets, key=lambda p: p.pts)


def test_plan_splits_head_copy_and_tail_at_a_safe_point() -> None:
    packets = ipbb_packets(300, 90)
    plan = plan_smart_cut(stream_of(), packets, 1500, 7700)  # frames 45 .. 231
    assert plan.frames == 186
    assert plan.head == Piece(45 * 512, 45, False)
    # the last group starts at 180 and 231 is mid-group: copy up to the last safe point,
    # 229 (after the anchor at 228 and its B-frames 226, 227)
    assert plan.middle == Piece(90 * 512, 229 - 90, True)
    assert plan.tail == Piece(229 * 512, 2, False)
    assert plan.bitrate == 1000 * 8 * 30


def test_pieces_shorter_than_the_decoding_delay_are_avoided() -> None:
    # x264 writes a piece of at most `reorder_depth` frames without a decoding delay.
    packets = ipbb_packets(300, 90)
    plan = plan_smart_cut(stream_of(reorder_depth=2), packets, 1500, 7700)
    assert plan.tail == Piece(226 * 512, 5, False)  # 2 frames would be too few: back to 226
    plan = plan_smart_cut(stream_of(reorder_depth=2), packets, 2967, 7700)  # frame 89
    assert plan.head == Piece(89 * 512, 91, False)  # 1 frame is too few: on to the next group
    assert plan.middle.start_pts == 180 * 512


def test_plan_without_head_or_tail() -> None:
    packets = ipbb_packets(300, 90)
    plan = plan_smart_cut(stream_of(), packets, 3000, 9000)  # keyframe to keyframe
    assert plan.head is None and plan.tail is None and plan.middle.frames == 180


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"codec": "hevc"}, "not H.264"),
        ({"profile": "High 10", "pix_fmt": "yuv420p10le"}, "not 8-bit 4:2:0"),
        ({"pix_fmt": "yuv422p"}, "pixel format"),
        ({"field_order": "tt"}, "interlaced"),
        ({"reorder_depth": 3}, "reorders 3 frames"),
        ({"time_base": Fraction(1, 1000), "frame_rate": Fraction(30000, 1001)}, "exactly"),
        ({"container": "matroska,webm"}, "not MP4/MOV"),
        ({"container": "mpegts"}, "not MP4/MOV"),
    ],
)
def test_streams_x264_cannot_match(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(SmartCutUnavailable, match=reason):
        plan_smart_cut(stream_of(**changes), ipbb_packets(300, 90), 1500, 7700)


def test_uneven_frames_are_not_smart_cut() -> None:
    packets = ipbb_packets(300, 90)
    del packets[100]  # a dropped frame: variable frame rate
    with pytest.raises(SmartCutUnavailable, match="variable frame rate"):
        plan_smart_cut(stream_of(), packets, 1500, 7700)


def test_piece_commands_match_the_stream() -> None:
    plan = SmartPlan(
        stream_of(reorder_depth=1, level=31),
        45 * 512,
        186,
        Piece(45 * 512, 45, False),
        Piece(90 * 512, 139, True),
        Piece(229 * 512, 2, False),
        6_000_000,
    )
    settings = EncodeSettings()
    head = smartcut.piece_command("in.mp4", plan, plan.head, "head.mp4", settings)  # type: ignore[arg-type]
    middle = smartcut.piece_command("in.mp4", plan, plan.middle, "mid.mp4", settings)
    tail = smartcut.piece_command("in.mp4", plan, plan.tail, "tail.mp4", settings)  # type: ignore[arg-type]
    assert head[head.index("-ss") + 1] == "1.500000"
    assert head[head.index("-frames:v") + 1] == "45"
    assert head[head.index("-profile:v") + 1] == "high" and head[head.index("-level") + 1] == "31"
    assert head[head.index("-x264-params") + 1] == "bframes=3:b-pyramid=none"
    assert head[head.index("-maxrate") + 1] == "9000000"
    assert head[head.index("-video_track_timescale") + 1] == "15360"
    assert tail[tail.index("-x264-params") + 1] == "bframes=3:b-pyramid=none"
    assert middle[middle.index("-vcodec") + 1] == "copy"
    assert middle[middle.index("-ss") + 1] == "3.000000"
    assert middle[middle.index("-frames:v") + 1] == "139"
    named = zip(plan.pieces, ["a.mp4", "b.mp4", "c.mp4"], strict=True)
    listing = smartcut.concat_list(plan.stream.frame_rate, list(named))
    assert listing.splitlines()[1:] == [
        "file a.mp4",
        "duration 1.500000",
        "file b.mp4",
        "duration 4.633333",
        "file c.mp4",
        "duration 0.066667",
    ]


def test_psnr_stats_are_read() -> None:
    stats = (
        "n:1 mse_avg:0.00 mse_y:0.00 psnr_avg:inf psnr_y:inf\n"
        "n:2 mse_avg:1.27 mse_y:1.50 psnr_avg:47.10 psnr_y:46.37\n"
    )
    assert smartcut.parse_psnr(stats) == [math.inf, 47.10]


# ---------------------------------------------------------------- reels


@pytest.mark.media
def test_reel_of_plain_cuts_is_smart_cut_and_joined(
    sources: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source_path = sources["720p25"]
    spans = [(1200, 6800), (7600, 12400)]  # each crosses a keyframe (every 5 s)
    highlights = "".join(
        f"- title: Part {n}\n  start: {a / 1000}\n  end: {b / 1000}\n"
        for n, (a, b) in enumerate(spans, 1)
    )
    source = open_source(source_path)
    plans = plan_clips(source, parse_yaml(highlights, "h.yaml"), ClipOptions(snap=False))
    assert [p.method for p in plans] == ["smart", "smart"]
    reel = plan_reel(source, plans)
    assert (reel.method, reel.fallback) == (CutMethod.SMART, None)
    assert plan_reel(source, plans, title_ms=1000).method is CutMethod.REENCODE
    output = tmp_path / "reel.mp4"
    assert make_reel(source, reel, output) == MethodChoice(CutMethod.SMART)

    frames = [round(b * 25 / 1000) - round(a * 25 / 1000) for a, b in spans]
    assert decode_errors(output) == ""
    assert len(frame_hashes(output)) == sum(frames)
    packets = video_packets(output)
    shown = sorted(pts for pts, _dts in packets)
    assert len({b - a for a, b in itertools.pairwise(shown)}) == 1
    decoding = [dts for _pts, dts in packets]
    assert len({b - a for a, b in itertools.pairwise(decoding)}) == 1
    lengths = stream_durations_ms(output)
    assert abs(lengths["video"] - lengths["audio"]) <= 50
    # each part starts (and the first ends) on the source's frames
    offset = 0
    for (start_ms, _end_ms), count in zip(spans, frames, strict=True):
        first = round(start_ms * 25 / 1000)
        clip_frames = psnr_against_source(
            output, source_path, seek_text(first, 25), count, clip_seek=seek_text(offset, 25)
        )
        assert min(clip_frames[0], clip_frames[-1]) > 40
        offset += count
    chapters = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(output)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Part 1", "Part 2"]
    assert abs(float(chapters[1]["start_time"]) - frames[0] / 25) < 0.05
    assert output.with_suffix(".srt").exists() and output.with_suffix(".vtt").exists()

    highlights_file = tmp_path / "h.yaml"
    highlights_file.write_text(highlights, encoding="utf-8")
    argv = ["reel", str(source_path), "--highlights", str(highlights_file), "--no-snap"]
    assert main([*argv, "-o", str(tmp_path / "r2.mp4"), "--dry-run"]) == 0
    assert "reel: every highlight smart-cut" in capsys.readouterr().out
    assert main([*argv, "-o", str(tmp_path / "r3.mp4"), "--titles", "1", "--dry-run"]) == 0
    assert "reel: re-encoded (title cards" in capsys.readouterr().out


def test_verification_windows_cover_both_ends_and_both_joins() -> None:
    plan = plan_smart_cut(stream_of(), ipbb_packets(300, 90), 1500, 7700)  # 45 + 139 + 2
    windows = smartcut.verify_windows(plan, offset=10)
    assert [(w.start, w.frames, w.compared) for w in windows] == [
        (0, 1, True),  # the first frame against the source's
        (0, 47, False),  # the re-encoded head and the join, decoded for errors
        (45, 2, True),  # the first copied frames: bit-identical to the source's
        (182, 4, True),  # the last copied frames, the tail and the last frame
    ]
    assert {w.offset for w in windows} == {10}
    decoded_only = windows[1]
    assert smartcut.window_problems(plan, decoded_only, [], "") == []
    assert "reported" in smartcut.window_problems(plan, decoded_only, [], "error while decoding")[0]
    assert (
        "differs from the source" in smartcut.window_problems(plan, windows[2], [50.0, 50.0], "")[0]
    )
