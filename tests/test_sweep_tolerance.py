"""`sweep --tolerance`: each tile stops on its own once its loss stops falling, as `stylize --tolerance` stops a
run, and the sweep ends once all have; the summary, records and `info --command` say so and make it again."""

import shlex

import jax
import numpy as np
import pytest
from jax.sharding import NamedSharding, PartitionSpec
from PIL import Image
from typer.testing import CliRunner

import cli
import jaxart
from jaxart import batched, image, plateau, sweep, transfer, weights
from jaxart.image_record import read_record

from conftest import run_main, write_tiny_job

# On the tiny VGG16 job at 24 px the loss of style weight 1 falls by 4.2% over steps 10-20, that of 2 by 5.5%
# then 3.2% by step 30, that of 10 by 11-13% per 10 steps to step 40: a tolerance of 5% stops the first at step
# 20, the second at 30, and not the third, each clear of either side.
CONFIG = jaxart.StyleConfig(size=24, steps=40)
TOLERANCE = 0.05


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("sweep_tolerance"), "vgg16")


@pytest.fixture(scope="module")
def inputs(files):
    d, model = files
    return (image.load_image(d / "photo.jpg"), [image.load_image(d / "paint.png")],
            weights.load_weights(model, download=False))


def _sweep(inputs, config=CONFIG, style_weights=(1.0, 10.0), **kwargs):
    photo, paintings, w = inputs
    return sweep.sweep(photo, paintings, w, config, sweep.grid(style_weights=list(style_weights)), **kwargs)


def test_a_converged_tile_keeps_the_image_of_its_step_and_the_others_go_on(inputs):
    """sweep had no tolerance: every tile ran to --steps however little its last steps changed it."""
    jax.clear_caches()  # the step is memoized: other tests' sweeps of other shapes left their entries in it
    plain = _sweep(inputs)
    placed = NamedSharding(sweep.batch_mesh(), PartitionSpec(sweep.AXIS))
    step = batched.make_batched_step(transfer.optimizer(CONFIG), CONFIG, False, placed)  # the sweep's own
    compiled = step._cache_size()
    assert compiled == 1
    stopped = _sweep(inputs, tolerance=TOLERANCE)
    assert step._cache_size() == compiled  # stopping a tile changes no input's placement, so nothing compiles again
    assert stopped.steps.tolist() == [20, 40] and stopped.stopped.tolist() == [True, False] and stopped.ok.all()
    # The stopped tile is the picture of step 20 of the same batch, to the pixel, the other the picture of all 40.
    np.testing.assert_array_equal(stopped.images[0], _sweep(inputs, CONFIG.replace(steps=20)).images[0])
    np.testing.assert_array_equal(stopped.images[1], plain.images[1])
    assert not plain.stopped.any() and plain.steps.tolist() == [40, 40]


def test_the_sweep_ends_once_every_tile_has_converged(inputs):
    steps = []
    result = _sweep(inputs, style_weights=(1.0, 2.0), tolerance=TOLERANCE, callback=lambda i, carry: steps.append(i))
    assert result.steps.tolist() == [20, 30] and result.stopped.all() and steps[-1] == 30


def test_coarse_to_fine_stops_tiles_in_the_last_scale_only_so_the_image_is_full_size(inputs):
    """Any fall passes a tolerance of 0.9: the first test that compares two losses of the 24 px scale stops
    every tile, at step 40 (tested at 30 and 40); a test of the 22 px scale would stop them at its step 20."""
    config = CONFIG.replace(scales=(22, 24), scale_steps=(20, 30), steps=50)  # the 24 px step compiled above
    result = _sweep(inputs, config, tolerance=0.9)
    assert result.steps.tolist() == [40, 40] and result.stopped.all() and result.images.shape == (2, 18, 24, 3)


@pytest.mark.parametrize("steps, stopped, says", [
    ([40, 40], [False, False], "40 steps"),
    ([20], [True], "converged at step 20 of 40"),  # as stylize says of one run
    ([20, 40, 40], [True, False, False], "1 of 3 converged at step 20 of 40"),
    ([20, 30], [True, True], "all 2 converged at steps 20-30 of 40"),
    ([30, 30], [True, True], "all 2 converged at step 30 of 40"),
])
def test_the_summary_says_which_tiles_converged_and_where(steps, stopped, says):
    assert plateau.tiles_text(steps, stopped, 40) == says


def _cli_sweep(files, out, *extra):
    d, model = files
    return ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(out), "--model", model,
            "--size", "24", "--steps", "40", "--style-weight", "1,2", *extra]


