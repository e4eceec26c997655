"""Converting many caption files at once: which files, where each output goes, the workers.

    options = BatchOptions(to="vtt", out_dir=Path("subs"), jobs=0)
    plan = plan_jobs(expand_inputs(["downloads/"], ".vtt").files, options)
    report = convert_batch(plan.jobs, options)

- **Inputs** (:func:`expand_inputs`): files, globs (``talks/**/*.json3``) and folders.  A
  folder is searched recursively for caption files by extension (:data:`CAPTION_SUFFIXES`),
  hidden files and folders left out.  Its ``.md``, ``.txt`` and ``.json`` files are taken
  only when a reader recognises them, so a README.md or a package.json beside the captions
  is skipped, not an error.
- **Outputs** (:func:`plan_jobs`): beside each input, or under ``out_dir`` (keeping the
  subfolders of a folder searched), named ``<stem><mode><ext>``: ``talk.srt``, or
  ``talk.words.vtt`` / ``talk.lines.srt`` for the modes other than cues, so outputs of
  different modes never replace each other.  A name that is an input, or another output,
  gets the ``.clipkit`` infix instead (``talk.clipkit.srt``): inputs are never overwritten.
- **Workers** (:func:`convert_batch`): one process per job slot (``jobs=0``: one per CPU
  core); a file that fails is reported and the batch goes on; Ctrl-C lets the files being
  written finish whole and starts no more.  Folders made for outputs are removed again when
  nothing was written into them.

Nothing here prints or exits: each file's outcome goes to a callback.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from clipkit.convert import convert_file, format_for_path, how_taken
from clipkit.errors import CaptionParseError, ClipkitError, OptionError, OutputError
from clipkit.fileio import ensure_not_input, missing_folders, output_error, remove_empty
from clipkit.model import Transcript
from clipkit.readers import READERS, decode, read_bytes, read_input
from clipkit.style import CaptionStyle
from clipkit.writers import EXTENSIONS, WRITERS, WriteOptions

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "CAPTION_SUFFIXES",
    "OUTPUT_INFIX",
    "BatchOptions",
    "BatchReport",
    "Expansion",
    "Input",
    "Job",
    "JobPlan",
    "Outcome",
    "convert_batch",
    "convert_one",
    "expand_inputs",
    "output_candidates",
    "plan_jobs",
]

#: What a folder given as input is searched for.
CAPTION_SUFFIXES = (".md", ".txt", ".vtt", ".srt", ".json3", ".json")
#: Extensions other files have too: such a file in a folder is taken only if it is captions.
_RECOGNISED_ONLY = (".md", ".txt", ".json")
_SNIFF_BYTES = 256_000
#: Marks a file clipkit wrote beside an input of the same name; folders skip such files.
OUTPUT_INFIX = ".clipkit"
#: The caption mode whose outputs carry no mode in their name.
_PLAIN_MODE = "cues"
_MODE_INFIXES = (".lines", ".words")


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How a batch is converted; checked when made (:class:`~clipkit.errors.OptionError`)."""

    to: str | None = None  # None: from the output file's extension, else vtt for words, else srt
    style: CaptionStyle = field(default_factory=CaptionStyle)
    write: WriteOptions = field(default_factory=WriteOptions)
    from_format: str | None = None  # None: detected from each file's content
    output: Path | None = None  # one output file, for a single input
    out_dir: Path | None = None  # None: each output beside its input
    jobs: int = 1  # files converted at once; 0: one per CPU core
    dry_run: bool = False  # read every input, write nothing
    scheduler: str | None = None  # a Dask scheduler's address: convert on its cluster

    def __post_init__(self) -> None:
        if self.to is not None and self.to not in WRITERS:
            raise OptionError(
                "to", f"unknown output format {self.to!r} (choose from {', '.join(WRITERS)})"
            )
        if self.from_format is not None and self.from_format not in READERS:
            raise OptionError(
                "from_format",
                f"unknown input format {self.from_format!r} (choose from {', '.join(READERS)})",
            )
        if self.jobs < 0:
            raise OptionError(
                "jobs", f"files converted at once: 0 (one per CPU core) or more, not {self.jobs}"
            )
        if self.output is not None and self.out_dir is not None:
            raise OptionError("output", "give either an output file or an output folder, not both")

    @property
    def format(self) -> str:
        """The output format: ``to``, else the output file's extension, else vtt for the
        words mode and srt for the others."""
        if self.to is not None:
            return self.to
        from_name = format_for_path(self.output) if self.output is not None else None
        return from_name or ("vtt" if self.style.mode == "words" else "srt")

    def workers(self, jobs: int) -> int:
        """How many processes convert ``jobs`` files (never more than there are files)."""
        return max(1, min(self.jobs or os.cpu_count() or 1, jobs))


# ---------------------------------------------------------------- inputs


