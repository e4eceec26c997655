"""``clipkit batch JOBS.yaml``: every talk of a job file, locally or on a Dask cluster.

Only parsing and printing: the job file, the steps and the scheduling are
:mod:`clipkit.jobs` and :mod:`clipkit.scheduler`'s.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from clipkit.cli import COMMAND_HELP
from clipkit.cli.grammar import (
    add_jobs_option,
    add_out_dir,
    add_quiet_options,
    add_scheduler_option,
    folder_text,
    report_done,
)
from clipkit.cli.grammar import shows_progress as wants_progress
from clipkit.errors import OptionError
from clipkit.jobs import StepResult, load_jobs, plan_tasks, run_batch
from clipkit.scheduler import ADDRESS_VARIABLE, open_scheduler, scheduler_address

EXAMPLES = f"""\
examples:
  clipkit batch talks.yaml                         the talks on this machine, one at a time
  clipkit batch talks.yaml --jobs 0                on every core
  clipkit batch talks.yaml --scheduler tcp://10.0.0.5:8786   on a Dask cluster
  {ADDRESS_VARIABLE}=tcp://10.0.0.5:8786 clipkit batch talks.yaml

the job file (YAML; paths relative to it):
  out_dir: conference/              # every talk's folder goes in here (default: out/)
  defaults:                         # what each talk makes unless it says otherwise
    formats: [srt, vtt]             # caption files (srt, vtt, json, txt)
    style: {{max_chars: 42, max_lines: 2, shift: 0, crlf: false}}
    clips: true                     # or {{mode: smart|reencode|copy, vertical, burn, snap}}
    shorts: false                   # true: 9:16 clips with burned captions, in shorts/
    reel: {{titles: 2, xfade: 0.5}}   # or true, or false
  talks:
    - url: https://www.youtube.com/watch?v=avWhreBUYF0
      find: ["wells fargo"]         # highlights: every place it is said, whole sentences
    - name: keynote                 # the talk's folder (default: from the URL or file)
      video: keynote.mp4
      captions: keynote.md
      highlights: keynote.highlights.yaml
    - captions: panel.en.vtt        # captions alone: only the caption files

Each talk is steps (fetch -> captions -> clips, shorts and reel), each a task that starts as soon
as the one before it is done.  A talk that fails is one line and the others go on; a rerun
skips every step whose step manifest (<talk>/steps/<step>.json) says it is complete.
<out>/batch.json says how every talk and step went.

On a Dask cluster every worker reads and writes the talks' files by path: the job file's
folder and the output folder must be on a file system all of them share, under the same
paths.  Outputs are written atomically under fixed names, so a worker lost mid-task and
its task run again elsewhere leaves every file whole.

exit status: 0 every talk done, 1 some talk failed, 2 usage error, 130 interrupted.
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "batch",
        help=COMMAND_HELP["batch"],
        description="Run every talk of a job file: fetch, captions, clips, reel.",
        epilog=EXAMPLES,
    )
    parser.add_argument("job_file", type=Path, metavar="JOBS.yaml", help="the job file")
    add_out_dir(parser, "the talks' folders go in here (default: the job file's out_dir)")
    add_jobs_option(parser, "without a scheduler: run N steps at once")
    add_scheduler_option(parser, "run the talks' steps")
    add_quiet_options(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="check the job file and list the steps; run none"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    jobs = load_jobs(args.job_file)
    out_dir: Path = args.out_dir or jobs.out_dir
    tasks = plan_tasks(jobs, out_dir)
    if args.dry_run:
        for task in tasks:
            print(task.key + (f" (after {', '.join(task.after)})" if task.after else ""))
        return 0
    address = scheduler_address(args.scheduler)
    bar = tqdm(
        total=len(tasks),
        unit="step",
        desc="batch",
        file=sys.stderr,
        disable=not wants_progress(args) or not sys.stderr.isatty(),
    )

    def show(result: StepResult) -> None:
        for warning in result.warnings:
            bar.write(warning, file=sys.stderr)
        if result.status == "failed":
            bar.write(f"{result.talk}: {result.step}: {result.error}", file=sys.stderr)
        bar.update()

    try:
        with bar, open_scheduler(address, args.jobs) as scheduler:
            summary = run_batch(jobs, scheduler, show, out_dir)
    except OptionError as exc:
        print(f"clipkit batch: error: -j/--jobs: {exc.message}", file=sys.stderr)
        return 2
    done = summary.talks - len(summary.failed)
    where = f" on {address}" if address else ""
    report_done(
        args,
        f"made {done} of {summary.talks} talks in {folder_text(out_dir)}{where} "
        f"(summary: {summary.manifest})",
    )
    if summary.failed:
        failed = ", ".join(summary.failed)
        print(
            f"clipkit batch: {len(summary.failed)} of {summary.talks} talks failed: {failed}",
            file=sys.stderr,
        )
        return 1
    return 0