def test_the_summary_records_and_info_command_keep_the_tolerance(files, tmp_path, monkeypatch, capsys):
    """The summary said "40 steps" and no record named a tolerance: `info --command` ran every tile 40 steps."""
    out = tmp_path / "g.png"
    code, printed, err = run_main(_cli_sweep(files, out, "--tolerance", str(TOLERANCE)), monkeypatch, capsys)
    assert code == 0, err
    assert "2 settings on 1 device, all 2 converged at steps 20-30 of 40, " in printed, printed
    tiles = [read_record(tmp_path / f"g-0{i}.png") for i in range(2)]
    assert [(t["steps"], t["stopped_at"], t["tolerance"]) for t in tiles] == [(20, 20, 0.05), (30, 30, 0.05)]
    assert read_record(out)["tolerance"] == 0.05 and "tolerance 0.05" in (tmp_path / "g.html").read_text()
    code, tile_command, err = run_main(["info", str(tmp_path / "g-00.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "--tolerance 0.05" in tile_command and "--steps 40" in tile_command, err
    assert "--tolerance may then stop it at another step" in err
    code, sheet_command, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    argv = shlex.split(sheet_command)
    assert code == 0 and argv[argv.index("--tolerance") + 1] == "0.05", err
    code, _, err = run_main([*argv[1:], "--quiet"], monkeypatch, capsys)  # the same batch: the same tiles
    assert code == 0, err
    for i in range(2):
        again = tmp_path / f"g-2-0{i}.png"
        assert read_record(again)["stopped_at"] == tiles[i]["stopped_at"]
        np.testing.assert_array_equal(np.asarray(Image.open(again)), np.asarray(Image.open(tmp_path / f"g-0{i}.png")))


def _sheet_labels(tmp_path, monkeypatch, size: int) -> list[str]:
    """The labels drawn under the tiles of a sheet (written to tmp_path/g.png) of two size x size tiles, style 1
    stopped by its test at step 20 and style 10 run to 40."""
    from jaxart import sheet

    drawn = []
    real = sheet.contact_sheet
    monkeypatch.setattr(sheet, "contact_sheet", lambda images, labels, *a, **k: (drawn.extend(labels),
                                                                                  real(images, labels, *a, **k))[1])
    sheet.write(tmp_path / "g.png", np.zeros((2, size, size, 3), np.float32), sweep.grid(style_weights=[1.0, 10.0]),
                CONFIG, {"steps": np.array([20, 40]), "tolerance": TOLERANCE}, stopped=[True, False])
    return drawn


def test_the_sheet_and_page_mark_a_converged_tile_as_stylize_says_of_a_run(tmp_path, monkeypatch):
    """Only the tile's record said that its test stopped it: under the tile on the sheet and the page it read as
    one that ran all 40 steps. It says so now in the words of stylize's summary, "converged at step 20 of 40"."""
    drawn = _sheet_labels(tmp_path, monkeypatch, 96)
    assert drawn == ["style 1  (converged at step 20 of 40)", "style 10"]
    html = (tmp_path / "g.html").read_text()
    assert "<figcaption>style 1 (converged at step 20 of 40)</figcaption>" in html
    assert "<figcaption>style 10</figcaption>" in html and html.count("converged") == 2  # style 1's caption and alt


def test_a_small_tile_says_where_its_test_stopped_it_whole(tmp_path, monkeypatch):
    """Under a 64 px tile (a --size 64 sweep) the sheet cut "(converged at step 20 of 40)" to "(conv… 40)": it says
    "(stopped at 20)" there now, in lines drawn whole, and the page keeps stylize's words."""
    from jaxart.sheet_draw import label_font, label_lines

    drawn = _sheet_labels(tmp_path, monkeypatch, 64)
    assert drawn == ["style 1  (stopped at 20)", "style 10"]
    lines = label_lines(drawn, label_font(64), 62)[0]
    assert " ".join(lines) == "style 1 (stopped at 20)" and not any("…" in line for line in lines), lines
    assert "<figcaption>style 1 (converged at step 20 of 40)</figcaption>" in (tmp_path / "g.html").read_text()


@pytest.mark.parametrize("value, says", [("-0.01", "negative"), ("nan", "not a finite number"),
                                         ("inf", "not a finite number"), ("1", "stops every run at once")])
def test_a_bad_tolerance_is_one_line_and_writes_nothing(value, says, files, tmp_path, monkeypatch, capsys):
    code, _, err = run_main(_cli_sweep(files, tmp_path / "g.png", "--tolerance", value), monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 0 and says in err and "--tolerance 0.001" in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_help_says_each_tile_stops_on_its_own(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    shown = " ".join(CliRunner().invoke(cli.app, ["sweep", "--help"]).output.split())
    assert "Stop each tile on its own once its picture has converged" in shown
    assert "the sweep ends once every tile has stopped" in shown
