"""A sweep's time counted as a stylize run's is (BENCHMARKS.md, "A sweep's start and end, measured"): the command's
start kept by its timing and added by its dry run, its end (the tiles' final losses, their images, the sheet) in
steps of its batch (`duration.finish`) in what it says as it starts and in its bar, and its bar at 0 once the sheet
is written. The estimate itself: test_duration.py; stylize's: test_duration_cli.py, test_progress_end.py."""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import re
from pathlib import Path

import pytest

from conftest import run_main, write_tiny_job
from jaxart import duration, progress, sheet, timings
from jaxart.errors import InputError

SAID = "(from your runs on this machine)"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_eta"), "vgg16")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache folder of this test's own (conftest turns it off for every other test)."""
    monkeypatch.setenv("JAXART_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache" / timings.NAME


def _argv(files, out, *extra, quiet=True):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model, "--size", "32",
            "--style-weight", "1,10", *(["--quiet"] * quiet), *extra]


def _kept(files, **fields) -> dict:
    """A timing of 16 px steps of 10 s and no compile, as a run of `write_tiny_job`'s weights keeps it."""
    return {"host": timings.host(), "device": "cpu", "model": str(Path(files[1]).resolve()), "conv": "auto",
            "optimizer": "lbfgs", "rows": 1, "size": 16, "per_step": 10.0, "steps": 20, "compile": 0.0, "at": 1,
            **duration.ALIKE, **fields}


def test_a_sweep_keeps_the_commands_start_as_a_stylize_run_does(files, tmp_path, cache, monkeypatch, capsys):
    """Its timing kept no "start" (importing JAX, reading the inputs, loading the weights: 1.3-7.7 s of a sweep at
    128-256 px on 2 cores, load 1.7-8), so a sweep's dry run added a stylize run's start, or none where only sweeps
    had run."""
    code, _, err = run_main(_argv(files, tmp_path / "g.png", "--steps", "3"), monkeypatch, capsys)
    kept = json.loads(cache.read_text())["runs"]
    assert code == 0 and [(r["size"], r["rows"]) for r in kept] == [(32, 2)], err
    assert 0 <= kept[0]["start"] < 60, kept


def test_a_sweep_keeps_its_step_as_its_batch_of_tiles(files, tmp_path, cache, monkeypatch, capsys):
    """(From test_duration_cli.py, with this file's two tiles: their sweep is compiled here already.)"""
    code, _, err = run_main(_argv(files, tmp_path / "g.png", "--steps", "4"), monkeypatch, capsys)
    kept = json.loads(cache.read_text())["runs"]
    assert code == 0 and [(r["size"], r["rows"], r["device"]) for r in kept] == [(32, 2, "cpu")], err


def _stopped(*_, **__):
    raise InputError("stopped here")


@pytest.mark.parametrize("extra, linesearch, said", [
    ((), "none", "about 65 s"), (("--colors", "keep"), "none", "about 85 s"),
    (("--linesearch", "zoom"), "zoom", "about 55 s")])
def test_a_sweep_counts_its_end_as_a_stylize_run_of_its_settings_does(files, tmp_path, cache, monkeypatch, capsys,
                                                                       extra, linesearch, said):
    """As it starts, a sweep said its end (final losses, images, sheet) was one step of its batch whatever its
    settings: a --colors keep sweep takes each tile's loss twice (1.8 steps: `duration.finish`), a zoom sweep's end
    is under half of one of its steps (0.45). 16 px steps of 10 s make a 32 px step of 2 tiles 21.9 s (`step_cost`,
    in the 16 px margin); 1 step, a step of targets and the end: 3 steps (65.8 s), 3.8 (83.3 s), 2.45 (53.8 s)."""
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, linesearch=linesearch)]}))
    monkeypatch.setattr("jaxart.sweep_job.run", _stopped)  # not the sweep itself: what it says as it starts
    code, _, err = run_main(_argv(files, tmp_path / "g.png", "--steps", "1", *extra, quiet=False), monkeypatch, capsys)
    assert code == 2 and err.splitlines()[0] == f"sweep: {said} {SAID}", err
    # Its dry run counted them already (duration.estimated), and adds the command's start where a timing holds one.
    dry = _argv(files, tmp_path / "g.png", "--steps", "1", *extra, "--dry-run")
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and f"; {said} {SAID}; would" in printed, printed
    cache.write_text(json.dumps({"version": 1, "runs": [_kept(files, linesearch=linesearch, start=600.0)]}))
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and re.search(r"; about 1[01] min \(from your runs", printed), printed


def test_a_sweeps_timing_kept_before_it_had_a_start_counts_with_none(files, tmp_path, cache, monkeypatch, capsys):
    """Timings kept without "start" (every sweep's until now) are valid (`timings.NUMBERS`: each where known): their
    steps count, their start none; a newer one's start is added."""
    old = _kept(files, rows=2, size=32, per_step=21.9)
    assert timings._valid(old) and timings._valid({**old, "start": 600.0})
    cache.write_text(json.dumps({"version": 1, "runs": [old]}))
    dry = _argv(files, tmp_path / "g.png", "--steps", "1", "--dry-run")
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and f"; about 65 s {SAID}; would" in printed, printed
    cache.write_text(json.dumps({"version": 1, "runs": [old, {**old, "start": 600.0}]}))
    code, printed, err = run_main(dry, monkeypatch, capsys)
    assert (code, err) == (0, "") and re.search(r"; about 1[01] min \(from your runs", printed), printed


