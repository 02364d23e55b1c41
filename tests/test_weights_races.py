"""`weights list` and `remove` while another process writes weights at that moment: they never take a
live write for an interrupted one, and still remove and report what killed writes left."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import threading

import pytest

import test_weights
from conftest import run_main
from jaxart.errors import InputError
from jaxart.weights import catalog, folder, staging
from test_weights_interrupted import _WRITER

weights_dir = test_weights.weights_dir  # the same autouse fixture: an empty weights folder per test


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
    assert f"removed {held} (4 kB), which an interrupted write left" in out
    assert f"removed {empty} (0 kB), which an interrupted write left" in out
    assert list(weights_dir.iterdir()) == []
