"""Rolling captions made to order: words and times in, YouTube-shaped files out.

Tests describe what was said (words, when each starts, where the caption lines
break, speaker changes, sound tags, cleared screens) and get the file YouTube
or yt-dlp would have written for it: rolling WebVTT (modern and old youtube-dl
style), json3, the markdown transcript export, yt-dlp's ``--convert-subs``
SRT/VTT and YouTube's own one-line auto SRT; and, for contrast, ordinary SRT/VTT
files as a person writes them (``authored_srt``).  The expected words are known
exactly, so readers can be checked against them.

    >>> lines = script("Hello there. | >> Who is it? | [Music]", start_ms=1000)
    >>> vtt = rolling_vtt(lines)

Timing model (the one YouTube uses): a line's cue starts with its first word and
lasts until 10 ms before the next line starts; a 10 ms transition cue then shows
the finished line alone.  The last line ends ``tail_ms`` after its last word.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clipkit.timefmt import format_timestamp

TRANSITION_MS = 10
SPEAKER_MARK = ">>"


@dataclass(frozen=True, slots=True)
class Said:
    """One word (or sound tag) as spoken, and when it starts."""

    text: str
    start_ms: int
    speaker_change: bool = False  # a ">>" is shown before this word
    space_before: str = " "  # what is typed between the word before and this one ("  ")


@dataclass(frozen=True, slots=True)
class Line:
    """One caption line as YouTube types it."""

    words: tuple[Said, ...]
    cleared: bool = False  # the screen was cleared before this line (nothing above it)

    def __post_init__(self) -> None:
        if not self.words:
            raise ValueError("a line needs at least one word")
        starts = [w.start_ms for w in self.words]
        if starts != sorted(set(starts)):
            raise ValueError(f"word starts must rise strictly within a line: {starts}")

    @property
    def start_ms(self) -> int:
        return self.words[0].start_ms

    def shown(self) -> str:
        """The line as displayed, speaker markers included."""
        first, *rest = self.words
        return _with_mark(first) + "".join(w.space_before + _with_mark(w) for w in rest)


def _with_mark(word: Said) -> str:
    return f"{SPEAKER_MARK} {word.text}" if word.speaker_change else word.text


def script(text: str, start_ms: int = 0, step_ms: int = 300, *, tag_ms: int = 2000) -> list[Line]:
    """Lines from a little script language.

    Words are separated by spaces; ``|`` ends a line; ``||`` ends a line and clears
    the screen; ``>>`` makes the next word a speaker change; ``~1500`` adds a pause
    of 1500 ms before the next word; a sound tag such as ``[Music]`` (spaces inside
    allowed: ``[  music]``) lasts ``tag_ms``.  Every other word starts ``step_ms``
    after the previous one.
    """
    lines: list[Line] = []
    current: list[Said] = []
    at = start_ms
    speaker = False
    clear_next = False
    tokens = _script_tokens(text)
    for token in tokens:
        if token in ("|", "||"):
            if current:
                lines.append(Line(tuple(current), cleared=clear_next))
                current = []
                clear_next = token == "||"
            continue
        if token == SPEAKER_MARK:
            speaker = True
            continue
        if token.startswith("~") and token[1:].isdigit():
            at += int(token[1:])
            continue
        current.append(Said(token, at, speaker))
        speaker = False
        at += tag_ms if token.startswith("[") else step_ms
    if current:
        lines.append(Line(tuple(current), cleared=clear_next))
    return lines


def _script_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
            continue
        if char == "[":
            close = text.index("]", index)
            tokens.append(text[index : close + 1])
            index = close + 1
            continue
        end = index
        while end < len(text) and not text[end].isspace():
            end += 1
        tokens.append(text[index:end])
        index = end
    return tokens


def lines_from_words(
    words: Sequence[tuple[str, int]], per_line: int = 7, speaker_changes: Iterable[int] = ()
) -> list[Line]:
    """Lines of ``per_line`` words from ``(text, start_ms)`` pairs; sound tags get lines of
    their own and a speaker change (by word index) starts a new line."""
    changes = set(speaker_changes)
    lines: list[Line] = []
    current: list[Said] = []
    for index, (text, start) in enumerate(words):
        said = Said(text, start, index in changes)
        is_tag = text.startswith("[")
        if current and (len(current) >= per_line or is_tag or said.speaker_change):
            lines.append(Line(tuple(current)))
            current = []
        current.append(said)
        if is_tag:
            lines.append(Line(tuple(current)))
            current = []
    if current:
        lines.append(Line(tuple(current)))
    return lines


def spoken(lines: Sequence[Line]) -> list[Said]:
    """Every word of the lines, in order: what a reader must give back."""
    return [word for line in lines for word in line.words]


# ---------- the frame model shared by every format ----------


@dataclass(frozen=True, slots=True)
class _Frame:
    start_ms: int
    end_ms: int
    above: Line | None  # the finished line still on screen above (None: blank)
    line: Line
    transition: bool  # the 10 ms frame showing the finished line alone


def _frames(
    lines: Sequence[Line], tail_ms: int, transition_ms: int = TRANSITION_MS
) -> list[_Frame]:
    frames: list[_Frame] = []
    for index, line in enumerate(lines):
        last_word = line.words[-1].start_ms
        if index + 1 < len(lines):
            end = lines[index + 1].start_ms - transition_ms
        else:
            end = last_word + tail_ms
        if end <= last_word:
            raise ValueError(
                f"line {index} ({line.shown()!r}) needs its last word to start at least "
                f"{transition_ms + 1} ms before the next line"
            )
        above = None if line.cleared or index == 0 else lines[index - 1]
        frames.append(_Frame(line.start_ms, end, above, line, False))
        frames.append(_Frame(end, end + transition_ms, None, line, True))
    return frames


# ---------- rolling WebVTT ----------


def _vtt_time(ms: int) -> str:
    return format_timestamp(ms, ".")


def _escaped(word: Said) -> str:
    text = html.escape(word.text, quote=False)
    return f"&gt;&gt; {text}" if word.speaker_change else text


def _typed_modern(line: Line, trailing_space: bool) -> str:
    words = line.words
    if len(words) == 1:
        return _escaped(words[0])  # one-word lines carry no word tags
    if trailing_space:
        parts = [_escaped(words[0]) + " "]
        for word in words[1:]:
            parts.append(f"<{_vtt_time(word.start_ms)}><c>{_escaped(word)} </c>")
    else:
        parts = [_escaped(words[0])]
        for word in words[1:]:
            stamp = f"<{_vtt_time(word.start_ms)}>"
            if word.space_before == " ":
                parts.append(f"{stamp}<c> {_escaped(word)}</c>")
            else:  # irregular spacing goes before the stamp: "h  <ts><c>then</c>"
                parts.append(f"{word.space_before}{stamp}<c>{_escaped(word)}</c>")
    return "".join(parts)


def _typed_old(line: Line) -> str:
    words = line.words
    if len(words) == 1:
        return _escaped(words[0])
    stamps = "".join(f"<{_vtt_time(w.start_ms)}><c> {_escaped(w)}</c>" for w in words[1:])
    return f"{_escaped(words[0])}<c.colorE5E5E5>{stamps}</c>"


def _shown_old(line: Line) -> str:
    words = line.words
    rest = "".join(" " + _escaped(w) for w in words[1:])
    return f"{_escaped(words[0])}<c.colorCCCCCC>{rest}</c>" if rest else _escaped(words[0])


def rolling_vtt(
    lines: Sequence[Line],
    *,
    old_style: bool = False,
    trailing_space: bool = False,
    language: str = "en",
    tail_ms: int = 1000,
    transition_ms: int = TRANSITION_MS,
) -> str:
    """YouTube's rolling auto-captions as yt-dlp writes them.

    Modern shape by default: ``Kind:``/``Language:`` header, ``align:start position:0%``,
    a space-only first payload line, ``word<00:00:01.234><c> next</c>``, 10 ms transition
    cues.  ``trailing_space`` writes the ``word <ts><c>next </c>`` variant; ``old_style``
    the youtube-dl shape (``Style:`` block, ``##``, ``<c.colorE5E5E5>`` spans whose ``</c>``
    closes after the line break of the transition cue).  ``transition_ms`` is how long the
    cue showing the finished line alone lasts (some files hold it for a while: then it is
    no transition a reader may skip, and the line in it must not be read again).
    """
    out = ["WEBVTT", "Kind: captions", f"Language: {language}"]
    if old_style:
        out += [
            "Style:",
            "::cue(c.colorCCCCCC) { color: rgb(204,204,204);",
            " }",
            "::cue(c.colorE5E5E5) { color: rgb(229,229,229);",
            " }",
            "##",
        ]
    out.append("")
    for frame in _frames(lines, tail_ms, transition_ms):
        out.append(
            f"{_vtt_time(frame.start_ms)} --> {_vtt_time(frame.end_ms)} align:start position:0%"
        )
        if frame.transition:
            if old_style:
                shown = _shown_old(frame.line)
                if shown.endswith("</c>"):
                    out += [shown[: -len("</c>")], " </c>"]
                else:
                    out += [shown, " "]
            else:
                out += [_plain(frame.line), " "]
        else:
            above = frame.above
            if old_style:
                out.append(_shown_old(above) if above else " ")
                out.append(_typed_old(frame.line))
            else:
                out.append(_plain(above) if above else " ")
                out.append(_typed_modern(frame.line, trailing_space))
        out.append("")
    return "\n".join(out) + "\n"


def _plain(line: Line) -> str:
    first, *rest = line.words
    return _escaped(first) + "".join(w.space_before + _escaped(w) for w in rest)


# ---------- json3 ----------


def rolling_json3(lines: Sequence[Line], *, tail_ms: int = 1000, indent: int | None = 2) -> str:
    """YouTube json3: a window event, then per line an event with ``segs`` (``utf8``,
    ``tOffsetMs``), its stated duration overlapping the next line, and an ``aAppend``
    newline event 10 ms before the next line.  A speaker change writes ``>>`` into the
    text and sets ``isSpeakerChange`` on the event."""
    frames = [f for f in _frames(lines, tail_ms) if not f.transition]
    events: list[dict[str, object]] = [
        {"tStartMs": 0, "dDurationMs": frames[-1].end_ms + TRANSITION_MS, "id": 1,
         "wpWinPosId": 1, "wsWinStyleId": 1}
    ]  # fmt: skip
    for index, frame in enumerate(frames):
        line = frame.line
        start = line.start_ms
        stated_end = frames[index + 1].end_ms if index + 1 < len(frames) else frame.end_ms
        segs: list[dict[str, object]] = []
        for position, word in enumerate(line.words):
            text = f"{SPEAKER_MARK} {word.text}" if word.speaker_change else word.text
            seg: dict[str, object] = {"utf8": word.space_before + text if position else text}
            if position:
                seg["tOffsetMs"] = word.start_ms - start
            seg["acAsrConf"] = 0
            segs.append(seg)
        event: dict[str, object] = {
            "tStartMs": start,
            "dDurationMs": stated_end - start,
            "wWinId": 1,
            "segs": segs,
        }
        if line.words[0].speaker_change:
            event["isSpeakerChange"] = 1
        events.append(event)
        if index + 1 < len(frames):
            events.append(
                {
                    "tStartMs": frame.end_ms,
                    "dDurationMs": stated_end - frame.end_ms,
                    "wWinId": 1,
                    "aAppend": 1,
                    "segs": [{"utf8": "\n"}],
                }
            )
    return json.dumps({"wireMagic": "pb3", "events": events}, indent=indent) + "\n"


# ---------- markdown transcript export ----------


def _md_time(ms: int) -> str:
    seconds = ms // 1000  # floor, as the exports do
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def rolling_markdown(lines: Sequence[Line], *, tail_ms: int = 1000, title: str = "A talk") -> str:
    """The markdown transcript export: ``**[MM:SS]**`` entries (floored seconds; ``H:MM:SS``
    past the hour), one per frame: previous line + new line, then the new line alone
    (the transition frame); ``### [MM:00 - MM:00]`` headings each minute.  A cleared
    screen's first frame is its new line alone."""
    out = [
        f"# {title}",
        "",
        "**Video URL:** https://www.youtube.com/watch?v=xxxxxxxxxxx",
        "",
        "---",
        "",
        "## Full Transcript",
        "",
    ]
    minute = -1
    for frame in _frames(lines, tail_ms):
        at_minute = frame.start_ms // 60_000
        if at_minute != minute:
            minute = at_minute
            out += [f"### [{minute:02d}:00 - {minute + 1:02d}:00]", ""]
        body = frame.line.shown()
        if frame.above is not None and not frame.transition:
            body = f"{frame.above.shown()} {body}"
        out += [f"**[{_md_time(frame.start_ms)}]** {body}", ""]
    return "\n".join(out)


