"""`jaxart bench` as a command: what it refuses before measuring, what its JSON holds, and Ctrl-C."""

import functools
import json
import math
import os
import signal
import subprocess
import sys

import pytest

from jaxart import bench, bench_checks, bench_machine, bench_setup, bench_suite
from jaxart.weights.random_init import random_weights

from conftest import ROOT, TINY, run_main


@pytest.fixture
def no_measuring(monkeypatch):
    """Measuring fails the test: every case here must be decided before the first row."""
    def measured(*args, **kwargs):
        raise AssertionError("bench measured before refusing")

    monkeypatch.setattr(bench_suite, "_rows", measured)
    monkeypatch.setattr(bench_machine, "matmul_peak", measured)


@pytest.fixture
def tiny_bench(monkeypatch):
    """bench's rows on the tiny VGG up to relu2_2: what a row keeps and counts is the same, and its five programs
    compile in seconds (full-width VGG19's to relu5_1 took 20-30 s a row at load 5)."""
    monkeypatch.setattr(bench_setup, "random_weights", functools.partial(random_weights, widths=TINY))
    layers = {"content_layers": ("relu2_2",), "style_layers": ("relu1_1", "relu2_1")}  # two stages, each one remat recomputes
    monkeypatch.setattr(bench, "PAPER", bench.PAPER.replace(**layers))


@pytest.mark.parametrize("option", [["--model", "vgg16-hed"], ["--quality-size", "64"], ["--coarse-steps", "0"],
                                    ["--quality-limit", "2"], ["--quality-images", "q"]])
def test_a_time_to_quality_option_without_quality_evals_is_refused_not_ignored(option, no_measuring, monkeypatch,
                                                                               capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["bench", "--sizes", "16", *option], monkeypatch, capsys)
    assert code == 2 and not out and err == (f"error: Invalid value for {option[0]}: it only applies to time to "
                                             "quality; give --quality-evals N (above 0) too, or leave it out"), err
    assert list(tmp_path.iterdir()) == []


def test_quality_images_never_replace_an_input_nor_without_overwrite_a_file(no_measuring, monkeypatch, capsys,
                                                                            tmp_path, rng):
    from PIL import Image

    photo = tmp_path / "single.png"  # the name of the single-scale run's last image
    Image.fromarray((rng.random((24, 24, 3)) * 255).astype("uint8")).save(photo)
    before = photo.read_bytes()
    quality = ["--sizes", "16", "--quality-evals", "2", "--quality-size", "16", "--content", str(photo),
               "--quality-images", str(tmp_path)]
    code, _, err = run_main(["bench", *quality, "--overwrite"], monkeypatch, capsys)
    assert code == 2 and err == (f"error: output {photo} is one of the inputs; choose another output (--overwrite "
                                 "never replaces an input)"), err
    (tmp_path / "in").mkdir()
    photo.rename(tmp_path / "in" / "photo.png")
    (tmp_path / "coarse_to_fine.png").write_text("earlier")
    quality[quality.index(str(photo))] = str(tmp_path / "in" / "photo.png")
    code, _, err = run_main(["bench", *quality], monkeypatch, capsys)
    assert code == 2 and err == (f"error: --quality-images: {tmp_path / 'coarse_to_fine.png'} already exists; pass "
                                 "--overwrite to replace it or choose another folder"), err
    assert (tmp_path / "in" / "photo.png").read_bytes() == before
    code, _, err = run_main(["bench", "--sizes", "16", "--overwrite"], monkeypatch, capsys)
    assert code == 2 and err == ("error: Invalid value for --overwrite: it only applies to --json and "
                                 "--quality-images; give one, or leave it out"), err


def test_an_existing_json_file_is_kept_unless_overwrite_is_given(no_measuring, monkeypatch, capsys, tmp_path):
    out = tmp_path / "bench.json"
    out.write_text("earlier results")
    code, _, err = run_main(["bench", "--sizes", "16", "--json", str(out)], monkeypatch, capsys)
    assert code == 2 and err == f"error: --json {out} already exists; pass --overwrite to replace it or choose another name"
    assert out.read_text() == "earlier results"
    code, _, err = run_main(["bench", "--sizes", "16", "--json", str(tmp_path / ("b" * 300 + ".json"))], monkeypatch,
                            capsys)
    assert code == 2 and err.endswith("would be 305 bytes, more than the 255 its folder allows; choose a shorter --json")


