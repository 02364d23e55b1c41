"""At --style-weight 0 the style term is off, as asked: all-zero --style-layer-weights change nothing, so stylize
and a sweep accept them (they were refused with advice to give --style-weight 0, which the user had given). Above
0 they still leave no style and are refused."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from conftest import run_main, write_tiny_job, stylize_argv

ZEROS = "0,0,0,0,0"  # one per default style layer, relu1_1 ... relu5_1


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("zero-style"))


def _sweep(files, out, *extra) -> list[str]:
    return ["sweep", *stylize_argv(files, out, "--steps", "1", *extra)[1:]]


def test_stylize_at_style_weight_0_takes_all_zero_layer_weights_and_paints_as_without_them(files, tmp_path,
                                                                                            monkeypatch, capsys):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert run_main(stylize_argv(files, a, "--style-weight", "0"), monkeypatch, capsys)[0] == 0
    code, _, err = run_main(stylize_argv(files, b, "--style-weight", "0", "--style-layer-weights", ZEROS),
                            monkeypatch, capsys)
    assert code == 0, err
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))  # the weights changed nothing


def test_all_zero_layer_weights_above_style_weight_0_are_still_refused(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "o.png"
    code, _, err = run_main(stylize_argv(files, out, "--style-weight", "1", "--style-layer-weights", ZEROS),
                            monkeypatch, capsys)
    assert (code, out.exists(), len(err.splitlines())) == (2, False, 1), err
    assert "are all 0, which leaves no style" in err and "(or --style-weight 0 for no style)" in err, err


def test_a_sweep_at_style_weight_0_takes_all_zero_layer_weights(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "sheet.png"
    code, _, err = run_main(_sweep(files, out, "--style-weight", "0", "--style-layer-weights", ZEROS),
                            monkeypatch, capsys)
    assert code == 0 and out.exists(), err


def test_a_sweep_of_layer_weights_at_style_weight_0_is_refused_as_identical_tiles(files, tmp_path, monkeypatch,
                                                                                 capsys):
    """It said "weighs every style layer 0, which leaves no style; ... (or --style-weight 0 for no style)": what the
    user had done, and the other alternative, 1,1,1,1,1, would have painted the same tile."""
    out = tmp_path / "sheet.png"
    code, _, err = run_main(_sweep(files, out, "--style-weight", "0", "--style-layer-weights", f"1,1,1,1,1;{ZEROS}"),
                            monkeypatch, capsys)
    assert (code, out.exists(), len(err.splitlines())) == (2, False, 1), err
    assert "--style-weight 0 for" not in err and "2 alternatives would give identical tiles" in err, err


def test_a_library_sweep_checks_the_config_s_layer_weights_with_each_setting_s_style_weight():
    """The config's own style weight (default 10) is replaced by each setting's: it refused a grid of style 0."""
    from jaxart import StyleConfig, sweep
    from jaxart.errors import InputError

    config = StyleConfig(style_layer_weights=(0,) * 5)
    sweep.check(config, sweep.grid([0.0], [1.0, 2.0]))
    with pytest.raises(InputError, match=r"^the setting style 10: style layer weights are all 0, which leaves no"):
        sweep.check(config, sweep.grid([0.0, 10.0]))


@pytest.mark.parametrize("grid, apart", [
    (dict(style_weights=[0.0], style_scales=[0.5, 1.0]), "the style scale changes nothing, so the settings style 0, "
     "style scale 0.5 and style 0, style scale 1 would give identical images; give one style scale, or a style "
     "weight above 0"),
    (dict(style_weights=[0.0], paintings=[0, 1]), "the painting changes nothing, so the settings style 0, painting 0 "
     "and style 0, painting 1 would give identical images; give one painting"),
    (dict(style_weights=[0.0], style_layer_weights=[[1] * 5, [1, 0, 0, 0, 0]]), "the style layer weights change "
     "nothing, so the settings style 0, style layer weights 1,1,1,1,1 and style 0, style layer weights 1,0,0,0,0"),
    # Mixed: the two tiles at style 10 differ, the two at 0 would not; weight 0 wants a run of its own.
    (dict(style_weights=[0.0, 10.0], style_scales=[0.5, 1.0]), "style scale 1 would give identical images; leave "
     "style weight 0 out of this sweep and run it apart, with one style scale"),
])
def test_a_library_sweep_at_style_weight_0_refuses_settings_only_the_style_term_tells_apart(tiny_vgg16, grid, apart):
    """Their tiles were pixel-identical (32 px, 2 steps, vgg16-hed: a style scale 0.5,1, two paintings, two sets of
    layer weights), run without a word."""
    from jaxart import StyleConfig, sweep
    from jaxart.errors import InputError

    photo, paintings = np.full((24, 32, 3), 0.5, np.float32), [np.zeros((16, 16, 3), np.float32)] * 2
    with pytest.raises(InputError, match=r"^at style weight 0 the style term is off and ") as e:
        sweep.sweep(photo, paintings, tiny_vgg16, StyleConfig(size=32, steps=1), sweep.grid(**grid))
    assert apart in str(e.value), e.value


def test_style_weight_0_once_beside_a_swept_style_scale_is_one_run_each():
    """The way the refusal gives to sweep it: style weight 0 once, the style scales only above 0."""
    from jaxart import StyleConfig, sweep

    sweep.check(StyleConfig(size=32), sweep.grid([10.0], style_scales=[0.5, 1.0]) + sweep.grid([0.0]))


@pytest.mark.parametrize("extra, said", [
    (["--style-weight", "0,10", "--style-scale", "0.5,1"], "the settings style 0, --style-scale 0.5 and style 0, "
     "--style-scale 1 would give identical images; leave --style-weight 0 out of this sweep"),
    # The paintings as typed files, by the names their tiles' labels give them, not "painting 0", no one typed.
    (["--style-weight", "0", "--each-painting"], "the painting of each tile (--each-painting) changes nothing, so "
     "the settings style 0, painting paint and style 0, painting other would give identical images; give one "
     "painting, or a --style-weight above 0"),
    (["--style-weight", "0,10", "--each-painting"], "the settings style 0, painting paint and style 0, painting "
     "other would give identical images; leave --style-weight 0 out of this sweep and run it apart, with one painting"),
])
def test_a_cli_sweep_at_style_weight_0_refuses_tiles_only_the_style_term_tells_apart(files, tmp_path, monkeypatch,
                                                                                    capsys, extra, said):
    d, _ = files
    other = tmp_path / "other.png"
    Image.fromarray(np.full((20, 20, 3), 200, np.uint8)).save(other)
    out = tmp_path / "sheet.png"
    argv = _sweep(files, out, *extra)
    argv.insert(argv.index(str(d / "paint.png")) + 1, str(other))  # a second painting
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert (code, out.exists(), len(err.splitlines())) == (2, False, 1), err
    assert err.startswith("error: at --style-weight 0 the style term is off and ") and said in err, err


def test_an_each_painting_refusal_tells_two_paintings_of_one_name_apart_as_their_labels_do(files, tmp_path,
                                                                                           monkeypatch, capsys):
    """Two folders' paint.png: by name both "painting paint", which says nothing; by path, as the tiles' labels."""
    d, _ = files
    other = tmp_path / "paint.png"
    Image.fromarray(np.full((20, 20, 3), 200, np.uint8)).save(other)
    argv = _sweep(files, tmp_path / "sheet.png", "--style-weight", "0", "--each-painting")
    argv.insert(argv.index(str(d / "paint.png")) + 1, str(other))
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and f"painting {d / 'paint.png'} and style 0, painting {other} would give" in err, err


@pytest.mark.parametrize("command, weights", [("stylize", "0"), ("sweep", "0"), ("sweep", "0,1")])
def test_a_style_scale_at_style_weight_0_is_warned_about(command, weights, files, tmp_path, monkeypatch, capsys):
    """--style-weight 0 --style-scale 0.5 gave the very pixels of --style-scale 1 without a word; so in a sweep whose
    style weights are all 0 (where one is not, its tiles take it)."""
    argv = [command, *stylize_argv(files, tmp_path / "o.png", "--style-weight", weights, "--style-scale", "0.9",
                                   "--dry-run")[1:]]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    assert ("warning: --style-scale has no effect with --style-weight 0: the style term is off, so nothing of the "
            "painting is taken; give --style-weight above 0 for its style" in err) == (weights == "0"), err


@pytest.mark.parametrize("extra, said", [
    (["--colors", "match-pca"], "--colors match-pca has"),
    (["--colors", "match-sym", "--style-layers", "relu1_1"], "--style-layers and --colors match-sym have"),
    (["--colors", "luminance", "--no-match-luminance"], "--no-match-luminance has"),
    (["--colors", "luminance"], None), (["--colors", "keep"], None),  # the photo's chroma put back: the output's own
])
def test_the_painting_s_colours_at_style_weight_0_are_warned_about(extra, said, files, tmp_path, monkeypatch, capsys):
    """--colors match-pca recolours the painting, which --style-weight 0 does not read: the very pixels of --colors
    style (as --no-match-luminance, its luminance unscaled, those of --colors luminance) without a word."""
    code, out, err = run_main(stylize_argv(files, tmp_path / "o.png", "--style-weight", "0", *extra, "--dry-run"),
                              monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    assert err == (f"warning: {said} no effect with --style-weight 0: the style term is off, so nothing of the "
                   "painting is taken; give --style-weight above 0 for its style" if said else ""), err


def test_colors_match_at_style_weight_0_paints_as_colors_style(files, tmp_path, monkeypatch, capsys):
    """What the warning says: the same pixels (--colors luminance gave other ones, 86 of 255 apart)."""
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    for out, colors in ((a, "style"), (b, "match-chol")):
        code, _, err = run_main(stylize_argv(files, out, "--style-weight", "0", "--colors", colors), monkeypatch,
                                capsys)
        assert code == 0, err
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


@pytest.mark.parametrize("command, weights", [("stylize", "0"), ("stylize", "10"), ("sweep", "0"), ("sweep", "0,10")])
@pytest.mark.parametrize("scale, said", [("0.9", "turn into a blocky grid"), ("3", "which blurs its strokes away")])
def test_at_style_weight_0_no_warning_says_how_the_painting_would_paint(command, weights, scale, said, files, tmp_path,
                                                                        monkeypatch, capsys):
    """--style-weight 0 --style-scale 0.9 said the strokes would turn into a blocky grid (and 3, that the painting
    enlarged blurs its strokes away) beside the warning that the style scale has no effect: no painting is read."""
    argv = [command, *stylize_argv(files, tmp_path / "o.png", "--style-weight", weights, "--style-scale", scale,
                                   "--dry-run")[1:]]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    assert (said in err) == (weights != "0"), err
