"""A sweep's bar ends as stylize's does (jaxart_cli/stylize.py): once the files are written, on the final loss its
records hold, here the tiles' mean, as the bar says ("mean loss"); also where a tolerance stopped every tile and where
the sweep was resumed. The bar's ETA at its end: test_sweep_eta.py."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from conftest import run_main, write_tiny_job
from jaxart import progress, sheet
from jaxart.image_record import read_record


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_bar_end"), "vgg16")


@pytest.fixture
def reports(monkeypatch) -> list:
    """Each (step, loss, terms) the sweep's bar is given, and "sheet" where the sheet is written."""
    said, bar, write = [], progress.steps_bar, sheet.write

    @contextlib.contextmanager
    def watched(*args, **kwargs):
        with bar(*args, **kwargs) as update:
            yield lambda step, loss, terms: (said.append((step, loss, terms)), update(step, loss, terms))

    monkeypatch.setattr(progress, "steps_bar", watched)
    monkeypatch.setattr(sheet, "write", lambda *a, **k: (said.append("sheet"), write(*a, **k))[1])
    return said


def _argv(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model, "--size", "32",
            "--style-weight", "1,10", *extra]


def _records_mean(out) -> dict[str, float]:
    """The mean over the tiles of the final loss terms their records hold (the sheet's `tile_results` alike)."""
    tiles = [read_record(out.parent / name)["loss"] for name in read_record(out)["tiles"]]
    assert [t["loss"] for t in read_record(out)["tile_results"]] == tiles
    return {k: float(np.mean([t[k] for t in tiles])) for k in tiles[0]}


def _ends_on_the_records(reports, out, step):
    """The last report comes once the sheet is written, at the last step reported, with the records' mean loss."""
    mean = _records_mean(out)
    assert reports[-2:] == ["sheet", (step, pytest.approx(mean.pop("total"), rel=1e-6), pytest.approx(mean, rel=1e-6))]
    assert reports[-3][0] == step, reports


def test_a_sweeps_bar_ends_on_the_tiles_mean_final_loss_as_the_records_hold_it(files, tmp_path, reports,
                                                                               monkeypatch, capsys):
    """The bar ended on its last step's report, the mean loss before that step's update: 64 px, 3 steps of
    vgg16-hed, it said 1.798 where the records' mean is 1.487 (0.511 and 2.464)."""
    out = tmp_path / "g.png"
    code, _, err = run_main(_argv(files, out, "--steps", "3"), monkeypatch, capsys)
    assert code == 0, err
    _ends_on_the_records(reports, out, 3)
    assert reports[-3][1] != pytest.approx(reports[-1][1], rel=1e-3)  # the last step's report: not the final loss
    shown = [line for line in err.splitlines() if "3/3" in line][-1]
    assert f"mean {reports[-1][1]:.4g} " in shown and "ETA 0:00:00" in shown, err


def test_a_sweep_that_a_tolerance_stopped_ends_its_bar_on_the_final_loss(files, tmp_path, reports, monkeypatch,
                                                                         capsys):
    """Every tile stopped at step 20 of 40 (test_sweep_eta.py): the bar ends at step 20, on the records' loss."""
    out = tmp_path / "g.png"
    code, printed, err = run_main(_argv(files, out, "--steps", "40", "--tolerance", "0.99"), monkeypatch, capsys)
    assert code == 0 and "all 2 converged at step 20 of 40" in printed, (printed, err)
    _ends_on_the_records(reports, out, 20)


def test_a_resumed_sweep_ends_its_bar_on_the_final_loss(files, tmp_path, reports, signal_at, monkeypatch, capsys):
    out = tmp_path / "g.png"
    signal_at(2)
    code, _, err = run_main(_argv(files, out, "--steps", "3", "--quiet"), monkeypatch, capsys)
    assert code == 143 and "at step 2 of 3" in err, err
    reports.clear()
    code, _, err = run_main(["sweep", "--resume", str(out.parent / "g.ckpt.npz")], monkeypatch, capsys)
    assert code == 0, err
    _ends_on_the_records(reports, out, 3)
    assert [r[0] for r in reports if r != "sheet"] == [3, 3], reports  # the step it ran, then the closing report
