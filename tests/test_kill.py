"""Issue 12, safe under kill: `needs build` and `needs run`, as real subprocesses, are killed with
SIGKILL (the whole process group, and the Jupyter kernels that live in sessions of their own) at
several moments: during start-up, while reading, while writing the store, between the two
renames of the store swap, while a report executes, half-way through writing a page or the
index, and at seeded random times. After every kill the previous store and the previous good
pages are intact and open, nothing half-written has a served name, and the next command
completes.

Most kill points wait for a log line or for a file to appear. The exact ones (half a file
written, a rename not yet done) come from a tiny tracer: a `sitecustomize` on PYTHONPATH that,
when KILLTEST_PAUSE names a file, writes half of it (as a kill mid-write leaves it) or stops
just before renaming onto it, says so on stderr and waits to be killed. It changes nothing else.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import golden_snapshot
import psutil
import pyarrow.parquet as pq
import pytest
from bs4 import BeautifulSoup
from conftest import FULL_RAW, PROXY_VARS, ROOT, run_cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups"),
]

RNG_SEED = 12
WAIT = 120.0  # the longest any trigger may take to arrive (a bound, not a timing check)
AREAS = "E07000129,E07000133"  # Blaby, Melton
NOTEBOOKS = "overview,domestic_sexual_violence"

TRACER = """
import os

