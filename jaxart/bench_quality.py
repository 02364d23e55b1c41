"""Time to quality: wall time until the total loss reaches what N single-scale L-BFGS steps reach.

The target is the lowest loss that `evals` single-scale jaxart L-BFGS steps reach at the full
size (each step is one loss+gradient evaluation: unit step, no line search). A step's loss is the
one it evaluated, before its update, so the target is the lowest of the iterates after 0 to
`evals` - 1 updates; every run's `steps` counts the same way (PyTorch's closure too). Then, on the same
weights, images and loss, we time how long a coarse-to-fine run (`jaxart.scales`: half size
first, upsampled) and PyTorch's `torch.optim.LBFGS` take to reach that loss at the full size.
Compilation is reported apart from the wall times, which exclude it.
"""

from __future__ import annotations

import math
import time

import jax
import jax.numpy as jnp
import numpy as np

from jaxart import objective, optimize
from jaxart.bench_setup import PAPER
from jaxart.config import StyleConfig
from jaxart.targets import make_targets
from jaxart.vgg import Weights


def quality_inputs(size: int, model: str = "random", content: str | None = None, style: str | None = None):
    """`(weights, content, style)`: random VGG19 or a registered weight set, and the two images
    ((H, W, 3) in [0, 1], long side `size`) read from files or, without one, random pixels."""
    from jaxart import bench_setup, load_weights
    from jaxart.image import load_image

    w, *noise = bench_setup.inputs(size)
    if model != "random":
        w = load_weights(model)
    pictures = [noise[i] if p is None else np.asarray(load_image(p, size), np.float32)
                for i, p in enumerate((content, style))]
    return w, *pictures


def _loss(weights: Weights, content, style, config: StyleConfig):
    targets = jax.jit(make_targets, static_argnums=3)(weights, content, [style], config)
    return objective.loss_function(weights, targets, config, objective.LossWeights.of(config))


def lbfgs_trace(fun, x0, steps: int, target: float = -np.inf) -> dict:
    """Run up to `steps` L-BFGS steps from `x0`, stopping once the loss is <= `target`.

    Returns a dict: `seconds` (wall time after each step, compilation excluded), `values` (the
    loss each step evaluated), `compile_s`, and `image` (the last iterate, (H, W, 3) in [0, 1]).
    """
    opt = optimize.make_optimizer("lbfgs")
    step = jax.jit(optimize.make_step(opt, lambda y: jnp.clip(y, 0.0, 1.0)), donate_argnums=0,
                   compiler_options=optimize.compiler_options())
    carry = optimize.init_carry(fun, opt, x0)
    t = time.perf_counter()
    step = step.lower(carry, fun).compile()
    compile_s = time.perf_counter() - t
    seconds, values, start = [], [], time.perf_counter()
    for _ in range(steps):
        carry = step(carry, fun)
        values.append(float(carry.value))  # waits for the step
        seconds.append(time.perf_counter() - start)
        if values[-1] <= target or not bool(carry.ok):
            break
    return {"seconds": seconds, "values": values, "compile_s": compile_s, "image": carry.params}


def _reached(trace: dict, target: float) -> dict:
    """Seconds and steps until the loss was first <= target (None if never)."""
    hit = next((i for i, v in enumerate(trace["values"]) if v <= target), None)
    return {"seconds": None if hit is None else trace["seconds"][hit], "steps": None if hit is None else hit + 1,
            "final_loss": trace["values"][-1]}


def time_to_quality(size: int, evals: int, *, weights: Weights, content: np.ndarray, style: np.ndarray,
                    coarse_steps: int | None = None, baseline: str | None = None, limit: float = 3.0) -> dict:
    """Wall time to reach the loss of `evals` single-scale L-BFGS steps at `size`.

    Args:
      size: the full (square-ish) size; `content` and `style` are (H, W, 3) in [0, 1] at it.
      evals: the single-scale step count that sets the target loss (the issue's figure is 500).
      weights: the VGG weights for every run.
      coarse_steps: steps at half size before the full-size run (default `evals // 2`);
        0 leaves the coarse-to-fine row out.
      baseline: "torch" to time `torch.optim.LBFGS` to the same loss.
      limit: the other runs stop after `limit * evals` full-size steps (at least 1) if they never get there.

    Returns:
      A dict with `target` (the loss), `single` / `coarse_to_fine` / `torch` rows of
      `seconds`, `steps`, `final_loss`, and `compile_s` for the jaxart runs, and `images`: the
      jaxart runs' last images ((H, W, 3) arrays in [0, 1]) by row name.
    """
    if not (evals >= 1 and 1 <= limit * evals < math.inf):  # every run records a loss; a step count is finite
        raise ValueError(f"time to quality needs evals >= 1 and a finite limit * evals >= 1, got {evals} and {limit}")
    config = PAPER.replace(size=size)
    fun = _loss(weights, content, style, config)
    single = lbfgs_trace(fun, jnp.asarray(content), evals)
    target = min(single["values"])
    out = {"size": size, "evals": evals, "target": target,
           "single": {**_reached(single, target), "compile_s": single["compile_s"]},
           "images": {"single": np.asarray(single["image"])}}
    cap = int(limit * evals)
    coarse_steps = evals // 2 if coarse_steps is None else coarse_steps
    if coarse_steps:
        from jaxart import coarse_to_fine

        halve = lambda a: np.asarray(
            jax.image.resize(a, (max(16, a.shape[0] // 2), max(16, a.shape[1] // 2), 3), "linear"))
        small = [halve(content), halve(style)]
        half = max(small[0].shape[:2])
        coarse = lbfgs_trace(_loss(weights, *small, config.replace(size=half)), jnp.asarray(small[0]), coarse_steps)
        fine = lbfgs_trace(fun, coarse_to_fine.upsample(coarse["image"], content.shape), cap, target)
        row = _reached(fine, target)
        if row["seconds"] is not None:
            row["seconds"] += coarse["seconds"][-1]
        out["coarse_to_fine"] = {**row, "coarse_steps": coarse_steps, "coarse_size": half,
                                 "compile_s": coarse["compile_s"] + fine["compile_s"]}
        out["images"]["coarse_to_fine"] = np.asarray(fine["image"])
    if baseline == "torch":
        from jaxart.bench_torch import TorchStyle

        step, value, _ = TorchStyle(weights, content, [style], config).lbfgs(content)
        seconds, values, start = [], [], time.perf_counter()
        while len(values) < cap and (not values or values[-1] > target):
            step()
            values.append(value())
            seconds.append(time.perf_counter() - start)
        out["torch"] = _reached({"seconds": seconds, "values": values}, target)
    return out


def format_quality(row: dict) -> str:
    n = row["evals"]
    lines = [f"time to quality at {row['size']} px: loss {row['target']:.4g} (= {n} single-scale step{'s' * (n != 1)})"]
    for name in ("single", "coarse_to_fine", "torch"):
        if name in row:
            r = row[name]
            n, c = r["steps"], r.get("coarse_steps")
            got = ("never reached" if r["seconds"] is None
                   else f"{r['seconds']:.1f} s in {n} full-size step{'s' * (n != 1)}")
            extra = f" after {c} step{'s' * (c != 1)} at {r['coarse_size']} px" if c is not None else ""
            lines.append(f"  {name:<15} {got}{extra} (final loss {r['final_loss']:.4g})")
    return "\n".join(lines)
