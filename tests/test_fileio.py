"""Atomic writes and the guard against writing over an input."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clipkit.errors import OutputError
from clipkit.fileio import atomic_write_bytes, ensure_not_input, same_file


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
