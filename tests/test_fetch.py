"""``clipkit fetch`` end to end: real yt-dlp against a loopback HTTP server started here.

The server serves a page with ``<video src=talk.mp4><track kind=captions src=talk.en.vtt>``
(yt-dlp's generic extractor finds both), an MP4 made with ffmpeg's lavfi sources and a rolling
YouTube-style VTT built from words and times.  It honours Range requests, counts what it serves
and can cut a file off half-way once, so the resume path is the real one.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pysrt
import pytest
import webvtt
import yaml
import yt_dlp.utils

from clipkit.cli import main
from clipkit.cli.fetch_cmd import _error_text
from clipkit.errors import OptionError
from clipkit.fetch import (
    CHAPTERS_NAME,
    FOLDER_NAME_MAX,
    MANIFEST_NAME,
    FetchOptions,
    chapters_file_text,
    fetch_all,
    fetch_one,
    folder_name,
    parse_url_list,
)
from clipkit.fetch.captions import choose_captions, match_language
from clipkit.fetch.failures import translate
from clipkit.highlights import parse_yaml
from clipkit.timefmt import format_timestamp as stamp

SHARED_TOOLS = Path(__file__).resolve().parents[2] / "shared" / "tools"
README = Path(__file__).resolve().parents[1] / "README.md"
HAVE_FFMPEG = shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None
needs_ffmpeg = pytest.mark.skipif(not HAVE_FFMPEG, reason="needs ffmpeg and ffprobe")

DURATION_S = 4.0
SPEECH_TEXT = (
    "So today we look at captions. They roll up the screen, and every word "
    "shows up twice or three times, which nobody can read."
)
SPEECH = SPEECH_TEXT.split()
PAGE = (
    b"<!DOCTYPE html><html><head><title>A talk about captions</title></head><body>"
    b'<video controls src="talk.mp4">'
    b'<track kind="captions" srclang="en" src="talk.en.vtt" label="English">'
    b"</video></body></html>"
)


# --------------------------------------------------------------------------- rolling VTT


def rolling_vtt(words: list[tuple[int, str]], per_line: int = 6, lang: str = "en") -> bytes:
    """YouTube's rolling auto-captions as yt-dlp writes them, from (start ms, word) pairs.

    Each line is typed under the previous one with inline word times, then a 10 ms transition
    cue shows the finished line alone, as in real files.
    """
    lines = [words[i : i + per_line] for i in range(0, len(words), per_line)]
    out = [f"WEBVTT\nKind: captions\nLanguage: {lang}\n"]
    previous = " "
    for index, line in enumerate(lines):
        start = line[0][0]
        end = lines[index + 1][0][0] - 10 if index + 1 < len(lines) else line[-1][0] + 600
        typed = line[0][1] + "".join(f"<{stamp(ms)}><c> {word}</c>" for ms, word in line[1:])
        out.append(
            f"{stamp(start)} --> {stamp(end)} align:start position:0%\n{previous}\n{typed}\n"
        )
        finished = " ".join(word for _, word in line)
        out.append(f"{stamp(end)} --> {stamp(end + 10)} align:start position:0%\n{finished}\n \n")
        previous = finished
    return "\n".join(out).encode("utf-8")


def rolling_json3(words: list[tuple[int, str]], per_line: int = 6) -> bytes:
    """The same speech as YouTube's json3: one event a line, word offsets, newline appends."""
    lines = [words[i : i + per_line] for i in range(0, len(words), per_line)]
    events: list[dict[str, Any]] = [{"tStartMs": 0, "dDurationMs": 9000, "id": 1, "wpWinPosId": 1}]
    for index, line in enumerate(lines):
        start = line[0][0]
        segs: list[dict[str, Any]] = [{"utf8": line[0][1]}]
        segs += [{"utf8": f" {word}", "tOffsetMs": ms - start} for ms, word in line[1:]]
        events.append({"tStartMs": start, "dDurationMs": 3000, "wWinId": 1, "segs": segs})
        if index + 1 < len(lines):
            newline_at = lines[index + 1][0][0] - 10
            events.append(
                {"tStartMs": newline_at, "wWinId": 1, "aAppend": 1, "segs": [{"utf8": "\n"}]}
            )
    return json.dumps({"wireMagic": "pb3", "events": events}).encode("utf-8")


def speech_words() -> list[tuple[int, str]]:
    step = int((DURATION_S - 0.6) * 1000 / len(SPEECH))
    return [(200 + i * step, word) for i, word in enumerate(SPEECH)]