class Input(NamedTuple):
    """A file to convert, and the subfolder it was found in under a folder given as input
    (``Path()`` for files given by name or glob): outputs keep that subfolder."""

    path: Path
    subfolder: Path = Path()


@dataclass(frozen=True, slots=True)
class Expansion:
    """What the inputs named: files to convert, a line for each name that named nothing,
    and the files of folders left out (not captions), each with the reason."""

    files: list[Input]
    problems: list[str]
    skipped: list[tuple[Path, str]]


def expand_inputs(patterns: Iterable[str | Path], output_suffix: str = ".srt") -> Expansion:
    """The files that ``patterns`` (files, globs, folders) name, each once, in order.

    ``output_suffix`` is the extension being written: a folder's files that look like an
    earlier output of another file there in that format are left out (``talk.srt`` beside
    ``talk.md``).
    """
    found: list[Input] = []
    problems: list[str] = []
    skipped: list[tuple[Path, str]] = []
    for pattern in patterns:
        text = str(pattern)
        path = Path(text)
        if path.is_dir():
            files, left_out = _caption_files_in(path, output_suffix)
            if not files:
                problems.append(f"{text}: no caption files in this folder")
            found += files
            skipped += left_out
        elif path.exists():
            found.append(Input(path))
        elif glob.has_magic(text):
            matches = sorted(m for m in glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                problems.append(f"{text}: no files match")
            found += [Input(Path(match)) for match in matches]
        else:
            problems.append(f"{text}: no such file or folder")
    unique: list[Input] = []
    seen: set[Path] = set()
    for item in found:
        key = item.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return Expansion(unique, problems, skipped)


def _caption_files_in(root: Path, output_suffix: str) -> tuple[list[Input], list[tuple[Path, str]]]:
    taken: list[Input] = []
    skipped: list[tuple[Path, str]] = []
    for folder, subfolders, names in os.walk(root):  # links to folders are not followed
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        here = Path(folder)
        files = sorted(
            here / name
            for name in names
            if Path(name).suffix.lower() in CAPTION_SUFFIXES
            and not name.startswith(".")
            and OUTPUT_INFIX + "." not in name
            and (here / name).is_file()
        )
        other_stems = {p.stem for p in files if p.suffix.lower() != output_suffix}
        for path in files:
            if _earlier_output(path, output_suffix, other_stems):
                continue
            if path.suffix.lower() in _RECOGNISED_ONLY and not _looks_like_captions(path):
                skipped.append((path, "not a caption file clipkit reads"))
                continue
            taken.append(Input(path, here.relative_to(root)))
    return taken, skipped


def _earlier_output(path: Path, output_suffix: str, other_stems: set[str]) -> bool:
    """Whether ``path`` looks like an output clipkit wrote for another file of its folder:
    ``talk.srt`` (writing srt) or ``talk.words.vtt`` beside ``talk.md``."""
    stem = path.stem
    for infix in _MODE_INFIXES:
        if stem.endswith(infix) and path.suffix.lower() in EXTENSIONS.values():
            return stem[: -len(infix)] in other_stems
    return path.suffix.lower() == output_suffix and stem in other_stems


def _looks_like_captions(path: Path) -> bool:
    """Whether a reader claims the start of the file (one that cannot be read is taken, so
    that converting it says what is wrong)."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(_SNIFF_BYTES)
        text = decode(head, str(path))
    except (OSError, CaptionParseError):
        return True
    return any(spec.sniff(text) for spec in READERS.values())


# ---------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Job:
    """One file to convert and where its output goes."""

    source: Path
    output: Path


@dataclass(frozen=True, slots=True)
class JobPlan:
    """The jobs, and a line for each input that has no output name left."""

    jobs: list[Job]
    problems: list[str]


def output_candidates(source: Path, folder: Path, suffix: str, mode: str) -> tuple[Path, ...]:
    """The names an output of ``source`` may take in ``folder``, preferred first:
    ``talk.srt`` (``talk.words.vtt`` in the words mode), then with the ``.clipkit`` infix."""
    infix = "" if mode == _PLAIN_MODE else f".{mode}"
    return (
        folder / f"{source.stem}{infix}{suffix}",
        folder / f"{source.stem}{infix}{OUTPUT_INFIX}{suffix}",
        folder / f"{source.name}{infix}{OUTPUT_INFIX}{suffix}",
    )


def plan_jobs(inputs: Sequence[Input], options: BatchOptions) -> JobPlan:
    """Pair every input with where its output goes (see :func:`output_candidates`).

    With ``options.output`` there must be exactly one input (an
    :class:`~clipkit.errors.OptionError` otherwise); it must not be the input.
    """
    if options.output is not None:
        if len(inputs) != 1:
            raise OptionError(
                "output",
                f"one output file for {len(inputs)} inputs: write them into a folder instead",
            )
        try:
            ensure_not_input(options.output, [inputs[0].path])
        except ClipkitError as exc:
            return JobPlan([], [str(exc)])
        return JobPlan([Job(inputs[0].path, options.output)], [])

    suffix = EXTENSIONS[options.format]
    jobs: list[Job] = []
    problems: list[str] = []
    taken = {item.path.resolve() for item in inputs}
    for item in inputs:
        folder = item.path.parent if options.out_dir is None else options.out_dir / item.subfolder
        for candidate in output_candidates(item.path, folder, suffix, options.style.mode):
            key = candidate.resolve()
            if key not in taken:
                taken.add(key)
                jobs.append(Job(item.path, candidate))
                break
        else:
            problems.append(
                f"{item.path}: no output name left that is not an input or another output"
            )
    return JobPlan(jobs, problems)


# ---------------------------------------------------------------- converting


class Outcome(NamedTuple):
    """How one input went: the error if it failed, else which way it was taken; and what
    reading it worked around (warnings, either way)."""

    error: ClipkitError | None
    how: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchReport:
    """How many files were converted (with ``dry_run``: read) and how many failed."""

    converted: int
    failed: int


def convert_one(job: Job, options: BatchOptions) -> Outcome:
    """Convert one file (with ``dry_run``, only read it): how it went.  Never raises for a
    bad file: the error is in the outcome, also for an unexpected one."""
    read: list[Transcript] = []
    try:
        if options.dry_run:
            read.append(read_bytes(read_input(job.source), str(job.source), options.from_format))
        else:
            _make_folder(job.output.parent)
            convert_file(
                job.source,
                job.output,
                options.format,
                options.style,
                options.write,
                options.from_format,
                read.append,
            )
    except ClipkitError as exc:
        return Outcome(exc, warnings=_warnings(read))
    except Exception as exc:  # a bug must not stop the batch; say where it happened
        error = ClipkitError(f"{job.source}: internal error ({type(exc).__name__}: {exc})")
        return Outcome(error, warnings=_warnings(read))
    return Outcome(None, how_taken(read[0], options.style) if read else None, _warnings(read))


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(f"{folder}: not a folder (a file of that name is in the way)") from exc
    except OSError as exc:
        raise output_error(folder, exc, "cannot make the folder") from exc


def _warnings(read: list[Transcript]) -> tuple[str, ...]:
    return tuple(str(warning) for transcript in read for warning in transcript.warnings)


Report = Callable[[Job, Outcome], None]


def convert_batch(
    jobs: Sequence[Job], options: BatchOptions, on_done: Report | None = None
) -> BatchReport:
    """Convert every job, ``options.workers`` at a time (or on the Dask cluster of
    ``options.scheduler``: :mod:`clipkit.cluster_convert`), calling ``on_done`` in this
    process as each one finishes; the counts.  An output folder that cannot be made is an
    :class:`~clipkit.errors.OutputError` before any file is converted."""
    counts = {"converted": 0, "failed": 0}

    def done(job: Job, outcome: Outcome) -> None:
        counts["failed" if outcome.error is not None else "converted"] += 1
        if on_done is not None:
            on_done(job, outcome)

    made = [] if options.dry_run else missing_folders(job.output.parent for job in jobs)
    try:
        if options.out_dir is not None and jobs and not options.dry_run:
            _make_folder(options.out_dir)  # one error for all, rather than one a file
        workers = options.workers(len(jobs))
        if options.scheduler is not None:  # bytes to the workers and back: no shared disk
            from clipkit.cluster_convert import convert_on_cluster

            convert_on_cluster(jobs, options, options.scheduler, done, _make_folder)
        elif workers == 1:
            for job in jobs:
                done(job, convert_one(job, options))
        else:
            _run_in_pool(jobs, options, workers, done)
    finally:
        remove_empty(made)
    return BatchReport(counts["converted"], counts["failed"])


def _run_in_pool(jobs: Sequence[Job], options: BatchOptions, workers: int, done: Report) -> None:
    from concurrent.futures import ProcessPoolExecutor, as_completed  # (only with workers)

    with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint) as pool:
        futures: dict[Future[Outcome], Job] = {
            pool.submit(convert_one, job, options): job for job in _largest_first(jobs)
        }
        try:
            for future in as_completed(futures):
                done(futures[future], future.result())
        except KeyboardInterrupt:
            # files being written finish whole (the workers ignore Ctrl-C), the rest never start
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _largest_first(jobs: Sequence[Job]) -> list[Job]:
    """The jobs by input size, largest first: the workers then finish together (the last
    files handed out are the quickest), rather than one converting a long talk alone."""

    def size(job: Job) -> int:
        try:
            return job.source.stat().st_size
        except OSError:  # (its conversion says why)
            return 0

    return sorted(jobs, key=size, reverse=True)


def _ignore_sigint() -> None:
    """Ctrl-C reaches the whole process group; only the main process should act on it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
