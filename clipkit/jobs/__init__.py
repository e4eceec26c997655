"""Batches of talks: a job file lists the talks and what to make of each; every talk's steps
(fetch -> captions -> clips and reel) are tasks, run on the local process pool or a Dask
cluster (:mod:`clipkit.scheduler`).

    from clipkit.jobs import load_jobs, run_batch
    from clipkit.scheduler import open_scheduler

    jobs = load_jobs("talks.yaml")                      # checked: file:line errors
    with open_scheduler("tcp://10.0.0.5:8786") as scheduler:  # None: the local pool
        summary = run_batch(jobs, scheduler)            # <out>/batch.json says how it went

- :mod:`~clipkit.jobs.files`: the job file, read and checked;
- :mod:`~clipkit.jobs.steps`: each step of a talk, and the step manifests a rerun reads;
- :mod:`~clipkit.jobs.clipping`: the one door into clip and reel cutting;
- :mod:`~clipkit.jobs.run`: the talks as tasks, and the batch's summary.
"""

from clipkit.jobs.files import load_jobs, parse_jobs
from clipkit.jobs.model import ClipSettings, JobFile, ReelSettings, TalkJob
from clipkit.jobs.run import SUMMARY_NAME, BatchSummary, plan_tasks, run_batch
from clipkit.jobs.steps import StepResult, TalkPaths

__all__ = [
    "SUMMARY_NAME",
    "BatchSummary",
    "ClipSettings",
    "JobFile",
    "ReelSettings",
    "StepResult",
    "TalkJob",
    "TalkPaths",
    "load_jobs",
    "parse_jobs",
    "plan_tasks",
    "run_batch",
]
