"""(being written)"""

from __future__ import annotations

from clipkit.model import Transcript

SRT_ID = "srt"
SRT_DESCRIPTION = "SubRip"
VTT_ID = "vtt"
VTT_DESCRIPTION = "WebVTT"


def sniff_srt(text: str) -> bool:
    return False


def sniff_vtt(text: str) -> bool:
    return False


def read_srt(text: str, source: str) -> Transcript:
    raise NotImplementedError


def read_vtt(text: str, source: str) -> Transcript:
    raise NotImplementedError
