"""A mutation fuzzer for clipkit's readers: only ClipkitError may escape.

Seeds are the factory's files (every input shape), the malformed files of tests/data/bad
and, when present, the heads of the real fixtures in ../shared/fixtures.  Each input is
mutated (bytes and lines flipped, cut, repeated, spliced; numbers made extreme; json3
values replaced by other JSON values) and driven through the whole public pipeline,
``read_bytes -> build_cues -> render``, for every output format and mode.

Used by tests/test_fuzz.py (a bounded run in the suite) and scripts/fuzz.py (a long
run by hand): ``fuzz(count, seed)`` returns the inputs that let something else escape.
"""

from __future__ import annotations

import contextlib
import json
import random
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factory import (
    converted_srt,
    converted_vtt,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
    script,
)

from clipkit.errors import ClipkitError
from clipkit.readers import READERS, read_bytes
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle, Mode
from clipkit.writers import WRITERS, WriteOptions, render

TESTS = Path(__file__).resolve().parent
BAD_FILES = TESTS / "data" / "bad"
FIXTURES = TESTS.parent.parent / "shared" / "fixtures"
# A fixture's head is enough to carry its shape; the whole of a 1 MB file would make each
# run a hundred times slower and find nothing more.
FIXTURE_HEAD_BYTES = 6_000
MAX_INPUT = 40_000  # mutations that grow an input stop here
MODES: tuple[Mode, ...] = ("cues", "lines", "words")
STYLES = {mode: CaptionStyle(mode=mode) for mode in MODES}


# ---------------------------------------------------------------- seeds


def factory_seeds() -> list[bytes]:
    """One file of every shape the factory writes, from a talk with every feature."""
    talk = script(
        "Well, hello. Is the mic | working for you? ~1500 Check | >> Yeah. [Music] "
        "|| Café – naïve “quotes” | & <brackets> too. | >> Thanks.",
        start_ms=3_599_000,
        step_ms=270,
    )
    texts = [
        rolling_vtt(talk),
        rolling_vtt(talk, old_style=True),
        rolling_vtt(talk, trailing_space=True),
        rolling_json3(talk),
        rolling_json3(talk, indent=None),
        rolling_markdown(talk),
        converted_srt(talk),
        converted_srt(talk, crlf=True),
        converted_srt(talk, leftovers=True),
        converted_vtt(talk),
        "1\n00:00:01,000 --> 00:00:03,500\n{\\an8}<i>Hello</i> there.\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\n- Who is it?\n- Me.\n\n",
        "WEBVTT\n\nNOTE a note\n\n00:01.000 --> 00:03.000 line:0\n<v Ann>Hi &amp; bye</v>\n",
    ]
    seeds = [text.encode("utf-8") for text in texts]
    seeds.append(texts[6].encode("utf-16"))
    seeds.append(texts[9].encode("utf-16-le"))
    seeds.append(texts[5].encode("cp1252", "replace"))
    return seeds


def bad_file_seeds() -> list[bytes]:
    """The malformed test files."""
    return [path.read_bytes() for path in sorted(BAD_FILES.iterdir())]


def fixture_seeds() -> list[bytes]:
    """The heads of the real fixtures, if they are there."""
    if not FIXTURES.is_dir():
        return []
    paths = sorted(FIXTURES.glob("*/*"))
    return [_head(path) for path in paths if path.suffix in (".vtt", ".srt", ".json3", ".md")]


def _head(path: Path) -> bytes:
    """The first few KB of a file, cut where its shape stays whole."""
    data = path.read_bytes()
    if path.suffix == ".json3":
        document = json.loads(data)
        document["events"] = document["events"][:40]
        return json.dumps(document, indent=2).encode()
    head = data[:FIXTURE_HEAD_BYTES]
    return head[: head.rfind(b"\n\n") + 2]  # whole cues or entries


def all_seeds() -> list[bytes]:
    return factory_seeds() + bad_file_seeds() + fixture_seeds()


# ---------------------------------------------------------------- mutations

