"""Reels: the planned clips joined in order into one MP4, one chapter per clip, with
optional title cards and cross-fades, and the joined captions beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from clipkit.clips.captions import caption_files, card_text
from clipkit.clips.cut import (
    WORK_FOLDER,
    CutJob,
    input_files,
    smart_failure,
    work_files,
    writing,
)
from clipkit.clips.method import CutMethod, MethodChoice, choose_method
from clipkit.clips.plan import ClipOptions, ClipPlan
from clipkit.clips.source import Source
from clipkit.errors import HighlightError, OutputError
from clipkit.fileio import atomic_outputs, ensure_not_input, output_folder
from clipkit.media import concat, smartcut
from clipkit.media.burn import picture_transform
from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_ffmpeg
from clipkit.model import Cue, Word


@dataclass(frozen=True, slots=True)
class ReelPlan:
    """A reel: its clips in order, where each lands, its captions and chapters, and how it
    is made (``method``: ``SMART`` or ``REENCODE``; ``fallback``: why not smart)."""

    clips: tuple[ClipPlan, ...]
    placements: tuple[concat.Placement, ...]
    total_ms: int
    cues: tuple[Cue, ...]
    words: tuple[Word, ...]
    title_ms: int
    xfade_ms: int
    chapters: tuple[concat.Chapter, ...]
    method: CutMethod = CutMethod.REENCODE
    fallback: str | None = None
    options: ClipOptions = field(default_factory=ClipOptions)


def plan_reel(
    source: Source,
    clips: Sequence[ClipPlan],
    title_ms: int = 0,
    xfade_ms: int = 0,
    options: ClipOptions | None = None,
) -> ReelPlan:
    """Lay ``clips`` out one after another (a ``title_ms`` card before each, ``xfade_ms``
    cross-fades between pieces) and choose how the reel is made.

    A reel of plain cuts (no burned captions, title cards or cross-fades) whose every
    clip can be smart-cut is smart-cut and joined; any other is re-encoded whole.
    ``options`` (burned captions, encoding, caption files) default to the clips' defaults.
    """
    options = options or ClipOptions()
    parts = [concat.ReelPart(c.start_ms, c.end_ms, c.title) for c in clips]
    try:
        placements, total = concat.layout(parts, source.info.frame_rate, title_ms, xfade_ms)
    except ValueError as exc:
        raise HighlightError(str(exc), clips[0].spec.source if clips else "<reel>") from exc
    style = source.caption_style
    snap = style.snap_to_frame
    cues: list[Cue] = []
    words: list[Word] = []
    for clip, placement in zip(clips, placements, strict=True):
        shift = placement.clip_start_ms
        limit = placement.chapter_end_ms
        for cue in clip.cues:
            moved = cue.shifted(shift)
            start, end = snap(moved.start_ms), min(snap(moved.end_ms), limit)
            if end <= start:
                continue
            moved = replace(moved, start_ms=start, end_ms=end)
            gap_start = snap(start - style.min_gap_ms)
            if cues and cues[-1].end_ms > gap_start:  # cross-faded pieces overlap
                cues[-1] = replace(cues[-1], end_ms=gap_start)
                if cues[-1].end_ms <= cues[-1].start_ms:
                    cues.pop()
            cues.append(moved)
        words.extend(w.shifted(shift) for w in clip.words)
    words.sort(key=lambda w: w.start_ms)
    choice = _reel_method(source, clips, options, bool(title_ms or xfade_ms))
    return ReelPlan(
        tuple(clips),
        tuple(placements),
        total,
        tuple(cues),
        tuple(words),
        title_ms,
        xfade_ms,
        tuple(concat.chapters_of(placements)),
        choice.method,
        choice.fallback,
        options,
    )


def _reel_method(
    source: Source, clips: Sequence[ClipPlan], options: ClipOptions, drawn: bool
) -> MethodChoice:
    choice = choose_method(source.info.video, options.mode, burn=options.burn, drawn=drawn)
    if choice.method is CutMethod.REENCODE:
        return choice
    for clip in clips:
        if clip.method is not CutMethod.SMART or clip.smart is None:
            return MethodChoice(
                CutMethod.REENCODE, f"{clip.name}: {clip.fallback or 'not smart-cut'}"
            )
    return MethodChoice(CutMethod.SMART)


def reel_captions(source: Source, reel: ReelPlan) -> dict[str, bytes]:
    """The reel's ``srt``, ``vtt`` and ``burn`` captions (see :func:`caption_files`)."""
    return caption_files(
        reel.cues,
        reel.words,
        duration_ms=reel.total_ms,
        style=source.caption_style,
        authored=source.authored,
        write=reel.options.write,
    )


