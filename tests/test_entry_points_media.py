"""Every entry point holds (issue 11), on real media: ``clip`` and ``reel`` never write over
an input, say in one line when their output cannot be written (a file in the way, no
permission, a read-only or full file system) and leave nothing behind, reject overflowing
highlight times even under ``--dry-run``, and keep titles out of the reel's chapter list.

The file-system cases run the command in a mount namespace of its own (``unshare``) with
a fresh tmpfs: read-only, or a few pages small.  As root, the permission case drops the
capabilities that let root ignore permissions (``setpriv``) rather than pretend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from clipkit.cli import main
from clipkit.media.probe import probe
from clipkit.model import Cue, Transcript, Word
from clipkit.writers import render

pytestmark = pytest.mark.media

HIGHLIGHT = "highlights:\n  - start: 0.5\n    end: 3.5\n"
FAST = ("--quiet", "--preset", "ultrafast", "--no-snap")


def error_line(stderr: str) -> str:
    """The one error line (``clip`` prints its plan to stderr before it cuts)."""
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("clipkit")]
    assert len(errors) == 1, stderr
    assert stderr.rstrip("\n").endswith(errors[0])
    return errors[0]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 s H.264/AAC talk (keyframe every second) and its captions, in a folder."""
    folder = tmp_path_factory.mktemp("talk")
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=4"),
            *("-f", "lavfi", "-i", "sine=f=440:d=4:sample_rate=48000"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(folder / "source.mp4")),
        ],
        check=True,
        capture_output=True,
    )
    words = tuple(Word(200 + i * 400, 500 + i * 400, f"word{i}.") for i in range(9))
    cues = tuple(Cue(w.start_ms, w.end_ms, (w.text,), (w,)) for w in words)
    (folder / "talk.srt").write_bytes(render(cues, Transcript(words), "srt"))
    return folder


@pytest.fixture
def talk(media: Path, tmp_path: Path) -> Path:
    """A private copy of the talk's folder: source.mp4, talk.srt, h.yaml."""
    folder = tmp_path / "work"
    shutil.copytree(media, folder)
    (folder / "h.yaml").write_text(HIGHLIGHT)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def cli(command: str, folder: Path, *args: str) -> list[str]:
    return [
        *(command, str(folder / "source.mp4"), "--captions", str(folder / "talk.srt")),
        *("--highlights", str(folder / "h.yaml"), *FAST, *args),
    ]


# ---------------------------------------------------------------- inputs never overwritten


@pytest.mark.parametrize(
    ("output", "clobbered", "message"),
    [
        ("talk.mp4", "talk.srt", "talk.srt: refusing to overwrite the input {}/talk.srt"),
        ("source.mp4", "source.mp4", "source.mp4: refusing to overwrite the input {}/source.mp4"),
        ("h.mp4", "h.vtt", "h.vtt: refusing to overwrite the input {}/h.vtt"),
        ("talk.srt", "talk.srt", "talk.srt: the reel is a video; its captions go beside it"),
    ],
)
def test_reel_never_writes_over_an_input(
    talk: Path,
    capsys: pytest.CaptureFixture[str],
    output: str,
    clobbered: str,
    message: str,
) -> None:
    # Before: `reel SRC --captions talk.srt -o talk.mp4` replaced talk.srt with the reel's
    # captions (only the video was checked).
    if clobbered == "h.vtt":  # a highlight file under the name of the reel's captions
        (talk / "h.yaml").rename(talk / "h.vtt")
        args = cli("reel", talk, "-o", str(talk / output))
        args[args.index(str(talk / "h.yaml"))] = str(talk / "h.vtt")
    else:
        args = cli("reel", talk, "-o", str(talk / output))
    before = snapshot(talk)
    assert main(args) == 1
    line = error_line(capsys.readouterr().err)
    assert line.startswith(f"clipkit: {talk}/")
    assert line.endswith(message.format(talk)) or message.format(talk) in line
    assert snapshot(talk) == before


