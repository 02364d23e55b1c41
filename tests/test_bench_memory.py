"""`bench --memory`'s rows: PyTorch's process holds PyTorch alone, and each row tells its evaluation's peak from
the process's."""

import pytest

from jaxart import bench_memory, bench_torch

needs_torch = pytest.mark.skipif(not bench_torch.available(), reason="the PyTorch baseline needs torch")


@needs_torch
def test_torch_memory_is_measured_in_a_process_without_jax(tmp_path, monkeypatch):
    """Its process imported jaxart, so JAX's runtime and weights (~300 MiB at 64-128 px) counted as PyTorch's:
    655 against 357 MiB for the same model in PyTorch alone at 64 px. A `jax` that cannot be imported shows it."""
    (tmp_path / "jax").mkdir()
    (tmp_path / "jax" / "__init__.py").write_text("raise ImportError('JAX imported in PyTorch memory process')\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    row = bench_memory.memory_row(16, "torch")
    assert row["framework"] == "torch" and row["size"] == 16
    assert 0 < row["eval_growth_mb"] < row["peak_rss_mb"] <= row["process_peak_rss_mb"]
    line = bench_memory.format_memory(row)
    assert f"resident at its peak {row['peak_rss_mb']:.0f} MiB" in line
    assert f"process peak {row['process_peak_rss_mb']:.0f} MiB, its setup included" in line


def test_a_jax_row_prints_the_process_peak_apart_from_the_evaluations():
    """The evaluation's peak (after compiling, malloc trimmed) was printed as the "process peak RSS": 433 MiB for a
    64 px process that peaked at 687 MiB while compiling."""
    row = {"framework": "jax", "size": 64, "remat": False, "eval_growth_mb": 29.0, "peak_rss_mb": 433.0,
           "process_peak_rss_mb": 687.0, "xla_temp_mb": 15.0, "estimate_mb": 17.0}
    line = bench_memory.format_memory(row)
    assert "resident at its peak 433 MiB (process peak 687 MiB, its setup and compiling included)" in line
    assert "process peak RSS 433" not in line


def test_bench_makes_its_targets_as_a_run_does():
    """bench's setup made both images' targets in one program at the loss's convolutions (Winograd), which held
    1211 MiB at once at 512 px: `bench --memory`'s jax process peak (1169-1228 MiB) was that program's, above the
    loss+gradient's compile and first evaluation (906 MiB), where `jaxart stylize` makes them one image per
    program with XLA's convolutions (`targets.compute_targets`)."""
    import jax
    import numpy as np

    from jaxart import bench_setup, targets

    config = bench_setup.PAPER.replace(conv="winograd", size=48)
    fun, _, _ = bench_setup.setup(48, config=config)
    w, content, style = bench_setup.inputs(48)
    run = targets.compute_targets(w, content, [style], config)
    got = fun.args[1]  # the Partial's arrays: weights, targets, loss weights
    assert jax.tree.structure(got) == jax.tree.structure(run)
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(run), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("arch", ["vgg16", "vgg19"])
def test_torch_baseline_orders_the_layers_as_jaxart_does(arch):
    """bench_torch no longer imports jaxart (its memory process holds PyTorch alone), so it orders VGG's layers from
    the parameter keys itself: in any key order, the same forward order as `jaxart.vgg.layer_names`, or PyTorch's
    loss would be another network's."""
    from jaxart.vgg import conv_names, layer_names

    keys = conv_names(arch)
    for params in (dict.fromkeys(keys), dict.fromkeys(reversed(keys)), dict.fromkeys(sorted(keys))):
        assert bench_torch._layer_order(params) == layer_names(arch)


@pytest.mark.parametrize("framework", ["jax", "torch"])
def test_a_memory_row_names_the_convolutions_it_measured(framework, monkeypatch):
    """Timing rows (table and JSON) said which --conv they timed; memory rows did not, so `--conv winograd,direct
    --memory` left the reader to guess whose peak it was. PyTorch's row has no such choice."""
    import json
    import subprocess

    measured = {"framework": framework, "size": 16, "remat": False, "eval_growth_mb": 3.0, "peak_rss_mb": 300.0}
    child = subprocess.CompletedProcess([], 0, stdout=json.dumps(measured) + "\n", stderr="")
    monkeypatch.setattr(bench_memory.subprocess, "run", lambda *a, **k: child)
    monkeypatch.setattr(bench_memory, "_torch_inputs", lambda size, folder: "inputs.npz")
    row = bench_memory.memory_row(16, framework, conv="winograd")
    line = bench_memory.format_memory(row)
    if framework == "jax":
        assert row["conv"] == "winograd" and line.startswith("   16 px winograd  jax: "), line
    else:
        assert "conv" not in row and line.startswith("   16 px  torch: "), line
