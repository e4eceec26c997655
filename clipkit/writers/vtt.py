"""WebVTT output, written with webvtt-py.

``&`` and ``<`` in the text are escaped, as WebVTT requires; ``>`` is written as it is
(WebVTT needs no escape for it, and players and libraries such as pysubs2, webvtt-py and
GStreamer show ``&gt;`` literally, so a ``>>`` speaker marker would read ``&gt;&gt;``).

With ``options.words_vtt`` (``--mode words``) each cue is still one caption, its text on one
line, with a ``<HH:MM:SS.mmm>`` timestamp tag right after each word saying when the next one
is spoken (``Well,<00:00:29.192> hello.``), as YouTube's own files have them: browsers
show the words as past and future by those tags (WebVTT's karaoke timestamps), and videogrep
reads each word's time from the tag that follows it.  One line, because videogrep takes the
line before a tagged line for the cue's timing (a second tagged line is misread); players
wrap it to the width of the picture.
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
    """The cue's text as one line, a timestamp tag after each word when the next one starts.

    Words are found in the laid-out text by their text, in order; anything between two words
    (spaces, a speaker marker) is kept, after the tag.  A tag is written only strictly inside
    the cue and later than the one before.  If the words cannot be found (the lines were laid
    out from other text), the lines stay as they are, untagged.
    """
    text = " ".join(cue.lines)
    pending = list(cue.words)
    last_tag_ms = cue.start_ms
    parts: list[str] = []
    pos = 0
    for index, word in enumerate(pending):
        found = text.find(word.text, pos)
        if found < 0:
            return [escape(line) for line in cue.lines]
        parts.append(escape(text[pos:found] + word.text))
        pos = found + len(word.text)
        following = pending[index + 1] if index + 1 < len(pending) else None
        if following is not None and last_tag_ms < following.start_ms < cue.end_ms:
            parts.append(f"<{format_timestamp(following.start_ms)}>")
            last_tag_ms = following.start_ms
    parts.append(escape(text[pos:]))
    return ["".join(parts)]
