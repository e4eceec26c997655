"""Highlight files and quote search.

A highlight file (YAML, or TOML by its ``.toml`` extension) lists the moments to cut::

    highlights:
      - title: The Wells Fargo integration
        from: "one one one day we realized"     # or start: "05:44" / 344 / "00:05:44.000"
        to: "how other organizations would work"  # or end: ...
        pad: 0.5                                  # seconds added before and after

Every mistake is reported as :class:`HighlightError` with the file and line.  Quotes are
found in the transcript ignoring case and punctuation, tolerating small recognition
differences; a quote found nowhere, or in more than one place, is an error listing the
candidate times.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from clipkit.errors import HighlightError, InvalidValueError
from clipkit.model import Transcript, Word

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

KEYS = ("title", "start", "end", "from", "to", "pad")
FUZZY_THRESHOLD = 85.0
MAX_TIME_MS = 99 * 3_600_000 + 59 * 60_000 + 59_999
MAX_TIME_TEXT = "99:59:59.999"
MAX_PAD_S = 60
_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")
_SENTENCE_END = re.compile(r"[.?!…][\"')\]]*$")


@dataclass(frozen=True, slots=True)
class HighlightSpec:
    """One highlight as written in the file (times in ms, quotes as written)."""

    index: int
    title: str = ""
    start_ms: int | None = None
    end_ms: int | None = None
    from_quote: str | None = None
    to_quote: str | None = None
    pad_ms: int = 0
    source: str = "<highlights>"
    line: int | None = None
    key_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key, self.line)

    def error(self, message: str, key: str | None = None) -> HighlightError:
        return HighlightError(message, self.source, self.line_of(key) if key else self.line)


@dataclass(frozen=True, slots=True)
class QuoteMatch:
    first: int  # index of the first matched word in the transcript
    last: int  # index of the last matched word (inclusive)
    start_ms: int
    end_ms: int
    score: float
    text: str


@dataclass(frozen=True, slots=True)
class ResolvedHighlight:
    """A highlight with its requested span in source milliseconds."""

    spec: HighlightSpec
    start_ms: int
    end_ms: int
    start_match: QuoteMatch | None = None
    end_match: QuoteMatch | None = None


# ---------------------------------------------------------------- times


def parse_time(value: object) -> int:
    """``"05:44"``, ``"1:02:03.5"``, ``"00:05:44.000"``, ``344`` or ``"344.5"`` -> ms.

    At most :data:`MAX_TIME_MS` (99:59:59.999); NaN, infinities and numbers too long to
    be a time are a :class:`ValueError` like any other mistake.
    """
    if isinstance(value, bool):
        raise InvalidValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float, Decimal)):
        # a float as its shortest decimal: 359999.999 as written, not its binary neighbour
        seconds = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if seconds.is_nan():
            raise InvalidValueError(f"not a time: {_shown(value)}")
    else:
        text = str(value).strip().replace(",", ".")
        match = _TIME.match(text)
        if not match:
            raise InvalidValueError(
                f"not a time: {_shown(value)} (use seconds, MM:SS or HH:MM:SS.mmm)"
            )
        hours, minutes, secs = (Decimal(part or 0) for part in match.groups())
        if (match[1] is not None or match[2] is not None) and secs >= 60:
            raise InvalidValueError(f"not a time: {_shown(value)} (seconds must be below 60)")
        if match[1] is not None and minutes >= 60:
            raise InvalidValueError(f"not a time: {_shown(value)} (minutes must be below 60)")
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds < 0:
        raise InvalidValueError(f"negative time: {_shown(value)}")
    if seconds * 1000 > MAX_TIME_MS:
        raise InvalidValueError(
            f"{_shown(value)} is beyond {MAX_TIME_TEXT}, the longest time clipkit handles"
        )
    return round(seconds * 1000)


def _number(value: object) -> Decimal:
    """A finite number of seconds, written as a number or as text."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        written = repr(value) if isinstance(value, float) else value
        number = Decimal(written if isinstance(written, (int, Decimal)) else str(written).strip())
    except (InvalidOperation, ValueError):
        raise InvalidValueError(f"expected seconds, got {_shown(value)}") from None
    if not number.is_finite():
        raise InvalidValueError(f"expected seconds, got {_shown(value)}")
    return number


def _shown(value: object, limit: int = 24) -> str:
    """A value as a message quotes it: short, on one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def format_time(ms: int) -> str:
    """``MM:SS.s`` under an hour, ``H:MM:SS.s`` above: how times appear in messages."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = rest / 1000
    if hours:
        return f"{hours}:{minutes:02d}:{secs:04.1f}"
    return f"{minutes:02d}:{secs:04.1f}"


# ---------------------------------------------------------------- files


