"""The ``clipkit`` command: argparse subcommands, one module each.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``, which adds its
subparser and sets ``func``: a function taking the parsed arguments and returning the exit
code.  This package is the only part of clipkit that prints or exits.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, Protocol, cast

from clipkit.errors import ClipkitError

# One line per subcommand, in the order `clipkit --help` lists them.  Each module has
# register(subparsers), which adds its parser and sets func(args) -> exit code.
COMMAND_MODULES: list[str] = [
    "clipkit.cli.convert_cmd",
    "clipkit.cli.fetch_cmd",
    "clipkit.cli.clip_cmd",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandModule(Protocol):
    def register(self, subparsers: argparse._SubParsersAction[Any]) -> None: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clipkit",
        description="Rebuild proper captions from YouTube's rolling auto-captions, "
        "fetch talks and cut captioned clips.",
        epilog="Run 'clipkit COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = cast(CommandModule, importlib.import_module(name))
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: argparse has printed them
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args))
    except KeyboardInterrupt:
        print("clipkit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except ClipkitError as exc:
        print(f"clipkit: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # `clipkit convert - | head`: the reader went away, which is not our failure
        _silence_stdout()
        return EXIT_OK


def _silence_stdout() -> None:
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clipkit")
    except PackageNotFoundError:
        return "unknown"
