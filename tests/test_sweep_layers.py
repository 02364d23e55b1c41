"""Sweeps over style layer weights (`--style-layer-weights "1,1;1,0;0,1"`, `grid(style_layer_weights=...)`):
the parse, one batched program whose tiles are stylize runs with those weights, labels, and records that
reproduce a tile and the sheet."""

import shlex

import jax
import numpy as np
import pytest
import typer

import jaxart
from jaxart import batched, captions, sheet, sweep
from jaxart_cli import sweep_values as cli_sweep_values

from conftest import run_main, write_tiny_job
from test_sweep import CONFIG, _inputs
from test_sweep_compiles import _recorded

LAYERS = CONFIG.style_layers  # relu1_1, relu2_1
CONFIG = CONFIG.replace(style_weight=1000.0)  # enough style that the layers' difference shows


@pytest.mark.parametrize("texts, want", [
    (["1,1;1,0;0,1"], ((1.0, 1.0), (1.0, 0.0), (0.0, 1.0))),
    (["1,1;1,0", "0,1"], ((1.0, 1.0), (1.0, 0.0), (0.0, 1.0))),  # repeated: its alternatives add up
    ([" 1, 2 ; 0,1 "], ((1.0, 2.0), (0.0, 1.0))),
    (["3,1"], ((3.0, 1.0),)),  # one: the config's, as before it was swept (and checked as the config's)
    (["1"], ((1.0,),)),
    (None, ()),
])
def test_alternatives_are_parsed_from_semicolons_and_repeats(texts, want):
    assert cli_sweep_values.layer_weights(texts, LAYERS) == want


@pytest.mark.parametrize("texts, says", [
    (["1,1;1,0,0"], "alternative 2 of 2, '1,0,0', gives 3 weights for 2 style layers (relu1_1, relu2_1); give one "
                    "weight per style layer, in that order, and ';' between alternatives"),
    (["1,1;"], "alternative 2 of 2 is empty; give one weight per style layer, comma-separated, and ';' only"),
    (["1,1;2,2"], "'2,2' weighs the layers as '1,1' does (a run scales them to sum to 1); each alternative"),
    (["1,0", "1,0"], "'1,0' is listed twice"),
])
def test_a_wrong_alternative_is_named(texts, says):
    with pytest.raises(typer.BadParameter) as e:
        cli_sweep_values.layer_weights(texts, LAYERS)
    assert says in str(e.value)


def test_a_wrong_count_is_one_line_before_any_work(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path, "vgg16")
    code, out, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "-o",
                               str(tmp_path / "g.png"), "--style-layer-weights", "1,1,1,1,1;0,0,0,1"],
                              monkeypatch, capsys)
    assert code == 2 and out == "" and err.count("\n") == 0 and "Traceback" not in err, err
    assert "--style-layer-weights: alternative 2 of 2, '0,0,0,1', gives 4 weights for 5 style layers" in err
    assert not list(tmp_path.glob("g*"))


@pytest.fixture(scope="module")
def layered(tiny_vgg16):
    """One batched sweep of three layer weightings, and the step programs it made (one per scale)."""
    made = []
    jax.clear_caches()  # the step is memoized, as in test_sweep_compiles
    undo = _recorded(batched, "make_batched_step", made)
    try:
        grid = sweep.grid([1000.0], style_layer_weights=[[1, 1], [1, 0], [0, 1]])
        return sweep.sweep(*_inputs(), tiny_vgg16, CONFIG, grid), made
    finally:
        undo()


def test_a_tile_with_a_layer_off_is_the_run_with_that_layers_weight_0(layered, tiny_vgg16):
    result, made = layered
    content, style = _inputs()
    assert [s.style_layer_weights for s in result.settings] == [(1.0, 1.0), (1.0, 0.0), (0.0, 1.0)]
    for i, weights in [(1, (1.0, 0.0)), (2, (0.0, 1.0))]:  # each run compiles anew: its layer weights are static
        alone = jaxart.run(content, [style], weights=tiny_vgg16, config=CONFIG.replace(style_layer_weights=weights))
        np.testing.assert_allclose(result.images[i], alone.image, atol=2e-5)
        np.testing.assert_allclose(result.terms["style"][i], alone.terms["style"], rtol=1e-4)
    # Not one image three times: each layer alone paints its own, and all in one program.
    assert np.abs(result.images[1] - result.images[2]).mean() > 0.01
    assert np.abs(result.images[0] - result.images[1]).mean() > 0.005
    assert [step._cache_size() for step in made] == [1]


