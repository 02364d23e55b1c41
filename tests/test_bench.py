"""The benchmark's PyTorch baseline computes jaxart's loss, and `bench` reports its ratios."""

import json
import os
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

import cli
import jaxart
from conftest import TINY
from jaxart import bench, bench_machine, bench_memory, bench_quality, bench_steppers, bench_torch, objective
from jaxart.config import StyleConfig
from jaxart.errors import InputError
from jaxart.targets import make_targets

needs_torch = pytest.mark.skipif(not bench_torch.available(), reason="the PyTorch baseline needs torch")


@needs_torch
def test_torch_loss_and_gradient_equal_jaxart(tiny_weights, rng):
    pooling = "avg" if tiny_weights.arch == "vgg16" else "max"
    # Two styles blended 1:3 and a non-square image: every part of the loss has to match.
    content, x = rng.random((32, 24, 3), dtype=np.float32), rng.random((32, 24, 3), dtype=np.float32)
    styles = [rng.random((24, 32, 3), dtype=np.float32), rng.random((32, 24, 3), dtype=np.float32)]
    config = StyleConfig(size=32, pooling=pooling, style_blend=(1.0, 3.0), style_layer_weights=(1, 2, 3, 4, 5))
    targets = make_targets(tiny_weights, content, styles, config)
    fun = objective.loss_function(tiny_weights, targets, config, objective.LossWeights.of(config))
    (value, terms), grad = jax.jit(jax.value_and_grad(fun, has_aux=True))(jnp.asarray(x))
    model = bench_torch.TorchStyle(tiny_weights, content, styles, config)
    torch_value, torch_grad = model.loss_and_grad(x)
    assert torch_value == pytest.approx(float(value), rel=1e-5)
    np.testing.assert_allclose(torch_grad, np.asarray(grad), rtol=1e-3, atol=1e-5 * np.abs(torch_grad).max())
    torch_terms = model.loss(model.image(x))[1]
    for k in ("content", "style", "tv"):
        assert float(torch_terms[k]) == pytest.approx(float(terms[k]), rel=1e-5), k


@needs_torch
def test_torch_loss_equals_jaxart_against_a_painting_with_no_style_energy(rng):
    """A black painting under zero-mean preprocessing has all-zero Grams: jaxart leaves that style error undivided,
    where the baseline's `energy + 1e-12` made its style term 10^12 times jaxart's."""
    weights = jaxart.random_weights(jax.random.PRNGKey(0), "vgg16", jaxart.Preprocess("torch", (0, 0, 0), (1, 1, 1)),
                                    widths=TINY)
    content, black = rng.random((32, 24, 3), dtype=np.float32), np.zeros((32, 24, 3), np.float32)
    config = StyleConfig(size=32, conv="direct")
    fun = objective.loss_function(weights, make_targets(weights, content, [black], config), config,
                                  objective.LossWeights.of(config))
    value, terms = jax.jit(fun)(jnp.asarray(content))
    model = bench_torch.TorchStyle(weights, content, [black], config)
    torch_value, torch_terms = model.loss(model.image(content))
    assert float(terms["style"]) > 0
    assert float(torch_terms["style"]) == pytest.approx(float(terms["style"]), rel=1e-5)
    assert float(torch_value) == pytest.approx(float(value), rel=1e-5)


@needs_torch
def test_torch_lbfgs_lowers_the_loss_and_keeps_pixels_in_range(tiny_vgg16, rng):
    content, style = rng.random((24, 24, 3), dtype=np.float32), rng.random((24, 24, 3), dtype=np.float32)
    step, value, image = bench_torch.TorchStyle(tiny_vgg16, content, [style], StyleConfig(size=24)).lbfgs(content)
    values = []
    for _ in range(5):
        step()
        values.append(value())
    assert all(b < a for a, b in zip(values, values[1:])) and values[-1] < 0.9 * values[0]
    assert 0.0 <= image().min() and image().max() <= 1.0


