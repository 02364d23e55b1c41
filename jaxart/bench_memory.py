"""Benchmarks: the peak memory of one evaluation, in a fresh process (host RSS, and device
memory on an accelerator). `jaxart bench --memory` prints these rows."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import threading
import time

import jax

from jaxart.config import StyleConfig
from jaxart.errors import JaxartError


def device_peak_mb(device=None) -> float | None:
    """The accelerator's peak memory in use so far in this process, in MiB (None on CPU, whose
    devices keep no memory statistics: there the figure is the process's peak RSS)."""
    stats = (device or jax.devices()[0]).memory_stats() or {}
    peak = stats.get("peak_bytes_in_use")
    return None if peak is None else peak / 2**20


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_growth(fn, interval: float = 0.001) -> int:
    """Bytes by which resident memory peaks above its level before `fn()` runs (sampled)."""
    before, peak, done = _rss_now(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_now())
            time.sleep(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        fn()
    finally:
        done.set()
        thread.join()
    return max(peak[0], _rss_now()) - before


def memory_row(size: int, framework: str = "jax", remat: bool = False, conv: str = "auto") -> dict:
    """Peak memory of one loss+gradient evaluation, measured in a fresh process.

    Returns `peak_rss_mb` (sampled), `eval_growth_mb` (how far the first evaluation, after
    compilation, lifts resident memory, sampled) and, for jax, `xla_temp_mb` (XLA's count of the
    program's temporary buffers: jaxart's real figure, as its sampled growth misses buffers the
    process already holds) and `estimate_mb` (`jaxart.footprint.evaluation_bytes`). A fresh
    process, because a process's peak RSS never falls, so two frameworks in one cannot be told apart.
    """
    code = f"from jaxart import bench_memory; bench_memory._memory_child({size}, {framework!r}, {remat}, {conv!r})"
    # On a GPU the parent already holds JAX's preallocated pool (75% of the device): the child
    # allocates on demand instead, which also makes its peak the evaluation's own.
    # A program loaded from JAX's persistent cache would skip compilation's memory: compile afresh.
    env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "JAX_ENABLE_COMPILATION_CACHE": "false"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:  # its last line says why; none if the system killed it (out of memory)
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise JaxartError(f"the {framework} memory measurement at {size} px failed in its own process ({why}); "
                          "run bench without --memory, or at a smaller size")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _memory_child(size: int, framework: str, remat: bool, conv: str = "auto") -> None:
    from jaxart import footprint
    from jaxart.bench_setup import PAPER, compile_gradient, inputs, setup

    if framework == "torch":
        from jaxart.bench_torch import TorchStyle

        w, content, style = inputs(size)
        evaluate = TorchStyle(w, content, [style], StyleConfig(size=size)).evaluator(content)
        row = {}
    else:
        fun, x, _ = setup(size, config=PAPER.replace(remat=remat, conv=conv))
        compiled = compile_gradient(fun, x)
        evaluate = lambda: jax.block_until_ready(compiled(fun, x))
        row = {"estimate_mb": footprint.evaluation_bytes(size, size, remat=remat, conv=conv) / 2**20,
               "xla_temp_mb": compiled.memory_analysis().temp_size_in_bytes / 2**20}
    # The first evaluation: later ones reuse memory the process already holds, so their
    # growth reads near zero (BENCHMARKS.md), while the peak they need is the same.
    _release_free_memory()
    before = _rss_now()  # not ru_maxrss: a process started by another inherits its peak
    growth = peak_growth(evaluate)
    row |= {"framework": framework, "size": size, "remat": remat,
            "eval_growth_mb": growth / 2**20, "peak_rss_mb": (before + growth) / 2**20}
    if framework == "jax" and (device_mb := device_peak_mb()) is not None:
        row["device_peak_mb"] = device_mb
    print(json.dumps(row))


def _release_free_memory() -> None:
    """Hand memory that malloc holds but nobody uses back to the system, so that an evaluation
    reusing it shows as growth (glibc only; elsewhere nothing)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def format_memory(row: dict) -> str:
    estimate = (f"; XLA temporaries {row['xla_temp_mb']:.0f} MiB (estimate {row['estimate_mb']:.0f} MiB)"
                if "estimate_mb" in row else "")
    remat = " remat" if row.get("remat") else ""
    device = f", device peak {row['device_peak_mb']:.0f} MiB" if "device_peak_mb" in row else ""
    return (f"{row['size']:>5} px{remat}  {row['framework']}: one evaluation +{row['eval_growth_mb']:.0f} MiB"
            f"{estimate}{device}, process peak RSS {row['peak_rss_mb']:.0f} MiB")
