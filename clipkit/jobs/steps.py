"""The steps of a talk, each one task: fetch -> captions -> clips, shorts and reel.

Each step is a top-level function (a worker runs it) that never raises: it returns a
:class:`StepResult` saying what it made, or the one line saying why not.  A step handed a
failed step's result does not run.  A step that finishes writes its step manifest last
(``<talk>/steps/<step>.json``: what it was asked, the inputs it read, each output and its
size); a rerun whose step manifest still matches (same request, same inputs, every output
there at its size) skips the step.  Every output is written atomically under a name that
depends only on the job file, so a step run twice (a worker lost and the step retried)
replaces whole files with the same whole files and never leaves a part of one.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from clipkit.batch import output_candidates
from clipkit.errors import ClipkitError
from clipkit.fileio import atomic_write_bytes, output_folder
from clipkit.highlights import HighlightSpec, find, highlight_file_text
from clipkit.jobs.clipping import Cut, cut_talk_clips, make_talk_reel
from clipkit.jobs.model import ClipSettings, TalkJob
from clipkit.readers import load
from clipkit.writers import EXTENSIONS

__all__ = [
    "STEPS_FOLDER",
    "StepResult",
    "TalkPaths",
    "captions_step",
    "clips_step",
    "fetch_step",
    "reel_step",
    "shorts_step",
]

STEPS_FOLDER = "steps"
FOUND_HIGHLIGHTS = "highlights.yaml"
DONE, COMPLETE, FAILED, NOT_RUN = "done", "complete", "failed", "not run"


@dataclass(frozen=True, slots=True)
class TalkPaths:
    """Where one talk's files go: ``<out>/<name>/``, and fetched videos in ``<out>/media/``."""

    folder: Path
    media: Path

    @property
    def clips(self) -> Path:
        return self.folder / "clips"

    @property
    def shorts(self) -> Path:
        return self.folder / "shorts"

    @property
    def reel(self) -> Path:
        return self.folder / "reel.mp4"

    def record(self, step: str) -> Path:
        return self.folder / STEPS_FOLDER / f"{step}.json"


@dataclass(frozen=True, slots=True)
class StepResult:
    """How one step of one talk went.  ``status``: done, complete (done by an earlier run,
    skipped), failed (``error`` says why, one line) or not run (a step before it failed)."""

    talk: str
    step: str
    status: str
    error: str | None = None
    outputs: tuple[str, ...] = ()
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()
    video: str | None = None  # what later steps read: the video, its captions, highlights
    captions: str | None = None
    highlights: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (DONE, COMPLETE)


def fetch_step(talk: TalkJob, paths: TalkPaths) -> StepResult:
    """Download the talk's video and captions into ``<out>/media/<id>/`` (as ``clipkit
    fetch -d <out>/media`` does); a folder already complete downloads nothing."""
    from clipkit.fetch import FetchOptions, fetch_one

    assert talk.url is not None
    started = time.monotonic()
    try:
        options = FetchOptions(out_dir=paths.media, max_height=talk.max_height, lang=talk.lang)
        result = fetch_one(talk.url, options, steps=())
    except ClipkitError as exc:
        return StepResult(talk.name, "fetch", FAILED, str(exc), seconds=_since(started))
    files = [p for p in (result.video, *result.captions, result.info_json, result.manifest) if p]
    return StepResult(
        talk.name,
        "fetch",
        COMPLETE if result.skipped else DONE,
        outputs=tuple(str(p) for p in files),
        seconds=_since(started),
        video=str(result.video) if result.video else None,
        captions=str(result.captions[0]) if result.captions else None,
    )


