"""Another style transfer program's options (jaxart_cli/other_names.py), as a user of jcjohnson/neural-style types
them, answered with jaxart's: `-image_size 256` was "has no option -i", `-original_colors 1` wrote to riginal_colors."""

import os

import pytest

from conftest import run_main, write_tiny_job


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("other_names"))


@pytest.mark.parametrize("typed, expected", [
    (["--image_size", "64"], "(neural-style's -image_size is --size PX, the output's long side)"),
    (["--num-iterations", "5"], "(neural-style's -num_iterations is --steps N)"),
    # click guessed "--style-layer-weights or --style-weight or --style-blend"
    (["--style-blend-weights", "1,1"], "(neural-style's -style_blend_weights is --style-blend W,..)"),
    (["--init-image", "x.png"], "(neural-style's -init_image is --init PATH)"),
    (["--output-image", "x.png"], "(neural-style's -output_image is --output OUT.png)"),
    (["--style_image", "x.png"], "(neural-style's -content_image and -style_image are the arguments: the photo, "
                                 "then the painting)"),  # was "no such option"
])
def test_neural_styles_option_names_jaxarts(typed, expected, files, monkeypatch, capsys):
    d, model = files
    monkeypatch.chdir(d)
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "--model", model, *typed], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.splitlines()) == 1, err
    assert err == f"error: `jaxart stylize` has no option {typed[0]} {expected}; see `jaxart stylize --help` for its " \
                  "options"


@pytest.mark.parametrize("typed, name, expected", [
    (["-image_size", "64"], "-image_size", "neural-style's -image_size is --size PX, the output's long side"),
    (["-original_colors", "1"], "-original_colors", "to keep the photo's colours, give --colors keep, as neural-style "
                                                    "does, or --colors luminance"),
    (["-init_image=x.png"], "-init_image", "neural-style's -init_image is --init PATH"),
    (["-model_file", "x.pth"], "-model_file", "neural-style's -model_file is --model, a weight set's name or a "
                                             ".safetensors path"),  # was "has no option -m"
    (["-lbfgs_num_correction", "5"], "-lbfgs_num_correction",
     "neural-style's -lbfgs_num_correction is --lbfgs-memory N"),
])
def test_neural_styles_single_dash_is_named_as_typed(typed, name, expected, files, monkeypatch, capsys):
    """Click read `-image_size` as -i and said "no option -i"; `-original_colors 1` as `-o riginal_colors`, and
    refused that output's suffix."""
    d, model = files
    monkeypatch.chdir(d)
    before = set(os.listdir(d))
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "--model", model, *typed], monkeypatch, capsys)
    assert code == 2 and out == "", err
    assert err == (f"error: `jaxart stylize` has no option {name} ({expected}; jaxart's options start with -- and join "
                   f"words with -); see `jaxart stylize --help` for its options")
    assert set(os.listdir(d)) == before


def test_a_name_for_an_option_the_command_lacks_gets_no_hint(monkeypatch, capsys):
    """`sweep` writes no frames, so neural-style's -save_iter (stylize's --save-every) is not named to it."""
    code, out, err = run_main(["sweep", "--save-iter", "5"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err == "error: `jaxart sweep` has no option --save-iter; see `jaxart sweep --help` for its options"


def test_a_command_that_paints_nothing_gets_no_hint(monkeypatch, capsys):
    """`weights normalize` has a --size, of the images it averages, not neural-style's output size."""
    code, out, err = run_main(["weights", "normalize", "-image_size", "5"], monkeypatch, capsys)
    assert code == 2 and out == "" and "neural-style" not in err, err


@pytest.mark.parametrize("typed, name, ours", [
    (["-optimizer", "adam"], "-optimizer", "--optimizer"),  # was `-o ptimizer`: "output ptimizer has no suffix"
    (["-content_weight", "5"], "-content_weight", "--content-weight"),  # was "has no option -c"
    (["-seed=3"], "-seed", "--seed"),
])
def test_jaxarts_own_option_typed_with_one_dash_is_named(typed, name, ours, files, monkeypatch, capsys):
    """neural-style's options that jaxart names alike (`-content_weight`, `-seed`, `-optimizer`), typed its way."""
    d, model = files
    monkeypatch.chdir(d)
    before = set(os.listdir(d))
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "--model", model, *typed], monkeypatch, capsys)
    assert (code, out) == (2, ""), err
    assert err == (f"error: `jaxart stylize` has no option {name} ({name} is {ours}; jaxart's options start with -- "
                   f"and join words with -); see `jaxart stylize --help` for its options")
    assert set(os.listdir(d)) == before


