"""Smart cut: frame-accurate H.264 clips that re-encode only the frames they must.

A clip of the frames ``[first, end)`` of an H.264 stream with closed groups of
pictures is made of three pieces::

    head    first .. k1    re-encoded   (k1: the first keyframe at or after ``first``)
    middle  k1 .. stop     stream copy  (bit-identical to the source)
    tail    stop .. end    re-encoded

``stop`` is the last safe stopping point before ``end``: a keyframe, or a point inside
the last group of pictures before which every frame has been shown (with B-frames,
after an anchor frame's B-frames), so the tail is usually a few frames.

The head and tail are encoded to match the source stream (size, pixel format,
profile and level, frame rate and time base, colour signalling, decoding delay) at a
quality capped by the source's own bitrate.  The pieces are joined by ffmpeg's concat
demuxer, which puts each piece's parameter sets in-band before its first keyframe,
with the audio of the whole span re-encoded (with the usual edge fades) beside them.

By stage: :mod:`.plan` (which frames are copied), :mod:`.commands` (the ffmpeg runs, as
data), :mod:`.verify` (the checks), :mod:`.run` (running them).  Anything this package
cannot do raises :class:`SmartCutUnavailable` with the reason; callers fall back to a
full re-encode.
"""

from clipkit.media.smartcut.commands import (
    SmartCommands,
    audio_command,
    concat_list,
    join_command,
    mux_command,
    piece_command,
    seek_before,
    seek_onto,
    x264_options,
)
from clipkit.media.smartcut.plan import (
    Piece,
    SmartCutUnavailable,
    SmartPlan,
    mismatch,
    picture,
    plan_for,
    plan_smart_cut,
)
from clipkit.media.smartcut.run import smart_cut, smart_join
from clipkit.media.smartcut.verify import (
    Window,
    compare_command,
    compare_windows,
    parse_psnr,
    structure_problems,
    verify_windows,
    window_problems,
)

__all__ = [
    "Piece",
    "SmartCommands",
    "SmartCutUnavailable",
    "SmartPlan",
    "Window",
    "audio_command",
    "compare_command",
    "compare_windows",
    "concat_list",
    "join_command",
    "mismatch",
    "mux_command",
    "parse_psnr",
    "picture",
    "piece_command",
    "plan_for",
    "plan_smart_cut",
    "seek_before",
    "seek_onto",
    "smart_cut",
    "smart_join",
    "structure_problems",
    "verify_windows",
    "window_problems",
    "x264_options",
]