def load_highlights(path: str | Path) -> list[HighlightSpec]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HighlightError(f"cannot read: {exc}", str(path)) from exc
    if path.suffix.lower() == ".toml":
        return parse_toml(text, str(path))
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str = "<highlights>") -> list[HighlightSpec]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise HighlightError(f"not valid YAML: {exc.problem or exc}", source, line) from exc
    except yaml.YAMLError as exc:
        raise HighlightError(f"not valid YAML: {exc}", source) from exc
    if root is None:
        raise HighlightError("empty highlight file", source, 1)
    items_node: yaml.Node = root
    if isinstance(root, yaml.MappingNode):
        found = [
            v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "highlights"
        ]
        if not found:
            raise HighlightError("expected a 'highlights:' list", source, root.start_mark.line + 1)
        items_node = found[0]
    if not isinstance(items_node, yaml.SequenceNode):
        raise HighlightError(
            "'highlights' must be a list of highlights", source, items_node.start_mark.line + 1
        )
    specs = []
    for index, item in enumerate(items_node.value):
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise HighlightError(
                "each highlight must be a mapping (title:, start:, ...)", source, line
            )
        fields: dict[str, tuple[object, int]] = {}
        for key_node, value_node in item.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise HighlightError("keys must be plain words", source, key_line)
            if not isinstance(value_node, yaml.ScalarNode):
                raise HighlightError(f"{key_node.value!r} must be a single value", source, key_line)
            if key_node.value in fields:
                raise HighlightError(f"{key_node.value!r} given twice", source, key_line)
            fields[str(key_node.value)] = (_yaml_scalar(value_node), key_line)
        specs.append(_make_spec(index, fields, source, line))
    return _check_all(specs, source, items_node.start_mark.line + 1)


def _yaml_scalar(node: yaml.ScalarNode) -> object:
    """Keep times as written: YAML 1.1 would read 05:44 as the base-60 integer 344.

    A number too large for a float (``1.0e+400``, 5000 digits) stays exact, as a Decimal,
    so that the error says what was written rather than ``inf``.
    """
    if node.tag.endswith(":null"):
        return None
    if node.tag.endswith((":int", ":float")) and ":" not in node.value:
        try:
            number = float(node.value)
        except ValueError:
            return node.value
        if math.isfinite(number):
            return number
        with contextlib.suppress(InvalidOperation):
            return Decimal(node.value)
        return node.value
    return str(node.value)


def parse_toml(text: str, source: str = "<highlights>") -> list[HighlightSpec]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise HighlightError(
            f"not valid TOML: {str(exc).split(' (at')[0]}",
            source,
            int(match.group(1)) if match else None,
        ) from exc
    except ValueError as exc:  # an integer too long for Python to read (over 4300 digits)
        digits = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, digits.start()) + 1 if digits else None
        message = "not valid TOML: a number with thousands of digits"
        raise HighlightError(message, source, line) from exc
    items = data.get("highlights")
    if not isinstance(items, list):
        raise HighlightError("expected a [[highlights]] table list", source, 1)
    tables = _toml_table_lines(text)
    specs = []
    for index, item in enumerate(items):
        line, key_lines = tables[index] if index < len(tables) else (None, {})
        if not isinstance(item, dict):
            raise HighlightError("each highlight must be a table", source, line)
        fields: dict[str, tuple[object, int]] = {}
        for key, value in item.items():
            key_line = key_lines.get(key, line or 0)
            if isinstance(value, (dict, list)):
                raise HighlightError(f"{key!r} must be a single value", source, key_line or None)
            fields[key] = (value, key_line)
        specs.append(_make_spec(index, fields, source, line))
    return _check_all(specs, source, 1)


