"""`jaxart bench` with a list option repeated: each adds its values, as sweep's `--seed 0 --seed 1` is `--seed 0,1`."""

import json

from jaxart import bench_suite

from conftest import run_main


def test_a_repeated_sizes_loops_or_conv_adds_its_values_and_the_json_keeps_them(tmp_path, monkeypatch, capsys):
    """`bench --sizes 256 --sizes 512` timed 512 px alone, the 256 typed before it dropped without a word (and so
    --loops and --conv): the last of a repeated option was taken, where sweep's swept options add up."""
    asked = {}

    def run(sizes, **kwargs):  # what the suite is asked to measure, measured by nothing
        asked.update(sizes=tuple(sizes), loops=tuple(kwargs["loops"]), convs=tuple(kwargs["convs"]))
        return {"results": [], "memory": [], "quality": None, "sweep": []}

    monkeypatch.setattr(bench_suite, "run", run)
    out = tmp_path / "b.json"
    code, _, err = run_main(["bench", "--sizes", "16", "--sizes", "24,32", "--loops", "python", "--loops", "zoom",
                             "--conv", "direct", "--conv", "winograd", "--json", str(out)], monkeypatch, capsys)
    assert code == 0, err
    assert asked == {"sizes": (16, 24, 32), "loops": ("python", "zoom"), "convs": ("direct", "winograd")}
    assert json.loads(out.read_text())["command"].endswith("--sizes 16 --sizes 24,32 --loops python --loops zoom "
                                                           f"--conv direct --conv winograd --json {out}")


def test_a_size_repeated_across_two_sizes_options_is_refused_as_one_listed_twice(monkeypatch, capsys):
    def run(*args, **kwargs):
        raise AssertionError("bench measured before refusing")

    monkeypatch.setattr(bench_suite, "run", run)
    code, _, err = run_main(["bench", "--sizes", "16,24", "--sizes", "24"], monkeypatch, capsys)
    assert (code, err) == (2, "error: --sizes lists 24 twice; give each value once")
