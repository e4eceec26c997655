"""Planning clips: every highlight resolved, checked, snapped and given its method and
captions before any ffmpeg run, so that a mistake anywhere leaves nothing behind.

A plan holds no ffmpeg command: :mod:`clipkit.clips.cut` builds them, once, from it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from clipkit.clips.captions import VERTICAL_MAX_CHARS, clip_cues, clip_words
from clipkit.clips.method import CutMethod, MethodChoice, check_mode, choose_method, cut_method
from clipkit.clips.source import Source
from clipkit.errors import OptionError
from clipkit.highlights import HighlightSpec, resolve
from clipkit.media import smartcut
from clipkit.media.burn import BurnStyle, VerticalCrop
from clipkit.media.cut import EncodeSettings
from clipkit.media.probe import MediaInfo, keyframe_at_or_before
from clipkit.media.silence import Silence, detect_silences
from clipkit.model import Cue, Word
from clipkit.snapping import Snap, SnapSettings, boundaries, snap_cut
from clipkit.timefmt import format_time
from clipkit.writers import WriteOptions

MIN_CLIP_MS = 500

SilenceFinder = Callable[[Sequence[tuple[int, int]]], list[Silence]]


@dataclass(frozen=True, slots=True)
class ClipOptions:
    """How clips are cut: where they go, the method asked for, snapping, the picture.

    ``mode`` is a :class:`CutMethod` (or its name); ``vertical`` a 9:16 crop; ``write``
    the caption files' options (a time shift, CRLF, a BOM); ``vertical_max_chars`` the
    line length of captions laid out for the vertical frame.  A stream copy that changes
    the picture is refused here (:class:`~clipkit.errors.OptionError` on ``mode``).
    """

    out_dir: Path = Path("clips")
    mode: CutMethod = CutMethod.SMART
    snap: bool = True
    snap_settings: SnapSettings = field(default_factory=SnapSettings)
    burn: bool = False
    burn_style: BurnStyle | None = None
    vertical: VerticalCrop | None = None
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    write: WriteOptions = field(default_factory=WriteOptions)
    vertical_max_chars: int = VERTICAL_MAX_CHARS

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", cut_method(self.mode))
        check_mode(self.mode, burn=self.burn, vertical=self.vertical is not None)

    @property
    def changes_picture(self) -> bool:
        """Whether the clips' picture is not the source's (burned captions, a crop)."""
        return self.burn or self.vertical is not None

    def method_for(self, source: Source) -> MethodChoice:
        """The method the clips of ``source`` are cut by (see :func:`choose_method`)."""
        return choose_method(
            source.info.video, self.mode, burn=self.burn, vertical=self.vertical is not None
        )


@dataclass(frozen=True, slots=True)
class ClipPlan:
    """One clip as it will be cut: where in the source, how, and its captions.

    ``start_ms``/``end_ms`` are the cut itself in source time: snapped, padded and on a
    frame boundary (the keyframe before, for a stream copy); ``start_frame``/``end_frame``
    the same as frame numbers of the source.  ``cues`` and ``words`` are in clip time.
    """

    name: str
    title: str
    spec: HighlightSpec
    requested_start_ms: int
    requested_end_ms: int
    start_snap: Snap
    end_snap: Snap
    start_ms: int
    end_ms: int
    cues: tuple[Cue, ...] = ()
    words: tuple[Word, ...] = ()
    notes: tuple[str, ...] = ()
    method: CutMethod = CutMethod.REENCODE
    smart: smartcut.SmartPlan | None = field(default=None, compare=False)
    fallback: str | None = None  # why it is not cut the way that was asked for
    source: Path = Path()
    frame_rate: Fraction = Fraction(0)

    @property
    def duration_ms(self) -> int:
        """The clip's length in ms."""
        return self.end_ms - self.start_ms

    @property
    def start_s(self) -> float:
        """The cut-in, in seconds of the source."""
        return self.start_ms / 1000

    @property
    def end_s(self) -> float:
        """The cut-out, in seconds of the source."""
        return self.end_ms / 1000

    @property
    def start_frame(self) -> int:
        """The source frame the clip starts on."""
        return round(Fraction(self.start_ms, 1000) * self.frame_rate)

    @property
    def end_frame(self) -> int:
        """The source frame after the clip's last one."""
        return round(Fraction(self.end_ms, 1000) * self.frame_rate)

    @property
    def quote(self) -> tuple[str | None, str | None]:
        """The highlight's ``from``/``to`` quotes (None where it gave a time)."""
        return self.spec.from_quote, self.spec.to_quote


