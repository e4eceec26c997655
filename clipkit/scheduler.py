"""Where a batch's tasks run: the local process pool, or a Dask cluster.

    with open_scheduler(address=None, jobs=2) as scheduler:   # or address="tcp://host:8786"
        scheduler.run(tasks, on_done)

A :class:`Task` is a module-level function and its arguments, plus the keys of the tasks
whose results it needs (``after``): those results are added to its arguments, in order, and
it runs as soon as they exist.  On Dask that is a future with dependencies (the scheduler
starts it, no round trip through this process); in the local pool this process submits it
when the last of them is done.  ``on_done(task, result, error)`` is called here, in this
process, as each task finishes; ``error`` is set when the task raised (or Dask lost it for
good), and then every task after it is reported with that error too, without running.

Task functions must be picklable (defined at a module's top level) and should report their
own failures in their results: an exception is for what went wrong around them.  A worker
lost mid-task makes Dask run that task again elsewhere, so a task must write its outputs
atomically under names of its own (:mod:`clipkit.fileio`): a retry then replaces whole files
with whole files and leaves nothing half-written.

Nothing here prints or exits.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from clipkit.errors import ClipkitError, OptionError

__all__ = [
    "ADDRESS_VARIABLE",
    "DaskScheduler",
    "LocalScheduler",
    "OnDone",
    "Scheduler",
    "Task",
    "UpstreamFailed",
    "dask_distributed",
    "open_scheduler",
    "scheduler_address",
]

#: The environment variable Dask itself reads for the scheduler's address.
ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT = "10s"
DASK_EXTRA_HINT = "a Dask scheduler needs the dask extra: pip install 'clipkit[dask]'"


@dataclass(frozen=True, slots=True)
class Task:
    """One step of a batch: ``func(*args, *results of after)``."""

    key: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    after: tuple[str, ...] = ()


class UpstreamFailed(ClipkitError):
    """A task that did not run because a task it needs raised."""


OnDone = Callable[[Task, Any, BaseException | None], None]


class Scheduler(Protocol):
    """Runs tasks; :func:`open_scheduler` gives one."""

    @property
    def workers(self) -> int: ...

    def run(self, tasks: Sequence[Task], on_done: OnDone) -> None: ...


def scheduler_address(given: str | None = None) -> str | None:
    """The scheduler to use: ``given``, else ``$DASK_SCHEDULER_ADDRESS``, else None (local)."""
    address = given if given is not None else os.environ.get(ADDRESS_VARIABLE)
    return address.strip() or None if address is not None else None


@contextlib.contextmanager
def open_scheduler(address: str | None = None, jobs: int = 1) -> Iterator[Scheduler]:
    """A Dask cluster's scheduler at ``address``, or (None) the local pool of ``jobs``
    processes (0: one per CPU core; 1: in this process, one task at a time)."""
    if address is None:
        yield LocalScheduler(jobs)
        return
    with DaskScheduler.connect(address) as scheduler:
        yield scheduler


def _order(tasks: Sequence[Task]) -> list[Task]:
    """``tasks`` with every task after those it needs (a mistake is an OptionError)."""
    by_key = {task.key: task for task in tasks}
    if len(by_key) != len(tasks):
        raise OptionError("tasks", "two tasks have the same key")
    ordered: list[Task] = []
    state: dict[str, int] = {}  # 1: being placed, 2: placed

    def place(task: Task) -> None:
        stack = [(task, iter(task.after))]
        state[task.key] = 1
        while stack:
            current, pending = stack[-1]
            key = next(pending, None)
            if key is None:
                stack.pop()
                state[current.key] = 2
                ordered.append(current)
                continue
            if key not in by_key:
                raise OptionError("tasks", f"{current.key}: needs {key}, which is not a task")
            if state.get(key) == 1:
                raise OptionError("tasks", f"{current.key}: a cycle through {key}")
            if key not in state:
                state[key] = 1
                stack.append((by_key[key], iter(by_key[key].after)))

    for task in tasks:
        if task.key not in state:
            place(task)
    return ordered


# ---------------------------------------------------------------- the local pool


class LocalScheduler:
    """The tasks in a pool of local processes (as ``convert --jobs`` always ran)."""

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 0:
            raise OptionError(
                "jobs", f"tasks run at once: 0 (one per CPU core) or more, not {jobs}"
            )
        self._jobs = jobs or os.cpu_count() or 1

    @property
    def workers(self) -> int:
        return self._jobs

    def run(self, tasks: Sequence[Task], on_done: OnDone) -> None:
        ordered = _order(tasks)
        if self._jobs == 1 or len(ordered) <= 1:
            self._run_here(ordered, on_done)
        else:
            self._run_in_pool(ordered, on_done)

    @staticmethod
    def _run_here(ordered: Sequence[Task], on_done: OnDone) -> None:
        results: dict[str, Any] = {}
        errors: dict[str, BaseException] = {}
        for task in ordered:
            failed = next((errors[key] for key in task.after if key in errors), None)
            if failed is not None:
                errors[task.key] = _upstream(task, failed)
                on_done(task, None, errors[task.key])
                continue
            try:
                results[task.key] = task.func(*task.args, *(results[k] for k in task.after))
            except Exception as exc:
                errors[task.key] = exc
                on_done(task, None, exc)
                continue
            on_done(task, results[task.key], None)

    def _run_in_pool(self, ordered: Sequence[Task], on_done: OnDone) -> None:
        results: dict[str, Any] = {}
        errors: dict[str, BaseException] = {}
        waiting = list(ordered)
        running: dict[Future[Any], Task] = {}
        workers = min(self._jobs, len(ordered))
        with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint) as pool:
            try:
                while waiting or running:
                    still: list[Task] = []
                    for task in waiting:
                        failed = next((errors[k] for k in task.after if k in errors), None)
                        if failed is not None:
                            errors[task.key] = _upstream(task, failed)
                            on_done(task, None, errors[task.key])
                        elif all(key in results for key in task.after):
                            args = (*task.args, *(results[k] for k in task.after))
                            running[pool.submit(task.func, *args)] = task
                        else:
                            still.append(task)
                    waiting = still
                    if not running:
                        continue
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        task = running.pop(future)
                        try:
                            results[task.key] = future.result()
                        except Exception as exc:
                            errors[task.key] = exc
                            on_done(task, None, exc)
                        else:
                            on_done(task, results[task.key], None)
            except KeyboardInterrupt:
                # tasks running finish whole (the workers ignore Ctrl-C); no more start
                pool.shutdown(wait=True, cancel_futures=True)
                raise


def _upstream(task: Task, error: BaseException) -> UpstreamFailed:
    if isinstance(error, UpstreamFailed):
        return error
    return UpstreamFailed(f"{task.key}: not run, a step before it failed ({error})")


def _ignore_sigint() -> None:
    """Ctrl-C reaches the whole process group; only the main process should act on it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---------------------------------------------------------------- Dask


