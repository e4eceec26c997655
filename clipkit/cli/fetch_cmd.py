"""``clipkit fetch``: a talk, its captions and its metadata into one folder per video."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.cli import COMMAND_HELP
from clipkit.cli.grammar import (
    add_hidden_alias,
    add_out_dir,
    add_quiet_options,
    folder_text,
    report_done,
    shows_progress,
)
from clipkit.errors import ClipkitError, DownloadError, OptionError
from clipkit.fetch import (
    FFMPEG_INSTALL_HINT,
    DownloadProgress,
    FetchOptions,
    fetch_all,
    ffmpeg_available,
    parse_url_list,
    read_url_list,
)

#: The flag of each FetchOptions field, to name it in an error.
FLAGS = {
    "out_dir": "-d/--out-dir",
    "max_height": "--max-height",
    "lang": "--lang",
    "cookies": "--cookies",
    "cookies_from_browser": "--cookies-from-browser",
    "retries": "--retries",
}
#: What a DownloadError of a kind suggests, in the command's words.
ADVICE = {"sign-in": "try --cookies FILE or --cookies-from-browser NAME"}

EXAMPLES = """\
examples:
  clipkit fetch https://www.youtube.com/watch?v=avWhreBUYF0
                                   media/avWhreBUYF0/: MP4, captions, rebuilt SRT/VTT, manifest
  clipkit fetch -a urls.txt -d talks/ --max-height 720
                                   a batch, one URL a line (# comments)
  clipkit fetch URL --captions-only --lang de
                                   German captions only, no video
  clipkit fetch URL --cookies-from-browser firefox
                                   for videos that need you signed in

Running the same command again downloads nothing for folders that are complete (they have a
manifest.json); an interrupted download resumes from its .part file.  Each video fetched is a
line on stdout (its folder), and a last line on stderr counts them.

exit status: 0 all fetched, 1 some video failed (one line each on stderr), 2 usage error,
  130 interrupted.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help=COMMAND_HELP["fetch"],
        description="Download videos with yt-dlp into one folder each: the MP4, the captions\n"
        "as served, info JSON, the captions rebuilt as SRT and VTT, the chapters as a\n"
        "highlight file, and a manifest.",
        epilog=EXAMPLES,
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="video or playlist URLs")
    parser.add_argument(
        "-a",
        "--batch-file",
        action="append",
        default=[],
        metavar="FILE",
        help="read URLs from FILE, one a line ('-' for stdin); may be repeated (default: none)",
    )
    add_out_dir(parser, "one folder per video in here (default: media/)", Path("media"))
    add_hidden_alias(parser, "--out", "--out-dir", "out_dir", type=Path, metavar="DIR")
    parser.add_argument(
        "--max-height",
        type=int,
        default=1080,
        metavar="N",
        help="best video up to N pixels high (default: 1080 pixels)",
    )
    parser.add_argument(
        "--lang", default="en", metavar="CODE", help="caption language (default: en)"
    )
    parser.add_argument(
        "--captions-only", action="store_true", help="captions and metadata, no video"
    )
    cookies = parser.add_mutually_exclusive_group()
    cookies.add_argument(
        "--cookies", type=Path, metavar="FILE", help="a Netscape cookies.txt (default: none)"
    )
    cookies.add_argument(
        "--cookies-from-browser",
        metavar="BROWSER",
        help="take cookies from a browser: BROWSER[+KEYRING][:PROFILE][::CONTAINER] "
        "(default: none)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=10,
        metavar="N",
        help="tries per file, each resuming where the last stopped (default: 10)",
    )
    add_quiet_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        urls = list(args.urls)
        for name in args.batch_file:
            urls += parse_url_list(sys.stdin.read()) if name == "-" else read_url_list(name)
    except ClipkitError as exc:
        _say(f"clipkit fetch: {exc}")
        return 1
    if not urls:
        _say("clipkit fetch: no URL given (pass URLs or -a FILE)")
        return 2
    try:
        options = FetchOptions(
            out_dir=args.out_dir,
            max_height=args.max_height,
            lang=args.lang,
            captions_only=args.captions_only,
            cookies=args.cookies,
            cookies_from_browser=args.cookies_from_browser,
            retries=args.retries,
        )
    except OptionError as exc:
        # checked by FetchOptions only, named here by the flag
        _say(f"clipkit fetch: error: {FLAGS.get(exc.option, exc.option)}: {exc.message}")
        return 2
    if not options.captions_only and not ffmpeg_available():
        _say(f"clipkit fetch: {FFMPEG_INSTALL_HINT}")
        return 1

    bars = _ProgressBars(enabled=shows_progress(args))
    fetched = complete = failed = 0
    try:
        for outcome in fetch_all(urls, options, bars.update):
            bars.close_all()
            if outcome.result is not None:
                result = outcome.result
                complete += result.skipped
                fetched += not result.skipped
                state = "already complete" if result.skipped else "fetched"
                print(f"{result.folder}: {state} ({result.title})", flush=True)
            else:
                failed += 1
                _say(f"clipkit fetch: {_error_text(outcome.error)}")
    finally:
        bars.close_all()
    total = fetched + complete + failed
    where = folder_text(options.out_dir)
    if fetched:
        videos = "video" if total == 1 else "videos"
        also = f" ({complete} already complete)" if complete else ""
        report_done(args, f"fetched {fetched} of {total} {videos} into {where}{also}")
    elif complete and not failed:
        report_done(args, f"nothing to fetch: {complete} of {total} already complete in {where}")
    if failed:
        _say(f"clipkit fetch: {failed} of {total} failed")
        return 1
    return 0


def _error_text(error: ClipkitError | None) -> str:
    """A failed video's line, with the advice the command has for it."""
    if isinstance(error, DownloadError) and error.kind in ADVICE:
        return f"{error.url}: {error.message} ({ADVICE[error.kind]})"
    return str(error)


class _ProgressBars:
    """One tqdm bar per file being downloaded (bytes, speed, ETA)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, tqdm[Any]] = {}

    def update(self, report: DownloadProgress) -> None:
        if not self.enabled or not report.filename:
            return
        bar = self.bars.get(report.filename)
        if bar is None:
            bar = tqdm(
                total=report.total_bytes,
                desc=_short(Path(report.filename).name),
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=sys.stderr,
                dynamic_ncols=True,
            )
            self.bars[report.filename] = bar
        if report.total_bytes and bar.total != report.total_bytes:
            bar.total = report.total_bytes
        bar.n = report.downloaded_bytes
        bar.refresh()
        if report.status != "downloading":
            bar.close()
            del self.bars[report.filename]

    def close_all(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()


def _short(name: str, width: int = 32) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _say(line: str) -> None:
    tqdm.write(line, file=sys.stderr)
