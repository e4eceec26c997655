"""``manifest.json``: what was asked for, how each cut was snapped, and how it was made."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clipkit.clips.method import CutMethod
from clipkit.clips.plan import ClipOptions, ClipPlan
from clipkit.clips.source import Source
from clipkit.timefmt import format_timestamp


def _times(ms: int) -> dict[str, Any]:
    return {"ms": ms, "time": format_timestamp(ms)}


def plan_record(plan: ClipPlan) -> dict[str, Any]:
    """One clip's entry: requested, snapped and cut times, its method and captions."""
    return {
        "name": plan.name,
        "title": plan.title,
        "highlight_line": plan.spec.line,
        "requested": {
            "start": _times(plan.requested_start_ms),
            "end": _times(plan.requested_end_ms),
            "from": plan.spec.from_quote,
            "to": plan.spec.to_quote,
            "pad_s": plan.spec.pad_ms / 1000,
        },
        "snapped": {
            "start": _times(plan.start_snap.snapped_ms),
            "end": _times(plan.end_snap.snapped_ms),
            "start_rule": plan.start_snap.rule,
            "end_rule": plan.end_snap.rule,
            # a snap not made because it would have cut off a quoted word, and why
            "start_refused": plan.start_snap.refused,
            "end_refused": plan.end_snap.refused,
        },
        "cut": {
            "start": _times(plan.start_ms),
            "end": _times(plan.end_ms),
            "duration_ms": plan.duration_ms,
        },
        "method": plan.method.value,
        "fallback": plan.fallback,
        "smart_cut": plan.smart.summary()
        if plan.method is CutMethod.SMART and plan.smart
        else None,
        "captions": len(plan.cues),
        "notes": list(plan.notes),
    }


def clip_manifest(
    source: Source,
    plans: Sequence[ClipPlan],
    options: ClipOptions,
    captions_path: str | Path | None = None,
) -> dict[str, Any]:
    """The manifest of the clips cut so far (``plans`` as carried out)."""
    return {
        "source": str(source.video),
        "captions": str(captions_path) if captions_path else None,
        "mode": options.mode.value,
        "burned_captions": options.burn,
        "vertical": options.vertical is not None,
        "clips": [
            {
                **plan_record(plan),
                "files": {ext: f"{plan.name}.{ext}" for ext in ("mp4", "srt", "vtt")},
            }
            for plan in plans
        ],
    }
