"""clipkit: proper captions from YouTube's rolling auto-captions, and captioned clips.

The library the ``clipkit`` command wraps::

    from clipkit import CaptionStyle, build_cues, load, render
    transcript = load("media/avWhreBUYF0.md")          # any supported input
    cues = build_cues(transcript, CaptionStyle())       # the caption policy
    srt_bytes = render(cues, transcript, "srt")         # srt, vtt, json or txt

Fetching a talk and finding its moments::

    from clipkit import FetchOptions, fetch_one, find, load
    talk = fetch_one("https://www.youtube.com/watch?v=avWhreBUYF0", FetchOptions())
    for finding in find(load(talk.srt), "wells fargo"):  # each with its sentences
        print(finding.match.start_ms, finding.context)

Cutting clips and a reel (what ``clipkit clip`` and ``clipkit reel`` do)::

    from clipkit import ClipOptions, cut_clips, load_highlights, make_reel, open_source
    from clipkit import plan_clips, plan_reel
    talk = open_source("talk.mp4", "talk.srt")          # probed once, captions on its frames
    plans = plan_clips(talk, load_highlights("media/highlights.yaml"), ClipOptions())
    cut_clips(talk, plans)                              # clips/NAME.mp4, .srt, .vtt, manifest
    make_reel(talk, plan_reel(talk, plans, title_ms=2000), "reel.mp4")

Many files at once: :class:`BatchOptions`, :func:`expand_inputs`, :func:`plan_jobs` and
:func:`convert_batch` (what ``clipkit convert`` does with folders and globs).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from clipkit.batch import BatchOptions, BatchReport, convert_batch, expand_inputs, plan_jobs
    from clipkit.clips import (
        ClipOptions,
        ClipPlan,
        CutJob,
        CutMethod,
        MethodChoice,
        ReelPlan,
        Source,
        choose_method,
        clip_job,
        cut_clip,
        cut_clips,
        make_reel,
        open_source,
        plan_clips,
        plan_reel,
        reel_job,
    )
    from clipkit.convert import convert_bytes, convert_file
    from clipkit.errors import ClipkitError
    from clipkit.fetch import (
        DownloadProgress,
        FetchOptions,
        FetchOutcome,
        FetchResult,
        PostStep,
        fetch_all,
        fetch_one,
    )
    from clipkit.highlights import (
        Finding,
        HighlightSpec,
        QuoteMatch,
        find,
        findings_to_yaml,
        highlight_file_text,
        load_highlights,
        search,
    )
    from clipkit.model import Cue, Transcript, Word
    from clipkit.readers import load, read_bytes, read_text
    from clipkit.segment import build_cues
    from clipkit.style import CaptionStyle
    from clipkit.writers import WriteOptions, render

# The API is imported on first use (PEP 562), so that `import clipkit.cli` is instant and
# Ctrl-C during the command's start-up reaches its handler instead of printing a traceback.
_API = {
    "ClipOptions": "clipkit.clips",
    "ClipPlan": "clipkit.clips",
    "CutJob": "clipkit.clips",
    "CutMethod": "clipkit.clips",
    "MethodChoice": "clipkit.clips",
    "ReelPlan": "clipkit.clips",
    "Source": "clipkit.clips",
    "choose_method": "clipkit.clips",
    "clip_job": "clipkit.clips",
    "cut_clip": "clipkit.clips",
    "cut_clips": "clipkit.clips",
    "make_reel": "clipkit.clips",
    "open_source": "clipkit.clips",
    "plan_clips": "clipkit.clips",
    "plan_reel": "clipkit.clips",
    "reel_job": "clipkit.clips",
    "BatchOptions": "clipkit.batch",
    "BatchReport": "clipkit.batch",
    "convert_batch": "clipkit.batch",
    "expand_inputs": "clipkit.batch",
    "plan_jobs": "clipkit.batch",
    "convert_bytes": "clipkit.convert",
    "convert_file": "clipkit.convert",
    "DownloadProgress": "clipkit.fetch",
    "FetchOptions": "clipkit.fetch",
    "FetchOutcome": "clipkit.fetch",
    "FetchResult": "clipkit.fetch",
    "PostStep": "clipkit.fetch",
    "fetch_all": "clipkit.fetch",
    "fetch_one": "clipkit.fetch",
    "Finding": "clipkit.highlights",
    "HighlightSpec": "clipkit.highlights",
    "QuoteMatch": "clipkit.highlights",
    "find": "clipkit.highlights",
    "findings_to_yaml": "clipkit.highlights",
    "highlight_file_text": "clipkit.highlights",
    "load_highlights": "clipkit.highlights",
    "search": "clipkit.highlights",
    "ClipkitError": "clipkit.errors",
    "Cue": "clipkit.model",
    "Transcript": "clipkit.model",
    "Word": "clipkit.model",
    "load": "clipkit.readers",
    "read_bytes": "clipkit.readers",
    "read_text": "clipkit.readers",
    "build_cues": "clipkit.segment",
    "CaptionStyle": "clipkit.style",
    "WriteOptions": "clipkit.writers",
    "render": "clipkit.writers",
}

__all__ = [
    "BatchOptions",
    "BatchReport",
    "CaptionStyle",
    "ClipOptions",
    "ClipPlan",
    "ClipkitError",
    "Cue",
    "CutJob",
    "CutMethod",
    "DownloadProgress",
    "FetchOptions",
    "FetchOutcome",
    "FetchResult",
    "Finding",
    "HighlightSpec",
    "MethodChoice",
    "PostStep",
    "QuoteMatch",
    "ReelPlan",
    "Source",
    "Transcript",
    "Word",
    "WriteOptions",
    "build_cues",
    "choose_method",
    "clip_job",
    "convert_batch",
    "convert_bytes",
    "convert_file",
    "cut_clip",
    "cut_clips",
    "expand_inputs",
    "fetch_all",
    "fetch_one",
    "find",
    "findings_to_yaml",
    "highlight_file_text",
    "load",
    "load_highlights",
    "make_reel",
    "open_source",
    "plan_clips",
    "plan_jobs",
    "plan_reel",
    "read_bytes",
    "read_text",
    "reel_job",
    "render",
    "search",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name not in _API:
        raise AttributeError(f"module 'clipkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
