"""Atomic writes and the guard against writing over an input."""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from clipkit.errors import OutputError
from clipkit.fileio import (
    atomic_outputs,
    atomic_write_bytes,
    ensure_not_input,
    output_folder,
    same_file,
)


def test_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "out.srt"
    atomic_write_bytes(target, b"data")
    assert target.read_bytes() == b"data"
    assert os.listdir(tmp_path) == ["out.srt"]


def test_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "out.srt", b"data")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out.srt").stat().st_mode) == 0o644


def test_replaces_a_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.srt"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_nothing_is_left_behind_on_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    target = tmp_path / "out.srt"
    target.write_bytes(b"old")

    def fail(fd: int) -> None:
        raise error

    monkeypatch.setattr(os, "fsync", fail)
    expected = OutputError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        atomic_write_bytes(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.srt"]


def test_error_during_rename_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(tmp_path / "out.srt", b"new")
    assert os.listdir(tmp_path) == []


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        atomic_write_bytes(tmp_path / "no" / "such" / "out.srt", b"data")


def test_guard_refuses_the_input_under_any_name(tmp_path: Path) -> None:
    source = tmp_path / "talk.srt"
    source.write_text("1\n")
    (tmp_path / "link.srt").symlink_to(source)
    os.link(source, tmp_path / "hard.srt")
    (tmp_path / "sub").mkdir()
    for name in ["talk.srt", "link.srt", "hard.srt", "sub/../talk.srt"]:
        with pytest.raises(OutputError, match="refusing to overwrite"):
            ensure_not_input(tmp_path / name, [tmp_path / "other.md", source])


def test_guard_allows_other_files(tmp_path: Path) -> None:
    source = tmp_path / "talk.srt"
    source.write_text("1\n")
    ensure_not_input(tmp_path / "talk.vtt", [source])
    ensure_not_input(tmp_path / "talk.srt", [tmp_path / "missing.srt"])


def test_same_file_for_files_that_do_not_exist_yet(tmp_path: Path) -> None:
    assert same_file(tmp_path / "a" / ".." / "x", tmp_path / "x")
    assert not same_file(tmp_path / "x", tmp_path / "y")


# ---------------------------------------------------------------- the one output mechanism


def test_temporaries_are_in_a_private_folder_beside_the_output(tmp_path: Path) -> None:
    final = tmp_path / "clip.mp4"
    with atomic_outputs(final) as (temp,):
        folder = temp.parent
        assert folder.parent == tmp_path and folder.name.startswith(".clipkit-")
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert temp.name == "clip.mp4"  # ffmpeg picks the muxer by the extension
        assert os.stat(folder).st_dev == os.stat(tmp_path).st_dev  # the rename stays atomic
        temp.write_bytes(b"whole")
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]
    assert final.read_bytes() == b"whole"


def test_atomic_outputs_leave_nothing_on_error(tmp_path: Path) -> None:
    final = tmp_path / "clip.mp4"
    with (
        pytest.raises(KeyboardInterrupt),
        atomic_outputs(final, final.with_suffix(".srt")) as (
            temp,
            _,
        ),
    ):
        temp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_link_planted_at_the_old_temporary_name_or_the_output_is_not_followed(
    tmp_path: Path,
) -> None:
    # clipkit used to write OUT/.NAME.partial-PID.ext by name: a link planted there by
    # another user of a shared folder made it overwrite the link's target.
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / f".clip.partial-{os.getpid()}.mp4").symlink_to(victim)
    (out / "clip.srt").symlink_to(victim)
    with atomic_outputs(out / "clip.mp4", out / "clip.srt") as (video, captions):
        video.write_bytes(b"video")
        captions.write_bytes(b"captions")
    assert victim.read_bytes() == b"precious"
    assert (out / "clip.mp4").read_bytes() == b"video"
    assert not (out / "clip.srt").is_symlink()  # the link itself was replaced
    assert (out / "clip.srt").read_bytes() == b"captions"
    atomic_write_bytes(out / "clip.srt", b"again")
    assert victim.read_bytes() == b"precious"


def test_an_os_error_inside_the_block_names_the_output(tmp_path: Path) -> None:
    final = tmp_path / "clip.srt"
    with (
        pytest.raises(OutputError, match=r"clip\.srt: cannot write: disk full"),
        atomic_outputs(final) as (temp,),
    ):
        raise OSError(errno.ENOSPC, "No space left on device", str(temp))
    assert list(tmp_path.iterdir()) == []


def test_two_outputs_with_one_name_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the same file as the output"):
        atomic_outputs(tmp_path / "a.srt", tmp_path / "." / "a.srt").__enter__()


def test_a_folder_as_the_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").mkdir()
    with pytest.raises(OutputError, match=r"clip\.mp4: is a folder"):
        atomic_write_bytes(tmp_path / "clip.mp4", b"x")


def test_a_pipe_is_written_into_and_one_nobody_reads_is_an_error(tmp_path: Path) -> None:
    pipe = tmp_path / "captions.srt"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="a pipe that nobody reads"):
        atomic_write_bytes(pipe, b"x")
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    deadline = time.monotonic() + 10
    while True:  # until the reader has the pipe open
        try:
            atomic_write_bytes(pipe, b"through the pipe")
            break
        except OutputError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    reader.join(10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert list(tmp_path.iterdir()) == [pipe]


def test_dev_fd_links_are_written_through_not_replaced(tmp_path: Path) -> None:
    # /dev/stdout and /dev/fd/N are links that mean their target: `-o /dev/stdout > f`.
    # (Were the link replaced instead, the rename into /proc would fail, not harm /dev.)
    redirected = tmp_path / "redirected.txt"
    fd = os.open(redirected, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        atomic_write_bytes(f"/dev/fd/{fd}", b"through the link")
    finally:
        os.close(fd)
    assert redirected.read_bytes() == b"through the link"
    assert list(tmp_path.iterdir()) == [redirected]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    # Before: -o /dev/full (or /dev/null) as root replaced the device with a regular file.
    # A node of our own with /dev/full's numbers, so that a regression harms nothing else.
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    with pytest.raises(OutputError, match=r"full: cannot write: disk full"):
        atomic_write_bytes(full, b"x" * 10_000)
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert list(tmp_path.iterdir()) == [full]


@pytest.mark.skipif(os.geteuid() == 0, reason="as root, see the device node test above")
def test_dev_full_is_a_one_line_disk_full_error() -> None:
    # Not as root: a regression would replace the real /dev/full, which only root can do.
    with pytest.raises(OutputError) as caught:
        atomic_write_bytes("/dev/full", b"x" * 10_000)
    assert str(caught.value) == "/dev/full: cannot write: disk full (no space left on device)"
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_output_folder_is_removed_again_when_the_work_fails(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), output_folder(tmp_path / "a" / "b"):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "kept").mkdir()
    with pytest.raises(RuntimeError), output_folder(tmp_path / "kept" / "new") as folder:
        (folder / "written.mp4").write_bytes(b"x")
        raise RuntimeError
    assert (tmp_path / "kept" / "new" / "written.mp4").exists()  # not empty: kept


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("file", "not a folder (a file of that name is in the way)"),
        ("file/under", "cannot make the folder: a part of the path is a file, not a folder"),
    ],
)
def test_output_folder_in_the_way_of_a_file(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(OutputError) as caught, output_folder(tmp_path / name):
        pass
    assert str(caught.value) == f"{tmp_path / name}: {message}"
