"""How a clip or a reel is cut: the one rule, :func:`choose_method`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from clipkit.errors import OptionError
from clipkit.media.probe import VideoStream
from clipkit.media.smartcut import mismatch


class CutMethod(str, Enum):
    """How a cut is made (and, asked for, how it should be).

    ``SMART``: frame-accurate, re-encoding only the frames at its edges (an H.264 MP4 whose
    picture is not changed), else a re-encode; ``REENCODE``: frame-accurate, every frame
    re-encoded; ``COPY``: stream copy from the keyframe at or before the start.
    """

    SMART = "smart"
    REENCODE = "reencode"
    COPY = "copy"


@dataclass(frozen=True, slots=True)
class MethodChoice:
    """The method a cut will use, and why it is not the one asked for (``None``: it is)."""

    method: CutMethod
    fallback: str | None = None


def cut_method(mode: CutMethod | str) -> CutMethod:
    """``mode`` as a :class:`CutMethod` (:class:`OptionError` on the ``mode`` field if unknown)."""
    try:
        return CutMethod(mode)
    except ValueError:
        known = ", ".join(m.value for m in CutMethod)
        raise OptionError("mode", f"unknown cut mode {mode!r} (one of {known})") from None


def check_mode(mode: CutMethod, *, burn: bool = False, vertical: bool = False) -> None:
    """Refuse what no cut can do: a stream copy that changes the picture."""
    if mode is CutMethod.COPY and (burn or vertical):
        raise OptionError(
            "mode",
            "a stream copy cannot change the picture: burned-in captions and the vertical "
            "crop need a re-encode",
        )


def choose_method(
    stream: VideoStream | None,
    mode: CutMethod | str = CutMethod.SMART,
    *,
    burn: bool = False,
    vertical: bool = False,
    drawn: bool = False,
) -> MethodChoice:
    """How a cut of ``stream`` is made when ``mode`` is asked for.

    ``burn``: captions burned into the picture; ``vertical``: the 9:16 crop; ``drawn``:
    title cards or cross-fades drawn between a reel's pieces.  A smart cut copies the
    source's picture, so any of them (or a source x264 cannot match: not H.264, not MP4,
    ...) makes it a full re-encode, with the reason; a copy that would have to change the
    picture is an :class:`OptionError`.  The same rule for clips, reels and the command.
    A smart cut chosen here can still fall back for one clip (its frames are not evenly
    spaced, it lies within one group of pictures) or when it does not verify.
    """
    mode = cut_method(mode)
    check_mode(mode, burn=burn, vertical=vertical or drawn)
    if mode is not CutMethod.SMART:
        return MethodChoice(mode)
    changed = [
        what
        for what, applies in (
            ("the captions are burned in", burn),
            ("the picture is cropped to 9:16", vertical),
            ("title cards and cross-fades are drawn", drawn),
        )
        if applies
    ]
    if changed:
        return MethodChoice(CutMethod.REENCODE, " and ".join(changed))
    reason = mismatch(stream) if stream is not None else "the source has no video stream"
    if reason:
        return MethodChoice(CutMethod.REENCODE, reason)
    return MethodChoice(CutMethod.SMART)