def plan_clips(
    source: Source,
    specs: Sequence[HighlightSpec],
    options: ClipOptions | None = None,
    find_silences: SilenceFinder | None = None,
) -> list[ClipPlan]:
    """Resolve, check and snap every highlight; choose each clip's method and captions.

    Raises :class:`~clipkit.errors.HighlightError` (at the highlight's line) for a quote
    not found, a time past the end of the video or a clip too short, and
    :class:`~clipkit.errors.OptionError` for burned-in captions of a source without any.
    ``find_silences`` replaces the detection of pauses in the audio (what cuts snap into).
    """
    options = options or ClipOptions()
    if options.burn and source.transcript is None:
        raise OptionError("burn", "no captions of the talk to burn in")
    info = source.info
    resolved = [resolve(spec, source.transcript) for spec in specs]
    for item in resolved:
        _check_inside(item.spec, item.start_ms, item.end_ms, info)

    silences: list[Silence] = []
    marks = boundaries(source.transcript.words if source.transcript else (), source.cues)
    if options.snap and find_silences is None:

        def find_silences(windows: Sequence[tuple[int, int]]) -> list[Silence]:
            return detect_silences(source.video, windows)

    if options.snap and find_silences is not None:
        reach = options.snap_settings.boundary_ms + options.snap_settings.pause_ms + 500
        windows = [(t - reach, t + reach) for r in resolved for t in (r.start_ms, r.end_ms)]
        silences = find_silences(windows)

    choice = options.method_for(source)
    plans: list[ClipPlan] = []
    names: set[str] = set()
    words_of = source.transcript.words if source.transcript else ()
    style = source.caption_style
    for number, item in enumerate(resolved, 1):
        spec = item.spec
        # the first and last quoted words: no snap may cut them off
        first_quoted = words_of[item.start_match.first] if item.start_match else None
        last_quoted = words_of[item.end_match.last] if item.end_match else None
        keep_start = first_quoted.start_ms if first_quoted else None
        keep_end = last_quoted.end_ms if last_quoted else None
        if options.snap:
            start_snap = snap_cut(
                item.start_ms,
                marks,
                silences,
                options.snap_settings,
                False,
                keep_start,
                first_quoted.text if first_quoted else "",
            )
            end_snap = snap_cut(
                item.end_ms,
                marks,
                silences,
                options.snap_settings,
                True,
                keep_end,
                last_quoted.text if last_quoted else "",
            )
        else:
            start_snap = Snap(item.start_ms, item.start_ms, "not snapped (exact times asked for)")
            end_snap = Snap(item.end_ms, item.end_ms, "not snapped (exact times asked for)")
        start = max(0, start_snap.snapped_ms - spec.pad_ms)
        end = min(info.duration_ms, end_snap.snapped_ms + spec.pad_ms)
        start = _cut_on_frame(info, start, keep_start, is_end=False)
        end = min(_cut_on_frame(info, end, keep_end, is_end=True), info.duration_ms)
        if end - start < MIN_CLIP_MS:
            raise spec.error(
                f"clip {format_time(start)}-{format_time(end)} is shorter than "
                f"{MIN_CLIP_MS / 1000:g} s after snapping"
            )
        notes: list[str] = [
            f"{edge} snap refused: {snap.refused}"
            for edge, snap in (("start", start_snap), ("end", end_snap))
            if snap.refused
        ]
        if choice.method is CutMethod.COPY:
            keyframe = keyframe_at_or_before(source.video, start)
            if keyframe < start:
                notes.append(
                    f"a stream copy starts on the keyframe at {format_time(keyframe)}, "
                    f"{(start - keyframe) / 1000:.2f} s before the snapped start"
                )
            start = keyframe
        method, fallback, smart = choice.method, choice.fallback, None
        if method is CutMethod.SMART:
            try:
                smart = smartcut.plan_for(source.video, start, end, info.video)
            except smartcut.SmartCutUnavailable as exc:
                method, fallback = CutMethod.REENCODE, str(exc)
        name = _unique(_slug(spec.title) or f"clip-{number:02d}", names)
        cues = clip_cues(
            source.cues, start, end, style, keep_text=source.authored, quoted_ms=keep_start
        )
        widest = max((len(line) for cue in cues for line in cue.lines), default=0)
        if options.vertical is not None and source.authored and widest > options.vertical_max_chars:
            notes.append(
                f"authored captions kept as written: lines up to {widest} characters, more "
                f"than the {options.vertical_max_chars} a 9:16 frame holds (resegmenting "
                "them lays them out for it)"
            )
        plans.append(
            ClipPlan(
                name=name,
                title=spec.title or name,
                spec=spec,
                requested_start_ms=item.start_ms,
                requested_end_ms=item.end_ms,
                start_snap=start_snap,
                end_snap=end_snap,
                start_ms=start,
                end_ms=end,
                cues=tuple(cues),
                words=clip_words(source.transcript, start, end),
                notes=tuple(notes),
                method=method,
                smart=smart,
                fallback=fallback,
                source=source.video,
                frame_rate=info.frame_rate,
            )
        )
    return plans


def _check_inside(spec: HighlightSpec, start_ms: int, end_ms: int, info: MediaInfo) -> None:
    start_key = "from" if spec.from_quote else "start"
    end_key = "to" if spec.to_quote else "end"
    video_end = format_time(info.duration_ms)
    if start_ms >= info.duration_ms:
        raise spec.error(
            f"start {format_time(start_ms)} is after the end of the video ({video_end})",
            start_key,
        )
    if end_ms > info.duration_ms + frame_ms(info):
        raise spec.error(
            f"end {format_time(end_ms)} is after the end of the video ({video_end})", end_key
        )


def frame_ms(info: MediaInfo) -> int:
    """One frame of the video, in ms (40 when its rate is unknown)."""
    return info.frame_time_ms(1) if info.frame_rate else 40


def _cut_on_frame(info: MediaInfo, ms: int, keep: int | None, is_end: bool) -> int:
    """The frame boundary nearest ``ms``, or, when that would cut into the quoted word
    ending (or starting) at ``keep``, the first boundary past it."""
    at = info.frame_time_ms(info.frame_index(ms))
    if keep is not None and (at < keep if is_end else at > keep):
        frames = Fraction(keep, 1000) * info.frame_rate
        at = info.frame_time_ms(math.ceil(frames) if is_end else math.floor(frames))
    return at


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate
