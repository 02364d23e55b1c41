"""`bench --json`: every figure the table prints is in the file with a unit the file's `units` names."""

import json

import numpy as np

from jaxart import bench_json, bench_quality


def _explained(key: str, units: dict) -> bool:
    """Whether `units` (bench_json.UNITS, as written) names what `key` counts, by the parts its entries describe."""
    return (key in units or key.endswith(("_s", "_mb", "_size", "_steps")) or "_s_" in key or "gflop" in key
            or key.startswith(("overhead_", "ratio_", "conv_ratio_", "all_")) or "speedup" in key
            or "images_per_min" in key or "faults_eval" in key or key == "final_loss" and "target" in units
            or key == "evals" and "steps" in units)


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
