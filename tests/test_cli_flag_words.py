"""A library refusal of a value a CLI user typed names the flag they typed (`--style-layer-weights`), not the
setting's library word (`style layer weights`, `content-weight`): the refusal carries the settings it names
(`InputError.settings`) and the CLI writes each as its flag (`jaxart_cli.options.FLAGS`); the library keeps its
words (a seed without a random start: `--seed 0,1` and `--init` on the CLI, `seeds 0,1` and `init` from Python)."""

from __future__ import annotations

import re

import pytest

from conftest import run_main, stylize_argv, unless_given, write_tiny_job
from jaxart import StyleConfig, model_choice, sweep
from jaxart.errors import InputError
from jaxart_cli.options import FLAGS

# Each (options after the tiny job's 32 px, 1 step stylize; the whole line, or its start where it ends "...").
STYLIZE = {
    "unknown content layer": (["--content-layers", "relu9_1"], "--content-layers: layer 'relu9_1' does not exist; "
                              "VGG19 has conv1_1 ... pool5 (convB_I, reluB_I, poolB)"),
    "unknown style layer": (["--style-layers", "relu1_1,conv9_9"], "--style-layers: layer 'conv9_9' does not exist; ..."),
    "style layer twice": (["--style-layers", "relu1_1,relu1_1"], "--style-layers lists 'relu1_1' twice (relu1_1, "
                          "relu1_1); list each layer once (--style-layer-weights weights a layer more)"),
    "layer weights miscounted": (["--style-layer-weights", "1,2"], "--style-layer-weights has 2 weights for 5 style "
                                 "layers (relu1_1, relu2_1, relu3_1, relu4_1, relu5_1); give one weight per style "
                                 "layer, in that order"),
    "layer weight negative": (["--style-layer-weights", "-1,1,1,1,1"], "--style-layer-weights -1,1,1,1,1: -1 is not "
                              "a finite number >= 0 (at most 1e30)"),
    "layer weights all 0": (["--style-layer-weights", "0,0,0,0,0"], "--style-layer-weights are all 0, which leaves no "
                            "style; give at least one style layer a weight above 0 (or --style-weight 0 for no style)"),
    "blend all 0": (["--style-blend", "0"], "--style-blend 0 has no weight above 0, ..."),
    "blend miscounted": (["--style-blend", "1,1"], "--style-blend gives 2 weights for 1 painting; give one weight per "
                         "painting"),
    "tv weight nan": (["--tv-weight", "nan"], "--tv-weight must be a finite number >= 0 (at most 1e30), got nan"),
    "all weights 0": (["--content-weight", "0", "--style-weight", "0", "--tv-weight", "0"], "--content-weight, "
                      "--style-weight and --tv-weight are all 0, so nothing would change the starting image; give "
                      "--style-weight above 0 (default 10)"),
    "learning rate 0": (["--optimizer", "adam", "--learning-rate", "0"], "--learning-rate must be a finite number "
                        "above 0 (at most 1e30), got 0"),
    "learning rate -1": (["--learning-rate", "-1"], "--learning-rate must be a finite number above 0 (at most 1e30), "
                         "got -1"),  # it was told ">= 0", and 0 then "above 0"
    "lbfgs memory 0": (["--lbfgs-memory", "0"], "--lbfgs-memory must be a positive integer up to 2147483647, got 0"),
    "margin too wide": (["--margin", "65"], "--margin must be a whole number of pixels from 0 to 64, got 65"),
    "seed too large": (["--seed", str(2**64)], f"--seed must be a whole number that fits in 64 bits, got {2**64}"),
    "size 0": (["--size", "0"], "--size must be a positive integer up to 2147483647, got 0"),
    "style scale too small": (["--style-scale", "0.1"], "--style-scale 0.1 makes the painting 3 px at --size 32; VGG "
                              "needs at least 16, so use --style-scale >= 0.5"),
    "scales decrease": (["--scales", "32,16"], "--scales 32,16 must increase, e.g. 256,512,1024"),
    "a scale's steps 0": (["--scales", "16,32", "--steps", "0,1"], "--steps 0,1: 0 is not a positive integer up "
                          "to 2147483647"),
    "start size above size": (["--start-size", "64"], "--start-size 64 must be a whole number from 16 to --size 32"),
    "init missing": (["--init", "nosuch.png"], "--init 'nosuch.png' does not exist; give content or random, or the "
                     "path of an image file (check the path and the current folder)"),
    # A setting's word in the path is the file's name: it was "--init '--init.png'", "'my/--init/x.png'".
    "init named init": (["--init", "init.png"], "--init 'init.png' does not exist; give content or random, or the "
                        "path of an image file (check the path and the current folder)"),
    "init in a folder named init": (["--init", "my/init/init-1.png"], "--init 'my/init/init-1.png' does not "
                                    "exist; give content or random, or the path of an image file (check the path "
                                    "and the current folder)"),
    "background unknown": (["--background", "octarine"], "--background 'octarine' is not a colour name, ..."),
}
SWEEP = {
    "style weight negative": (["--style-weight", "-1"], "--style-weight must be a finite number >= 0 (at most 1e30), "
                              "got -1"),
    "style scale 0": (["--style-scale", "0,1"], "--style-scale must be a finite number above 0 (at most 1e30), got 0"),
    "layer weights all 0": (["--style-layer-weights", "0,0,0,0,0"], "--style-layer-weights are all 0, ..."),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("flags"))


def _stop_before_weights(*args):
    raise AssertionError("the refusal should come before the weights load")