@pytest.mark.parametrize("typed", [["-gpu_id", "0"], ["-print_every", "1"], ["-bogus", "nn"]])
def test_one_dash_words_jaxart_does_not_know_are_named_whole(typed, files, monkeypatch, capsys):
    """One-dash words that are no option of jaxart's nor neural-style's: click read them as short options and named a
    letter never typed alone, "has no option -g". An option's value that starts with a dash is still its value
    (`-o -gpu_run.png`)."""
    d, model = files
    monkeypatch.chdir(d)
    before = set(os.listdir(d))
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "--model", model, *typed], monkeypatch, capsys)
    assert (code, out) == (2, ""), err
    assert err == f"error: `jaxart stylize` has no option {typed[0]}; see `jaxart stylize --help` for its options"
    assert set(os.listdir(d)) == before
    argv = ["stylize", "photo.jpg", "paint.png", "--model", model, "-o", "-gpu_run.png", "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "would write -gpu_run.png" in out, err


@pytest.mark.parametrize("typed, name, expected", [
    # Those with no jaxart option say what jaxart does instead; each was "has no option -g", "-p", "-n"
    (["-gpu", "0"], "-gpu", "neural-style's -gpu has no jaxart option: JAX runs on the GPU it finds; "
                            "CUDA_VISIBLE_DEVICES=N picks one, JAX_PLATFORMS=cpu the CPU"),
    (["-print_iter", "50"], "-print_iter", "neural-style's -print_iter has no jaxart option: the progress line shows "
                                           "the loss as the run goes, --quiet hides it"),
    (["-normalize_gradients"], "-normalize_gradients", "neural-style's -normalize_gradients has no jaxart equivalent: "
                                                       "leave it out"),
    (["-cudnn_autotune"], "-cudnn_autotune", "neural-style's -backend and -cudnn_autotune have no jaxart option: XLA "
                                             "compiles and tunes the convolutions for the device"),
    (["-content_image", "x.png"], "-content_image", "neural-style's -content_image and -style_image are the "
                                                    "arguments: the photo, then the painting"),
])
def test_neural_styles_single_dash_with_no_equivalent_is_not_told_how_options_are_spelt(typed, name, expected, files,
                                                                                         monkeypatch, capsys):
    """Where the line names no option of jaxart's, it ended "; jaxart's options start with -- and join words with -"
    all the same, spelling advice for nothing it said to type."""
    d, model = files
    monkeypatch.chdir(d)
    before = set(os.listdir(d))
    code, out, err = run_main(["stylize", "photo.jpg", "paint.png", "--model", model, *typed], monkeypatch, capsys)
    assert (code, out) == (2, ""), err
    assert err == (f"error: `jaxart stylize` has no option {name} ({expected}); see `jaxart stylize --help` for its "
                   "options")
    assert set(os.listdir(d)) == before


def test_a_dashed_file_after_switches_that_end_in_an_option_is_its_value(files, monkeypatch, capsys):
    """`-qo -gpu_run.png` is -q, then -o with the file for its value, as click reads it: the whole-word rule refused it
    as "has no option -gpu_run.png", where `-o -gpu_run.png` was taken."""
    d, model = files
    monkeypatch.chdir(d)
    argv = ["stylize", "photo.jpg", "paint.png", "--model", model, "-qo", "-gpu_run.png", "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "would write -gpu_run.png" in out, err