def test_a_sweep_that_a_tolerance_stopped_early_ends_its_bar_at_0_once_its_sheet_is_written(files, tmp_path,
                                                                                            monkeypatch, capsys):
    """A sweep's bar had no closing report: it read 0 only where it ended at its total. Stopped at step 20 of 40 by
    --tolerance, it ended on the 20 steps it never ran. Now the last step is reported again once the sheet, page and
    tiles are placed, as stylize's closing report is once its image is written. A clock 100 s on at each reading
    keeps the steps' seconds, and so the ETA before that report, far from 0."""
    ticks, reports, bar, write = itertools.count(), [], progress.steps_bar, sheet.write

    @contextlib.contextmanager
    def watched(*args, **kwargs):
        with bar(*args, clock=lambda: 100.0 * next(ticks), **kwargs) as update:
            yield lambda step, *rest: (reports.append(step), update(step, *rest))

    monkeypatch.setattr(progress, "steps_bar", watched)
    monkeypatch.setattr(sheet, "write", lambda *a, **k: (reports.append("sheet"), write(*a, **k))[1])
    out = tmp_path / "g.png"
    code, printed, err = run_main(_argv(files, out, "--steps", "40", "--tolerance", "0.99", quiet=False), monkeypatch,
                                  capsys)
    lines = [line for line in err.splitlines() if "/40" in line]
    assert code == 0 and out.is_file() and "all 2 converged at step 20 of 40" in printed, (printed, err)
    assert reports[-3:] == [20, "sheet", 20], reports  # the closing report: once the sheet is written
    assert "20/40" in lines[-2] and "ETA 0:00:00" not in lines[-2] and "ETA" in lines[-2], lines  # 20 steps and the end
    assert "20/40" in lines[-1] and "ETA 0:00:00" in lines[-1], lines


def _hms(text: str) -> int:
    h, m, s = map(int, text.split(":"))
    return 3600 * h + 60 * m + s


def test_a_sweeps_bar_counts_its_end_in_steps_of_its_settings(files, tmp_path, monkeypatch, capsys):
    """The bar counted a sweep's end as one step whatever its settings; a --colors keep sweep's is 1.8 (each tile's
    loss taken twice, `duration.finish`). At step 2 of 3, on a clock 100 s on at each reading, a step and the end
    are left: (1 + 1.8) / (1 + 1) of a plain sweep's ETA there."""
    said, bar = {}, progress.steps_bar
    for colors in ("style", "keep"):  # the default's, then one more pass of the same compiled loss
        ticks = itertools.count()
        monkeypatch.setattr(progress, "steps_bar", functools.partial(bar, clock=lambda: 100.0 * next(ticks)))
        code, _, err = run_main(_argv(files, tmp_path / f"{colors}.png", "--steps", "3", "--colors", colors,
                                      quiet=False), monkeypatch, capsys)
        at_2 = [line for line in err.splitlines() if "2/3" in line]
        assert code == 0 and at_2, err
        said[colors] = _hms(re.search(r"ETA (\S+)", at_2[0])[1])
    assert said["style"] > 0 and said["keep"] / said["style"] == pytest.approx(2.8 / 2, rel=0.01), said


def test_a_sweeps_end_as_measured_is_about_a_step_of_its_batch():
    """(s a batch step, s from the last step's report to the bar's end) of sweeps of 2 and 6 tiles at 128 and 256 px,
    vgg16-hed, `--conv auto` then `direct`, a cold then a warm compile cache, and `--colors keep` of 6 tiles (2-core
    AMD EPYC, load 1.7-8.0; BENCHMARKS.md, "A sweep's start and end, measured"): the final losses, the images, the
    tiles, sheet and page were 0.41-1.48 of a step plain, 1.89-1.92 with keep; `duration.finish`'s 1 and 1.8 are
    within 0.6-2.5x of each."""
    from jaxart.config import StyleConfig

    plain, keep = duration.finish(StyleConfig()), duration.finish(StyleConfig(colors="keep"))
    for per_step, end in ((0.87, 1.28), (0.98, 1.05), (2.29, 3.19), (2.22, 1.69), (1.92, 0.96), (1.92, 2.07),
                          (5.88, 7.06), (6.84, 7.62), (1.16, 1.69), (1.32, 1.16), (5.62, 2.58), (4.25, 3.16),
                          (5.52, 5.84), (3.02, 1.94), (9.81, 7.32), (10.82, 4.39)):
        assert 0.6 < plain * per_step / end < 2.5, (per_step, end)
    for per_step, end in ((2.99, 5.73), (7.66, 14.45)):
        assert 0.9 < keep * per_step / end < 1.1 and per_step / end < 0.6, (per_step, end)