def _refusal(command, options, files, tmp_path, monkeypatch, capsys) -> str:
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    out = tmp_path / "o.png"
    code, stdout, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model,
                                  *unless_given(options, "--size", "32", "--steps", "1"), "--quiet", *options],
                                 monkeypatch, capsys)
    assert (code, stdout, out.exists()) == (2, "", False), err
    return err.splitlines()[-1]


def _check(line: str, expected: str) -> None:
    if expected.endswith(", ..."):
        assert line.startswith(f"error: {expected[:-5]},"), line
    elif expected.endswith("; ..."):
        assert line.startswith(f"error: {expected[:-5]};"), line
    else:
        assert line == f"error: {expected}"
    for setting in (s for s in FLAGS if "_" in s):  # none spelt as the library does, with - or _, bare of the flag's --
        spelt = "[_-]".join(setting.split("_"))
        assert not re.search(rf"(?<![\w-]){spelt}(?![\w-])", line), (setting, line)


@pytest.mark.parametrize("case", sorted(STYLIZE))
def test_stylize_names_the_flag_a_library_refusal_is_about(case, files, tmp_path, monkeypatch, capsys):
    options, expected = STYLIZE[case]
    _check(_refusal("stylize", options, files, tmp_path, monkeypatch, capsys), expected)


@pytest.mark.parametrize("case", sorted(SWEEP))
def test_sweep_names_the_flag_a_library_refusal_is_about(case, files, tmp_path, monkeypatch, capsys):
    options, expected = SWEEP[case]
    _check(_refusal("sweep", options, files, tmp_path, monkeypatch, capsys), expected)


@pytest.mark.parametrize("changes, line, settings", [
    ({"style_blend": (0,)}, "style blend 0 has no weight above 0", ("style_blend",)),
    ({"style_layer_weights": (1, 2)}, "style-layer-weights has 2 weights for 5 style layers", ("style_layer_weights",)),
    ({"content_weight": 0, "style_weight": 0, "tv_weight": 0}, "content-weight, style-weight and tv-weight are all 0",
     ("content_weight", "style_weight", "tv_weight")),
])
def test_the_library_keeps_its_words_and_says_which_settings_they_are(changes, line, settings):
    with pytest.raises(ValueError) as e:  # an InputError is a ValueError, as these were
        StyleConfig(**changes).validate()
    assert isinstance(e.value, InputError) and str(e.value).startswith(line) and e.value.settings == settings


def test_naming_rewrites_only_the_settings_named_and_no_flag_already_written():
    e = InputError("style blend 0 leaves no style; --style-blend weighs paintings, style layers weigh nothing",
                   settings=["style-blend"])
    assert e.settings == ("style_blend",)
    assert e.naming({"style_blend": "--style-blend", "style_layers": "--style-layers"}) == (
        "--style-blend 0 leaves no style; --style-blend weighs paintings, style layers weigh nothing")
    assert e.naming({}) == str(e)


@pytest.mark.parametrize(("said", "flags"), [
    ("style_layers=('relu1_1', 'relu2_1') is one", "--style-layers relu1_1,relu2_1 is one"),  # was 'relu1_1','relu2_1'
    ("scale_steps=(20,) left", "--steps 20 left"),
    ("content_layers=() is none", "--content-layers=() is none"),  # was "--content-layers  is none": no value at all
])
def test_a_tuple_is_written_as_its_flags_list_is_typed(said, flags):
    settings = [said.partition("=")[0]]
    assert InputError(said, settings=settings).naming(FLAGS) == flags


@pytest.mark.parametrize(("said", "flags"), [
    ("or init='content'", "or --init content"),  # was "or --init 'content'", where other lines say --init content
    ("give init='my photo.png'", "give --init 'my photo.png'"),  # the shell needs its quotes: kept
    ("so give arch='vgg16'", "so give arch='vgg16'"),  # a word no flag writes keeps Python's
])
def test_a_string_setting_is_written_as_its_flag_is_typed(said, flags):
    assert InputError(said, settings=["init"]).naming(FLAGS) == flags


def test_seeds_without_a_random_start_are_refused_with_the_flags_as_typed(files, tmp_path, monkeypatch, capsys):
    """It said "seeds 0, 1 ... use init='random' (--init random)": Python's words and list on the command line."""
    d, model = files
    argv = ["sweep", str(d / "photo.jpg"), str(d / "paint.png"), "--output", str(tmp_path / "g.png"),
            "--model", model, "--size", "24", "--steps", "2", "--seed", "0,1"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.strip() == ("error: --seed 0,1 would give identical images: a seed only sets a random "
                                         "start, and --init is 'content'; use --init random, or give one seed"), err
    assert not list(tmp_path.iterdir())


def test_seeds_without_a_random_start_are_refused_in_library_words():
    with pytest.raises(ValueError) as e:
        sweep.check(StyleConfig(size=32), sweep.grid([1.0], [1.0], [1.0], seeds=[0, 1]))
    assert str(e.value) == ("seeds 0,1 would give identical images: a seed only sets a random start, and init is "
                            "'content'; use init='random', or give one seed")
    assert "--" not in str(e.value)


def test_a_line_search_adam_does_not_take_names_both_flags(files, tmp_path, monkeypatch, capsys):
    argv = stylize_argv(files, tmp_path / "o.png", "--optimizer", "adam", "--linesearch", "zoom")
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out, err) == (2, "", "error: --linesearch 'zoom' is L-BFGS's; --optimizer 'adam' takes none")
