"""The yt-dlp plugin (``yt_dlp_plugins/postprocessor/clipkit_captions.py``) end to end: the
real ``yt-dlp`` command, which finds the plugin on its own, against the loopback server of
the fetch tests (a page with a video and a rolling VTT track)."""

from __future__ import annotations

import fnmatch
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pysrt
import pytest
import test_fetch
import webvtt
import yt_dlp as yt_dlp_module
from test_fetch import SPEECH, Site, needs_ffmpeg, rolling_json3

from clipkit.convert import convert_bytes
from clipkit.style import CaptionStyle

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "yt_dlp_plugins/postprocessor/clipkit_captions.py"
pytestmark = [pytest.mark.network, needs_ffmpeg]
# the loopback server of the fetch tests, and the video it serves
ydl_plugins = importlib.import_module("yt_dlp_plugins.postprocessor.clipkit_captions")
site = test_fetch.site
talk_mp4 = test_fetch.talk_mp4


def yt_dlp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The yt-dlp command (this interpreter's), files named ``ID.LANG.EXT`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "yt_dlp", "--no-warnings", "-o", "%(id)s.%(ext)s", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def vtt_cues(path: Path) -> list[tuple[int, int, str]]:
    return [
        (c.start_time.in_milliseconds(), c.end_time.in_milliseconds(), c.text)
        for c in webvtt.read(str(path)).captions
    ]


def srt_cues(path: Path) -> list[tuple[int, int, str]]:
    return [(c.start.ordinal, c.end.ordinal, c.text) for c in pysrt.open(str(path))]


def words(cues: list[tuple[int, int, str]]) -> list[str]:
    return " ".join(text for _, _, text in cues).split()


def rebuilt(site: Site, to: str, style: CaptionStyle | None = None) -> bytes:
    """What ``clipkit convert`` makes of the served VTT."""
    return convert_bytes(site.files["/talk.en.vtt"], "talk.en.vtt", to, style)


def test_the_plugin_ships_in_the_distribution() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    include = re.search(
        r"\[tool\.setuptools\.packages\.find\][^\[]*?include = (\[.*?\])", pyproject, re.S
    )
    assert include is not None
    patterns = re.findall(r'"([^"]+)"', include[1])
    for package in ("yt_dlp_plugins", "yt_dlp_plugins.postprocessor"):
        assert any(fnmatch.fnmatchcase(package, pattern) for pattern in patterns), patterns
    assert (ROOT / PLUGIN).is_file()
    # a namespace package: an __init__.py would hide every other installed plugin
    assert not list((ROOT / "yt_dlp_plugins").rglob("__init__.py"))


def test_yt_dlp_finds_the_plugin(tmp_path: Path) -> None:
    listed = yt_dlp(tmp_path, "-v", "--simulate", "about:blank")
    assert "Post-Processor Plugins: ClipkitCaptionsPP" in listed.stderr


def test_rolling_captions_are_replaced_and_the_original_kept(site: Site, tmp_path: Path) -> None:
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [vtt] = tmp_path.glob("*.en.vtt")
    assert (tmp_path / vtt.name.replace(".en.vtt", ".en.original.vtt")).read_bytes() == (
        site.files["/talk.en.vtt"]
    )
    assert vtt.read_bytes() == rebuilt(site, "vtt")
    assert words(vtt_cues(vtt)) == SPEECH  # every word once, in order
    assert f"[ClipkitCaptions] en: rebuilt into {vtt.name}" in ran.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [vtt.name, vtt.name.replace(".en.vtt", ".en.original.vtt")]
    )


def test_options_pass_through_use_postprocessor(site: Site, tmp_path: Path) -> None:
    default = webvtt.from_string(rebuilt(site, "vtt").decode("utf-8"))
    assert max(len(line) for c in default.captions for line in c.text.splitlines()) > 37
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl;max_chars=37;fps=25"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [vtt] = tmp_path.glob("*.en.vtt")
    assert vtt.read_bytes() == rebuilt(site, "vtt", CaptionStyle(max_chars=37, fps=25))
    cues = vtt_cues(vtt)
    assert max(len(line) for _, _, text in cues for line in text.splitlines()) <= 37
    assert all(ms % 40 == 0 for start, end, _ in cues for ms in (start, end))  # 25 fps frames


