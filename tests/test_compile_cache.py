"""Compiled programs kept between CLI runs: loaded again, the same pixels, and never a failed run."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from jaxart import compile_cache

from conftest import ROOT, write_tiny_job


def test_the_folder_is_per_machine_and_follows_the_environment(tmp_path):
    tag = compile_cache.machine_tag()
    assert tag == compile_cache.machine_tag() and "/" not in tag and len(tag) > 12
    assert compile_cache.folder({"JAXART_CACHE_DIR": str(tmp_path)}) == tmp_path / tag
    assert compile_cache.folder({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "jaxart" / "xla" / tag
    assert compile_cache.folder({"HOME": str(tmp_path)}).parent.parent.name == "jaxart"
    for off in ("off", "OFF", "0", ""):
        assert compile_cache.folder({"JAXART_CACHE_DIR": off, "XDG_CACHE_HOME": str(tmp_path)}) is None
    # JAX's own setting is left to JAX, unless jaxart's is given too.
    assert compile_cache.folder({"JAX_COMPILATION_CACHE_DIR": str(tmp_path)}) is None
    assert compile_cache.folder({"JAX_COMPILATION_CACHE_DIR": "x", "JAXART_CACHE_DIR": str(tmp_path)}) == tmp_path / tag


def test_off_writes_nothing_and_leaves_jax_alone(tmp_path):
    import jax

    before = jax.config.jax_compilation_cache_dir
    with compile_cache.use(pytest.fail, {"JAXART_CACHE_DIR": "off", "XDG_CACHE_HOME": str(tmp_path)}) as path:
        assert path is None
    assert jax.config.jax_compilation_cache_dir == before and not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_named_is_one_warning_and_no_cache():
    said = []
    with compile_cache.use(said.append, {"JAXART_CACHE_DIR": "~no-such-user-here/cache"}) as path:
        assert path is None
    assert len(said) == 1 and "~no-such-user-here/cache" in said[0] and "JAXART_CACHE_DIR" in said[0], said


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    d, model = write_tiny_job(tmp_path_factory.mktemp("cache"))
    return d, model


def _stylize(job, out, cache, log_compiles=False):
    d, model = job
    env = {**os.environ, "JAXART_CACHE_DIR": str(cache), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
           "JAX_LOG_COMPILES": "1" if log_compiles else "0"}
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "stylize", str(d / "photo.jpg"), str(d / "paint.png"),
                           "--model", model, "--size", "32", "--steps", "3", "--quiet", "--output", str(out)],
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


def test_a_cache_folder_that_cannot_be_made_is_one_warning_and_the_run_goes_on(job, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _, err = _stylize(job, tmp_path / "a.png", blocker / "cache")
    assert len(err.splitlines()) == 1 and err.startswith("warning: cannot keep compiled programs in "), err
    assert "JAXART_CACHE_DIR" in err
