"""Writing outputs safely: all or nothing, never onto an input, never through a planted link.

Every file clipkit writes (captions, clips, reels, manifests, fetched metadata) is first
written under its own name inside a private temporary folder made next to it (``mkdtemp``:
mode 0700, an unpredictable name, created atomically), flushed to disk, then renamed over the
final name.  The rename replaces whatever is at the final name, a symlink included, and never
writes through it; a link planted in a shared output folder cannot redirect the write.  The
folder is on the same file system as the output, so the rename is atomic, and it is removed on
any failure, Ctrl-C included, so nothing half-written is ever left under a final name.
Devices and pipes (``/dev/null``, ``/dev/stdout``, a FIFO) are written into instead: renaming
over them would replace ``/dev/null`` itself when clipkit runs as root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from clipkit.errors import OutputError

__all__ = [
    "atomic_outputs",
    "atomic_write_bytes",
    "ensure_distinct",
    "ensure_not_input",
    "output_error",
    "output_folder",
    "same_file",
]

TEMP_PREFIX = ".clipkit-"

# errno -> the words an error line uses (strerror is fine for the rest)
_REASONS = {
    errno.ENOSPC: "disk full (no space left on device)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "is a folder",
}


def output_error(path: str | Path, exc: OSError, doing: str = "cannot write") -> OutputError:
    """The one-line :class:`OutputError` for an OS error while writing ``path``."""
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    return OutputError(f"{path}: {doing}: {reason}")


@contextlib.contextmanager
def atomic_outputs(*finals: str | Path) -> Iterator[list[Path]]:
    """Yield temporary paths for ``finals``; move them into place only if the block succeeds.

    Each temporary path has its final's name (ffmpeg picks the muxer by the extension) inside
    a private folder beside it.  After the block, every temporary file that exists is flushed
    and renamed over its final name; the others are skipped.  On any exception (ffmpeg
    failure, Ctrl-C) the private folders are removed and nothing appears under the final
    names.  An OS error while writing a temporary file, or while moving it, is raised as an
    :class:`OutputError` naming the final file.

    A final that is a device or a pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is not
    replaced: the finished file is copied into it.
    """
    paths = [Path(final) for final in finals]
    ensure_distinct(paths)
    for final in paths:
        if final.is_dir():
            raise OutputError(f"{final}: is a folder")
    with contextlib.ExitStack() as stack:
        private: dict[Path | None, Path] = {}
        temps: list[Path] = []
        for final in paths:
            # a device's folder (/dev) is no place for temporary files: they go to the usual one
            folder = None if _is_special(final) else final.parent
            if folder not in private:
                try:
                    made = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder)
                except OSError as exc:
                    raise output_error(final, exc) from exc
                stack.callback(_remove_tree, Path(made))
                private[folder] = Path(made)
            temps.append(private[folder] / final.name)
        try:
            yield temps
        except OSError as exc:
            about = _final_for(exc, temps, paths)
            if about is None:
                raise
            raise output_error(about, exc) from exc
        moved: set[Path] = set()
        for temp, final in zip(temps, paths, strict=True):
            if not temp.exists():
                continue
            try:
                if _is_special(final):
                    _copy_into(temp, final)
                    continue
                _flush(temp)
                os.chmod(temp, _mode_for(final))
                os.replace(temp, final)  # replaces a link at ``final``, never writes through it
            except OSError as exc:
                raise output_error(final, exc) from exc
            moved.add(final.parent)
        for folder in moved:
            _sync_folder(folder)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    On any exception, KeyboardInterrupt included, ``path`` is untouched and nothing is
    left behind.
    """
    with atomic_outputs(path) as (temp,):
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW, 0o666)
        with os.fdopen(fd, "wb") as out:
            out.write(data)


@contextlib.contextmanager
def output_folder(folder: str | Path) -> Iterator[Path]:
    """Make ``folder`` (and its parents) for outputs; remove what was made if the block fails.

    Folders made here and still empty after a failure are removed, so an error or Ctrl-C
    leaves no empty output folder behind.  A folder that cannot be made (a file in the way,
    no permission, a read-only or full file system) is an :class:`OutputError`.
    """
    folder = Path(folder)
    missing = missing_folders([folder])
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(f"{folder}: not a folder (a file of that name is in the way)") from exc
    except OSError as exc:
        remove_empty(missing)
        raise output_error(folder, exc, "cannot make the folder") from exc
    if not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    try:
        yield folder
    except BaseException:
        remove_empty(missing)
        raise


def ensure_distinct(paths: Sequence[str | Path]) -> None:
    """Raise :class:`OutputError` if two of ``paths`` name the same file."""
    for index, path in enumerate(paths):
        for other in paths[:index]:
            if same_file(path, other):
                raise OutputError(f"{path}: the same file as the output {other}")


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file (also through symlinks, hard links, ``..``)."""
    a, b = Path(a), Path(b)
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def ensure_not_input(output: str | Path, inputs: Iterable[str | Path | None]) -> None:
    """Raise :class:`OutputError` if writing ``output`` would replace one of ``inputs``."""
    for source in inputs:
        if source is not None and same_file(output, source):
            raise OutputError(f"{output}: refusing to overwrite the input {source}")


# ---------------------------------------------------------------- helpers

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _final_for(exc: OSError, temps: Sequence[Path], finals: Sequence[Path]) -> Path | None:
    """The final output whose temporary file (or private folder) an OS error is about."""
    if not exc.filename:
        return None
    failed = Path(os.fsdecode(exc.filename))
    for temp, final in zip(temps, finals, strict=True):
        if failed in (temp, temp.parent):
            return final
    return None


def _is_special(path: Path) -> bool:
    """Whether an output goes *into* ``path`` rather than replacing it.

    Devices, pipes and sockets are written into.  Elsewhere a link is replaced like a file
    (never written through), but under ``/dev`` and ``/proc`` a link is what the user
    means: ``/dev/stdout`` and ``/dev/fd/1`` lead to wherever the output is redirected.
    """
    try:
        absolute = path.absolute()
        mode = absolute.lstat().st_mode
    except OSError:
        return False
    if stat.S_ISLNK(mode) and absolute.parts[1:2] in (("dev",), ("proc",)):
        return True
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _copy_into(temp: Path, final: Path) -> None:
    """Copy a finished output into a device, pipe or redirected stream.

    Appending: a stream redirected with ``>`` is empty, one with ``>>`` is added to.  A pipe
    that nobody reads is an error rather than a hang.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(final, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(f"{final}: a pipe that nobody reads") from exc
        raise
    os.set_blocking(fd, True)
    with open(temp, "rb") as source, os.fdopen(fd, "wb") as target:
        shutil.copyfileobj(source, target)


def _flush(path: Path) -> None:
    """Make the file's contents durable before it gets its final name."""
    fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mode_for(path: Path) -> int:
    with contextlib.suppress(OSError):
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            return mode & 0o7777  # replacing a file keeps its permissions
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; best effort (not every platform or FS allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_tree(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def missing_folders(folders: Iterable[Path]) -> list[Path]:
    """The folders (and their parents) that do not exist yet, deepest first."""
    missing: set[Path] = set()
    for folder in folders:
        walk = folder
        while (
            walk not in missing
            and not walk.exists()
            and not walk.is_symlink()
            and walk != walk.parent
        ):
            missing.add(walk)
            walk = walk.parent
    return sorted(missing, key=lambda path: len(path.parts), reverse=True)


def remove_empty(folders: Sequence[Path]) -> None:
    """Remove those of ``folders`` that are empty (deepest first, as :func:`missing_folders`)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()
