"""clipkit.timeline: every format written, read back with OpenTimelineIO and compared frame
by frame at 23.976, 25 and 30 fps; the .kdenlive file rendered by melt (MLT) and its frames
matched against the source's; the repairs of the adapters' mistakes each shown."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from clipkit.model import Cue
from clipkit.style import CaptionStyle
from clipkit.timeline import FORMATS, Selection, TimelineError, read_timeline, write_timeline

otio = pytest.importorskip("opentimelineio")
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
needs_melt = pytest.mark.skipif(shutil.which("melt") is None, reason="needs melt (MLT)")

RATES = [23.976, 25.0, 30.0]
SOURCE_S = 70  # past a minute: where MLT misreads the kdenlive adapter's clocks at 23.976
SIZE = (128, 16)
BAND = 8  # frame number n: band b (8 pixels wide) is white when bit b of n is set


@pytest.fixture(scope="module", params=RATES, ids=lambda fps: f"{fps:g}fps")
def source(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, float]:
    """70 s of video whose every frame shows its own number in binary, and a tone."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg")
    fps: float = request.param
    return make_source(tmp_path_factory.mktemp("source") / "talk.mp4", fps), fps


def make_source(path: Path, fps: float, seconds: int = SOURCE_S) -> Path:
    rate = CaptionStyle(fps=fps).frame_rate
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *(
                "-f",
                "lavfi",
                "-i",
                f"nullsrc=size={SIZE[0]}x{SIZE[1]}:rate={rate}:d={seconds},"
                f"geq=lum='255*bitand(floor(N/pow(2\\,floor(X/{BAND})))\\,1)':cb=128:cr=128",
            ),
            *("-f", "lavfi", "-i", f"sine=frequency=440:d={seconds}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "48", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(path)),
        ],
        check=True,
    )
    return path


def selections(source: Path, fps: float) -> list[Selection]:
    grid = CaptionStyle(fps=fps)
    late = grid.frame_index(62_500)  # past a minute
    return [
        Selection(
            source, fps, late, late + 37, "Past a minute", "the quote, said late",
            cues=(
                Cue(grid.frame_ms(late - 10), grid.frame_ms(late + 12), ("cut", "at the start")),
                Cue(grid.frame_ms(late + 14), grid.frame_ms(late + 30), ("inside",)),
            ),
        ),
        Selection(source, fps, 120, 155, "Early", "an early quote"),
        Selection(source, fps, 400, 401, "One frame"),
    ]  # fmt: skip


def clips(track: Any) -> list[tuple[int, int]]:
    return [
        (item.source_range.start_time.to_frames(), item.source_range.duration.to_frames())
        for item in track
        if isinstance(item, otio.schema.Clip)
    ]


# which formats keep what (besides the clips, which all keep frame-exactly)
COMMENTS = {".otio", ".xml", ".fcpxml"}  # the quote, as the highlight marker's comment
CAPTIONS = {".otio", ".xml"}  # a marker per caption over its frames


@needs_ffmpeg
@pytest.mark.media
@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_format_reads_back_frame_exact(
    source: tuple[Path, float], ext: str, tmp_path: Path
) -> None:
    video_path, fps = source
    chosen = selections(video_path, fps)
    path = write_timeline(chosen, tmp_path / f"highlights{ext}")
    timeline = read_timeline(path, fps)
    rate = float(CaptionStyle(fps=fps).frame_rate)
    expected = [(s.start_frame, s.frames) for s in chosen]
    [video] = timeline.video_tracks()
    [audio] = timeline.audio_tracks()
    assert clips(video) == expected
    assert clips(audio) == expected
    for clip in [*video, *audio]:
        assert clip.source_range.start_time.rate == pytest.approx(rate, abs=1e-9)
        assert _path_of(clip.media_reference.target_url) == video_path.resolve()

    if ext == ".kdenlive":  # guides on the timeline: record frames, titles only
        guides = [(m.name, m.marked_range.start_time.to_frames()) for m in timeline.tracks.markers]
        assert guides == [("Past a minute", 0), ("Early", 37), ("One frame", 72)]
    else:
        markers = [
            (m.name, m.marked_range.start_time.to_frames()) for c in video for m in c.markers
        ]
        assert markers == [(s.title, s.start_frame) for s in chosen]
        if ext in COMMENTS:
            assert [m.comment for c in video for m in c.markers] == [s.quote for s in chosen]
    if ext in CAPTIONS:
        captions = [
            (m.name, m.marked_range.start_time.to_frames(), m.marked_range.duration.to_frames())
            for m in video.markers
        ]
        # the first cut at the selection's start; both placed in record frames
        assert captions == [("cut\nat the start", 0, 12), ("inside", 14, 16)]


