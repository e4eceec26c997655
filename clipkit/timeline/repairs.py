"""What the OpenTimelineIO adapters get wrong, put right (each checked by tests/test_timeline.py).

- ``kdenlive`` (otio-kdenlive-adapter 0.0.3): prints a banner on stdout; writes times as
  ``HH:MM:SS.mmm`` clocks that MLT reads a frame late at 23.976 and 29.97 fps past the first
  minute (it rounds ``fps * seconds``); a 1920x1080 profile whatever the source; no marker but
  the timeline's.  Written here: whole frame numbers, the source's size, a guide per highlight.
- ``fcpx_xml`` (otio-fcpx-xml-adapter 1.0.0): no frame duration for 23.976 fps (the write
  fails), and on reading every rate truncated to an integer and every time truncated to a
  frame (23.976 read as 23 fps).  Patched while clipkit writes and reads: exact rational times.
  It also writes the asset's path where FCPXML wants a URL, and browser clips beside the
  project at the top (the DTD allows one or the other): a ``file://`` URL, and an event
  holding both.  Marker comments become FCPXML's ``note`` (and are read back from it).
- ``fcp_xml`` (otio-fcp-adapter 1.0.0): drops marker comments and the markers of top-level
  tracks, and writes a plain path as ``pathurl``.  Comments go through the adapter's own
  metadata (``<comment>``, in the DTD's order); the captions become sequence markers with
  their in and out; the path a ``file://localhost/`` URL, as Premiere Pro reads it.
- ``cmx_3600`` (otio-cmx3600-adapter 1.0.0): upper-cases marker names, and writes the video
  track only (channel ``V``).  Their case is kept, and each event is ``B`` (video and audio 1).
"""

from __future__ import annotations

import contextlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import quote

from clipkit.style import CaptionStyle
from clipkit.timeline.build import CAPTION_COLOR, METADATA_KEY, SourceMedia

__all__ = ["exact_rate", "fcpx_patched", "prepare", "repair_text", "restore", "silenced"]

_FCP_META = "fcp_xml"


def exact_rate(rate: float) -> Fraction:
    """24000/1001 for 23.976 or 23.976023976..., 25 for 25.0: the rule of the frame grid."""
    return CaptionStyle(fps=rate).frame_rate


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """The kdenlive adapter prints; library code does not."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _kind(marker: Any) -> str:
    return str((marker.metadata.get(METADATA_KEY) or {}).get("kind", ""))


def prepare(otio: Any, timeline: Any, adapter: str) -> Any:
    """The timeline as the adapter should get it (a copy when anything changes)."""
    if adapter == "fcp_xml":
        timeline = timeline.deepcopy()
        video = timeline.video_tracks()[0]
        for clip in timeline.find_clips():
            for marker in clip.markers:
                if marker.comment:
                    marker.metadata[_FCP_META] = {"comment": marker.comment}
        for marker in list(video.markers):
            timeline.tracks.markers.append(marker.deepcopy())
        video.markers[:] = []
    elif adapter == "kdenlive":
        timeline = timeline.deepcopy()
        video = timeline.video_tracks()[0]
        record = 0
        for clip in video:
            for marker in clip.markers:
                offset = marker.marked_range.start_time - clip.source_range.start_time
                guide = otio.schema.Marker(
                    name=marker.name,
                    marked_range=otio.opentime.TimeRange(
                        otio.opentime.RationalTime(record, clip.source_range.start_time.rate)
                        + offset,
                        marker.marked_range.duration,
                    ),
                    color=marker.color,
                )
                timeline.tracks.markers.append(guide)
            record += clip.source_range.duration.to_frames()
    return timeline


def repair_text(text: str, adapter: str, timeline: Any, media: Mapping[Path, SourceMedia]) -> str:
    """The adapter's output with its mistakes put right."""
    if adapter == "kdenlive":
        return _repair_mlt(text, timeline, media)
    if adapter == "cmx_3600":
        return _repair_edl(text, timeline)
    if adapter == "fcpx_xml":
        return _repair_fcpx(text, timeline)
    if adapter == "fcp_xml":
        return _repair_fcp7(text)
    return text