# --------------------------------------------------------------------------- loopback server


@dataclass
class Site:
    """What the loopback server serves, and what it was asked for."""

    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    cut_once: set[str] = field(default_factory=set)  # paths whose next GET stops half-way
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def gets(self, path: str) -> list[str | None]:
        """The Range header of every GET of ``path`` so far (None: the whole file)."""
        return [rng for method, p, rng in self.requests if method == "GET" and p == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site  # set on the subclass made per server

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, with_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        requested = self.headers.get("Range")
        self.site.requests.append((self.command, path, requested))
        data = self.site.files.get(path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        start, end, status = 0, len(data) - 1, 200
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", (requested or "").strip())
        if match:
            start = int(match[1])
            end = min(int(match[2]) if match[2] else end, len(data) - 1)
            if start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        body = data[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Type", _content_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.end_headers()
        if not with_body:
            return
        if with_body and path in self.site.cut_once:
            self.site.cut_once.discard(path)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hanging up on a cut-off file is expected here


def _content_type(path: str) -> str:
    return {
        ".html": "text/html; charset=utf-8",
        ".mp4": "video/mp4",
        ".vtt": "text/vtt; charset=utf-8",
    }.get(Path(path).suffix, "application/octet-stream")


@pytest.fixture(scope="module")
def talk_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if not HAVE_FFMPEG:
        pytest.skip("needs ffmpeg and ffprobe")
    path = tmp_path_factory.mktemp("media") / "talk.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={DURATION_S}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={DURATION_S}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", str(path)),
        ],
        check=True,
    )
    return path.read_bytes()


@pytest.fixture(scope="module")
def hls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """An HLS master playlist: H.264 at 240p and 480p, AAC as a separate rendition."""
    if not HAVE_FFMPEG:
        pytest.skip("needs ffmpeg and ffprobe")
    folder = tmp_path_factory.mktemp("hls")
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc=size=640x480:rate=25:duration={DURATION_S}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={DURATION_S}"),
            *("-map", "0:v", "-map", "0:v", "-map", "1:a"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25"),
            *("-s:v:0", "320x240", "-s:v:1", "640x480", "-c:a", "aac", "-b:a", "64k"),
            *("-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod"),
            *("-master_pl_name", "hls.m3u8", "-hls_segment_filename", str(folder / "s%v_%d.ts")),
            *("-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes"),
            str(folder / "p%v.m3u8"),
        ],
        check=True,
    )
    files = {f"/{path.name}": path.read_bytes() for path in folder.iterdir()}
    files["/hls.html"] = PAGE.replace(b"talk.mp4", b"hls.m3u8")
    return files


@pytest.fixture
def site(talk_mp4: bytes) -> Iterator[Site]:
    served = Site(
        files={
            "/talk.html": PAGE,
            "/talk.mp4": talk_mp4,
            "/talk.en.vtt": rolling_vtt(speech_words()),
            "/nothing.html": b"<html><head><title>No video</title></head><body>hi</body></html>",
        }
    )
    handler = type("Handler", (_Handler,), {"site": served})
    server = _QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def run_cli(*args: str) -> int:
    return main(["fetch", "--no-progress", *args])


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("clipkit fetch:")]


def probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_streams", "-show_format", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def looks_complete(folder: Path) -> list[str]:
    """Names in ``folder`` that claim to be finished output (not yt-dlp's .part files)."""
    if not folder.exists():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.suffix in (".mp4", ".srt") or p.name in (MANIFEST_NAME, CHAPTERS_NAME)
    )


# --------------------------------------------------------------------------- end to end


