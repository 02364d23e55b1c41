"""Options that would do nothing or were misread: a warning naming the option that applies, or a refusal naming what
was given (an unknown option or a word in another case: test_cli_usage.py; the READMEs' command lines against the
options: test_readme_cli.py)."""

import pytest

from jaxart import model_choice
from jaxart.errors import InputError

from conftest import run_main, write_tiny_job
from test_new_user_notes import SEED_NOTE


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("options"))


def _stop_before_weights(*args):
    raise InputError("stopped before the weights")


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("optimizer, warned", [([], True), (["--optimizer", "lbfgs"], True),
                                               (["--optimizer", "adam"], False)])
def test_a_learning_rate_lbfgs_ignores_is_warned_about(command, optimizer, warned, files, tmp_path, monkeypatch,
                                                       capsys):
    """optimize.make_optimizer's L-BFGS never reads it: --learning-rate 0.5 ran exactly as without it."""
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)  # the check comes first; no run
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"), "--model", model,
            "--size", "32", "--learning-rate", "0.5", *optimizer]
    code, _, err = run_main(argv, monkeypatch, capsys)
    warning = ("warning: --learning-rate has no effect with --optimizer lbfgs, which takes its step sizes from its "
               "curvature estimates; it is the step size of --optimizer adam")
    expected = [warning] * warned + ["error: stopped before the weights"]
    assert code == 2 and err.splitlines() == expected, err
    code, _, err = run_main(argv[:-2 - len(optimizer)], monkeypatch, capsys)  # the default, not given: no warning
    assert code == 2 and err == "error: stopped before the weights", err


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_an_lbfgs_memory_adam_ignores_is_warned_about(command, files, tmp_path, monkeypatch, capsys):
    """Adam keeps no L-BFGS history: --lbfgs-memory 3 with it ran exactly as without it, and said nothing."""
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"), "--model", model,
            "--size", "32", "--optimizer", "adam", "--lbfgs-memory", "3"]
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err.splitlines() == [
        "warning: --lbfgs-memory has no effect with --optimizer adam, which keeps no history of past steps; it is "
        "how many steps --optimizer lbfgs remembers", "error: stopped before the weights"], err


@pytest.mark.parametrize("command, size", [("stylize", 512), ("sweep", 256)])
def test_a_sweep_defaults_to_a_smaller_size_than_stylize(command, size, files, tmp_path, monkeypatch, capsys):
    """A sweep makes an image per setting; its --help and the README promise 256 px each, stylize's 512."""
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    code, _, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"),
                             "--model", model], monkeypatch, capsys)
    assert code == 2 and f"warning: --size {size} is larger than the photo (40 px" in err, err


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_without_size_the_last_of_scales_is_the_output_size(command, files, tmp_path, monkeypatch, capsys):
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    code, _, err = run_main([command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"),
                             "--model", model, "--scales", "32,48", "--steps", "1"], monkeypatch, capsys)
    assert code == 2 and "warning: --size 48 is larger than the photo (40 px" in err, err


def test_steps_per_scale_add_up_to_the_runs_steps(files, tmp_path, monkeypatch, capsys):
    """--steps 2,1 with two scales is three steps in all: the summary and the record count them all."""
    import jaxart

    d, model = files
    out = tmp_path / "o.png"
    code, stdout, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model",
                                  model, "--scales", "32,40", "--steps", "2,1"], monkeypatch, capsys)
    assert code == 0 and ", 3 steps," in stdout, err
    assert jaxart.read_record(out)["config"]["steps"] == 3


def test_region_style_paintings_come_with_no_style_argument_and_may_start_with_a_tilde(files, tmp_path, monkeypatch,
                                                                                       capsys):
    """A STYLE argument beside --region-style would be dropped unseen; `red=~/paint.png` is quoted past the shell."""
    from PIL import Image

    d, model = files
    Image.new("RGB", (40, 30), "red").save(tmp_path / "mask.png")
    monkeypatch.setenv("HOME", str(d))
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    argv = ["stylize", str(d / "photo.jpg"), "-o", str(tmp_path / "o.png"), "--model", model, "--size", "32",
            "--mask", str(tmp_path / "mask.png"), "--region-style", "red=~/paint.png"]
    code, _, err = run_main([*argv, str(d / "paint.png")], monkeypatch, capsys)
    # was "Invalid value for --region-style: the paintings come from ...": what was refused is the STYLE typed
    assert code == 2 and err == (f"error: Invalid value for STYLE: {d / 'paint.png'} given with --region-style, which "
                                 "names the paintings; drop it, or give it a region with --region-style "
                                 "COLOUR=PAINTING"), err
    # A second pair without its --region-style (the option takes one value) is that STYLE: said so
    code, _, err = run_main([*argv, "blue=~/paint.png"], monkeypatch, capsys)
    assert code == 2 and err == ("error: Invalid value for STYLE: blue=~/paint.png: a COLOUR=PAINTING needs "
                                 "--region-style before it, e.g. --region-style 'blue=~/paint.png' (the option "
                                 "takes one value each time)"), err
    code, _, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and err == "error: stopped before the weights", err


@pytest.mark.parametrize("extra, said", [
    # it offered '1,1,1,1' (the list without the empty item): one weight short of the five meant
    (["--style-layer-weights", "1,,1,1,1"], "Invalid value for --style-layer-weights: '1,,1,1,1' has an empty item "
                                            "(item 2 of 5); put a number there or drop a comma"),
    # it named the sum, 100000000000000000001, which no one typed
    (["--steps", f"{10**20},1", "--scales", "32,40"], f"--steps {10**20},1: {10**20} is not a positive integer up "
                                                      "to 2147483647"),
])
def test_a_bad_list_item_is_named_as_given(extra, said, files, tmp_path, monkeypatch, capsys):
    d, model = files
    monkeypatch.setattr(model_choice, "resolve_model", _stop_before_weights)
    code, _, err = run_main(["stylize", str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"),
                             "--model", model, *extra], monkeypatch, capsys)
    assert code == 2 and err == f"error: {said}", err


