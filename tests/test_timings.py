"""The timings kept (timings.py): bounded and read back, a damaged, unreadable or unwritable file one warning, runs
that end together all landing, and where the file goes. What the estimate makes of them: test_duration.py."""

from __future__ import annotations

import errno
import json
import os
import pwd
import subprocess
import sys
import threading
import time

import pytest

from jaxart import timings

# The step's settings as a default run keeps them (duration.settings).
ADDED = {"host": "h", "device": "cpu", "model": "m", "conv": "auto", "optimizer": "lbfgs", "rows": 1, "remat": False,
         "linesearch": "none", "loop": "auto", "layers": "relu4_2; relu1_1,relu2_1,relu3_1,relu4_1,relu5_1",
         "regions": 0, "margin": 16}


def _run(size: int, per_step: float) -> dict:
    return {**ADDED, "host": "AMD EPYC, 2 cores", "model": "vgg16-hed", "size": size, "per_step": per_step,
            "steps": 9, "at": 1, "compile": 4.0}


def _warnings():
    said = []
    return said, said.append


def test_timings_are_kept_bounded_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setattr(timings, "KEEP", 5)
    said, warn = _warnings()
    store = timings.Store(tmp_path / "cache" / timings.NAME, warn)
    for k in range(4):
        store.add([{"size": 64 * (k + 1), "per_step": 0.5, "steps": 3}, {"size": 999, "per_step": 1.0, "steps": 1}],
                  **ADDED)
    got = timings.Store(tmp_path / "cache" / timings.NAME, warn).runs()
    assert [r["size"] for r in got] == [999, 192, 999, 256, 999] and said == []
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [timings.NAME]  # no lock file left in the cache


@pytest.mark.parametrize("damage", [b"{\"version\": 1, \"runs\": [{\"host\": ", b"\xff\xfe", b"[]", b"{\"runs\": 3}"])
def test_a_damaged_timings_file_is_one_warning_and_then_started_afresh(tmp_path, damage):
    where = tmp_path / timings.NAME
    where.write_bytes(damage)
    said, warn = _warnings()
    store = timings.Store(where, warn)
    assert store.runs() == [] and store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and f"timings file {where} is" in said[0] and "Delete it" in said[0], said
    assert [r["size"] for r in timings.Store(where, warn).runs()] == [64] and len(said) == 1


def test_a_timings_file_that_is_a_fifo_is_one_warning_not_a_hang(tmp_path):
    """A FIFO named timings.json in the cache folder: every run and dry run waited on it, forever, before its first
    line. Read in a thread that a writer's close lets go, so a hang fails the test instead of stopping the suite."""
    where = tmp_path / timings.NAME
    os.mkfifo(where)
    said, warn = _warnings()
    store = timings.Store(where, warn)
    got = []
    reader = threading.Thread(target=lambda: got.append(store.runs()), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():
        os.close(os.open(where, os.O_WRONLY | os.O_NONBLOCK))  # the reader gets its end of file
        reader.join(5)
        pytest.fail("reading a FIFO as the timings file waited for a writer")
    assert got == [[]] and said == [f"timings file {where} is not a regular file; estimates of how long a run takes "
                                    "are left out. Delete it, or set JAXART_CACHE_DIR to another folder or to 'off'"]
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)  # as a damaged file: started afresh
    assert [r["size"] for r in timings.Store(where, pytest.fail).runs()] == [64] and len(said) == 1


def test_a_timing_of_the_wrong_kind_is_left_out(tmp_path):
    good = _run(64, 0.5)
    where = tmp_path / timings.NAME
    bad = [{**good, "per_step": "fast"}, {**good, "size": 0}, {**good, "rows": True}, {**good, "compile": None},
           {**good, "per_step": float("inf")}, {**good, "remat": 1}, {**good, "load": "high"}, "text",
           {k: v for k, v in good.items() if k != "host"}, {**good, "linesearch": None}, {**good, "loop": 1},
           {**good, "layers": ["relu4_2"]}, {**good, "regions": True}, {**good, "margin": 16.0}]
    where.write_text(json.dumps({"version": 1, "runs": [*bad, good]}))
    assert timings.Store(where, pytest.fail).runs() == [good]


def test_an_older_timings_files_runs_of_settings_not_known_are_left_out_and_dropped(tmp_path):
    """A file as 1a08048 wrote it, without the load or any step setting, kept a --linesearch zoom run's step (2.2-4.4x
    a plain one's) as it kept a plain run's: counted as a default run's, it was a default run's estimate. Neither it,
    nor one with remat alone (7e3e5b9), nor one without a mask's regions and --margin (adc6508) counts; the next run's
    timings replace them in the file."""
    from jaxart import duration

    where = tmp_path / timings.NAME
    zoom = {k: v for k, v in _run(128, 1.5).items() if k not in timings.SETTINGS}
    unmasked = {k: v for k, v in _run(128, 0.6).items() if k not in ("regions", "margin")}
    older = [zoom, {**zoom, "per_step": 0.7, "remat": True, "load": 1.5}, unmasked, _run(128, 0.5)]
    where.write_text('{"version": 1, "runs": [\n%s\n]}\n' % ",\n".join(map(json.dumps, older)))
    store = timings.Store(where, pytest.fail)
    key = {k: older[0][k] for k in ("host", "model", "conv", "optimizer")}
    assert store.runs() == [_run(128, 0.5)]
    # The 10 steps, a step of targets and one of the final loss and write (eta.FINISH_STEPS), and the compile.
    assert duration.estimate(store.runs(), ((128, 10),), **key) == pytest.approx(12 * 0.5 + 4.0)
    assert duration.estimate(older[:3], ((128, 10),), **key) is None  # handed over as they are: none counts
    store.add([{"size": 64, "per_step": 0.4, "steps": 3}], **ADDED)
    assert [(r["size"], r["per_step"]) for r in store.runs()] == [(128, 0.5), (64, 0.4)]
    assert len(json.loads(where.read_text())["runs"]) == 2


