"""clipkit: proper captions from YouTube's rolling auto-captions, and captioned clips.

The library the ``clipkit`` command wraps::

    from clipkit import CaptionStyle, build_cues, load, render
    transcript = load("media/avWhreBUYF0.md")          # any supported input
    cues = build_cues(transcript, CaptionStyle())       # the caption policy
    srt_bytes = render(cues, transcript, "srt")         # srt, vtt, json or txt
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from clipkit.errors import ClipkitError
    from clipkit.model import Cue, Transcript, Word
    from clipkit.readers import load, read_bytes, read_text
    from clipkit.segment import build_cues
    from clipkit.style import CaptionStyle
    from clipkit.writers import WriteOptions, render

# The API is imported on first use (PEP 562), so that `import clipkit.cli` is instant and
# Ctrl-C during the command's start-up reaches its handler instead of printing a traceback.
_API = {
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


def __getattr__(name: str) -> object:
    if name not in _API:
        raise AttributeError(f"module 'clipkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
