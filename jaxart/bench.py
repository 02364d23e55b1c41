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
    return statistics.median(_seconds(fn) for _ in range(repeats))


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


LOOPS = ("python", "scan", "zoom")


def measure(size: int, repeats: int = 3, loops: tuple[str, ...] = ("python",)) -> dict:
    """Seconds per loss+gradient, compile time, GFLOP/s, peak RSS and per-step optimizer cost.

    `loops` picks L-BFGS step variants to time: "python" (unit step, Python loop over a jitted
    step: the CPU default), "scan" (the same step inside a jitted lax.scan chunk) and "zoom"
    (optax's zoom line search, Python loop).
    """
    fun, x, config = setup(size)
    vg = jax.jit(lambda f, x: jax.value_and_grad(f, has_aux=True)(x))
    t = time.perf_counter()
    compiled = vg.lower(fun, x).compile()
    compile_s = time.perf_counter() - t
    flops = (compiled.cost_analysis() or {}).get("flops", float("nan"))
    evaluate = lambda: jax.block_until_ready(compiled(fun, x))
    evaluate()
    steppers = {loop: _stepper(fun, x, loop, repeats) for loop in loops}
    # Interleave evaluations and steps: this machine is shared and noisy, so only ratios
    # of timings taken side by side mean anything.
    times: dict[str, list[float]] = {"eval": [], **{loop: [] for loop in steppers}}
    for _ in range(repeats):
        times["eval"].append(_seconds(evaluate))
        for loop, stepper in steppers.items():
            times[loop].append(_seconds(stepper) / (repeats if loop == "scan" else 1))
    eval_s = statistics.median(times["eval"])
    row = {"size": size, "compile_s": compile_s, "eval_s": eval_s, "gflop": flops / 1e9,
           "gflops": flops / 1e9 / eval_s}
    for loop in steppers:
        row[f"step_s_{loop}"] = statistics.median(times[loop])
        row[f"overhead_{loop}"] = row[f"step_s_{loop}"] / eval_s - 1
    row["peak_rss_mb"] = _rss_mb()
    return row


def _seconds(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _stepper(fun, x, loop: str, chunk: int):
    """A compiled, warmed-up zero-argument function running one step (a chunk for "scan")."""
    opt = optimize.make_optimizer("lbfgs", linesearch="zoom" if loop == "zoom" else "none")
    step = optimize.make_step(opt, lambda y: jnp.clip(y, 0, 1))
    state = {"carry": optimize.init_carry(fun, opt, x)}
    if loop == "scan":
        run = optimize.make_chunk(step, chunk)
        call = lambda c: run(c, jnp.int32(chunk), fun)
    else:
        jstep = jax.jit(step, donate_argnums=0)
        call = lambda c: jstep(c, fun)

    def one():
        state["carry"] = jax.block_until_ready(call(state["carry"]))

    one(), one()  # compile, and fill L-BFGS's memory
    return one


def format_row(row: dict) -> str:
    loops = " ".join(
        f"step[{k[7:]}] {v:.3f} s ({row['overhead_' + k[7:]]:+.1%})" for k, v in row.items() if k.startswith("step_s_")
    )
    return (f"{row['size']:>5} px  eval {row['eval_s']:.3f} s  {row['gflops']:.0f} GFLOP/s "
            f"({row['gflop']:.0f} GFLOP)  compile {row['compile_s']:.1f} s  peak RSS {row['peak_rss_mb']:.0f} MB  {loops}")
