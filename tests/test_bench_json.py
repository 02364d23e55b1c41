"""`bench --json`: every figure the table prints is in the file with a unit the file's `units` names."""

import functools
import json
import re

import numpy as np

from jaxart import bench, bench_json, bench_quality, bench_setup, bench_sweep
from jaxart.weights.random_init import random_weights

from conftest import TINY


def _explained(key: str, units: dict) -> bool:
    """Whether `units` (bench_json.UNITS, as written) names what `key` counts, by its own rule: a key of it, one
    it ends with ("_s", and "_s_" inside), starts with ("overhead_", "images_per_min" and "_"), or a text names."""
    named = {w.rstrip("*") for text in units.values() for w in re.findall(r"[a-z][a-z0-9_]*\*?", text)}
    return any(key == u or (u.startswith("_") and (key.endswith(u) or f"{u}_" in key))
               or key.startswith(u if u.endswith("_") else f"{u}_") for u in units) \
        or key in named or any(n.endswith("_") and key.startswith(n) for n in named)


def _numbers(row: dict) -> list[str]:
    """The keys of `row` (and of the dicts in it) that hold a number or a list of numbers."""
    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, list) and all(map(number, v))
    return [k for k, v in row.items() if number(v)] + [
        k for v in row.values() if isinstance(v, dict) for k in _numbers(v)]


def test_every_number_of_the_timing_and_sweep_rows_has_its_unit_in_the_json(tmp_path, monkeypatch):
    """The sweep row's `run_steps` was in no entry: "steps" names L-BFGS steps taken, not a run's assumed length."""
    monkeypatch.setattr(bench_setup, "random_weights", functools.partial(random_weights, widths=TINY))  # the keys alone
    rows = {"results": [bench.measure(16, repeats=1, loops=("python",), convs=("direct", "winograd"))],
            "sweep": [bench_sweep.measure_sweep(16, settings=2, steps=1, repeats=1, arch="vgg16")]}
    bench_json.write_json(tmp_path / "b.json", rows)
    written = json.loads((tmp_path / "b.json").read_text())
    keys = [k for row in written["results"] + written["sweep"] for k in _numbers(row)]
    assert {"run_steps", "conv_ratio_winograd", "all_batched", "cpu_speedup", "settings"} <= set(keys)
    assert [k for k in keys if not _explained(k, written["units"])] == []


def test_time_to_quality_figures_have_units_in_the_json(tiny_vgg16, rng, tmp_path):
    """Its `seconds` (the figure time to quality is about), `target` and `size` had none: `_s` names keys ending so."""
    content, style = rng.random((32, 32, 3), dtype=np.float32), rng.random((32, 32, 3), dtype=np.float32)
    q = bench_quality.time_to_quality(32, 2, weights=tiny_vgg16, content=content, style=style, coarse_steps=0)
    q.pop("images")
    bench_json.write_json(tmp_path / "b.json", {"quality": q})
    written = json.loads((tmp_path / "b.json").read_text())
    numbers = [(k, v) for row in (written["quality"], *(v for v in written["quality"].values() if isinstance(v, dict)))
               for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert {"seconds", "target", "size", "steps"} <= {k for k, _ in numbers}
    assert [k for k, _ in numbers if not _explained(k, written["units"])] == []


def test_the_machine_line_and_json_record_the_load_average(monkeypatch):
    """On a busy machine PyTorch's OpenMP threads slow far more than XLA's: a ratio means little without the load."""
    from jaxart import bench_machine

    monkeypatch.setattr(bench_machine.os, "getloadavg", lambda: (7.58, 8.53, 7.38))
    m = bench_machine.machine()
    assert m["load_average"] == [7.58, 8.53, 7.38] and json.loads(json.dumps(m)) == m
    assert f"{m['cpus']} cores; load average 7.58 8.53 7.38; jax " in bench_machine.format_machine(m)


def test_the_json_names_the_commit_it_was_measured_at(monkeypatch):
    """Comparing two commits' --json files needs more than `jaxart` 0.2.0, which every commit between releases has."""
    from jaxart import bench_suite

    monkeypatch.setattr(bench_suite, "_rows", lambda *a: {"results": []})
    monkeypatch.setattr("jaxart.provenance.source", lambda: {"commit": "c" * 40, "modified": True})
    report = bench_suite.run([32], echo=lambda line: None)
    assert report["source"] == {"commit": "c" * 40, "modified": True} and report["jaxart"]
    monkeypatch.setattr("jaxart.provenance.source", lambda: None)  # an installed wheel: no key, as before
    assert "source" not in bench_suite.run([32], echo=lambda line: None)


def test_the_machine_and_the_matmul_peak_have_units_in_the_json(monkeypatch, tmp_path):
    """`matmul_peak_gflops`, what a row's GFLOP/s is to be read against, was in no entry, nor the machine's `cpus`
    and `load_average`: "gflops" names a key, not the keys ending so."""
    from jaxart import bench_machine, bench_suite

    monkeypatch.setattr(bench_machine, "matmul_peak", lambda dtype: 100.0)
    monkeypatch.setattr(bench, "measure", lambda size, **_: {"size": size, "eval_s": 0.5, "gflop": 1.0, "gflops": 2.0})
    monkeypatch.setattr(bench, "format_row", lambda row: "")
    bench_json.write_json(tmp_path / "b.json", bench_suite.run([16], echo=lambda line: None))
    written = json.loads((tmp_path / "b.json").read_text())
    # A figure at the top is a number or a dict of them by a name (matmul_peak_gflops' float32, bfloat16).
    top = {k: v for k, v in written.items() if k not in ("options", "units") and v != []}
    figures = [k for k, v in top.items() if k in _numbers({k: v}) or isinstance(v, dict) and _numbers(v) == list(v)]
    figures += _numbers(written["machine"])
    assert {"matmul_peak_gflops", "cpus", "load_average"} <= set(figures)
    assert [k for k in figures if not _explained(k, written["units"])] == []


def test_the_machine_counts_the_cores_bench_may_run_on(monkeypatch):
    """Under `taskset -c 0` (or a container's cpuset) bench runs on one core; its line and JSON said the host's."""
    from jaxart import bench_machine

    monkeypatch.setattr(bench_machine.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    m = bench_machine.machine()
    assert m["cpus"] == 1 and ", 1 core; " in bench_machine.format_machine(m)


def test_the_sweep_all_lists_are_said_to_be_seconds_per_step_and_are(tmp_path, monkeypatch):
    """The units said the sweep's all_batched and all_single were "seconds of each repeat", as long as a repeat of
    `steps` steps takes; each is that repeat's seconds per step, step_s_batched and step_s_single their medians."""
    monkeypatch.setattr(bench_setup, "random_weights", functools.partial(random_weights, widths=TINY))
    row = bench_sweep.measure_sweep(16, settings=2, steps=2, repeats=3, arch="vgg16")
    bench_json.write_json(tmp_path / "b.json", {"sweep": [row]})
    units = json.loads((tmp_path / "b.json").read_text())["units"]
    for side in ("batched", "single"):
        assert np.median(row[f"all_{side}"]) == row[f"step_s_{side}"] and len(row[f"all_{side}"]) == 3
        said = [t for k, t in units.items() if f"all_{side}".startswith(k) or f"all_{side}" in t or "all_*" in t]
        assert said and all("seconds per step" in t for t in said), said
