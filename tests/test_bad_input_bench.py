"""`jaxart bench` refuses bad options before measuring anything; its JSON and memory rows fail cleanly."""

import json
import os
import time

import pytest

from test_bad_input import _main

BENCH = {  # refused before anything is measured (the matmul peak alone takes seconds)
    "size 0": (["--sizes", "0"], "--sizes 0 is out of range; give sizes from 16 to"),
    "empty sizes": (["--sizes", ",,"], "--sizes: ',,' has an empty item"),
    "huge size": (["--sizes", "100000"], "--sizes 100000: a 100000x100000 px run needs about "),
    "huge size, short figure": (["--sizes", "100000"], "e+04 GiB but only"),
    "absurd size": (["--sizes", "1" + "0" * 400], "is out of range; give sizes from 16 to 2147483647 pixels"),
    "huge quality size": (["--quality-evals", "5", "--quality-size", "99999999"], "use --quality-size "),
    "no repeats": (["--repeats", "0"], "--repeats must be 1 to 100, got 0"),
    "huge repeats": (["--sizes", "32", "--repeats", "3000000000", "--loops", "scan"], "--repeats must be 1 to 100"),
    "huge sweep": (["--sizes", "16", "--sweep", "10000000"], "a sweep of 10,000,000 settings at 16 px needs about"),
    "sweep advice": (["--sizes", "1024", "--sweep", "100000"], "use --sweep "),  # --sweep N, not --count
    "empty loops": (["--loops", ","], "--loops: ',' has an empty item"),
    "unknown baseline": (["--baseline", "tensorflow"], "--baseline 'tensorflow' is not one of torch"),
    "unknown conv": (["--conv", "fft"], "--conv 'fft' is not a list of auto, direct"),
    # A conv timed against itself read as a comparison (eval[direct] 1.31x); a loop or size listed twice was
    # measured once or twice and reported once.
    "conv twice": (["--sizes", "32", "--conv", "direct,direct"], "--conv lists 'direct' twice; give each value once"),
    "loop twice": (["--sizes", "32", "--loops", "python,scan,python"], "--loops lists 'python' twice; give each value"),
    "size twice": (["--sizes", "32,48,032"], "--sizes lists 32 twice; give each value once"),
    "nan limit": (["--quality-evals", "5", "--quality-limit", "nan"], "--quality-limit must be a finite number"),
    "limit of no step": (["--sizes", "32", "--quality-size", "32", "--quality-evals", "1", "--quality-limit", "0.5",
                          "--coarse-steps", "1"], "leaves the other runs no full-size step; give --quality-limit 1"),
    "huge limit": (["--sizes", "32", "--quality-size", "32", "--quality-evals", "2", "--coarse-steps", "0",
                    "--quality-limit", "1e308"], "more than 10000 full-size steps; give --quality-limit 5000 or less"),
    "huge quality evals": (["--quality-evals", "3000000000"], "--quality-evals must be 0 to 10000"),
    "huge coarse steps": (["--quality-evals", "5", "--coarse-steps", "3000000000"], "--coarse-steps must be 0 to"),
    "unknown model": (["--quality-evals", "5", "--model", "vgg99"], "unknown model 'vgg99'"),
    "model auto": (["--quality-evals", "5", "--model", "auto", "--json", "{tmp}/new/b.json"],
                   "--model auto may fall back to vgg16-hed"),
    "quality images under a file": (["--quality-evals", "5", "--quality-size", "32", "--quality-images",
                                     "/proc/version/q"], "/proc/version/q: /proc/version is a file, not a folder"),
    "quality images unwritable": (["--quality-evals", "5", "--quality-size", "32", "--quality-images",
                                   "/proc/jaxart/q"], "/proc/jaxart/q does not exist and cannot be created in /proc"),
    "json is a folder": (["--json", "{tmp}"], "is a folder; give a file name"),
    "json is standard output": (["--json", "-"], "--json - is not standard output here; give a file name, such as"),
    # `--json results.png` wrote JSON into a file named as an image, as stylize's --output never does.
    "json named as an image": (["--json", "{tmp}/results.png"], "results.png ends in .png; bench writes JSON: give a "
                               "name ending in .json, such as "),
    "json without a suffix": (["--json", "{tmp}/results"], "results has no suffix; bench writes JSON: give a name "
                              "ending in .json, such as "),
    # as --output's: "results.json  ends in .json ; bench writes JSON: give a name ending in .json", the space unseen
    "json ending in a space": (["--json", "{tmp}/results.json "], "results.json ' ends in a space, which would be part "
                               "of the file's name; drop the space"),
    "json is a quality picture": (["--quality-evals", "5", "--quality-size", "32", "--coarse-steps", "0",
                                   "--quality-images", "{tmp}/q", "--json", "{tmp}/q/single.png"],
                                  "is where --quality-images writes a picture; choose another name"),
    "json is the coarse picture": (["--quality-evals", "5", "--quality-size", "32", "--quality-images", "{tmp}/q",
                                    "--json", "{tmp}/q/coarse_to_fine.png"], "is where --quality-images writes"),
    "quality images name too long": (["--quality-evals", "5", "--quality-size", "32", "--quality-images",
                                      "{tmp}/" + "q" * 300], "bytes, more than the 255 its file system allows"),
    "json under a file": (["--json", "/proc/version/b.json"], "/proc/version is a file, not a folder; choose another --json"),
    "json folder unwritable": (["--json", "/proc/jaxart/b.json"], "choose another --json"),
    "json in a folder of no files": (["--json", "/proc/b.json"], "error: --json's folder /proc is not writable (no file"),
}


