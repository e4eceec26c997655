"""A job file's talks as tasks, run on a scheduler, and the batch's summary manifest.

    jobs = load_jobs("talks.yaml")
    with open_scheduler(address, jobs=2) as scheduler:
        summary = run_batch(jobs, scheduler, on_step=print)

Each talk is up to five tasks: ``fetch`` (a URL), ``captions``, then ``clips``, ``shorts``
and ``reel`` side by side; each starts as soon as the one before it is done, whatever the
other talks are doing.  Talks that share a URL share its fetch.  At the end
``<out>/batch.json`` says how every talk and step went; a stale temporary folder a lost
worker left in a talk's folder is removed then (no step is running any more).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from clipkit.errors import ClipkitError
from clipkit.fileio import TEMP_PREFIX, atomic_write_bytes, output_folder
from clipkit.jobs.model import JobFile, TalkJob
from clipkit.jobs.steps import (
    FAILED,
    NOT_RUN,
    StepResult,
    TalkPaths,
    captions_step,
    clips_step,
    fetch_step,
    reel_step,
    shorts_step,
)
from clipkit.scheduler import Scheduler, Task

__all__ = ["SUMMARY_NAME", "BatchSummary", "plan_tasks", "run_batch"]

SUMMARY_NAME = "batch.json"
MEDIA_FOLDER = "media"


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Every step's result, the talks that failed, and the summary manifest written."""

    results: tuple[StepResult, ...]
    failed: tuple[str, ...]  # the talks with a failed step, in job-file order
    manifest: Path

    @property
    def talks(self) -> int:
        return len({result.talk for result in self.results})


def plan_tasks(jobs: JobFile, out_dir: Path | None = None) -> list[Task]:
    """The tasks of every talk, with absolute paths (workers have their own working
    folders); ``out_dir`` overrides the job file's."""
    root = (out_dir or jobs.out_dir).absolute()
    tasks: list[Task] = []
    fetches: dict[str, str] = {}
    for talk in jobs.talks:
        talk = _absolute(talk)
        paths = TalkPaths(root / talk.name, root / MEDIA_FOLDER)
        before: tuple[str, ...] = ()
        if talk.url is not None:
            if talk.url not in fetches:
                fetches[talk.url] = f"{talk.name}/fetch"
                tasks.append(Task(fetches[talk.url], fetch_step, (talk, paths)))
            before = (fetches[talk.url],)
        captions = f"{talk.name}/captions"
        tasks.append(Task(captions, captions_step, (talk, paths), before))
        if talk.clips is not None:
            tasks.append(Task(f"{talk.name}/clips", clips_step, (talk, paths), (captions,)))
        if talk.shorts is not None:
            tasks.append(Task(f"{talk.name}/shorts", shorts_step, (talk, paths), (captions,)))
        if talk.reel is not None:
            tasks.append(Task(f"{talk.name}/reel", reel_step, (talk, paths), (captions,)))
    return tasks


def run_batch(
    jobs: JobFile,
    scheduler: Scheduler,
    on_step: Callable[[StepResult], None] | None = None,
    out_dir: Path | None = None,
) -> BatchSummary:
    """Run every talk's steps on ``scheduler``; ``on_step`` gets each result here as it
    comes.  A talk's failure is its own: the other talks go on."""
    root = (out_dir or jobs.out_dir).absolute()
    tasks = plan_tasks(jobs, root)
    results: dict[str, StepResult] = {}

    def done(task: Task, result: Any, error: BaseException | None) -> None:
        talk, step = task.key.split("/", 1)
        if error is not None or not isinstance(result, StepResult):
            status = NOT_RUN if "not run" in str(error) else FAILED
            result = StepResult(talk, step, status, _one_line(error))
        elif result.talk != talk:  # a fetch shared by talks with the same URL
            result = replace(result, talk=talk)
        results[task.key] = result
        if on_step is not None:
            on_step(result)

    try:
        scheduler.run(tasks, done)
    finally:
        for talk in jobs.talks:
            _remove_stale_temporaries(root / talk.name)
    ordered = tuple(results[task.key] for task in tasks if task.key in results)
    failed = tuple(dict.fromkeys(r.talk for r in ordered if r.status in (FAILED, NOT_RUN)).keys())
    manifest = root / SUMMARY_NAME
    record = _summary(jobs, ordered, failed)
    with output_folder(root):
        atomic_write_bytes(manifest, (json.dumps(record, indent=2) + "\n").encode())
    return BatchSummary(ordered, failed, manifest)


def _absolute(talk: TalkJob) -> TalkJob:
    def whole(path: Path | None) -> Path | None:
        return path.absolute() if path is not None else None

    return replace(
        talk,
        video=whole(talk.video),
        captions=whole(talk.captions),
        highlights=whole(talk.highlights),
    )


def _one_line(error: BaseException | None) -> str:
    if isinstance(error, ClipkitError):
        return " ".join(str(error).split())
    text = f"internal error ({type(error).__name__}: {error})"
    return " ".join(text.split())


def _summary(
    jobs: JobFile, results: tuple[StepResult, ...], failed: tuple[str, ...]
) -> dict[str, Any]:
    talks = []
    for talk in jobs.talks:
        steps = [r for r in results if r.talk == talk.name]
        error = next((r.error for r in steps if r.status == FAILED), None)
        talks.append(
            {
                "name": talk.name,
                "line": talk.line,
                "status": "failed" if talk.name in failed else "done",
                "error": error,
                "steps": {
                    r.step: {
                        "status": r.status,
                        "seconds": r.seconds,
                        "outputs": list(r.outputs),
                        **({"error": r.error} if r.error else {}),
                    }
                    for r in steps
                },
            }
        )
    return {
        "job_file": jobs.source,
        "talks": talks,
        "counts": {
            "talks": len(jobs.talks),
            "failed": len(failed),
            "steps_done": sum(1 for r in results if r.status == "done"),
            "steps_complete_before": sum(1 for r in results if r.status == "complete"),
        },
    }


def _remove_stale_temporaries(folder: Path) -> None:
    """The private temporary folders a worker lost mid-write left (fileio's, by prefix)."""
    for sub in (folder, folder / "clips", folder / "shorts", folder / "steps"):
        if sub.is_dir():
            for entry in sub.glob(f"{TEMP_PREFIX}*"):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