# ---------- subtitles someone wrote, and YouTube's own one-line auto SRT ----------


@dataclass(frozen=True, slots=True)
class Written:
    """One cue of an ordinary subtitle file, as its author wrote it."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def written(*cues: tuple[int, int, str]) -> list[Written]:
    """Cues from ``(start_ms, end_ms, text)``; ``|`` in the text breaks a line."""
    return [Written(start, end, tuple(text.split("|"))) for start, end, text in cues]


def authored_srt(cues: Sequence[Written], *, crlf: bool = False) -> str:
    """An ordinary SRT: numbered cues, the author's line breaks and times."""
    out: list[str] = []
    for number, cue in enumerate(cues, 1):
        out += [
            str(number),
            f"{format_timestamp(cue.start_ms, ',')} --> {format_timestamp(cue.end_ms, ',')}",
            *cue.lines,
            "",
        ]
    text = "\n".join(out) + "\n"
    return text.replace("\n", "\r\n") if crlf else text


def authored_vtt(cues: Sequence[Written]) -> str:
    """An ordinary WebVTT file (``&``, ``<`` and ``>`` escaped)."""
    out = ["WEBVTT", ""]
    for cue in cues:
        out += [f"{format_timestamp(cue.start_ms)} --> {format_timestamp(cue.end_ms)}"]
        out += [html.escape(line, quote=False) for line in cue.lines]
        out.append("")
    return "\n".join(out) + "\n"


