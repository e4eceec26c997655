"""Reading highlight files: YAML, or TOML by the ``.toml`` extension, checked as read.

Every mistake is a :class:`~clipkit.errors.HighlightError` naming the file and the line of
the key that is wrong (``h.yaml:4: end 01:10.0 is not after start 01:20.0``).  The format is
described in :mod:`clipkit.highlights`.
"""

from __future__ import annotations

import contextlib
import math
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from clipkit.errors import HighlightError
from clipkit.text import match_tokens
from clipkit.timefmt import format_time, parse_seconds, parse_time

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["KEYS", "MAX_PAD_S", "HighlightSpec", "load_highlights", "parse_toml", "parse_yaml"]

#: The keys a highlight may have.
KEYS = ("title", "start", "end", "from", "to", "pad")
#: The longest pad, in seconds.
MAX_PAD_S = 60


@dataclass(frozen=True, slots=True)
class HighlightSpec:
    """One highlight as written in the file (times in ms, quotes as written)."""

    index: int
    title: str = ""
    start_ms: int | None = None
    end_ms: int | None = None
    from_quote: str | None = None
    to_quote: str | None = None
    pad_ms: int = 0
    source: str = "<highlights>"
    line: int | None = None
    key_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` in the file (the highlight's own line if it has none)."""
        return dict(self.key_lines).get(key, self.line)

    def error(self, message: str, key: str | None = None) -> HighlightError:
        """A :class:`HighlightError` at this highlight's line, or at ``key``'s."""
        return HighlightError(message, self.source, self.line_of(key) if key else self.line)


# ---------------------------------------------------------------- files


def load_highlights(path: str | Path) -> list[HighlightSpec]:
    """The highlights of a file: TOML when it ends in ``.toml``, else YAML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HighlightError(f"cannot read: {exc}", str(path)) from exc
    if path.suffix.lower() == ".toml":
        return parse_toml(text, str(path))
    return parse_yaml(text, str(path))


def parse_yaml(text: str, source: str = "<highlights>") -> list[HighlightSpec]:
    """The highlights of a YAML highlight file's text (``source`` names it in errors)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise HighlightError(f"not valid YAML: {exc.problem or exc}", source, line) from exc
    except yaml.YAMLError as exc:
        raise HighlightError(f"not valid YAML: {exc}", source) from exc
    if root is None:
        raise HighlightError("empty highlight file", source, 1)
    items_node: yaml.Node = root
    if isinstance(root, yaml.MappingNode):
        found = [
            v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "highlights"
        ]
        if not found:
            raise HighlightError("expected a 'highlights:' list", source, root.start_mark.line + 1)
        items_node = found[0]
    if not isinstance(items_node, yaml.SequenceNode):
        raise HighlightError(
            "'highlights' must be a list of highlights", source, items_node.start_mark.line + 1
        )
    specs = []
    for index, item in enumerate(items_node.value):
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise HighlightError(
                "each highlight must be a mapping (title:, start:, ...)", source, line
            )
        fields: dict[str, tuple[object, int]] = {}
        for key_node, value_node in item.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise HighlightError("keys must be plain words", source, key_line)
            if not isinstance(value_node, yaml.ScalarNode):
                raise HighlightError(f"{key_node.value!r} must be a single value", source, key_line)
            if key_node.value in fields:
                raise HighlightError(f"{key_node.value!r} given twice", source, key_line)
            fields[str(key_node.value)] = (_yaml_scalar(value_node), key_line)
        specs.append(_make_spec(index, fields, source, line))
    return _check_all(specs, source, items_node.start_mark.line + 1)


def _yaml_scalar(node: yaml.ScalarNode) -> object:
    """Keep times as written: YAML 1.1 would read 05:44 as the base-60 integer 344.

    A number too large for a float (``1.0e+400``, 5000 digits) stays exact, as a Decimal,
    so that the error says what was written rather than ``inf``.
    """
    if node.tag.endswith(":null"):
        return None
    if node.tag.endswith((":int", ":float")) and ":" not in node.value:
        try:
            number = float(node.value)
        except ValueError:
            return node.value
        if math.isfinite(number):
            return number
        with contextlib.suppress(InvalidOperation):
            return Decimal(node.value)
        return node.value
    return str(node.value)


def parse_toml(text: str, source: str = "<highlights>") -> list[HighlightSpec]:
    """The highlights of a TOML highlight file's text (``source`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise HighlightError(
            f"not valid TOML: {str(exc).split(' (at')[0]}",
            source,
            int(match.group(1)) if match else None,
        ) from exc
    except ValueError as exc:  # an integer too long for Python to read (over 4300 digits)
        digits = re.search(r"\d{4000,}", text)
        line = text.count("\n", 0, digits.start()) + 1 if digits else None
        message = "not valid TOML: a number with thousands of digits"
        raise HighlightError(message, source, line) from exc
    items = data.get("highlights")
    if not isinstance(items, list):
        raise HighlightError("expected a [[highlights]] table list", source, 1)
    tables = _toml_table_lines(text)
    specs = []
    for index, item in enumerate(items):
        line, key_lines = tables[index] if index < len(tables) else (None, {})
        if not isinstance(item, dict):
            raise HighlightError("each highlight must be a table", source, line)
        fields: dict[str, tuple[object, int]] = {}
        for key, value in item.items():
            key_line = key_lines.get(key, line or 0)
            if isinstance(value, (dict, list)):
                raise HighlightError(f"{key!r} must be a single value", source, key_line or None)
            fields[key] = (value, key_line)
        specs.append(_make_spec(index, fields, source, line))
    return _check_all(specs, source, 1)


