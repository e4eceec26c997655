"""The ffmpeg edge without running ffmpeg: argv built, progress and silencedetect parsing."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from clipkit.media.burn import BurnStyle, VerticalCrop, picture_transform
from clipkit.media.concat import Chapter, ReelPart, chapters_of, ffmetadata, layout, reel_command
from clipkit.media.cut import EncodeSettings, Span, accurate_cut_command, copy_cut_command
from clipkit.media.probe import MediaError, parse_probe
from clipkit.media.progress import ProgressParser
from clipkit.media.silence import Silence, parse_silencedetect, silencedetect_command


def _after(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_accurate_cut_seeks_on_the_input_and_encodes_h264_aac_faststart() -> None:
    argv = accurate_cut_command("in.mp4", 5000, 8000, "out.mp4", frame_rate=Fraction(25))
    assert argv[0] == "ffmpeg"
    assert argv.index("-ss") < argv.index("-i")  # input seeking: frame-accurate with re-encode
    assert _after(argv, "-ss") == "5.000000"
    assert _after(argv, "-t") == "3.000000"
    assert _after(argv, "-vcodec") == "libx264"
    assert _after(argv, "-acodec") == "aac"
    assert _after(argv, "-movflags") == "+faststart"
    graph = _after(argv, "-filter_complex")
    assert "afade=d=0.020:st=0:t=in" in graph
    assert "afade=d=0.020:st=2.980:t=out" in graph
    assert argv[-2:] == ["out.mp4", "-y"]


def test_encode_settings_reach_the_command() -> None:
    argv = accurate_cut_command(
        "in.mp4", 0, 1000, "o.mp4", EncodeSettings(crf=0, preset="ultrafast", fade_ms=0)
    )
    assert _after(argv, "-crf") == "0"
    assert _after(argv, "-preset") == "ultrafast"
    assert "-filter_complex" not in argv  # no fade, no filter


def test_span_counts_whole_frames_and_never_seeks_past_the_first_one() -> None:
    span = Span.of(2033, 3533, Fraction(30))  # frames 61..106 at 30 fps
    assert float(span.seek) <= 61 / 30
    assert 61 / 30 - float(span.seek) < 1e-5
    assert span.length == "1.500000"
    assert span.duration_ms == 1500
    with pytest.raises(ValueError):
        Span.of(1000, 1000)


def test_copy_cut_is_a_stream_copy() -> None:
    argv = copy_cut_command("in.mp4", 4000, 9000, "out.mp4")
    assert _after(argv, "-c") == "copy"
    assert _after(argv, "-ss") == "4.000"
    assert _after(argv, "-t") == "5.000"
    assert "-filter_complex" not in argv


def test_burn_and_vertical_build_crop_then_subtitles() -> None:
    transform = picture_transform(
        1280,
        720,
        Path("/tmp/caps.srt"),
        BurnStyle(font_size=20, margin_v=30, outline=3),
        VerticalCrop(),
    )
    argv = accurate_cut_command("in.mp4", 0, 1000, "o.mp4", transform=transform)
    graph = _after(argv, "-filter_complex")
    assert "crop=404:720:438:0" in graph
    assert graph.index("crop=") < graph.index("subtitles=")
    assert "filename=/tmp/caps.srt" in graph
    for field in ("Fontsize\\\\=20", "MarginV\\\\=30", "Outline\\\\=3"):
        assert field in graph
    assert picture_transform(1280, 720) is None


def test_vertical_crop_honours_crop_x_and_stays_inside() -> None:
    assert VerticalCrop().size(1920, 1080) == (606, 1080, 657)
    assert VerticalCrop(x=0).size(1920, 1080)[2] == 0
    assert VerticalCrop(x=5000).size(1920, 1080)[2] == 1920 - 606


def test_progress_parser_reports_each_block_in_ms() -> None:
    seen: list[int] = []
    parser = ProgressParser(seen.append, total_ms=5000)
    parser.feed_all(
        [
            "frame=10\n",
            "out_time_us=400000\n",
            "out_time_ms=400000\n",
            "progress=continue\n",
            "out_time_us=N/A\n",
            "out_time=00:00:01.500000\n",
            "progress=continue\n",
            "out_time_us=4900000\n",
            "progress=end\n",
        ]
    )
    assert seen == [400, 1500, 5000]
    assert parser.finished


def test_parse_silencedetect_shifts_to_source_time_and_closes_open_silences() -> None:
    stderr = (
        "[silencedetect @ 0x1] silence_start: 0.5\n"
        "[silencedetect @ 0x1] silence_end: 1.25 | silence_duration: 0.75\n"
        "[silencedetect @ 0x1] silence_start: 3.9\n"
    )
    assert parse_silencedetect(stderr, offset_ms=10_000, window_end_ms=14_500) == [
        Silence(10_500, 11_250),
        Silence(13_900, 14_500),
    ]


def test_silencedetect_command_reads_only_the_window() -> None:
    argv = silencedetect_command("talk.mp4", 60_000, 8_000, noise_db=-30, min_silence_ms=250)
    assert _after(argv, "-ss") == "60.000"
    assert _after(argv, "-t") == "8.000"
    assert "silencedetect=d=0.25:n=-30dB" in _after(argv, "-filter_complex")
    assert _after(argv, "-f") == "null"


def test_layout_with_title_cards_and_crossfades() -> None:
    parts = [ReelPart(10_000, 14_000, "A"), ReelPart(20_000, 23_000, "B")]
    placements, total = layout(parts, Fraction(25), title_ms=1000, xfade_ms=500)
    # card 1 (1 s), clip A (4 s), card 2 (1 s), clip B (3 s), three 0.5 s overlaps
    assert total == 9000 - 1500
    assert [p.chapter_start_ms for p in placements] == [0, 4000]
    assert [p.clip_start_ms for p in placements] == [500, 4500]
    assert chapters_of(placements) == [Chapter(0, 4000, "A"), Chapter(4000, 7500, "B")]
    with pytest.raises(ValueError, match="too short"):
        layout(parts, Fraction(25), title_ms=400, xfade_ms=500)


def test_ffmetadata_escapes_titles() -> None:
    text = ffmetadata([Chapter(0, 1500, "a=b; #1\\")])
    assert text.splitlines() == [
        ";FFMETADATA1",
        "[CHAPTER]",
        "TIMEBASE=1/1000",
        "START=0",
        "END=1500",
        "title=a\\=b\\; \\#1\\\\",
    ]


def test_reel_command_maps_chapters_from_the_metadata_input() -> None:
    parts = [ReelPart(0, 2000, "A"), ReelPart(5000, 7000, "B")]
    argv = reel_command(
        "src.mp4", 320, 240, Fraction(25), parts, "reel.mp4", "meta.txt", xfade_ms=500
    )
    inputs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-i"]
    assert inputs == ["meta.txt", "src.mp4", "src.mp4"]  # the metadata input first: 0
    assert _after(argv, "-map_metadata") == "0"
    assert _after(argv, "-map_chapters") == "0"
    assert _after(argv, "-map") == "0:d?"  # it has no streams: an optional map of none
    graph = _after(argv, "-filter_complex")
    assert "xfade=" in graph and "acrossfade=" in graph
    last_t = len(argv) - 1 - argv[::-1].index("-t")  # the output's -t, after the inputs' ones
    assert argv[last_t + 1] == "3.500"


def test_parse_probe_reports_missing_streams() -> None:
    data = {
        "format": {"duration": "10.0"},
        "streams": [{"codec_type": "audio", "codec_name": "aac", "sample_rate": "48000"}],
    }
    info = parse_probe("a.m4a", data)
    assert info.has_audio and not info.has_video
    with pytest.raises(MediaError, match=r"a\.m4a: has no video stream"):
        info.require_av()
    with pytest.raises(MediaError, match="not a video file"):
        parse_probe("x", {"format": {}, "streams": []})
