"""A sweep's refusal of one of its settings says each value once: the value the line is about names the setting
("--style-weight must be ..., got 1e31"), and "the setting ..." before it only names what else tells that setting
from the others (`sweep_checks.at_fault`). It read "the setting style 1e31, content 1, tv 10: --style-weight must
be ..., got 1e31": the value twice, and weights every setting shares (or a seed none was swept). A setting listed
twice, or an all-zero --style-layer-weights alternative, is named in words or by its place; a library caller's
bad tolerance is told in library words."""

from __future__ import annotations

import numpy as np
import pytest

import jaxart

from conftest import run_main, write_tiny_job
from jaxart import StyleConfig, model_choice, sweep
from jaxart.errors import InputError

CONFIG = StyleConfig(size=16, steps=4, init="random")
FINITE = "must be a finite number >= 0 (at most 1e30), got"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("refusals"))


def _refused(options, files, tmp_path, monkeypatch, capsys) -> str:
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a: pytest.fail("refused only after the weights loaded"))
    out = tmp_path / "o.png"
    code, stdout, err = run_main(["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model",
                                  model, "--size", "32", "--steps", "1", "--quiet", *options], monkeypatch, capsys)
    assert (code, stdout, out.exists(), len(err.splitlines())) == (2, "", False, 1), err
    return err.strip()


@pytest.mark.parametrize("options, expected", [
    (["--style-weight", "1e31"], f"--style-weight {FINITE} 1e31"),
    (["--style-weight", "1,1e31"], f"--style-weight {FINITE} 1e31"),
    (["--style-weight", "1e31", "--content-weight", "1,2"], f"--style-weight {FINITE} 1e31"),
    (["--content-weight", "-1,1"], f"--content-weight {FINITE} -1"),
    (["--style-weight", "1e31", "--content-weight", "-1,1"], f"--content-weight {FINITE} -1"),
    (["--tv-weight", "nan", "--style-weight", "1,10"], f"--tv-weight {FINITE} nan"),
    (["--seed", "0,99999999999999999999", "--init", "random"],
     "--seed must be a whole number that fits in 64 bits, got 99999999999999999999"),
    (["--style-scale", "1,1e31"], "--style-scale must be a finite number above 0 (at most 1e30), got 1e31"),
    (["--style-weight", "1,1e31", "--style-scale", "0.5,1"], f"--style-weight {FINITE} 1e31"),
    (["--style-weight", "0,1", "--content-weight", "0", "--tv-weight", "0"],
     "--content-weight, --style-weight and --tv-weight are all 0, so nothing would change the starting image; give "
     "--style-weight above 0 (default 10)"),
])
def test_a_refused_setting_is_named_once(options, expected, files, tmp_path, monkeypatch, capsys):
    assert _refused(options, files, tmp_path, monkeypatch, capsys) == f"error: {expected}"


def test_the_setting_is_named_by_what_tells_it_from_the_others():
    """Where the refusal does not say the value at fault, the setting is named by it, and by the swept values that
    the refusal is about: not the weights every setting shares."""
    with pytest.raises(InputError) as e:  # which of the alternatives: the one of 4 weights
        sweep.check(StyleConfig(), sweep.grid([10.0], style_layer_weights=[[1] * 5, [1] * 4]))
    assert str(e.value).startswith("the setting style layer weights 1,1,1,1: style-layer-weights has 4 weights for "
                                   "5 style layers"), e.value
    with pytest.raises(InputError) as e:  # the style weight is part of the refusal's advice, and swept
        sweep.check(StyleConfig(), sweep.grid([1.0, 10.0], style_layer_weights=[[1] * 5, [0] * 5]))
    assert str(e.value).startswith("the setting style 1: style layer weights are all 0, which leaves no style"), e.value
    assert e.value.settings == ("style_layer_weights", "style_weight")


@pytest.mark.parametrize("alternatives, where", [("1,1,1,1,1;0,0,0,0,0", "alternative 2 of 2, '0,0,0,0,0'"),
                                                 ("0, 0,0,0,0;1,1,1,1,1", "alternative 1 of 2, '0, 0,0,0,0'")])
