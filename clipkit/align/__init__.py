"""Caption timing from the audio: transcript words aligned to the speech of a media file.

    >>> from clipkit.align import align_transcript
    >>> result = align_transcript(transcript, "talk.mp4")  # doctest: +SKIP
    >>> result.transcript.words  # the same words, timed from the speech  # doctest: +SKIP
    >>> print(result.report.summary())  # doctest: +SKIP
    aligned 97 % of words; 3 stretches kept their estimated times: 12:03-12:41, ...

See :mod:`clipkit.align.engine` for how.  Needs the ``pocketsphinx`` package (the
``align`` extra); espeak-ng (optional) pronounces the words its dictionary lacks.
"""

from clipkit.align.engine import AlignProgress, align_transcript
from clipkit.align.report import AlignmentReport, AlignmentResult

__all__ = ["AlignProgress", "AlignmentReport", "AlignmentResult", "align_transcript"]
