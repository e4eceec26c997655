"""Cut highlight clips and reels: plan -> cut -> per-clip captions -> manifest.

Planning does everything that can fail on bad input (reading the highlight file,
finding quotes, checking times against the video, snapping) before any ffmpeg run,
so a mistake anywhere in the file leaves nothing behind.  Every output file is
written under a temporary name and renamed into place when whole.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from clipkit.errors import (
    ClipkitError,
    FFmpegError,
    FFmpegInterrupted,
    HighlightError,
    MissingToolError,
    OutputError,
)
from clipkit.fileio import (
    atomic_outputs,
    atomic_write_bytes,
    ensure_not_input,
    output_folder,
)
from clipkit.highlights import HighlightSpec, ends_sentence, format_time, resolve
from clipkit.media import concat, smartcut
from clipkit.media.burn import BurnStyle, VerticalCrop, picture_transform
from clipkit.media.cut import EncodeSettings, accurate_cut_command, copy_cut_command
from clipkit.media.probe import MediaInfo, keyframe_at_or_before, probe
from clipkit.media.progress import ProgressCallback
from clipkit.media.runner import run_ffmpeg
from clipkit.media.silence import Silence, detect_silences
from clipkit.model import Cue, Transcript, Word, format_timestamp
from clipkit.readers import load
from clipkit.segment import build_cues
from clipkit.snapping import Snap, SnapSettings, boundaries, snap_cut
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions, render

MIN_CLIP_MS = 500
# A 9:16 frame holds about 24 characters a line at the vertical burn size: lay the
# clip's captions out again for it rather than let libass wrap 42-character lines.
VERTICAL_MAX_CHARS = 24
TEMPORARY = Path("<temporary>")
BURN_PLACEHOLDER = TEMPORARY / "captions.srt"

# How a clip is cut.  smart: frame-accurate, re-encoding only the edges (H.264 sources
# whose picture is not changed); reencode: frame-accurate, all re-encoded; copy: stream
# copy from the keyframe at or before the start.
CUT_MODES = ("smart", "reencode", "copy")


@dataclass(frozen=True, slots=True)
class Source:
    """The video and, when given, its transcript and the caption cues built from it."""

    video: Path
    info: MediaInfo
    transcript: Transcript | None = None
    cues: tuple[Cue, ...] = ()
    captions: Path | None = None  # the file the transcript was read from
    style: CaptionStyle | None = None  # what the cues were built under (None: the defaults)

    @property
    def caption_style(self) -> CaptionStyle:
        """The caption policy of the clips' captions: at the video's frame rate by default."""
        return self.style or CaptionStyle(fps=self.info.fps or CaptionStyle().fps)

    @property
    def authored(self) -> bool:
        """Whether the cues are an author's, kept as written: clips shift and cut them at
        their edges but never lay them out again."""
        return (
            self.transcript is not None
            and self.transcript.authored
            and not self.caption_style.resegment
        )


@dataclass(frozen=True, slots=True)
class ClipOptions:
    out_dir: Path = Path("clips")
    mode: str = "smart"  # one of CUT_MODES
    snap: bool = True
    snap_settings: SnapSettings = field(default_factory=SnapSettings)
    burn: bool = False
    burn_style: BurnStyle | None = None
    vertical: VerticalCrop | None = None
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    write: WriteOptions = field(default_factory=WriteOptions)  # --shift, --crlf, --bom
    vertical_max_chars: int = VERTICAL_MAX_CHARS  # line length of captions for --vertical

    def __post_init__(self) -> None:
        if self.mode not in CUT_MODES:
            raise ClipkitError(f"unknown cut mode {self.mode!r} (one of {', '.join(CUT_MODES)})")
        if self.mode == "copy" and self.changes_picture:
            raise ClipkitError("--copy cannot change the picture: drop --burn/--vertical")

    @property
    def changes_picture(self) -> bool:
        return self.burn or self.vertical is not None

    @property
    def copy(self) -> bool:
        return self.mode == "copy"


@dataclass(frozen=True, slots=True)
class ClipPlan:
    name: str
    title: str
    spec: HighlightSpec
    requested_start_ms: int
    requested_end_ms: int
    start_snap: Snap
    end_snap: Snap
    start_ms: int  # the cut itself: frame-aligned, or the keyframe for --copy
    end_ms: int
    cues: tuple[Cue, ...] = ()  # in clip time
    words: tuple[Word, ...] = ()  # in clip time
    notes: tuple[str, ...] = ()
    method: str = "reencode"  # how it is (or was) cut: one of CUT_MODES
    smart: smartcut.SmartPlan | None = field(default=None, compare=False)
    fallback: str | None = None  # why a smart cut was not used
    commands: tuple[tuple[str, ...], ...] = field(default=(), compare=False)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


# ---------------------------------------------------------------- loading


def open_source(
    video: str | Path,
    captions: str | Path | None = None,
    style: CaptionStyle | None = None,
    fps: float | None = None,
) -> Source:
    """Probe the video (it needs both pictures and sound) and read its captions.

    The captions are built under ``style`` at the video's own frame rate, so that every
    cue starts and ends on one of its frames; ``fps`` overrides that rate (``style.fps``
    is not used).
    """
    video = Path(video)
    info = probe(video)
    info.require_av()
    if info.frame_rate <= 0:
        raise ClipkitError(f"{video}: unknown frame rate")
    style = replace(style or CaptionStyle(), fps=fps or info.fps)
    if captions is None:
        return Source(video, info, style=style)
    transcript = load(captions)
    return Source(
        video, info, transcript, tuple(build_cues(transcript, style)), Path(captions), style
    )


# ---------------------------------------------------------------- planning


SilenceFinder = Callable[[Sequence[tuple[int, int]]], list[Silence]]


def plan_clips(
    source: Source,
    specs: Sequence[HighlightSpec],
    options: ClipOptions,
    find_silences: SilenceFinder | None = None,
) -> list[ClipPlan]:
    """Resolve, check and snap every highlight; build each clip's captions and command."""
    info = source.info
    resolved = [resolve(spec, source.transcript) for spec in specs]
    for item in resolved:
        spec = item.spec
        start_key = "from" if spec.from_quote else "start"
        end_key = "to" if spec.to_quote else "end"
        video_end = format_time(info.duration_ms)
        if item.start_ms >= info.duration_ms:
            raise spec.error(
                f"start {format_time(item.start_ms)} is after the end of the video ({video_end})",
                start_key,
            )
        if item.end_ms > info.duration_ms + frame_ms(info):
            raise spec.error(
                f"end {format_time(item.end_ms)} is after the end of the video ({video_end})",
                end_key,
            )

    silences: list[Silence] = []
    marks = boundaries(source.transcript.words if source.transcript else (), source.cues)
    if options.snap and find_silences is None:

        def find_silences(windows: Sequence[tuple[int, int]]) -> list[Silence]:
            return detect_silences(source.video, windows)

    if options.snap and find_silences is not None:
        reach = options.snap_settings.boundary_ms + options.snap_settings.pause_ms + 500
        windows = [(t - reach, t + reach) for r in resolved for t in (r.start_ms, r.end_ms)]
        silences = find_silences(windows)

    plans: list[ClipPlan] = []
    names: set[str] = set()
    stream: smartcut.VideoStream | None = None
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
            start_snap = Snap(item.start_ms, item.start_ms, "not snapped (--no-snap)")
            end_snap = Snap(item.end_ms, item.end_ms, "not snapped (--no-snap)")
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
        if options.copy:
            keyframe = keyframe_at_or_before(source.video, start)
            if keyframe < start:
                notes.append(
                    f"--copy starts on the keyframe at {format_time(keyframe)}, "
                    f"{(start - keyframe) / 1000:.2f} s before the snapped start"
                )
            start = keyframe
        method, smart, fallback = options.mode, None, None
        if method == "smart" and options.changes_picture:
            method, fallback = "reencode", "the picture changes (--burn/--vertical)"
        elif method == "smart" and info.video_codec != "h264":
            method, fallback = "reencode", f"the video is {info.video_codec or '?'}, not H.264"
        if method == "smart":
            try:
                stream = stream or smartcut.probe_video_stream(source.video)
                smart = smartcut.plan_for(source.video, start, end, stream)
            except smartcut.SmartCutUnavailable as exc:
                method, fallback = "reencode", str(exc)
        name = _unique(_slug(spec.title) or f"clip-{number:02d}", names)
        words = _clip_words(source.transcript, start, end)
        cues = clip_cues(
            source.cues, start, end, style, keep_text=source.authored, quoted_ms=keep_start
        )
        widest = max((len(line) for cue in cues for line in cue.lines), default=0)
        if options.vertical is not None and source.authored and widest > options.vertical_max_chars:
            notes.append(
                f"authored captions kept as written: lines up to {widest} characters, more "
                f"than the {options.vertical_max_chars} a 9:16 frame holds (--resegment lays "
                "them out for it)"
            )
        plan = ClipPlan(
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
            words=words,
            notes=tuple(notes),
            method=method,
            smart=smart,
            fallback=fallback,
        )
        commands = clip_commands(source, plan, options, options.out_dir / f"{name}.mp4")
        plans.append(replace(plan, commands=tuple(tuple(c) for c in commands)))
    return plans