def test_weights_that_weigh_alike_are_one_run_and_refused(tiny_vgg16):
    grid = sweep.grid([10.0], style_layer_weights=[[1, 1], [2, 2]])
    with pytest.raises(jaxart.InputError, match="style layer weights 2,2 is the same as the setting style 10, content 1, tv 10, "
                                               "style layer weights 1,1, which would give two identical images"):
        sweep.check(CONFIG, grid)
    with pytest.raises(jaxart.InputError, match="^style-layer-weights has "
                                               "1 weight for 2 style layers"):  # the set it says, named once
        sweep.check(CONFIG, sweep.grid([10.0], style_layer_weights=[[1], [1, 1]]))
    # A record's JSON lists are taken as tuples, which the checks hash.
    (s,) = sweep.as_settings([sweep.Setting(10, 1, 10, 0, None, None, [0, 1])])
    assert s.style_layer_weights == (0.0, 1.0)


@pytest.mark.parametrize("weights, label, unnamed", [
    ((1, 1), "layers all", "layers 1,1"), ((0, 1), "layers relu2_1", "layers 0,1"),
    ((2, 0), "layers relu1_1", "layers 2,0"), ((1, 0.5), "layers 1,0.5", "layers 1,0.5"),
])
def test_a_label_names_the_layers_that_are_on(weights, label, unnamed):
    """Where the layers are not known (a failed tile's line), the weights as given."""
    settings = sweep.grid([10.0], style_layer_weights=[weights, (1, 0.25)])
    assert captions.labels(settings, layers=LAYERS)[0][0] == label
    assert captions.text(settings[0], ["style_layer_weights"]) == unnamed


def test_tiles_labels_and_records_say_their_layer_weights(layered, tmp_path):
    result, _ = layered
    paths = sheet.write(tmp_path / "g.png", result.images, result.settings, CONFIG, {"steps": result.steps})
    page = paths[1].read_text()
    for label in ("layers all", "layers relu1_1", "layers relu2_1"):
        assert f"<figcaption>{label}</figcaption>" in page
    assert jaxart.read_record(paths[3])["config"]["style_layer_weights"] == [1.0, 0.0]
    assert jaxart.read_record(paths[0])["sweep"][2]["style_layer_weights"] == [0.0, 1.0]


# CONFIG as options: the sweeps and the tile's run below reuse `layered`'s programs and the runs of the first test.
_AS_CONFIG = ["--size", "16", "--steps", "4", "--init", "random", "--content-layers", "relu2_1",
              "--style-layers", "relu1_1,relu2_1", "--style-weight", "1000"]


def test_info_command_remakes_a_tile_and_the_sheet(tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path, "vgg16")
    out = d / "g.png"
    code, _, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--model", model, "-o", str(out),
                             *_AS_CONFIG, "-q", "--style-layer-weights", "1,1;0,1", "--style-layer-weights", "1,0"],
                            monkeypatch, capsys)
    assert code == 0, err
    code, printed, err = run_main(["info", str(d / "g-01.png"), "--command"], monkeypatch, capsys)
    argv = shlex.split(printed)
    assert code == 0 and argv[argv.index("--style-layer-weights") + 1] == "0,1", printed
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)  # as printed: the run of that tile
    assert code == 0, err
    tile, again = (jaxart.read_record(d / n) for n in ("g-01.png", "g-01-2.png"))
    assert again["config"] == tile["config"] and tile["config"]["style_layer_weights"] == [0.0, 1.0]
    np.testing.assert_allclose(jaxart.load_image(d / "g-01-2.png"), jaxart.load_image(d / "g-01.png"), atol=2 / 255)
    code, printed, err = run_main(["info", str(out), "--command"], monkeypatch, capsys)
    argv = shlex.split(printed)
    assert code == 0 and argv[argv.index("--style-layer-weights") + 1] == "1,1;0,1;1,0", printed
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert jaxart.read_record(d / "g-2.png")["sweep"] == jaxart.read_record(out)["sweep"]
    for i in range(3):  # the same batch, so the same pixels
        assert np.array_equal(jaxart.load_image(d / f"g-{i:02d}.png"), jaxart.load_image(d / f"g-2-{i:02d}.png")), i