def test_the_json_says_what_command_machine_and_date_produced_it_and_is_strict(monkeypatch, capsys, tmp_path):
    # A figure in BENCHMARKS.md needs its command, machine and date; a NaN (a FLOP count XLA could
    # not make) is not JSON, so it is written as null.
    row = {"size": 16, "eval_s": 0.5, "gflop": math.nan, "gflops": math.nan}
    monkeypatch.setattr(bench_suite, "_rows", lambda *a: {"matmul_peak_gflops": {"float32": math.inf},
                                                          "results": [row], "memory": [], "quality": None, "sweep": []})
    out = tmp_path / "b.json"
    out.write_text("earlier")
    code, _, err = run_main(["bench", "--sizes", "16", "--repeats", "2", "--json", str(out), "--overwrite"],
                            monkeypatch, capsys)
    assert code == 0, err
    text = out.read_text()
    report = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
    assert report["command"] == f"python cli.py bench --sizes 16 --repeats 2 --json {out} --overwrite"
    assert report["options"]["sizes"] == [16] and report["options"]["repeats"] == 2
    assert report["started"].startswith("20") and report["started"].endswith("+00:00")
    assert report["machine"]["cpu"] and report["machine"]["cpus"] == len(os.sched_getaffinity(0)) and report["jaxart"]
    assert report["results"] == [{**row, "gflop": None, "gflops": None}]
    assert report["matmul_peak_gflops"] == {"float32": None} and report["units"]["_mb"] == "MiB (2**20 bytes)"



def test_the_json_command_runs_again_as_python_m_jaxart_where_that_ran_it(monkeypatch, tmp_path):
    """`python -m jaxart` is for where the `jaxart` script is not on PATH (a notebook): the JSON said `jaxart bench`."""
    from typer.testing import CliRunner

    import cli

    monkeypatch.setattr(bench_suite, "_rows", lambda *a: {"results": []})
    out = tmp_path / "b.json"
    argv = ["bench", "--sizes", "16", "--json", str(out)]
    monkeypatch.setattr(sys, "argv", [str(ROOT / "jaxart" / "__main__.py"), *argv])
    result = CliRunner().invoke(cli.app, argv, prog_name="python -m jaxart")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["command"] == f"python -m jaxart bench --sizes 16 --json {out}"

def test_remat_does_not_inflate_the_flop_count(tiny_bench, monkeypatch):
    # --remat recomputes each stage's forward pass: more operations, not more work done, so
    # GFLOP/s must count the same FLOPs as without it (it counted 47% more).
    peaks = iter([500.0, 700.0, 700.0, 700.0])  # the process's peak before and after each row: the second adds none
    monkeypatch.setattr(bench, "_rss_mb", lambda: next(peaks))
    plain, remat = (bench.measure(16, repeats=1, loops=(), remat=r, convs=("direct",)) for r in (False, True))
    assert remat["gflop"] == pytest.approx(plain["gflop"], rel=1e-6) and plain["gflop"] > 0
    # Each line says what its process peak is of: the second row's is the first's (the same process, so far).
    assert "process peak 700 MiB  " in bench.format_row(plain), bench.format_row(plain)
    assert "process peak 700 MiB (reached before this size)" in bench.format_row(remat), bench.format_row(remat)


def test_a_timing_lines_process_peak_says_where_torch_shares_it():
    """With --baseline torch the timing line's process peak was jaxart's and torch's together, said as if jaxart's
    (`--memory` measures each alone, in a fresh process); and a row that raised no peak printed an earlier one."""
    row = {"size": 512, "eval_s": 1.6, "gflops": 240.0, "gflop": 392.0, "compile_s": 5.0, "process_peak_rss_mb": 1400.0,
           "torch_eval_s": 2.0, "ratio_eval_median": 0.8, "ratio_eval_min": 0.7}
    assert bench.peak_of(900.0, 1400.0, "torch") == "jaxart and torch" and bench.peak_of(900.0, 1400.0, None) == "jaxart"
    assert bench.peak_of(1400.0, 1400.0, "torch") == "before"
    line = bench.format_row({**row, "process_peak_of": bench.peak_of(900.0, 1400.0, "torch")})
    assert "process peak 1400 MiB (jaxart's and torch's together; --memory: each alone)" in line, line


