"""The ffmpeg edge on real, tiny generated media (marked ``media``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clipkit.errors import FFmpegError, FFmpegInterrupted
from clipkit.media.probe import MediaError, keyframe_at_or_before, probe
from clipkit.media.runner import run_ffmpeg
from clipkit.media.silence import detect_silences

pytestmark = pytest.mark.media


def lavfi(output: Path, *args: str) -> Path:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *args, str(output)], check=True, capture_output=True
    )
    return output


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    lavfi(
        folder / "gaps.mp4",
        *("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=6"),
        *("-f", "lavfi", "-i", "sine=f=440:d=6:sample_rate=48000"),
        # silent from 2.0 to 2.5 s and from 4.2 to 5.0 s
        *("-af", "volume='if(between(t,2,2.5)+between(t,4.2,5),0,1)':eval=frame"),
        *("-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-sc_threshold", "0"),
        *("-c:a", "aac", "-shortest"),
    )
    lavfi(folder / "mute.mp4", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2")
    lavfi(folder / "sound.m4a", "-f", "lavfi", "-i", "sine=d=2")
    (folder / "notes.mp4").write_text("this is not a video\n", encoding="utf-8")
    return folder


def test_probe_reads_streams_and_frame_rate(media: Path) -> None:
    info = probe(media / "gaps.mp4")
    assert (info.width, info.height, info.fps) == (160, 120, 25.0)
    assert info.has_audio and info.has_video
    assert abs(info.duration_ms - 6000) <= 50
    info.require_av()
    assert info.frame_index(2040) == 51
    assert info.frame_time_ms(51) == 2040


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("mute.mp4", "has no audio stream"),
        ("sound.m4a", "has no video stream"),
        ("notes.mp4", "not a media file ffmpeg can read"),
        ("missing.mp4", "no such file"),
    ],
)
def test_unusable_inputs_give_one_clear_error(media: Path, name: str, message: str) -> None:
    with pytest.raises(MediaError) as caught:
        probe(media / name).require_av()
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(media / name))
    assert "\n" not in str(caught.value)


def test_silencedetect_finds_the_gaps_in_windows(media: Path) -> None:
    silences = detect_silences(media / "gaps.mp4", [(1000, 3000), (3500, 5500)])
    assert len(silences) == 2
    first, second = silences
    assert abs(first.start_ms - 2000) < 60 and abs(first.end_ms - 2500) < 60
    assert abs(second.start_ms - 4200) < 60 and abs(second.end_ms - 5000) < 60


def test_keyframes_for_stream_copy(media: Path) -> None:
    assert keyframe_at_or_before(media / "gaps.mp4", 2500) == 2000
    assert keyframe_at_or_before(media / "gaps.mp4", 1000) == 1000
    assert keyframe_at_or_before(media / "gaps.mp4", 999) == 0


def test_ffmpeg_failure_carries_command_and_stderr_tail(media: Path) -> None:
    command = ["ffmpeg", "-hide_banner", "-i", str(media / "notes.mp4"), "-f", "null", "-"]
    with pytest.raises(FFmpegError) as caught:
        run_ffmpeg(command)
    assert caught.value.command == command
    assert "Invalid data" in caught.value.stderr_tail
    assert str(caught.value).startswith("ffmpeg failed (exit 1): ")


def test_progress_follows_ffmpeg(media: Path, tmp_path: Path) -> None:
    seen: list[int] = []
    command = [
        "ffmpeg",
        *("-i", str(media / "gaps.mp4"), "-c:v", "libx264", "-preset", "ultrafast"),
        str(tmp_path / "copy.mp4"),
    ]
    run_ffmpeg(command, seen.append, total_ms=6000)
    assert seen and seen[-1] == 6000
    assert seen == sorted(seen)


def test_ffmpeg_stopped_by_a_signal_is_an_interruption_not_a_failure() -> None:
    # `timeout` sends ffmpeg SIGINT, as Ctrl-C would; ffmpeg says so and exits 255.
    command = [
        *("timeout", "--preserve-status", "-s", "INT", "1"),
        *("ffmpeg", "-hide_banner", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2"),
        *("-f", "null", "-"),
    ]
    with pytest.raises(FFmpegInterrupted, match="stopped by a signal"):
        run_ffmpeg(command)
    with pytest.raises(FFmpegInterrupted):
        run_ffmpeg(["sh", "-c", "kill -TERM $$"])
