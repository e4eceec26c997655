"""Picture transforms for a clip: burned-in captions (libass ``subtitles``) and a 9:16 crop.

Captions are burned after the crop, so libass lays them out for the frame people see.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clipkit.media.cut import VideoTransform


@dataclass(frozen=True, slots=True)
class BurnStyle:
    """Caption look, in libass script units (the frame is 288 units high)."""

    font: str = "DejaVu Sans"
    font_size: int = 18
    margin_v: int = 20
    outline: float = 2.0
    shadow: float = 0.0

    def force_style(self) -> str:
        """libass's ``force_style`` text for this style."""
        fields = {
            "FontName": self.font,
            "Fontsize": str(self.font_size),
            "MarginV": str(self.margin_v),
            "Outline": f"{self.outline:g}",
            "Shadow": f"{self.shadow:g}",
            "BorderStyle": "1",
            "Alignment": "2",  # bottom centre
        }
        return ",".join(f"{key}={value}" for key, value in fields.items())


VERTICAL_BURN_STYLE = BurnStyle(font_size=11, margin_v=60, outline=1.5)
"""Smaller text a third of the way up: a narrow frame, and the phone UI covers the bottom."""


@dataclass(frozen=True, slots=True)
class VerticalCrop:
    """A 9:16 window of the full height; ``x`` is its left edge in pixels (None: centred)."""

    x: int | None = None

    def size(self, width: int, height: int) -> tuple[int, int, int]:
        """Crop width, height and left edge for a ``width`` x ``height`` source."""
        crop_w = min(width, (height * 9 // 16) // 2 * 2)
        crop_h = height if crop_w < width else (width * 16 // 9) // 2 * 2
        crop_h = min(crop_h, height)
        left = (width - crop_w) // 2 if self.x is None else self.x
        return crop_w, crop_h, max(0, min(left, width - crop_w))


def picture_transform(
    width: int,
    height: int,
    subtitles: Path | None = None,
    style: BurnStyle | None = None,
    vertical: VerticalCrop | None = None,
) -> VideoTransform | None:
    """The video filter chain for a clip, or None when the picture is left as it is."""
    if subtitles is None and vertical is None:
        return None

    def transform(video: Any) -> Any:
        if vertical is not None:
            crop_w, crop_h, left = vertical.size(width, height)
            video = video.filter("crop", crop_w, crop_h, left, (height - crop_h) // 2)
        if subtitles is not None:
            chosen = style or (VERTICAL_BURN_STYLE if vertical is not None else BurnStyle())
            video = video.filter(
                "subtitles", filename=str(subtitles), force_style=chosen.force_style()
            )
        return video

    return transform