def captions_step(talk: TalkJob, paths: TalkPaths, *before: StepResult) -> StepResult:
    """The talk's caption files, one a format (``<talk>/<name>.srt``, ...), and with
    ``find`` its highlights (``<talk>/highlights.yaml``)."""
    upstream = _upstream(talk, "captions", before)
    if isinstance(upstream, StepResult):
        return upstream
    captions = str(talk.captions) if talk.captions else upstream.get("captions")
    video = str(talk.video) if talk.video else upstream.get("video")
    if captions is None:
        return StepResult(talk.name, "captions", FAILED, f"{talk.name}: no captions to convert")
    request = {"formats": talk.formats, "style": repr(talk.style), "write": repr(talk.write)}
    request["find"] = list(talk.find)
    carry = {"video": video, "captions": captions}

    def run() -> tuple[list[Path], list[str], dict[str, str | None]]:
        from clipkit.convert import convert_bytes
        from clipkit.readers import read_input

        data = read_input(captions)
        outputs: list[Path] = []
        warnings: list[str] = []
        with output_folder(paths.folder):
            for fmt in talk.formats:
                suffix = EXTENSIONS[fmt]
                stem = Path(f"{talk.name}.in")  # named after the talk, not its input
                target = output_candidates(stem, paths.folder, suffix, talk.style.mode)[0]
                read: list[Any] = []
                made = convert_bytes(data, captions, fmt, talk.style, talk.write, None, read.append)
                warnings += [str(w) for t in read for w in t.warnings]
                atomic_write_bytes(target, made)
                outputs.append(target)
            highlights = str(talk.highlights) if talk.highlights else None
            if talk.find:
                found_file = paths.folder / FOUND_HIGHLIGHTS
                text, missing = _found_highlights(captions, talk.find)
                warnings += [f"{captions}: warning: {q!r} is not said in it" for q in missing]
                atomic_write_bytes(found_file, text.encode("utf-8"))
                outputs.append(found_file)
                highlights = str(found_file)
        return outputs, warnings, {**carry, "highlights": highlights}

    inputs = [captions] + ([str(talk.highlights)] if talk.highlights else [])
    return _step(talk, paths, "captions", request, inputs, run)


def clips_step(talk: TalkJob, paths: TalkPaths, *before: StepResult) -> StepResult:
    """The talk's clips, as ``clipkit clip`` cuts them, into ``<talk>/clips/``."""
    assert talk.clips is not None
    return _clip_step(talk, paths, "clips", talk.clips, paths.clips, before)


def shorts_step(talk: TalkJob, paths: TalkPaths, *before: StepResult) -> StepResult:
    """The talk's shorts (``clipkit clip --vertical --burn``) into ``<talk>/shorts/``."""
    assert talk.shorts is not None
    return _clip_step(talk, paths, "shorts", talk.shorts, paths.shorts, before)


def _clip_step(
    talk: TalkJob,
    paths: TalkPaths,
    step: str,
    settings: ClipSettings,
    out_dir: Path,
    before: Sequence[StepResult],
) -> StepResult:
    upstream = _upstream(talk, step, before)
    if isinstance(upstream, StepResult):
        return upstream
    cut = _cut(talk, upstream)
    if isinstance(cut, StepResult):
        return replace(cut, step=step)
    request = {step: repr(settings), "cut": repr(replace(cut, video=Path(), captions=None))}
    return _step(
        talk,
        paths,
        step,
        request,
        _inputs(cut),
        lambda: (cut_talk_clips(cut, settings, out_dir), [], {}),
    )


def reel_step(talk: TalkJob, paths: TalkPaths, *before: StepResult) -> StepResult:
    """The talk's reel, as ``clipkit reel`` joins it: ``<talk>/reel.mp4`` (.srt, .vtt)."""
    upstream = _upstream(talk, "reel", before)
    if isinstance(upstream, StepResult):
        return upstream
    settings = talk.reel
    assert settings is not None
    cut = _cut(talk, upstream)
    if isinstance(cut, StepResult):
        return replace(cut, step="reel")
    request = {"reel": repr(settings), "cut": repr(replace(cut, video=Path(), captions=None))}
    return _step(
        talk,
        paths,
        "reel",
        request,
        _inputs(cut),
        lambda: (make_talk_reel(cut, settings, paths.reel), [], {}),
    )


# ---------------------------------------------------------------- helpers


def _upstream(
    talk: TalkJob, step: str, before: Sequence[StepResult]
) -> StepResult | dict[str, str | None]:
    """What the steps before this one handed on, or the result of not running it."""
    for result in before:
        if not result.ok:
            return StepResult(talk.name, step, NOT_RUN, result.error)
    carried: dict[str, str | None] = {}
    for result in before:
        for key in ("video", "captions", "highlights"):
            if getattr(result, key) is not None:
                carried[key] = getattr(result, key)
    return carried


