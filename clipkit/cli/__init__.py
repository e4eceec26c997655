"""The ``clipkit`` command: argparse subcommands, one module each.

Each module in :data:`COMMAND_MODULES` exposes ``register(subparsers)``, which adds its
subparser and sets ``func``: a function taking the parsed arguments and returning the exit
code.  This package is the only part of clipkit that prints or exits.

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
    from collections.abc import Sequence
    from typing import Any

    from clipkit.cli.grammar import Parser

# One line per subcommand, in the order `clipkit --help` lists them.  Each module has
# register(subparsers), which adds its parser and sets func(args) -> exit code.
COMMAND_MODULES: list[str] = [
    "clipkit.cli.convert_cmd",
    "clipkit.cli.fetch_cmd",
    "clipkit.cli.clip_cmd",
    "clipkit.cli.reel_cmd",
    "clipkit.cli.find_cmd",
    "clipkit.cli.batch_cmd",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
INTERNAL_DETAIL_CHARS = 300


def build_parser() -> Parser:
    import importlib

    from clipkit.cli.grammar import Parser

    parser = Parser(
        prog="clipkit",
        description="Rebuild proper captions from YouTube's rolling auto-captions, "
        "fetch talks and cut captioned clips.",
        epilog="Run 'clipkit COMMAND --help' for the options and examples of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module: Any = importlib.import_module(name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _say("clipkit: interrupted")
        return EXIT_INTERRUPTED


def _run(argv: Sequence[str] | None) -> int:
    from clipkit.cli.grammar import unrecognized
    from clipkit.errors import ClipkitError

    parser = build_parser()
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clipkit")
    except PackageNotFoundError:
        return "unknown"
