"""Words -> cues under a CaptionStyle (being written)."""

from __future__ import annotations

from clipkit.model import Cue, Transcript
from clipkit.style import CaptionStyle


def build_cues(transcript: Transcript, style: CaptionStyle | None = None) -> list[Cue]:
    raise NotImplementedError
