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
