"""Benchmarks: loss+gradient time, compile time, memory and optimizer overhead (VGG19).

Random weights are used: timing does not depend on the values. Figures belong in
BENCHMARKS.md next to the command that produced them, never in timed unit tests.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxart import optimize, transfer
from jaxart.config import StyleConfig
from jaxart.vgg import random_weights


def machine() -> dict:
    return {"backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()],
            "cpus": os.cpu_count(), "jax": jax.__version__, "python": platform.python_version()}


def matmul_peak(n: int = 2048, repeats: int = 5) -> float:
    """The machine's float32 GFLOP/s on an n x n matmul, timed here."""
    a = jnp.ones((n, n), jnp.float32)
    f = jax.jit(lambda a: a @ a)
    f(a).block_until_ready()
    return 2 * n**3 / _median(lambda: f(a).block_until_ready(), repeats) / 1e9


def _median(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(size: int, arch: str = "vgg19", config: StyleConfig | None = None):
    """A loss function over a size x size image, its starting point, and the config."""
    config = (config or StyleConfig()).replace(size=size)
    w = random_weights(jax.random.PRNGKey(0), arch)
    rng = np.random.default_rng(0)
    content, style = (rng.random((size, size, 3), dtype=np.float32) for _ in range(2))
    targets = jax.jit(transfer.make_targets, static_argnums=3)(w, content, [style], config)
    fun = transfer.loss_function(w, targets, config, transfer.LossWeights.of(config))
    return fun, jnp.asarray(content), config


def measure(size: int, repeats: int = 3, loops: tuple[str, ...] = ("python",)) -> dict:
    """Seconds per loss+gradient, compile time, GFLOP/s, peak RSS and per-step optimizer cost."""
    fun, x, config = setup(size)
    vg = jax.jit(lambda f, x: jax.value_and_grad(f, has_aux=True)(x))
    t = time.perf_counter()
    compiled = vg.lower(fun, x).compile()
    compile_s = time.perf_counter() - t
    flops = (compiled.cost_analysis() or {}).get("flops", float("nan"))
    jax.block_until_ready(compiled(fun, x))
    eval_s = _median(lambda: jax.block_until_ready(compiled(fun, x)), repeats)
    row = {"size": size, "compile_s": compile_s, "eval_s": eval_s, "gflop": flops / 1e9,
           "gflops": flops / 1e9 / eval_s}
    opt = optimize.make_optimizer("lbfgs", linesearch="none")
    for loop in loops:
        row[f"step_s_{loop}"] = _step_time(fun, x, opt, loop, repeats)
        row[f"overhead_{loop}"] = row[f"step_s_{loop}"] / eval_s - 1
    row["peak_rss_mb"] = _rss_mb()
    return row


def _step_time(fun, x, opt, loop: str, repeats: int) -> float:
    step = optimize.make_step(opt, lambda y: jnp.clip(y, 0, 1))
    carry = optimize.init_carry(fun, opt, x)
    if loop == "python":
        jstep = jax.jit(step, donate_argnums=0)
        carry = jax.block_until_ready(jstep(jstep(carry, fun), fun))  # compile, fill L-BFGS memory
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            carry = jax.block_until_ready(jstep(carry, fun))
            times.append(time.perf_counter() - t)
        return statistics.median(times)
    chunk = optimize.make_chunk(step, repeats)
    carry = jax.block_until_ready(chunk(carry, jnp.int32(repeats), fun))
    t = time.perf_counter()
    jax.block_until_ready(chunk(carry, jnp.int32(repeats), fun))
    return (time.perf_counter() - t) / repeats


def format_row(row: dict) -> str:
    loops = " ".join(
        f"step[{k[7:]}] {v:.3f} s ({row['overhead_' + k[7:]]:+.1%})" for k, v in row.items() if k.startswith("step_s_")
    )
    return (f"{row['size']:>5} px  eval {row['eval_s']:.3f} s  {row['gflops']:.0f} GFLOP/s "
            f"({row['gflop']:.0f} GFLOP)  compile {row['compile_s']:.1f} s  peak RSS {row['peak_rss_mb']:.0f} MB  {loops}")
