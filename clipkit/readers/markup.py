"""Styling markup inside caption text, which readers remove: only the words are kept.

Caption files carry two kinds: HTML-like tags (``<i>``, ``<font color="red">``, WebVTT's
``<c.colorE5E5E5>``) and ASS/SSA override blocks (``{\\an8}``, ``{\\i1}``), which many
SRT editors write.  Left in, they would be shown as text, and moved or garbled by
``--burn`` (libass reads the overrides as positioning).

Every pattern here is linear: a tag cannot contain ``<`` or a line break, and an
override block cannot contain ``{``, so a run of unclosed ``<`` (or ``{\\``) is scanned
once, not once for every ``<`` in it.
"""

from __future__ import annotations

import re

#: Any ``<...>`` on one line: SRT and WebVTT payloads, where ``<`` only opens a tag
#: (WebVTT escapes a literal one as ``&lt;``).
ANY_TAG = re.compile(r"<[^<>\n]*>")
#: A tag that starts with a letter or ``/`` (``<i>``, ``</font>``): text that is not
#: WebVTT or SRT (json3, markdown), where "x < y > z" may be meant literally.
HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
#: An ASS/SSA override block: ``{\an8}``, ``{\i1\b1}``.
ASS_OVERRIDE = re.compile(r"\{\\[^{}\n]*\}")


def strip_overrides(text: str) -> str:
    """``text`` without ASS override blocks."""
    return ASS_OVERRIDE.sub("", text) if "{\\" in text else text


def strip_markup(text: str) -> str:
    """Raw caption text (json3, markdown) without HTML-like tags and override blocks."""
    if "<" in text:
        text = HTML_TAG.sub("", text)
    return strip_overrides(text)


def strip_markup_across(pieces: list[str]) -> list[str]:
    """The pieces of one line (json3 segs) without markup, also where a tag runs from one
    piece into the next (``<font`` + `` color="red">hi``): as many pieces, each losing
    only its own part of the markup."""
    joined = "\x00".join(pieces)

    def kept_boundaries(match: re.Match[str]) -> str:
        return "\x00" * match.group().count("\x00")

    if "<" in joined:
        joined = HTML_TAG.sub(kept_boundaries, joined)
    if "{\\" in joined:
        joined = ASS_OVERRIDE.sub(kept_boundaries, joined)
    return joined.split("\x00")
