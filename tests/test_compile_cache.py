"""Compiled programs kept between CLI runs: loaded again, the same pixels, a damaged entry replaced or left with
one accurate warning, and never a failed run."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from jaxart import compile_cache

from conftest import ROOT, write_tiny_job


def test_a_read_error_whose_entry_cannot_be_told_deletes_nothing(tmp_path):
    import warnings

    for key in ("jit_step-aaa", "jit_step-bbb"):
        (tmp_path / f"{key}-cache").write_bytes(b"entry")
    said = []
    with compile_cache._reporting(tmp_path, said.append):
        for _ in range(2):  # no JAX frame reading a key: which of the two it was is not known
            warnings.warn("Error reading persistent compilation cache entry for 'jit_step': ZlibError: bad")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jit_step-aaa-cache", "jit_step-bbb-cache"]
    assert len(said) == 1 and "replaced" not in said[0] and f"delete {tmp_path}" in said[0], said


def test_a_read_error_naming_a_path_removes_nothing_outside_the_cache(tmp_path):
    import warnings

    cache = tmp_path / "cache"
    cache.mkdir()
    (tmp_path / "notes-cache").write_bytes(b"someone's file")
    said = []
    with compile_cache._reporting(cache, said.append):
        warnings.warn("Error reading persistent compilation cache entry for '../notes': ZlibError: bad")
    assert (tmp_path / "notes-cache").read_bytes() == b"someone's file"
    assert len(said) == 1 and "replaced" not in said[0], said


def test_an_entry_a_full_disk_cut_short_is_deleted_and_no_other(tmp_path):
    """JAX writes an entry in place (jaxlib 0.10.2, `lru_cache.put`): on a full 200 KiB tmpfs it left 0-byte
    entries, which the next run read, failed on and replaced with a warning. Here JAX's frame is stood in for."""
    import warnings

    (tmp_path / "jit_step-aaa-cache").write_bytes(b"a whole entry")
    namespace = {"__name__": "jax._src.compiler", "warnings": warnings}
    exec("def _cache_write(cache_key, folder):\n"
         "    (folder / f'{cache_key}-cache').write_bytes(b'')\n"
         "    warnings.warn(\"Error writing persistent compilation cache entry for 'jit_step': OSError: \"\n"
         "                  '[Errno 28] No space left on device')\n", namespace)
    said = []
    with compile_cache._reporting(tmp_path, said.append):
        namespace["_cache_write"]("jit_step-bbb", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["jit_step-aaa-cache"]
    assert len(said) == 1 and "could not write an entry" in said[0] and "Free space there" in said[0], said


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("cache"))
    return d, model