@pytest.mark.network
@needs_ffmpeg
def test_fetch_builds_the_folder_and_a_rerun_downloads_nothing(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "media"
    assert run_cli(site.url("talk.html"), "--out", str(out)) == 0
    printed = capsys.readouterr()
    assert error_lines(printed.err) == []
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1
    folder = folders[0]
    stem = folder.name
    assert f"{folder}: fetched (A talk about captions" in printed.out

    video = folder / f"{stem}.mp4"
    assert video.read_bytes() == site.files["/talk.mp4"]
    streams = {s["codec_type"]: s for s in probe(video)["streams"]}
    assert streams["video"]["codec_name"] == "h264"
    assert streams["audio"]["codec_name"] == "aac"
    assert float(probe(video)["format"]["duration"]) == pytest.approx(DURATION_S, abs=0.15)

    original = folder / f"{stem}.en.original.vtt"
    assert original.read_bytes() == site.files["/talk.en.vtt"]
    srt, vtt = folder / f"{stem}.en.srt", folder / f"{stem}.en.vtt"
    spoken = [word for _, word in speech_words()]
    srt_words = " ".join(item.text for item in pysrt.open(str(srt))).split()
    vtt_words = " ".join(caption.text for caption in webvtt.read(str(vtt)).captions).split()
    assert srt_words == spoken  # every word once, in order
    assert vtt_words == spoken

    info = json.loads((folder / f"{stem}.info.json").read_text(encoding="utf-8"))
    assert info["title"].startswith("A talk about captions")
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["url"] == site.url("talk.html")
    assert manifest["captions"] == {"language": "en", "kind": "uploader", "formats": ["vtt"]}
    assert manifest["options"]["max_height"] == 1080
    assert manifest["files"]["video"] == video.name
    assert not (folder / CHAPTERS_NAME).exists()  # a plain page has no chapters
    assert not list(folder.glob("*.part"))

    if (SHARED_TOOLS / "capcheck.py").exists():
        scored = subprocess.run(
            [sys.executable, str(SHARED_TOOLS / "capcheck.py"), str(original), str(srt), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
        score = json.loads(scored.stdout)
        assert score["problems"] == [], score
        assert (score["recall"], score["extra_words"]) == (1.0, 0), score
        assert (score["overlaps"], score["disorder"], score["nonpositive"]) == (0, 0, 0), score
        assert score["max_lines"] <= 2 and score["lines_over_42"] == 0, score
        assert (score["dur_under_0833"], score["dur_over_7"]) == (0, 0), score
        assert score["weak_breaks"] <= 0.05 and score["in_sync"] >= 0.99, score
        assert score["start_err_p95"] <= 0.05, score  # exact word times in the VTT

    served_before = len(site.gets("/talk.mp4")), len(site.gets("/talk.en.vtt"))
    stamp = video.stat().st_mtime_ns
    assert run_cli(site.url("talk.html"), "--out", str(out)) == 0
    assert f"{folder}: already complete" in capsys.readouterr().out
    assert (len(site.gets("/talk.mp4")), len(site.gets("/talk.en.vtt"))) == served_before
    assert video.stat().st_mtime_ns == stamp


@pytest.mark.network
@needs_ffmpeg
@pytest.mark.parametrize(("max_height", "height"), [(1080, 480), (240, 240)])
def test_separate_video_and_audio_are_merged_up_to_max_height(
    site: Site, hls_files: dict[str, bytes], tmp_path: Path, max_height: int, height: int
) -> None:
    site.files.update(hls_files)
    options = FetchOptions(out_dir=tmp_path, max_height=max_height)
    result = fetch_one(site.url("hls.html"), options)
    assert result.video is not None
    probed = probe(result.video)
    streams = {s["codec_type"]: s for s in probed["streams"]}
    assert (streams["video"]["codec_name"], streams["video"]["height"]) == ("h264", height)
    assert streams["audio"]["codec_name"] == "aac"
    assert float(probed["format"]["duration"]) == pytest.approx(DURATION_S, abs=0.15)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert "+" in manifest["video_format"]["format_id"]  # a merge of two downloads
    assert manifest["video_format"]["height"] == height
    assert sorted(p.name for p in result.folder.iterdir() if ".f" in p.name) == []  # no leftovers


@pytest.mark.network
@needs_ffmpeg
def test_json3_is_preferred_and_vtt_kept_too(site: Site, tmp_path: Path) -> None:
    site.files["/talk.en.json3"] = rolling_json3(speech_words())
    site.files["/both.html"] = PAGE.replace(
        b"<track", b'<track kind="captions" srclang="en" src="talk.en.json3"><track'
    )
    options = FetchOptions(out_dir=tmp_path, captions_only=True)
    result = fetch_one(site.url("both.html"), options)
    assert [path.name.split(".", 1)[1] for path in result.captions] == [
        "en.original.json3",
        "en.original.vtt",
    ]
    assert result.captions[0].read_bytes() == site.files["/talk.en.json3"]
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["captions"]["formats"] == ["json3", "vtt"]
    srt_words = " ".join(item.text for item in pysrt.open(str(result.srt))).split()
    assert srt_words == SPEECH  # rebuilt from the json3
    assert result.video is None and site.gets("/talk.mp4") == []


@pytest.mark.network
@needs_ffmpeg
def test_connection_dropped_half_way_resumes(site: Site, tmp_path: Path) -> None:
    site.cut_once.add("/talk.mp4")
    result = fetch_one(site.url("talk.html"), FetchOptions(out_dir=tmp_path))
    assert result.video is not None
    assert result.video.read_bytes() == site.files["/talk.mp4"]
    ranges = site.gets("/talk.mp4")
    assert len(ranges) == 2 and ranges[0] is None
    assert ranges[1] is not None and not ranges[1].startswith("bytes=0-")  # resumed, not restarted


@pytest.mark.network
@needs_ffmpeg
def test_dropped_connection_without_retries_leaves_only_a_part_file_and_resumes(
    site: Site, tmp_path: Path
) -> None:
    site.cut_once.add("/talk.mp4")
    [outcome] = fetch_all([site.url("talk.html")], FetchOptions(out_dir=tmp_path, retries=0))
    assert outcome.error is not None
    assert re.fullmatch(
        rf"{re.escape(site.url('talk.html'))}: the connection dropped mid-file "
        r"\(\d+ bytes read, \d+ more expected\); rerun to resume the \.part file",
        str(outcome.error),
    )
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert looks_complete(folder) == []
    [part] = folder.glob("*.mp4.part")
    kept = part.stat().st_size
    assert 0 < kept < len(site.files["/talk.mp4"])

    result = fetch_one(site.url("talk.html"), FetchOptions(out_dir=tmp_path))
    assert result.video is not None
    assert result.video.read_bytes() == site.files["/talk.mp4"]
    assert site.gets("/talk.mp4")[-1] == f"bytes={kept}-"  # resumed where it stopped


@pytest.mark.network
@needs_ffmpeg
def test_batch_goes_on_past_a_404_and_exits_1(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# talks\n{site.url('gone.html')}\n\n{site.url('talk.html')}\n")
    out = tmp_path / "media"
    code = main(["fetch", "-a", str(urls), "--out", str(out), "--captions-only"])
    assert code == 1
    stderr = capsys.readouterr().err
    assert re.search(r"\.en\.original\.vtt: 100%.*B/s", stderr)  # a progress bar per file
    errors = error_lines(stderr)
    assert len(errors) == 2  # the failure, then "1 of 2 failed"
    assert errors[0].startswith(f"clipkit fetch: {site.url('gone.html')}: ")
    assert "404" in errors[0]
    assert errors[1] == "clipkit fetch: 1 of 2 failed"
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    assert (folder / MANIFEST_NAME).exists()
    assert not list(folder.glob("*.mp4"))  # captions only
    assert site.gets("/talk.mp4") == []


@pytest.mark.network
@needs_ffmpeg
def test_a_page_with_two_videos_goes_on_past_the_broken_one(site: Site, tmp_path: Path) -> None:
    site.files["/two.html"] = PAGE + PAGE.replace(b"talk.mp4", b"gone.mp4")
    outcomes = list(fetch_all([site.url("two.html")], FetchOptions(out_dir=tmp_path)))
    assert [outcome.ok for outcome in outcomes] == [True, False]
    good, bad = outcomes[0].result, outcomes[1].error
    assert good is not None and good.video is not None and good.video.is_file()
    assert re.fullmatch(
        rf"{re.escape(site.url('two.html'))}: video \S+: HTTP error 404 Not Found for the video",
        str(bad),
    )
    broken = [p for p in tmp_path.iterdir() if p != good.folder]
    assert all(looks_complete(folder) == [] for folder in broken)


@pytest.mark.network
@needs_ffmpeg
def test_a_damaged_output_is_rebuilt_without_downloading_again(site: Site, tmp_path: Path) -> None:
    first = fetch_one(site.url("talk.html"), FetchOptions(out_dir=tmp_path))
    assert first.srt is not None
    rebuilt = first.srt.read_bytes()
    first.srt.write_bytes(rebuilt[: len(rebuilt) // 2])  # e.g. edited or cut short by hand
    served = len(site.gets("/talk.mp4")), len(site.gets("/talk.en.vtt"))
    again = fetch_one(site.url("talk.html"), FetchOptions(out_dir=tmp_path))
    assert not again.skipped and again.srt is not None
    assert again.srt.read_bytes() == rebuilt
    assert (len(site.gets("/talk.mp4")), len(site.gets("/talk.en.vtt"))) == served


def test_a_complete_youtube_folder_is_skipped_without_any_request(tmp_path: Path) -> None:
    video_id = "avWhreBUYF0"
    folder = tmp_path / video_id
    folder.mkdir()
    names = [f"{video_id}.mp4", f"{video_id}.en.srt", f"{video_id}.en.vtt"]
    names += [f"{video_id}.info.json", f"{video_id}.en.original.json3"]
    for name in names:
        (folder / name).write_bytes(b"x" * 10)
    manifest = {
        "status": "complete",
        "id": video_id,
        "title": "The talk",
        "options": {"lang": "en", "captions_only": False},
        "files": {
            "video": names[0],
            "srt": names[1],
            "vtt": names[2],
            "info_json": names[3],
            "captions": [names[4]],
        },
        "sizes": dict.fromkeys(names, 10),
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    # socket_timeout and retries do not matter: nothing may touch the network here
    url = f"https://www.youtube.com/watch?v={video_id}"
    result = fetch_one(url, FetchOptions(out_dir=tmp_path, retries=0, socket_timeout=0.01))
    assert result.skipped
    assert (result.folder, result.video, result.title) == (folder, folder / names[0], "The talk")


@pytest.mark.network
@needs_ffmpeg
def test_missing_media_file_is_one_line_and_nothing_complete(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del site.files["/talk.mp4"]
    assert run_cli(site.url("talk.html"), "--out", str(tmp_path)) == 1
    [line, summary] = error_lines(capsys.readouterr().err)
    assert "HTTP error 404" in line
    assert summary == "clipkit fetch: 1 of 1 failed"
    for folder in tmp_path.iterdir():
        assert looks_complete(folder) == []


@pytest.mark.network
@needs_ffmpeg
def test_no_captions_in_the_language_downloads_nothing(site: Site, tmp_path: Path) -> None:
    [outcome] = fetch_all([site.url("talk.html")], FetchOptions(out_dir=tmp_path, lang="de"))
    assert outcome.error is not None
    assert str(outcome.error) == f"{site.url('talk.html')}: no captions in 'de' (available: en)"
    assert site.gets("/talk.mp4") == [] and site.gets("/talk.en.vtt") == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.network
@needs_ffmpeg
def test_page_without_a_video_is_one_line(site: Site, tmp_path: Path) -> None:
    [outcome] = fetch_all([site.url("nothing.html")], FetchOptions(out_dir=tmp_path))
    assert outcome.error is not None
    assert "\n" not in str(outcome.error)
    assert "Unsupported URL" in str(outcome.error)


@pytest.mark.network
def test_network_down_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe_socket:  # a port nobody listens on
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    url = f"http://127.0.0.1:{port}/talk.html"
    [outcome] = fetch_all([url], FetchOptions(out_dir=tmp_path, retries=0, socket_timeout=5))
    assert outcome.error is not None
    assert str(outcome.error) == (
        f"{url}: network error: cannot reach 127.0.0.1:{port} (Connection refused; "
        "is the network up?)"
    )
    assert "\n" not in str(outcome.error)


@pytest.mark.network
@needs_ffmpeg
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_is_one_line_and_nothing_complete(site: Site, tmp_path: Path) -> None:
    # A .part file that is /dev/full: every write fails with ENOSPC, a real full disk for yt-dlp.
    captions = fetch_one(site.url("talk.html"), FetchOptions(out_dir=tmp_path, captions_only=True))
    part = captions.folder / f"{captions.folder.name}.mp4.part"
    part.symlink_to("/dev/full")
    try:
        [outcome] = fetch_all([site.url("talk.html")], FetchOptions(out_dir=tmp_path, retries=0))
    finally:
        part.unlink()
    assert outcome.error is not None
    assert str(outcome.error) == (
        f"{site.url('talk.html')}: disk full (no space left on device); free some space and rerun"
    )
    assert not list(captions.folder.glob("*.mp4"))


@needs_ffmpeg
def test_missing_ffmpeg_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run_cli("http://127.0.0.1:9/talk.html", "--out", str(tmp_path)) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "apt-get install ffmpeg" in line


# --------------------------------------------------------------------------- pieces


def test_chapters_become_a_highlight_file() -> None:
    chapters = [
        {"start_time": 0.0, "end_time": 344.0, "title": "Intro"},
        {"start_time": 344.0, "end_time": 431.5, "title": "Rolling captions: why"},
        {"start_time": 3600.0, "end_time": 3725.0, "title": ""},
        {"start_time": 10.0, "end_time": 10.0, "title": "empty"},
    ]
    text = chapters_file_text(chapters)
    assert yaml.safe_load(text) == {
        "highlights": [
            {"title": "Intro", "start": "00:00", "end": "05:44", "pad": 0.0},
            {
                "title": "Rolling captions: why",
                "start": "05:44",
                "end": "00:07:11.500",
                "pad": 0.0,
            },
            {"title": "Chapter 3", "start": "01:00:00.000", "end": "01:02:05.000", "pad": 0.0},
        ]
    }
    assert 'end: "05:44"' in text  # quoted: YAML 1.1 reads a bare 12:30 as a number
    specs = parse_yaml(text, "chapters.highlights.yaml")  # what `clipkit clip` reads
    assert [(spec.title, spec.start_ms, spec.end_ms, spec.pad_ms) for spec in specs] == [
        ("Intro", 0, 344_000, 0),
        ("Rolling captions: why", 344_000, 431_500, 0),
        ("Chapter 3", 3_600_000, 3_725_000, 0),
    ]


def test_url_lists_skip_blanks_and_comments() -> None:
    text = "# my talks\nhttps://a.example/1\n\n  ; old\n] x\n  https://a.example/2  \n"
    assert parse_url_list(text) == ["https://a.example/1", "https://a.example/2"]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["de", "en"], "en"),
        (["en-orig", "en-de", "fr"], "en-orig"),
        (["en-US", "en-GB"], "en-GB"),
        (["EN"], "EN"),
        (["fr", "eng"], None),
    ],
)
def test_caption_language_matching(keys: list[str], expected: str | None) -> None:
    assert match_language("en", keys) == expected


def test_uploader_captions_win_over_automatic_and_json3_over_vtt() -> None:
    info = {
        "subtitles": {"en": [{"ext": "vtt", "url": "u1"}]},
        "automatic_captions": {"en": [{"ext": "json3", "url": "a1"}, {"ext": "vtt", "url": "a2"}]},
    }
    choice = choose_captions("URL", info, "en")
    assert (choice.kind, [ext for ext, _ in choice.formats]) == ("uploader", ["vtt"])
    del info["subtitles"]
    choice = choose_captions("URL", info, "en")
    assert (choice.kind, [ext for ext, _ in choice.formats]) == ("automatic", ["json3", "vtt"])


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this "
            "video. Use --cookies-from-browser or --cookies for the authentication. See  https://"
            "github.com/yt-dlp/yt-dlp/wiki/FAQ  for how to manually pass cookies.",
            "URL: [youtube] abc: Private video. Sign in if you've been granted access to this "
            "video (the site wants you signed in: pass a signed-in browser's cookies or a "
            "cookies.txt)",
        ),
        (
            "ERROR: [youtube] abc: Unable to download API page: HTTPSConnection(host='www.youtube."
            "com', port=443): Failed to resolve 'www.youtube.com' ([Errno -3] Temporary failure "
            "in name resolution) (caused by TransportError(...))",
            "URL: network error: cannot reach www.youtube.com:443 (Temporary failure in name "
            "resolution; is the network up?)",
        ),
        (
            "ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader",
            "URL: [youtube] abc: Video unavailable. This video has been removed by the uploader",
        ),
        (
            "ERROR: unable to write data: [Errno 28] No space left on device",
            "URL: disk full (no space left on device); free some space and rerun",
        ),
    ],
)
def test_yt_dlp_errors_become_one_line(message: str, expected: str) -> None:
    error = yt_dlp.utils.DownloadError(message)
    assert str(translate("URL", error, [])) == expected


def test_the_command_words_the_sign_in_advice_with_its_options() -> None:
    message = "ERROR: [youtube] abc: Private video. Sign in if you've been granted access"
    error = translate("URL", yt_dlp.utils.DownloadError(message), [])
    assert error.kind == "sign-in"
    assert "--cookies" not in str(error)  # the library names no flag ...
    assert _error_text(error) == (  # ... the command does
        "URL: [youtube] abc: Private video. Sign in if you've been granted access "
        "(try --cookies FILE or --cookies-from-browser NAME)"
    )


def test_format_prefers_h264_aac_up_to_the_height() -> None:
    manifest = FetchOptions(max_height=720).as_manifest()
    assert manifest["format"] == "bv*[height<=?720]+ba/b[height<=?720]"
    assert manifest["format_sort"] == ["res:720", "vcodec:h264", "acodec:aac"]


def test_a_bad_cookies_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("not cookies\n")
    assert run_cli("--cookies", str(cookies), "https://example.invalid/v") == 2
    assert capsys.readouterr().err == (
        f"clipkit fetch: error: --cookies: {cookies}: not a Netscape cookies.txt file "
        "(export one from the browser, or take the cookies from the browser itself)\n"
    )
    with pytest.raises(OptionError, match="no such cookies file"):
        FetchOptions(cookies=tmp_path / "none.txt")


def test_bad_options_are_refused_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(OptionError, match="language") as caught:
        FetchOptions(lang="../etc")
    assert caught.value.option == "lang"
    assert not isinstance(caught.value, ValueError)  # a ClipkitError, and nothing else
    with pytest.raises(OptionError, match="not both"):
        FetchOptions(cookies=Path("c.txt"), cookies_from_browser="firefox")
    with pytest.raises(OptionError, match="at least 1 pixel"):
        FetchOptions(max_height=0)
    assert run_cli("--max-height", "0", "https://example.invalid/v") == 2
    assert capsys.readouterr().err == (
        "clipkit fetch: error: --max-height: "
        "the video height limit must be at least 1 pixel, not 0\n"
    )
    assert FetchOptions(cookies_from_browser="firefox:default").cookies_from_browser
    with pytest.raises(OptionError, match="unsupported browser") as caught:
        FetchOptions(cookies_from_browser="netscape")
    assert caught.value.option == "cookies_from_browser"
    assert "--" not in str(caught.value)
    assert run_cli("--cookies-from-browser", "netscape", "https://example.invalid/v") == 2
    assert capsys.readouterr().err.startswith(
        "clipkit fetch: error: --cookies-from-browser: unsupported browser 'netscape'"
    )


# --------------------------------------------------------------------------- escapes (issue 11)


@pytest.fixture(scope="module")
def hls_with_captions(hls_files: dict[str, bytes]) -> dict[str, bytes]:
    """``/a.m3u8``: the HLS master playlist of ``hls_files`` with the rolling VTT as a
    subtitle rendition, its URL fetched directly (yt-dlp's generic extractor)."""
    master = hls_files["/hls.m3u8"].decode()
    subtitles = (
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",'
        'DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8"\n'
    )
    master = master.replace("#EXT-X-STREAM-INF:", subtitles + "#EXT-X-STREAM-INF:", 1)
    master = re.sub(r"(#EXT-X-STREAM-INF:.*)", r'\1,SUBTITLES="subs"', master)
    return {
        **hls_files,
        "/a.m3u8": master.encode(),
        "/subs.m3u8": b"#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        b"#EXTINF:4.0,\nsubs.vtt\n#EXT-X-ENDLIST\n",
        "/subs.vtt": rolling_vtt(speech_words()),
    }


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.mark.network
@needs_ffmpeg
@pytest.mark.parametrize(
    ("tail", "video_id"),
    [("?x=/..", ".."), ("#/..", ".."), ("?x=/%2e%2e", ".."), ("?x=/.", "."), ("?x=/", "a")],
)
def test_an_id_from_the_url_never_leads_out_of_the_out_folder(
    site: Site,
    hls_with_captions: dict[str, bytes],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    tail: str,
    video_id: str,
) -> None:
    # Before: yt-dlp's generic extractor took the id ".." from the URL's last "/" segment
    # (query included), so the video, its captions and manifest.json landed in the parent
    # of --out, replacing a manifest.json there; the id "." wrote them into --out itself.
    site.files.update(hls_with_captions)
    parent = tmp_path / "parent"
    out = parent / "out"
    out.mkdir(parents=True)
    (parent / MANIFEST_NAME).write_text("the parent's own manifest")
    assert run_cli(site.url("a.m3u8") + tail, "--out", str(out)) == 0
    assert error_lines(capsys.readouterr().err) == []
    assert (parent / MANIFEST_NAME).read_text() == "the parent's own manifest"
    [folder] = [p for p in out.iterdir()]
    assert folder.is_dir() and folder.name == folder_name(video_id)
    name = folder.name
    assert all_files(parent) == sorted(
        [
            MANIFEST_NAME,
            f"out/{name}/{MANIFEST_NAME}",
            *(f"out/{name}/{name}.{ext}" for ext in ("mp4", "info.json", "en.srt", "en.vtt")),
            f"out/{name}/{name}.en.original.vtt",
        ]
    )
    manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["id"] == video_id  # the real id is kept; only the folder is safe
    srt_words = " ".join(item.text for item in pysrt.open(str(folder / f"{name}.en.srt"))).split()
    assert srt_words == SPEECH  # the subtitle rendition, rebuilt


@pytest.mark.network
@needs_ffmpeg
def test_a_link_planted_as_the_video_folder_is_not_written_through(
    site: Site, hls_with_captions: dict[str, bytes], tmp_path: Path
) -> None:
    site.files.update(hls_with_captions)
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "a").symlink_to(elsewhere)
    options = FetchOptions(out_dir=out, captions_only=True)
    [outcome] = fetch_all([site.url("a.m3u8")], options)
    assert str(outcome.error) == (
        f"{site.url('a.m3u8')}: {out / 'a'}: a link out of {out}; refusing to write through it"
    )
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    "video_id",
    [
        "..",
        ".",
        "",
        "/",
        "a/b",
        "..%2f..",
        "-rf",
        ".hidden",
        "a\nb",
        "a\x00b",
        "a\\b",
        "a:b",
        "é" * 300,
        "x" * 81,
        "🎬",
        " ",
    ],
)
def test_folder_names_are_plain_names_inside_the_out_folder(video_id: str) -> None:
    name = folder_name(video_id)
    assert name and name not in (".", "..")
    assert Path(name).name == name and "/" not in name and "\\" not in name
    assert not name.startswith((".", "-"))
    assert all(ch.isprintable() and not ch.isspace() for ch in name)
    assert len(name) <= FOLDER_NAME_MAX + 13
    assert yt_dlp.utils.sanitize_filename(name) == name  # yt-dlp's template keeps it as is


