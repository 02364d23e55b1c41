"""A refusal echoes a value as the user typed it (`--style-blend 0,0`, not Python's `[0.0, 0.0]`; 1e31, not 1e+31; a
sweep value given twice as both were typed, 1 and 1.0), quotes it ('sgd', 'direct') where the option's name stays bare,
in click's lines and the config's alike, and names each flag once; a library caller reads its own words
(overwrite=True), the CLI its flags (--overwrite), from the same refusal. The CLI runs through
`jaxart_cli.errors.run` (`run_main`), which writes a refusal's settings as flags."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_main, unless_given, write_tiny_job
from jaxart import StyleConfig, job, model_choice, sweep
from jaxart.errors import InputError, listed


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("echo"))


def _stop_before_weights(*args):
    raise AssertionError("the refusal should come before the weights load")


def _line(command, options, files, tmp_path, monkeypatch, capsys, paintings=1) -> str:
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    out = tmp_path / "o.png"
    code, stdout, err = run_main([command, str(d / "photo.jpg"), *[str(d / "paint.png")] * paintings, "-o", str(out),
                                  "--model", model, *unless_given(options, "--size", "32", "--steps", "1"), "--quiet",
                                  *options], monkeypatch, capsys)
    assert (code, stdout, out.exists(), len(err.splitlines())) == (2, "", False, 1), err
    return err


# (options, paintings, the start of the line: the flag and what was typed after it, as typed)
TYPED = {
    "blend all 0": (["--style-blend", "0,0"], 2,
                    "error: --style-blend 0,0 has no weight above 0, which leaves no style"),
    "blend negative": (["--style-blend", "1,-1"], 2,
                       "error: --style-blend 1,-1: -1 is not a finite number >= 0 (at most 1e30)"),
    "layer weights nan": (["--style-layer-weights", "1,nan,1,1,1"], 1, "error: --style-layer-weights 1,nan,1,1,1: nan "
                          "is not a finite number >= 0 (at most 1e30)"),
    "scales decrease": (["--scales", "32,16"], 1, "error: --scales 32,16 must increase, e.g. 256,512,1024"),
    "a scale's steps 0": (["--scales", "16,32", "--steps", "10,0"], 1, "error: --steps 10,0: 0 is not a positive "
                          "integer up to 2147483647"),
    "style scale 0": (["--style-scale", "0"], 1, "error: --style-scale must be a finite number above 0 (at most 1e30), "
                      "got 0"),
}


@pytest.mark.parametrize("case", sorted(TYPED))
def test_stylize_echoes_a_value_as_it_was_typed(case, files, tmp_path, monkeypatch, capsys):
    options, paintings, start = TYPED[case]
    line = _line("stylize", options, files, tmp_path, monkeypatch, capsys, paintings)
    assert line.startswith(start) and "[" not in line and ".0" not in line, line


def test_listed_writes_numbers_as_a_command_line_lists_them():
    from jaxart.errors import listed

    assert listed([0.0, 0.5, 1e31, float("nan"), -1.0, np.float32(2.0), np.int64(3), 7]) == "0,0.5,1e31,nan,-1,2,3,7"
    assert listed(["a", True]) == "'a',True"  # not numbers: as Python writes them, for a library caller


@pytest.mark.parametrize("options, flag, value", [
    (["--seed", "99999999999999999999"], "--seed", "99999999999999999999"),
    (["--seed", "1,-99999999999999999999", "--init", "random"], "--seed", "-99999999999999999999"),
    (["--style-layer-weights", "1,1,1,1,1;0,0,0,0,0"], "--style-layer-weights", None),
    (["--style-scale", "0.5,1e31"], "--style-scale", "1e31"),
])
def test_sweep_names_the_flag_of_a_bad_grid_value_once(options, flag, value, files, tmp_path, monkeypatch, capsys):
    """It read "the setting style 10, content 1, tv 10, --seed 999...: --seed must be ... got 999...": the flag
    twice."""
    line = _line("sweep", options, files, tmp_path, monkeypatch, capsys)
    assert line.count(flag) == 1 and (value is None or line.count(value) == 1), line
    assert line.startswith("error: ") and "[" not in line, line


def test_a_library_grid_refusal_names_the_setting_once_in_its_own_words():
    with pytest.raises(InputError) as e:
        sweep.check(StyleConfig(init="random"), sweep.grid([10.0], seeds=[0, 2**64]))
    assert str(e.value) == f"seed must be a whole number that fits in 64 bits, got {2**64}"  # the seed it says names it
    assert e.value.naming({"seed": "--seed"}).count("--seed") == 1


def test_a_library_caller_reads_overwrite_true_and_the_cli_reads_its_flags(tiny_vgg16, tmp_path, monkeypatch, capsys):
    d, model = write_tiny_job(tmp_path, "vgg16")
    out = tmp_path / "taken.png"
    out.write_bytes(b"an earlier image")
    with pytest.raises(InputError) as e:  # from Python: the argument to pass, no flag
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, StyleConfig(size=32, steps=1), tiny_vgg16)
    assert str(e.value) == (f"output {out} already exists; pass overwrite=True to replace it or choose another "
                            "output path")
    assert out.read_bytes() == b"an earlier image"
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model,
                             "--size", "32", "--steps", "1", "--quiet"], monkeypatch, capsys)
    assert (code, err) == (2, f"error: output {out} already exists; pass --overwrite to replace it or choose another "
                              "--output"), err


def test_every_destination_refusal_from_python_is_free_of_flags(tmp_path):
    from jaxart_cli.options import FLAGS
    from jaxart import destinations, output_names

    photo = tmp_path / "photo.png"
    photo.write_bytes(b"x")
    (tmp_path / "o_00002.png").write_bytes(b"x")
    (tmp_path / "o.png").write_bytes(b"x")
    (tmp_path / "m.gif").write_bytes(b"x")
    refusals = [lambda: destinations.check_output(tmp_path / "o.png", "tiff"),
                lambda: destinations.check_output(tmp_path / "o.png"),
                lambda: destinations.check_animation(tmp_path / "m.gif"),
                lambda: destinations.check_animation(photo, inputs=[photo]),
                lambda: destinations.check_beside(tmp_path / "o.png", "png", 4, 2, []),
                lambda: output_names.check_names([("output", tmp_path / ("f" * 300 + ".png"))])]
    for refuse in refusals:
        with pytest.raises(InputError) as e:
            refuse()
        assert "--" not in str(e.value), e.value  # library words: overwrite=True, output path, save_every, format
        assert "--" in e.value.naming(FLAGS), e.value  # which the CLI writes as its flags


@pytest.mark.parametrize("argv, line", [
    # Typer quoted the option and each choice ('--optimizer', 'lbfgs', 'adam'.); jaxart quotes the value given
    (["stylize", "a.jpg", "b.jpg", "--optimizer", "sgd"],
     "error: Invalid value for --optimizer: 'sgd' is not one of lbfgs, adam"),
    (["stylize", "a.jpg", "b.jpg", "--size"], "error: Option --size requires an argument"),
    (["stylize", "a.jpg", "b.jpg", "-o", ""], "error: Invalid value for --output / -o: the path is empty; give a file "
                                              "name, such as out.png"),
    (["sweep"], "error: give the CONTENT photo and at least one STYLE painting, or --resume CHECKPOINT"),
    (["bench", "--loops", "fast"], "error: --loops 'fast' is not a list of python, scan, zoom"),  # were bare
    (["bench", "--baseline", "tf"], "error: --baseline 'tf' is not one of torch"),
    (["weights", "remove", "mine"], "error: 'mine' is not installed and has no partial download (installed: none); "
                                    "nothing was removed"),
    (["weights", "convert", "gone.h5", "--name", "x"], "error: Invalid value for FILE: gone.h5 does not exist; check the path and the current folder"),  # PATH
])
def test_error_lines_quote_the_value_given_and_name_options_bare(argv, line, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JAXART_WEIGHTS_DIR", str(tmp_path / "w"))
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and err == line, err


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_short_switch_given_a_value_is_named_as_typed(command, tmp_path, monkeypatch, capsys):
    """`-q=1` said "has no option -=": click took -q, then read "=" as an option of its own."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main([command, "-q=1", "a.jpg", "b.jpg"], monkeypatch, capsys)
    assert code == 2 and not out, err
    assert err == "error: Option -q (--quiet) does not take a value; give -q alone, or leave it out", err


