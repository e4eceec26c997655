"""Fuzzing the readers: only ClipkitError escapes ``read_bytes -> build_cues -> render``.

Bounded so the suite stays quick (10-20 s here); ``scripts/fuzz.py --count 50000``
runs the same mutation fuzzer for as long as you like.  A failure prints the input.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from factory import (
    Line,
    Said,
    converted_srt,
    converted_vtt,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
)
from fuzzing import FIXTURES, bad_file_seeds, check, factory_seeds, fixture_seeds, fuzz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clipkit.readers import READERS, read_bytes
from clipkit.timefmt import MAX_TIME_MS

MUTATED_INPUTS = 1500  # 5-15 s on a shared 2-core machine; scripts/fuzz.py runs any number
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def assert_held(data: bytes) -> None:
    escape = check(data)
    assert escape is None, str(escape)


def test_mutation_fuzzer_finds_no_escape() -> None:
    escapes = fuzz(MUTATED_INPUTS, seed=11)
    assert not escapes, "\n".join(str(e) for e in escapes[:5])


def test_the_seeds_reach_every_reader() -> None:
    formats = {read_bytes(seed).source_format for seed in factory_seeds()}
    assert formats == set(READERS)
    assert len(bad_file_seeds()) > 10


@pytest.mark.fixtures
def test_fixture_heads_are_whole_files_of_their_shape() -> None:
    if not FIXTURES.is_dir():
        pytest.skip("../shared/fixtures is absent")
    heads = fixture_seeds()
    assert len(heads) == len([p for p in FIXTURES.glob("*/*") if p.suffix != ".md"])
    assert all(read_bytes(head).words for head in heads)


# ---------------------------------------------------------------- Hypothesis

# JSON values a json3 field may be given: every type, and the numbers that break int().
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.sampled_from([MAX_TIME_MS, MAX_TIME_MS + 1, 10**4000])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["\ud800", "a\udfff", "<font color=red>x</font>", "{\\an8}x", "\n"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["utf8", "tOffsetMs", "x"]), children, max_size=3)
    ),
    max_leaves=6,
)
# Numbers that break careless code: not finite, fractions, past the latest time, too long
# for float(), bools (ints in Python), text.
odd_numbers = st.sampled_from(
    [math.inf, -math.inf, math.nan, 1.5, -0.5, 1.5e300, -1, MAX_TIME_MS, MAX_TIME_MS + 1,
     10**400, True, None, "5", [5]]
)  # fmt: skip
times = st.one_of(st.integers(min_value=0, max_value=20_000), odd_numbers, json_values)
texts = st.one_of(
    st.text(max_size=15),
    st.sampled_from(["\ud800", "a\udfff b", "<font color=red>x</font>", "{\\an8}x", "\n", ""]),
    json_values,
)
segs = st.lists(
    st.fixed_dictionaries({"utf8": texts}, optional={"tOffsetMs": times, "acAsrConf": json_values}),
    min_size=1,
    max_size=4,
)
events = st.lists(
    st.fixed_dictionaries(
        {"tStartMs": times, "segs": segs | json_values},
        optional={"dDurationMs": times, "aAppend": json_values, "isSpeakerChange": json_values},
    )
    | json_values,
    max_size=6,
)


@SETTINGS
@given(events)
def test_any_json3_events_hold(event_list: list[Any]) -> None:
    assert_held(json.dumps({"wireMagic": "pb3", "events": event_list}).encode())


# Words of every kind of character the readers treat specially: markup, entities, line
# and space characters str.split() sees but regexes may not, broken surrogates.
word_text = st.text(
    alphabet=st.sampled_from(
        [*"aZé€<>&;{}\\/[]-:.,#*0159", "\x85", "\u2028", "\x1c", "\u00a0", "\U0001f600"]
    ),
    min_size=1,
    max_size=8,
).filter(lambda text: text.strip() == text and text.split() == [text])
gaps = st.integers(min_value=11, max_value=4000)


@st.composite
def talks(draw: st.DrawFn) -> list[Line]:
    """A few caption lines, starting anywhere up to past the latest time."""
    start = draw(
        st.one_of(
            st.integers(min_value=0, max_value=10_000),
            st.integers(min_value=MAX_TIME_MS - 20_000, max_value=MAX_TIME_MS + 5_000),
        )
    )
    lines: list[Line] = []
    at = start
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        words = []
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            words.append(Said(draw(word_text), at, draw(st.booleans())))
            at += draw(gaps)
        lines.append(Line(tuple(words), cleared=draw(st.booleans())))
        at += 20
    return lines


SHAPES = [
    rolling_vtt,
    lambda lines: rolling_vtt(lines, old_style=True),
    rolling_json3,
    rolling_markdown,
    converted_srt,
    lambda lines: converted_srt(lines, leftovers=True),
    converted_vtt,
]


@SETTINGS
@given(talks(), st.sampled_from(SHAPES), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_any_talk_in_any_shape_holds(lines: list[Line], shape: Any, encoding: str) -> None:
    try:
        text = shape(lines)
    except ValueError:  # the factory refuses timings it cannot write
        return
    assert_held(text.encode(encoding, "replace"))


# Pieces of every shape, the reproducers among them.
FRAGMENTS = [
    "WEBVTT\n", "\n", "1\n", "00:00:01.000 --> 00:00:02.000\n", "00:00:01,000 --> 00:00:03,000\n",
    "-00:00:01,000 --> 00:00:02,000\n", "99:59:59.999 --> 100:00:00.000\n", "2:23.0-->2:24.6\n",
    "<99999999999:12:23.519><c>e", "hello<00:00:01.500><c> world</c>\n", "<" * 50, "{\\an8}",
    "&#xd800;", "**[00:01]** hi\n", "**[99:59:59]** x\n", '{"events": [',
    '{"tStartMs": 1e400, "segs": [{"utf8": "x"}]}', "]}",
]  # fmt: skip


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
def test_any_arrangement_of_caption_fragments_holds(fragments: list[str]) -> None:
    assert_held("".join(fragments).encode())