def test_plain_ids_keep_their_names_and_changed_ones_never_collide() -> None:
    for plain in ("avWhreBUYF0", "talk", "a.b-c_d", "Vortrag-Über"):
        assert folder_name(plain) == plain
    changed = ["a/b", "a_b-", "a?b", "a:b", "..", "."]
    names = [folder_name(video_id) for video_id in changed]
    assert len(set(names)) == len(names)
    assert "a_b" not in names  # a changed id never takes a plain id's folder


def test_a_manifest_naming_files_elsewhere_is_not_trusted(tmp_path: Path) -> None:
    video_id = "avWhreBUYF0"
    folder = tmp_path / video_id
    folder.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"x" * 10)
    names = {"video": "../secret.txt", "srt": "a.srt", "vtt": "a.vtt", "info_json": "a.json"}
    for name in ("a.srt", "a.vtt", "a.json"):
        (folder / name).write_bytes(b"x" * 10)
    manifest = {
        "status": "complete",
        "options": {"lang": "en"},
        "files": {**names, "captions": []},
        "sizes": {name: 10 for name in names.values()},
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    url = f"https://www.youtube.com/watch?v={video_id}"
    [outcome] = fetch_all([url], FetchOptions(out_dir=tmp_path, retries=0, socket_timeout=0.01))
    assert outcome.result is None or not outcome.result.skipped  # not "already complete"


# --------------------------------------------------------------------------- the Python API


def readme_example(name: str) -> str:
    """The Python block after ``<!-- example: NAME -->`` in the README."""
    after = README.read_text(encoding="utf-8").split(f"<!-- example: {name} -->", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.network
@needs_ffmpeg
def test_the_readme_fetch_and_find_example_runs(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = readme_example("fetch-and-find")
    code = code.replace("https://www.youtube.com/watch?v=avWhreBUYF0", site.url("talk.html"))
    code = code.replace('"wells fargo"', '"roll up the screen"')
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("A talk about captions") and printed[0].endswith("talk-1")
    assert re.fullmatch(r"\d+\.\d s: They roll up the screen, and every word .*", printed[1])
    [highlight] = parse_yaml((tmp_path / "wells-fargo.yaml").read_text(encoding="utf-8"))
    assert highlight.title == "roll up the screen"
    assert (tmp_path / "media" / "talk-1" / "talk-1.mp4").is_file()


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="needs mypy (dev extra)")
def test_mypy_finds_clipkit_types_from_outside_the_repo(tmp_path: Path) -> None:
    # Before: the editable install was an import hook, which type checkers cannot follow,
    # so `import clipkit` was "module not found" for mypy everywhere but in the repo itself.
    code = readme_example("fetch-and-find") + "wrong: str = findings[0].match.start_ms\n"
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in checked.stdout.splitlines() if ": error:" in line]
    last = len(code.splitlines())
    assert errors == [
        f"example.py:{last}: error: Incompatible types in assignment (expression has type "
        '"int", variable has type "str")  [assignment]'
    ]