def restore(timeline: Any, adapter: str) -> Any:
    """A timeline read back, with what :func:`prepare` moved put back where clipkit keeps it."""
    if not hasattr(timeline, "tracks"):  # an event's collection (FCPXML): its timeline
        timeline = next(child for child in timeline if hasattr(child, "tracks"))
    if adapter == "fcp_xml":
        for clip in timeline.find_clips():
            for marker in clip.markers:
                comment = (marker.metadata.get(_FCP_META) or {}).get("comment")
                if comment:
                    marker.comment = comment
        videos = timeline.video_tracks()
        if videos:
            for marker in list(timeline.tracks.markers):
                marker.color = CAPTION_COLOR
                videos[0].markers.append(marker.deepcopy())
            timeline.tracks.markers[:] = []
    return timeline


def _rate(timeline: Any) -> float:
    return float(timeline.duration().rate)


def _repair_mlt(text: str, timeline: Any, media: Mapping[Path, SourceMedia]) -> str:
    from otio_kdenlive_adapter.adapters import kdenlive

    rate = _rate(timeline)
    root = ET.fromstring(text)
    for element in root.iter():
        for attribute in ("in", "out", "length"):
            value = element.get(attribute)
            if value and ":" in value:
                frames = kdenlive.time(value, rate).to_frames()
                element.set(attribute, str(frames))
    frames = {str(path.resolve()): m.frames for path, m in media.items() if m.frames}
    for producer in root.iter("producer"):
        resource = producer.findtext("property[@name='resource']")
        if resource not in frames:
            continue
        # the adapter widens the producer by its own clocks and adds a length per clip
        producer.set("in", "0")
        producer.set("out", str(frames[resource] - 1))
        lengths = producer.findall("property[@name='length']")
        for extra in lengths[1:]:
            producer.remove(extra)
        if lengths:
            lengths[0].text = str(frames[resource])
    for entry in root.iterfind("playlist[@id='main_bin']/entry"):  # the bin: whole files
        found = root.find(f"producer[@id='{entry.get('producer')}']")
        resource = found.findtext("property[@name='resource']") if found is not None else None
        if resource in frames:
            entry.set("out", str(frames[resource] - 1))
    black = root.find("producer[@id='black_track']")
    if black is not None:  # a color producer runs 15000 frames unless told: the reel's length
        black.set("in", "0")
        black.set("out", str(timeline.duration().to_frames() - 1))
    sizes = [(m.width, m.height) for m in media.values() if m.width and m.height]
    profile = root.find("profile")
    if profile is not None and sizes:
        width, height = sizes[0]
        exact = exact_rate(rate)
        profile.set("width", str(width))
        profile.set("height", str(height))
        ratio = Fraction(width, height)
        profile.set("display_aspect_num", str(ratio.numerator))
        profile.set("display_aspect_den", str(ratio.denominator))
        profile.set("description", f"{width}x{height} {float(exact):.3f} fps")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _repair_edl(text: str, timeline: Any) -> str:
    if timeline.audio_tracks():  # every event is the source's picture and its sound
        text = re.sub(r"^(\d{3}  \S+ +)V    ", r"\1B    ", text, flags=re.M)
    names = [marker.name for clip in timeline.video_tracks()[0] for marker in clip.markers]
    by_upper: dict[str, str] = {str(name).upper(): str(name) for name in names}

    def keep_case(match: re.Match[str]) -> str:
        return match[1] + by_upper.get(match[2], match[2])

    return re.sub(r"^(\* LOC: \S+ \S+ +)(.*)$", keep_case, text, flags=re.M)


def _repair_fcp7(text: str) -> str:
    root = ET.fromstring(text)
    for pathurl in root.iter("pathurl"):  # Premiere wants file://localhost/ URLs
        path = pathurl.text or ""
        if path.startswith("/"):
            pathurl.text = "file://localhost" + quote(path)
    for marker in root.iter("marker"):  # the DTD's order: name, comment, in, out
        order = {"name": 0, "comment": 1, "in": 2, "out": 3}
        children = sorted(marker, key=lambda child: order.get(child.tag, 4))
        marker[:] = children
    ET.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


