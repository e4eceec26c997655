"""WebVTT output, written with webvtt-py.

``&`` and ``<`` in the text are escaped, as WebVTT requires; ``>`` is written as it is
(WebVTT needs no escape for it, and players and libraries such as pysubs2, webvtt-py and
GStreamer show ``&gt;`` literally, so a ``>>`` speaker marker would read ``&gt;&gt;``).  With
``options.words_vtt`` every word after the first carries a ``<HH:MM:SS.mmm>`` timestamp tag
(karaoke style), the way ``--mode words`` shows when each word is spoken.
"""

from __future__ import annotations

from collections.abc import Sequence

from clipkit.model import Cue, Transcript
from clipkit.timefmt import format_timestamp
from clipkit.writers.base import WriteOptions

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;"})


def escape(text: str) -> str:
    # (a cue's text must never hold "-->": webvtt-py refuses it, players end the cue there)
    return text.translate(_ESCAPES).replace("-->", "--&gt;")


def write(cues: Sequence[Cue], transcript: Transcript, options: WriteOptions) -> str:
    import webvtt  # (here: a conversion to another format need not import it)

    captions = [
        webvtt.Caption(
            start=format_timestamp(cue.start_ms),
            end=format_timestamp(cue.end_ms),
            text=_timed_lines(cue) if options.words_vtt else [escape(line) for line in cue.lines],
        )
        for cue in cues
    ]
    return str(webvtt.WebVTT(captions=captions).content)


def _timed_lines(cue: Cue) -> list[str]:
    """The cue's lines with a timestamp tag in front of each word spoken after the cue starts.

    Words are found in the laid-out lines by their text, in order; anything between two
    words (spaces, a speaker marker) is kept and the tag goes in front of the marker.  If the
    words cannot be found (the lines were laid out from other text), the lines stay untagged.
    """
    plain = [escape(line) for line in cue.lines]
    pending = list(cue.words)
    last_tag_ms = cue.start_ms
    timed: list[str] = []
    for line in cue.lines:
        pos = 0
        parts: list[str] = []
        while pending:
            word = pending[0]
            found = line.find(word.text, pos)
            if found < 0:
                break
            between = line[pos:found]
            marker = between.lstrip()
            parts.append(escape(between[: len(between) - len(marker)]))
            if last_tag_ms < word.start_ms < cue.end_ms:
                parts.append(f"<{format_timestamp(word.start_ms)}>")
                last_tag_ms = word.start_ms
            parts.append(escape(marker + word.text))
            pos = found + len(word.text)
            pending.pop(0)
        parts.append(escape(line[pos:]))
        timed.append("".join(parts))
    if pending:
        return plain
    return timed
