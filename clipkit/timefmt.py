"""Every way clipkit writes or reads a time, defined once.

Times are integer milliseconds everywhere inside clipkit; this module turns them into text
and back:

=========================  ===================  ==========================================
function                   looks like           used for
=========================  ===================  ==========================================
:func:`format_timestamp`   ``01:02:03.456``     SRT (``,``) and WebVTT stamps, manifests
:func:`parse_timestamp`    ``[HH:]MM:SS.mmm``   reading SRT and WebVTT stamps
:func:`format_clock`       ``05:44``            times in highlight files
:func:`parse_time`         ``05:44``, ``344``   times in highlight files, given by people
:func:`parse_seconds`      ``0.25``             lengths in seconds (a highlight's pad)
:func:`format_time`        ``05:44.0``          times in messages and plans
:func:`format_whole_clock` ``12:03``, ``1:01:40`` spans in messages (what alignment kept)
:func:`format_whole_seconds` ``01:02:03``       the txt writer's paragraph stamps
:func:`to_seconds`         ``3723.456``         JSON output (seconds, 3 decimals)
=========================  ===================  ==========================================
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from clipkit.errors import CaptionParseError, InvalidValueError

__all__ = [
    "CHAPTER_TIME",
    "MAX_TIME_MS",
    "MAX_TIME_TEXT",
    "format_chapter_time",
    "format_clock",
    "format_time",
    "format_timestamp",
    "format_whole_clock",
    "format_whole_seconds",
    "parse_seconds",
    "parse_time",
    "parse_timestamp",
    "timestamp_too_late",
    "to_seconds",
]

#: The latest time clipkit reads or writes: 99:59:59.999, the most a two-digit-hour
#: ``HH:MM:SS.mmm`` stamp holds.  Anything later in a caption file is a corrupt stamp.
MAX_TIME_MS = ((99 * 60 + 59) * 60 + 59) * 1000 + 999
MAX_TIME_TEXT = "99:59:59.999"

_HOUR_MS = 3_600_000
_MINUTE_MS = 60_000
_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)$")


def _split(ms: int) -> tuple[int, int, int, int]:
    hours, rest = divmod(ms, _HOUR_MS)
    minutes, rest = divmod(rest, _MINUTE_MS)
    seconds, millis = divmod(rest, 1000)
    return hours, minutes, seconds, millis


# ---------------------------------------------------------------- caption file stamps


def format_timestamp(ms: int, separator: str = ".") -> str:
    """``HH:MM:SS.mmm`` (``separator=","`` for SRT)."""
    hours, minutes, seconds, millis = _split(ms)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def parse_timestamp(value: str) -> int:
    """An SRT/WebVTT stamp, ``[HH:]MM:SS.mmm`` (or ``,mmm``), to integer milliseconds.

    A time past :data:`MAX_TIME_MS` is a :func:`timestamp_too_late` error without a line
    (the caller knows where the stamp is); a stamp that is not digits is a ValueError.
    """
    if len(value) == 12 and value[2] == ":" and value[5] == ":":  # HH:MM:SS.mmm, the usual
        ms = ((int(value[0:2]) * 60 + int(value[3:5])) * 60 + int(value[6:8])) * 1000 + int(
            value[9:12]
        )
    else:
        main, _, frac = value.replace(",", ".").partition(".")
        parts = main.split(":")
        if len(parts[0].lstrip("0")) > 3:  # 1000 hours or more; int() of it may not even work
            raise timestamp_too_late(value)
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + int(part)
        millis = int((frac + "00")[:3]) if frac else 0
        ms = seconds * 1000 + millis
    if ms > MAX_TIME_MS:
        raise timestamp_too_late(value)
    return ms


def timestamp_too_late(value: str) -> CaptionParseError:
    """The error for a stamp past the latest time; ``snippet`` holds the stamp as written."""
    return CaptionParseError(
        f"time past {MAX_TIME_TEXT}, the latest clipkit reads", snippet=value[:60]
    )


# ---------------------------------------------------------------- times people write


def format_clock(ms: int) -> str:
    """A time as a highlight file holds it: ``MM:SS`` for whole seconds under an hour,
    else ``HH:MM:SS.mmm``.  :func:`parse_time` reads both back exactly."""
    hours, minutes, seconds, millis = _split(ms)
    if hours == 0 and millis == 0:
        return f"{minutes:02d}:{seconds:02d}"
    return format_timestamp(ms)


#: A chapter's time in a YouTube description: ``0:00``, ``05:44``, ``1:02:03`` (whole seconds).
CHAPTER_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"


def format_chapter_time(ms: int) -> str:
    """A chapter's start as YouTube descriptions write it: ``MM:SS`` under an hour, else
    ``H:MM:SS``; the second ``ms`` falls in (YouTube counts chapters in whole seconds)."""
    hours, minutes, seconds, _ = _split(ms)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def parse_time(value: object) -> int:
    """``"05:44"``, ``"1:02:03.5"``, ``"00:05:44.000"``, ``344`` or ``"344.5"`` -> ms.

    At most :data:`MAX_TIME_MS` (99:59:59.999); NaN, infinities and numbers too long to
    be a time are an :class:`~clipkit.errors.InvalidValueError` like any other mistake.
    """
    if isinstance(value, bool):
        raise InvalidValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float, Decimal)):
        # a float as its shortest decimal: 359999.999 as written, not its binary neighbour
        seconds = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if seconds.is_nan():
            raise InvalidValueError(f"not a time: {_shown(value)}")
    else:
        text = str(value).strip().replace(",", ".")
        match = _TIME.match(text)
        if not match:
            raise InvalidValueError(
                f"not a time: {_shown(value)} (use seconds, MM:SS or HH:MM:SS.mmm)"
            )
        hours, minutes, secs = (Decimal(part or 0) for part in match.groups())
        if (match[1] is not None or match[2] is not None) and secs >= 60:
            raise InvalidValueError(f"not a time: {_shown(value)} (seconds must be below 60)")
        if match[1] is not None and minutes >= 60:
            raise InvalidValueError(f"not a time: {_shown(value)} (minutes must be below 60)")
        seconds = hours * 3600 + minutes * 60 + secs
    if seconds < 0:
        raise InvalidValueError(f"negative time: {_shown(value)}")
    if seconds * 1000 > MAX_TIME_MS:
        raise InvalidValueError(
            f"{_shown(value)} is beyond {MAX_TIME_TEXT}, the longest time clipkit handles"
        )
    return round(seconds * 1000)


def parse_seconds(value: object) -> Decimal:
    """A finite number of seconds, written as a number or as text, exactly as written."""
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        written = repr(value) if isinstance(value, float) else value
        number = Decimal(written if isinstance(written, (int, Decimal)) else str(written).strip())
    except (InvalidOperation, ValueError):
        raise InvalidValueError(f"expected seconds, got {_shown(value)}") from None
    if not number.is_finite():
        raise InvalidValueError(f"expected seconds, got {_shown(value)}")
    return number


def _shown(value: object, limit: int = 24) -> str:
    """A value as a message quotes it: short, on one line."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


# ---------------------------------------------------------------- times clipkit shows


def format_time(ms: int) -> str:
    """``MM:SS.s`` under an hour, ``H:MM:SS.s`` above: how times appear in messages."""
    hours, rest = divmod(ms, _HOUR_MS)
    minutes, rest = divmod(rest, _MINUTE_MS)
    secs = rest / 1000
    if hours:
        return f"{hours}:{minutes:02d}:{secs:04.1f}"
    return f"{minutes:02d}:{secs:04.1f}"


def format_whole_clock(ms: int) -> str:
    """``MM:SS`` under an hour, ``H:MM:SS`` above: :func:`format_time` to the second
    ``ms`` falls in (never rounded up)."""
    hours, minutes, seconds, _ = _split(ms)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def format_whole_seconds(ms: int) -> str:
    """``HH:MM:SS``, the second ``ms`` falls in (never rounded up)."""
    hours, minutes, seconds, _ = _split(ms)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def to_seconds(ms: int) -> float:
    """Seconds with three decimals, as JSON output holds times."""
    return round(ms / 1000, 3)
