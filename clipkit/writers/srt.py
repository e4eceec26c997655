"""SubRip output, written with pysrt: numbered from 1, ``HH:MM:SS,mmm``, UTF-8."""

from __future__ import annotations

import io
from collections.abc import Sequence

from clipkit.model import Cue, Transcript
from clipkit.writers.base import WriteOptions


def write(cues: Sequence[Cue], transcript: Transcript, options: WriteOptions) -> str:
    import pysrt  # (here: a conversion to another format need not import it)

    subrip = pysrt.SubRipFile(
        items=[
            pysrt.SubRipItem(
                index=number,
                start=pysrt.SubRipTime.from_ordinal(cue.start_ms),
                end=pysrt.SubRipTime.from_ordinal(cue.end_ms),
                text="\n".join(cue.lines),
            )
            for number, cue in enumerate(cues, start=1)
        ],
        eol="\n",
    )
    buffer = io.StringIO()
    # line endings are render()'s job, so pysrt always writes "\n" here
    subrip.write_into(buffer, eol="\n")
    return buffer.getvalue()