def _stylize(job, out, cache, log_compiles=False, size=32):
    d, model = job
    env = {**os.environ, "JAXART_CACHE_DIR": str(cache), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
           "JAX_LOG_COMPILES": "1" if log_compiles else "0"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "stylize", str(d / "photo.jpg"), str(d / "paint.png"),
                           "--model", model, "--size", str(size), "--steps", "3", "--quiet", "--output", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0 and out.is_file(), proc.stderr
    return np.asarray(Image.open(out)), proc.stderr


def _entries(cache):
    return {p.name: p.read_bytes() for p in cache.glob("*/*-cache")}


def test_a_second_run_loads_the_compiled_step_and_a_broken_entry_is_one_warning(job, tmp_path):
    first, err = _stylize(job, tmp_path / "a.png", tmp_path / "made")
    assert err == ""
    kept = _entries(tmp_path / "made")
    assert any(name.startswith("jit_step-") for name in kept), kept.keys()
    # A copy is read too (a moved cache, or one copied to a machine of the same kind): on CPU the
    # folder's path is in no key.
    cache = tmp_path / "copied"
    shutil.copytree(tmp_path / "made", cache)
    second, log = _stylize(job, tmp_path / "b.png", cache, log_compiles=True)
    assert "Persistent compilation cache hit for 'jit_step'" in log
    assert _entries(cache) == kept  # nothing compiled anew, nothing rewritten
    np.testing.assert_array_equal(first, second)

    for entry in cache.glob("*/*-cache"):  # as a process killed while writing leaves them
        entry.write_bytes(entry.read_bytes()[:100])
    again, err = _stylize(job, tmp_path / "c.png", cache)
    assert len(err.splitlines()) == 1 and err.startswith("warning: compile cache ") and "replaced" in err, err
    np.testing.assert_array_equal(first, again)
    _, log = _stylize(job, tmp_path / "d.png", cache, log_compiles=True)
    assert "Persistent compilation cache hit for 'jit_step'" in log and "warning" not in log


@pytest.fixture(scope="module")
def two_sizes(job, tmp_path_factory):
    """A cache filled at 24 and 32 px; the pictures; the names of each size's `jit_step` entry."""
    d = tmp_path_factory.mktemp("two-sizes")
    pictures, steps = {}, {}
    for size in (24, 32):
        before = set(_entries(d / "cache"))
        pictures[size], err = _stylize(job, d / f"{size}.png", d / "cache", size=size)
        assert err == ""
        steps[size], = [name for name in set(_entries(d / "cache")) - before if name.startswith("jit_step-")]
    return d / "cache", pictures, steps


def test_a_broken_entry_is_replaced_and_the_same_programs_other_sizes_are_kept(job, two_sizes, tmp_path):
    made, pictures, steps = two_sizes
    cache = tmp_path / "cache"
    shutil.copytree(made, cache)
    kept = _entries(cache)
    broken, = cache.glob(f"*/{steps[32]}")
    broken.write_bytes(broken.read_bytes()[:100])
    again, err = _stylize(job, tmp_path / "a.png", cache)
    assert len(err.splitlines()) == 1 and "replaced" in err, err
    np.testing.assert_array_equal(pictures[32], again)
    # The 24 px step is another entry of the same program ('jit_step'), and a valid one.
    assert _entries(cache).keys() == kept.keys() and _entries(cache)[steps[24]] == kept[steps[24]]
    assert len(broken.read_bytes()) > 100
    _, log = _stylize(job, tmp_path / "b.png", cache, log_compiles=True)
    assert "Persistent compilation cache hit for 'jit_step'" in log and "warning" not in log


def test_an_entry_that_is_a_folder_is_replaced_when_empty_and_else_left_with_one_accurate_warning(
        job, two_sizes, tmp_path):
    made, pictures, steps = two_sizes
    cache = tmp_path / "cache"
    shutil.copytree(made, cache)
    entry, = cache.glob(f"*/{steps[32]}")
    entry.unlink()
    entry.mkdir()
    (entry / "mine.txt").write_text("someone's")
    again, err = _stylize(job, tmp_path / "a.png", cache)
    assert len(err.splitlines()) == 1 and "left in place (a folder with files in it)" in err and f"Remove {entry}," in err, err
    assert (entry / "mine.txt").read_text() == "someone's"
    np.testing.assert_array_equal(pictures[32], again)

    (entry / "mine.txt").unlink()  # an empty folder holds nothing of anyone's
    again, err = _stylize(job, tmp_path / "b.png", cache)
    assert len(err.splitlines()) == 1 and "replaced" in err, err
    assert entry.is_file() and len(entry.read_bytes()) > 100
    np.testing.assert_array_equal(pictures[32], again)


def test_a_cache_folder_that_cannot_be_made_is_one_warning_and_the_run_goes_on(job, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _, err = _stylize(job, tmp_path / "a.png", blocker / "cache")
    assert len(err.splitlines()) == 1 and err.startswith("warning: cannot keep compiled programs in "), err
    assert "JAXART_CACHE_DIR" in err


def test_a_cache_folder_removed_while_a_run_works_is_said_so_not_called_full(tmp_path):
    import warnings

    gone = tmp_path / "xla" / "x86_64-abc"  # another terminal ran `rm -rf ~/.cache/jaxart` meanwhile
    said = []
    with compile_cache._reporting(gone, said.append):
        warnings.warn(f"Error writing persistent compilation cache entry for 'jit_step': FileNotFoundError: "
                      f"[Errno 2] No such file or directory: '{gone}/jit_step-aaa-cache'")
    assert len(said) == 1 and "was removed while this run worked" in said[0] and "Free space" not in said[0], said
