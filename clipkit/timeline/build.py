"""Selections -> an OpenTimelineIO timeline: the one model every format is written from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipkit.timeline.selection import Selection, TimelineError

__all__ = ["CAPTION_COLOR", "HIGHLIGHT_COLOR", "SourceMedia", "build_timeline"]

HIGHLIGHT_COLOR = "RED"
CAPTION_COLOR = "CYAN"
#: metadata key of everything clipkit puts on a timeline
METADATA_KEY = "clipkit"


@dataclass(frozen=True, slots=True)
class SourceMedia:
    """What the timeline says of a source file: its length in frames and picture size."""

    frames: int | None = None
    width: int = 0
    height: int = 0
    has_audio: bool = True


def build_timeline(
    otio: Any,
    selections: Sequence[Selection],
    name: str,
    media: Mapping[Path, SourceMedia] | None = None,
) -> Any:
    """One clip per selection on a video and an audio track, in order, back to back.

    Each video clip carries a marker at its first frame named by the selection's title (the
    quote as its comment); the captions are markers on the video track, one per cue, over the
    frames it is shown (record time).  ``otio`` is the ``opentimelineio`` module.
    """
    if not selections:
        raise TimelineError("nothing to put on the timeline (no selections)")
    rates = {selection.frame_rate for selection in selections}
    if len(rates) > 1:
        listed = ", ".join(sorted(f"{float(rate):.3f}" for rate in rates))
        raise TimelineError(f"the sources have different frame rates ({listed} fps): one timeline")
    rate = float(rates.pop())
    media = media or {}

    def at(frames: int) -> Any:
        return otio.opentime.RationalTime(frames, rate)

    def span(start: int, frames: int) -> Any:
        return otio.opentime.TimeRange(at(start), at(frames))

    timeline = otio.schema.Timeline(name=name)
    timeline.global_start_time = at(0)
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    record = 0
    for number, selection in enumerate(selections, 1):
        source = media.get(selection.source, SourceMedia())
        clip_name = selection.title or f"{selection.source.stem} {number}"
        for track in (video, audio) if source.has_audio else (video,):
            reference = otio.schema.ExternalReference(
                target_url=str(selection.source.resolve()),
                available_range=span(0, source.frames) if source.frames else None,
            )
            reference.metadata[METADATA_KEY] = {"width": source.width, "height": source.height}
            clip = otio.schema.Clip(
                name=clip_name,
                media_reference=reference,
                source_range=span(selection.start_frame, selection.frames),
            )
            if track is video:
                clip.markers.append(
                    otio.schema.Marker(
                        name=selection.title or clip_name,
                        marked_range=span(selection.start_frame, 0),
                        color=HIGHLIGHT_COLOR,
                        comment=selection.quote,
                        metadata={METADATA_KEY: {"kind": "highlight"}},
                    )
                )
            track.append(clip)
        for first, end, text in selection.cue_frames():
            video.markers.append(
                otio.schema.Marker(
                    name=text,
                    marked_range=span(record + first, end - first),
                    color=CAPTION_COLOR,
                    metadata={METADATA_KEY: {"kind": "caption"}},
                )
            )
        record += selection.frames
    timeline.tracks.append(video)
    if len(audio):
        timeline.tracks.append(audio)
    return timeline