def _cut(talk: TalkJob, upstream: dict[str, str | None]) -> Cut | StepResult:
    video, highlights = upstream.get("video"), upstream.get("highlights")
    if video is None or highlights is None:
        return StepResult(talk.name, "", FAILED, f"{talk.name}: no video or no highlights to cut")
    captions = upstream.get("captions")
    return Cut(
        Path(video),
        Path(captions) if captions else None,
        Path(highlights),
        talk.style,
        talk.write,
        talk.fps,
    )


def _inputs(cut: Cut) -> list[str]:
    return [str(p) for p in (cut.video, cut.captions, cut.highlights) if p is not None]


def _found_highlights(captions: str, queries: Sequence[str]) -> tuple[str, list[str]]:
    """A highlight file of every place each query is said (whole sentences), and the
    queries not said at all."""
    transcript = load(captions)
    specs: list[HighlightSpec] = []
    missing: list[str] = []
    for query in queries:
        findings = find(transcript, query)
        if not findings:
            missing.append(query)
        for number, finding in enumerate(findings, 1):
            title = f"{query} {number}" if len(findings) > 1 else query
            start, end = finding.sentence_start.start_ms, finding.sentence_end.end_ms
            specs.append(HighlightSpec(len(specs), title, start_ms=start, end_ms=end))
    if not specs:
        raise ClipkitError(f"{captions}: none of {', '.join(map(repr, queries))} is said in it")
    header = "clipkit batch: " + ", ".join(repr(q) for q in queries)
    return highlight_file_text(specs, header), missing


Run = Callable[[], tuple[list[Path], list[str], dict[str, str | None]]]


def _step(
    talk: TalkJob,
    paths: TalkPaths,
    step: str,
    request: dict[str, Any],
    inputs: Sequence[str],
    run: Run,
) -> StepResult:
    """Run a step unless its step manifest says it is complete; write that manifest last."""
    started = time.monotonic()
    record_path = paths.record(step)
    key = _fingerprint(request, inputs)
    earlier = _complete(record_path, key)
    if earlier is not None:
        outputs, carried = earlier
        return _handing(StepResult(talk.name, step, COMPLETE, outputs=outputs), carried)
    try:
        made, warnings, carried = run()
        record = {
            "talk": talk.name,
            "step": step,
            "key": key,
            "request": request,
            "inputs": list(inputs),
            "outputs": [{"path": str(p), "bytes": p.stat().st_size} for p in made],
            "carried": carried,
        }
        with output_folder(record_path.parent):
            atomic_write_bytes(record_path, (json.dumps(record, indent=2) + "\n").encode())
    except ClipkitError as exc:
        return StepResult(talk.name, step, FAILED, str(exc), seconds=_since(started))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        error = f"{where}{exc.strerror or exc}"
        return StepResult(talk.name, step, FAILED, error, seconds=_since(started))
    except Exception as exc:  # a bug must not stop the batch: one line, naming the talk
        error = f"{talk.name}: {step}: internal error ({type(exc).__name__}: {exc})"
        return StepResult(talk.name, step, FAILED, error, seconds=_since(started))
    outputs = tuple(str(p) for p in made)
    done = StepResult(talk.name, step, DONE, None, outputs, _since(started), tuple(warnings))
    return _handing(done, carried)


def _handing(result: StepResult, carried: dict[str, str | None]) -> StepResult:
    """``result`` with what it hands on to the steps after it (the video, ...)."""
    return replace(
        result,
        video=carried.get("video"),
        captions=carried.get("captions"),
        highlights=carried.get("highlights"),
    )


def _fingerprint(request: dict[str, Any], inputs: Sequence[str]) -> str:
    """What a step was asked and the state of the files it reads (size, modification time)."""
    state = []
    for name in inputs:
        try:
            info = Path(name).stat()
            state.append([name, info.st_size, info.st_mtime_ns])
        except OSError:
            state.append([name, None, None])
    text = json.dumps({"request": request, "inputs": state}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _complete(record_path: Path, key: str) -> tuple[tuple[str, ...], dict[str, str | None]] | None:
    """The outputs (and what it hands on) of a step done before with the same request and
    inputs, every output still there at its size; else None."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record.get("key") != key:
            return None
        outputs = tuple(str(item["path"]) for item in record["outputs"])
        for item in record["outputs"]:
            if Path(item["path"]).stat().st_size != item["bytes"]:
                return None
        carried = {k: record["carried"].get(k) for k in ("video", "captions", "highlights")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return outputs, carried


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
