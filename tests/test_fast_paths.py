"""The conversion's quick paths give exactly what the plain code they stand in for gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clipkit.model import Word, words_from_columns
from clipkit.readers.youtube_vtt import _C_TAG, _without_tags

# pieces a YouTube line is made of, and the ones that trip a replace-based tag stripper
PIECES = ["<c>", "</c>", "<", ">", "/", "c", " word", "<00:00:01.500>", "<c.colorE5E5E5>", "\n"]


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_tags_go_as_the_pattern_removes_them(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert _without_tags(line) == _C_TAG.sub("", line)


@pytest.mark.parametrize("line", ["</<c>c>", "<<c>>", "a<00:00:01.000><c> b</c>", "<c.x>a</c>"])
def test_tricky_lines(line: str) -> None:
    assert _without_tags(line) == _C_TAG.sub("", line)


def test_words_from_columns_are_the_words_one_at_a_time() -> None:
    columns = ([0, 100, 100], [100, 250, 400], ["So", "[Music]", "it"], [True, False, False])
    line_starts = [True, False, True]
    built = words_from_columns(*columns, line_starts)
    assert built == [Word(*fields) for fields in zip(*columns, line_starts)]
    assert [w.speaker_change for w in built] == [True, False, False]
    assert built[1].is_sound_tag and built[2].line_start


@pytest.mark.parametrize(
    ("starts", "ends", "texts", "message"),
    [
        ([0, -5], [10, 10], ["a", "b"], "starts before zero"),
        ([0, 20], [10, 10], ["a", "b"], "ends before it starts"),
        ([0, 5], [10, 10], ["a", " b"], "non-empty and unpadded"),
        ([0, 5], [10, 10], ["a", ""], "non-empty and unpadded"),
    ],
)
def test_words_from_columns_refuse_what_word_refuses(
    starts: list[int], ends: list[int], texts: list[str], message: str
) -> None:
    flags = [False] * len(texts)
    with pytest.raises(ValueError, match=message):
        words_from_columns(starts, ends, texts, flags, flags)