def test_a_timings_file_that_cannot_be_read_or_written_is_one_warning(tmp_path, monkeypatch):
    """A folder where the file goes, then a full disk: one line each, the file as it was, no temporary left."""
    where = tmp_path / timings.NAME
    where.mkdir()
    said, warn = _warnings()
    store = timings.Store(where, warn)
    assert store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and "cannot be read (Is a directory)" in said[0] and where.is_dir(), said
    where.rmdir()
    timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    before = where.read_bytes()

    def full(*a):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    said, warn = _warnings()
    timings.Store(where, warn).add([{"size": 128, "per_step": 0.5, "steps": 3}], **ADDED)
    assert len(said) == 1 and "cannot be written (No space left on device)" in said[0], said
    assert where.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [timings.NAME]


def test_a_timings_folder_that_cannot_be_made_is_no_second_warning(tmp_path):
    """A file where the cache folder goes: the compile cache, in the same folder, warns of it in every run
    (test_compile_cache.py); the timings said it again, in a second line."""
    (tmp_path / "a-file").write_text("not a folder")
    store = timings.Store(tmp_path / "a-file" / "cache" / timings.NAME, pytest.fail)
    assert store.runs() == []
    store.add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert not store.failed and [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_runs_that_end_together_all_land(tmp_path):
    where = tmp_path / timings.NAME

    def add(k):
        for i in range(10):
            timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5 + k, "steps": i}], **ADDED)

    threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = timings.Store(where, pytest.fail).runs()
    assert sorted((r["per_step"], r["steps"]) for r in got) == [(0.5 + k, i) for k in range(4) for i in range(10)]


def test_a_run_that_finds_the_timings_held_for_long_keeps_nothing_and_says_nothing(tmp_path, monkeypatch):
    """Held for `_LOCK_WAIT` (a process stopped while it held the lock): a run ends without its times, not later."""
    from jaxart import locks

    monkeypatch.setattr(timings, "_LOCK_WAIT", 0.2)
    where = tmp_path / timings.NAME
    with locks.hold(tmp_path / f".{timings.NAME}.lock"):
        began = time.monotonic()
        timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
        assert 0.2 <= time.monotonic() - began < 2 and not where.exists()
    timings.Store(where, pytest.fail).add([{"size": 64, "per_step": 0.5, "steps": 3}], **ADDED)
    assert [p.name for p in tmp_path.iterdir()] == [timings.NAME]


def test_off_keeps_no_timings_and_the_default_is_beside_the_compile_cache():
    assert timings.path({"JAXART_CACHE_DIR": "off"}) is None and timings.path({"JAXART_CACHE_DIR": " Off "}) is None
    assert str(timings.path({"XDG_CACHE_HOME": "/x"})) == "/x/jaxart/timings.json"
    assert str(timings.path({"JAXART_CACHE_DIR": "/c"})) == "/c/timings.json"


def test_timings_go_where_the_compile_cache_goes_never_into_the_current_folder(tmp_path, monkeypatch):
    """A relative XDG_CACHE_HOME (a Docker ENV's unexpanded `~/.cache`) is ignored as the compile cache ignores it:
    timings.json went to `./~/.cache/jaxart/` of whatever folder a run started in. `~` with no home: none kept."""
    monkeypatch.chdir(tmp_path)
    home = {"HOME": str(tmp_path / "home")}
    for ignored in ("~/.cache", "relative"):
        assert timings.path({**home, "XDG_CACHE_HOME": ignored}) == tmp_path / "home/.cache/jaxart" / timings.NAME
    assert timings.path({**home, "JAXART_CACHE_DIR": "~/c"}) == tmp_path / "home" / "c" / timings.NAME
    monkeypatch.setattr(pwd, "getpwuid", _no_passwd_entry)
    assert timings.path({}) is None and timings.path({"JAXART_CACHE_DIR": "~/c"}) is None


def _no_passwd_entry(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")


def test_a_commands_start_counts_from_its_process_start_where_the_system_says_it(tmp_path):
    """Python's own start and the imports before the command (1.0-1.2 s on 2 cores at load 10) were in no estimate:
    the start counted from the command's call. Linux says when the process started, in clock ticks since boot."""
    ticks = os.sysconf("SC_CLK_TCK")
    stat = tmp_path / "stat"
    stat.write_text(f"4242 (py ) 3 (x) S {' '.join(['1'] * 18)} {1000 * ticks} 5 6\n")  # field 22: 1000 s after boot
    clock = lambda: 50.0  # noqa: E731 -- the monotonic clock at the call; 1001.5 s since boot: 1.5 s old
    assert timings.started(49.9, clock=clock, stat=stat, boot=lambda: 1001.5) == pytest.approx(48.5)
    # Where it does not say (no /proc: macOS), or says the process is older than a command's start (a test runner's,
    # a notebook's), the command's call.
    assert timings.started(49.9, clock=clock, stat=tmp_path / "none", boot=lambda: 1001.5) == 49.9
    assert timings.started(49.9, clock=clock, stat=stat, boot=lambda: 1000.0 + timings.FRESH_S + 5) == 49.9


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/stat is Linux's")
def test_a_fresh_process_start_is_read_before_its_imports():
    code = ("import time; from jaxart import timings; time.sleep(0.3); t = time.monotonic(); "
            "print(t - timings.started(t))")
    age = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}).stdout)
    assert 0.3 <= age < timings.FRESH_S, age