def frame_ms(info: MediaInfo) -> int:
    return info.frame_time_ms(1) if info.frame_rate else 40


def _cut_on_frame(info: MediaInfo, ms: int, keep: int | None, is_end: bool) -> int:
    """The frame boundary nearest ``ms``, or, when that would cut into the quoted word
    ending (or starting) at ``keep``, the first boundary past it."""
    at = info.frame_time_ms(info.frame_index(ms))
    if keep is not None and (at < keep if is_end else at > keep):
        frames = Fraction(keep, 1000) * info.frame_rate
        at = info.frame_time_ms(math.ceil(frames) if is_end else math.floor(frames))
    return at


def clip_commands(
    source: Source, plan: ClipPlan, options: ClipOptions, output: Path
) -> list[list[str]]:
    """The ffmpeg runs that cut ``plan`` (for --dry-run; temporary files as placeholders)."""
    if plan.method == "smart" and plan.smart is not None:
        commands = smartcut.SmartCommands.build(
            source.video, [plan.smart], output, options.encode, TEMPORARY
        )
        return [list(argv) for argv in commands.all]
    return [clip_command(source, plan, options, output)]


def clip_command(
    source: Source,
    plan: ClipPlan,
    options: ClipOptions,
    output: Path,
    burn_file: Path = BURN_PLACEHOLDER,
) -> list[str]:
    """The one ffmpeg run of a copy or a full re-encode."""
    if plan.method == "copy":
        return copy_cut_command(source.video, plan.start_ms, plan.end_ms, output)
    transform = picture_transform(
        source.info.width,
        source.info.height,
        burn_file if options.burn else None,
        options.burn_style,
        options.vertical,
    )
    return accurate_cut_command(
        source.video,
        plan.start_ms,
        plan.end_ms,
        output,
        options.encode,
        transform,
        source.info.frame_rate,
    )


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