# Tokens that mean something to some reader, and values that break careless code.
TOKENS = [
    b"\n", b"\r\n", b"\r", b"\n\n", b" ", b"\t", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf",
    b"<", b">", b"</c>", b"<c>", b"<c.colorE5E5E5>", b"&", b"&amp;", b"&#xd800;", b"&gt;&gt;",
    b"-->", b" --> ", b":", b",", b".", b"-", b"{\\an8}", b"{\\", b"}", b"[", b"]", b"[Music]",
    b">>", b"**[", b"]**", b"### [00:00 - 01:00]\n", b"WEBVTT\n", b"NOTE ", b"Kind: captions\n",
    b'"events"', b'{"utf8": null}', b'"\\ud800"', b"Infinity", b"-Infinity", b"NaN", b"1e400",
    b"1.5e300", b"-1", b"0", b"9" * 30, b"99:59:59.999", b"100:00:00,000", b"00:00:00.000",
    b"99999999999:12:23.519", b"<00:00:01.500>", b"\xe9", b"\xc3\xa9", b"\x81", b"\xed\xa0\x80",
    b"1\n00:00:01,000 --> 00:00:02,000\n", b"00:00:01.000 --> 00:00:02.000 align:start\n",
    # characters str.split() or str.splitlines() treat unlike the regexes and "\n" do
    *(ch.encode() for ch in "\x85\u2028\x1c\x1f\x0b\x0c\u00a0\u3000\ufeff\u200b\u0301\U0001f600"),
]  # fmt: skip
NUMBERS = [
    0, -1, 1, 59, 60, 99, 100, 999, 10**10, 10**20, 2**63, -(2**63), 10**300,
]  # fmt: skip
JSON_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, -0.0, 1e300, -1e300, 10**30, "", "x", "\ud800", "<b>x</b>",
    "{\\an8}x", "\n", [], ["a", "b"], {}, {"utf8": "x"}, [{"utf8": None}],
    float("inf"), float("-inf"), float("nan"),
]  # fmt: skip


SCHEMA_KEYS = {"events", "tStartMs", "dDurationMs", "segs", "utf8", "tOffsetMs", "aAppend"}


def _number_at(data: bytes, rng: random.Random) -> tuple[int, int] | None:
    """The span of a random run of digits in ``data``."""
    digits = [i for i in range(len(data)) if 48 <= data[i] <= 57]
    if not digits:
        return None
    start = end = rng.choice(digits)
    while start > 0 and 48 <= data[start - 1] <= 57:
        start -= 1
    while end < len(data) and 48 <= data[end] <= 57:
        end += 1
    return start, end


def mutate_bytes(data: bytes, rng: random.Random, other: bytes) -> bytes:
    """One random mutation of ``data`` (``other`` is a second seed, for splicing)."""
    size = len(data)
    at = rng.randrange(size + 1)
    kind = rng.randrange(12)
    if kind == 0 and size:  # flip a bit
        at = min(at, size - 1)
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]
    if kind == 1:  # insert a token
        return data[:at] + rng.choice(TOKENS) + data[at:]
    if kind == 2:  # overwrite with a token
        token = rng.choice(TOKENS)
        return data[:at] + token + data[at + len(token) :]
    if kind == 3:  # delete a span
        return data[:at] + data[at + rng.randrange(1, 64) :]
    if kind == 4:  # truncate (files cut off in a download)
        return data[:at]
    if kind == 5:  # repeat a span many times (the quadratic-regex shape)
        piece = data[at : at + rng.randrange(1, 16)] or b"<"
        return data[:at] + piece * rng.randrange(2, 2000) + data[at:]
    if kind == 6:  # splice with another seed
        cut = rng.randrange(len(other) + 1)
        return data[:at] + other[cut:]
    if kind == 7:  # a number made extreme
        span = _number_at(data, rng)
        if span is None:
            return data + rng.choice(TOKENS)
        value = str(rng.choice(NUMBERS)).encode()
        return data[: span[0]] + value + data[span[1] :]
    if kind == 8:  # a number given thousands of digits
        span = _number_at(data, rng)
        if span is None:
            return data
        return data[: span[0]] + b"9" * rng.choice((11, 400, 5000)) + data[span[1] :]
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    if kind == 9:  # drop a line
        del lines[index]
    elif kind == 10:  # duplicate a line
        lines.insert(index, lines[index])
    else:  # swap two lines
        other_index = rng.randrange(len(lines))
        lines[index], lines[other_index] = lines[other_index], lines[index]
    return b"\n".join(lines)


