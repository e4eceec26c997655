"""``clipkit batch`` and ``convert --scheduler`` on a real Dask cluster: a
``dask.distributed.LocalCluster`` of 2 worker processes on 127.0.0.1, its outputs compared
byte for byte with a local run's; a worker killed mid-batch loses nothing.

The talks (tests/batch_factory.py): 3 of 12 s each, captions as SRT and VTT, 2 clips each
(one talk's found by ``find``), and a reel.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

pytest.importorskip("distributed")

from batch_factory import make_captions, make_talks, make_video
from distributed import Client, LocalCluster

from clipkit.cli import main
from clipkit.fileio import TEMP_PREFIX
from clipkit.jobs import load_jobs, run_batch
from clipkit.media.probe import probe
from clipkit.scheduler import DaskScheduler, Task, UpstreamFailed

pytestmark = pytest.mark.media

#: Files that say how a run went (its timings, what was skipped), not what it made.
RECORDS = ("batch.json", "steps")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as made:
        yield made


@pytest.fixture(scope="module")
def talks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_talks(tmp_path_factory.mktemp("talks"))


@pytest.fixture(scope="module")
def local_run(talks: Path) -> Path:
    """The job file run without a scheduler: what every cluster run must equal."""
    out = talks.parent / "local"
    assert main(["batch", str(talks), "-d", str(out), "--jobs", "2", "-q"]) == 0
    return out


def made_files(root: Path) -> dict[str, bytes]:
    """Every file a run made, by its path under ``root``, but the run's own records."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.relative_to(root).parts[-1] not in RECORDS
        and path.relative_to(root).parts[1:2] != ("steps",)
    }


def expected_names() -> set[str]:
    names = set()
    for n in range(3):
        clips = ["wells-fargo-1", "wells-fargo-2"] if n == 0 else ["block-zero", "block-two"]
        names |= {f"talk{n}/talk{n}.srt", f"talk{n}/talk{n}.vtt", f"talk{n}/clips/manifest.json"}
        names |= {f"talk{n}/clips/{c}.{ext}" for c in clips for ext in ("mp4", "srt", "vtt")}
        names |= {f"talk{n}/reel.{ext}" for ext in ("mp4", "srt", "vtt")}
    return names | {"talk0/highlights.yaml"}


@pytest.mark.slow
def test_the_local_run_makes_every_output(local_run: Path) -> None:
    assert set(made_files(local_run)) == expected_names()
    assert (local_run / "batch.json").is_file()
    assert not list(local_run.rglob(f"{TEMP_PREFIX}*"))