@needs_torch
def test_time_to_quality_rows_reach_the_single_scale_loss(tiny_vgg16, rng):
    content, style = rng.random((32, 32, 3), dtype=np.float32), rng.random((32, 32, 3), dtype=np.float32)
    q = bench_quality.time_to_quality(32, 4, weights=tiny_vgg16, content=content, style=style,
                                      coarse_steps=2, baseline="torch", limit=1.5)
    assert q["single"]["steps"] <= 4 and q["single"]["final_loss"] == pytest.approx(q["target"])
    for name in ("coarse_to_fine", "torch"):  # each reached the target or ran out of its 6 steps
        r = q[name]
        assert (r["steps"] is not None and r["steps"] <= 6 and r["final_loss"] <= q["target"]) or r["seconds"] is None, name
    assert q["coarse_to_fine"]["coarse_size"] == 16
    for name in ("single", "coarse_to_fine"):  # the pictures each run ended with, full size
        picture = q["images"][name]
        assert picture.shape == content.shape and 0.0 <= picture.min() and picture.max() <= 1.0
    assert "time to quality at 32 px" in bench_quality.format_quality(q)


def test_a_missing_torch_is_told_the_same_way_by_bench_and_the_baseline(monkeypatch):
    from jaxart import bench_checks

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` fails
    with pytest.raises(ValueError) as baseline:
        bench_torch.TorchStyle({}, None, [], StyleConfig(size=24))
    with pytest.raises(InputError) as check:
        bench_checks.check([32], baseline="torch")
    assert str(baseline.value) == str(check.value), (baseline.value, check.value)
    assert "pip install torch==2.13.0 (on a machine without a GPU, add --index-url https://download.pytorch.org/" \
        "whl/cpu" in str(check.value), check.value


def test_time_to_quality_counts_one_step_in_words():
    # "after 1 steps at 16 px" read as a glitch, as stylize's "1 steps" did
    run = {"seconds": 0.5, "steps": 1, "final_loss": 0.25}
    row = {"size": 32, "target": 0.5, "evals": 1, "single": run,
           "coarse_to_fine": {**run, "coarse_steps": 1, "coarse_size": 16}}
    text = bench_quality.format_quality(row)
    assert "(= 1 single-scale step)" in text and "0.5 s in 1 full-size step after 1 step at 16 px" in text, text
    assert "1 steps" not in text and "1 full-size steps" not in text, text


@pytest.mark.parametrize("evals, limit", [(1, 0.5), (2, 1e308), (0, 3.0)])
def test_time_to_quality_refuses_step_counts_that_record_no_loss(evals, limit, tiny_vgg16, rng):
    # limit * evals full-size steps: 0 left the runs without a loss to report (an IndexError
    # after every other row), and inf could not become a step count.
    picture = rng.random((16, 16, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="time to quality needs evals >= 1 and a finite limit [*] evals >= 1"):
        bench_quality.time_to_quality(16, evals, weights=tiny_vgg16, content=picture, style=picture, limit=limit)


@pytest.mark.slow
@needs_torch
def test_bench_cli_reports_torch_ratios_and_time_to_quality(tmp_path):
    # Real VGG19 widths (random weights) at 16-32 px, the whole command: ~100 s of compiling.
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(cli.app, [
        "bench", "--sizes", "16", "--repeats", "2", "--baseline", "torch", "--quality-evals", "3",
        "--quality-size", "32", "--coarse-steps", "2", "--quality-limit", "1", "--quality-images",
        str(tmp_path / "q"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    row = report["results"][0]
    for key in ("ratio_eval_median", "ratio_eval_min", "ratio_step_median", "torch_eval_s"):
        assert np.isfinite(row[key]) and row[key] > 0, key
    assert row["ratio_eval_min"] <= row["ratio_eval_median"]
    assert row["faults_eval"] >= 0 and row["torch_faults_eval"] >= 0
    assert row["gradient"] in ("float32", "bfloat16") and set(report["matmul_peak_gflops"]) == {"float32", "bfloat16"}
    q = report["quality"]
    assert q["single"]["steps"] <= 3 and q["single"]["final_loss"] == pytest.approx(q["target"])
    for name in ("coarse_to_fine", "torch"):  # each either reached the target or ran to its limit
        r = q[name]
        assert (r["seconds"] is not None and r["final_loss"] <= q["target"]) or r["steps"] is None, name
        assert r["steps"] is None or r["steps"] <= 3, name  # --quality-limit 1: at most 3 full-size steps
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["coarse_to_fine.png", "single.png"]
    assert "jaxart/torch" in result.output and "time to quality" in result.output


def test_machine_records_the_malloc_settings_a_timing_depends_on(monkeypatch):
    # glibc's malloc settings moved PyTorch's evaluation time by ~20% (BENCHMARKS.md, Issue 5,
    # "Third pass: the allocator"), so a benchmark report must say which were in force.
    for key in [k for k in os.environ if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"]:
        monkeypatch.delenv(key)
    assert bench_machine.machine()["malloc"] == "default"
    monkeypatch.setenv("MALLOC_ARENA_MAX", "1")
    assert bench_machine.machine()["malloc"] == {"MALLOC_ARENA_MAX": "1"}


def test_device_memory_is_read_on_accelerators_and_absent_on_cpu():
    # The issue asks for device memory on GPU: its peak, from the device's own statistics.
    class Gpu:
        def memory_stats(self):
            return {"bytes_in_use": 1 << 20, "peak_bytes_in_use": 3 << 29}

    assert bench_memory.device_peak_mb(Gpu()) == 1536
    assert bench_memory.device_peak_mb(jax.devices("cpu")[0]) is None  # CPU: peak RSS instead
    row = {"size": 512, "eval_s": 0.01, "gflops": 1.0, "gflop": 0.0, "compile_s": 1.0, "process_peak_rss_mb": 900.0,
           "device_peak_mb": 1536.0}
    assert "device peak 1536 MiB" in bench.format_row(row)


def test_the_optimizers_own_work_is_timed_without_consuming_the_state_it_starts_from(rng):
    # `bench` reports the optimizer's share of a step from a real L-BFGS state; timing it must
    # not donate (delete) the caller's carry, and each call starts from the same state.
    from jaxart import optimize

    fun = jax.tree_util.Partial(lambda x: (jnp.sum(jnp.cos(3 * x) * x), {}))
    opt = optimize.make_optimizer("lbfgs")
    carry = optimize.init_carry(fun, opt, jnp.asarray(rng.random((8, 8, 3)), jnp.float32))
    carry = jax.jit(optimize.make_step(opt))(carry, fun)
    before = [np.array(a) for a in jax.tree.leaves(carry)]
    timer = bench_steppers.optimizer_only(fun, carry, jax.value_and_grad(fun, has_aux=True)(carry.params))
    seconds = [timer() for _ in range(3)]
    assert all(isinstance(s, float) and 0 < s < 5 for s in seconds)
    for a, b in zip(jax.tree.leaves(carry), before):
        np.testing.assert_array_equal(a, b)
    row = {"size": 512, "eval_s": 1.6, "gflops": 240.0, "gflop": 392.0, "compile_s": 5.0, "process_peak_rss_mb": 1600.0,
           "step_s_python": 1.65, "overhead_python": 0.03, "optimizer_s": 0.03, "overhead_optimizer": 0.018}
    assert "step[python] 1.650 s (+3.0%) optimizer 30 ms (1.8%)" in bench.format_row(row)
    # "auto" names the precision it chose for the gradient on this machine (convs.bfloat16_pays).
    assert "512 px auto (bfloat16 gradient)  eval" in bench.format_row({**row, "conv": "auto", "gradient": "bfloat16"})



def test_the_machine_line_is_readable_and_the_json_names_versions_and_timing_settings(monkeypatch, capsys, tmp_path):
    # The first line was a raw dict; and XLA_FLAGS or a thread count change timings, so a report must say them.
    from conftest import run_main

    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(bench_machine, "matmul_peak", lambda **_: 100.0)
    row = {"size": 16, "eval_s": 0.01, "gflops": 1.0, "gflop": 0.01, "compile_s": 1.0, "process_peak_rss_mb": 900.0}
    monkeypatch.setattr(bench, "measure", lambda size, **_: row)
    out = tmp_path / "b.json"
    code, printed, err = run_main(["bench", "--sizes", "16", "--json", str(out)], monkeypatch, capsys)
    assert code == 0, err
    m = json.loads(out.read_text())["machine"]
    assert m["jax"] == jax.__version__ and m["jaxlib"] == jax.lib.__version__
    assert m["environment"]["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=false"
    assert m["environment"]["OMP_NUM_THREADS"] == "1" and "JAXART_WEIGHTS_DIR" not in m["environment"]
    first = printed.splitlines()[0]
    assert first.startswith(f"{m['backend']} ({m['devices'][0]}") and "{" not in first, first
    assert f"jaxlib {m['jaxlib']}" in first and "XLA_FLAGS=--xla_cpu_multi_thread_eigen=false" in first, first
    assert first.endswith("matmul peak 100 GFLOP/s (float32), 100 (bfloat16)"), first
