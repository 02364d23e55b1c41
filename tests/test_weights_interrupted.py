"""A weight set's write killed midway (SIGKILL, a power loss: no handler runs) leaves one hidden temporary of
jaxart's own, which the next write, `weights remove` or `weights list` removes; never one a live writer holds.

Before, safetensors' `save_file` wrote its own hidden `.tmpXXXXXX` beside jaxart's, and nothing ever removed
either: a killed `weights fetch vgg16-hed` kept 59 MB of disk, unseen by `list` and `remove`.
"""

from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import sys

import pytest

import test_weights
from conftest import ROOT, run_main
from jaxart.weights import Source, registry
from test_signals import _process
from test_weights import layer_arrays, write_h5

weights_dir = test_weights.weights_dir  # the same autouse fixture: an empty weights folder per test

# Holds the lock of the temporary argv[1] as a live writer does, with bytes in it, until its stdin closes.
_WRITER = f"""import pathlib, sys
sys.path.insert(0, {str(ROOT)!r})
from jaxart import locks
path = pathlib.Path(sys.argv[1])
with locks.hold(path):
    path.write_bytes(b"live" * 1000)
    print("holding", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def source(tmp_path, served, monkeypatch):
    """A Keras VGG16 .h5, registered as the weight set "test" (its file:// URL), the name every write here uses."""
    path = tmp_path / "vgg16_test.h5"
    path.write_bytes(served.body)
    monkeypatch.setitem(registry.SOURCES, "test", Source(
        name="test", arch="vgg16", format="keras-h5", url=path.as_uri(), size=len(served.body),
        checksum="sha256:" + hashlib.sha256(served.body).hexdigest(), preprocess=registry.PREPROCESS["keras-h5"],
        description="synthetic VGG16"))
    return path


def test_a_convert_killed_while_it_writes_leaves_one_temporary_which_the_next_convert_removes(
        tmp_path, weights_dir, monkeypatch, capsys):
    """The temporary holds the whole set: the same bytes the next convert installs, and nothing is left beside it."""
    h5 = tmp_path / "vgg16.h5"
    write_h5(h5, layer_arrays("vgg16"), "keras2", compression="gzip")
    argv = ["weights", "convert", str(h5), "--name", "test"]
    killed = subprocess.run(**_process(argv, tmp_path, after_import="_kill_in('jaxart.weights.staging', "
                                                                     f"'place_if_free', {int(signal.SIGKILL)})"),
                            timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (left,) = weights_dir.iterdir()  # no `.tmpXXXXXX` of safetensors' own beside it
    assert re.fullmatch(r"\.test\.safetensors\.[0-9a-f]{8}\.tmp", left.name)
    written = left.read_bytes()
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and out.strip() == str(weights_dir / "test.safetensors"), err
    assert [p.name for p in weights_dir.iterdir()] == ["test.safetensors"]
    assert (weights_dir / "test.safetensors").read_bytes() == written


COMMANDS = {
    "convert": lambda h5: ["weights", "convert", str(h5), "--name", "test"],
    "fetch": lambda h5: ["weights", "fetch", "test"],
    "remove": lambda h5: ["weights", "remove", "test"],  # there is no set, only the temporaries
    "list": lambda h5: ["weights", "list"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_the_next_command_on_a_set_removes_its_orphaned_temporaries_and_not_one_a_live_writer_holds(
        command, source, weights_dir, monkeypatch, capsys):
    """Orphans as a killed writer leaves them (nobody holds their lock; an older jaxart's held none) go;
    a live writer's stays, bytes and all. Only `list` removes another set's orphans too."""
    weights_dir.mkdir()
    orphans = [weights_dir / f".test.safetensors.{tail}.tmp" for tail in ("0badc0de", "k2_jx9ab")]
    other = weights_dir / ".other.safetensors.0badc0de.tmp"
    for path in [*orphans, other]:
        path.write_bytes(b"left" * 250_000)
    live = weights_dir / ".test.safetensors.11ee11ee.tmp"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(live)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline() == "holding\n"
        code, out, err = run_main(COMMANDS[command](source), monkeypatch, capsys)
        assert code == 0, err
        assert live.read_bytes() == b"live" * 1000
    finally:
        writer.stdin.close()
        writer.wait(timeout=60)
    kept = {"convert": [other, weights_dir / "test.safetensors"], "fetch": [other, weights_dir / "test.safetensors"],
            "remove": [other], "list": []}[command]
    assert sorted(weights_dir.iterdir()) == sorted(kept)  # the live writer's went with it
    removed = [p for p in [*orphans, other] if p not in kept]
    if command in ("remove", "list"):
        size = " (977 KiB)" if command == "list" else ""
        assert all(f"removed {p}{size}, which an interrupted write left" in out for p in removed), out


def test_list_says_nothing_of_a_temporary_that_its_live_writer_renamed_into_place_as_list_looked(
        weights_dir, monkeypatch):
    """A `convert` of another set that finished between `list`'s look at its temporary and the lock: `list`
    made an empty file of that name, removed it and said "removed ... (2 MB), which an interrupted write left"
    (about 1 in 7 writes, a convert looping beside `list` looping)."""
    from jaxart import locks
    from jaxart.weights import catalog

    weights_dir.mkdir()
    tmp, done = weights_dir / ".other.safetensors.11ee11ee.tmp", weights_dir / "other.safetensors"
    tmp.write_bytes(b"set" * 1000)
    hold = locks.hold

    def renamed_first(path, **options):  # the writer's os.replace, just before the lock is taken
        if path == tmp and path.exists():
            path.replace(done)
        return hold(path, **options)

    monkeypatch.setattr(locks, "hold", renamed_first)
    assert catalog.remove_leftovers() == []
    assert sorted(p.name for p in weights_dir.iterdir()) == ["other.safetensors"]
    assert done.read_bytes() == b"set" * 1000
