"""`bench --sweep N`: the sweep row times the convolutions and --remat the rows beside it time, and says which."""

import functools
import types

from jaxart import bench_machine, bench_setup, bench_suite, bench_sweep, objective, sweep
from jaxart.weights.random_init import random_weights

from conftest import TINY


def test_the_sweep_row_times_the_conv_and_remat_asked_for_and_names_them(monkeypatch):
    """`bench --conv direct --remat --sweep 2` timed the sweep with the default convolutions (Winograd from 64 px on
    a CPU) and without remat, while the timing and memory rows beside it took both, and its line named neither."""
    monkeypatch.setattr(bench_setup, "random_weights", functools.partial(random_weights, widths=TINY))
    monkeypatch.setattr(bench_machine, "matmul_peak", lambda dtype: 100.0)  # a 2048x2048 matmul timed: not asked here
    timed = []  # (conv, remat) of every program the sweep row times: the batched step and each one-by-one loss

    def batched_step(opt, config, *a, **k):
        timed.append((config.conv, config.remat))
        return sweep.make_batched_step(opt, config, *a, **k)

    def loss_function(w, targets, config, *a, **k):
        timed.append((config.conv, config.remat))
        return objective.loss_function(w, targets, config, *a, **k)

    monkeypatch.setattr(bench_sweep, "sweep", types.SimpleNamespace(grid=sweep.grid, make_batched_step=batched_step))
    monkeypatch.setattr(bench_sweep, "objective", types.SimpleNamespace(LossWeights=objective.LossWeights,
                                                                        loss_function=loss_function))
    lines = []
    result = bench_suite.run([16], repeats=1, convs=("direct", "winograd"), remat=True, sweep=2, echo=lines.append)
    assert timed and set(timed) == {("direct", True)}
    assert (result["sweep"][0]["conv"], result["sweep"][0]["remat"]) == ("direct", True)
    assert any(line.lstrip().startswith("16 px remat direct  sweep of 2: batched") for line in lines), lines
