#!/usr/bin/env python3
"""Record what clipkit writes, to check that a restructuring changed no output.

Writes into OUT: ``convert`` of the sample and every fixture (../shared/fixtures) in every
format and mode, and with three sets of caption flags; ``find -o`` on the sample; the
chapters of a video as a highlight file; and a ``fetch`` (a whole video, and captions only)
against the loopback server of tests/test_fetch.py.  ``OUT/SHA256SUMS`` lists every file,
so two runs (before and after a change) compare with ``diff``::

    .venv/bin/python scripts/record_outputs.py /tmp/before      # on the old commit
    .venv/bin/python scripts/record_outputs.py /tmp/after       # on the new one
    diff /tmp/before/SHA256SUMS /tmp/after/SHA256SUMS

What depends on the machine or the moment (the fetch manifest's time and URLs with their
port, yt-dlp's info JSON) is left out or masked; everything else must be byte-identical.
The commands are spelled so that versions before issue 16 run them too (``--out``,
``--write``); before it, ``find.yaml`` was written in another layout.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import test_fetch as loopback  # noqa: E402

import clipkit.fetch as fetch_api  # noqa: E402
from clipkit.cli import main as clipkit  # noqa: E402

MODES = ("cues", "lines", "words")
FORMATS = ("srt", "vtt", "json", "txt")
FLAGS = {
    "flags1": ["--crlf", "--bom", "--shift", "3600", "--fps", "25"],
    "flags2": ["--max-chars", "32", "--max-lines", "1", "--speaker-marker", "chevrons"],
    "flags3": ["--resegment", "--fps", "23.976", "--min-gap-frames", "3", "--max-cps", "15"],
}
CHAPTERS = [
    {"start_time": 0.0, "end_time": 344.0, "title": "Intro"},
    {"start_time": 344.0, "end_time": 431.5, "title": "Rolling captions: why"},
    {"start_time": 3600.0, "end_time": 3725.0, "title": ""},
]


def run(argv: Sequence[str]) -> tuple[int, str]:
    """One clipkit command in this process; its exit code and stdout."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = clipkit(list(argv))
    return code, out.getvalue()


def record_convert(folder: Path) -> None:
    fixtures = REPO.parent / "shared" / "fixtures"
    found = sorted(p for p in fixtures.rglob("*") if p.is_file() and p.name != "README.md")
    inputs = [REPO / "media" / "avWhreBUYF0.md", *found]
    codes = []
    for index, source in enumerate(inputs):
        for mode in MODES:
            for to in FORMATS:
                target = folder / f"{index:02d}.{mode}.{to}"
                argv = ["convert", str(source), "-o", str(target), "--to", to, "--mode", mode]
                codes.append(f"{target.name} {run(argv)[0]}")
        for name, flags in FLAGS.items():
            for to in ("srt", "vtt"):
                target = folder / f"{index:02d}.{name}.{to}"
                codes.append(
                    f"{target.name} {run(['convert', str(source), '-o', str(target), *flags])[0]}"
                )
    (folder / "exit-codes.txt").write_text("\n".join(codes) + "\n", encoding="utf-8")


def record_fetch(folder: Path) -> None:
    video = folder / "source.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={loopback.DURATION_S}"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:duration={loopback.DURATION_S}"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"),
            *("-shortest", "-fflags", "+bitexact", str(video)),
        ],
        check=True,
    )
    words = loopback.speech_words()
    site = loopback.Site(
        files={
            "/talk.html": loopback.PAGE,
            "/talk.mp4": video.read_bytes(),
            "/talk.en.vtt": loopback.rolling_vtt(words),
            "/talk.en.json3": loopback.rolling_json3(words),
            "/both.html": loopback.PAGE.replace(
                b"<track", b'<track kind="captions" srclang="en" src="talk.en.json3"><track'
            ),
        }
    )
    video.unlink()
    handler = type("Handler", (loopback._Handler,), {"site": site})
    server = loopback._QuietServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    site.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for name, page, extra in (
            ("full", "talk.html", []),
            ("captions", "both.html", ["--captions-only"]),
        ):
            code, _ = run(
                ["fetch", "--no-progress", site.url(page), "--out", str(folder / name), *extra]
            )
            if code != 0:
                raise SystemExit(f"fetch {page} failed (exit {code})")
    finally:
        server.shutdown()
    for manifest in folder.rglob("manifest.json"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["fetched_at"] = "(masked)"
        for key in ("url", "webpage_url"):
            data[key] = str(data[key]).rsplit("/", 1)[-1]
        manifest.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    for info in folder.rglob("*.info.json"):
        info.write_text("(not ours: yt-dlp's, with the port and the time)", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write (replaced)")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    shutil.rmtree(out, ignore_errors=True)
    for part in ("convert", "fetch"):
        (out / part).mkdir(parents=True)
    record_convert(out / "convert")
    run(
        [
            "find",
            str(out / "convert" / "00.cues.srt"),
            "wells fargo",
            "--write",
            str(out / "find.yaml"),
        ]
    )
    # chapters_file_text since issue 16, highlights_yaml before
    api = vars(fetch_api)
    chapters_text = api.get("chapters_file_text") or api["highlights_yaml"]
    (out / "chapters.yaml").write_text(chapters_text(CHAPTERS), encoding="utf-8")
    record_fetch(out / "fetch")
    sums = sorted(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(out)}"
        for path in out.rglob("*")
        if path.is_file()
    )
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    print(f"{out}/SHA256SUMS: {len(sums)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
