"""Options that would do nothing or were misread: a warning naming the option that applies, and an
unknown option answered with the command's own options, not click's loose guesses."""

import pytest

from jaxart import job
from jaxart.errors import InputError

from conftest import run_main, write_tiny_job


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
    monkeypatch.setattr(job, "resolve_model", _stop_before_weights)  # the check comes first; no run
    argv = [command, str(d / "photo.jpg"), str(d / "paint.png"), "-o", str(tmp_path / "o.png"), "--model", model,
            "--size", "32", "--learning-rate", "0.5", *optimizer]
    code, _, err = run_main(argv, monkeypatch, capsys)
    warning = ("warning: --learning-rate has no effect with --optimizer lbfgs, which takes its step sizes from its "
               "curvature estimates; it is the step size of --optimizer adam")
    expected = [warning] * warned + ["error: stopped before the weights"]
    assert code == 2 and err.splitlines() == expected, err
    code, _, err = run_main(argv[:-2 - len(optimizer)], monkeypatch, capsys)  # the default, not given: no warning
    assert code == 2 and err == "error: stopped before the weights", err


@pytest.mark.parametrize("argv, expected", [
    # click said "(Possible options: --style-weight)": sweep has no scales, stylize does
    (["sweep", "a.jpg", "b.jpg", "--scales", "64,128"],
     "`jaxart sweep` has no option --scales (an option of `jaxart stylize`); see `jaxart sweep --help`"),
    (["sweep", "--steps-per", "3"], "`jaxart sweep` has no option --steps-per (did you mean --steps?); see"),
    # click said "(Possible options: --help)", and for stylize "--colors, --help, --loop"
    (["sweep", "--lr", "3"], "`jaxart sweep` has no option --lr; see `jaxart sweep --help` for its options"),
    (["stylize", "--lr", "3"], "`jaxart stylize` has no option --lr; see `jaxart stylize --help` for its options"),
    (["weights", "list", "--quiet"], "`jaxart weights list` has no option --quiet; see `jaxart weights list --help`"),
])
def test_an_unknown_option_points_to_the_commands_help(argv, expected, monkeypatch, capsys):
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and out == "" and err.startswith(f"error: {expected}") and len(err.splitlines()) == 1, err


@pytest.mark.parametrize("argv, said", [
    (["info"], "Missing argument 'image'; see `jaxart info --help`"),
    (["stylize", "a.jpg", "b.jpg", "--size", "abc"], "Invalid value for '--size': give a whole number"),
    (["stylize", "a.jpg", "b.jpg", "--style-weight", "x"], "give a number (e.g. --style-weight 10.0)"),
    (["bench", "--repeats", "x"], "give a whole number (e.g. --repeats 3)"),
    (["stylize", "a.jpg", "b.jpg", "--colors", "sepia"], "'--colors': 'sepia' is not one of 'style', "),
])
def test_a_usage_error_says_what_to_give(argv, said, monkeypatch, capsys):
    """Typer's words were "Input should be a valid integer, unable to parse string as an integer",
    "Value error, 'sepia' is not one of ..." and a missing argument with no hint."""
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 2 and not out and len(err.splitlines()) == 1 and said in err, err
    assert "Input should be" not in err and "Value error" not in err