def frame_numbers(path: Path) -> list[int]:
    """The number each decoded frame shows (see :data:`BAND`)."""
    width, height = SIZE
    raw = subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v"),
            *("-vf", f"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "gray", "-"),
        ],
        check=True,
        capture_output=True,
    ).stdout
    numbers = []
    for start in range(0, len(raw), width * height):
        row = raw[start + width * (height // 2) : start + width * (height // 2 + 1)]
        bits = [
            sum(row[b * BAND + 2 : b * BAND + BAND - 2]) > 128 * (BAND - 4)
            for b in range(width // BAND)
        ]
        numbers.append(sum(1 << b for b, bit in enumerate(bits) if bit))
    return numbers


@needs_ffmpeg
@needs_melt
@pytest.mark.media
def test_melt_renders_the_kdenlive_file_frame_for_frame(
    source: tuple[Path, float], tmp_path: Path
) -> None:
    video_path, fps = source
    chosen = selections(video_path, fps)
    project = write_timeline(chosen, tmp_path / "reel.kdenlive")
    rendered = tmp_path / "rendered.mkv"
    subprocess.run(
        ["melt", "-quiet", str(project), "-consumer", f"avformat:{rendered}",
         "vcodec=ffv1", "acodec=flac"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert frame_numbers(video_path)[:3] == [0, 1, 2]  # the source reads as it should
    wanted = [index for s in chosen for index in range(s.start_frame, s.end_frame)]
    assert frame_numbers(rendered) == wanted
    probed = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width,height",
         "-of", "csv=p=0", str(rendered)],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert sorted(probed) == sorted([f"video,{SIZE[0]},{SIZE[1]}", "audio"])


def test_the_kdenlive_adapters_clocks_are_misread_by_mlt_past_a_minute() -> None:
    # why the repair writes frame numbers: MLT turns HH:MM:SS.mmm into lrint(fps * seconds)
    from otio_kdenlive_adapter.adapters import kdenlive

    rate = float(CaptionStyle(fps=23.976).frame_rate)
    frame = 1500
    with contextlib.redirect_stdout(io.StringIO()):
        clock = kdenlive.clock(otio.opentime.RationalTime(frame, rate))
    hours, minutes, seconds = clock.split(":")
    assert round(rate * (int(hours) * 3600 + int(minutes) * 60 + float(seconds))) != frame


def test_the_adapters_own_output_needs_the_repairs(tmp_path: Path) -> None:
    from clipkit.timeline import SourceMedia
    from clipkit.timeline.build import build_timeline

    video_path, fps = tmp_path / "talk.mp4", 23.976
    chosen = selections(video_path, fps)
    media = {video_path: SourceMedia(1678, *SIZE)}
    timeline = build_timeline(otio, chosen, "t", media)
    with pytest.raises(ValueError):  # no frame duration for 23.976 fps
        otio.adapters.write_to_string(timeline, "fcpx_xml")
    fcpxml = ET.parse(write_timeline(chosen, tmp_path / "t.fcpxml", media=media)).getroot()
    assert [child.tag for child in fcpxml] == ["resources", "event"]  # clips and project in it
    assert fcpxml.find("event/project/sequence/spine") is not None
    assert {a.get("src") for a in fcpxml.iter("asset")} == {video_path.resolve().as_uri()}

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        text = otio.adapters.write_to_string(timeline, "kdenlive")
    assert "deprecated" in printed.getvalue()
    assert 'width="1920"' in text and 'in="00:01:02.' in text
    repaired = write_timeline(chosen, tmp_path / "t.kdenlive", media=media).read_text()
    assert f'width="{SIZE[0]}"' in repaired and f'in="{chosen[0].start_frame}"' in repaired

    assert "PAST A MINUTE" in otio.adapters.write_to_string(timeline, "cmx_3600")
    edl = write_timeline(chosen, tmp_path / "t.edl", media=media).read_text()
    assert "* LOC: " in edl and "Past a minute" in edl


def test_an_unknown_extension_is_one_line(tmp_path: Path) -> None:
    chosen = [Selection(tmp_path / "talk.mp4", 25, 0, 10, "x")]
    with pytest.raises(TimelineError, match=r"unknown timeline format '\.prproj' \(choose from"):
        write_timeline(chosen, tmp_path / "cut.prproj")


def test_mixed_frame_rates_are_refused(tmp_path: Path) -> None:
    chosen = [Selection(tmp_path / "a.mp4", 25, 0, 10), Selection(tmp_path / "b.mp4", 30, 0, 10)]
    from clipkit.timeline import SourceMedia

    media = {s.source: SourceMedia() for s in chosen}
    with pytest.raises(TimelineError, match="different frame rates"):
        write_timeline(chosen, tmp_path / "cut.otio", media=media)


def test_without_the_extra_the_error_names_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['opentimelineio'] = None\n"
        "from clipkit.timeline import Selection, write_timeline\n"
        f"write_timeline([Selection('talk.mp4', 25, 0, 10)], {str(tmp_path / 'cut.xml')!r})\n"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert ran.returncode == 1
    last = ran.stderr.strip().splitlines()[-1]
    assert last.endswith(
        "cut.xml: timelines need OpenTimelineIO, which is not installed: "
        "pip install 'clipkit[timeline]'"
    )
    assert not (tmp_path / "cut.xml").exists()


@needs_ffmpeg
@pytest.mark.media
def test_find_writes_its_matches_as_a_timeline(
    source: tuple[Path, float], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clipkit.cli import main

    video_path, fps = source
    captions = tmp_path / "talk.srt"
    captions.write_text(
        "1\n00:00:02,000 --> 00:00:04,500\nFirst we talk about the weather.\n\n"
        "2\n00:01:01,000 --> 00:01:03,000\nThen about the wells fargo story.\n\n"
        "3\n00:01:05,000 --> 00:01:07,000\nAnd we end.\n",
        encoding="utf-8",
    )
    out = tmp_path / "wf.otio"
    code = main(["find", str(captions), "wells fargo", "--video", str(video_path),
                 "--timeline", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert f"wrote a timeline of 1 clip to {out}" in capsys.readouterr().err
    timeline = read_timeline(out)
    grid = CaptionStyle(fps=fps)
    start, end = grid.frame_index(61_000), grid.frame_index(63_000)
    assert clips(timeline.video_tracks()[0]) == [(start, end - start)]
    [marker] = timeline.video_tracks()[0][0].markers
    assert (marker.name, marker.comment) == ("wells fargo", "Then about the wells fargo story.")
    assert [m.name for m in timeline.video_tracks()[0].markers] == [
        "Then about the wells fargo story."
    ]


def test_find_timeline_needs_the_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clipkit.cli import main

    captions = tmp_path / "talk.srt"
    captions.write_text("1\n00:00:02,000 --> 00:00:04,500\nHello.\n", encoding="utf-8")
    assert main(["find", str(captions), "hello", "--timeline", str(tmp_path / "t.xml")]) == 1
    assert capsys.readouterr().err.strip() == (
        "clipkit: --timeline needs --video VIDEO (the talk the captions are of)"
    )


def _path_of(url: str) -> Path:
    """A target URL (``file://localhost/...``, ``file:///...``) or path, as a path."""
    parsed = urlparse(url)
    return Path(unquote(parsed.path) if parsed.scheme == "file" else url)


def test_a_cut_clips_selection_has_its_frames_quote_and_captions() -> None:
    clip_cues = (Cue(0, 1200, ("So today we look", "at captions.")), Cue(1300, 2000, ("Yes.",)))
    chosen = Selection.from_clip("talk.mp4", 25, 62_480, 64_480, "Captions", clip_cues)
    assert (chosen.start_frame, chosen.end_frame) == (1562, 1612)
    assert chosen.quote == "So today we look at captions. Yes."
    # the captions in the clip's frames, as the timeline places them after its start
    assert chosen.cue_frames() == [(0, 30, "So today we look\nat captions."), (33, 50, "Yes.")]
    long = (Cue(0, 1000, (" ".join(["word"] * 60),)),)
    assert len(Selection.from_clip("t.mp4", 25, 0, 1000, "x", long).quote) == 200


SPOKEN_SRT = """\
1
00:00:01,000 --> 00:00:03,000
First we talk about the weather.

2
00:00:04,000 --> 00:00:06,000
Then about the wells fargo story.

3
00:00:07,000 --> 00:00:09,000
And we end with questions.
"""
HIGHLIGHTS = """\
highlights:
  - title: Weather
    start: "00:01"
    end: "00:03"
  - title: Questions
    start: "00:07"
    end: "00:09.6"
"""


@needs_ffmpeg
@needs_melt
@pytest.mark.media
def test_clip_and_reel_write_their_timelines_and_the_reels_chapters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clipkit.chapters import parse_chapters
    from clipkit.cli import main

    video = make_source(tmp_path / "talk.mp4", 25.0, seconds=12)
    captions = tmp_path / "talk.srt"
    captions.write_text(SPOKEN_SRT, encoding="utf-8")
    highlights = tmp_path / "h.yaml"
    highlights.write_text(HIGHLIGHTS, encoding="utf-8")
    common = [str(video), "--captions", str(captions), "--highlights", str(highlights),
              "--no-snap", "--no-progress"]  # fmt: skip

    assert main(["clip", *common, "-d", str(tmp_path / "clips"),
                 "--timeline", str(tmp_path / "clips.otio")]) == 0  # fmt: skip
    manifest = json.loads((tmp_path / "clips" / "manifest.json").read_text(encoding="utf-8"))
    cuts = [(c["cut"]["start"]["ms"], c["cut"]["end"]["ms"]) for c in manifest["clips"]]
    assert cuts == [(1000, 3000), (7000, 9600)]
    timeline = read_timeline(tmp_path / "clips.otio")
    assert clips(timeline.video_tracks()[0]) == [(25, 50), (175, 65)]  # frames of 25 fps
    assert [m.name for m in timeline.video_tracks()[0].markers] == [
        "First we talk about the weather.",
        "And we end with questions.",
    ]
    assert "wrote a timeline of 2 clips to" in capsys.readouterr().err

    reel = tmp_path / "reel.mp4"
    assert main(["reel", *common, "-o", str(reel), "--chapters", str(tmp_path / "reel.txt"),
                 "--timeline", str(tmp_path / "reel.kdenlive")]) == 0  # fmt: skip
    err = capsys.readouterr().err
    chapters = parse_chapters((tmp_path / "reel.txt").read_text(encoding="utf-8"))
    assert [(c.start_ms, c.title) for c in chapters] == [(0, "Weather"), (2000, "Questions")]
    assert "YouTube needs at least 3 chapters (got 2)" in err  # said, not refused
    rendered = tmp_path / "rendered.mkv"
    subprocess.run(
        ["melt", "-quiet", str(tmp_path / "reel.kdenlive"), "-consumer", f"avformat:{rendered}",
         "vcodec=ffv1", "acodec=flac"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert frame_numbers(rendered) == [*range(25, 75), *range(175, 240)]
