"""Highlight files and quote search.

A highlight file (YAML, or TOML by its ``.toml`` extension) lists the moments to cut::

    highlights:
      - title: The Wells Fargo integration
        from: "one one one day we realized"     # or start: "05:44" / 344 / "00:05:44.000"
        to: "how other organizations would work"  # or end: ...
        pad: 0.5                                  # seconds added before and after

- :mod:`~clipkit.highlights.files` reads and checks them (every mistake a
  :class:`~clipkit.errors.HighlightError` with the file and line);
- :mod:`~clipkit.highlights.search` finds quotes in a transcript (``from:``/``to:`` and
  ``clipkit find``), ignoring case and punctuation and tolerating small recognition slips;
- :mod:`~clipkit.highlights.writer` writes them, the one way clipkit does.

Times are read by :func:`clipkit.timefmt.parse_time`; sentences are found by
:func:`clipkit.text.sentences`.
"""

from __future__ import annotations

from clipkit.highlights.files import (
    KEYS,
    MAX_PAD_S,
    HighlightSpec,
    load_highlights,
    parse_toml,
    parse_yaml,
)
from clipkit.highlights.search import (
    FUZZY_THRESHOLD,
    Finding,
    QuoteMatch,
    ResolvedHighlight,
    closest,
    find,
    find_one,
    resolve,
    search,
)
from clipkit.highlights.writer import findings_to_yaml, highlight_file_text

# Rules that live in clipkit.text and clipkit.timefmt, named here as well for the code
# that imported them from this module before they had a home of their own.
from clipkit.text import Sentence, normalize, sentences
from clipkit.timefmt import MAX_TIME_MS, parse_time

__all__ = [
    "FUZZY_THRESHOLD",
    "KEYS",
    "MAX_PAD_S",
    "MAX_TIME_MS",
    "Finding",
    "HighlightSpec",
    "QuoteMatch",
    "ResolvedHighlight",
    "Sentence",
    "closest",
    "find",
    "find_one",
    "findings_to_yaml",
    "highlight_file_text",
    "load_highlights",
    "normalize",
    "parse_time",
    "parse_toml",
    "parse_yaml",
    "resolve",
    "search",
    "sentences",
]