def test_a_conv_listed_twice_is_quoted_as_other_values_are(tmp_path, monkeypatch, capsys):
    """It read "--conv lists direct twice", the value bare, beside "--conv 'fft' is not a list of ..."."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["bench", "--sizes", "32", "--conv", "direct,direct"], monkeypatch, capsys)
    assert (code, out, err) == (2, "", "error: --conv lists 'direct' twice; give each value once")


# Each read with the value bare: "style layer relu1_1 is listed twice", "linesearch zoom is L-BFGS's; optimizer adam takes none".
IN_CONFIG = {
    "style layer twice": (["--style-layers", "relu1_1,relu2_1,relu1_1"],
                          "--style-layers lists 'relu1_1' twice (relu1_1, relu2_1, relu1_1); list each layer once "
                          "(--style-layer-weights weights a layer more)"),
    "content layer twice": (["--content-layers", "relu4_2,relu4_2"],
                            "--content-layers lists 'relu4_2' twice (relu4_2, relu4_2); list each layer once"),
    "zoom with adam": (["--optimizer", "adam", "--linesearch", "zoom"], "--linesearch 'zoom' is L-BFGS's; --optimizer 'adam' takes none"),
}


@pytest.mark.parametrize("case", sorted(IN_CONFIG))
def test_the_cli_quotes_the_value_typed_in_a_config_refusal(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    options, line = IN_CONFIG[case]
    code, out, err = run_main(["stylize", "a.jpg", "b.jpg", *options], monkeypatch, capsys)
    assert (code, out, err) == (2, "", f"error: {line}")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("changes, start", [
    ({"style_layers": ("relu1_1", "relu2_1", "relu1_1")}, "style-layers lists 'relu1_1' twice"),
    ({"optimizer": "adam", "linesearch": "zoom"}, "linesearch 'zoom' is L-BFGS's; optimizer 'adam' takes none"),
])
def test_the_library_quotes_the_value_given_as_the_cli_does(changes, start):
    with pytest.raises(ValueError) as e:
        StyleConfig(**changes).validate()
    assert str(e.value).startswith(start), e.value


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
    assert _line(command, options, files, tmp_path, monkeypatch, capsys) == expected


@pytest.mark.parametrize("options, said", [
    (["--style-weight", "1,1.0"], "1 and 1.0 are the same value"),  # "1 is listed twice": the 1.0 typed unseen
    (["--style-weight", "1", "--style-weight", "1.0"], "1 and 1.0 are the same value"),
    (["--tv-weight", "10,1e1"], "10 and 1e1 are the same value"),
    (["--seed", "1,01"], "1 and 01 are the same value"),
    (["--seed", "1,2,1"], "1 is listed twice"),
])
def test_a_sweep_value_given_twice_is_named_as_typed(options, said, files, tmp_path, monkeypatch, capsys):
    line = _line("sweep", options, files, tmp_path, monkeypatch, capsys)
    assert line.endswith(f"{options[0]}: {said}; each value makes its own tiles, so list each once"), line