@pytest.mark.parametrize("which", ["captions", "highlights", "captions as a clip's srt"])
def test_clip_never_writes_over_an_input_in_its_folder(
    talk: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    # Before: captions (json3) or a highlight file named OUT/manifest.json were replaced by
    # the manifest.
    out = talk / "clips"
    out.mkdir()
    args = cli("clip", talk, "--out", str(out))
    if which == "highlights":  # JSON is YAML: a highlight file may be called manifest.json
        target = out / "manifest.json"
        target.write_text(json.dumps({"highlights": [{"start": 0.5, "end": 3.5}]}))
        args[args.index(str(talk / "h.yaml"))] = str(target)
    else:
        target = out / ("manifest.json" if which == "captions" else "clip-01.srt")
        shutil.copy(talk / "talk.srt", target)
        args[args.index(str(talk / "talk.srt"))] = str(target)
    before = snapshot(talk)
    assert main(args) == 1
    assert error_line(capsys.readouterr().err).endswith(f"refusing to overwrite the input {target}")
    assert snapshot(talk) == before


# ---------------------------------------------------------------- outputs that cannot be written


@pytest.mark.parametrize(
    ("command", "where", "message"),
    [
        ("clip", "file", "not a folder (a file of that name is in the way)"),
        (
            "clip",
            "file/clips",
            "cannot make the folder: a part of the path is a file, not a folder",
        ),
        ("reel", "file/reel.mp4", "not a folder (a file of that name is in the way)"),
        ("reel", "folder", "is a folder"),
    ],
)
def test_an_output_in_the_way_of_a_file_is_one_line(
    talk: Path, capsys: pytest.CaptureFixture[str], command: str, where: str, message: str
) -> None:
    # Before: FileExistsError / NotADirectoryError tracebacks.
    (talk / "file").write_bytes(b"not a folder")
    (talk / "folder").mkdir()
    before = snapshot(talk)
    flag = "--out" if command == "clip" else "-o"
    assert main(cli(command, talk, flag, str(talk / where))) == 1
    named = talk / where if command == "clip" or where == "folder" else talk / "file"
    assert error_line(capsys.readouterr().err) == f"clipkit: {named}: {message}"
    assert snapshot(talk) == before


def _python_clipkit(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "clipkit", *args]


def _namespace_prefix() -> list[str] | None:
    """How to run a command with mounts of its own here, or None when it cannot be done."""
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "--mount", "--propagation", "private"]
    if os.geteuid() != 0:
        prefix[1:1] = ["--user", "--map-root-user"]
    probe_run = subprocess.run(
        [*prefix, "sh", "-c", "mount -t tmpfs -o size=4k clipkit-probe /mnt"],
        capture_output=True,
    )
    return prefix if probe_run.returncode == 0 else None


NAMESPACE = _namespace_prefix()
needs_namespace = pytest.mark.skipif(
    NAMESPACE is None, reason="cannot make a mount namespace here (unshare/user namespaces)"
)
MOUNTED = (
    'mount -t tmpfs -o "$1" clipkit-test "$2" || exit 99; m=$2; shift 2; "$@"; code=$?; '
    '(cd "$m" && find . -mindepth 1 | sort) > "$m.listing"; exit $code'
)


