"""Sweep throughput: N settings as one vmapped step against the same N images one by one.

Both sides run the same L-BFGS step (unit step, no line search, pixels clipped) on the same
random-weight VGG and the same random size x size images, from a Python loop over a jitted
step (the CPU default). Timings alternate between the two sides, so their ratio is measured
side by side on a shared, noisy machine.
"""

from __future__ import annotations

import statistics
import time

import jax
import jax.numpy as jnp

from jaxart import objective, optimize, sweep, transfer
from jaxart.bench_setup import PAPER, inputs
from jaxart.targets import make_targets


def _timed(fn, cpu: list | None = None) -> float:
    t, c = time.perf_counter(), time.process_time()
    jax.block_until_ready(fn())
    if cpu is not None:  # CPU seconds of all threads: what a crowded machine does not inflate
        cpu.append(time.process_time() - c)
    return time.perf_counter() - t


def measure_sweep(size: int, settings: int = 4, steps: int = 3, repeats: int = 3, arch: str = "vgg19",
                  run_steps: int = 200, remat: bool = False, conv: str = "auto") -> dict:
    """Seconds per optimizer step of `settings` images, batched and one by one, and images per minute.

    Args:
      size: image side in pixels.
      settings: the batch: style weights 10^0, 10^1, ..., 10^7, 10^0, ... (the values do not change the timing).
      steps: optimizer steps per timed block; `repeats` blocks of each side, alternating.
      run_steps: the run length behind "images per minute" (the sweep CLI's default, 200).
      remat, conv: as the timing row's (`bench --remat`, the first `--conv`), which both sides run.

    Returns:
      A dict with the median seconds per step of all images together for "batched" and
      "single", their ratio "speedup" (single / batched), images per minute for `run_steps`-step
      runs, CPU seconds (all threads) per step and their ratio "cpu_speedup", compile seconds, each
      repeat's seconds per step behind the medians ("all_batched", "all_single"), and
      the `remat` and `conv` timed.
    """
    config = PAPER.replace(size=size, remat=remat, conv=conv)
    w, content, style = inputs(size, arch)
    targets = jax.jit(make_targets, static_argnums=3)(w, content, [style], config)
    opt = optimize.make_optimizer("lbfgs")
    grid = [s.apply(config) for s in sweep.grid(style_weights=[10.0 ** (i % 8) for i in range(settings)])]
    lws = [objective.LossWeights.of(c) for c in grid]
    x = jnp.asarray(content)

    one_step = jax.jit(optimize.make_step(opt, transfer.clip_pixels), donate_argnums=0,
                       compiler_options=optimize.compiler_options())  # as sweep.make_batched_step
    funs = [objective.loss_function(w, targets, config, lw) for lw in lws]
    singles = [optimize.init_carry(f, opt, x) for f in funs]
    batched_step = sweep.make_batched_step(opt, config)
    lw = jax.tree.map(lambda *a: jnp.stack(a), *lws)
    init = jax.jit(jax.vmap(lambda x, lw: optimize.init_carry(objective.loss_function(w, targets, config, lw), opt, x)))
    state = {"batch": init(jnp.stack([x] * settings), lw), "singles": singles}

    def run_batched(n):
        for _ in range(n):
            state["batch"] = batched_step(state["batch"], lw, w, targets)
        return state["batch"]

    def run_singles(n):
        for i, f in enumerate(funs):  # one image after another, as separate runs would
            for _ in range(n):
                state["singles"][i] = one_step(state["singles"][i], f)
        return state["singles"]

    compile_batched, compile_single = _timed(lambda: run_batched(1)), _timed(lambda: run_singles(1))
    times, cpu = {"batched": [], "single": []}, {"batched": [], "single": []}
    for _ in range(repeats):
        times["batched"].append(_timed(lambda: run_batched(steps), cpu["batched"]) / steps)
        times["single"].append(_timed(lambda: run_singles(steps), cpu["single"]) / steps)
    row = {"size": size, "remat": remat, "conv": conv, "settings": settings, "steps": steps, "repeats": repeats,
           "arch": arch,
           "compile_s_batched": compile_batched, "compile_s_single": compile_single}
    for side, values in times.items():
        row[f"step_s_{side}"] = statistics.median(values)  # all `settings` images advance one step
        row[f"images_per_min_{side}"] = 60.0 * settings / (run_steps * row[f"step_s_{side}"])
        row[f"all_{side}"] = values
        row[f"cpu_s_{side}"] = statistics.median(cpu[side]) / steps
    row["speedup"] = row["step_s_single"] / row["step_s_batched"]
    row["cpu_speedup"] = row["cpu_s_single"] / row["cpu_s_batched"]
    row["run_steps"] = run_steps
    return row


def format_sweep(row: dict) -> str:
    label = (" remat" if row.get("remat") else "") + (f" {row['conv']}" if "conv" in row else "")  # as format_row's
    return (f"{row['size']:>5} px{label}  sweep of {row['settings']}: batched {row['step_s_batched']:.3f} s/step, "
            f"one by one {row['step_s_single']:.3f} s/step -> {row['speedup']:.2f}x (CPU time "
            f"{row['cpu_s_batched']:.2f} vs {row['cpu_s_single']:.2f} s/step -> {row['cpu_speedup']:.2f}x); "
            f"images/min at "
            f"{row['run_steps']} steps: {row['images_per_min_batched']:.2f} vs {row['images_per_min_single']:.2f}")
