"""yt-dlp's errors (and the operating system's) as one clear line each.

yt-dlp wraps the real cause (an HTTP status, a socket error, a full disk) in its own
exceptions and long messages; :func:`translate` digs it out and says it in a few words.
"""

from __future__ import annotations

import errno
import re

import yt_dlp.utils

from clipkit.errors import DownloadError

__all__ = ["DISK_FULL", "clean", "os_error", "translate"]

DISK_FULL = "disk full (no space left on device); free some space and rerun"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def translate(
    url: str, exc: yt_dlp.utils.YoutubeDLError, errors: list[str], what: str = ""
) -> DownloadError:
    """yt-dlp's error as one clear line; ``errors`` are the ones its logger was given (the
    last says something when the exception itself says nothing)."""
    cause = _root_cause(exc)
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        return DownloadError(url, DISK_FULL)
    status = getattr(cause, "status", None) or getattr(cause, "code", None)
    message = clean(str(exc.msg if hasattr(exc, "msg") and exc.msg else exc))
    lowered = message.lower()
    if "no space left on device" in lowered:
        return DownloadError(url, DISK_FULL)
    if isinstance(status, int) and status >= 400:
        reason = getattr(cause, "reason", "") or ""
        where = f" for the {what}" if what else ""
        reason_text = f" {reason}" if reason else ""
        return DownloadError(url, f"HTTP error {status}{reason_text}{where}")
    if "private video" in lowered or "sign in" in lowered:
        message = re.split(r"\.\s+Use --cookies", message)[0].rstrip(". ")
        return DownloadError(url, message, kind="sign-in")
    network = (
        "connection refused",
        "name or service not known",
        "temporary failure in name resolution",
        "network is unreachable",
        "timed out",
        "failed to resolve",
        "no route to host",
        "connection reset",
    )
    if any(marker in lowered for marker in network):
        return DownloadError(url, f"network error: {_network_reason(message)}")
    dropped = ("content too short", "giving up after", "more expected", "incompleteread")
    if any(marker in lowered for marker in dropped):
        detail = re.sub(r"^\[download\]\s*(Got error:\s*)?", "", message)
        return DownloadError(
            url, f"the connection dropped mid-file ({detail}); rerun to resume the .part file"
        )
    return DownloadError(url, message or (errors[-1] if errors else "download failed"))


def _network_reason(message: str) -> str:
    """``cannot reach HOST:PORT (REASON)`` out of urllib3/requests' long connection errors."""
    host = re.search(r"host='([^']+)'(?:,\s*port=(\d+))?", message)
    reasons = re.findall(r"\[Errno -?\d+\]\s*([^)\]']+)", message)
    reason = reasons[-1].strip() if reasons else ""
    if "timed out" in message.lower() and not reason:
        reason = "timed out"
    if host is None or not reason:
        return message
    where = f"{host[1]}:{host[2]}" if host[2] else host[1]
    return f"cannot reach {where} ({reason}; is the network up?)"


def _root_cause(exc: BaseException) -> BaseException | None:
    exc_info = getattr(exc, "exc_info", None)
    cause: BaseException | None = exc_info[1] if exc_info else exc.__cause__ or exc.__context__
    seen = 0
    while cause is not None and seen < 10:
        deeper = getattr(cause, "exc_info", None)
        inner = deeper[1] if deeper else None
        inner = inner or getattr(cause, "cause", None) or cause.__cause__ or cause.__context__
        if not isinstance(inner, BaseException):
            break
        cause, seen = inner, seen + 1
    return cause


def clean(message: str) -> str:
    """One line, without yt-dlp's ``ERROR:`` prefix, colours or ``(caused by ...)`` tail."""
    text = _ANSI.sub("", str(message)).replace("\r", " ")
    text = re.sub(r"^\s*(ERROR|WARNING):\s*", "", text)
    text = next((line.strip() for line in text.splitlines() if line.strip()), "")
    text = re.sub(r"\s*\(caused by .*$", "", text)
    text = re.sub(r";\s*please report this issue on .*$", "", text)
    return text.strip()


def os_error(url: str, exc: OSError) -> DownloadError:
    """An OS error while fetching ``url``, as one line naming the file."""
    if exc.errno == errno.ENOSPC:
        return DownloadError(url, DISK_FULL)
    where = f"{exc.filename}: " if exc.filename else ""
    return DownloadError(url, f"{where}{exc.strerror or exc}")