# ---------------------------------------------------------------- captions


def clip_cues(
    cues: Sequence[Cue],
    start_ms: int,
    end_ms: int,
    style: CaptionStyle | None = None,
    *,
    keep_text: bool = False,
    quoted_ms: int | None = None,
) -> list[Cue]:
    """The cues shown during ``[start_ms, end_ms)``, cut at the edges, in clip time.

    A cue at source time T is at T - start_ms, on the frame grid of ``style``.  A cue
    that straddles an edge is cut to it and keeps only the words spoken inside the clip
    (when it knows its words; ``keep_text``: authored cues keep their text as written).
    The first cue never opens with the tail of a sentence begun before the clip: those
    words are dropped (a cue left with nothing else and shorter than the minimum
    duration is dropped whole), except words at or after ``quoted_ms``, the first
    quoted word's start.  An authored first cue whose text cannot be cut is dropped when
    it is left shorter than the minimum and was mostly on screen before the clip.
    """
    style = style or CaptionStyle()
    snap = style.snap_to_frame
    duration = end_ms - start_ms
    kept: list[Cue] = []
    previous: Word | None = None  # the last word of the cue before, for sentence tails
    for cue in cues:
        before, previous = previous, (cue.words[-1] if cue.words else previous)
        if cue.end_ms <= start_ms or cue.start_ms >= end_ms:
            continue
        lines = cue.lines
        words = cue.words
        cue_start, cue_end = max(cue.start_ms, start_ms), min(cue.end_ms, end_ms)
        shown = cue_end - cue_start
        if keep_text and shown < style.min_duration_ms and start_ms - cue.start_ms > shown:
            continue  # an authored head cue mostly said before the clip: a flash of it
        if words and (cue.start_ms < start_ms or cue.end_ms > end_ms):
            inside = tuple(w for w in words if start_ms <= (w.start_ms + w.end_ms) // 2 < end_ms)
            if cue.start_ms < start_ms and inside:
                tail = _sentence_tail(words, inside, before, quoted_ms)
                if len(tail) == len(inside):
                    if cue_end - cue_start < style.min_duration_ms:
                        continue
                elif tail and not keep_text:
                    inside = inside[len(tail) :]
                    cue_start = max(cue_start, inside[0].start_ms)
            if not inside:
                continue
            if len(inside) < len(words) and not keep_text:
                lines = _wrap([w.text for w in inside], max(len(line) for line in cue.lines))
            words = tuple(w for w in inside if w.start_ms >= start_ms)
        if cue_end - cue_start < 100:
            continue
        clip_start = snap(cue_start - start_ms)
        clip_end = min(snap(cue_end - start_ms), duration)
        if clip_end <= clip_start:
            continue
        kept.append(Cue(clip_start, clip_end, lines, tuple(w.shifted(-start_ms) for w in words)))
    return kept


def _sentence_tail(
    words: Sequence[Word], inside: Sequence[Word], before: Word | None, quoted_ms: int | None
) -> tuple[Word, ...]:
    """The first words of ``inside`` that end a sentence begun before the clip (through
    its last word), or none: a clip's first caption should not be the end of another
    thought.  Words at or after ``quoted_ms`` are never part of it."""
    first = words.index(inside[0])
    leading = words[first - 1] if first else before
    if leading is None or ends_sentence(leading.text) or inside[0].speaker_change:
        return ()
    for count, word in enumerate(inside, 1):
        if quoted_ms is not None and word.start_ms >= quoted_ms:
            return ()
        if word.speaker_change and count > 1:
            return ()
        if ends_sentence(word.text):
            return tuple(inside[:count])
    return ()


def _wrap(texts: Sequence[str], width: int) -> tuple[str, ...]:
    lines: list[str] = []
    for text in texts:
        if lines and len(lines[-1]) + 1 + len(text) <= width:
            lines[-1] += " " + text
        else:
            lines.append(text)
    return tuple(lines)


def _clip_words(transcript: Transcript | None, start_ms: int, end_ms: int) -> tuple[Word, ...]:
    if transcript is None:
        return ()
    return tuple(
        replace(w.shifted(-start_ms), end_ms=min(w.end_ms, end_ms) - start_ms)
        for w in transcript.words
        if start_ms <= w.start_ms < end_ms
    )


def caption_files(
    cues: Sequence[Cue],
    words: Sequence[Word],
    vertical: bool = False,
    *,
    duration_ms: int | None = None,
    style: CaptionStyle | None = None,
    authored: bool = False,
    write: WriteOptions | None = None,
    vertical_max_chars: int = VERTICAL_MAX_CHARS,
) -> dict[str, bytes]:
    """A clip's (or reel's) captions: ``srt`` and ``vtt`` as written beside it (``write``:
    --shift, --crlf, --bom) and ``burn``, the plain SRT to burn into its picture.

    ``vertical`` lays rebuilt captions out again for the narrow frame (``authored`` ones
    stay as written), under ``style`` and within ``duration_ms``.
    """
    style = style or CaptionStyle()
    transcript = Transcript(tuple(words))
    if vertical and words and not authored:
        narrow = replace(style, max_chars=vertical_max_chars)
        cues = build_cues(transcript, narrow)
    if duration_ms is not None:
        cues = _within(cues, duration_ms, style)
    files = {fmt: render(cues, transcript, fmt, write) for fmt in ("srt", "vtt")}
    files["burn"] = render(cues, transcript, "srt") if write != WriteOptions() else files["srt"]
    return files


def _within(cues: Sequence[Cue], duration_ms: int, style: CaptionStyle) -> list[Cue]:
    """The cues cut to end inside a clip of ``duration_ms`` (captions laid out again run
    past it: their last word lingers)."""
    kept: list[Cue] = []
    for cue in cues:
        end = min(cue.end_ms, style.snap_to_frame(duration_ms), duration_ms)
        if end - cue.start_ms >= 100:
            kept.append(replace(cue, end_ms=end))
    return kept


# ---------------------------------------------------------------- cutting


def cut_clips(
    source: Source,
    plans: Sequence[ClipPlan],
    options: ClipOptions,
    on_progress: ProgressCallback | None = None,
    captions_path: str | Path | None = None,
    on_clip: Callable[[ClipPlan], None] | None = None,
) -> Path:
    """Cut every planned clip with its captions; return the manifest's path.

    The manifest is rewritten after each clip, so it always lists what is on disk.
    ``on_clip`` gets each clip's plan as carried out (its method and any fallback).
    """
    out_dir = options.out_dir
    manifest_path = out_dir / "manifest.json"
    inputs = input_files(source, plans, captions_path)
    outputs = [out_dir / f"{plan.name}{ext}" for plan in plans for ext in (".mp4", ".srt", ".vtt")]
    for output in [*outputs, manifest_path]:
        ensure_not_input(output, inputs)
    with output_folder(out_dir):
        return _cut_all(source, plans, options, on_progress, captions_path, on_clip)


def input_files(
    source: Source, plans: Sequence[ClipPlan], captions_path: str | Path | None = None
) -> list[Path]:
    """Every file a cut reads: the video, the captions and the highlight files."""
    files = [source.video]
    captions = captions_path or source.captions
    if captions is not None:
        files.append(Path(captions))
    for plan in plans:
        highlights = Path(plan.spec.source)
        if highlights not in files and highlights.is_file():
            files.append(highlights)
    return files


def _cut_all(
    source: Source,
    plans: Sequence[ClipPlan],
    options: ClipOptions,
    on_progress: ProgressCallback | None,
    captions_path: str | Path | None,
    on_clip: Callable[[ClipPlan], None] | None,
) -> Path:
    out_dir = options.out_dir
    manifest_path = out_dir / "manifest.json"
    done: list[ClipPlan] = []
    offset = 0
    for plan in plans:
        video = out_dir / f"{plan.name}.mp4"
        srt, vtt = video.with_suffix(".srt"), video.with_suffix(".vtt")
        files = caption_files(
            plan.cues,
            plan.words,
            options.vertical is not None,
            duration_ms=plan.duration_ms,
            style=source.caption_style,
            authored=source.authored,
            write=options.write,
            vertical_max_chars=options.vertical_max_chars,
        )

        def report(done_ms: int, base: int = offset) -> None:
            if on_progress is not None:
                on_progress(base + done_ms)

        with (
            tempfile.TemporaryDirectory(prefix="clipkit-") as tmp,
            atomic_outputs(video, srt, vtt) as (temp_video, temp_srt, temp_vtt),
        ):
            burn_file = Path(tmp) / "captions.srt"
            burn_file.write_bytes(files["burn"])
            temp_srt.write_bytes(files["srt"])
            temp_vtt.write_bytes(files["vtt"])
            with _writing(video):
                plan = _cut(source, plan, options, temp_video, burn_file, report)
        offset += plan.duration_ms
        done.append(plan)
        if on_clip is not None:
            on_clip(plan)
        manifest = clip_manifest(source, done, options, captions_path)
        atomic_write_bytes(manifest_path, (json.dumps(manifest, indent=2) + "\n").encode())
    return manifest_path


def _cut(
    source: Source,
    plan: ClipPlan,
    options: ClipOptions,
    output: Path,
    burn_file: Path,
    report: ProgressCallback,
) -> ClipPlan:
    """Cut one clip; a smart cut that fails falls back to a full re-encode.

    Returns the plan as it was carried out (its method, and why it fell back).
    """
    if plan.method == "smart" and plan.smart is not None:
        smart = plan.smart
        failure = _smart_failure(
            lambda: smartcut.smart_cut(source.video, smart, output, options.encode, report),
            output,
        )
        if failure is None:
            return plan
        plan = replace(plan, method="reencode", fallback=failure)
    command = clip_command(source, plan, options, output, burn_file)
    run_ffmpeg(command, report, plan.duration_ms, what=f"ffmpeg ({plan.name})")
    return plan


def _smart_failure(cut: Callable[[], None], output: Path) -> str | None:
    """Run a smart cut: None when it worked, else why not (and its output is removed).

    An ffmpeg stopped by a signal is the user stopping clipkit, not a reason to re-encode.
    """
    try:
        cut()
    except (FFmpegInterrupted, MissingToolError):
        raise
    except FFmpegError as exc:
        if exc.out_of_space:
            raise  # a re-encode would only fill the disk again
        output.unlink(missing_ok=True)
        return f"smart cut failed: {exc}"
    except smartcut.SmartCutUnavailable as exc:
        output.unlink(missing_ok=True)
        return f"smart cut failed: {exc}"
    return None


@contextmanager
def _writing(output: Path) -> Iterator[None]:
    """ffmpeg stopped by a full disk: an error about ``output``, with ffmpeg's own words."""
    try:
        yield
    except FFmpegError as exc:
        if not exc.out_of_space or isinstance(exc, FFmpegInterrupted):
            raise
        raise OutputError(f"{output}: cannot write: disk full ({exc})") from exc


def _times(ms: int) -> dict[str, Any]:
    return {"ms": ms, "time": format_timestamp(ms)}


def plan_record(plan: ClipPlan) -> dict[str, Any]:
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
        "method": plan.method,
        "fallback": plan.fallback,
        "smart_cut": plan.smart.summary() if plan.method == "smart" and plan.smart else None,
        "captions": len(plan.cues),
        "notes": list(plan.notes),
    }


