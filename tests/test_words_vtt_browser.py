"""``--mode words`` WebVTT as a browser reads it: headless Chromium (Debian's) loads the file
through a ``<track>`` from a loopback server and its own WebVTT parser gives, for every cue,
the text and the timestamps (``getCueAsHTML()``: processing instructions named
``timestamp``) that make it show the words as past and future one by one."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import webvtt
from factory import rolling_vtt, script

from clipkit.convert import convert_bytes
from clipkit.readers import read_bytes
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (Debian's package)"),
]

PAGE = b"""<!DOCTYPE html><html><body>
<video preload="none"><track id="t" kind="captions" srclang="en" src="words.vtt"></video>
<pre id="out">pending</pre>
<script>
const element = document.getElementById("t");
element.track.mode = "hidden";
element.addEventListener("load", () => {
  const cues = Array.from(element.track.cues).map((cue) => {
    const parts = [];
    const walk = (node) => {
      for (const child of node.childNodes) {
        const kind = child.nodeType;
        if (kind === Node.PROCESSING_INSTRUCTION_NODE) parts.push([child.target, child.data]);
        else if (child.nodeType === Node.TEXT_NODE) parts.push(["text", child.data]);
        else walk(child);
      }
    };
    walk(cue.getCueAsHTML());
    return {start: cue.startTime, end: cue.endTime, parts};
  });
  document.getElementById("out").textContent = JSON.stringify(cues);
});
element.addEventListener("error", () => { document.getElementById("out").textContent = "error"; });
</script></body></html>
"""

SAID = (
    "So today we look at captions. They roll up the screen, and every word | shows up twice "
    "or three times, which nobody can read. | >> Is that so? | >> It is, and we fix it here "
    "with one cue a caption."
)


@pytest.fixture
def serve() -> Iterator[tuple[dict[str, bytes], str]]:
    files: dict[str, bytes] = {"/page.html": PAGE}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            kind = "text/vtt" if self.path.endswith(".vtt") else "text/html"
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield files, f"http://127.0.0.1:{server.server_address[1]}/page.html"
    finally:
        server.shutdown()
        server.server_close()


def chromium_cues(url: str) -> list[dict[str, Any]]:
    assert CHROMIUM is not None
    dumped = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
         "--dump-dom", url],
        check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    found = re.search(r'<pre id="out">(.*?)</pre>', dumped, re.S)
    assert found is not None and found[1] not in ("pending", "error"), dumped[-500:]
    cues: list[dict[str, Any]] = json.loads(found[1].replace("&amp;", "&").replace("&lt;", "<"))
    return cues


def test_chromium_reads_one_cue_a_caption_and_every_word_time(
    serve: tuple[dict[str, bytes], str],
) -> None:
    files, url = serve
    data = rolling_vtt(script(SAID, start_ms=1000, step_ms=280)).encode("utf-8")
    style = CaptionStyle(mode="words", max_chars=32)
    words_vtt = convert_bytes(data, "talk.vtt", "vtt", style)
    files["/words.vtt"] = words_vtt
    cues = build_cues(read_bytes(data, "talk.vtt"), style)
    assert len(cues) > 2  # several captions, some of two lines
    assert any(len(cue.lines) == 2 for cue in cues)

    read = chromium_cues(url)
    assert len(read) == len(cues)  # one cue a caption, as written
    assert len(webvtt.from_string(words_vtt.decode("utf-8")).captions) == len(cues)
    for seen, cue in zip(read, cues):
        assert (round(seen["start"] * 1000), round(seen["end"] * 1000)) == (
            cue.start_ms, cue.end_ms,
        )  # fmt: skip
        texts = [data for kind, data in seen["parts"] if kind == "text"]
        stamps = [data for kind, data in seen["parts"] if kind == "timestamp"]
        assert [kind for kind, _ in seen["parts"]][::2] == ["text"] * len(texts)
        # word by word: a word (after its speaker marker, if any), the time the next word is
        # said, the next word, ...; all of it the caption's text on one line
        assert "".join(texts) == " ".join(cue.lines)
        marker = style.speaker_marker.strip()
        assert [text.strip().removeprefix(marker).strip() for text in texts] == [
            word.text for word in cue.words
        ]
        # Chromium prints the time it parsed as a double, truncated: within a millisecond
        assert len(stamps) == len(cue.words) - 1
        for stamp, word in zip(stamps, cue.words[1:]):
            assert abs(_ms(stamp) - word.start_ms) <= 1
        assert [_ms(stamp) for stamp in stamps] == sorted(_ms(stamp) for stamp in stamps)


def _ms(stamp: str) -> int:
    hours, minutes, seconds = stamp.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