def _toml_table_lines(text: str) -> list[tuple[int, dict[str, int]]]:
    """Line of each ``[[highlights]]`` header and of the keys under it."""
    tables: list[tuple[int, dict[str, int]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if re.match(r"^\[\[\s*highlights\s*\]\]", line):
            tables.append((number, {}))
        elif line.startswith("["):
            break  # another table: keys below are not a highlight's
        elif tables and (match := re.match(r"^([A-Za-z_][\w-]*|\"[^\"]+\")\s*=", line)):
            tables[-1][1].setdefault(match.group(1).strip('"'), number)
    return tables


def _make_spec(
    index: int, fields: dict[str, tuple[object, int]], source: str, line: int | None
) -> HighlightSpec:
    key_lines = tuple((key, at) for key, (_, at) in fields.items())

    def fail(message: str, key: str | None = None) -> HighlightError:
        where = dict(key_lines).get(key, line) if key else line
        return HighlightError(message, source, where)

    for key in fields:
        if key not in KEYS:
            raise fail(f"unknown key {key!r} (expected {', '.join(KEYS)})", key)
    values = {key: value for key, (value, _) in fields.items() if value is not None}

    def time_of(key: str) -> int | None:
        if key not in values:
            return None
        try:
            return parse_time(values[key])
        except ValueError as exc:
            raise fail(f"{key}: {exc}", key) from None

    def quote_of(key: str) -> str | None:
        if key not in values:
            return None
        quote = str(values[key]).strip()
        if isinstance(values[key], float) or not match_tokens(quote):
            raise fail(f"{key}: expected words to look for, got {values[key]!r}", key)
        return quote

    start, end = time_of("start"), time_of("end")
    from_quote, to_quote = quote_of("from"), quote_of("to")
    if start is not None and from_quote is not None:
        raise fail("give either 'start' or 'from', not both", "from")
    if end is not None and to_quote is not None:
        raise fail("give either 'end' or 'to', not both", "to")
    if start is None and from_quote is None:
        raise fail("missing 'start' (a time) or 'from' (a quote)")
    if end is None and to_quote is None:
        raise fail("missing 'end' (a time) or 'to' (a quote)")
    if start is not None and end is not None and end <= start:
        raise fail(f"end {format_time(end)} is not after start {format_time(start)}", "end")
    pad = 0
    if "pad" in values:
        try:
            pad_s = parse_seconds(values["pad"])
        except ValueError as exc:
            raise fail(f"pad: {exc}", "pad") from None
        if not 0 <= pad_s <= MAX_PAD_S:
            raise fail(f"pad must be between 0 and {MAX_PAD_S} seconds", "pad")
        pad = round(pad_s * 1000)
    title = str(values.get("title", "")).strip()
    return HighlightSpec(
        index, title, start, end, from_quote, to_quote, pad, source, line, key_lines
    )


def _check_all(specs: list[HighlightSpec], source: str, line: int) -> list[HighlightSpec]:
    if not specs:
        raise HighlightError("no highlights in the file", source, line)
    return specs
