"""A second run with the same settings loads every program the first one compiled. Under the compile
cache's old 0.5 s threshold, 17 of a 256 px run's 20 programs (the margin's padding, the photo's
features, the optimizer's starting state, ...) were compiled again by every run: 0.28 s of CPU per
warm run on 2 cores (BENCHMARKS.md, "A run outside its steps")."""

import logging

import jax
import numpy as np
from PIL import Image

from conftest import run_main, stylize_argv, write_tiny_job


def _lookups(fn) -> tuple[object, int, list[str]]:
    """`fn()`, how many programs it looked up in the persistent compile cache, and the names of those
    the cache did not have (compiled)."""
    counts, missed = {"requests": 0, "hits": 0}, []

    def count(event, **kwargs):
        if event == "/jax/compilation_cache/compile_requests_use_cache":
            counts["requests"] += 1
        elif event == "/jax/compilation_cache/cache_hits":
            counts["hits"] += 1

    class Misses(logging.Handler):
        def emit(self, record):
            if (text := record.getMessage()).startswith("PERSISTENT COMPILATION CACHE MISS for "):
                missed.append(text.split("'")[1])

    handler, log = Misses(level=logging.DEBUG), logging.getLogger("jax._src.compiler")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    jax.monitoring.register_event_listener(count)
    try:
        out = fn()
    finally:
        jax.monitoring.unregister_event_listener(count)
        log.setLevel(level)
        log.removeHandler(handler)
    assert len(missed) == counts["requests"] - counts["hits"], (counts, missed)  # the log still says it
    return out, counts["requests"], missed


def test_a_second_run_compiles_nothing_the_first_did_not_keep(tmp_path, monkeypatch, capsys):
    files = write_tiny_job(tmp_path)
    monkeypatch.delenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", raising=False)  # jaxart's own threshold
    monkeypatch.setenv("JAXART_CACHE_DIR", str(tmp_path / "xla"))
    jax.clear_caches()  # what other tests compiled in this process would not reach the cache
    code, _, err = run_main(stylize_argv(files, tmp_path / "first.png"), monkeypatch, capsys)
    assert code == 0, err
    jax.clear_caches()  # as a new process: every program is compiled or loaded again
    (code, _, err), looked_up, missed = _lookups(lambda: run_main(stylize_argv(files, tmp_path / "second.png"),
                                                                  monkeypatch, capsys))
    assert code == 0, err
    assert looked_up >= 3 and missed == [], f"compiled again: {missed}"  # the step, targets, final loss at least
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "second.png")),
                                  np.asarray(Image.open(tmp_path / "first.png")))

