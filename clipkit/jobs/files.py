"""Reading batch job files (YAML), checked as read: every mistake is a
:class:`~clipkit.errors.JobFileError` naming the file and the line of the key that is wrong
(``jobs.yaml:7: clips: unknown key 'mdoe' (expected mode, vertical, burn, snap)``).

The format (``out_dir``, ``defaults``, ``talks``: each a ``url``, a ``video`` or
``captions`` alone, with ``highlights`` or ``find``, ``formats``, ``style``, ``clips``,
``reel``) is described in the README and in ``clipkit batch --help``.  Paths are relative
to the job file's folder.  Highlight files are read (and checked) with the job file, so a
mistake in one is found before anything runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from clipkit.errors import ClipkitError, JobFileError, OptionError
from clipkit.fetch.folder import folder_name
from clipkit.highlights import load_highlights
from clipkit.jobs.model import CUT_MODES, ClipSettings, JobFile, ReelSettings, TalkJob
from clipkit.style import SPEAKER_MARKERS as MARKERS
from clipkit.style import CaptionStyle
from clipkit.writers import WRITERS, WriteOptions

__all__ = ["load_jobs", "parse_jobs"]

TALK_KEYS = ("name", "url", "video", "captions", "highlights", "find")
MAKE_KEYS = ("formats", "style", "clips", "shorts", "reel", "lang", "max_height")
#: Shorts are clips for a phone: 9:16, captions burned in (so re-encoded).
SHORTS = ClipSettings(mode="reencode", vertical=True, burn=True)
STYLE_KEYS: dict[str, type] = {
    "max_chars": int,
    "max_lines": int,
    "fps": float,
    "min_gap_frames": int,
    "max_cps": float,
    "mode": str,
    "resegment": bool,
    "sound_tags": bool,
    "speaker_marker": str,
    "shift": float,
    "crlf": bool,
    "bom": bool,
}
CLIP_KEYS: dict[str, type] = {"mode": str, "vertical": bool, "burn": bool, "snap": bool}
REEL_KEYS: dict[str, type] = {"titles": float, "xfade": float}
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$")
MAX_SECONDS = 3600.0


def load_jobs(path: str | Path) -> JobFile:
    """The job file at ``path`` (YAML), checked."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise JobFileError(f"cannot read: {exc}", str(path)) from exc
    return parse_jobs(text, str(path), path.parent)


def parse_jobs(text: str, source: str = "<jobs>", base: Path = Path()) -> JobFile:
    """The job file in ``text``; relative paths are taken from ``base``."""
    reader = _Reader(source, base)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise reader.error(f"not valid YAML: {exc.problem or exc}", mark) from exc
    except yaml.YAMLError as exc:
        raise JobFileError(f"not valid YAML: {exc}", source) from exc
    if root is None:
        raise JobFileError("empty job file", source, 1)
    top = reader.mapping(root, "the job file", ("out_dir", "defaults", "talks"))
    if "talks" not in top:
        raise reader.error("expected a 'talks:' list", root.start_mark)
    defaults = _Making()
    if "defaults" in top:
        node = top["defaults"]
        defaults = reader.making(reader.mapping(node, "defaults", MAKE_KEYS), defaults)
    out_dir = base / "out"
    if "out_dir" in top:
        out_dir = reader.path(top["out_dir"], "out_dir", must_exist=False)
    talks_node = top["talks"]
    if not isinstance(talks_node, yaml.SequenceNode) or not talks_node.value:
        raise reader.error("'talks' must be a list of talks", talks_node.start_mark)
    talks = [reader.talk(node, defaults) for node in talks_node.value]
    seen: dict[str, int] = {}
    for talk in talks:
        if talk.name.lower() in seen:
            raise JobFileError(
                f"two talks named {talk.name!r} (the first on line {seen[talk.name.lower()]}): "
                "give one a name:",
                source,
                talk.line,
            )
        seen[talk.name.lower()] = talk.line
    return JobFile(source, out_dir, tuple(talks))


@dataclass(frozen=True, slots=True)
class _Making:
    """What a talk makes: the defaults, then each talk's own keys over them."""

    formats: tuple[str, ...] = ("srt", "vtt")
    style: CaptionStyle = field(default_factory=CaptionStyle)
    write: WriteOptions = field(default_factory=WriteOptions)
    clips: ClipSettings | None = None
    shorts: ClipSettings | None = None
    reel: ReelSettings | None = None
    lang: str = "en"
    max_height: int = 1080
    fps: float | None = None


