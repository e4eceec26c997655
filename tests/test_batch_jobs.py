"""Job files for ``clipkit batch``: what they mean, and every mistake named by file and line;
the scheduler's tasks and dependencies on the local pool (no Dask needed here)."""

from __future__ import annotations

import operator
from pathlib import Path

import pytest

from clipkit.cli import main
from clipkit.errors import JobFileError
from clipkit.jobs import ClipSettings, ReelSettings, parse_jobs, plan_tasks
from clipkit.scheduler import LocalScheduler, Task, UpstreamFailed

HIGHLIGHTS = "highlights:\n  - title: a\n    start: 1\n    end: 3\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("a.mp4", "a.md", "b.vtt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "h.yaml").write_text(HIGHLIGHTS, encoding="utf-8")
    return tmp_path


def test_defaults_apply_and_talks_override(folder: Path) -> None:
    text = """\
out_dir: conference
defaults:
  formats: [srt, vtt, txt]
  style: {max_chars: 32, crlf: true, shift: 3600, speaker_marker: chevrons}
  clips: true
  reel: {titles: 2, xfade: 0.5}
talks:
  - name: keynote
    video: a.mp4
    captions: a.md
    highlights: h.yaml
    clips: {vertical: true, burn: true}
    shorts: true
    reel: false
  - captions: b.vtt
  - url: https://www.youtube.com/watch?v=avWhreBUYF0
    find: [wells fargo, "deep research"]
    style: {max_lines: 1}
"""
    jobs = parse_jobs(text, "jobs.yaml", folder)
    keynote, panel, fetched = jobs.talks
    assert jobs.out_dir == folder / "conference"
    assert (keynote.name, keynote.line, keynote.video) == ("keynote", 8, folder / "a.mp4")
    assert keynote.formats == ("srt", "vtt", "txt")
    assert keynote.style.max_chars == 32 and keynote.style.speaker_marker == ">> "
    assert keynote.write.crlf and keynote.write.shift_ms == 3_600_000
    # burned/vertical clips change the picture: cut by re-encoding
    assert keynote.clips == ClipSettings(mode="reencode", vertical=True, burn=True)
    assert keynote.shorts == ClipSettings(mode="reencode", vertical=True, burn=True)
    assert keynote.reel is None and fetched.shorts is None
    # captions alone: only the caption files, whatever the defaults cut
    assert (panel.name, panel.clips, panel.reel) == ("b", None, None)
    assert fetched.name == "avWhreBUYF0" and fetched.find == ("wells fargo", "deep research")
    assert fetched.style.max_lines == 1 and fetched.style.max_chars == 32
    assert fetched.reel == ReelSettings(2000, 500)
    keys = [task.key for task in plan_tasks(jobs)]
    assert keys == [
        "keynote/captions",
        "keynote/clips",
        "keynote/shorts",
        "b/captions",
        "avWhreBUYF0/fetch",
        "avWhreBUYF0/captions",
        "avWhreBUYF0/clips",
        "avWhreBUYF0/reel",
    ]


BAD = [
    ("", 1, "empty job file"),
    ("talks: []\n", 1, "'talks' must be a list of talks"),
    ("talk:\n  - captions: a.md\n", 1, "unknown key 'talk'"),
    ("talks:\n  - captions: nope.md\n", 2, "captions: "),
    ("talks:\n  - {}\n", 2, "a talk needs a 'url', a 'video' or 'captions'"),
    ("talks:\n  - captions: a.md\n    clips: {mdoe: copy}\n", 3, "unknown key 'mdoe'"),
    ("talks:\n  - captions: a.md\n    clips: true\n", 3, "clips: needs a 'url' or a 'video'"),
    ("talks:\n  - video: a.mp4\n    reel: true\n", 3, "reel: needs 'highlights' or 'find'"),
    ("talks:\n  - video: a.mp4\n    url: http://x/y\n", 3, "either 'url' or 'video'"),
    ("talks:\n  - url: nowhere\n", 2, "url: not a URL"),
    ("talks:\n  - captions: a.md\n    formats: [srt, docx]\n", 3, "unknown format 'docx'"),
    ("talks:\n  - captions: a.md\n    style: {max_chars: 3}\n", 3, "max_chars must be at least"),
    ("talks:\n  - captions: a.md\n    style: {max_lines: two}\n", 3, "expected a whole number"),
    ("talks:\n  - captions: a.md\n  - captions: a.md\n", 3, "two talks named 'a'"),
    ("talks:\n  - captions: a.md\n    name: ../x\n", 3, "not a plain folder name"),
    ("talks:\n  - video: a.mp4\n    reel: {titles: 9999}\n", 3, "from 0 to 3600"),
    ("talks:\n  - video: a.mp4\n    clips: {mode: smart, burn: true}\n", 3, "need mode reencode"),
    ("talks:\n  - video: a.mp4\n    find: []\n", 3, "expected one or more words"),
    ("talks:\n  - video: a.mp4\n    shorts: {mode: copy}\n", 3, "shorts: mode copy copies"),
    ("talks: [\n", 2, "not valid YAML"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD)
def test_each_mistake_names_its_line(folder: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(JobFileError) as caught:
        parse_jobs(text, "jobs.yaml", folder)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"jobs.yaml:{line}: ")
    assert message in str(caught.value)


def test_a_highlight_file_mistake_names_both_files(folder: Path) -> None:
    (folder / "bad.yaml").write_text("highlights:\n  - title: x\n    start: 5\n", "utf-8")
    text = "talks:\n  - video: a.mp4\n    highlights: bad.yaml\n    clips: true\n"
    with pytest.raises(JobFileError) as caught:
        parse_jobs(text, "jobs.yaml", folder)
    said = str(caught.value)
    assert said.startswith("jobs.yaml:3: highlights: ")
    assert f"{folder / 'bad.yaml'}:2: missing 'end'" in said


def test_the_command_says_the_mistake_in_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "jobs.yaml").write_text("talks:\n  - captions: a.md\n    clips: {x: 1}\n", "utf-8")
    assert main(["batch", str(folder / "jobs.yaml")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"clipkit: {folder / 'jobs.yaml'}:3: clips: unknown key 'x' " + (
        "(expected mode, vertical, burn, snap)"
    )


def _fail(value: int) -> int:
    raise ValueError(f"no {value}")


def _tasks() -> list[Task]:
    return [
        Task("d", operator.add, (1,), ("c",)),  # listed before what it needs
        Task("a", operator.add, (1, 2)),
        Task("b", operator.mul, (10,), ("a",)),
        Task("c", _fail, (7,)),
        Task("e", operator.add, (0,), ("b",)),
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_pool_runs_after_dependencies_and_isolates_failures(jobs: int) -> None:
    seen: list[tuple[str, object, str]] = []
    LocalScheduler(jobs).run(_tasks(), lambda t, r, e: seen.append((t.key, r, type(e).__name__)))
    results = {key: (result, error) for key, result, error in seen}
    assert results == {
        "a": (3, "NoneType"),
        "b": (30, "NoneType"),
        "c": (None, "ValueError"),
        "d": (None, UpstreamFailed.__name__),
        "e": (30, "NoneType"),
    }
    order = [key for key, _, _ in seen]
    assert order.index("a") < order.index("b") < order.index("e")
