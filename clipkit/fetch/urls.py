"""Batch files of URLs: one a line, as yt-dlp's ``--batch-file`` reads them."""

from __future__ import annotations

from pathlib import Path

from clipkit.errors import DownloadError

__all__ = ["parse_url_list", "read_url_list"]


def read_url_list(path: str | Path) -> list[str]:
    """The URLs of a batch file: one a line; blank lines and ``#``/``;``/``]`` comments skipped.

    For standard input, pass its text to :func:`parse_url_list`.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DownloadError(str(path), f"cannot read the URL list: {reason}") from exc
    return parse_url_list(text)


def parse_url_list(text: str) -> list[str]:
    """The URLs in the text of a batch file (see :func:`read_url_list`)."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", ";", "]"))
    ]