@pytest.mark.parametrize("config, given, says", [
    ({}, ["seed"], [SEED_NOTE.removeprefix("warning: ")]),  # test_new_user_notes.py says it in the CLI
    ({"init": "random"}, ["seed"], []),  # used: no word
    ({}, [], []),  # the default seed, not given: no word
    ({"optimizer": "adam"}, ["lbfgs_memory", "learning_rate"], ["--lbfgs-memory has no effect with --optimizer adam, "
                                                                "which keeps no history of past steps; it is how many "
                                                                "steps --optimizer lbfgs remembers"]),
    ({"colors": "keep", "match_luminance": False}, ["match_luminance"], []),  # --no-match-luminance changes nothing
    ({"style_weight": 0.0}, ["style_scale"], ["--style-scale has no effect with --style-weight 0: the style term is "
                                              "off, so nothing of the painting is taken; give --style-weight above 0 "
                                              "for its style"]),
    ({"style_weight": 0.0}, ["style_layers", "style_blend"], [
        "--style-layers and --style-blend have no effect with --style-weight 0: the style term is off, so nothing of "
        "the painting is taken; give --style-weight above 0 for its style"]),
    ({"style_weight": 0.5}, ["style_scale", "style_layers"], []),  # used
])
def test_a_front_end_is_told_which_given_settings_change_nothing(config, given, says):
    """The warnings the CLI prints for an option without effect, from the library for any front end."""
    from jaxart import StyleConfig
    from jaxart.unused_options import unused_notes

    assert unused_notes(StyleConfig(**config), given) == says


@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_style_blend_of_one_painting_is_refused_as_changing_nothing(command, files, tmp_path, monkeypatch, capsys):
    """--style-blend 0.5 with one painting gave the very pixels of no blend (its weights are normalized), where it
    reads as "half the style"; with two paintings it weighs them."""
    d, model = files
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"), "--model", model,
            "--size", "32", "--steps", "2", "--style-blend", "0.5", "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out) == (2, "") and err == (
        "error: --style-blend 0.5 weighs the paintings into one style, and one painting is given, so it changes "
        "nothing (the weights are normalized); for less of the painting, lower --style-weight, or give more "
        "paintings to blend"), err
    assert list(tmp_path.iterdir()) == []
    code, out, err = run_main([*argv[:3], str(d / "photo.jpg"), *argv[3:-3], "--style-blend", "0.5,1", "--dry-run"],
                              monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err


def test_info_command_drops_a_style_blend_of_one_painting(files, tmp_path, monkeypatch, capsys):
    """A record of such a run, made before it was refused, gave a command stylize now refuses."""
    import numpy as np

    from jaxart import StyleConfig
    from jaxart.output import save_image

    d, model = files
    made = {"jaxart": "0.2.0", "model": "tiny", "model_path": model, "config": StyleConfig(
        size=32, steps=2, style_blend=(0.5,)).to_dict(), "inputs": {"content": str(d / "photo.jpg"), "styles": [
            str(d / "paint.png")], "background": [255] * 3}}
    save_image(tmp_path / "out.png", np.zeros((4, 4, 3)), made)
    code, out, err = run_main(["info", str(tmp_path / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "--steps 2" in out and "--style-blend" not in out, (out, err)


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("every, kept", [("2", False), ("9", False), ("1", True)])
def test_a_checkpoint_interval_of_the_runs_steps_or_more_is_warned_about(command, every, kept, files, tmp_path,
                                                                         monkeypatch, capsys):
    """--checkpoint-every 100 in a run of 2 steps kept no checkpoint (one is kept only before the last step), and
    stylize's dry run said it "would write ... o.ckpt.npz"."""
    d, model = files
    out = tmp_path / "o.png"
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(out), "--model", model, "--size", "32",
            "--steps", "2", "--checkpoint-every", every, "--dry-run"]
    code, printed, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and printed.endswith("nothing ran\n"), err
    assert err == ("" if kept else f"warning: --checkpoint-every {every} writes no checkpoint in a run of 2 steps (one "
                   "is kept only before the last step, which writes the image; Ctrl-C, SIGTERM or SIGHUP still keep "
                   "one); give a value below 2 for one"), err
    if command == "stylize":
        assert ("o.ckpt.npz" in printed) == kept, printed


@pytest.mark.parametrize("command", ["stylize", "sweep"])
@pytest.mark.parametrize("layers, weights, warned", [("relu2_1", "5", True), ("relu1_1,relu2_1", "1,5", False)])
def test_style_layer_weights_of_one_style_layer_are_warned_about(command, layers, weights, warned, files, tmp_path,
                                                                 monkeypatch, capsys):
    """--style-layers relu2_1 --style-layer-weights 5 gave the very pixels of weight 1 (they are scaled to sum to 1),
    where it reads as "more of that layer's style"."""
    d, model = files
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"), "--model", model,
            "--size", "32", "--steps", "2", "--style-layers", layers, "--style-layer-weights", weights, "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err
    assert err == ("warning: --style-layer-weights has no effect with one style layer (relu2_1): the weights are "
                   "scaled to sum to 1, so its weight is 1 whatever is given; --style-weight sets how much style"
                   if warned else ""), err
