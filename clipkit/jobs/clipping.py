"""The batch's one door into clip and reel cutting: what ``clipkit clip`` and ``clipkit reel``
do for one talk, behind two functions, so that the cutting API can change under them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clipkit import (
    ClipOptions,
    CutMethod,
    cut_clips,
    load_highlights,
    make_reel,
    open_source,
    plan_clips,
    plan_reel,
)
from clipkit.jobs.model import ClipSettings, ReelSettings
from clipkit.media.burn import VerticalCrop
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions

__all__ = ["Cut", "cut_talk_clips", "make_talk_reel"]


@dataclass(frozen=True, slots=True)
class Cut:
    """What a talk's clips or reel are cut from, and the caption options of their captions."""

    video: Path
    captions: Path | None
    highlights: Path
    style: CaptionStyle
    write: WriteOptions
    fps: float | None = None  # None: the video's own frame rate


def cut_talk_clips(cut: Cut, settings: ClipSettings, out_dir: Path) -> list[Path]:
    """``clipkit clip`` into ``out_dir``: every file written (clips, captions, manifest)."""
    options = ClipOptions(
        out_dir=out_dir,
        mode=CutMethod(settings.mode),
        snap=settings.snap,
        burn=settings.burn,
        vertical=VerticalCrop() if settings.vertical else None,
        write=cut.write,
    )
    source = open_source(cut.video, cut.captions, cut.style, cut.fps)
    plans = plan_clips(source, load_highlights(cut.highlights), options)
    manifest = cut_clips(source, plans, options, None, cut.captions)
    files = [out_dir / f"{plan.name}{ext}" for plan in plans for ext in (".mp4", ".srt", ".vtt")]
    return [*files, manifest]


def make_talk_reel(cut: Cut, settings: ReelSettings, output: Path) -> list[Path]:
    """``clipkit reel -o output``: the reel and its .srt and .vtt."""
    options = ClipOptions(out_dir=output.parent, write=cut.write)
    source = open_source(cut.video, cut.captions, cut.style, cut.fps)
    plans = plan_clips(source, load_highlights(cut.highlights), options)
    reel = plan_reel(source, plans, settings.titles_ms, settings.xfade_ms, options)
    make_reel(source, reel, output)
    return [output, output.with_suffix(".srt"), output.with_suffix(".vtt")]
