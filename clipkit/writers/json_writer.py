"""JSON output: the words with their times and the cues, times in seconds (3 decimals).

One word or cue per line, so the file stays readable and diffs well::

    {
     "words": [
      {"start": 0.29, "end": 0.61, "text": "Well,", "speaker_change": false},
      ...
     ],
     "cues": [
      {"start": 0.29, "end": 2.1, "lines": ["Well, hello."]},
      ...
     ]
    }
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from clipkit.model import Cue, Transcript
from clipkit.timefmt import to_seconds
from clipkit.writers.base import WriteOptions, shown_words


def write(cues: Sequence[Cue], transcript: Transcript, options: WriteOptions) -> str:
    words = (
        {
            "start": to_seconds(word.start_ms),
            "end": to_seconds(word.end_ms),
            "text": word.text,
            "speaker_change": word.speaker_change,
        }
        for word in shown_words(cues, transcript)
    )
    cue_items = (
        {"start": to_seconds(cue.start_ms), "end": to_seconds(cue.end_ms), "lines": list(cue.lines)}
        for cue in cues
    )
    return "{\n" + _array("words", words) + ",\n" + _array("cues", cue_items) + "\n}\n"


def _array(key: str, items: Iterable[object]) -> str:
    rows = ",\n".join("  " + json.dumps(item, ensure_ascii=False) for item in items)
    return f" {json.dumps(key)}: [\n{rows}\n ]" if rows else f" {json.dumps(key)}: []"