def reel_job(
    source: Source,
    reel: ReelPlan,
    output: Path,
    method: CutMethod | None = None,
    captions: dict[str, bytes] | None = None,
    final: Path | None = None,
) -> CutJob:
    """The ffmpeg runs that make the reel into ``output`` (``method``: the plan's).

    What ``clipkit reel --dry-run`` prints and what :func:`make_reel` runs.  Their work
    folder is ``.clipkit-work/STEM`` beside the reel (``final``, by default ``output``).
    """
    final = final or output
    work = final.parent / WORK_FOLDER / final.stem
    options = reel.options
    chapters = work / "chapters.txt"
    files = {chapters: concat.ffmetadata(reel.chapters).encode()}
    if (method or reel.method) is CutMethod.SMART:
        plans = [clip.smart for clip in reel.clips if clip.smart is not None]
        commands = smartcut.SmartCommands.build(
            source.video, plans, output, options.encode, work, chapters
        )
        files.update((path, text.encode()) for path, text in commands.files.items())
        return CutJob(output, work, tuple(commands.all), files, commands)
    titles = []
    if reel.title_ms:
        for number, clip in enumerate(reel.clips, 1):
            titles.append(work / f"title-{number}.txt")
            files[titles[-1]] = card_text(clip.title).encode()
    burn_file = None
    if options.burn:
        burn_file = work / "captions.srt"
        files[burn_file] = (captions or reel_captions(source, reel))["burn"]
    info = source.info
    argv = concat.reel_command(
        source.video,
        info.width,
        info.height,
        info.frame_rate,
        [p.part for p in reel.placements],
        output,
        chapters,
        titles,
        reel.title_ms,
        reel.xfade_ms,
        options.encode,
        picture_transform(info.width, info.height, burn_file, options.burn_style),
    )
    return CutJob(output, work, (tuple(argv),), files)


def make_reel(
    source: Source,
    reel: ReelPlan,
    output: str | Path,
    on_progress: ProgressCallback | None = None,
) -> MethodChoice:
    """Write ``output`` (MP4 with one chapter per clip) and its .srt/.vtt beside it.

    Returns how it was made: the plan's method, or ``REENCODE`` with the reason when a
    smart join did not verify.  No output may be one of the inputs (:class:`OutputError`).
    """
    output = Path(output)
    srt, vtt = output.with_suffix(".srt"), output.with_suffix(".vtt")
    if output.suffix.lower() in (".srt", ".vtt"):
        raise OutputError(f"{output}: the reel is a video; its captions go beside it (.srt, .vtt)")
    inputs = input_files(source, reel.clips)
    for path in (output, srt, vtt, output.parent / WORK_FOLDER):
        ensure_not_input(path, inputs)
    captions = reel_captions(source, reel)
    with (
        output_folder(output.parent),
        writing(output),
        atomic_outputs(output, srt, vtt) as (temp_video, temp_srt, temp_vtt),
    ):
        temp_srt.write_bytes(captions["srt"])
        temp_vtt.write_bytes(captions["vtt"])
        choice = MethodChoice(reel.method, reel.fallback)
        job = reel_job(source, reel, temp_video, None, captions, output)
        with work_files(job):
            if job.smart is not None:
                plans = [clip.smart for clip in reel.clips if clip.smart is not None]
                chapters = job.work / "chapters.txt"
                why = smart_failure(
                    lambda: smartcut.smart_join(
                        source.video,
                        plans,
                        temp_video,
                        reel.options.encode,
                        on_progress,
                        chapters,
                        job.work,
                    ),
                    temp_video,
                )
                if why is None:
                    return choice
                choice = MethodChoice(CutMethod.REENCODE, why)
                job = reel_job(source, reel, temp_video, CutMethod.REENCODE, captions, output)
                for path, data in job.files.items():
                    path.write_bytes(data)
            for argv in job.commands:
                run_ffmpeg(argv, on_progress, reel.total_ms, what="ffmpeg (reel)")
    return choice
