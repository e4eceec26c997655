"""One CLI grammar, tried as a new user would: the same option for the same thing on every
command, old spellings still taken (hidden), a mistyped option answered with the closest
one, defaults and examples in every --help, a success line for every command that writes."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from factory import rolling_vtt, script

from clipkit.cli import build_parser, main
from clipkit.cli.grammar import Parser

COMMANDS = ("convert", "fetch", "clip", "reel", "find")


def command_parser(name: str) -> Parser:
    return build_parser().command_parsers()[name]


def options_of(name: str) -> set[str]:
    return {
        option
        for action in command_parser(name)._actions
        if action.help != argparse.SUPPRESS
        for option in action.option_strings
    }


# ---------------------------------------------------------------- the same spellings


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_quiet_the_same_way(name: str) -> None:
    assert {"-q", "--quiet", "--no-progress"} <= options_of(name)


@pytest.mark.parametrize(
    ("name", "short", "long"),
    [
        ("convert", "-o", "--output"),
        ("reel", "-o", "--output"),
        ("find", "-o", "--output"),
        ("convert", "-d", "--out-dir"),
        ("fetch", "-d", "--out-dir"),
        ("clip", "-d", "--out-dir"),
    ],
)
def test_a_file_is_o_and_a_folder_is_d(name: str, short: str, long: str) -> None:
    assert {short, long} <= options_of(name)
    for action in command_parser(name)._actions:
        if long in action.option_strings:
            assert action.metavar == ("FILE" if long == "--output" else "DIR")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["clip", "v.mp4", "--highlights", "h.yaml", "--out", "x"], ["-d", "x"]),
        (["fetch", "https://a.example/v", "--out", "x"], ["-d", "x"]),
        (["find", "talk.srt", "wells", "--write", "h.yaml"], ["-o", "h.yaml"]),
    ],
)
def test_old_spellings_are_hidden_aliases(
    old: list[str], new: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    given = vars(build_parser().parse_args(old))
    respelled = vars(build_parser().parse_args([*old[:-2], *new]))
    assert given == respelled
    assert main([old[0], "--help"]) == 0
    shown = capsys.readouterr().out
    assert not re.search(rf"{re.escape(old[-2])}(?![\w-])", shown)  # not listed
    assert new[0] in shown


# ---------------------------------------------------------------- mistakes


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["convert", "a.md", "--ouput", "x.srt"], "did you mean --output?"),
        (["convert", "a.md", "--out-dri", "subs"], "did you mean --out-dir?"),
        (["convert", "a.md", "--max-char", "30"], "did you mean --max-chars?"),  # no prefixes
        (["fetch", "https://a.example/v", "--no-progres"], "did you mean --no-progress?"),
        (["fetch", "https://a.example/v", "--ot", "x"], "did you mean --out-dir?"),  # via --out
        (["clip", "v.mp4", "--highlights", "h", "--snap-tolerence", "1"], "--snap-tolerance?"),
        (["find", "talk.srt", "wells", "--treshold", "90"], "did you mean --threshold?"),
        (["convrt", "a.md"], "did you mean 'convert'?"),
        (["convert", "a.md", "--to", "srtt"], "did you mean 'srt'?"),
    ],
)
def test_a_mistyped_option_suggests_the_closest(
    argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "error:" in line]
    assert hint in line, line


def test_something_far_from_every_option_is_said_without_a_guess(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["convert", "a.md", "--zzzzzz"]) == 2
    assert (
        capsys.readouterr().err.splitlines()[-1].endswith("error: unrecognized option '--zzzzzz'")
    )


# ---------------------------------------------------------------- --help

# options whose absence is the default and says so by the option itself
NO_DEFAULT = {"--highlights"}  # required


@pytest.mark.parametrize("name", COMMANDS)
def test_help_shows_every_default_and_examples(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = command_parser(name)
    for action in parser._actions:
        takes_value = action.nargs != 0 and action.option_strings
        if not takes_value or action.help == argparse.SUPPRESS:
            continue
        if set(action.option_strings) & NO_DEFAULT:
            continue
        assert "default" in str(action.help), f"{name} {action.option_strings}: {action.help}"
    assert main([name, "--help"]) == 0
    assert "examples:" in capsys.readouterr().out


def test_help_states_units() -> None:
    helps = {
        option: str(action.help)
        for name in ("clip", "reel", "fetch")
        for action in command_parser(name)._actions
        for option in action.option_strings
    }
    assert "0.7 s" in helps["--snap-tolerance"]
    assert "1080 pixels" in helps["--max-height"]
    assert "seconds" in helps["--titles"] and "seconds" in helps["--xfade"]
    assert "libass units" in helps["--font-size"]


@pytest.mark.parametrize("name", ["clip", "reel"])
def test_clip_help_shows_the_highlight_file(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    shown = capsys.readouterr().out
    for key in ("highlights:", "- title:", "from:", "to:", "start:", "end:", "pad:"):
        assert key in shown


# ---------------------------------------------------------------- success lines


def test_convert_counts_what_it_wrote_and_leaves_no_empty_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    talk = rolling_vtt(script("So today we look at captions. They roll up the screen."))
    for name in ("a.vtt", "b.vtt"):
        (tmp_path / name).write_text(talk, encoding="utf-8")
    (tmp_path / "c.vtt").write_text("WEBVTT\n\nnot a cue\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# My talks\n\nSome notes.\n", encoding="utf-8")
    out = tmp_path / "subs"
    assert main(["convert", str(tmp_path), "-d", str(out)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"converted 2 of 3 files into {out}/" in err
    assert err[-1] == "clipkit convert: 1 of 3 inputs failed"
    assert not any("README" in line for line in err)  # not captions: skipped, no error
    assert sorted(p.name for p in out.iterdir()) == ["a.srt", "b.srt"]

    empty = tmp_path / "none"
    assert main(["convert", str(tmp_path / "c.vtt"), "-d", str(empty / "deeper")]) == 1
    assert not empty.exists()
    assert main(["convert", str(tmp_path), "-d", str(out), "-v", "--dry-run"]) == 1
    assert f"{tmp_path / 'README.md'}: skipped (not a caption file clipkit reads)" in (
        capsys.readouterr().err
    )
