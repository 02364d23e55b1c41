"""Every step of a sweep or a run is dispatched to the program its first step compiled: the carry comes back
placed as it went in, so the next step finds one entry of its jit cache (none is traced or looked up again),
on one device and two, at every scale of coarse to fine; a run's step or chunk too, whatever its reports."""

import json
import os
import subprocess
import sys

import jax
import numpy as np
import pytest

import jaxart
from jaxart import batched, optimize, scales, sweep

from conftest import ROOT
from test_sweep import CONFIG, GRID, _inputs

__all__ = ["step_entries"]  # what TWO_DEVICES's subprocess imports from here

COARSE_TO_FINE = CONFIG.replace(size=20, scales=(16, 20), scale_steps=(2, 2))


def _recorded(module, name: str, made: list):
    """Swap `module.name`, a constructor of jitted functions, for one that also lists what it makes; the undo."""
    make = getattr(module, name)
    setattr(module, name, lambda *a, **k: made.append(make(*a, **k)) or made[-1])
    return lambda: setattr(module, name, make)


def step_entries(weights, config=CONFIG) -> tuple[list[int], list[int]]:
    """A sweep's jit cache entries of each scale's step, and after every step how many placements its carry's
    leaves had (1: all as `init` placed them)."""
    made, placements = [], []
    jax.clear_caches()  # the step is memoized: other tests' sweeps of other shapes left their entries in it
    undo = _recorded(batched, "make_batched_step", made)
    try:
        sweep.sweep(*_inputs(), weights, config, GRID[:3],
                    callback=lambda i, carry: placements.append(len({a.sharding for a in jax.tree.leaves(carry)})))
    finally:
        undo()
    return [step._cache_size() for step in made], placements


@pytest.mark.parametrize("config", [CONFIG, COARSE_TO_FINE], ids=["one-size", "coarse-to-fine"])
def test_a_sweeps_later_steps_reuse_its_first_steps_program(config, tiny_vgg16):
    """On one device the step gave the loss, step counts and L-BFGS history back replicated where `init`
    had placed them by the batch: a second cache entry for the second step (a third at a second scale)."""
    entries, placements = step_entries(tiny_vgg16, config)
    assert entries == [1] * len(scales.schedule(config)) and placements == [1] * config.steps


TWO_DEVICES = """
import json, jax, jaxart
from test_sweep_compiles import COARSE_TO_FINE, step_entries
w = jaxart.random_weights(jax.random.PRNGKey(1), "vgg16", widths=(4, 8, 8, 8, 8))
print(json.dumps([jax.local_device_count(), *step_entries(w, COARSE_TO_FINE)]))
"""


def test_a_sweep_split_over_two_devices_reuses_its_first_steps_program_too():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    proc = subprocess.run([sys.executable, "-c", TWO_DEVICES], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == [2, [1, 1], [1] * COARSE_TO_FINE.steps]


@pytest.mark.parametrize("loop, name", [("python", "jit_step"), ("scan", "make_chunk")])
def test_a_runs_step_is_dispatched_from_one_entry_whatever_its_reports(loop, name, tiny_vgg16):
    """A run reports (the CLI's --save-every, a checkpoint, the progress bar) between steps or chunks, and
    the last chunk is short: none of it may make its step another program. It held before sweeps' fix."""
    content, style = _inputs()
    config = COARSE_TO_FINE.replace(loop=loop, chunk=3, scale_steps=(4, 7), steps=11)
    made, steps = [], []
    jax.clear_caches()  # as in step_entries
    undo = _recorded(optimize, name, made)
    try:
        out = jaxart.run(content, [style], weights=tiny_vgg16, config=config, every=2,
                         callback=lambda p: steps.append(p.step))
    finally:
        undo()
    assert out.steps == 11 and len(steps) >= 5 and np.isfinite(out.terms["total"])
    # Both scales' steps are one jitted function (equal settings, memoized), with one entry for each one's shapes.
    assert len(set(made)) == 1 and made[0]._cache_size() == 2