@pytest.mark.slow
def test_batch_on_the_cluster_makes_the_same_bytes_and_a_rerun_skips_it(
    cluster: LocalCluster, talks: Path, local_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = talks.parent / "on-cluster"
    address = cluster.scheduler_address
    assert main(["batch", str(talks), "-d", str(out), "--scheduler", address]) == 0
    assert f"made 3 of 3 talks in {out}/ on {cluster.scheduler_address}" in capsys.readouterr().err
    assert made_files(out) == made_files(local_run)

    stamps = {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}
    os.environ["DASK_SCHEDULER_ADDRESS"] = cluster.scheduler_address
    try:
        assert main(["batch", str(talks), "-d", str(out), "-q"]) == 0
    finally:
        del os.environ["DASK_SCHEDULER_ADDRESS"]
    summary = (out / "batch.json").read_text(encoding="utf-8")
    assert '"steps_done": 0' in summary and '"steps_complete_before": 9' in summary
    for path, stamp in stamps.items():  # nothing made again (the summary is rewritten)
        assert path.name == "batch.json" or path.stat().st_mtime_ns == stamp, path


@pytest.mark.slow
def test_a_failing_talk_is_one_line_and_the_others_go_on(
    cluster: LocalCluster, talks: Path, local_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = talks.parent / "with-a-bad-talk"
    folder.mkdir()
    for item in talks.parent.iterdir():
        if item.is_file():
            shutil.copy2(item, folder / item.name)
    late = "highlights:\n  - title: Too late\n    start: 20\n    end: 25\n"
    (folder / "talk1.highlights.yaml").write_text(late, encoding="utf-8")
    job = (folder / "jobs.yaml").read_text(encoding="utf-8")
    talk0 = job[job.index("  - video: talk0") : job.index("  - video: talk1")]
    (folder / "jobs.yaml").write_text(job.replace(talk0, ""), encoding="utf-8")  # 2 talks
    out = folder / "out"
    code = main(["batch", str(folder / "jobs.yaml"), "--scheduler", cluster.scheduler_address])
    assert code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    failures = [line for line in lines if line.startswith("talk1: ")]
    assert len(failures) == 2  # clips and reel, each its own line
    assert all("after the end of the video" in line for line in failures)
    assert lines[-1] == "clipkit batch: 1 of 2 talks failed: talk1"
    reference = made_files(local_run)
    for name, data in made_files(out).items():
        assert not name.startswith("talk1/clips") and name != "talk1/reel.mp4"
        # a clips manifest names its source video, which is in another folder here
        assert data.replace(bytes(folder), bytes(talks.parent)) == reference[name]
    assert {n for n in reference if n.startswith("talk2/")} <= set(made_files(out))


@pytest.mark.slow
def test_shorts_are_9_16_with_the_captions_burned_in(talks: Path) -> None:
    folder = talks.parent / "shorts"
    folder.mkdir()
    for name in ("talk2.mp4", "talk2.en.vtt", "talk2.highlights.yaml"):
        shutil.copy2(talks.parent / name, folder / name)
    job = folder / "jobs.yaml"
    job.write_text(
        "talks:\n  - video: talk2.mp4\n    captions: talk2.en.vtt\n"
        "    highlights: talk2.highlights.yaml\n    shorts: true\n",
        encoding="utf-8",
    )
    assert main(["batch", str(job), "-q"]) == 0
    shorts = folder / "out" / "talk2" / "shorts"
    assert sorted(p.name for p in shorts.glob("*.mp4")) == ["block-two.mp4", "block-zero.mp4"]
    info = probe(shorts / "block-zero.mp4")
    assert info.height > info.width and abs(info.width / info.height - 9 / 16) < 0.02
    manifest = json.loads((shorts / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vertical"] and manifest["burned_captions"]
    assert not (folder / "out" / "talk2" / "clips").exists()


def _fail() -> None:
    raise RuntimeError("broken step")


def test_dask_runs_after_dependencies_and_names_what_did_not_run(cluster: LocalCluster) -> None:
    seen: dict[str, tuple[Any, str]] = {}
    tasks = [
        Task("b", max, (1,), ("a",)),
        Task("a", max, (5, 2)),
        Task("x", _fail),
        Task("y", max, (0,), ("x",)),
    ]
    with DaskScheduler.connect(cluster.scheduler_address) as scheduler:
        assert scheduler.workers == 2
        scheduler.run(tasks, lambda t, r, e: seen.__setitem__(t.key, (r, type(e).__name__)))
    assert seen == {
        "a": (5, "NoneType"),
        "b": (5, "NoneType"),
        "x": (None, "RuntimeError"),
        "y": (None, UpstreamFailed.__name__),
    }


def test_convert_on_the_cluster_is_the_same_bytes_as_jobs_2(
    cluster: LocalCluster, talks: Path, tmp_path: Path
) -> None:
    inputs = [str(path) for path in sorted(talks.parent.glob("*.vtt"))]
    inputs.append(str(Path(__file__).parent.parent / "media" / "avWhreBUYF0.md"))
    for mode in ("cues", "words"):
        local, remote = tmp_path / f"local-{mode}", tmp_path / f"remote-{mode}"
        common = ["convert", *inputs, "--mode", mode, "-q"]
        assert main([*common, "-d", str(local), "--jobs", "2"]) == 0
        assert main([*common, "-d", str(remote), "--scheduler", cluster.scheduler_address]) == 0
        assert made_files(remote) == made_files(local)
        assert len(made_files(local)) == len(inputs)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing(
    cluster: LocalCluster, talks: Path, local_run: Path
) -> None:
    """A worker process killed while it cuts: Dask runs its task again elsewhere, the
    batch completes, and every output is whole and the same bytes as the local run's."""
    out = talks.parent / "worker-lost"
    jobs = load_jobs(talks)
    killed: list[str] = []
    with Client(cluster.scheduler_address, set_as_default=False) as watcher:  # type: ignore[no-untyped-call]
        pids: dict[str, int] = watcher.run(os.getpid)

        def kill_a_cutting_worker() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                for worker, keys in watcher.processing().items():
                    if any("/clips-" in key or "/reel-" in key for key in map(str, keys)):
                        time.sleep(0.3)  # well inside the cut (each takes a second or more)
                        os.kill(pids[worker], signal.SIGKILL)
                        killed.append(worker)
                        return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_cutting_worker)
        killer.start()
        with DaskScheduler.connect(cluster.scheduler_address) as scheduler:
            summary = run_batch(jobs, scheduler, out_dir=out)
        killer.join()
        watcher.wait_for_workers(2, timeout=60)  # the nanny has started another
    assert killed, "no worker was cutting"
    assert summary.failed == ()
    assert made_files(out) == made_files(local_run)
    assert not list(out.rglob(f"{TEMP_PREFIX}*"))


class _Quiet(SimpleHTTPRequestHandler):
    """Serves a folder on 127.0.0.1, noting each GET (quietly)."""

    gets: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.gets.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A page with a talk's video and its rolling captions, served on 127.0.0.1."""
    served = tmp_path / "site"
    served.mkdir()
    make_video(served / "talk.mp4", 12)
    make_captions(served / "talk.en.vtt", 5, 12)
    (served / "talk.html").write_text(
        "<!DOCTYPE html><html><head><title>A talk</title></head><body><video controls "
        'src="talk.mp4"><track kind="captions" srclang="en" src="talk.en.vtt" '
        'label="English"></video></body></html>',
        encoding="utf-8",
    )
    gets: list[str] = []
    handler = type("Handler", (_Quiet,), {"gets": gets})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/talk.html", tmp_path, gets
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.network
@pytest.mark.slow
def test_a_url_is_fetched_on_a_worker_then_captioned_and_cut(
    cluster: LocalCluster, site: tuple[str, Path, list[str]]
) -> None:
    url, folder, gets = site
    job = folder / "jobs.yaml"
    job.write_text(
        f"talks:\n  - name: fetched\n    url: {url}\n    find: [wells fargo]\n"
        "    clips: true\n    reel: true\n",
        encoding="utf-8",
    )
    command = ["batch", str(job), "--scheduler", cluster.scheduler_address, "-q"]
    assert main(command) == 0
    out = folder / "out"
    (manifest,) = (out / "media").glob("*/manifest.json")  # the folder fetch names by id
    (video,) = manifest.parent.glob("*.mp4")
    assert video.read_bytes() == (folder / "site" / "talk.mp4").read_bytes()
    made = set(made_files(out))
    assert {"fetched/fetched.srt", "fetched/fetched.vtt", "fetched/reel.mp4"} <= made
    assert {"fetched/clips/wells-fargo-1.mp4", "fetched/clips/wells-fargo-2.mp4"} <= made
    assert gets.count("/talk.mp4") == 1
    assert main(command) == 0  # a rerun: the folder is complete, the video is not fetched again
    assert gets.count("/talk.mp4") == 1
    assert '"steps_complete_before": 4' in (out / "batch.json").read_text(encoding="utf-8")
