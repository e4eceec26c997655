"""The ``clipkit`` command: argparse subcommands, one module each.

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its
subparsers and sets ``func``: a function taking the parsed arguments and returning the exit
code.  Only the module of the command being run is imported (``clipkit convert`` loads
neither yt-dlp nor ffmpeg-python, rapidfuzz or PyYAML; ``clipkit --help`` none of them):
the others are listed by name and :data:`COMMAND_HELP` alone.  This package is the only
part of clipkit that prints or exits.

Every failure ends as one line on stderr: a :class:`~clipkit.errors.ClipkitError` as its
message, an OS error as the file and the reason, anything else as an "internal error" (a
bug: ``CLIPKIT_TRACEBACK=1`` shows where).  Ctrl-C exits 130 with "interrupted" at any
moment, also while the command's modules are still being imported: that is why nothing
but ``sys`` is imported before :func:`main` starts.
"""

from __future__ import annotations

import contextlib
import sys

TYPE_CHECKING = False  # typing itself takes a while to import
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from clipkit.cli.grammar import Parser

# Every subcommand, in the order `clipkit --help` lists them: the module that registers it
# (register(subparsers) adds its parser and sets func(args) -> exit code) and its line in
# `clipkit --help` (the module's add_parser takes it from COMMAND_HELP).
COMMANDS: dict[str, str] = {
    "convert": "clipkit.cli.convert_cmd",
    "fetch": "clipkit.cli.fetch_cmd",
    "clip": "clipkit.cli.clip_cmd",
    "reel": "clipkit.cli.reel_cmd",
    "find": "clipkit.cli.find_cmd",
    "batch": "clipkit.cli.batch_cmd",
}
COMMAND_HELP: dict[str, str] = {
    "convert": "rebuild captions from rolling YouTube captions or transcripts",
    "fetch": "download a talk with its captions (yt-dlp) and rebuild the captions",
    "clip": "cut highlight clips, each with its own captions",
    "reel": "join highlights into one MP4 with chapters and captions",
    "find": "find a phrase in captions; optionally write a highlight file",
    "batch": "caption and clip the talks of a job file, locally or on a Dask cluster",
}

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
INTERNAL_DETAIL_CHARS = 300


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The ``clipkit`` parser.  Given the arguments, only the module of the command they
    name is imported, the other commands are placeholders that ``--help`` lists; without
    them (None), every command is registered in full."""
    import importlib

    from clipkit.cli.grammar import Parser

    parser = Parser(
        prog="clipkit",
        description="Rebuild proper captions from YouTube's rolling auto-captions, "
        "fetch talks and cut captioned clips.",
        epilog="Run 'clipkit COMMAND --help' for the options and examples of a command.",
    )
    parser.add_argument("--version", action=_version_action())
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = set(COMMANDS.values()) if argv is None else _command_module(argv)
    registered: set[str] = set()
    for command, module_name in COMMANDS.items():
        if module_name in registered:
            continue
        if module_name in wanted:
            module: Any = importlib.import_module(module_name)
            module.register(subparsers)
            registered.add(module_name)
        else:
            subparsers.add_parser(command, help=COMMAND_HELP[command])
    return parser


def _command_module(argv: Sequence[str]) -> set[str]:
    """The module of the command ``argv`` names (its first argument that is not an
    option: the top level takes none with a value), or none."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    return {COMMANDS[command]} if command in COMMANDS else set()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _say("clipkit: interrupted")
        return EXIT_INTERRUPTED


def _run(argv: Sequence[str] | None) -> int:
    from clipkit.cli.grammar import unrecognized
    from clipkit.errors import ClipkitError

    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:  # said by the command's own parser, which knows its options
            unrecognized(parser.command_parsers().get(args.command, parser), extras)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed them
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        with _fewer_collections():
            return int(args.func(args))
    except ClipkitError as exc:
        _say(f"clipkit: {exc}")
        return EXIT_FAILED
    except BrokenPipeError:
        # `clipkit convert - | head`: the reader went away, which is not our failure
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:  # a file clipkit did not expect to fail: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"clipkit: {where}{exc.strerror or exc}")
        return EXIT_FAILED
    except Exception as exc:
        if _wants_traceback():
            raise
        detail = str(exc)[:INTERNAL_DETAIL_CHARS]
        _say(
            f"clipkit {args.command}: internal error ({type(exc).__name__}: {detail}); "
            "please report it (CLIPKIT_TRACEBACK=1 shows where)"
        )
        return EXIT_FAILED


# Objects allocated between two collections of the youngest generation (Python's default:
# 700).  A command makes many objects that live to its end (the words of a transcript: 21 k
# of them for 4 hours) and few reference cycles; collecting every 700 of them would walk
# them all again and again (6 % of a conversion).
YOUNG_GENERATION = 50_000


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """What start-up made (modules, the parser) kept out of the collector's way and the
    young generation enlarged while a command runs: cycles are still collected, less often.
    (Restored after it, for callers of main() in a longer-lived process.)"""
    import gc

    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _say(line: str) -> None:
    """One line on stderr, whatever the message holds."""
    text = " ".join(str(line).splitlines()) or "clipkit: failed"
    with contextlib.suppress(OSError, ValueError):  # stderr is gone: nowhere left to say it
        print(text, file=sys.stderr)


def _wants_traceback() -> bool:
    import os

    return os.environ.get("CLIPKIT_TRACEBACK", "") not in ("", "0")


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _version_action() -> type:
    import argparse

    class VersionAction(argparse._VersionAction):
        """``--version``, the installed version looked up only when asked for (the lookup,
        importlib.metadata, takes longer to import than a conversion's own modules)."""

        def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
            self.version = f"%(prog)s {_version()}"
            super().__call__(parser, *args)

    return VersionAction


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clipkit")
    except PackageNotFoundError:
        return "unknown"