def clip_manifest(
    source: Source,
    plans: Sequence[ClipPlan],
    options: ClipOptions,
    captions_path: str | Path | None = None,
) -> dict[str, Any]:
    return {
        "source": str(source.video),
        "captions": str(captions_path) if captions_path else None,
        "mode": options.mode,
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


# ---------------------------------------------------------------- reels


@dataclass(frozen=True, slots=True)
class ReelPlan:
    clips: tuple[ClipPlan, ...]
    placements: tuple[concat.Placement, ...]
    total_ms: int
    cues: tuple[Cue, ...]
    words: tuple[Word, ...]
    title_ms: int
    xfade_ms: int
    chapters: tuple[concat.Chapter, ...]


def plan_reel(
    source: Source,
    clips: Sequence[ClipPlan],
    title_ms: int = 0,
    xfade_ms: int = 0,
) -> ReelPlan:
    parts = [concat.ReelPart(c.start_ms, c.end_ms, c.title) for c in clips]
    try:
        placements, total = concat.layout(parts, source.info.frame_rate, title_ms, xfade_ms)
    except ValueError as exc:
        raise HighlightError(str(exc), clips[0].spec.source if clips else "<reel>") from exc
    style = source.caption_style
    snap = style.snap_to_frame
    cues: list[Cue] = []
    words: list[Word] = []
    for clip, placement in zip(clips, placements, strict=True):
        shift = placement.clip_start_ms
        limit = placement.chapter_end_ms
        for cue in clip.cues:
            moved = cue.shifted(shift)
            start, end = snap(moved.start_ms), min(snap(moved.end_ms), limit)
            if end <= start:
                continue
            moved = replace(moved, start_ms=start, end_ms=end)
            gap_start = snap(start - style.min_gap_ms)
            if cues and cues[-1].end_ms > gap_start:  # cross-faded pieces overlap
                cues[-1] = replace(cues[-1], end_ms=gap_start)
                if cues[-1].end_ms <= cues[-1].start_ms:
                    cues.pop()
            cues.append(moved)
        words.extend(w.shifted(shift) for w in clip.words)
    words.sort(key=lambda w: w.start_ms)
    chapters = concat.chapters_of(placements)
    return ReelPlan(
        tuple(clips),
        tuple(placements),
        total,
        tuple(cues),
        tuple(words),
        title_ms,
        xfade_ms,
        tuple(chapters),
    )


def reel_command(
    source: Source,
    reel: ReelPlan,
    output: Path,
    metadata_file: Path,
    title_files: Sequence[Path],
    encode: EncodeSettings,
    burn_file: Path | None = None,
    burn_style: BurnStyle | None = None,
) -> list[str]:
    info = source.info
    transform = picture_transform(info.width, info.height, burn_file, burn_style)
    return concat.reel_command(
        source.video,
        info.width,
        info.height,
        info.frame_rate,
        [p.part for p in reel.placements],
        output,
        metadata_file,
        title_files,
        reel.title_ms,
        reel.xfade_ms,
        encode,
        transform,
    )


def reel_commands(
    source: Source,
    reel: ReelPlan,
    output: Path,
    encode: EncodeSettings,
    burn: bool = False,
    burn_style: BurnStyle | None = None,
) -> list[list[str]]:
    """The ffmpeg runs that make the reel (for --dry-run; temporary files as placeholders)."""
    chapters = TEMPORARY / "chapters.txt"
    if reel_method(reel, burn)[0] == "smart":
        plans = [clip.smart for clip in reel.clips if clip.smart is not None]
        commands = smartcut.SmartCommands.build(
            source.video, plans, output, encode, TEMPORARY, chapters
        )
        return [list(argv) for argv in commands.all]
    titles = [TEMPORARY / f"title-{n}.txt" for n in range(1, len(reel.clips) + 1)]
    burn_file = BURN_PLACEHOLDER if burn else None
    return [
        reel_command(
            source,
            reel,
            output,
            chapters,
            titles if reel.title_ms else [],
            encode,
            burn_file,
            burn_style,
        )
    ]


def reel_method(reel: ReelPlan, burn: bool = False) -> tuple[str, str | None]:
    """How a reel is made, and why not by smart cuts when it is not.

    A reel of plain cuts (no burned captions, title cards or cross-fades) whose every
    clip can be smart-cut is smart-cut and joined; any other is re-encoded whole.
    """
    if burn:
        return "reencode", "the captions are burned in"
    if reel.title_ms or reel.xfade_ms:
        return "reencode", "title cards and cross-fades are drawn"
    for clip in reel.clips:
        if clip.method != "smart" or clip.smart is None:
            return "reencode", f"{clip.name}: {clip.fallback or 'not smart-cut'}"
    return "smart", None


def make_reel(
    source: Source,
    reel: ReelPlan,
    output: Path,
    encode: EncodeSettings,
    burn: bool = False,
    burn_style: BurnStyle | None = None,
    on_progress: ProgressCallback | None = None,
    write: WriteOptions | None = None,
) -> tuple[str, str | None]:
    """Write ``output`` (MP4 with one chapter per highlight) and its .srt/.vtt beside it.

    Returns how it was made (see :func:`reel_method`): ``("smart", None)``, or
    ``("reencode", why)`` when smart cuts did not apply or did not verify.
    """
    srt, vtt = output.with_suffix(".srt"), output.with_suffix(".vtt")
    if output.suffix.lower() in (".srt", ".vtt"):
        raise OutputError(f"{output}: the reel is a video; its captions go beside it (.srt, .vtt)")
    inputs = input_files(source, reel.clips)
    for path in (output, srt, vtt):
        ensure_not_input(path, inputs)
    with output_folder(output.parent), _writing(output):
        return _make_reel(source, reel, output, encode, burn, burn_style, on_progress, write)


def _make_reel(
    source: Source,
    reel: ReelPlan,
    output: Path,
    encode: EncodeSettings,
    burn: bool,
    burn_style: BurnStyle | None,
    on_progress: ProgressCallback | None,
    write: WriteOptions | None,
) -> tuple[str, str | None]:
    srt, vtt = output.with_suffix(".srt"), output.with_suffix(".vtt")
    files = caption_files(
        reel.cues,
        reel.words,
        duration_ms=reel.total_ms,
        style=source.caption_style,
        authored=source.authored,
        write=write,
    )
    method, why = reel_method(reel, burn)
    with (
        tempfile.TemporaryDirectory(prefix="clipkit-") as tmp_name,
        atomic_outputs(output, srt, vtt) as (temp_video, temp_srt, temp_vtt),
    ):
        tmp = Path(tmp_name)
        metadata = tmp / "chapters.txt"
        metadata.write_text(concat.ffmetadata(reel.chapters), encoding="utf-8")
        temp_srt.write_bytes(files["srt"])
        temp_vtt.write_bytes(files["vtt"])
        if method == "smart":
            plans = [clip.smart for clip in reel.clips if clip.smart is not None]
            why = _smart_failure(
                lambda: smartcut.smart_join(
                    source.video, plans, temp_video, encode, on_progress, metadata
                ),
                temp_video,
            )
            if why is None:
                return method, why
            method = "reencode"
        title_files = []
        if reel.title_ms:
            for number, clip in enumerate(reel.clips, 1):
                path = tmp / f"title-{number}.txt"
                path.write_text(_card_text(clip.title), encoding="utf-8")
                title_files.append(path)
        burn_file = tmp / "captions.srt" if burn else None
        if burn_file is not None:
            burn_file.write_bytes(files["burn"])
        command = reel_command(
            source, reel, temp_video, metadata, title_files, encode, burn_file, burn_style
        )
        run_ffmpeg(command, on_progress, reel.total_ms, what="ffmpeg (reel)")
    return method, why


def _card_text(title: str, width: int = 28) -> str:
    return "\n".join(_wrap(title.split(), width)) or " "
