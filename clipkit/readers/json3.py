"""(being written)"""

from __future__ import annotations

from clipkit.model import Transcript

FORMAT_ID = "json3"
DESCRIPTION = "json3"


def sniff(text: str) -> bool:
    return False


def read(text: str, source: str) -> Transcript:
    raise NotImplementedError
