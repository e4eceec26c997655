"""`clipkit convert` end to end: real reading, segmenting and writing, files in tmp_path."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pysrt
import pytest
import srt
import webvtt

from clipkit.cli import main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "media" / "avWhreBUYF0.md"
NOT_CAPTIONS = b"Dear diary,\nthis is not a caption file.\n"


@pytest.fixture(scope="session")
def transcript() -> bytes:
    """The first two minutes of the bundled sample: a real markdown transcript, quick to convert."""
    return b"\n".join(SAMPLE.read_bytes().split(b"\n")[:207]) + b"\n"


def put(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def run_cli(*args: str | Path) -> int:
    return main([str(arg) for arg in args])


def test_converts_beside_the_input(
    tmp_path: Path, transcript: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source) == 0
    output = tmp_path / "talk.srt"
    assert capsys.readouterr() == ("", f"converted {source} to {output}\n")
    assert run_cli("convert", source, "-q") == 0
    assert capsys.readouterr() == ("", "")
    text = output.read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    parsed = list(srt.parse(text, ignore_errors=False))
    assert [item.index for item in parsed] == list(range(1, len(parsed) + 1))
    assert "Well, hello." in parsed[1].content
    assert len(pysrt.open(str(output))) == len(parsed)
    assert sorted(os.listdir(tmp_path)) == ["talk.md", "talk.srt"]


@pytest.mark.parametrize("suffix", ["srt", "vtt"])
def test_ffmpeg_reads_the_output(tmp_path: Path, transcript: bytes, suffix: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    source = put(tmp_path, "talk.md", transcript)
    output = tmp_path / f"out.{suffix}"
    assert run_cli("convert", source, "-o", output) == 0
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(output), "out.ass"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    assert "Dialogue:" in (tmp_path / "out.ass").read_text(encoding="utf-8")


def test_vtt_reads_back_with_webvtt_py(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, "--to", "vtt") == 0
    assert run_cli("convert", source, "--to", "srt") == 0
    captions = webvtt.read(str(tmp_path / "talk.vtt")).captions
    srt_cues = pysrt.open(str(tmp_path / "talk.srt"))
    assert len(captions) == len(srt_cues) > 0
    assert [c.start_time.in_milliseconds() for c in captions] == [c.start.ordinal for c in srt_cues]
    assert [c.text for c in captions] == [c.text for c in srt_cues]


def test_format_follows_the_output_extension(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    for name, start in [("a.vtt", b"WEBVTT"), ("a.json", b"{"), ("a.txt", b"[00:00:17]")]:
        assert run_cli("convert", source, "-o", tmp_path / name) == 0
        assert (tmp_path / name).read_bytes().startswith(start)


def test_words_mode_writes_word_timestamps(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, "--mode", "words") == 0
    text = (tmp_path / "talk.words.vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT")
    assert "<00:00:" in text


def test_another_mode_never_replaces_the_first_output(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, "--to", "vtt") == 0
    cues = (tmp_path / "talk.vtt").read_bytes()
    assert run_cli("convert", source, "--to", "vtt", "--mode", "words") == 0
    assert run_cli("convert", source, "--to", "vtt", "--mode", "lines") == 0
    assert (tmp_path / "talk.vtt").read_bytes() == cues
    assert b"<00:00:" in (tmp_path / "talk.words.vtt").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "talk.lines.vtt",
        "talk.md",
        "talk.vtt",
        "talk.words.vtt",
    ]
    # converting the folder again takes only the transcript: the rest are its outputs
    for mode in ("cues", "words", "lines"):
        assert run_cli("convert", tmp_path, "--to", "vtt", "--mode", mode) == 0
    assert len(list(tmp_path.iterdir())) == 4


def test_batch_goes_on_after_a_bad_file(
    tmp_path: Path, transcript: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [put(tmp_path, name, transcript) for name in ("a.md", "c.md")]
    bad = put(tmp_path, "b.txt", NOT_CAPTIONS)
    assert run_cli("convert", good[0], bad, good[1], "--jobs", "1") == 1
    err = capsys.readouterr().err
    mentions = [line for line in err.splitlines() if str(bad) in line]
    assert len(mentions) == 1
    assert mentions[0].startswith(f"{bad}:1: ")
    assert "Traceback" not in err
    assert (tmp_path / "a.srt").exists()
    assert (tmp_path / "c.srt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "a.srt", "b.txt", "c.md", "c.srt"]


def test_every_kind_of_bad_input_is_one_line(
    tmp_path: Path, transcript: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "empty.srt": b"",
        "junk.vtt": bytes(range(256)) * 4,
        "prose.txt": NOT_CAPTIONS,
    }
    paths = [put(tmp_path, name, data) for name, data in bad.items()]
    assert run_cli("convert", *paths, tmp_path / "missing.md", "--out-dir", tmp_path / "o") == 1
    err = capsys.readouterr().err.splitlines()
    for path in [*paths, tmp_path / "missing.md"]:
        assert len([line for line in err if line.startswith(f"{path}:")]) == 1
    assert not (tmp_path / "o").exists()  # nothing written: no empty folder left behind


def test_stdin_to_stdout() -> None:
    data = b"\n".join(SAMPLE.read_bytes().split(b"\n")[:207])
    result = subprocess.run(
        [sys.executable, "-m", "clipkit", "convert", "-", "--to", "vtt"],
        input=data,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert result.stdout.startswith(b"WEBVTT\n")
    assert len(webvtt.from_buffer(io.StringIO(result.stdout.decode()))) > 10


def test_stdin_error_names_stdin(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clipkit", "convert", "-"],
        input=NOT_CAPTIONS,
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode().startswith("<stdin>:1: ")


def test_file_to_stdout(
    tmp_path: Path, transcript: bytes, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, "-o", "-", "--to", "txt") == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"[00:00:17] ")
    assert os.listdir(tmp_path) == ["talk.md"]


def test_an_input_is_never_overwritten(
    tmp_path: Path, transcript: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source) == 0
    first = tmp_path / "talk.srt"
    before = first.read_bytes()

    assert run_cli("convert", first, "--to", "srt") == 0  # talk.srt -> talk.clipkit.srt
    assert first.read_bytes() == before
    assert (tmp_path / "talk.clipkit.srt").exists()

    assert run_cli("convert", first, "-o", first) == 1
    assert "refusing to overwrite" in capsys.readouterr().err
    assert first.read_bytes() == before

    # both inputs claim talk.srt: neither may replace talk.srt, and the outputs differ
    (tmp_path / "talk.clipkit.srt").unlink()
    assert run_cli("convert", source, first) == 0
    assert first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "talk.clipkit.srt",
        "talk.md",
        "talk.srt",
        "talk.srt.clipkit.srt",
    ]


def test_converting_a_folder_twice_skips_earlier_outputs(tmp_path: Path, transcript: bytes) -> None:
    put(tmp_path, "talks/one.md", transcript)
    put(tmp_path, "talks/two.md", transcript)
    put(tmp_path, "talks/notes.pdf", b"%PDF")
    folder = tmp_path / "talks"
    assert run_cli("convert", folder) == 0
    assert run_cli("convert", folder) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.pdf",
        "one.md",
        "one.srt",
        "two.md",
        "two.srt",
    ]


def test_globs_and_out_dir(tmp_path: Path, transcript: bytes) -> None:
    put(tmp_path, "in/a.md", transcript)
    put(tmp_path, "in/deep/b.md", transcript)
    out = tmp_path / "out"
    assert run_cli("convert", f"{tmp_path}/in/**/*.md", "--out-dir", out, "--to", "json") == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json"]


def test_unmatched_glob_and_missing_file_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("convert", tmp_path / "*.md", tmp_path / "nope.md") == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}/*.md: no files match" in err
    assert f"{tmp_path}/nope.md: no such file or folder" in err


def test_jobs_2_gives_the_same_files_as_jobs_1(
    tmp_path: Path, transcript: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(5):
        put(tmp_path, f"in/talk{n}.md", transcript)
    put(tmp_path, "in/broken.srt", NOT_CAPTIONS)
    assert run_cli("convert", tmp_path / "in", "--out-dir", tmp_path / "one", "-j", "1") == 1
    assert run_cli("convert", tmp_path / "in", "--out-dir", tmp_path / "two", "-j", "2") == 1
    assert run_cli("convert", tmp_path / "in", "--out-dir", tmp_path / "all", "-j", "0") == 1
    err = capsys.readouterr().err
    assert err.count("broken.srt:1: ") == 3
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert len(one) == 5
    assert {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()} == one
    assert {p.name: p.read_bytes() for p in (tmp_path / "all").iterdir()} == one


def test_ctrl_c_exits_130_and_writes_nothing(
    tmp_path: Path, transcript: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = put(tmp_path, "talk.md", transcript)

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    assert run_cli("convert", source, put(tmp_path, "b.md", transcript)) == 130
    assert sorted(os.listdir(tmp_path)) == ["b.md", "talk.md"]


def test_policy_flags_reach_the_segmenter(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert (
        run_cli("convert", source, "--max-chars", "20", "--max-lines", "1", "--no-sound-tags") == 0
    )
    items = pysrt.open(str(tmp_path / "talk.srt"))
    assert all(len(item.text.split("\n")) == 1 for item in items)
    assert all(len(item.text) <= 20 for item in items)
    assert not any("[Applause]" in item.text for item in items)


def test_shift_bom_and_crlf(tmp_path: Path, transcript: bytes) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, "-o", tmp_path / "plain.srt") == 0
    assert run_cli("convert", source, "-o", tmp_path / "late.srt", "--shift", "10") == 0
    assert run_cli("convert", source, "-o", tmp_path / "early.srt", "--shift=-30") == 0
    assert run_cli("convert", source, "-o", tmp_path / "win.srt", "--bom", "--crlf") == 0
    plain = pysrt.open(str(tmp_path / "plain.srt"))
    late = pysrt.open(str(tmp_path / "late.srt"))
    early = pysrt.open(str(tmp_path / "early.srt"))
    assert [i.start.ordinal + 10_000 for i in plain] == [i.start.ordinal for i in late]
    assert early[0].start.ordinal == 0 < len(plain) - len(early)
    win = (tmp_path / "win.srt").read_bytes()
    assert win.startswith(b"\xef\xbb\xbf1\r\n")
    assert win.count(b"\n") == win.count(b"\r\n")


@pytest.mark.parametrize(
    "args",
    [
        ["--max-lines", "0"],
        ["--jobs", "-1"],
        ["--to", "ass"],
        ["--shift", "soon"],
        ["-o", "x.srt", "extra.md"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, transcript: bytes, args: list[str]) -> None:
    source = put(tmp_path, "talk.md", transcript)
    assert run_cli("convert", source, *args) == 2
    assert os.listdir(tmp_path) == ["talk.md"]


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("convert", "--help") == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "--out-dir" in out
    assert run_cli() == 2


def test_python_dash_m_clipkit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clipkit", "--help"], capture_output=True, cwd=REPO, check=False
    )
    assert result.returncode == 0
    assert b"convert" in result.stdout


def test_library_api(tmp_path: Path, transcript: bytes) -> None:
    from clipkit.convert import convert_bytes, convert_file
    from clipkit.errors import CaptionParseError, OutputError
    from clipkit.style import CaptionStyle
    from clipkit.writers import WriteOptions

    vtt = convert_bytes(transcript, "talk.md", to="vtt", style=CaptionStyle(max_chars=30))
    assert vtt.startswith(b"WEBVTT\n")
    words = convert_bytes(transcript, to="vtt", style=CaptionStyle(mode="words"))
    assert b"<00:00:" in words
    assert convert_bytes(transcript, options=WriteOptions(bom=True)).startswith(b"\xef\xbb\xbf1\n")
    with pytest.raises(OutputError, match="unknown output format"):
        convert_bytes(transcript, to="docx")
    with pytest.raises(CaptionParseError, match=r"^notes\.txt:1: "):
        convert_bytes(NOT_CAPTIONS, "notes.txt")

    source = put(tmp_path, "talk.md", transcript)
    assert convert_file(source, tmp_path / "talk.json").read_bytes().startswith(b"{")
    with pytest.raises(OutputError, match="refusing to overwrite"):
        convert_file(source, source)
    bad = put(tmp_path, "bad.md", NOT_CAPTIONS)
    with pytest.raises(CaptionParseError):
        convert_file(bad, tmp_path / "bad.srt")
    assert sorted(os.listdir(tmp_path)) == ["bad.md", "talk.json", "talk.md"]