def test_an_all_zero_layer_weights_alternative_is_named_by_its_place(alternatives, where, files, tmp_path,
                                                                      monkeypatch, capsys):
    """It read "the setting style 10, content 1, tv 10: --style-layer-weights are all 0": which of them?"""
    line = _refused(["--style-layer-weights", alternatives], files, tmp_path, monkeypatch, capsys)
    assert f"--style-layer-weights: {where}, weighs every style layer 0, which leaves no style" in line, line


def test_a_library_grid_names_the_all_zero_layer_weights_it_refuses():
    with pytest.raises(InputError) as e:
        sweep.check(StyleConfig(), sweep.grid([10.0], style_layer_weights=[[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]))
    assert str(e.value).startswith("style layer weights are all 0"), e.value  # which of them: the one all 0
    with pytest.raises(InputError) as e:  # the values it echoes itself are said once
        sweep.check(StyleConfig(), sweep.grid([10.0], style_layer_weights=[[1, 1, 1, 1, 1], [-1, 1, 1, 1, 1]]))
    assert str(e.value).count("-1,1,1,1,1") == 1, e.value


def test_a_setting_listed_twice_is_named_in_words():
    """It read "the setting Setting(style_weight=10, ...) is listed twice": Python's repr, not the words the other
    sweep refusals use."""
    twice = [sweep.Setting(10, 1, 10), sweep.Setting(1, 1, 10), sweep.Setting(10, 1, 10)]
    with pytest.raises(jaxart.InputError) as e:
        sweep.check(CONFIG, twice)
    assert str(e.value) == ("the setting style 10, content 1, tv 10 is listed twice, which would give two identical "
                            "images; list each setting once")


def test_a_refused_setting_names_a_seed_only_where_one_was_swept():
    """It read "the setting style -1, content 1, tv 10, seed 0: ...": a seed the user never gave."""
    with pytest.raises(jaxart.InputError, match=r"^style-weight must"):  # the value it says names the setting
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10)])
    with pytest.raises(jaxart.InputError, match=r"^style-weight must"):
        sweep.check(CONFIG, [sweep.Setting(-1, 1, 10), sweep.Setting(-1, 1, 10, 1)])


def test_a_bad_tolerance_says_library_words_to_a_library_caller(tiny_vgg16):
    """It told a caller of jaxart.sweep (or stylize_files) "e.g. --tolerance 0.001", a flag it has no use for;
    the CLI's line names the flag (jaxart_cli.errors: `naming`), as test_tolerance checks of stylize."""
    from jaxart_cli.options import FLAGS

    image = np.zeros((16, 16, 3), np.float32)
    with pytest.raises(jaxart.InputError) as e:
        sweep.sweep(image, image, tiny_vgg16, CONFIG, [sweep.Setting(10, 1, 10)], tolerance=-1)
    assert "e.g. tolerance=0.001 (stop" in str(e.value) and "--" not in str(e.value), e.value
    assert e.value.naming(FLAGS).startswith("--tolerance -1 is negative: ")
    assert "e.g. --tolerance 0.001 (stop" in e.value.naming(FLAGS)


@pytest.mark.parametrize("alternatives, style_weights, says", [
    ([(1, 1), (1, 0, 0)], (10.0,), "alternative 2 of 2, '1,0,0', gives 3 weights for 2 style layers (relu1_1, "
                                   "relu2_1); give one weight per style layer, in that order"),
    ([(1, 1), (0, 0)], (10.0,), "alternative 2 of 2, '0,0', weighs every style layer 0, which leaves no style"),
    ([(1, 1), (2, 2)], (10.0,), "'2,2' weighs the layers as '1,1' does (a run scales them to sum to 1)"),
    ([(1, 1), (1, 0)], (0.0,), "at style-weight 0 the style layer weights change nothing, so the 2 alternatives"),
])
def test_a_library_caller_s_layer_weight_alternatives_are_named_in_library_words(alternatives, style_weights, says):
    """The checks behind --style-layer-weights' alternatives, for another front end: each named by its weights
    where no text is given, no ';' of the command line in the advice, the style weight as the library names it."""
    from jaxart.sweep_checks import check_layer_weights

    with pytest.raises(InputError) as e:
        check_layer_weights(alternatives, ("relu1_1", "relu2_1"), style_weights)
    assert str(e.value).startswith(says) and "';'" not in str(e.value) and "--" not in str(e.value), e.value
    check_layer_weights(alternatives[:1], ("relu1_1", "relu2_1"), style_weights)  # one alone: the config's check
