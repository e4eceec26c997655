"""The clip and reel API: the one method rule, runnable dry runs, messages in domain words,
and the README's script run on a generated talk (real ffmpeg, marked ``media``)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import pickle
import re
import subprocess
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

import clipkit
from clipkit.cli import main
from clipkit.clips import (
    ClipOptions,
    CutMethod,
    MethodChoice,
    choose_method,
    clip_job,
    open_source,
    plan_clips,
)
from clipkit.errors import ClipkitError, OptionError
from clipkit.highlights import parse_yaml
from clipkit.media.burn import VerticalCrop
from clipkit.media.probe import VideoStream, probe
from clipkit.media.runner import format_command

README = Path(__file__).resolve().parents[1] / "README.md"
FPS = 25
# what the generated talk says: five sentences, one every 3 s, each followed by a pause
CUES = [
    "Welcome to this talk about captions.",
    "So one one one day we realized",
    "that the wells fargo integration took a day.",
    "We wondered how other organizations would work.",
    "Thanks for listening to all of this.",
]


def readme_example(name: str) -> str:
    """The Python block after ``<!-- example: NAME -->`` in the README."""
    after = README.read_text(encoding="utf-8").split(f"<!-- example: {name} -->", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


def make_talk(folder: Path) -> Path:
    """talk.mp4 (15 s, H.264/AAC, a keyframe every 2 s, B-frames; a tone that pauses from
    2.4 to 3 s in every 3 s) and talk.srt (one authored cue of CUES per 3 s)."""
    video = folder / "talk.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc2=s=320x240:r={FPS}:d=15"),
            *("-f", "lavfi", "-i", "sine=f=440:d=15:sample_rate=48000"),
            *("-af", "volume='if(gte(mod(t,3),2.4),0,1)':eval=frame"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-bf", "2", "-g", "50"),
            *("-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"),
            str(video),
        ],
        check=True,
        capture_output=True,
    )
    srt = [
        f"{n}\n00:00:{3 * (n - 1):02d},000 --> 00:00:{3 * (n - 1) + 2:02d},400\n{text}\n"
        for n, text in enumerate(CUES, 1)
    ]
    (folder / "talk.srt").write_text("\n".join(srt), encoding="utf-8")
    return video


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_talk(tmp_path_factory.mktemp("talk"))


# ---------------------------------------------------------------- the one method rule

H264_MP4 = VideoStream(
    codec="h264",
    profile="High",
    level=40,
    pix_fmt="yuv420p",
    width=1920,
    height=1080,
    time_base=Fraction(1, 12800),
    frame_rate=Fraction(25),
    reorder_depth=2,
)
SOURCES: dict[str, tuple[VideoStream | None, str | None]] = {
    # kind: (stream, words of why a smart cut cannot be made of it; None: it can)
    "h264-mp4": (H264_MP4, None),
    "h264-matroska": (replace(H264_MP4, container="matroska,webm"), "not MP4/MOV"),
    "h264-10bit": (replace(H264_MP4, profile="High 10", pix_fmt="yuv420p10le"), "8-bit"),
    "mpeg4-mp4": (replace(H264_MP4, codec="mpeg4", profile="Simple"), "not H.264"),
    "no-video": (None, "no video stream"),
}


@pytest.mark.parametrize("vertical", [False, True], ids=["flat", "vertical"])
@pytest.mark.parametrize("burn", [False, True], ids=["plain", "burn"])
@pytest.mark.parametrize("mode", list(CutMethod), ids=[m.value for m in CutMethod])
@pytest.mark.parametrize("kind", list(SOURCES))
def test_choose_method_for_every_source_mode_and_picture(
    kind: str, mode: CutMethod, burn: bool, vertical: bool
) -> None:
    stream, unsmart = SOURCES[kind]
    if mode is CutMethod.COPY and (burn or vertical):
        with pytest.raises(OptionError) as raised:
            choose_method(stream, mode, burn=burn, vertical=vertical)
        assert raised.value.option == "mode"
        assert "stream copy cannot change the picture" in raised.value.message
        assert "--" not in str(raised.value)
        with pytest.raises(OptionError):  # the options refuse it by the same rule
            ClipOptions(mode=mode, burn=burn, vertical=VerticalCrop() if vertical else None)
        return
    choice = choose_method(stream, mode.value, burn=burn, vertical=vertical)  # names work too
    if mode is not CutMethod.SMART:
        assert choice == MethodChoice(mode)
        return
    if burn or vertical:
        assert choice.method is CutMethod.REENCODE
        assert choice.fallback is not None
        assert ("burned in" in choice.fallback) == burn
        assert ("cropped to 9:16" in choice.fallback) == vertical
    elif unsmart is not None:
        assert choice.method is CutMethod.REENCODE
        assert choice.fallback is not None and unsmart in choice.fallback
    else:
        assert choice == MethodChoice(CutMethod.SMART)
    assert "--" not in (choice.fallback or "")


def test_drawn_reels_are_reencoded_and_unknown_modes_refused_in_domain_words() -> None:
    choice = choose_method(H264_MP4, CutMethod.SMART, drawn=True)
    assert choice == MethodChoice(CutMethod.REENCODE, "title cards and cross-fades are drawn")
    with pytest.raises(OptionError, match="unknown cut mode 'fast'") as raised:
        ClipOptions(mode="fast")  # type: ignore[arg-type]
    assert raised.value.option == "mode" and "--" not in str(raised.value)
    assert ClipOptions(mode="copy").mode is CutMethod.COPY  # type: ignore[arg-type]


# ---------------------------------------------------------------- the plan carries what it says


@pytest.mark.media
def test_plan_carries_source_times_frames_method_quotes_and_cues(talk: Path) -> None:
    source = open_source(talk, talk.with_suffix(".srt"))
    highlights = parse_yaml(
        'highlights:\n  - title: One day\n    from: "one one one day"\n'
        '    to: "organizations would work"\n  - start: 12\n    end: 14.4\n',
        "h.yaml",
    )
    first, second = plan_clips(source, highlights, ClipOptions(snap=False))
    assert first.source == talk and first.frame_rate == FPS
    assert first.quote == ("one one one day", "organizations would work")
    assert (first.start_frame, first.end_frame) == (
        round(first.start_ms * FPS / 1000),
        round(first.end_ms * FPS / 1000),
    )
    assert first.start_frame * 40 == first.start_ms  # frame-exact at 25 fps
    assert first.start_s == first.start_ms / 1000
    assert first.method is CutMethod.SMART and first.smart is not None
    assert first.cues[0].lines == ("So one one one day we realized",)
    assert second.quote == (None, None) and second.name == "clip-02"
    assert pickle.loads(pickle.dumps(first)) == first  # for workers in other processes
    notes = [n for plan in (first, second) for n in (*plan.notes, plan.start_snap.rule)]
    assert notes and not any("--" in note for note in notes)


# ---------------------------------------------------------------- --dry-run runs as printed


def dry_run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "<temporary>" not in out
    return out.splitlines()


def commands_after(lines: list[str], header: str) -> str:
    start = lines.index(header)
    end = next(
        (i for i, line in enumerate(lines) if i > start and re.match(r"^[\w-]+: ", line)),
        len(lines),
    )
    return "\n".join(lines[start + 1 : end]) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.media
def test_dry_run_copy_commands_make_the_clip_the_run_makes(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    highlights = tmp_path / "h.yaml"
    highlights.write_text("highlights:\n  - title: Middle\n    start: 5\n    end: 9\n")
    monkeypatch.chdir(tmp_path)
    argv = ["clip", str(talk), "--highlights", str(highlights), "--copy", "-d", "printed"]
    lines = dry_run(argv, capsys)
    script = commands_after(lines, "middle: stream copy")
    assert script.startswith("ffmpeg ") and script.count("\n") == 1
    subprocess.run(
        ["bash", "-e", "-c", "mkdir -p printed\n" + script], check=True, capture_output=True
    )
    assert main([*argv[:-1], "run", "-q"]) == 0
    assert sha256(tmp_path / "printed" / "middle.mp4") == sha256(tmp_path / "run" / "middle.mp4")


@pytest.mark.media
def test_dry_run_smart_and_burned_commands_run_as_printed(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    highlights = tmp_path / "h.yaml"
    highlights.write_text("highlights:\n  - title: Middle\n    start: 3\n    end: 8.4\n")
    monkeypatch.chdir(tmp_path)
    common = ["clip", str(talk), "--captions", str(talk.with_suffix(".srt"))]
    common += ["--highlights", str(highlights), "--no-snap"]
    smart = dry_run([*common, "-d", "smart"], capsys)
    script = commands_after(smart, next(line for line in smart if line.startswith("middle: smart")))
    assert script.startswith("mkdir -p smart/.clipkit-work/middle\nprintf %s ")
    assert "smart/.clipkit-work/middle/pieces.txt" in script
    # --mode smart --burn: re-encoded by the one rule, as the library does, not refused
    burned = dry_run([*common, "-d", "burned", "--mode", "smart", "--burn"], capsys)
    header = "middle: every frame re-encoded (the captions are burned in)"
    burn_script = commands_after(burned, header)
    assert "burned/.clipkit-work/middle/captions.srt" in burn_script
    for script_text in (script, burn_script):
        subprocess.run(
            ["bash", "-e", "-c", "mkdir -p smart burned\n" + script_text],
            check=True,
            capture_output=True,
        )
    for made in (tmp_path / "smart" / "middle.mp4", tmp_path / "burned" / "middle.mp4"):
        info = probe(made)
        assert info.has_video and info.has_audio
        assert abs(info.duration_ms - 5400) <= 40
    assert not (tmp_path / "smart" / ".clipkit-work" / "middle").exists()  # the script cleans up
    assert main([*common, "-d", "run", "--mode", "smart", "--burn", "-q"]) == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["clips"][0]["fallback"] == "the captions are burned in"
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == [
        "manifest.json",
        "middle.mp4",
        "middle.srt",
        "middle.vtt",
    ]  # no work folder left behind


@pytest.mark.media
def test_clip_job_is_what_the_dry_run_prints(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "h.yaml").write_text("- start: 1\n  end: 2\n")
    source = open_source(talk)
    options = ClipOptions(out_dir=tmp_path, snap=False, mode=CutMethod.REENCODE)
    [plan] = plan_clips(source, parse_yaml("- start: 1\n  end: 2\n", "h.yaml"), options)
    job = clip_job(source, plan, options)
    assert job.output == tmp_path / "clip-01.mp4" and not job.files and not job.uses_work
    argv = ["clip", str(talk), "--highlights", str(tmp_path / "h.yaml"), "--no-snap"]
    lines = dry_run([*argv, "--mode", "reencode", "-d", str(tmp_path)], capsys)
    assert lines[-1] == format_command(job.commands[0])


@pytest.mark.media
def test_copy_with_burn_is_an_error_naming_the_flag(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "h.yaml").write_text("- start: 1\n  end: 2\n")
    argv = ["clip", str(talk), "--highlights", str(tmp_path / "h.yaml"), "--copy", "--burn"]
    assert main([*argv, "--captions", str(talk.with_suffix(".srt")), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "--copy: a stream copy cannot change the picture" in err  # the CLI names its flag


# ---------------------------------------------------------------- the README's script


@pytest.mark.media
def test_the_readme_clips_and_reel_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_talk(tmp_path)
    monkeypatch.chdir(tmp_path)
    exec(compile(readme_example("clips-and-reel"), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        r"\d+\.\d s: So one one one day .* wells fargo integration .*\.", printed[0]
    )
    assert re.fullmatch(r"wells-fargo: \d+\.\d\d-\d+\.\d\d s, smart", printed[1])
    assert re.fullmatch(r"one-day: \d+\.\d\d-\d+\.\d\d s, smart", printed[2])
    assert printed[3].startswith("reel.mp4: 2 chapters, ")
    assert printed[3].endswith("reencode (title cards and cross-fades are drawn)")
    manifest = json.loads((tmp_path / "clips" / "manifest.json").read_text(encoding="utf-8"))
    assert [clip["name"] for clip in manifest["clips"]] == ["wells-fargo", "one-day"]
    for name in ("wells-fargo", "one-day"):
        assert probe(tmp_path / "clips" / f"{name}.mp4").has_audio
        assert (tmp_path / "clips" / f"{name}.srt").read_text(encoding="utf-8").strip()
    reel = probe(tmp_path / "reel.mp4")
    assert [title for _, _, title in reel.chapters] == ["Wells Fargo", "One day"]
    assert "wells fargo" in (tmp_path / "reel.srt").read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="needs mypy (dev extra)")
def test_the_readme_clips_and_reel_example_type_checks(tmp_path: Path) -> None:
    code = readme_example("clips-and-reel") + "wrong: str = plans[0].start_frame\n"
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    # the one planted mistake and nothing else: clipkit's types are found and right
    assert checked.stdout.count("error:") == 1, checked.stdout
    planted = len(code.splitlines())
    assert (
        f'example.py:{planted}: error: Incompatible types in assignment (expression has type "int"'
        in (checked.stdout)
    ), checked.stdout


def test_import_clipkit_stays_cheap() -> None:
    code = "import sys, clipkit; print(any(m.startswith('clipkit.clips') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert clipkit.plan_clips is plan_clips  # and the API is the CLI's own objects
    with pytest.raises(ClipkitError):
        ClipOptions(mode=CutMethod.COPY, burn=True)


@pytest.mark.media
def test_burning_without_captions_is_refused_by_the_library_in_domain_words(
    talk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = open_source(talk)  # no captions
    with pytest.raises(OptionError) as raised:
        plan_clips(source, parse_yaml("- start: 1\n  end: 2\n", "h.yaml"), ClipOptions(burn=True))
    assert raised.value.option == "burn" and "--" not in str(raised.value)
    (tmp_path / "h.yaml").write_text("- start: 1\n  end: 2\n")
    assert main(["clip", str(talk), "--highlights", str(tmp_path / "h.yaml"), "--burn"]) == 1
    assert "--burn: no captions of the talk to burn in (give them with --captions FILE)" in (
        capsys.readouterr().err
    )
