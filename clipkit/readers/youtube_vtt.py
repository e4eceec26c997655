"""(being written)"""

from __future__ import annotations

from clipkit.model import Transcript

FORMAT_ID = "youtube_vtt"
DESCRIPTION = "youtube_vtt"


def sniff(text: str) -> bool:
    return False


def read(text: str, source: str) -> Transcript:
    raise NotImplementedError