def _toml_table_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """Line of each ``[[highlights]]`` header and of the keys under it."""
    tables: list[tuple[int, dict[str, int]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if re.match(r"^\[\[\s*highlights\s*\]\]", line):
            tables.append((number, {}))
        elif line.startswith("["):
            break  # another table: keys below are not a highlight's
        elif tables and (match := re.match(r"^([A-Za-z_][\w-]*|\"[^\"]+\")\s*=", line)):
            tables[-1][1].setdefault(match.group(1).strip('"'), number)
    return tables


def _make_spec(
    index: int, fields: dict[str, tuple[object, int]], source: str, line: int | None
) -> HighlightSpec:
    key_lines = tuple((key, at) for key, (_, at) in fields.items())

    def fail(message: str, key: str | None = None) -> HighlightError:
        where = dict(key_lines).get(key, line) if key else line
        return HighlightError(message, source, where)

    for key in fields:
        if key not in KEYS:
            raise fail(f"unknown key {key!r} (expected {', '.join(KEYS)})", key)
    values = {key: value for key, (value, _) in fields.items() if value is not None}

    def time_of(key: str) -> int | None:
        if key not in values:
            return None
        try:
            return parse_time(values[key])
        except ValueError as exc:
            raise fail(f"{key}: {exc}", key) from None

    def quote_of(key: str) -> str | None:
        if key not in values:
            return None
        quote = str(values[key]).strip()
        if isinstance(values[key], float) or not _tokens(quote):
            raise fail(f"{key}: expected words to look for, got {values[key]!r}", key)
        return quote

    start, end = time_of("start"), time_of("end")
    from_quote, to_quote = quote_of("from"), quote_of("to")
    if start is not None and from_quote is not None:
        raise fail("give either 'start' or 'from', not both", "from")
    if end is not None and to_quote is not None:
        raise fail("give either 'end' or 'to', not both", "to")
    if start is None and from_quote is None:
        raise fail("missing 'start' (a time) or 'from' (a quote)")
    if end is None and to_quote is None:
        raise fail("missing 'end' (a time) or 'to' (a quote)")
    if start is not None and end is not None and end <= start:
        raise fail(f"end {format_time(end)} is not after start {format_time(start)}", "end")
    pad = 0
    if "pad" in values:
        try:
            pad_s = _number(values["pad"])
        except ValueError as exc:
            raise fail(f"pad: {exc}", "pad") from None
        if not 0 <= pad_s <= MAX_PAD_S:
            raise fail(f"pad must be between 0 and {MAX_PAD_S} seconds", "pad")
        pad = round(pad_s * 1000)
    title = str(values.get("title", "")).strip()
    return HighlightSpec(
        index, title, start, end, from_quote, to_quote, pad, source, line, key_lines
    )


def _check_all(specs: list[HighlightSpec], source: str, line: int) -> list[HighlightSpec]:
    if not specs:
        raise HighlightError("no highlights in the file", source, line)
    return specs


# ---------------------------------------------------------------- quote search


def normalize(text: str) -> str:
    """Lower case, letters and digits only ("Wi-Fi," -> "wifi", "don't" -> "dont")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if ch.isalnum())


def _tokens(text: str) -> list[str]:
    return [token for token in (normalize(part) for part in text.split()) if token]


def _word_tokens(words: Sequence[Word]) -> list[tuple[str, int]]:
    return [
        (token, index)
        for index, word in enumerate(words)
        if not word.is_sound_tag and (token := normalize(word.text))
    ]


def search(
    transcript: Transcript,
    quote: str,
    threshold: float = FUZZY_THRESHOLD,
    first_word: int = 0,
) -> list[QuoteMatch]:
    """Every place ``quote`` is said (from ``first_word`` on), best first within each place.

    Exact matches (after normalising case and punctuation) win; without any, windows of
    about the quote's length scoring at least ``threshold`` (rapidfuzz ratio) count.
    Overlapping windows are one place.
    """
    words = transcript.words
    tokens = [(t, i) for t, i in _word_tokens(words) if i >= first_word]
    wanted = _tokens(quote)
    if not wanted or not tokens:
        return []
    target = " ".join(wanted)
    size = len(wanted)
    exact: list[QuoteMatch] = []
    fuzzy: list[QuoteMatch] = []
    for width in sorted({size, max(1, size - 1), size + 1}):
        for at in range(0, len(tokens) - width + 1):
            window = tokens[at : at + width]
            candidate = " ".join(token for token, _ in window)
            if width == size and candidate == target:
                score = 100.0
            else:
                score = fuzz.ratio(candidate, target)
                if score < threshold:
                    continue
            first, last = window[0][1], window[-1][1]
            match = QuoteMatch(
                first,
                last,
                words[first].start_ms,
                words[last].end_ms,
                score,
                " ".join(w.text for w in words[first : last + 1]),
            )
            (exact if candidate == target else fuzzy).append(match)
    return _distinct(exact or fuzzy)


def _distinct(matches: list[QuoteMatch]) -> list[QuoteMatch]:
    """Keep the best of each group of overlapping matches, in spoken order."""
    kept: list[QuoteMatch] = []
    for match in sorted(matches, key=lambda m: (-m.score, m.last - m.first, m.first)):
        if all(match.last < other.first or match.first > other.last for other in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.first)


def closest(transcript: Transcript, quote: str, limit: int = 3) -> list[QuoteMatch]:
    """The best few places for a quote that is not found: for the error message."""
    return sorted(search(transcript, quote, threshold=0.0), key=lambda m: -m.score)[:limit]


def find_one(
    transcript: Transcript, quote: str, spec: HighlightSpec, key: str, first_word: int = 0
) -> QuoteMatch:
    matches = search(transcript, quote, first_word=first_word)
    if len(matches) == 1:
        return matches[0]
    where = "" if not first_word else " after the start"
    if not matches:
        near = ", ".join(
            f'{format_time(m.start_ms)} "{m.text}"'
            for m in closest(transcript, quote)
            if m.first >= first_word
        )
        hint = f" (closest: {near})" if near else ""
        raise spec.error(f"{key}: quote {quote!r} not found in the transcript{where}{hint}", key)
    listed = ", ".join(f'{format_time(m.start_ms)} "{m.text}"' for m in matches[:8])
    more = f" and {len(matches) - 8} more" if len(matches) > 8 else ""
    raise spec.error(
        f"{key}: quote {quote!r} found {len(matches)} times{where}: {listed}{more}; "
        "quote more words to pick one",
        key,
    )


def resolve(spec: HighlightSpec, transcript: Transcript | None) -> ResolvedHighlight:
    """Turn quotes into times; checks that the span is not empty."""
    start_match = end_match = None
    has_quote = spec.from_quote is not None or spec.to_quote is not None
    if has_quote and (transcript is None or not transcript.words):
        raise spec.error("quotes need captions (--captions)", "from" if spec.from_quote else "to")
    start = spec.start_ms
    if spec.from_quote is not None:
        assert transcript is not None
        start_match = find_one(transcript, spec.from_quote, spec, "from")
        start = start_match.start_ms
    assert start is not None
    end = spec.end_ms
    if spec.to_quote is not None:
        assert transcript is not None
        first_word = start_match.first if start_match else _first_word_at(transcript, start)
        end_match = find_one(transcript, spec.to_quote, spec, "to", first_word)
        end = end_match.end_ms
    assert end is not None
    if end <= start:
        key = "to" if spec.to_quote else "end"
        raise spec.error(f"end {format_time(end)} is not after start {format_time(start)}", key)
    return ResolvedHighlight(spec, start, end, start_match, end_match)


def _first_word_at(transcript: Transcript, ms: int) -> int:
    for index, word in enumerate(transcript.words):
        if word.end_ms > ms:
            return index
    return len(transcript.words)


# ---------------------------------------------------------------- sentences and `find`


@dataclass(frozen=True, slots=True)
class Sentence:
    first: int
    last: int
    start_ms: int
    end_ms: int
    text: str


def ends_sentence(text: str) -> bool:
    """Whether a word ends a sentence (``.``, ``?``, ``!`` or ``…``, maybe then a quote)."""
    return _SENTENCE_END.search(text) is not None


def sentences(words: Sequence[Word]) -> list[Sentence]:
    """Split at words ending in ``.``, ``?`` or ``!`` (and at speaker changes)."""
    found: list[Sentence] = []
    first = 0
    for index, word in enumerate(words):
        ends = ends_sentence(word.text) or index == len(words) - 1
        next_starts_speaker = index + 1 < len(words) and words[index + 1].speaker_change
        if ends or next_starts_speaker:
            chunk = words[first : index + 1]
            found.append(
                Sentence(
                    first,
                    index,
                    chunk[0].start_ms,
                    chunk[-1].end_ms,
                    " ".join(w.text for w in chunk),
                )
            )
            first = index + 1
    return found


@dataclass(frozen=True, slots=True)
class Finding:
    match: QuoteMatch
    sentence_start: Sentence
    sentence_end: Sentence

    @property
    def context(self) -> str:
        if self.sentence_start == self.sentence_end:
            return self.sentence_start.text
        return f"{self.sentence_start.text} {self.sentence_end.text}"


def find(transcript: Transcript, query: str, threshold: float = FUZZY_THRESHOLD) -> list[Finding]:
    """Every match of ``query`` with the whole sentences around it."""
    spans = sentences(transcript.words)
    findings = []
    for match in search(transcript, query, threshold):
        first = next(s for s in spans if s.first <= match.first <= s.last)
        last = next(s for s in spans if s.first <= match.last <= s.last)
        findings.append(Finding(match, first, last))
    return findings


def findings_to_yaml(findings: Sequence[Finding], query: str) -> str:
    """A highlight file with one highlight per finding, spanning whole sentences."""
    lines = [
        f"# clipkit find {query!r}: {len(findings)} match(es); edit titles and times freely",
        "highlights:",
    ]
    for number, finding in enumerate(findings, 1):
        title = f"{query} {number}" if len(findings) > 1 else query
        lines += [
            f"  - title: {_yaml_quote(title)}",
            f'    start: "{_hms(finding.sentence_start.start_ms)}"',
            f'    end: "{_hms(finding.sentence_end.end_ms)}"',
            f"    # {finding.context[:200]}",
        ]
    return "\n".join(lines) + "\n"


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hms(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