def youtube_auto_srt(lines: Sequence[Line], *, tail_ms: int = 1000) -> str:
    """YouTube's own auto SRT (no word times): one line per cue, each shown from its first
    word until the line after next starts, so that every cue overlaps the next."""
    cues: list[Written] = []
    for index, line in enumerate(lines):
        if index + 2 < len(lines):
            end = lines[index + 2].start_ms
        else:
            end = line.words[-1].start_ms + tail_ms
        cues.append(Written(line.start_ms, end, (line.shown(),)))
    return authored_srt(cues)


# ---------- yt-dlp --convert-subs ----------


def converted_srt(
    lines: Sequence[Line], *, crlf: bool = False, leftovers: bool = False, tail_ms: int = 1000
) -> str:
    """What ``yt-dlp --convert-subs srt`` makes of rolling VTT: every line shown twice
    (typed, then above the next), 10 ms cues kept, the space-only lines kept.
    ``leftovers`` keeps ``<c>`` tags and the ``align:`` settings, as some converters do."""
    return _converted(lines, crlf, leftovers, tail_ms, vtt=False)


def converted_vtt(lines: Sequence[Line], *, crlf: bool = False, tail_ms: int = 1000) -> str:
    """Rolling captions flattened to WebVTT without the inline word times."""
    return _converted(lines, crlf, False, tail_ms, vtt=True)


def _converted(
    lines: Sequence[Line], crlf: bool, leftovers: bool, tail_ms: int, *, vtt: bool
) -> str:
    sep = "." if vtt else ","
    out = ["WEBVTT", ""] if vtt else []
    for number, frame in enumerate(_frames(lines, tail_ms), 1):
        if not vtt:
            out.append(str(number))
        timing = (
            f"{format_timestamp(frame.start_ms, sep)} --> {format_timestamp(frame.end_ms, sep)}"
        )
        out.append(timing + (" align:start position:0%" if leftovers else ""))
        if frame.transition:
            out += [_converted_text(frame.line), " "]
        else:
            out.append(_converted_text(frame.above) if frame.above else " ")
            out.append(
                _typed_modern(frame.line, False) if leftovers else _converted_text(frame.line)
            )
        out.append("")
    text = "\n".join(out) + "\n"
    return text.replace("\n", "\r\n") if crlf else text


def _converted_text(line: Line) -> str:
    return html.unescape(_plain(line))
