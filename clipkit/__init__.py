"""clipkit: proper captions from YouTube's rolling auto-captions, and captioned clips.

The library the ``clipkit`` command wraps::

    from clipkit import CaptionStyle, build_cues, load, render
    transcript = load("media/avWhreBUYF0.md")          # any supported input
    cues = build_cues(transcript, CaptionStyle())       # the caption policy
    srt_bytes = render(cues, transcript, "srt")         # srt, vtt, json or txt
"""

from clipkit.errors import ClipkitError
from clipkit.model import Cue, Transcript, Word
from clipkit.readers import load, read_bytes, read_text
from clipkit.segment import build_cues
from clipkit.style import CaptionStyle
from clipkit.writers import WriteOptions, render

__all__ = [
    "CaptionStyle",
    "ClipkitError",
    "Cue",
    "Transcript",
    "Word",
    "WriteOptions",
    "build_cues",
    "load",
    "read_bytes",
    "read_text",
    "render",
]
__version__ = "0.1.0"
