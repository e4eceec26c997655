"""Highlight files, quote search, `find` and snapping (pure, no ffmpeg)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipkit.errors import HighlightError
from clipkit.highlights import (
    HighlightSpec,
    find,
    findings_to_yaml,
    load_highlights,
    parse_toml,
    parse_yaml,
    resolve,
    search,
)
from clipkit.media.silence import Silence
from clipkit.model import Cue, Transcript, Word
from clipkit.snapping import SnapSettings, boundaries, snap_cut
from clipkit.text import sentences
from clipkit.timefmt import parse_time


def make_transcript(text: str, start_ms: int = 0, word_ms: int = 300) -> Transcript:
    """One word every ``word_ms`` from ``start_ms``."""
    words = tuple(
        Word(start_ms + n * word_ms, start_ms + (n + 1) * word_ms, token)
        for n, token in enumerate(text.split())
    )
    return Transcript(words)


TALK = make_transcript(
    "Thank you. Um, but I remember one one one day we realized that the payment back end "
    "was not going to scale. We needed to be on Wells Fargo. They said it takes nine months. "
    "We did it in 24 hours, because we did not accept how other organizations would work. "
    "Yeah. Wells Fargo again, you know."
)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("05:44", 344_000),
        ("5:44.5", 344_500),
        ("00:05:44.000", 344_000),
        ("1:02:03.25", 3_723_250),
        ("344", 344_000),
        ("344.5", 344_500),
        ("0:05:44,120", 344_120),
        (12, 12_000),
        (1.5, 1_500),
    ],
)
def test_parse_time(text: object, ms: int) -> None:
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "5:99", "1:60:00", "-3", "1:2:3:4", True])
def test_parse_time_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_yaml_file_with_times_quotes_and_pad(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "highlights:\n"
        "  - title: Wells Fargo\n"
        "    start: 05:44\n"  # unquoted: YAML 1.1 would make this 344, we keep 05:44
        '    end: "07:11"\n'
        "    pad: 0.5\n"
        "  - from: one one one day\n"
        "    to: how other organizations would work\n",
        encoding="utf-8",
    )
    first, second = load_highlights(path)
    assert (first.title, first.start_ms, first.end_ms, first.pad_ms) == (
        "Wells Fargo",
        344_000,
        431_000,
        500,
    )
    assert (first.line, first.line_of("end")) == (2, 4)
    assert (second.from_quote, second.to_quote) == (
        "one one one day",
        "how other organizations would work",
    )
    assert second.line == 6


def test_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "h.toml"
    path.write_text(
        '[[highlights]]\ntitle = "A"\nstart = "00:01"\nend = 5.5\n\n'
        '[[highlights]]\ntitle = "B"\nfrom = "wells fargo"\nend = 90\n',
        encoding="utf-8",
    )
    first, second = load_highlights(path)
    assert (first.start_ms, first.end_ms, first.line) == (1000, 5500, 1)
    assert (second.from_quote, second.line, second.line_of("end")) == ("wells fargo", 6, 9)


# one malformed file per case: (content, the line the error must name, words in the message)
YAML_MISTAKES = {
    "end_before_start": ("highlights:\n  - start: 10\n    end: 5\n", 3, "not after start"),
    "unknown_key": ("highlights:\n  - start: 1\n    ends: 5\n", 3, "unknown key 'ends'"),
    "bad_time": ("highlights:\n  - start: 1:99\n    end: 5\n", 2, "not a time"),
    "missing_end": ("highlights:\n  - title: x\n    start: 1\n", 2, "missing 'end'"),
    "start_and_from": (
        "highlights:\n  - start: 1\n    from: hello\n    end: 9\n",
        3,
        "either 'start' or 'from'",
    ),
    "negative_pad": ("highlights:\n  - start: 1\n    end: 5\n    pad: -1\n", 4, "pad"),
    "not_yaml": ("highlights:\n  - start: [1\n", 3, "not valid YAML"),
    "not_a_list": ("highlights: 5\n", 1, "must be a list"),
    "empty_list": ("highlights: []\n", 1, "no highlights"),
    "duplicate_key": ("highlights:\n  - start: 1\n    start: 2\n    end: 5\n", 3, "twice"),
    "no_highlights_key": ("clips:\n  - start: 1\n", 1, "'highlights:'"),
    "empty_quote": ('highlights:\n  - from: "..."\n    end: 5\n', 2, "expected words"),
}


@pytest.mark.parametrize("case", sorted(YAML_MISTAKES))
def test_yaml_mistakes_name_their_line(case: str) -> None:
    text, line, words = YAML_MISTAKES[case]
    with pytest.raises(HighlightError) as caught:
        parse_yaml(text, "h.yaml")
    assert caught.value.line == line
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"h.yaml:{line}: ")


def test_toml_mistakes_name_their_line() -> None:
    with pytest.raises(HighlightError) as caught:
        parse_toml("[[highlights]]\nstart = 10\nend = 5\n", "h.toml")
    assert str(caught.value).startswith("h.toml:3: ")
    with pytest.raises(HighlightError) as caught:
        parse_toml('[[highlights]]\nstart = "10\n', "h.toml")
    assert caught.value.line == 2 and "not valid TOML" in str(caught.value)


def test_search_ignores_case_and_punctuation() -> None:
    (match,) = search(TALK, "WE REALIZED, that")
    assert match.text == "we realized that"
    assert match.start_ms == TALK.words[match.first].start_ms


def test_search_tolerates_small_recognition_differences() -> None:
    (match,) = search(TALK, "we needed to be on wells cargo")
    assert match.text == "We needed to be on Wells Fargo."
    assert match.score < 100


def test_search_finds_every_place() -> None:
    assert len(search(TALK, "wells fargo")) == 2


def spec(**fields: object) -> HighlightSpec:
    return HighlightSpec(index=0, source="h.yaml", line=7, **fields)  # type: ignore[arg-type]


def test_resolve_quotes_to_word_times() -> None:
    resolved = resolve(
        spec(from_quote="one one one day", to_quote="other organizations would work"), TALK
    )
    assert resolved.start_match is not None and resolved.end_match is not None
    assert resolved.start_ms == resolved.start_match.start_ms
    assert TALK.words[resolved.start_match.first].text == "one"
    assert resolved.end_ms == TALK.words[resolved.end_match.last].end_ms
    assert TALK.words[resolved.end_match.last].text == "work."


def test_ambiguous_quote_lists_candidate_times() -> None:
    with pytest.raises(HighlightError) as caught:
        resolve(spec(from_quote="wells fargo", end_ms=999_000), TALK)
    message = str(caught.value)
    assert message.startswith("h.yaml:7: from: quote 'wells fargo' found 2 times")
    assert "00:0" in message  # candidate times listed


def test_missing_quote_names_the_closest_places() -> None:
    with pytest.raises(HighlightError, match="not found in the transcript") as caught:
        resolve(spec(start_ms=0, to_quote="completely different words here"), TALK)
    assert "closest:" in str(caught.value)


def test_to_quote_before_from_is_not_found_after_it() -> None:
    with pytest.raises(HighlightError, match="after the start"):
        resolve(spec(from_quote="how other organizations", to_quote="thank you"), TALK)


def test_quotes_need_captions() -> None:
    with pytest.raises(HighlightError, match="need captions"):
        resolve(spec(from_quote="wells", end_ms=5), None)


def test_find_gives_sentences_and_writes_a_highlight_file() -> None:
    findings = find(TALK, "wells fargo")
    assert [f.context for f in findings] == [
        "We needed to be on Wells Fargo.",
        "Wells Fargo again, you know.",
    ]
    written = parse_yaml(findings_to_yaml(findings, "wells fargo"))
    assert [(h.start_ms, h.end_ms) for h in written] == [
        (f.sentence_start.start_ms, f.sentence_end.end_ms) for f in findings
    ]


def test_sentences_split_at_end_punctuation() -> None:
    texts = [s.text for s in sentences(TALK.words)]
    assert texts[0] == "Thank you."
    assert texts[-1] == "Wells Fargo again, you know."


# ---------------------------------------------------------------- snapping


def test_snap_start_goes_to_the_nearest_boundary_then_into_the_pause() -> None:
    words = TALK.words
    cues = [Cue(words[0].start_ms, words[1].end_ms, ("Thank you.",), words[:2])]
    marks = boundaries(words, cues)
    # request in the middle of "remember" (word 5, 1500-1800 ms); "Um," starts a sentence at 600
    snap = snap_cut(1650, marks, [], SnapSettings(boundary_ms=2000), is_end=False)
    assert snap.snapped_ms == 600
    assert snap.rule.startswith("sentence start")
    paused = snap_cut(
        700, marks, [Silence(300, 580)], SnapSettings(pause_ms=500, breath_ms=100), False
    )
    assert paused.snapped_ms == 480  # 100 ms before the speech resumes
    assert "pause" in paused.rule


def test_snap_never_cuts_inside_a_word_without_boundaries() -> None:
    marks = boundaries(TALK.words, [])
    far = SnapSettings(boundary_ms=0, pause_ms=0)
    assert snap_cut(1650, marks, [], far, is_end=False).snapped_ms == 1500
    assert snap_cut(1650, marks, [], far, is_end=True).snapped_ms == 1800


def test_snap_start_keeps_the_quoted_word() -> None:
    marks = boundaries(TALK.words, [])
    # "one" (first of the quote) at 2400 ms; the nearest sentence start after it must not win
    snap = snap_cut(2400, marks, [], SnapSettings(boundary_ms=10_000), False, keep=2400)
    assert snap.snapped_ms <= 2400
