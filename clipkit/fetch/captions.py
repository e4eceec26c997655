"""Which captions to fetch: the uploader's own in the language asked for if there are any,
else the automatic ones; json3 (exact word times) and VTT (what players read) when offered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from clipkit.errors import DownloadError

__all__ = [
    "CAPTION_FORMATS",
    "FALLBACK_CAPTION_FORMATS",
    "CaptionChoice",
    "CaptionKind",
    "choose_captions",
    "match_language",
]

# Caption formats to keep, preferred first: json3 has exact word times, VTT is what players and
# editors read.  When a site offers neither, the first format here that it does offer is taken.
CAPTION_FORMATS: tuple[str, ...] = ("json3", "vtt")
FALLBACK_CAPTION_FORMATS: tuple[str, ...] = ("srt",)

CaptionKind = Literal["uploader", "automatic"]


@dataclass(frozen=True, slots=True)
class CaptionChoice:
    """The caption track chosen, and its formats to download."""

    language: str  # the site's key, e.g. "en", "en-US", "en-orig"
    kind: CaptionKind
    formats: tuple[tuple[str, dict[str, Any]], ...]  # (ext, yt-dlp format), preferred first


def choose_captions(url: str, info: Mapping[str, Any], lang: str) -> CaptionChoice:
    """The uploader's captions in ``lang`` if any, else the automatic ones."""
    sources: tuple[tuple[CaptionKind, Mapping[str, Any]], ...] = (
        ("uploader", info.get("subtitles") or {}),
        ("automatic", info.get("automatic_captions") or {}),
    )
    for kind, tracks in sources:
        key = match_language(lang, list(tracks))
        if key is None:
            continue
        by_ext = {
            str(fmt.get("ext") or ""): fmt
            for fmt in tracks[key]
            if fmt.get("url") or fmt.get("data")
        }
        wanted = [ext for ext in CAPTION_FORMATS if ext in by_ext]
        if not wanted:
            wanted = [ext for ext in FALLBACK_CAPTION_FORMATS if ext in by_ext][:1]
        if wanted:
            return CaptionChoice(key, kind, tuple((ext, by_ext[ext]) for ext in wanted))
        offered = ", ".join(sorted(by_ext)) or "none"
        raise DownloadError(
            url, f"captions in {key!r} only come as {offered}; clipkit reads json3, vtt or srt"
        )
    available = sorted(set(info.get("subtitles") or {}) | set(info.get("automatic_captions") or {}))
    listed = f" (available: {', '.join(available[:15])}{', ...' if len(available) > 15 else ''})"
    raise DownloadError(url, f"no captions in {lang!r}{listed if available else ''}")


def match_language(lang: str, keys: Sequence[str]) -> str | None:
    """``en`` matches ``en``, then ``en-orig`` (YouTube's untranslated ASR), then ``en-*``."""
    lowered = {key.lower(): key for key in keys}
    wanted = lang.lower()
    for candidate in (wanted, f"{wanted}-orig"):
        if candidate in lowered:
            return lowered[candidate]
    regional = sorted(key for low, key in lowered.items() if low.startswith(f"{wanted}-"))
    return regional[0] if regional else None