def test_ctrl_c_during_bench_exits_130_in_one_line_and_compiles_nothing_into_the_cache(tmp_path):
    # The interpreter's teardown crashed (SIGSEGV, exit 139) in about half of interrupted runs;
    # and a program loaded from JAX's persistent cache would have its load time reported as compile time.
    cache, out = tmp_path / "jax-cache", tmp_path / "b.json"
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(cache), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "bench", "--sizes", "16,48", "--repeats", "3",
                             "--json", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stdout:  # the 16 px row is measured: now the 48 px one is compiling or running
        if line.lstrip().startswith("16 px"):
            break
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and err == "error: interrupted\n", err
    assert not out.exists() and not (cache.exists() and any(cache.iterdir()))


def test_a_tiny_rows_figures_are_not_rounded_to_zero():
    row = {"size": 16, "eval_s": 0.005, "gflops": 52.0, "gflop": 0.26, "compile_s": 1.0, "process_peak_rss_mb": 900.0,
           "faults_eval": 12.0, "step_s_python": 0.006, "overhead_python": 0.2, "optimizer_s": 0.00033,
           "overhead_optimizer": 0.066}
    line = bench.format_row(row)
    assert "(0.26 GFLOP)" in line and "optimizer 0.33 ms (6.6%)" in line and "page faults/eval 12" in line, line
    assert "page faults/eval 94k" in bench.format_row({**row, "faults_eval": 94_400.0})
    # A 16 px row on a loaded machine: 0.49 GFLOP/s was shown as "0 GFLOP/s"
    assert "  0.49 GFLOP/s (0.26 GFLOP)" in bench.format_row({**row, "gflops": 0.49})


def test_the_quality_limit_advice_is_the_least_value_that_works(monkeypatch, capsys, no_measuring):
    code, _, err = run_main(["bench", "--sizes", "16", "--quality-evals", "3", "--quality-limit", "0.1"], monkeypatch,
                            capsys)
    assert code == 2 and err.endswith("leaves the other runs no full-size step; give --quality-limit 0.334 or more"), err
    assert 0.334 * 3 >= 1 > 0.333 * 3


def test_each_median_keeps_the_seconds_of_every_repeat_and_the_table_shows_their_range(tiny_bench):
    # A median alone hides whether the repeats agreed; the JSON keeps each repeat, the table their range.
    row = bench.measure(16, repeats=3, loops=("python",), convs=("direct", "winograd"))
    timed = {"eval_s", "eval_s_winograd", "step_s_python", "optimizer_s"}
    assert set(row["repeats_s"]) == timed
    for key in timed:
        seconds = row["repeats_s"][key]
        assert len(seconds) == 3 and all(s > 0 for s in seconds) and row[key] == sorted(seconds)[1], key
    lo, hi = min(row["repeats_s"]["eval_s"]), max(row["repeats_s"]["eval_s"])
    line = bench.format_row(row)
    assert f"eval {row['eval_s']:.3f} s [{lo:.3f}-{hi:.3f}]  " in line and "step[python] " in line, line
    assert line.count(" s [") == 3, line  # eval, step[python], eval[winograd]
    one = {**row, "repeats_s": {k: v[:1] for k, v in row["repeats_s"].items()}}
    assert " s [" not in bench.format_row(one)  # one repeat has no range


def test_overwrite_never_replaces_an_image_with_the_json(no_measuring, monkeypatch, capsys, tmp_path):
    """`--json photo.jpg --overwrite` replaced the photo with text: a name not ending in .json is refused first."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8 a photograph")
    code, _, err = run_main(["bench", "--sizes", "16", "--json", str(photo), "--overwrite"], monkeypatch, capsys)
    assert code == 2 and err == (f"error: --json {photo} ends in .jpg; bench writes JSON: give a name ending in .json, "
                                 f"such as {tmp_path / 'photo.json'}"), err
    assert photo.read_bytes() == b"\xff\xd8 a photograph" and os.listdir(tmp_path) == ["photo.jpg"]


@pytest.mark.parametrize("platform, sizes", [("cpu", [256, 512]), ("gpu", [256, 512, 1024])])
def test_bench_times_1024_px_too_by_default_on_a_gpu(platform, sizes, monkeypatch, tmp_path):
    """Issue 5 asks for 1024 px on a GPU, where it takes seconds: `--sizes` was 256,512 on every backend."""
    from typer.testing import CliRunner

    import cli

    monkeypatch.setattr("jaxart.devices.platform", lambda: platform)
    checked, out = [], tmp_path / "b.json"
    monkeypatch.setattr(bench_checks, "_check_memory", lambda config, flag, sweep: checked.append(config.size))
    monkeypatch.setattr(bench_suite, "_rows", lambda *a: {"results": []})
    result = CliRunner().invoke(cli.app, ["bench", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["options"]["sizes"] == sizes and checked == sizes