def test_a_bad_option_is_one_line_and_nothing_is_downloaded(site: Site, tmp_path: Path) -> None:
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--use-postprocessor", "ClipkitCaptions:max_char=37"),
        site.url("talk.html"),
    )
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines() == [
        "ERROR: ClipkitCaptions: unknown option 'max_char' (did you mean max_chars?)"
    ]
    assert list(tmp_path.iterdir()) == []
    assert site.requests == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_chars": "many"}, "max_chars must be a whole number (got 'many')"),
        ({"max_chars": "5"}, "max_chars must be at least 10 (got 5)"),
        ({"fps": "fast"}, "fps must be a number (got 'fast')"),
        ({"resegment": "maybe"}, "resegment must be yes or no (got 'maybe')"),
        ({"speaker_marker": ">"}, "speaker_marker must be dash or chevrons (got '>')"),
        ({"to": "ass"}, "to must be srt or vtt (got 'ass')"),
    ],
)
def test_each_bad_option_is_said(options: dict[str, str], message: str) -> None:
    # what yt-dlp does with --use-postprocessor: the class, called with the options as text
    params = {"quiet": True, "ignoreerrors": "only_download"}  # the command's default
    with (
        yt_dlp_module.YoutubeDL(params) as ydl,
        pytest.raises(yt_dlp_module.utils.DownloadError) as caught,
    ):
        ydl_plugins.ClipkitCaptionsPP(ydl, **options)
    assert str(caught.value) == f"ClipkitCaptions: {message}"


def test_convert_subs_srt_gets_clipkits_srt(site: Site, tmp_path: Path) -> None:
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download", "--convert-subs", "srt"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [srt] = tmp_path.glob("*.en.srt")
    # written by clipkit in the format asked for, so yt-dlp's ffmpeg conversion left it alone
    assert srt.read_bytes() == rebuilt(site, "srt")
    assert words(srt_cues(srt)) == SPEECH
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [srt.name, srt.name.replace(".en.srt", ".en.original.vtt")]
    )


def test_at_the_default_stage_convert_subs_is_rebuilt_from_ffmpegs_srt(
    site: Site, tmp_path: Path
) -> None:
    # post_process: after --convert-subs turned the rolling VTT into an SRT (every line
    # repeated, no word times); still rebuilt, the SRT ffmpeg wrote kept as the original
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--convert-subs", "srt", "--use-postprocessor", "ClipkitCaptions"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [srt] = tmp_path.glob("*.en.srt")
    original = srt.with_name(srt.name.replace(".en.srt", ".en.original.srt"))
    assert len(words(srt_cues(original))) > len(SPEECH)  # the rolling repeats
    assert words(srt_cues(srt)) == SPEECH


@pytest.mark.parametrize("when", ["before_dl", "post_process"])
def test_embed_subs_embeds_the_rebuilt_captions(site: Site, tmp_path: Path, when: str) -> None:
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--embed-subs", "--use-postprocessor", f"ClipkitCaptions:when={when}"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [video] = tmp_path.glob("*.mp4")
    embedded = tmp_path / "embedded.srt"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-map", "0:s:0", str(embedded)], check=True
    )
    expected = tmp_path / "expected.srt"
    expected.write_bytes(rebuilt(site, "srt"))
    assert [text for _, _, text in srt_cues(embedded)] == [
        text for _, _, text in srt_cues(expected)
    ]
    assert words(srt_cues(embedded)) == SPEECH


def test_a_temporary_folder_moves_both_files_to_the_final_one(site: Site, tmp_path: Path) -> None:
    ran = yt_dlp(
        tmp_path,
        *("-P", f"temp:{tmp_path / 'work'}", "-P", "final", "--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    assert sorted(p.name.split(".", 1)[1] for p in (tmp_path / "final").iterdir()) == [
        "en.original.vtt",
        "en.vtt",
    ]
    assert list((tmp_path / "work").iterdir()) == []  # yt-dlp made it; the plugin left nothing


def test_json3_becomes_vtt_and_keeps_its_original(site: Site, tmp_path: Path) -> None:
    site.files["/talk.en.json3"] = rolling_json3([(200 + 280 * i, w) for i, w in enumerate(SPEECH)])
    site.files["/json3.html"] = site.files["/talk.html"].replace(b"talk.en.vtt", b"talk.en.json3")
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl"),
        site.url("json3.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [vtt] = tmp_path.glob("*.en.vtt")
    assert words(vtt_cues(vtt)) == SPEECH
    [original] = tmp_path.glob("*.en.original.json3")
    assert original.read_bytes() == site.files["/talk.en.json3"]


def test_captions_someone_wrote_are_left_as_they_are(site: Site, tmp_path: Path) -> None:
    authored = b"WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nHello there.\n\n" + (
        b"00:00:02.500 --> 00:00:03.500\nAnd welcome.\n"
    )
    site.files["/talk.en.vtt"] = authored
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [vtt] = tmp_path.glob("*.vtt")
    assert vtt.read_bytes() == authored
    assert "left as it is" in ran.stdout


def test_to_srt_without_keeping_the_original(site: Site, tmp_path: Path) -> None:
    ran = yt_dlp(
        tmp_path,
        *("--write-subs", "--skip-download"),
        *("--use-postprocessor", "ClipkitCaptions:when=before_dl;to=srt;keep_original=no"),
        site.url("talk.html"),
    )
    assert ran.returncode == 0, ran.stderr
    [srt] = tmp_path.iterdir()
    assert srt.name.endswith(".en.srt")
    assert srt.read_bytes() == rebuilt(site, "srt")