def _unmeasured(*args, **kwargs):
    raise AssertionError("bench measured before refusing")


@pytest.mark.parametrize("case", sorted(BENCH))
def test_bench_refuses_bad_options_before_measuring(case, tmp_path, monkeypatch, capsys):
    from jaxart import bench_machine

    monkeypatch.setattr(bench_machine, "matmul_peak", _unmeasured)  # the first thing measured
    extra, expected = BENCH[case]
    start = time.perf_counter()
    code, err = _main(["bench", *[a.format(tmp=tmp_path) for a in extra]], monkeypatch, capsys)
    assert code == 2 and len(err.splitlines()) == 1 and expected in err, err
    assert "--size " not in err, "stylize's flag; bench's is --sizes"
    assert time.perf_counter() - start < 5, "it measured before refusing"
    assert not list(tmp_path.iterdir()), "a refused run left a folder behind"


@pytest.mark.parametrize("limit, said", [
    ("0", "--quality-limit must be a finite number above 0, got 0"),  # was "got 0.0"
    ("-1", "--quality-limit must be a finite number above 0, got -1"),
    ("1e-5", "--quality-limit 1e-5 x --quality-evals 5 leaves the other runs no full-size step; give --quality-limit "
             "0.2 or more"),  # was "1e-05"
])
def test_a_refused_quality_limit_is_echoed_as_typed(limit, said, monkeypatch, capsys):
    """README: numbers are echoed as typed (`5`, not `5.0`), as stylize's refusals echo them."""
    from jaxart import bench_machine

    monkeypatch.setattr(bench_machine, "matmul_peak", _unmeasured)
    code, err = _main(["bench", "--quality-evals", "5", "--quality-limit", limit], monkeypatch, capsys)
    assert code == 2 and err == f"error: {said}", err


def test_bench_check_creates_nothing_and_the_json_makes_its_folder(tmp_path):
    from jaxart import bench_checks, bench_json

    quality = dict(evals=2, size=16, coarse_steps=1, limit=1.0, model="random", content=None, style=None)
    out = tmp_path / "new" / "b.json"
    bench_checks.check([16], quality=quality, json_out=out, quality_images=tmp_path / "q" / "r")
    assert not list(tmp_path.iterdir())
    bench_json.write_json(out, {"results": []})
    assert json.loads(out.read_text())["results"] == []


def test_bench_fetches_the_quality_weights_before_measuring(tmp_path, monkeypatch, capsys):
    """Offline, a registered model that is not installed fails before the rows, not after them."""
    from jaxart import bench_machine, weights
    from jaxart.errors import WeightsError

    def offline(name, *args, **kwargs):
        raise WeightsError(f"could not download {name} (no network); check the connection")

    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(weights, "fetch", offline)
    monkeypatch.setattr(bench_machine, "matmul_peak", _unmeasured)
    code, err = _main(["bench", "--sizes", "16", "--quality-evals", "1", "--quality-size", "16", "--model", "vgg19"],
                      monkeypatch, capsys)
    assert code == 1 and err == "error: could not download vgg19 (no network); check the connection", err
    assert not list(tmp_path.iterdir())


def test_bench_json_is_written_atomically(tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    from jaxart import bench_json

    path = tmp_path / "b.json"
    bench_json.write_json(path, {"results": [1, 2]})
    assert json.loads(path.read_text())["results"] == [1, 2] and os.listdir(tmp_path) == ["b.json"]

    def disk_full(self, text, *args, **kwargs):  # half of it written, then no space left
        with open(self, "w") as f:
            f.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError):
        bench_json.write_json(path, {"results": [3]})
    assert json.loads(path.read_text())["results"] == [1, 2] and os.listdir(tmp_path) == ["b.json"]


def test_a_failed_memory_measurement_is_an_error_the_cli_reports_as_one_line(monkeypatch):
    """Its child process killed (out of memory: no stderr) or failing: not a RuntimeError traceback."""
    from jaxart import bench_memory
    from jaxart.errors import JaxartError

    monkeypatch.setattr(bench_memory.sys, "executable", "/bin/false")
    with pytest.raises(JaxartError, match=r"memory measurement at 16 px failed in its own process \(exit status 1\)"):
        bench_memory.memory_row(16)
