"""Cutting planned clips: the ffmpeg runs of each, built once (:func:`clip_job`) for the
run and for a dry run alike, then carried out, captions and manifest beside them.

Each cut works in a folder of its own, ``OUT/.clipkit-work/NAME`` (the captions to burn,
a smart cut's pieces), removed when it is done; every output is written under a
temporary name and renamed into place when whole.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from clipkit.clips.captions import caption_files
from clipkit.clips.manifest import clip_manifest
from clipkit.clips.method import CutMethod
from clipkit.clips.plan import ClipOptions, ClipPlan
from clipkit.clips.source import Source
from clipkit.errors import FFmpegError, FFmpegInterrupted, MissingToolError, OutputError
from clipkit.fileio import atomic_outputs, atomic_write_bytes, ensure_not_input, output_folder
from clipkit.media import smartcut
from clipkit.media.burn import picture_transform
from clipkit.media.cut import accurate_cut_command, copy_cut_command
from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_ffmpeg

WORK_FOLDER = ".clipkit-work"


@dataclass(frozen=True, slots=True)
class CutJob:
    """Everything one cut runs: ``files`` written first (in ``work``), then ``commands``."""

    output: Path
    work: Path
    commands: tuple[tuple[str, ...], ...]
    files: dict[Path, bytes] = field(default_factory=dict)
    smart: smartcut.SmartCommands | None = None

    @property
    def uses_work(self) -> bool:
        """Whether the commands read or write anything in the work folder."""
        return bool(self.files) or self.smart is not None


def work_folder(out_dir: Path, name: str) -> Path:
    """Where the cut of ``name`` into ``out_dir`` keeps its intermediate files."""
    return out_dir / WORK_FOLDER / name


def clip_output(options: ClipOptions, plan: ClipPlan) -> Path:
    """The clip's video: ``NAME.mp4`` in the output folder (its captions beside it)."""
    return options.out_dir / f"{plan.name}.mp4"


def clip_captions(source: Source, plan: ClipPlan, options: ClipOptions) -> dict[str, bytes]:
    """The clip's ``srt``, ``vtt`` and ``burn`` files (see :func:`caption_files`)."""
    return caption_files(
        plan.cues,
        plan.words,
        options.vertical is not None,
        duration_ms=plan.duration_ms,
        style=source.caption_style,
        authored=source.authored,
        write=options.write,
        vertical_max_chars=options.vertical_max_chars,
    )


def clip_job(
    source: Source,
    plan: ClipPlan,
    options: ClipOptions,
    output: Path | None = None,
    captions: dict[str, bytes] | None = None,
) -> CutJob:
    """The ffmpeg runs that cut ``plan`` into ``output`` (by default its final name).

    What ``clipkit clip --dry-run`` prints and what :func:`cut_clips` runs (into a
    temporary name, renamed when whole): the same commands, the same work folder.
    """
    output = output or clip_output(options, plan)
    work = work_folder(options.out_dir, plan.name)
    if plan.method is CutMethod.SMART and plan.smart is not None:
        commands = smartcut.SmartCommands.build(
            source.video, [plan.smart], output, options.encode, work
        )
        return CutJob(
            output,
            work,
            tuple(commands.all),
            {path: text.encode() for path, text in commands.files.items()},
            commands,
        )
    if plan.method is CutMethod.COPY:
        argv = copy_cut_command(source.video, plan.start_ms, plan.end_ms, output)
        return CutJob(output, work, (tuple(argv),))
    files: dict[Path, bytes] = {}
    burn_file = None
    if options.burn:
        burn_file = work / "captions.srt"
        files[burn_file] = (captions or clip_captions(source, plan, options))["burn"]
    transform = picture_transform(
        source.info.width, source.info.height, burn_file, options.burn_style, options.vertical
    )
    argv = accurate_cut_command(
        source.video,
        plan.start_ms,
        plan.end_ms,
        output,
        options.encode,
        transform,
        source.info.frame_rate,
    )
    return CutJob(output, work, (tuple(argv),), files)


