"""``convert --scheduler``: many caption files converted on a Dask cluster, bytes in, bytes out.

This process reads each input and writes each output; the workers only get the input's
bytes in the task and hand the output's bytes back, so a cluster whose machines share no
file system with this one converts too, and every output is the same bytes as a local run
(the conversion is :func:`clipkit.convert.convert_bytes` either way, written by
:func:`clipkit.fileio.atomic_write_bytes`).  A bounded number of files is in flight at once,
so a batch of thousands never holds them all in memory, and a few files go in one task
(:data:`FILES_PER_TASK`) to keep the cluster's cost per file small.  A worker lost
mid-file is nothing to this process: Dask runs the task again elsewhere, and the file is
written once, here.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from clipkit.convert import convert_bytes, how_taken
from clipkit.errors import ClipkitError
from clipkit.fileio import atomic_write_bytes, ensure_not_input
from clipkit.model import Transcript
from clipkit.readers import read_bytes, read_input
from clipkit.scheduler import DaskScheduler, dask_distributed

if TYPE_CHECKING:
    from clipkit.batch import BatchOptions, Job, Outcome

__all__ = ["FILES_PER_TASK", "convert_chunk", "convert_data", "convert_on_cluster"]

#: A task converts up to this many files, or as many as make up this many bytes.
FILES_PER_TASK = 8
BYTES_PER_TASK = 4_000_000
#: Tasks handed to the cluster per worker thread before the first comes back.
TASKS_IN_FLIGHT_PER_WORKER = 3


def convert_data(data: bytes, source: str, options: BatchOptions) -> tuple[Outcome, bytes | None]:
    """On a worker: one input's bytes converted (with ``dry_run``, only read).  Never raises
    for a bad file: the error is in the outcome."""
    from clipkit.batch import Outcome

    read: list[Transcript] = []
    result: bytes | None = None
    try:
        if options.dry_run:
            read.append(read_bytes(data, source, options.from_format))
        else:
            result = convert_bytes(
                data,
                source,
                options.format,
                options.style,
                options.write,
                options.from_format,
                read.append,
            )
    except ClipkitError as exc:
        return Outcome(exc, warnings=_warnings(read)), None
    except Exception as exc:  # a bug must not stop the batch; say where it happened
        error = ClipkitError(f"{source}: internal error ({type(exc).__name__}: {exc})")
        return Outcome(error, warnings=_warnings(read)), None
    how = how_taken(read[0], options.style) if read else None
    return Outcome(None, how, _warnings(read)), result


def convert_chunk(
    data: Sequence[tuple[bytes, str]], options: BatchOptions
) -> list[tuple[Outcome, bytes | None]]:
    """On a worker: a few inputs converted, each as :func:`convert_data` does it."""
    return [convert_data(chunk, source, options) for chunk, source in data]


def convert_on_cluster(
    jobs: Sequence[Job],
    options: BatchOptions,
    address: str,
    done: Callable[[Job, Outcome], None],
    make_folder: Callable[[Any], None],
) -> None:
    """Convert every job on the cluster at ``address``, calling ``done`` here as each one
    is written (or failed).  ``make_folder`` makes an output's folder (the batch's rule)."""
    from clipkit.batch import Outcome

    with DaskScheduler.connect(address) as scheduler:
        client = scheduler.client
        finished = dask_distributed().as_completed(loop=client.loop)
        token = uuid.uuid4().hex[:12]
        numbers = itertools.count()
        running: dict[str, tuple[list[Job], Any]] = {}
        queue: Iterator[Job] = iter(jobs)

        def submit_next() -> bool:
            """Hand the next few files to the cluster as one task: fewer, larger tasks
            keep the cluster's cost per file small."""
            chunk: list[Job] = []
            data: list[tuple[bytes, str]] = []
            size = 0
            for job in queue:
                try:
                    read = read_input(job.source)
                except ClipkitError as exc:
                    done(job, Outcome(exc))
                    continue
                chunk.append(job)
                data.append((read, str(job.source)))
                size += len(read)
                if len(chunk) >= FILES_PER_TASK or size >= BYTES_PER_TASK:
                    break
            if not chunk:
                return False
            future = client.submit(
                convert_chunk,
                data,
                options,
                key=f"clipkit-convert-{next(numbers)}-{token}",
                pure=False,
            )
            running[future.key] = (chunk, future)
            finished.add(future)
            return True

        for _ in range(max(1, scheduler.workers) * TASKS_IN_FLIGHT_PER_WORKER):
            if not submit_next():
                break
        try:
            for future in finished:
                chunk, _ = running.pop(future.key)
                try:
                    results = future.result()
                except Exception as exc:  # lost for good (KilledWorker), or a bug
                    said = " ".join(str(exc).split()) or type(exc).__name__
                    results = [
                        (Outcome(ClipkitError(f"{job.source}: {said}")), None) for job in chunk
                    ]
                future.release()
                for job, (outcome, result) in zip(chunk, results, strict=True):
                    if result is not None:
                        outcome = _write(job, result, outcome, make_folder)
                    done(job, outcome)
                submit_next()
        except KeyboardInterrupt:
            client.cancel([future for _, future in running.values()])
            raise


def _write(
    job: Job, result: bytes, outcome: Outcome, make_folder: Callable[[Any], None]
) -> Outcome:
    try:
        ensure_not_input(job.output, [job.source])
        make_folder(job.output.parent)
        atomic_write_bytes(job.output, result)
    except ClipkitError as exc:
        return outcome._replace(error=exc, how=None)
    return outcome


def _warnings(read: list[Transcript]) -> tuple[str, ...]:
    return tuple(str(warning) for transcript in read for warning in transcript.warnings)