def _repair_fcpx(text: str, timeline: Any) -> str:
    comments = {
        marker.name: marker.comment
        for clip in timeline.video_tracks()[0]
        for marker in clip.markers
        if marker.comment
    }
    root = ET.fromstring(text)
    for marker in root.iter("marker"):
        note = comments.get(marker.get("value", ""))
        if note:
            marker.set("note", note)
    for asset in root.iter("asset"):  # a URL, as Final Cut Pro needs it
        src = asset.get("src", "")
        if src.startswith("/"):
            asset.set("src", Path(src).as_uri())
    # the DTD allows clips or projects at the top, not both: an event holds them together
    loose = [child for child in root if child.tag in ("asset-clip", "ref-clip", "project")]
    if loose:
        event = ET.Element("event", {"name": str(timeline.name or "clipkit")})
        for child in loose:
            root.remove(child)
            event.append(child)
        root.append(event)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n"


@contextlib.contextmanager
def fcpx_patched() -> Iterator[None]:
    """The fcpx adapter with exact rational times (see the module's docstring)."""
    import opentimelineio as otio

    # the module OpenTimelineIO loaded from the plugin's file (not otio_fcpx_xml_adapter's)
    fcpx_xml = otio.adapters.from_name("fcpx_xml").module()

    def seconds(value: str | None) -> Fraction:
        if not value or value == "0s":
            return Fraction(0)
        return Fraction(value.rstrip("s"))

    def frame_duration(rate: float) -> str:
        step = 1 / exact_rate(rate)
        return f"{step.numerator}/{step.denominator}s"

    def to_rational_time(rational_number: str | None, fps: float) -> Any:
        rate = exact_rate(fps)
        return otio.opentime.RationalTime(round(seconds(rational_number) * rate), float(rate))

    def from_rational_time(time: Any) -> str:
        value = Fraction(round(time.value)) / exact_rate(time.rate)
        return _rational(value)

    def calculate(duration: float, rate: float) -> str:
        return _rational(Fraction(round(duration)) / exact_rate(rate))

    def rate_of(format_element: Any) -> float:
        return float(1 / seconds(format_element.get("frameDuration")))

    def writer_rate(self: Any, element: Any, default_format_id: str) -> float:
        format_id = _format_id(self, element, default_format_id)
        found = self.resource_element.find(f"./format[@id='{format_id}']")
        return rate_of(found)

    def reader_rate(self: Any, format_id: str) -> float:
        return rate_of(self._format_by_id(format_id))

    def number_of_frames(self: Any, time_value: str | None, format_id: str) -> int:
        return round(seconds(time_value) * exact_rate(reader_rate(self, format_id)))

    read_marker = fcpx_xml.FcpxXml._marker

    def marker_with_note(self: Any, element: Any, default_format: str) -> Any:
        marker = read_marker(self, element, default_format)
        marker.comment = element.get("note", "")
        return marker

    patches = [
        (fcpx_xml.FcpxXml, "_marker", marker_with_note),
        (fcpx_xml, "to_rational_time", to_rational_time),
        (fcpx_xml, "from_rational_time", from_rational_time),
        (fcpx_xml.FcpxOtio, "_framerate_to_frame_duration", staticmethod(frame_duration)),
        (fcpx_xml.FcpxOtio, "_calculate_rational_number", staticmethod(calculate)),
        (fcpx_xml.FcpxOtio, "_frame_rate_from_element", writer_rate),
        (fcpx_xml.FcpxXml, "_format_frame_rate", reader_rate),
        (fcpx_xml.FcpxXml, "_number_of_frames", number_of_frames),
    ]
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    try:
        for owner, name, value in patches:
            setattr(owner, name, value)
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def _rational(value: Fraction) -> str:
    if value == 0:
        return "0s"
    if value.denominator == 1:
        return f"{value.numerator}s"
    return f"{value.numerator}/{value.denominator}s"


def _format_id(writer: Any, element: Any, default_format_id: str) -> str:
    """The format an element of the fcpx writer's tree uses (its own lookup, repeated)."""
    if element.tag == "ref-clip":
        media = writer._media_by_id(element.get("ref"))
        return str(media.find("./sequence").get("format"))
    if element.tag == "clip":
        gap = element.find("./gap")
        ref = (
            gap.find("./audio").get("ref")
            if gap is not None
            else element.find("./video").get("ref")
        )
        return str(writer._asset_by_id(ref).get("format"))
    if element.tag == "asset-clip":
        return str(writer._asset_by_id(element.get("ref")).get("format"))
    return default_format_id
