"""Writing highlight files: the one way clipkit writes them (``find --write``, ``fetch``).

PyYAML writes every value, so any title (quotes, colons, another script) reads back as
written; times are written quoted (a bare ``12:30`` is a base-60 number to YAML 1.1) in
the form :func:`clipkit.timefmt.format_clock` gives, which :func:`parse_time` reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from clipkit.highlights.files import HighlightSpec
from clipkit.highlights.search import Finding
from clipkit.timefmt import format_clock

__all__ = ["findings_to_yaml", "highlight_file_text"]


def highlight_file_text(
    highlights: Sequence[HighlightSpec], header: str = "", notes: Sequence[str] = ()
) -> str:
    """A YAML highlight file holding ``highlights`` in order.

    ``header`` becomes comment lines at the top; ``notes[i]``, when given, a comment line
    under highlight ``i`` (e.g. the sentences it spans).
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    if not highlights:
        return "\n".join([*lines, "highlights: []"]) + "\n"
    lines.append("highlights:")
    text = "\n".join(lines) + "\n"
    for index, highlight in enumerate(highlights):
        text += yaml.dump(
            [_entry(highlight)],
            Dumper=_HighlightDumper,
            sort_keys=False,
            allow_unicode=True,
            width=1000,
        )
        note = " ".join(notes[index].split()) if index < len(notes) else ""
        if note:
            text += f"  # {note}\n"
    return text


def findings_to_yaml(findings: Sequence[Finding], query: str) -> str:
    """A highlight file with one highlight per finding, spanning whole sentences, each with
    those sentences as a note."""
    highlights = [
        HighlightSpec(
            index,
            f"{query} {index + 1}" if len(findings) > 1 else query,
            start_ms=finding.sentence_start.start_ms,
            end_ms=finding.sentence_end.end_ms,
        )
        for index, finding in enumerate(findings)
    ]
    header = f"clipkit find {query!r}: {len(findings)} match(es); edit titles and times freely"
    return highlight_file_text(highlights, header, [f.context[:200] for f in findings])


def _entry(highlight: HighlightSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": highlight.title}
    if highlight.from_quote is not None:
        entry["from"] = highlight.from_quote
    elif highlight.start_ms is not None:
        entry["start"] = _Time(format_clock(highlight.start_ms))
    if highlight.to_quote is not None:
        entry["to"] = highlight.to_quote
    elif highlight.end_ms is not None:
        entry["end"] = _Time(format_clock(highlight.end_ms))
    entry["pad"] = highlight.pad_ms / 1000
    return entry


class _Time(str):
    """A clock time, always written quoted."""

    __slots__ = ()


class _HighlightDumper(yaml.SafeDumper):
    pass


def _quoted_time(dumper: yaml.SafeDumper, value: _Time) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_HighlightDumper.add_representer(_Time, _quoted_time)
