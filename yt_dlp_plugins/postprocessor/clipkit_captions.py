"""clipkit inside yt-dlp: a postprocessor that rebuilds the rolling captions yt-dlp wrote.

Installed with clipkit (the ``yt_dlp_plugins`` namespace package is part of the
distribution), so after ``pip install clipkit``::

    yt-dlp --write-auto-subs --use-postprocessor ClipkitCaptions:when=before_dl URL
    yt-dlp --write-auto-subs --use-postprocessor "ClipkitCaptions:when=before_dl;max_chars=37" URL

Each caption file yt-dlp wrote (VTT, SRT or json3) that is automatic (rolling) is replaced
by clipkit's rebuilt captions under the same name (json3, which players do not read,
becomes VTT), and the file as downloaded is kept beside it as ``NAME.LANG.original.EXT``.
Captions someone wrote are left as they are.

``when=before_dl`` is the stage to run at: after yt-dlp wrote the captions and before
``--convert-subs`` (whose format the rebuilt file is then written in directly) and
``--embed-subs`` (which embeds the rebuilt file); it also runs with ``--skip-download``.  At
yt-dlp's default stage (``post_process``) the plugin still works on a downloaded video, but
after ``--convert-subs`` has turned the rolling VTT into an SRT with ffmpeg (word times lost).

Options, ``key=value`` separated by ``;``: every :class:`clipkit.CaptionStyle` field
(``max_chars=37``, ``max_lines=1``, ``fps=25``, ``min_gap_frames``, ``max_cps``,
``min_duration_ms``, ``max_duration_ms``, ``mode=lines``, ``resegment=yes``,
``sound_tags=no``, ``speaker_marker=chevrons``), ``to=srt|vtt`` (the format written; default:
``--convert-subs``'s, else the file's own) and ``keep_original=no``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path
from typing import Any

from yt_dlp.postprocessor.common import PostProcessor
from yt_dlp.utils import DownloadError, PostProcessingError

__all__ = ["ClipkitCaptionsPP"]

# the caption formats read; what each is written as when nothing else is asked for
_WRITTEN_AS = {"vtt": "vtt", "srt": "srt", "json3": "vtt"}
_TARGETS = ("srt", "vtt")
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}
_OWN_OPTIONS = ("to", "keep_original")


@dataclasses.dataclass(frozen=True)
class _Settings:
    style: Any  # clipkit.style.CaptionStyle (imported on first use: yt-dlp loads every plugin)
    to: str | None
    keep_original: bool


class ClipkitCaptionsPP(PostProcessor):  # type: ignore[misc]  # yt-dlp is untyped
    """Replace each rolling caption file yt-dlp wrote with clipkit's rebuilt captions."""

    def __init__(self, downloader: Any = None, **options: Any) -> None:
        super().__init__(downloader)
        try:
            self._settings = _settings(options)
        except ValueError as exc:
            message = f"ClipkitCaptions: {exc}"
            if downloader is not None:
                downloader.report_error(message)  # yt-dlp's one ERROR line
            # stops yt-dlp before anything is downloaded (its main exits 1 on this)
            raise DownloadError(message) from None

    def run(self, info: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        to = self._settings.to or _convert_subs_format(self._downloader)
        for lang, sub in (info.get("requested_subtitles") or {}).items():
            path = sub.get("filepath")
            ext = str(sub.get("ext") or "")
            if not path or ext not in _WRITTEN_AS or not os.path.isfile(path):
                continue
            self._rebuild(info, lang, sub, Path(path), ext, to or _WRITTEN_AS[ext])
        return [], info

    def _rebuild(
        self, info: dict[str, Any], lang: str, sub: dict[str, Any], path: Path, ext: str, to: str
    ) -> None:
        from clipkit.convert import convert_bytes, how_taken
        from clipkit.errors import ClipkitError
        from clipkit.fileio import atomic_write_bytes
        from clipkit.readers import read_input

        style = self._settings.style
        taken: list[Any] = []
        try:
            rebuilt = convert_bytes(read_input(path), str(path), to, style, on_read=taken.append)
        except ClipkitError as exc:
            raise PostProcessingError(f"ClipkitCaptions: {exc}") from exc
        if taken and taken[0].authored and not style.resegment:
            self.to_screen(f"{lang}: {how_taken(taken[0], style)}; left as it is")
            return
        target = path.with_name(f"{_base(path, ext)}.{to}")
        original = path.with_name(f"{_base(path, ext)}.original.{ext}")
        try:
            if self._settings.keep_original:
                os.replace(path, original)
            atomic_write_bytes(target, rebuilt)
            if not self._settings.keep_original and target != path:
                path.unlink()
        except (OSError, ClipkitError) as exc:
            if self._settings.keep_original and original.exists() and not path.exists():
                os.replace(original, path)  # as yt-dlp left it
            raise PostProcessingError(f"ClipkitCaptions: {path}: {exc}") from exc
        self.to_screen(
            f"{lang}: rebuilt into {target}"
            + (f" (the original kept as {original.name})" if self._settings.keep_original else "")
        )
        sub.update(ext=to, filepath=str(target), data=rebuilt.decode("utf-8-sig"))
        _move_with(info, path, target, original if self._settings.keep_original else None)


def _settings(options: dict[str, Any]) -> _Settings:
    from clipkit.errors import ClipkitError
    from clipkit.style import SPEAKER_MARKERS as MARKERS
    from clipkit.style import CaptionStyle

    fields = {field.name: field for field in dataclasses.fields(CaptionStyle)}
    given: dict[str, Any] = {}
    to: str | None = None
    keep_original = True
    for key, raw in options.items():
        value = str(raw).strip()
        if key == "to":
            if value not in _TARGETS:
                raise ValueError(f"to must be srt or vtt (got {value!r})")
            to = value
        elif key == "keep_original":
            keep_original = _boolean(key, value)
        elif key not in fields:
            known = [*fields, *_OWN_OPTIONS]
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ValueError(f"unknown option {key!r}{hint}")
        elif key == "speaker_marker":
            if value not in MARKERS:
                raise ValueError(f"speaker_marker must be dash or chevrons (got {value!r})")
            given[key] = MARKERS[value]
        else:
            given[key] = _typed(key, value, type(getattr(CaptionStyle(), key)))
    try:
        style = CaptionStyle(**given)
    except ClipkitError as exc:
        raise ValueError(str(exc)) from None
    return _Settings(style, to, keep_original)


def _typed(key: str, value: str, kind: type) -> object:
    if kind is bool:
        return _boolean(key, value)
    if kind is str:
        return value
    try:
        return kind(value)
    except ValueError:
        raise ValueError(
            f"{key} must be {'a whole number' if kind is int else 'a number'} (got {value!r})"
        ) from None


def _boolean(key: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValueError(f"{key} must be yes or no (got {value!r})")


def _convert_subs_format(downloader: Any) -> str | None:
    """``--convert-subs``'s format, when it is one clipkit writes: written directly, so
    yt-dlp's ffmpeg conversion finds the file already in it and leaves it alone."""
    params = getattr(downloader, "params", None) or {}
    for definition in params.get("postprocessors") or []:
        if definition.get("key") == "FFmpegSubtitlesConvertor":
            wanted = definition.get("format")
            return wanted if wanted in _TARGETS else None
    return None


def _base(path: Path, ext: str) -> str:
    """``talk.en`` of ``talk.en.vtt``."""
    return path.name[: -len(ext) - 1]


def _move_with(info: dict[str, Any], path: Path, target: Path, original: Path | None) -> None:
    """Tell yt-dlp where the rebuilt file (and the original) go when it moves the caption
    file from its temporary folder (``-P temp:``) to the final one."""
    moves: dict[str, str] = info.setdefault("__files_to_move", {})
    final = moves.pop(str(path), None)
    if not final:
        return
    final_path = Path(final)
    base = _base(final_path, path.suffix.lstrip("."))
    moves[str(target)] = str(final_path.with_name(f"{base}{target.suffix}"))
    if original is not None:
        moves[str(original)] = str(final_path.with_name(f"{base}.original{path.suffix}"))