def run_on_tmpfs(
    options: str, mount_point: Path, args: Sequence[str]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run clipkit with a fresh tmpfs mounted at ``mount_point``; what it left there."""
    assert NAMESPACE is not None
    mount_point.mkdir()
    done = subprocess.run(
        [*NAMESPACE, "sh", "-c", MOUNTED, "sh", options, str(mount_point), *_python_clipkit(args)],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 99, done.stderr
    listing = Path(f"{mount_point}.listing").read_text().split()
    return done, listing


@needs_namespace
@pytest.mark.parametrize(("command", "name"), [("clip", "clips"), ("reel", "reels/reel.mp4")])
def test_a_read_only_file_system_is_one_line(talk: Path, command: str, name: str) -> None:
    # Before: an OSError [Errno 30] traceback.
    mount_point = talk / "ro"
    flag = "--out" if command == "clip" else "-o"
    done, left = run_on_tmpfs(
        "ro,size=64k", mount_point, cli(command, talk, flag, str(mount_point / name))
    )
    assert done.returncode == 1
    folder = mount_point / name.split("/")[0]
    assert (
        error_line(done.stderr)
        == f"clipkit: {folder}: cannot make the folder: read-only file system"
    )
    assert left == []


@needs_namespace
@pytest.mark.parametrize(("command", "name"), [("clip", "clips"), ("reel", "reels/reel.mp4")])
def test_a_full_disk_is_one_line_with_ffmpegs_cause_and_leaves_no_folder(
    talk: Path, command: str, name: str
) -> None:
    # Before: "ffmpeg (clip-01) failed (exit 1): Conversion failed!" after a smart cut had
    # fallen back to a re-encode that filled the disk again, and an empty clips/ was left.
    mount_point = talk / "small"
    flag = "--out" if command == "clip" else "-o"
    args = [a for a in cli(command, talk, flag, str(mount_point / name)) if a != "--no-snap"]
    done, left = run_on_tmpfs("size=32k", mount_point, args)
    assert done.returncode == 1
    line = error_line(done.stderr)
    video = mount_point / name if command == "reel" else mount_point / name / "clip-01.mp4"
    assert line.startswith(f"clipkit: {video}: cannot write: disk full (ffmpeg ")
    assert line.endswith("No space left on device)")
    assert left == []  # no clips/ or reels/ folder, no temporary files


def test_a_folder_without_permission_is_one_line(talk: Path) -> None:
    # Before: a PermissionError traceback.  Root may write anywhere, so as root the command
    # runs without the capabilities that allow it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
    locked = talk / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("as root, needs setpriv to give up the right to ignore permissions")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
    try:
        for out, named, doing in [
            (locked, locked / "clip-01.mp4", "cannot write"),
            (locked / "clips", locked / "clips", "cannot make the folder"),
        ]:
            done = subprocess.run(
                [*prefix, *_python_clipkit(cli("clip", talk, "--out", str(out)))],
                capture_output=True,
                text=True,
            )
            assert done.returncode == 1
            line = error_line(done.stderr)
            assert line == f"clipkit: {named}: {doing}: permission denied"
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


# ---------------------------------------------------------------- times that overflow


@pytest.mark.parametrize("command", ["clip", "reel"])
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("start: 1.0e+400\n    end: 3", "h.yaml:2: start: 1.0E+400 is beyond 99:59:59.999"),
        ("start: 1\n    end: 3\n    pad: 1e400", "h.yaml:4: pad must be between 0 and 60 seconds"),
        (f"start: {'9' * 5000}\n    end: 3", "h.yaml:2: start: 9999"),
    ],
)
def test_times_that_overflow_are_one_line_even_under_dry_run(
    talk: Path, capsys: pytest.CaptureFixture[str], command: str, entry: str, message: str
) -> None:
    (talk / "h.yaml").write_text(f"highlights:\n  - {entry}\n")
    assert main([*cli(command, talk), "--dry-run"]) == 1
    assert error_line(capsys.readouterr().err).startswith(f"clipkit: {talk}/{message}")


# ---------------------------------------------------------------- ffmpeg that cannot run


@pytest.mark.parametrize("state", ["missing", "not executable"])
def test_an_ffmpeg_that_cannot_run_is_one_line(
    talk: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: str,
) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    ffprobe = shutil.which("ffprobe")
    assert ffprobe is not None
    (folder / "ffprobe").symlink_to(ffprobe)
    if state == "not executable":
        (folder / "ffmpeg").write_text("#!/bin/sh\n")
        (folder / "ffmpeg").chmod(0o644)
    monkeypatch.setenv("PATH", str(folder))
    args = [a for a in cli("clip", talk, "--out", str(talk / "clips")) if a != "--no-snap"]
    assert main(args) == 1
    expected = {
        "missing": "clipkit: ffmpeg is not installed (or not on PATH): "
        "install it with `sudo apt-get install ffmpeg`",
        "not executable": f"clipkit: ffmpeg cannot be run ({folder}/ffmpeg: not executable)",
    }[state]
    assert error_line(capsys.readouterr().err) == expected
    assert not (talk / "clips").exists()


# ---------------------------------------------------------------- chapters


@pytest.mark.parametrize("titles", [[], ["--titles", "0.5"]], ids=["smart", "reencode"])
def test_a_title_with_line_breaks_adds_no_chapter_to_the_reel(
    talk: Path, titles: list[str]
) -> None:
    # Before: a "\r" in a title started a line of its own in the ffmetadata, so the title
    # "One\r[CHAPTER]..." added a chapter "evil" to the reel.
    evil = "One\r[CHAPTER]\rTIMEBASE=1/1000\rSTART=0\rEND=100\rtitle=evil"
    (talk / "h.yaml").write_text(
        "highlights:\n"
        f"  - title: {json.dumps(evil)}\n    start: 0.5\n    end: 1.8\n"
        "  - title: Two\n    start: 2.2\n    end: 3.5\n"
    )
    reel = talk / "reel.mp4"
    assert main([*cli("reel", talk, "-o", str(reel)), *titles]) == 0
    chapters = probe(reel).chapters
    assert [title for _, _, title in chapters] == [
        "One [CHAPTER] TIMEBASE=1/1000 START=0 END=100 title=evil",
        "Two",
    ]


# ---------------------------------------------------------------- success lines (issue 16)


def test_clip_reel_and_find_say_what_they_wrote(
    talk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def loud(command: str, folder: Path, *args: str) -> list[str]:  # without --quiet
        return [arg for arg in cli(command, folder, *args) if arg != "--quiet"] + ["--no-progress"]

    out = talk / "clips"
    assert main(loud("clip", talk, "-d", str(out))) == 0
    assert capsys.readouterr().err.splitlines()[-1] == f"wrote 1 clip to {out}/"

    reel = talk / "reel.mp4"
    assert main(loud("reel", talk, "-o", str(reel))) == 0
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"wrote {reel} (1 highlight, 00:03.0) with reel.srt and reel.vtt"
    )

    found = talk / "found.yaml"
    assert main(["find", str(talk / "talk.srt"), "word3", "-o", str(found)]) == 0
    assert capsys.readouterr().err == f"wrote 1 highlight to {found}\n"

    quiet = talk / "quiet"
    assert main(cli("clip", talk, "-d", str(quiet), "-q")) == 0
    printed = capsys.readouterr()
    assert printed.err == ""  # no plan, no progress, no success line
    assert printed.out.splitlines()[0] == str(quiet / "clip-01.mp4")  # what it made, on stdout
