"""`jaxart sweep --shrink-batch`: the CLI asks `sweep(..., shrink_batch=True)` for a batch of the running tiles
once half have stopped (shrink.py), records it, names it in the sheet's header, and `info --command` gives it
again; without it the whole batch runs to the end, as before (a smaller batch rounds the running tiles differently)."""

import shlex

import pytest

from jaxart import StyleConfig, batched, captions
from jaxart.image_record import read_record

from conftest import run_main, write_tiny_job

# test_sweep_shrink's tiny VGG16 job at 24 px: with a tolerance of 5% style weight 1 stops at step 20, 2 at
# step 30, 10 and 20 run all 40 steps.
STOPS = ["--style-weight", "1,2,10,20", "--tolerance", "0.05"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_shrink_cli"), "vgg16")


@pytest.fixture
def rows(monkeypatch):
    """The rows each step of the sweep evaluated (the batch the step was called with)."""
    counted, make = [], batched.make_batched_step

    def counting(*a, **k):
        step = make(*a, **k)
        return lambda carry, *rest: counted.append(carry.params.shape[0]) or step(carry, *rest)

    monkeypatch.setattr(batched, "make_batched_step", counting)
    return counted


def _sweep(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model", model,
            "--size", "24", "--steps", "40", "--quiet", *extra]


def test_shrink_batch_steps_the_running_tiles_alone_and_info_command_gives_it_again(files, rows, tmp_path,
                                                                                     monkeypatch, capsys):
    """The CLI had no way to ask: every sweep stepped all four tiles 40 times, 160 tile-steps for 130."""
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep(files, out, *STOPS, "--shrink-batch"), monkeypatch, capsys)
    assert code == 0, err
    assert rows == [4] * 30 + [2] * 10  # two stopped at step 30: the last 10 steps step the other two alone
    assert read_record(out)["shrink_batch"] is True and read_record(out)["shrank"] == [[30, 2, 24]]
    # The header said "shrink-batch" whether the batch shrank or not.
    assert "shrink-batch (shrank to a batch of 2 after step 30)" in out.with_suffix(".html").read_text()
    assert [read_record(tmp_path / f"g-0{i}.png")["steps"] for i in range(4)] == [20, 30, 40, 40]
    code, command, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and "--shrink-batch" in shlex.split(command), err
    rows.clear()
    code, _, err = run_main([*shlex.split(command)[1:], "--quiet"], monkeypatch, capsys)
    assert code == 0 and rows == [4] * 30 + [2] * 10, err


@pytest.mark.parametrize("extra", [STOPS, ["--style-weight", "1,2,10,20", "--shrink-batch"]],
                         ids=["default off", "without --tolerance no tile stops"])
def test_otherwise_the_whole_batch_runs_every_step(extra, files, rows, tmp_path, monkeypatch, capsys):
    """Off by default; without --tolerance it is accepted and only a loss that became NaN or inf stops a tile."""
    out = tmp_path / "g.png"
    code, _, err = run_main(_sweep(files, out, *extra), monkeypatch, capsys)
    assert code == 0 and err == "", err
    assert rows == [4] * 40
    assert read_record(out).get("shrink_batch") is ("--shrink-batch" in extra or None)
    said = "shrink-batch (did not shrink)" in out.with_suffix(".html").read_text()
    assert said == ("--shrink-batch" in extra)
    code, command, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    assert code == 0 and ("--shrink-batch" in shlex.split(command)) == ("--shrink-batch" in extra), err


def test_the_sheet_header_names_shrink_batch_as_it_names_tolerance():
    """`info grid.png --command` gives --shrink-batch back, and it changes the running tiles' rounding, but the
    header that lists the settings every tile shares left it out."""
    config = StyleConfig(size=64, steps=5)
    assert captions.held(config, {"tolerance": 0.05, "shrink_batch": True}).endswith("tolerance 0.05, shrink-batch")
    assert "shrink" not in captions.held(config, {"tolerance": 0.05})


@pytest.mark.parametrize("weights, devices, said", [
    ("1,2,10", 1, "on a sweep of 3 settings on 1 device: "), ("1,2,10,20", 1, None),
    ("1,2,10,20", 2, "on a sweep of 4 settings on 2 devices: "), ("1,2,3,4,5,6,7", 2, None)])
def test_shrink_batch_where_the_batch_cannot_shrink_is_warned_about(weights, devices, said, files, tmp_path,
                                                                      monkeypatch, capsys):
    """3 settings never shrank (a batch goes no smaller than 2 rows a device, and only to half its rows or fewer),
    without a word."""
    monkeypatch.setattr("jaxart.devices.local_device_count", lambda: devices)
    code, out, err = run_main(_sweep(files, tmp_path / "g.png", "--style-weight", weights, "--shrink-batch",
                                     "--dry-run"), monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    least = 3 * devices + 1
    assert err == (f"warning: --shrink-batch has no effect {said}the running tiles go on alone only in a batch of at "
                   f"most half the rows and 2 or more a device, so it needs {least} settings or more"
                   if said else ""), err


def test_the_warning_s_least_sweep_is_the_least_that_shrinks():
    """unused_options.SHRINKS against shrink.smaller_rows: no tiles stopped in a sweep of 3 settings a device gives a
    smaller batch, and in one of a setting more, all stopped but one does."""
    from itertools import product

    import numpy as np

    from jaxart import shrink, unused_options

    for devices in (1, 2, 3):
        least = (unused_options.SHRINKS - 1) * devices + 1
        for n in range(1, least + 1):
            rows = np.arange(-(-n // devices) * devices)
            shrinks = [shrink.smaller_rows(np.array(ok), rows, n, devices) is not None
                       for ok in product([False, True], repeat=len(rows))]
            assert any(shrinks) == (n == least), (devices, n)