class DaskScheduler:
    """The tasks on a Dask cluster (``dask.distributed``), through a client of its scheduler.

    Each task is one Dask future; a task's dependencies are passed to it as futures, so the
    cluster starts it when they are done, on whichever worker, and retries it elsewhere if
    its worker is lost (up to ``distributed.scheduler.allowed-failures`` times).
    """

    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    @contextlib.contextmanager
    def connect(cls, address: str) -> Iterator[DaskScheduler]:
        """A client of the scheduler at ``address`` for the block; a ClipkitError if there is
        none to reach (or no Dask installed)."""
        distributed = dask_distributed()
        try:
            client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClipkitError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        try:
            yield cls(client)
        finally:
            client.close()

    @property
    def workers(self) -> int:
        """Threads on the cluster's workers now (tasks that can run at once)."""
        info = self._client.scheduler_info()
        return sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()) or 1

    @property
    def client(self) -> Any:
        return self._client

    def run(self, tasks: Sequence[Task], on_done: OnDone) -> None:
        as_completed = dask_distributed().as_completed
        ordered = _order(tasks)
        batch = uuid.uuid4().hex[:12]  # keys are unique to this run on a shared cluster
        futures: dict[str, Any] = {}
        for task in ordered:
            futures[task.key] = self._client.submit(
                task.func,
                *task.args,
                *(futures[key] for key in task.after),
                key=f"clipkit-{task.key}-{batch}",
                pure=False,
            )
        by_future = {future.key: task for task, future in zip(ordered, futures.values())}
        try:
            for future in as_completed(list(futures.values()), loop=self._client.loop):
                task = by_future[future.key]
                try:
                    result = future.result()
                except Exception as exc:
                    on_done(task, None, _from_dask(task, exc, futures))
                else:
                    on_done(task, result, None)
        except KeyboardInterrupt:
            self._client.cancel(list(futures.values()))
            raise
        finally:
            for future in futures.values():
                future.release()


def dask_distributed() -> Any:
    """``dask.distributed``, untyped (its functions carry no annotations mypy can use)."""
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise ClipkitError(DASK_EXTRA_HINT) from exc


def _from_dask(task: Task, error: BaseException, futures: dict[str, Any]) -> BaseException:
    """Dask gives a task after a failed one the failed one's error: say that it did not run."""
    if any(futures[key].status == "error" for key in task.after):
        return _upstream(task, error)
    if type(error).__name__ == "KilledWorker":
        return ClipkitError(f"{task.key}: its workers were lost too often ({error})")
    return error