class _Reader:
    """Turns YAML nodes into the model, each mistake an error at its node's line."""

    def __init__(self, source: str, base: Path) -> None:
        self.source = source
        self.base = base

    def error(self, message: str, mark: Any = None) -> JobFileError:
        return JobFileError(message, self.source, mark.line + 1 if mark is not None else None)

    def mapping(self, node: yaml.Node, what: str, keys: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(f"{what} must be a mapping (key: value)", node.start_mark)
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error("keys must be plain words", key_node.start_mark)
            key = str(key_node.value)
            if key not in keys:
                raise self.error(
                    f"{what}: unknown key {key!r} (expected {', '.join(keys)})",
                    key_node.start_mark,
                )
            if key in found:
                raise self.error(f"{key!r} given twice", key_node.start_mark)
            found[key] = value_node
        return found

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(f"{what} must be a single value", node.start_mark)
        return yaml.SafeLoader("").construct_object(node)

    def typed(self, node: yaml.Node, what: str, kind: type) -> Any:
        value = self.scalar(node, what)
        if kind is bool and not isinstance(value, bool):
            raise self.error(f"{what}: expected true or false, got {value!r}", node.start_mark)
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(f"{what}: expected a whole number, got {value!r}", node.start_mark)
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.error(f"{what}: expected a number, got {value!r}", node.start_mark)
            value = float(value)
        if kind is str and not isinstance(value, str):
            raise self.error(f"{what}: expected text, got {value!r}", node.start_mark)
        return value

    def path(self, node: yaml.Node, what: str, must_exist: bool = True) -> Path:
        text = self.scalar(node, what)
        if not isinstance(text, str) or not text.strip():
            raise self.error(f"{what}: expected a file name, got {text!r}", node.start_mark)
        path = self.base / Path(text).expanduser()
        if must_exist and not path.is_file():
            raise self.error(f"{what}: {path}: no such file", node.start_mark)
        return path

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        values = tuple(str(self.typed(item, what, str)).strip() for item in items)
        if not values or not all(values):
            raise self.error(f"{what}: expected one or more words, not nothing", node.start_mark)
        return values

    def talk(self, node: yaml.Node, defaults: _Making) -> TalkJob:
        line = node.start_mark.line + 1
        fields = self.mapping(node, "a talk", TALK_KEYS + MAKE_KEYS)
        making = self.making(fields, defaults)
        url = self.typed(fields["url"], "url", str).strip() if "url" in fields else None
        video = self.path(fields["video"], "video") if "video" in fields else None
        captions = self.path(fields["captions"], "captions") if "captions" in fields else None
        if url is not None and video is not None:
            later = max(fields["url"], fields["video"], key=lambda n: n.start_mark.line)
            raise self.error("give either 'url' or 'video', not both", later.start_mark)
        if url is None and video is None and captions is None:
            raise self.error("a talk needs a 'url', a 'video' or 'captions'", node.start_mark)
        if url is not None and not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", url, re.IGNORECASE):
            raise self.error(f"url: not a URL: {url!r}", fields["url"].start_mark)
        highlights = None
        if "highlights" in fields:
            highlights = self.path(fields["highlights"], "highlights")
            try:
                load_highlights(highlights)  # its own mistakes, at its own lines
            except ClipkitError as exc:
                where = fields["highlights"].start_mark
                raise self.error(f"highlights: {exc}", where) from exc
        found = self.strings(fields["find"], "find") if "find" in fields else ()
        if highlights is not None and found:
            raise self.error("give either 'highlights' or 'find', not both", node.start_mark)
        asked = [key for key in ("clips", "shorts", "reel") if getattr(making, key) is not None]
        if url is None and video is None:
            own = [key for key in asked if key in fields]
            if own:  # the defaults' clips and reels are for the talks with a video
                raise self.error(f"{own[0]}: needs a 'url' or a 'video'", fields[own[0]].start_mark)
            asked = []
        if asked and not (highlights or found):
            where = fields.get(asked[0], node)
            raise self.error(f"{asked[0]}: needs 'highlights' or 'find'", where.start_mark)
        if found and captions is None and url is None:
            raise self.error("find needs captions to search", fields["find"].start_mark)
        name_node = fields.get("name")
        if name_node is not None:
            name = str(self.typed(name_node, "name", str)).strip()
            if not _NAME.match(name):
                raise self.error(
                    f"name: {name!r} is not a plain folder name (letters, digits, _ . -)",
                    name_node.start_mark,
                )
        else:
            name = _name_for(url, video, captions)
        if not asked:
            making = replace(making, clips=None, shorts=None, reel=None)
        return TalkJob(
            name=name,
            line=line,
            url=url,
            video=video,
            captions=captions,
            highlights=highlights,
            find=found,
            formats=making.formats,
            style=making.style,
            write=making.write,
            clips=making.clips,
            shorts=making.shorts,
            reel=making.reel,
            lang=making.lang,
            max_height=making.max_height,
            fps=making.fps,
        )

    def making(self, fields: dict[str, yaml.Node], base: _Making) -> _Making:
        made = base
        if "formats" in fields:
            node = fields["formats"]
            formats = self.strings(node, "formats")
            for fmt in formats:
                if fmt not in WRITERS:
                    raise self.error(
                        f"formats: unknown format {fmt!r} (choose from {', '.join(WRITERS)})",
                        node.start_mark,
                    )
            made = replace(made, formats=tuple(dict.fromkeys(formats)))
        if "style" in fields:
            made = self._style(fields["style"], made)
        if "clips" in fields:
            made = replace(made, clips=self._clips(fields["clips"], "clips", ClipSettings()))
        if "shorts" in fields:
            made = replace(made, shorts=self._clips(fields["shorts"], "shorts", SHORTS))
        if "reel" in fields:
            settings = self._settings(fields["reel"], "reel", REEL_KEYS)
            reel = None
            if settings is not None:
                for key, seconds in settings.items():
                    if not 0 <= seconds <= MAX_SECONDS:
                        raise self.error(
                            f"reel: {key}: a number of seconds from 0 to 3600, not {seconds:g}",
                            fields["reel"].start_mark,
                        )
                reel = ReelSettings(
                    round(settings.get("titles", 0) * 1000), round(settings.get("xfade", 0) * 1000)
                )
            made = replace(made, reel=reel)
        if "lang" in fields:
            made = replace(made, lang=str(self.typed(fields["lang"], "lang", str)))
        if "max_height" in fields:
            height = self.typed(fields["max_height"], "max_height", int)
            if height < 1:
                raise self.error("max_height: at least 1 pixel", fields["max_height"].start_mark)
            made = replace(made, max_height=height)
        return made

    def _clips(self, node: yaml.Node, what: str, base: ClipSettings) -> ClipSettings | None:
        settings = self._settings(node, what, CLIP_KEYS)
        if settings is None:
            return None
        clips = replace(base, **settings)
        if clips.mode not in CUT_MODES:
            raise self.error(
                f"{what}: mode {clips.mode!r} (choose from {', '.join(CUT_MODES)})",
                node.start_mark,
            )
        if (clips.burn or clips.vertical) and clips.mode != "reencode":
            if "mode" in settings:
                raise self.error(
                    f"{what}: mode {clips.mode} copies the picture: burn and vertical "
                    "need mode reencode",
                    node.start_mark,
                )
            clips = replace(clips, mode="reencode")
        return clips

    def _settings(self, node: yaml.Node, what: str, keys: dict[str, type]) -> dict[str, Any] | None:
        """``true`` (the defaults), ``false`` (none), or a mapping of ``keys``."""
        if isinstance(node, yaml.ScalarNode):
            return {} if self.typed(node, what, bool) else None
        fields = self.mapping(node, what, tuple(keys))
        return {key: self.typed(node, f"{what}: {key}", keys[key]) for key, node in fields.items()}

    def _style(self, node: yaml.Node, made: _Making) -> _Making:
        fields = self.mapping(node, "style", tuple(STYLE_KEYS))
        values = {key: self.typed(v, f"style: {key}", STYLE_KEYS[key]) for key, v in fields.items()}
        write = made.write
        for key in ("crlf", "bom"):
            if key in values:
                write = replace(write, **{key: values.pop(key)})
        if "shift" in values:
            shift = values.pop("shift")
            if abs(shift) > 360_000:
                where = fields["shift"].start_mark
                raise self.error(f"style: shift: {shift:g} s is too far", where)
            write = replace(write, shift_ms=round(shift * 1000))
        if "speaker_marker" in values:
            marker = values["speaker_marker"]
            if marker not in MARKERS:
                raise self.error(
                    f"style: speaker_marker {marker!r} (choose from {', '.join(MARKERS)})",
                    fields["speaker_marker"].start_mark,
                )
            values["speaker_marker"] = MARKERS[marker]
        try:
            style = replace(made.style, **values)
        except (ClipkitError, OptionError) as exc:
            raise self.error(f"style: {exc}", node.start_mark) from exc
        return replace(made, style=style, write=write, fps=values.get("fps", made.fps))


def _name_for(url: str | None, video: Path | None, captions: Path | None) -> str:
    """A talk's folder when the file names none: the video id the URL names (else its last
    part), or the video's or the captions' file name without extensions."""
    if url is not None:
        from clipkit.fetch.ytdlp import id_from_url

        known = id_from_url(url) or url.rstrip("/").rsplit("/", 1)[-1] or "talk"
        return folder_name(known)
    path = video or captions
    assert path is not None
    return folder_name(path.name.split(".")[0] or path.name)
