"""Authored captions (an ordinary SRT/VTT someone wrote) are kept as written.

The reader's one rule tells them from automatic captions (rolling, or YouTube's one-line
overlapping auto SRT), which are still rebuilt; ``convert`` only repairs authored cues
(frames, overlaps, cues under the minimum) unless ``--resegment``; word-level outputs
still work.  Files come from ``tests/factory.py``.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pysrt
import pytest
import webvtt
from factory import (
    authored_srt,
    authored_vtt,
    converted_srt,
    converted_vtt,
    rolling_json3,
    rolling_markdown,
    rolling_vtt,
    script,
    written,
    youtube_auto_srt,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from clipkit import CaptionStyle, build_cues
from clipkit.authored import repair_cues
from clipkit.cli import main
from clipkit.convert import convert_bytes, how_taken
from clipkit.model import Cue
from clipkit.readers import read_text

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"

# Times in multiples of 100 ms are on the 30 fps grid (3 frames); the others are repairs.
AUTHORED = written(
    (1000, 3000, "Hello there,|how are you?"),  # touches the next: ends 2 frames before it
    (3000, 3400, "Fine."),  # under the minimum, room after it: lengthened to 0.867 s
    (6000, 6300, "Short."),  # under the minimum, little room: lengthened up to the gap
    (6500, 9000, "Overlapping|the next one"),  # overlaps the next: trimmed
    (8000, 10013, "Off the grid."),  # end snapped to the nearest frame
    (12345, 14000, "- Who?|- Me."),  # start snapped; dialogue dashes kept as written
    (20000, 21000, "EXIT"),  # two cues on the same frame: shown together, one cue
    (20010, 22000, "That way, a line much longer than forty-two characters."),
)
REPAIRED = [
    (1000, 2933, ("Hello there,", "how are you?")),
    (3000, 3867, ("Fine.",)),
    (6000, 6433, ("Short.",)),
    (6500, 7933, ("Overlapping", "the next one")),
    (8000, 10000, ("Off the grid.",)),
    (12333, 14000, ("- Who?", "- Me.")),
    (20000, 22000, ("EXIT", "That way, a line much longer than forty-two characters.")),
]
ROLLING = script(
    "Hello there, how are you? | I am fine, thank you. | >> And you? | [Music] | Good. Good.",
    start_ms=1000,
)


def cues_of(srt_text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    return [
        (item.start.ordinal, item.end.ordinal, tuple(item.text.split("\n")))
        for item in pysrt.from_string(srt_text)
    ]


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("build", "authored", "why"),
    [
        (lambda: authored_srt(AUTHORED), True, "authored captions"),
        (lambda: authored_vtt(AUTHORED), True, "authored captions"),
        (lambda: authored_srt(AUTHORED, crlf=True), True, "authored captions"),
        (lambda: converted_srt(ROLLING), False, "rolling captions (4 cues repeat"),
        (lambda: converted_vtt(ROLLING), False, "rolling captions"),
        (lambda: youtube_auto_srt(ROLLING), False, "automatic captions (3 of 5 cues are one"),
        (lambda: rolling_vtt(ROLLING), False, ""),
        (lambda: rolling_json3(ROLLING), False, ""),
        (lambda: rolling_markdown(ROLLING), False, ""),
    ],
    ids=["srt", "vtt", "srt-crlf", "converted-srt", "converted-vtt", "youtube-srt", "rolling-vtt",
         "json3", "markdown"],
)  # fmt: skip
def test_one_rule_tells_authored_captions_from_automatic_ones(
    build: object, authored: bool, why: str
) -> None:
    transcript = read_text(build(), "captions")  # type: ignore[operator]
    assert transcript.authored is authored
    assert transcript.detection.startswith(why)


def test_authored_cues_carry_their_lines_times_and_words() -> None:
    transcript = read_text(authored_srt(AUTHORED), "talk.srt")
    cues = transcript.authored_cues
    assert [(c.start_ms, c.end_ms, c.lines) for c in cues[:2]] == [
        (1000, 3000, ("Hello there,", "how are you?")),
        (3000, 3400, ("Fine.",)),
    ]
    assert [w.text for w in cues[0].words] == ["Hello", "there,", "how", "are", "you?"]
    assert cues[5].lines == ("- Who?", "- Me.")  # as written; the words know the speakers
    assert [(w.text, w.speaker_change) for w in cues[5].words] == [("Who?", True), ("Me.", True)]
    assert [w for c in cues for w in c.words] == list(transcript.words)
    for cue in cues:
        assert all(cue.start_ms <= w.start_ms <= w.end_ms <= cue.end_ms for w in cue.words)


def test_a_slightly_overlapping_or_two_line_file_is_still_authored() -> None:
    sloppy = written(
        (1000, 3040, "One line that runs"),  # 40 ms over the next: sloppy, not automatic
        (3000, 5000, "into the next."),
        (5000, 8000, "Two lines|overlapping a lot"),
        (6000, 9000, "Two more|lines"),
    )
    assert read_text(authored_srt(sloppy)).authored


@pytest.mark.fixtures
@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("handsomeko__yt-dlp-sub__01_MikeyNoCode_AUTO.srt", "automatic captions (566 of 567"),
        ("EthanSK__Youtuber-Speech-Word-Detection-Bot__subtitlesAutoGen.srt", "rolling captions"),
    ],
)
def test_real_automatic_srt_files_are_rebuilt(name: str, why: str) -> None:
    path = FIXTURES / "variants" / name
    if not path.is_file():
        pytest.skip("../shared/fixtures is absent")
    transcript = read_text(path.read_text(encoding="utf-8-sig"), str(path))
    assert not transcript.authored
    assert transcript.detection.startswith(why)
    assert how_taken(transcript).endswith(": rebuilt under the caption policy")


# ---------------------------------------------------------------- convert


def test_convert_keeps_authored_cues_and_only_repairs_them() -> None:
    out = convert_bytes(authored_srt(AUTHORED).encode(), "talk.srt").decode()
    assert cues_of(out) == REPAIRED
    style = CaptionStyle()
    assert style.frame_grid_problems([(s, e) for s, e, _ in REPAIRED]) == []


@pytest.mark.parametrize("fps", [23.976, 25.0, 30.0])
def test_authored_times_land_on_the_frames_of_any_rate(fps: float) -> None:
    style = CaptionStyle(fps=fps)
    cues = build_cues(read_text(authored_srt(AUTHORED)), style)
    assert style.frame_grid_problems([(c.start_ms, c.end_ms) for c in cues]) == []
    assert [c.lines for c in cues] == [lines for _, _, lines in REPAIRED]


def test_vtt_to_srt_is_a_format_change_only() -> None:
    vtt = authored_vtt(written((1000, 3000, "Tom & Jerry|and co."), (4000, 6000, "Fin.")))
    out = convert_bytes(vtt.encode(), "talk.vtt", to="srt").decode()
    assert cues_of(out) == [(1000, 3000, ("Tom & Jerry", "and co.")), (4000, 6000, ("Fin.",))]
    back = convert_bytes(out.encode(), "talk.srt", to="vtt").decode()
    assert [c.text for c in webvtt.from_string(back).captions] == [
        "Tom &amp; Jerry\nand co.",
        "Fin.",
    ]


def test_markup_is_removed_and_sound_tags_follow_the_policy() -> None:
    srt = authored_srt(
        written((1000, 3000, "<i>It flies</i> &amp; lands.|[Music]"), (4000, 5000, "[Applause]"))
    )
    kept = cues_of(convert_bytes(srt.encode()).decode())
    assert kept == [(1000, 3000, ("It flies & lands.", "[Music]")), (4000, 5000, ("[Applause]",))]
    dropped = cues_of(convert_bytes(srt.encode(), style=CaptionStyle(sound_tags=False)).decode())
    assert dropped == [(1000, 3000, ("It flies & lands.",))]


def test_resegment_applies_the_whole_policy() -> None:
    data = authored_srt(AUTHORED).encode()
    kept = cues_of(convert_bytes(data, style=CaptionStyle(max_chars=20)).decode())
    assert kept == REPAIRED  # layout options do not touch authored cues ...
    rebuilt = cues_of(
        convert_bytes(data, style=CaptionStyle(max_chars=20, resegment=True)).decode()
    )
    assert rebuilt != REPAIRED  # ... unless asked to
    assert max(len(line) for _, _, lines in rebuilt for line in lines) <= 20
    said = [w for _, _, lines in REPAIRED for line in lines for w in line.split()]
    shown = [w for _, _, lines in rebuilt for line in lines for w in line.split()]
    assert [w.lstrip("-") for w in shown if w != "-"] == [w for w in said if w != "-"]


def test_word_level_outputs_work_for_authored_input() -> None:
    data = authored_srt(AUTHORED).encode()
    document = json.loads(convert_bytes(data, to="json"))
    assert [c["lines"] for c in document["cues"]] == [list(lines) for _, _, lines in REPAIRED]
    first = [w for w in document["words"] if 1.0 <= w["start"] < 2.933]
    assert [w["text"] for w in first] == ["Hello", "there,", "how", "are", "you?"]
    assert all(a["start"] < b["start"] for a, b in itertools.pairwise(first))

    words_vtt = convert_bytes(data, to="vtt", style=CaptionStyle(mode="words")).decode()
    hello = webvtt.from_string(words_vtt).captions[0]
    assert (hello.start, hello.end) == ("00:00:01.000", "00:00:02.933")
    assert hello.raw_text.startswith("Hello<00:00:01.")  # after each word: when the next starts
    assert hello.raw_text.count("<00:00:0") == 4 and "\n" not in hello.raw_text  # one line

    text = convert_bytes(data, to="txt").decode()
    assert text.startswith("[00:00:01] Hello there, how are you? Fine.")


def test_find_and_highlights_read_authored_captions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "talk.srt"
    path.write_text(authored_srt(AUTHORED), encoding="utf-8")
    assert main(["find", str(path), "how are you"]) == 0
    assert capsys.readouterr().out.startswith("00:0")


# ---------------------------------------------------------------- the CLI says which way


def test_convert_verbose_and_dry_run_say_how_each_file_was_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.srt").write_text(authored_srt(AUTHORED), encoding="utf-8")
    (tmp_path / "auto.srt").write_text(youtube_auto_srt(ROLLING), encoding="utf-8")
    (tmp_path / "talk.vtt").write_text(rolling_vtt(ROLLING), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", str(tmp_path), "--out-dir", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr()
    assert not out.exists()  # a dry run writes nothing
    lines = sorted(printed.out.splitlines())
    assert lines[0] == (
        f"{tmp_path / 'auto.srt'} -> {out / 'auto.srt'}: automatic captions (3 of 5 cues are "
        "one line still on screen after the next starts): rebuilt under the caption policy"
    )
    assert lines[1] == (
        f"{tmp_path / 'mine.srt'} -> {out / 'mine.srt'}: authored captions (no rolling "
        "repeats, no overlapping one-line cues): 8 cues kept as written"
    )
    assert lines[2].endswith(
        "YouTube automatic captions as WebVTT with inline word times (yt-dlp): "
        "rebuilt under the caption policy"
    )

    assert main(["convert", str(tmp_path / "mine.srt"), "-o", str(tmp_path / "a.srt"), "-v"]) == 0
    said = capsys.readouterr().err.splitlines()  # how it was taken, then the success line
    assert said[0].endswith("8 cues kept as written")
    assert said[1] == f"converted {tmp_path / 'mine.srt'} to {tmp_path / 'a.srt'}"
    argv = [
        "convert",
        str(tmp_path / "mine.srt"),
        "-o",
        str(tmp_path / "b.srt"),
        "-v",
        "--resegment",
    ]
    assert main(argv) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[0].endswith(": re-segmented under the caption policy (resegment)")
    assert cues_of((tmp_path / "a.srt").read_text(encoding="utf-8")) == REPAIRED
    assert cues_of((tmp_path / "b.srt").read_text(encoding="utf-8")) != REPAIRED


def test_help_explains_authored_captions(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("convert", "clip", "reel"):
        assert main([command, "--help"]) == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "--resegment" in text and "keep their cues as written" in text
        for option in ("--fps", "--shift", "--crlf", "--bom", "--max-chars", "--max-lines"):
            assert option in text


@settings(max_examples=200, deadline=None)
@given(
    fps=st.sampled_from([23.976, 25.0, 29.97, 30.0]),
    spans=st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 6000)), min_size=1, max_size=12),
)
def test_repairs_keep_every_cue_in_order_on_frames_and_are_idempotent(
    fps: float, spans: list[tuple[int, int]]
) -> None:
    cues, at = [], 0
    for number, (pause, length) in enumerate(spans):
        at += pause
        cues.append(Cue(at, at + length, (f"cue {number}",)))
    style = CaptionStyle(fps=fps)
    repaired = repair_cues(cues, style)
    # cues on the same frame become one; every line is kept, in order
    assert [line for c in repaired for line in c.lines] == [c.lines[0] for c in cues]
    assert all(style.is_on_frame(t) for c in repaired for t in (c.start_ms, c.end_ms))
    for before, after in itertools.pairwise(repaired):
        frames_between = style.frame_index(after.start_ms) - style.frame_index(before.end_ms)
        room = style.frame_index(after.start_ms) - style.frame_index(before.start_ms)
        assert frames_between >= min(style.min_gap_frames, room - 1)
        # under the minimum only where the next cue leaves no room
        assert before.duration_ms >= style.min_duration_ms or frames_between <= style.min_gap_frames
    assert repaired[-1].duration_ms >= style.min_duration_ms
    assert repair_cues(repaired, style) == repaired
