"""A refusal echoes a number as a command line writes it (1e31, not Python's 1e+31), a sweep value given twice
as the user typed both (1 and 1.0), an all-zero --style-layer-weights alternative by its place, and an edited
record's bad setting by the option `info --command` would print."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_main, write_tiny_job
from jaxart import StyleConfig, model_choice, sweep
from jaxart.errors import InputError, listed
from jaxart.output import save_image


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("audit45"))


def _refused(command, options, files, tmp_path, monkeypatch, capsys) -> str:
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", lambda *a: pytest.fail("refused only after the weights loaded"))
    out = tmp_path / "o.png"
    code, stdout, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model",
                                  model, "--size", "32", "--steps", "1", "--quiet", *options], monkeypatch, capsys)
    assert (code, stdout, out.exists(), len(err.splitlines())) == (2, "", False, 1), err
    return err.strip()


def test_a_number_is_echoed_as_a_command_line_writes_it():
    """Python's repr: 1e+31 for the 1e31 typed, 1e-05 for 1e-5."""
    from jaxart.errors import as_typed

    assert [as_typed(v) for v in (1e31, -1e31, 1e-5, 2.5e-7, 1.5e300, 10.0, -0.0, 0.5)] == [
        "1e31", "-1e31", "1e-5", "2.5e-7", "1.5e300", "10", "-0", "0.5"]
    assert listed([0.0, 0.5, 1e31, float("nan"), np.float32(2.0)]) == "0,0.5,1e31,nan,2"
    for v in (1e31, 1e-5, 2.5e-7, 0.1 + 0.2, 123456789.0):  # exact: the value the user gave, read back
        assert float(as_typed(v)) == v


@pytest.mark.parametrize("command, options, expected", [
    ("stylize", ["--style-weight", "1e31"], "error: --style-weight must be a finite number >= 0 (at most 1e30), got 1e31"),
    ("sweep", ["--style-weight", "1,1e31"], "error: --style-weight must be a finite number >= 0 (at most 1e30), got 1e31"),
    ("sweep", ["--style-blend", "1e31"], "error: --style-blend must be a finite number >= 0 (at most 1e30), got 1e31"),
    ("sweep", ["--style-scale", "1,1e-5"], "error: --style-scale 1e-5 makes the painting 0 px at --size 32; VGG needs "
                                           "at least 16, so use --style-scale >= 0.5"),
])
def test_the_cli_echoes_an_exponent_as_typed(command, options, expected, files, tmp_path, monkeypatch, capsys):
    assert _refused(command, options, files, tmp_path, monkeypatch, capsys) == expected


@pytest.mark.parametrize("options, said", [
    (["--style-weight", "1,1.0"], "1 and 1.0 are the same value"),  # "1 is listed twice": the 1.0 typed unseen
    (["--style-weight", "1", "--style-weight", "1.0"], "1 and 1.0 are the same value"),
    (["--tv-weight", "10,1e1"], "10 and 1e1 are the same value"),
    (["--seed", "1,01"], "1 and 01 are the same value"),
    (["--seed", "1,2,1"], "1 is listed twice"),
])
def test_a_sweep_value_given_twice_is_named_as_typed(options, said, files, tmp_path, monkeypatch, capsys):
    line = _refused("sweep", options, files, tmp_path, monkeypatch, capsys)
    assert line.endswith(f"{options[0]}: {said}; each value makes its own tiles, so list each once"), line


@pytest.mark.parametrize("alternatives, where", [("1,1,1,1,1;0,0,0,0,0", "alternative 2 of 2, '0,0,0,0,0'"),
                                                 ("0, 0,0,0,0;1,1,1,1,1", "alternative 1 of 2, '0, 0,0,0,0'")])
def test_an_all_zero_layer_weights_alternative_is_named_by_its_place(alternatives, where, files, tmp_path,
                                                                      monkeypatch, capsys):
    """It read "the setting style 10, content 1, tv 10: --style-layer-weights are all 0": which of them?"""
    line = _refused("sweep", ["--style-layer-weights", alternatives], files, tmp_path, monkeypatch, capsys)
    assert f"--style-layer-weights: {where}, weighs every style layer 0, which leaves no style" in line, line


def test_a_library_grid_names_the_all_zero_layer_weights_it_refuses():
    with pytest.raises(InputError) as e:
        sweep.check(StyleConfig(), sweep.grid([10.0], style_layer_weights=[[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]))
    assert str(e.value).startswith("style layer weights are all 0"), e.value  # which of them: the one all 0
    with pytest.raises(InputError) as e:  # the values it echoes itself are said once
        sweep.check(StyleConfig(), sweep.grid([10.0], style_layer_weights=[[1, 1, 1, 1, 1], [-1, 1, 1, 1, 1]]))
    assert str(e.value).count("-1,1,1,1,1") == 1, e.value


@pytest.mark.parametrize("field, value, says", [("size", -5, "(--size must be a positive integer"),
                                                ("learning_rate", float("nan"), "(--learning-rate must be a finite number")])
def test_info_command_names_an_edited_records_setting_by_its_option(field, value, says, files, tmp_path,
                                                                     monkeypatch, capsys):
    """It said "size must be ..." where the tolerance beside it read "--tolerance 0.001": the command's words."""
    d, _ = files
    record = {"jaxart": "0.2.0", "arch": "vgg19", "model": "vgg19", "config": {**StyleConfig().to_dict(), field: value},
              "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")]}}
    save_image(tmp_path / "out.png", np.zeros((4, 4, 3)), record)
    code, out, err = run_main(["info", str(tmp_path / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 2 and out == "" and says in err and "edited or damaged" in err, err