if os.environ.get("KILLTEST_PAUSE"):
    import fnmatch
    import pathlib
    import sys
    import time

    _OP, _, _NAME = os.environ["KILLTEST_PAUSE"].partition(":")

    def _pause(what, path):
        sys.stderr.write(f"KILLTEST paused {what} {path}\\n")
        sys.stderr.flush()
        time.sleep(3600)

    _write_text = pathlib.Path.write_text

    def _traced_write_text(self, data, *args, **kwargs):
        if _OP == "write" and fnmatch.fnmatch(self.name, _NAME):
            with open(self, "w", encoding="utf-8") as handle:
                handle.write(data[: len(data) // 2])
            _pause("write", self)
        return _write_text(self, data, *args, **kwargs)

    def _traced(original):
        def move(self, target):
            if _OP == "rename" and fnmatch.fnmatch(pathlib.Path(target).name, _NAME):
                _pause("rename", target)
            return original(self, target)

        return move

    pathlib.Path.write_text = _traced_write_text
    pathlib.Path.rename = _traced(pathlib.Path.rename)
    pathlib.Path.replace = _traced(pathlib.Path.replace)
"""


# ------------------------------------------------------------------ killing a real command


class Command:
    """`needs ...` started in a session of its own, its stderr collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str], tracer: Path, pause: str | None):
        clean = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
        path = os.pathsep.join(filter(None, [str(tracer), os.environ.get("PYTHONPATH")]))
        extra = {"PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}
        if pause:
            extra["KILLTEST_PAUSE"] = pause
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "helpers.cli", *args],
            cwd=ROOT,
            env=clean | env | extra,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def stderr(self) -> str:
        return "\n".join(self.lines)

    def wait_until(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT
        while not ready():
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader catch up before the last look
                if ready():
                    return
                pytest.fail(f"exited ({self.proc.returncode}) before {what}:\n{self.stderr()}")
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"no {what} within {WAIT:.0f} s:\n{self.stderr()}")
            time.sleep(0.005)

    def wait_for_line(self, text: str) -> None:
        self.wait_until(f"log line {text!r}", lambda: any(text in line for line in self.lines))

    def half_written(self, hidden_below: Path) -> Path:
        """The file the tracer left half-written: it must be there, under a hidden name."""
        line = next(line for line in self.lines if line.startswith("KILLTEST paused write "))
        path = Path(line.removeprefix("KILLTEST paused write "))
        assert path.is_file(), line
        assert any(part.startswith(".") for part in path.relative_to(hidden_below).parts), path
        return path

    def kill(self) -> bool:
        """SIGKILL the process group and every descendant (Jupyter starts its kernels in new
        sessions); True if it was still running."""
        alive = self.proc.poll() is None
        family = _descendants(self.proc.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=WAIT)
        self._reader.join(timeout=10)
        deadline = time.monotonic() + WAIT
        while any(_alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        return alive


def _descendants(root: int) -> list[int]:
    """Every process below `root`, from /proc (empty where there is no /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@dataclass
class KillPoint:
    """When to kill: at `delay` seconds after the trigger (start, a log line, a file appearing,
    or the tracer pausing on `pause`). For `needs run`: the reports to make stale first (their
    cache keys removed, as a changed input would) or `force` to rerun them all."""

    name: str
    delay: float = 0.0
    line: str | None = None
    appears: Callable[[Command], bool] | None = None
    pause: str | None = None
    stale: tuple[str, ...] = ()
    force: bool = False

    def wait(self, command: Command) -> None:
        if self.pause:
            command.wait_for_line("KILLTEST paused")
        if self.line:
            command.wait_for_line(self.line)
        if self.appears:
            command.wait_until(self.name, lambda: self.appears(command))
        if self.pause or self.line or self.appears:
            time.sleep(self.delay)
        else:  # a time since the start
            time.sleep(max(0.0, command.started + self.delay - time.monotonic()))


@pytest.fixture
def tracer(tmp_path: Path) -> Path:
    folder = tmp_path / "tracer"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(TRACER)
    return folder


# ------------------------------------------------------------------ the store


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _last_month(snapshot: dict[str, bytes]) -> str:
    """Which of the two builds a store is, from build.json and from two of the tables that
    depend on it: they must agree, so the store is all of one build, never a mix."""
    import io

    import pandas as pd

    recorded = json.loads(snapshot["build.json"])["police"]["last_month"]
    for table in ("police_months", "police_monthly"):
        months = pd.read_parquet(io.BytesIO(snapshot[f"{table}.parquet"]), columns=["month"])
        assert months["month"].max() == recorded, f"{table} is from another build"
    return recorded


def _opens(folder: Path, snapshot: dict[str, bytes], monkeypatch) -> None:
    """The store at `folder` is `snapshot`: through the notebooks' own reader (build.json and
    every table) and, where the folder is there, file by file with pyarrow."""
    from helpers.build import store

    if folder.exists():
        for path in folder.iterdir():
            if path.suffix == ".parquet":
                pq.read_table(path)
            else:
                json.loads(path.read_text())
    monkeypatch.setenv("NEEDS_PROCESSED_DIR", str(folder))
    store.clear()
    try:
        assert store.build_info() == json.loads(snapshot["build.json"])
        for name in snapshot:
            if name.endswith(".parquet"):
                assert store.load(name.removesuffix(".parquet")) is not None
    finally:
        store.clear()


def test_build_survives_kill(tmp_path, tracer, monkeypatch):
    """Kills alternate between two builds that differ (police months to 2024-12 or 2024-11),
    so a store that is neither the previous one nor wholly the new one would show."""
    rng = random.Random(RNG_SEED)
    last = {"a": "2024-12", "b": "2024-11"}
    params = {}
    for which, month in last.items():
        params[which] = tmp_path / f"params-{which}"
        shutil.copytree(ROOT / "params", params[which])
        build_yaml = params[which] / "build.yaml"
        text = build_yaml.read_text()
        assert 'last_month: "2024-12"' in text
        build_yaml.write_text(text.replace('last_month: "2024-12"', f'last_month: "{month}"'))
    work = tmp_path / "work"
    processed = work / "processed"

    def build_args(which: str) -> list[str]:
        return ["build", "--raw", str(FULL_RAW), "--processed", str(processed)] + [
            "--params",
            str(params[which]),
        ]

    started = time.monotonic()
    done = run_cli(*build_args("a"))  # the previous good store
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - started  # a range for the kills, never checked
    assert _last_month(_snapshot(processed)) == last["a"]

    points = [
        KillPoint("very early: starting up", delay=0.05),
        KillPoint(
            "reading police.uk", line="Reading police.uk street-level", delay=rng.uniform(0, 1)
        ),
        KillPoint(
            "writing the store's tables",
            appears=lambda _command: any(work.glob(".processed.tmp-*/*.parquet")),
            delay=rng.uniform(0, 0.1),
        ),
        KillPoint("half of build.json written", pause="write:build.json"),
        KillPoint("between the swap's two renames", pause="rename:processed"),
        KillPoint("very late: the new store in place", line="Built the store"),
        KillPoint("at random", delay=rng.uniform(0.1, 1) * duration),
    ]
    current, outcomes = "a", {}
    for point in points:
        target = "b" if current == "a" else "a"
        before = _snapshot(processed)
        command = Command([*build_args(target), "--force"], {}, tracer, point.pause)
        try:
            point.wait(command)
        finally:
            command.kill()
        if point.pause and point.pause.startswith("write:"):
            command.half_written(work)

        left = sorted(p.name for p in work.iterdir() if p.name != "processed")
        # whatever a kill leaves beside the store is hidden and never the store's own name
        assert all(name.startswith(".processed.") for name in left), left
        if processed.exists():
            now = _snapshot(processed)
            if now == before:
                outcomes[point.name] = "previous"
            else:
                assert _last_month(now) == last[target], "neither the previous nor the new store"
                outcomes[point.name] = "new"
            _opens(processed, now, monkeypatch)
        else:  # killed mid-swap: the previous store is whole, and must still open
            olds = list(work.glob(".processed.old-*"))
            assert len(olds) == 1 and _snapshot(olds[0]) == before, left
            outcomes[point.name] = "previous, mid-swap"
            _opens(processed, before, monkeypatch)

        done = run_cli(*build_args(target))
        assert done.returncode == 0, f"after a kill {point.name}:\n{done.stderr}"
        if outcomes[point.name] == "previous, mid-swap":
            assert "Restored the previous store" in done.stderr
        assert _last_month(_snapshot(processed)) == last[target]
        assert [p.name for p in work.iterdir()] == ["processed"]  # leftovers cleaned
        current = target
    print("build kill outcomes:", outcomes)
    # the points are spread: some kills kept the previous store, some found the new one
    assert {"previous", "new"} <= set(outcomes.values())


# ------------------------------------------------------------------ the site


def _served(outputs: Path) -> dict[str, bytes]:
    """What a reader is given: every file under outputs/ but hidden ones and the run cache."""
    return {
        p.relative_to(outputs).as_posix(): p.read_bytes()
        for p in sorted(outputs.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(outputs).parts)
    }


def _hidden(outputs: Path) -> list[str]:
    return sorted(
        p.relative_to(outputs).as_posix()
        for p in outputs.rglob(".*")
        if p.is_file() and ".cache" not in p.relative_to(outputs).parts
    )


def _complete(name: str, data: bytes) -> bool:
    """A whole file of its kind: a page to its last tag, JSON that parses, a table that reads."""
    import io

    import pandas as pd

    try:
        if name.endswith(".html"):
            text = data.decode("utf-8")
            soup = BeautifulSoup(text, "html.parser")
            return (
                text.lstrip().lower().startswith("<!doctype html>")
                and text.rstrip().endswith("</html>")
                and soup.title is not None
                and soup.find("footer") is not None
            )
        if name.endswith((".json", ".ipynb")):
            json.loads(data)
        elif name.endswith(".csv"):
            pd.read_csv(io.BytesIO(data))
        elif name.endswith(".xlsx"):
            pd.read_excel(io.BytesIO(data))
        elif name.endswith(".log"):
            data.decode("utf-8")
    except Exception:
        return False
    return True


def _title(data: bytes) -> str:
    return BeautifulSoup(data.decode("utf-8"), "html.parser").title.get_text()


def _check_site(outputs: Path, good: dict[str, bytes]) -> None:
    now = _served(outputs)
    assert set(good) <= set(now), f"pages went missing: {sorted(set(good) - set(now))}"
    for name, data in now.items():
        assert _complete(name, data), f"half-written {name} is served"
        if name in good and data != good[name] and name.endswith(".html"):
            assert _title(data) == _title(good[name]), name
    links = [
        a["href"]
        for a in BeautifulSoup(now["index.html"].decode(), "html.parser").find_all("a", href=True)
        if not a["href"].startswith(("#", "http:", "https:", "mailto:"))
    ]
    assert links
    for href in links:
        target = href.split("#")[0]
        assert target in now, f"the index links {href}, which is not a complete served file"


def test_run_survives_kill(full_store, tmp_path, tracer, monkeypatch):
    rng = random.Random(RNG_SEED)
    processed = tmp_path / "processed"
    shutil.copytree(full_store, processed)
    outputs = tmp_path / "outputs"
    env = {
        "NEEDS_PROCESSED_DIR": str(processed),
        "NEEDS_OUTPUTS_DIR": str(outputs),
        "NEEDS_RUN_TIME": golden_snapshot.RUN_TIME,
    }
    scope = ["--areas", AREAS, "--notebooks", NOTEBOOKS, "--jobs", "2"]
    started = time.monotonic()
    done = run_cli("run", *scope, env=env)
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - started  # a kill range, never checked
    print(f"first run: {duration:.1f} s")
    store_before = _snapshot(processed)
    good = _served(outputs)
    pages = {f"{area}/{nb}.html" for area in ("blaby", "melton") for nb in NOTEBOOKS.split(",")}
    assert pages | {"index.html", "compendium.html"} <= set(good)

    def executing(command: Command) -> bool:
        """A kernel at work under the run: only the stale report runs, and papermill writes
        its notebook only at the end, so the kernel is the sign."""
        try:
            below = psutil.Process(command.proc.pid).children(recursive=True)
            return any("ipykernel" in " ".join(p.cmdline()) for p in below)
        except psutil.Error:
            return False

    points = [
        KillPoint("very early: starting up", delay=0.05, force=True),
        KillPoint(
            "executing a report",
            appears=executing,
            delay=rng.uniform(0, 2),
            stale=("blaby/overview",),
        ),
        KillPoint(
            "half of a page written", pause="write:.overview.html.*", stale=("blaby/overview",)
        ),
        KillPoint(
            "a page complete, before its rename",
            pause="rename:domestic_sexual_violence.html",
            stale=("melton/domestic_sexual_violence",),
        ),
        # a stale report: a batch with nothing to do keeps its index and never writes it
        KillPoint(
            "half of the index written", pause="write:.index.html.*", stale=("melton/overview",)
        ),
        KillPoint("at random", delay=rng.uniform(0.2, 0.8) * duration, force=True),
    ]
    for point in points:
        for report in point.stale:
            (outputs / ".cache" / f"{report}.key").unlink()
        args = ["run", *scope] + (["--force"] if point.force else [])
        command = Command(args, env, tracer, point.pause)
        try:
            point.wait(command)
        finally:
            running = command.kill()
        killed_after = time.monotonic() - command.started
        _check_site(outputs, good)
        if point.pause and point.pause.startswith("write:"):
            half = command.half_written(outputs)
            assert not _complete(half.name, half.read_bytes())

        started = time.monotonic()
        done = run_cli("run", *scope, env=env)
        print(
            f"run killed {point.name} after {killed_after:.1f} s (running: {running}); "
            f"the next run took {time.monotonic() - started:.1f} s: {done.stderr.splitlines()[-1:]}"
        )
        assert done.returncode == 0, f"after a kill {point.name}:\n{done.stderr}"
        good = _served(outputs)
        _check_site(outputs, good)
        assert pages <= set(good)
        # a kill's half-written temporary files are gone once a run completes
        assert _hidden(outputs) == [], f"left after a kill {point.name}"
    assert _snapshot(processed) == store_before
