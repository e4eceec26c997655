"""Highlights as an editorial timeline, through OpenTimelineIO (the ``timeline`` extra).

    >>> from clipkit.timeline import Selection, write_timeline
    >>> write_timeline([Selection("talk.mp4", 25, 8725, 10775, "Wells Fargo")],
    ...                "highlights.xml")  # doctest: +SKIP

The format is the file's extension: ``.otio``, ``.xml`` (FCP 7 XML: Premiere Pro, DaVinci
Resolve), ``.fcpxml`` (Final Cut Pro), ``.edl`` (CMX 3600), ``.kdenlive`` (Kdenlive/MLT).
Each selection is one clip on a video and an audio track, in order, at the source's frame
rate, referencing the source file (so an editor can trim handles), with a marker named by
its title (the quote as comment); the captions are markers over their frames where the
format has room for them.  What the adapters get wrong is repaired (:mod:`.repairs`).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from clipkit.errors import ClipkitError
from clipkit.fileio import atomic_write_bytes
from clipkit.timeline.build import SourceMedia, build_timeline
from clipkit.timeline.selection import Selection, TimelineError

__all__ = [
    "EXTRA_HINT",
    "FORMATS",
    "Selection",
    "SourceMedia",
    "TimelineError",
    "read_timeline",
    "require_timeline",
    "timeline_adapter",
    "write_timeline",
]

#: extension -> (OpenTimelineIO adapter, the PyPI package that provides it)
FORMATS: dict[str, tuple[str, str]] = {
    ".otio": ("otio_json", "opentimelineio"),
    ".xml": ("fcp_xml", "otio-fcp-adapter"),
    ".fcpxml": ("fcpx_xml", "otio-fcpx-xml-adapter"),
    ".edl": ("cmx_3600", "otio-cmx3600-adapter"),
    ".kdenlive": ("kdenlive", "otio-kdenlive-adapter"),
}
EXTRA_HINT = "pip install 'clipkit[timeline]'"


def timeline_adapter(path: str | Path) -> str:
    """The OpenTimelineIO adapter a file's extension asks for."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TimelineError(
            f"{path}: unknown timeline format {suffix or '(no extension)'!r} "
            f"(choose from {', '.join(FORMATS)})"
        )
    return FORMATS[suffix][0]


def _otio(path: str | Path) -> tuple[ModuleType, str]:
    adapter = timeline_adapter(path)
    package = FORMATS[Path(path).suffix.lower()][1]
    try:
        otio = importlib.import_module("opentimelineio")
    except ImportError:
        raise TimelineError(
            f"{path}: timelines need OpenTimelineIO, which is not installed: {EXTRA_HINT}"
        ) from None
    if adapter not in otio.adapters.available_adapter_names():
        raise TimelineError(
            f"{path}: {Path(path).suffix} timelines need {package}, which is not installed: "
            f"{EXTRA_HINT}"
        )
    return otio, adapter


def require_timeline(path: str | Path) -> None:
    """Say now, before any work, that ``path`` cannot be written (its extension, the extra)."""
    _otio(path)


def source_media(path: Path, fps: float) -> SourceMedia:
    """What ffprobe says of a source: its length in frames, its size, whether it has audio."""
    from clipkit.media.probe import probe
    from clipkit.style import CaptionStyle

    info = probe(path)
    frames = CaptionStyle(fps=fps).frame_index(info.duration_ms) if info.duration_ms else None
    return SourceMedia(frames, info.width, info.height, info.has_audio)


def write_timeline(
    selections: Sequence[Selection],
    path: str | Path,
    name: str | None = None,
    media: dict[Path, SourceMedia] | None = None,
) -> Path:
    """Write ``selections`` as the timeline format of ``path``'s extension, atomically.

    ``media`` says what each source is (length, size, audio); by default each is probed.
    """
    path = Path(path)
    otio, adapter = _otio(path)
    if media is None:
        media = {s.source: source_media(s.source, s.fps) for s in selections}
    timeline = build_timeline(otio, selections, name or path.stem, media)
    atomic_write_bytes(path, render_timeline(otio, timeline, adapter, media).encode("utf-8"))
    return path


def render_timeline(
    otio: ModuleType, timeline: Any, adapter: str, media: dict[Path, SourceMedia]
) -> str:
    """A built timeline as the text of ``adapter``'s format, repaired."""
    from clipkit.timeline import repairs

    prepared = repairs.prepare(otio, timeline, adapter)
    try:
        with repairs.silenced(), _patched(adapter):
            text = otio.adapters.write_to_string(prepared, adapter)
    except Exception as exc:  # an adapter's own mistake: one line, not a traceback
        if isinstance(exc, ClipkitError):
            raise
        raise TimelineError(f"the {adapter} adapter failed: {exc}") from exc
    return repairs.repair_text(str(text), adapter, timeline, media)


def read_timeline(path: str | Path, fps: float | None = None) -> Any:
    """A timeline file read with OpenTimelineIO (an EDL needs ``fps``: it has no rate)."""
    from clipkit.timeline import repairs

    otio, adapter = _otio(path)
    options: dict[str, Any] = {}
    if adapter == "cmx_3600":
        options["rate"] = float(repairs.exact_rate(fps or 25.0))
    with repairs.silenced(), _patched(adapter):
        timeline = otio.adapters.read_from_file(str(path), adapter, **options)
    return repairs.restore(timeline, adapter)


def _patched(adapter: str) -> Any:
    import contextlib

    from clipkit.timeline import repairs

    return repairs.fcpx_patched() if adapter == "fcpx_xml" else contextlib.nullcontext()
