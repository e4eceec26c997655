"""Highlight clips and reels, by stage: source -> plan -> cut (captions beside) -> manifest;
reel joins planned clips.

- :mod:`.source`: :func:`open_source` probes the video once and reads its captions;
- :mod:`.method`: :func:`choose_method`, the one rule for how a cut is made (smart,
  re-encode, copy) and why it falls back;
- :mod:`.plan`: :func:`plan_clips` resolves, checks and snaps every highlight before any
  ffmpeg run (a mistake anywhere leaves nothing behind); a :class:`ClipPlan` holds no command;
- :mod:`.captions`: each clip's cues cut at its edges, in clip time, and its caption files;
- :mod:`.cut`: :func:`clip_job` builds a clip's ffmpeg runs once, for the run and for a dry
  run; :func:`cut_clips` carries them out;
- :mod:`.reel`: :func:`plan_reel`, :func:`reel_job`, :func:`make_reel`;
- :mod:`.manifest`: ``manifest.json``.
"""

from clipkit.clips.captions import VERTICAL_MAX_CHARS, caption_files, clip_cues, relaid_lines
from clipkit.clips.cut import (
    WORK_FOLDER,
    CutJob,
    clip_captions,
    clip_job,
    clip_output,
    cut_clip,
    cut_clips,
    input_files,
)
from clipkit.clips.manifest import clip_manifest, plan_record
from clipkit.clips.method import CutMethod, MethodChoice, choose_method
from clipkit.clips.plan import MIN_CLIP_MS, ClipOptions, ClipPlan, plan_clips
from clipkit.clips.reel import ReelPlan, make_reel, plan_reel, reel_captions, reel_job
from clipkit.clips.source import Source, open_source

__all__ = [
    "MIN_CLIP_MS",
    "VERTICAL_MAX_CHARS",
    "WORK_FOLDER",
    "ClipOptions",
    "ClipPlan",
    "CutJob",
    "CutMethod",
    "MethodChoice",
    "ReelPlan",
    "Source",
    "caption_files",
    "choose_method",
    "clip_captions",
    "clip_cues",
    "clip_job",
    "clip_manifest",
    "clip_output",
    "cut_clip",
    "cut_clips",
    "input_files",
    "make_reel",
    "open_source",
    "plan_clips",
    "plan_record",
    "plan_reel",
    "reel_captions",
    "reel_job",
    "relaid_lines",
]
