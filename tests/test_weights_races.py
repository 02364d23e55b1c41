"""`weights list`, `remove` and `verify` while another process writes or removes weights at that moment:
what they say is true of the folder as it was or as it is, never an interrupted write that was none,
nor a traceback for a file gone between a look at the folder and the next step."""

from __future__ import annotations

import fcntl
import os
import pathlib
import signal
import stat
import subprocess
import sys
import threading

import numpy as np
import pytest

import jaxart.weights
import test_weights
from conftest import run_main
from jaxart import vgg
from jaxart.errors import InputError
from jaxart.weights import catalog, folder, staging, store
from test_weights_interrupted import _WRITER

weights_dir = test_weights.weights_dir  # the same autouse fixture: an empty weights folder per test


def _save(name: str) -> pathlib.Path:
    params = {"conv1_1": {"kernel": np.ones((3, 3, 3, 4), np.float32), "bias": np.zeros(4, np.float32)}}
    return store.save(params, folder.path_for(name), arch="vgg16", preprocess=vgg.Preprocess())


def _removed(name: str) -> list[str]:
    try:
        return [str(p) for p in folder.remove(name)]
    except InputError:  # the writer's set not installed yet: nothing to remove
        return []


SWEEPS = {"list": catalog.remove_leftovers, "remove": lambda: _removed("other")}


@pytest.mark.parametrize("command", SWEEPS)
def test_list_and_remove_say_nothing_of_a_temporary_its_writer_has_made_but_not_locked_yet(
        command, weights_dir, monkeypatch):
    """A writer's temporary is empty and unlocked for a moment after its creation: `list` took it for an
    interrupted write's, removed it and said "removed ... (0 kB), which an interrupted write left" (83 of 200
    listings beside a looping writer whose flock came 2 ms late, as a preempted one's does)."""
    weights_dir.mkdir()
    flock, made, go, sweeping = fcntl.flock, threading.Event(), threading.Event(), threading.Event()
    writer = threading.Thread(target=staging.place, args=([b"set" * 1000], weights_dir / "other.safetensors"))

    def preempted(fd, operation):  # the writer stops between creating its temporary and locking it
        kind = os.fstat(fd).st_mode
        if threading.current_thread() is writer and stat.S_ISREG(kind) and not made.is_set():
            made.set()
            go.wait(30)
        elif threading.current_thread() is not writer and stat.S_ISDIR(kind):
            sweeping.set()  # the sweep waits for that lock until the writer goes on
        return flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", preempted)
    writer.start()
    assert made.wait(30)
    said = []
    sweeper = threading.Thread(target=lambda: said.extend(SWEEPS[command]()))
    sweeper.start()
    while sweeper.is_alive() and not sweeping.wait(0.01):
        pass
    go.set()
    writer.join(30)
    sweeper.join(30)
    assert not any(".tmp" in line for line in said), said
    if command == "list":
        assert sorted(p.name for p in weights_dir.iterdir()) == ["other.safetensors"]
        assert (weights_dir / "other.safetensors").read_bytes() == b"set" * 1000


def test_list_still_removes_and_reports_what_killed_writers_left(weights_dir, monkeypatch, capsys):
    """A writer killed holding its temporary (4 kB written), and one killed before it locked its empty one."""
    weights_dir.mkdir()
    held, empty = weights_dir / ".test.safetensors.11ee11ee.tmp", weights_dir / ".other.safetensors.0badc0de.tmp"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(held)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert writer.stdout.readline() == "holding\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    empty.touch()
    code, out, err = run_main(["weights", "list"], monkeypatch, capsys)
    assert code == 0, err
    assert f"removed {held} (4 KiB), which an interrupted write left" in out
    assert f"removed {empty} (0 bytes), which an interrupted write left" in out
    assert list(weights_dir.iterdir()) == []


def _removed_after_listing(monkeypatch) -> None:
    listing = folder.installed

    def then_removed():
        names = listing()
        for name in names:
            folder.path_for(name).unlink()
        return names

    monkeypatch.setattr(folder, "installed", then_removed)


def _removed_as_read(monkeypatch) -> None:
    read = store.read_metadata

    def removed_first(path):
        path.unlink(missing_ok=True)
        return read(path)

    monkeypatch.setattr(store, "read_metadata", removed_first)


def _partial_gone_after_look(monkeypatch) -> None:  # a fetch finished between the look at its partial and its size
    partial, is_file = folder.partial_path("vgg19"), pathlib.Path.is_file
    monkeypatch.setattr(pathlib.Path, "is_file", lambda p: p == partial or is_file(p))
    for name in ("vgg19", "gone"):
        folder.path_for(name).unlink()


@pytest.mark.parametrize("race", [_removed_after_listing, _removed_as_read, _partial_gone_after_look])
def test_list_shows_a_set_removed_as_it_looked_as_not_installed_without_a_traceback(
        race, weights_dir, monkeypatch, capsys):
    """`weights remove` in another process between list's look at the folder and its reading of a set, or a
    fetch done with its partial download: a traceback (FileNotFoundError, or "unknown model 'gone'")."""
    for name in ("vgg19", "gone"):
        _save(name)
    race(monkeypatch)
    code, out, err = run_main(["weights", "list"], monkeypatch, capsys)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "gone" not in lines
    assert "not installed (76 MiB download)" in lines["vgg19"]


def test_verify_of_all_skips_a_set_removed_while_it_ran_and_still_passes(weights_dir, monkeypatch, capsys):
    """It said "b: FAILED: weights file ... does not exist" and exited 1, as if b's bytes were damaged."""
    for name in ("a", "b"):
        _save(name)
    verify = jaxart.weights.verify

    def removing_b(path):  # another process runs `weights remove b` as a is hashed
        folder.path_for("b").unlink(missing_ok=True)
        return verify(path)

    monkeypatch.setattr(jaxart.weights, "verify", removing_b)
    code, out, err = run_main(["weights", "verify"], monkeypatch, capsys)
    assert code == 0 and not err, err
    assert out.splitlines()[0].startswith("a: ok")
    assert out.splitlines()[1] == "b: skipped, removed while this verified the others"


def test_a_fetch_waiting_in_a_folder_a_failed_fetch_removed_makes_it_again_and_takes_its_lock(tmp_path, monkeypatch):
    """A failed fetch removes the folder it made (`folder.lock`) as another waits there for its lock: that one's lock
    file then had no folder to be made in, "cannot write to the weights folder (No such file or directory)"."""
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "new"))
    take, calls = folder.locks.take, []

    def removed_first(held, path, **kwargs):  # as the first holder lets go, it removes the folder it made
        calls.append(path)
        if len(calls) == 1:
            path.parent.rmdir()
        take(held, path, **kwargs)

    monkeypatch.setattr(folder.locks, "take", removed_first)
    with folder.lock("test"):
        assert (tmp_path / "new" / ".test.lock").is_file() and len(calls) == 2
    assert not (tmp_path / "new").exists()  # made again by this fetch, and left empty: removed too
