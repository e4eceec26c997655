"""Parse ffmpeg's ``-progress pipe:1`` output (``key=value`` lines) into a callback.

ffmpeg writes a block of ``key=value`` lines every half second, each block ending in
``progress=continue`` (or ``progress=end`` for the last one).  ``out_time_us`` (and the
misnamed ``out_time_ms``, also microseconds) says how far into the output it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

ProgressCallback = Callable[[int], None]
"""Called with the output position in milliseconds."""


class ProgressParser:
    """Feed it lines; it calls ``callback(done_ms)`` once per finished block."""

    def __init__(self, callback: ProgressCallback, total_ms: int | None = None) -> None:
        self.callback = callback
        self.total_ms = total_ms
        self.done_ms = 0
        self.finished = False
        self._block: dict[str, str] = {}

    def feed(self, line: str) -> None:
        """Take one line of ffmpeg's ``-progress`` output; report the time reached."""
        key, sep, value = line.strip().partition("=")
        if not sep:
            return
        self._block[key] = value.strip()
        if key != "progress":
            return
        position = _position_ms(self._block)
        if position is not None:
            self.done_ms = max(self.done_ms, position)
        if value.strip() == "end":
            self.finished = True
            if self.total_ms is not None:
                self.done_ms = max(self.done_ms, self.total_ms)
        if self.total_ms is not None:
            self.done_ms = min(self.done_ms, self.total_ms)
        self._block = {}
        self.callback(self.done_ms)

    def feed_all(self, lines: Iterable[str]) -> None:
        """Take every line of ``text`` (see :meth:`feed`)."""
        for line in lines:
            self.feed(line)


def _position_ms(block: dict[str, str]) -> int | None:
    for key in ("out_time_us", "out_time_ms"):  # both are microseconds
        raw = block.get(key, "")
        if raw.lstrip("-").isdigit():
            return max(0, int(raw) // 1000)
    raw = block.get("out_time", "")
    if raw and raw != "N/A":
        try:
            hours, minutes, seconds = raw.lstrip("-").split(":")
            return max(0, round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000))
        except ValueError:
            return None
    return None