def cut_clips(
    source: Source,
    plans: Sequence[ClipPlan],
    options: ClipOptions | None = None,
    on_progress: ProgressCallback | None = None,
    captions_path: str | Path | None = None,
    on_clip: Callable[[ClipPlan], None] | None = None,
) -> Path:
    """Cut every planned clip with its captions; return the manifest's path.

    Each clip gives ``NAME.mp4``, ``NAME.srt`` and ``NAME.vtt`` in ``options.out_dir``;
    ``manifest.json`` there is rewritten after each clip, so it always lists what is on
    disk.  ``on_progress`` gets the ms of source cut so far; ``on_clip`` each clip's plan
    as carried out (a smart cut that did not verify is re-encoded: its method and
    fallback say so).  No output may be one of the inputs (:class:`OutputError`).
    """
    options = options or ClipOptions()
    out_dir = options.out_dir
    manifest_path = out_dir / "manifest.json"
    inputs = input_files(source, plans, captions_path)
    outputs = [out_dir / f"{plan.name}{ext}" for plan in plans for ext in (".mp4", ".srt", ".vtt")]
    for output in [*outputs, manifest_path, out_dir / WORK_FOLDER]:
        ensure_not_input(output, inputs)
    with output_folder(out_dir):
        done: list[ClipPlan] = []
        offset = 0
        for plan in plans:

            def report(done_ms: int, base: int = offset) -> None:
                if on_progress is not None:
                    on_progress(base + done_ms)

            plan = cut_clip(source, plan, options, report)
            offset += plan.duration_ms
            done.append(plan)
            if on_clip is not None:
                on_clip(plan)
            manifest = clip_manifest(source, done, options, captions_path)
            atomic_write_bytes(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    return manifest_path


def input_files(
    source: Source, plans: Sequence[ClipPlan], captions_path: str | Path | None = None
) -> list[Path]:
    """Every file a cut reads: the video, the captions and the highlight files."""
    files = [source.video]
    captions = captions_path or source.captions
    if captions is not None:
        files.append(Path(captions))
    for plan in plans:
        highlights = Path(plan.spec.source)
        if highlights not in files and highlights.is_file():
            files.append(highlights)
    return files


def cut_clip(
    source: Source,
    plan: ClipPlan,
    options: ClipOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> ClipPlan:
    """Cut one clip into ``NAME.mp4`` with ``NAME.srt`` and ``NAME.vtt`` beside it (no
    manifest: :func:`cut_clips` writes that), in a folder that must exist.

    A smart cut that fails or does not verify falls back to a full re-encode.  Returns
    the plan as it was carried out (its method and fallback).  Clips of one source can be
    cut side by side (each has its own work folder): plans and options pickle.
    """
    options = options or ClipOptions()

    def report(done_ms: int) -> None:
        if on_progress is not None:
            on_progress(done_ms)

    video = clip_output(options, plan)
    captions = clip_captions(source, plan, options)
    with (
        atomic_outputs(video, video.with_suffix(".srt"), video.with_suffix(".vtt")) as temps,
        writing(video),
    ):
        temp_video, temp_srt, temp_vtt = temps
        temp_srt.write_bytes(captions["srt"])
        temp_vtt.write_bytes(captions["vtt"])
        job = clip_job(source, plan, options, temp_video, captions)
        with work_files(job):
            if job.smart is not None and plan.smart is not None:
                smart = plan.smart
                failure = smart_failure(
                    lambda: smartcut.smart_cut(
                        source.video, smart, temp_video, options.encode, report, job.work
                    ),
                    temp_video,
                )
                if failure is None:
                    return plan
                plan = replace(plan, method=CutMethod.REENCODE, fallback=failure)
                job = clip_job(source, plan, options, temp_video, captions)
                _write_files(job)
            for argv in job.commands:
                run_ffmpeg(argv, report, plan.duration_ms, what=f"ffmpeg ({plan.name})")
    return plan


@contextmanager
def work_files(job: CutJob) -> Iterator[None]:
    """The job's work folder, its files written, for the block; removed after it."""
    if not job.uses_work:
        yield
        return
    shutil.rmtree(job.work, ignore_errors=True)  # left by a run that was killed
    for _attempt in range(3):
        try:  # another cut of the same folder may remove the shared parent meanwhile
            job.work.mkdir(parents=True)
            break
        except FileNotFoundError:
            continue
    try:
        _write_files(job)
        yield
    finally:
        shutil.rmtree(job.work, ignore_errors=True)
        with suppress(OSError):
            job.work.parent.rmdir()  # the shared .clipkit-work, once empty


def _write_files(job: CutJob) -> None:
    job.work.mkdir(parents=True, exist_ok=True)
    for path, data in job.files.items():
        path.write_bytes(data)


def smart_failure(cut: Callable[[], None], output: Path) -> str | None:
    """Run a smart cut: None when it worked, else why not (and its output is removed).

    An ffmpeg stopped by a signal is the user stopping clipkit, not a reason to re-encode.
    """
    try:
        cut()
    except (FFmpegInterrupted, MissingToolError):
        raise
    except FFmpegError as exc:
        if exc.out_of_space:
            raise  # a re-encode would only fill the disk again
        output.unlink(missing_ok=True)
        return f"smart cut failed: {exc}"
    except smartcut.SmartCutUnavailable as exc:
        output.unlink(missing_ok=True)
        return f"smart cut failed: {exc}"
    return None


@contextmanager
def writing(output: Path) -> Iterator[None]:
    """ffmpeg stopped by a full disk: an error about ``output``, with ffmpeg's own words."""
    try:
        yield
    except FFmpegError as exc:
        if not exc.out_of_space or isinstance(exc, FFmpegInterrupted):
            raise
        raise OutputError(f"{output}: cannot write: disk full ({exc})") from exc
