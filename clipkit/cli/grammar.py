"""One grammar for every command: the options they share, spelled the same everywhere.

- ``-o/--output FILE`` names an output file, ``-d/--out-dir DIR`` an output folder;
- ``-q/--quiet`` prints only errors and warnings (no progress, no plan, no success line);
  ``--no-progress`` only drops the progress bars;
- every command that writes ends with one success line on stderr (:func:`report_done`);
- old spellings stay as hidden aliases (:func:`add_hidden_alias`): they work, ``--help``
  does not list them;
- no abbreviations: a mistyped option or choice is an error that suggests the closest
  spelling (:class:`Parser`).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = [
    "HelpFormatter",
    "Parser",
    "add_hidden_alias",
    "add_out_dir",
    "add_output_file",
    "add_quiet_options",
    "folder_text",
    "outline_width",
    "percent",
    "report_done",
    "seconds_up_to_an_hour",
    "shows_progress",
    "unrecognized",
]

_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and examples as written; option help wrapped."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors suggest the closest option or choice.

    ``aliases`` maps each hidden old spelling to the option it stands for, so that a
    mistyped old spelling suggests the new one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.aliases: dict[str, str] = {}

    def error(self, message: str) -> NoReturn:
        """argparse's usage error, with the closest choice when a choice was mistyped."""
        super().error(_with_choice_suggestion(message))

    def command_parsers(self) -> dict[str, Parser]:
        """The parser of each subcommand, by name."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    def option_names(self) -> list[str]:
        """Every ``--long`` option this parser takes, as ``--help`` lists them."""
        names = [
            name
            for action in self._actions
            if action.help != argparse.SUPPRESS
            for name in action.option_strings
            if name.startswith("--")
        ]
        return names

    def closest_option(self, given: str) -> str | None:
        """The option ``given`` (``--ouput`` or ``--ouput=x``) was most likely meant to be."""
        word = given.split("=", 1)[0]
        if not word.startswith("--"):
            return None
        known = self.option_names()
        candidates = [*known, *self.aliases]
        import difflib  # (only for a mistake)

        match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
        if not match:
            return None
        return self.aliases.get(match[0], match[0])


def unrecognized(parser: Parser, extras: Sequence[str]) -> NoReturn:
    """Fail on arguments ``parser`` does not know, suggesting what the first one meant."""
    first = next((arg for arg in extras if arg.startswith("-")), extras[0])
    suggestion = parser.closest_option(first)
    hint = f" (did you mean {suggestion}?)" if suggestion else ""
    what = "option" if first.startswith("-") else "argument"
    parser.error(f"unrecognized {what} {first!r}{hint}")


def _with_choice_suggestion(message: str) -> str:
    """``invalid choice: 'srtt' (choose from ...)`` with ``; did you mean 'srt'?``."""
    found = _INVALID_CHOICE.search(message)
    if found is None:
        return message
    choices = re.findall(r"'([^']*)'", found["choices"])
    import difflib

    match = difflib.get_close_matches(found["given"], choices, n=1, cutoff=0.5)
    return f"{message}; did you mean {match[0]!r}?" if match else message


def add_hidden_alias(
    parser: argparse.ArgumentParser, old: str, new: str, dest: str, **kwargs: Any
) -> None:
    """Accept ``old`` as another spelling of the option ``new`` (stored in ``dest``),
    without listing it in ``--help``."""
    parser.add_argument(old, dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS, **kwargs)
    if isinstance(parser, Parser):
        parser.aliases[old] = new


def add_output_file(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    help: str,
    default: Path | str | None = None,
    type: Any = None,
) -> None:
    """``-o/--output FILE``: where a command's one output file goes."""
    parser.add_argument(
        "-o", "--output", metavar="FILE", default=default, type=type, help=help, dest="output"
    )


def add_out_dir(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    help: str,
    default: Path | None = None,
) -> None:
    """``-d/--out-dir DIR``: the folder a command writes its outputs into."""
    parser.add_argument(
        "-d", "--out-dir", metavar="DIR", type=Path, default=default, help=help, dest="out_dir"
    )


def add_quiet_options(parser: argparse.ArgumentParser) -> None:
    """``-q/--quiet`` and ``--no-progress``."""
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors and warnings: no progress bars, no plan, no success line",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def add_jobs_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``-j/--jobs N``: how many at once on this machine (0: one per CPU core)."""
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help=f"{what} (default: 1; 0 = one per CPU core)",
    )


def add_scheduler_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--scheduler ADDRESS``: a Dask cluster to run on (``$DASK_SCHEDULER_ADDRESS``)."""
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"{what} on the Dask cluster of this scheduler (tcp://HOST:8786; default: "
        "$DASK_SCHEDULER_ADDRESS, else on this machine)",
    )


def shows_progress(args: argparse.Namespace) -> bool:
    """Whether progress bars are wanted (neither ``--quiet`` nor ``--no-progress``)."""
    return not (getattr(args, "quiet", False) or getattr(args, "no_progress", False))


def report_done(args: argparse.Namespace, line: str) -> None:
    """A command's success line on stderr (``wrote 3 clips to clips/``), unless quiet."""
    if not getattr(args, "quiet", False):
        print(line, file=sys.stderr)


def seconds_up_to_an_hour(text: str) -> float:
    """A length in seconds, 0 to 3600 (an argparse type)."""
    return _bounded(text, 3600.0, "a number of seconds from 0 to 3600")


def outline_width(text: str) -> float:
    """An outline width, 0 to 100 (an argparse type)."""
    return _bounded(text, 100.0, "a width from 0 to 100")


def percent(text: str) -> float:
    """A similarity, 0 to 100 (an argparse type)."""
    return _bounded(text, 100.0, "a similarity from 0 to 100")


def _bounded(text: str, limit: float, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= limit:  # also false for nan
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def folder_text(folder: Path | str) -> str:
    """A folder as a success line names it: with a trailing slash (``clips/``)."""
    text = str(folder)
    return text if text.endswith("/") else f"{text}/"