def mutate_json(data: bytes, rng: random.Random) -> bytes | None:
    """A json3 seed with one value somewhere replaced by another JSON value (None when
    ``data`` is not JSON)."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    places: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                places.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                places.append((node, index))
                walk(value)

    walk(document)
    if not places:
        return None
    # the keys the reader reads are where a bad value matters
    weights = [8 if key in SCHEMA_KEYS else 1 for _, key in places]
    for _ in range(rng.randrange(1, 4)):
        container, key = rng.choices(places, weights)[0]
        if rng.random() < 0.15 and isinstance(container, dict):
            container.pop(key, None)
        else:
            container[key] = rng.choice(JSON_VALUES)
    if rng.random() < 0.05:  # nested deeper than json can recurse (json.dumps too)
        depth = rng.choice((50, 5000))
        return b'{"events": [{"segs": ' + b"[" * depth + b"]" * depth + b"}]}"
    return json.dumps(document, allow_nan=True).encode()


def mutations(seeds: Sequence[bytes], count: int, seed: int) -> Iterator[bytes]:
    """``count`` inputs, each one to four mutations of a random seed."""
    rng = random.Random(seed)
    for _ in range(count):
        data = rng.choice(seeds)
        byte_mutations = 1
        if data.lstrip()[:1] == b"{" and rng.random() < 0.6:
            mutated = mutate_json(data, rng)
            if mutated is not None:
                data = mutated
                byte_mutations = 0  # most byte mutations would only break the JSON
        while byte_mutations < 6 and rng.random() < 0.5:  # 1 (0), 2, 3, ... ever rarer
            byte_mutations += 1
        for _ in range(byte_mutations):
            data = mutate_bytes(data, rng, rng.choice(seeds))[:MAX_INPUT]
        yield data


# ---------------------------------------------------------------- the check


@dataclass(frozen=True)
class Escape:
    """An input that let something other than ClipkitError out, and what."""

    data: bytes
    stage: str
    error: str

    def __str__(self) -> str:
        return f"{self.stage}: {self.error}\n  input: {self.data[:300]!r}"


def drive(data: bytes, format_id: str | None = None) -> None:
    """``read_bytes -> build_cues -> render``: every mode, every output format, with and
    without the options that move times and bytes (``--shift``, CR LF, BOM)."""
    try:
        transcript = read_bytes(data, "fuzz", format_id)
    except ClipkitError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message, message
        assert message.startswith("fuzz"), message
        return
    for mode in MODES:
        try:
            cues = build_cues(transcript, STYLES[mode])
        except ClipkitError:
            continue
        for writer in WRITERS:
            for options in (
                WriteOptions(words_vtt=mode == "words"),
                WriteOptions(bom=True, crlf=True, shift_ms=-1500),
                WriteOptions(shift_ms=3_600_000 * 99),
            ):
                with contextlib.suppress(ClipkitError):
                    render(cues, transcript, writer, options)


def check(data: bytes, rng: random.Random | None = None) -> Escape | None:
    """Drive ``data`` through the pipeline with the format detected and with one reader
    forced (``--from``); the escape, if anything but ClipkitError got out."""
    formats: list[str | None] = [None]
    formats.append((rng or random).choice(list(READERS)))
    for format_id in formats:
        try:
            drive(data, format_id)
        except Exception:  # what the fuzzer is here to catch
            lines = traceback.format_exc().strip().splitlines()
            return Escape(data, f"--from {format_id or 'auto'}", " | ".join(lines[-3:]))
    return None


def fuzz(
    count: int,
    seed: int = 0,
    seeds: Sequence[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Escape]:
    """Check ``count`` mutated inputs; the escapes found (empty: the readers held)."""
    rng = random.Random(seed + 1)
    escapes: list[Escape] = []
    for number, data in enumerate(mutations(seeds or all_seeds(), count, seed), 1):
        escape = check(data, rng)
        if escape is not None:
            escapes.append(escape)
        if progress is not None:
            progress(number)
    return escapes
