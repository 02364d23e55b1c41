"""`stylize --tolerance`: a run stops once its loss stops falling, says so, and its record's command
stops again at the same step; a run a library callback stopped is made again as a run of its steps."""

import shlex
import signal

import numpy as np
import pytest
from PIL import Image

import jaxart
from jaxart import checkpoint, errors, image, job, weights
from jaxart.image_record import read_record
from jaxart.output import save_image
from jaxart.run_record import record

from conftest import run_main, stylize_argv, write_tiny_job

# On the tiny job at 32 px in an 8 px margin the loss fell by 12%, 9%, 10%, 8%, 7%, 10%, 7%, 3% per 10 steps
# to step 90 under jax 0.10.2 on a Zen 4 EPYC, by 14%, 9%, 10%, 11%, 9%, 9%, 5%, 6% under 0.11.2, and by 12%, 8%,
# 8%, 13%, 7%, 9%, 5.9%, 3.8% under 0.10.2 on a Zen 5 EPYC, whose XLA code rounds otherwise: there the 6% these tests
# gave stopped it at a fall 0.13% from it. So `stop` reads the tolerance off the run's own curve too: of a grid, the
# one farthest from every fall up to the step it stops at, at least CLEAR from each, so that the loops' and a
# resumed run's roundings stop at the same step. The margin is given, not the default's: the curve is another in
# another margin (the default's 16 px did not stop by step 100).
CLEAR = 0.005


def _steps(tolerance: float) -> list[str]:
    return ["--steps", "100", "--tolerance", str(tolerance), "--margin", "8"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_tiny_job(tmp_path_factory.mktemp("tolerance"))


@pytest.fixture(scope="module")
def stop(files, tmp_path_factory) -> tuple[int, float]:
    """(step, tolerance): a tolerance clear of the tiny job's falls per 10 steps, and the first step, a multiple of
    10, at which the run fell by less than it, from its losses with a tolerance too small to stop it (a tolerance
    sets how often the run reports)."""
    d, model = files
    config = jaxart.StyleConfig(size=32, steps=100, margin=8)  # as _steps
    losses = {}
    job.stylize_files(d / "photo.jpg", [d / "paint.png"], tmp_path_factory.mktemp("curve") / "all.png", config,
                      weights.load_weights(model, download=False), model=model, tolerance=1e-9,
                      on_step=lambda step, loss, terms: losses.update({step: loss}))
    falls = {k: 1 - losses[k] / losses[k - 10] for k in range(20, 100, 10)}
    stops = []
    for tolerance in np.round(np.arange(0.03, 0.1, 0.001), 3).tolist():
        at = next((k for k, fall in falls.items() if 0 <= fall < tolerance), None)
        if at is not None:
            stops.append((min(abs(fall - tolerance) for k, fall in falls.items() if k <= at), at, tolerance))
    gap, at, tolerance = max(stops, default=(0, None, None))
    assert gap > CLEAR, f"no tolerance stops the run clear of its falls: {falls}"
    return at, tolerance


def _stylize(files, out, monkeypatch, capsys, *extra):
    argv = [a for a in stylize_argv(files, out, *extra) if a != "--quiet"]
    code, stdout, err = run_main(argv, monkeypatch, capsys)
    assert code == 0, err
    return stdout, read_record(out)


@pytest.mark.parametrize("loop", ["python", "scan"])
def test_a_plateau_stops_the_run_and_the_summary_says_where(loop, files, stop, tmp_path, monkeypatch, capsys):
    """--tolerance did not exist: a run went on to --steps however little its last steps changed."""
    stop, tolerance = stop
    summary, made = _stylize(files, tmp_path / "out.png", monkeypatch, capsys, *_steps(tolerance), "--loop", loop)
    assert f"converged at step {stop} of 100" in summary, summary
    assert (made["steps"], made["stopped_at"], made["tolerance"]) == (stop, stop, tolerance)
    # Off, by default or as 0, the run takes every step and its record is as before.
    for off in ([], ["--tolerance", "0"]):
        summary, made = _stylize(files, tmp_path / f"off{len(off)}.png", monkeypatch, capsys, "--steps", "100",
                                 "--loop", loop, *off)
        assert "100 steps" in summary and made["steps"] == 100
        assert "tolerance" not in made and "stopped_at" not in made


def test_coarse_to_fine_tests_only_the_last_scale_so_the_image_is_full_size(files, tmp_path, monkeypatch, capsys):
    """A plateau of the 24 px scale (a 7% fall by step 30) would have ended the run with a 24 px image."""
    out = tmp_path / "out.png"
    summary, made = _stylize(files, out, monkeypatch, capsys, "--size", "48", "--scales", "24,48", "--steps", "40,60",
                             "--tolerance", "0.15")
    assert "converged at step 70 of 100" in summary and made["stopped_at"] == 70, summary
    assert Image.open(out).size == (48, 36)


def _command(image_path, monkeypatch, capsys) -> list[str]:
    code, out, err = run_main(["info", str(image_path), "--command"], monkeypatch, capsys)
    assert code == 0, err
    return shlex.split(out)


def _pixels(path):
    return np.asarray(Image.open(path))


def test_info_command_keeps_the_tolerance_and_stops_at_the_same_step(files, stop, tmp_path, monkeypatch, capsys):
    """The record kept no tolerance: its command ran all 100 steps, another picture."""
    stop, tolerance = stop
    first = tmp_path / "first.png"
    _stylize(files, first, monkeypatch, capsys, *_steps(tolerance))
    argv = _command(first, monkeypatch, capsys)
    assert argv[argv.index("--tolerance") + 1] == str(tolerance) and argv[argv.index("--steps") + 1] == "100"
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    again = read_record(tmp_path / "first-2.png")
    assert again["stopped_at"] == stop
    np.testing.assert_array_equal(_pixels(first), _pixels(tmp_path / "first-2.png"))


@pytest.mark.parametrize("config, stop, size", [
    (jaxart.StyleConfig(size=32, steps=6), 3, "32"),
    (jaxart.StyleConfig(size=48, scales=(24, 48), scale_steps=(2, 3)), 2, "24"),  # stopped in the coarse scale
], ids=["one scale", "coarse to fine"])
def test_a_run_a_callback_stopped_is_made_again_with_the_steps_it_took(config, stop, size, files, tmp_path,
                                                                      monkeypatch, capsys):
    """Its record said the steps asked for, so the command ran them all (at the last scale's size)."""
    d, model = files
    w = weights.load_weights(model, download=False)
    photo, painting = image.load_image(d / "photo.jpg"), image.load_image(d / "paint.png")
    outcome = jaxart.run(photo, [painting], weights=w, config=config, callback=lambda p: p.step >= stop)
    inputs = {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")], "background": [255] * 3}
    out = tmp_path / "stopped.png"
    save_image(out, outcome.image, record(config, w, outcome, inputs, model=model))
    assert read_record(out)["stopped_at"] == stop
    argv = _command(out, monkeypatch, capsys)
    assert argv[argv.index("--steps") + 1] == str(stop) and argv[argv.index("--size") + 1] == size
    assert "--scales" not in argv and "--tolerance" not in argv
    code, _, err = run_main([*argv[1:], "-q"], monkeypatch, capsys)
    assert code == 0, err
    np.testing.assert_array_equal(_pixels(out), _pixels(tmp_path / "stopped-2.png"))


def test_a_resumed_run_stops_where_the_uninterrupted_one_did(files, stop, tmp_path, monkeypatch, capsys):
    """The checkpoint kept neither the tolerance nor the loss the next test compares with."""
    (stop, tolerance), (d, model) = stop, files
    w = weights.load_weights(model, download=False)
    config = jaxart.StyleConfig(size=32, steps=100, margin=8)  # as _steps
    out = tmp_path / "cut.png"
    calls = iter(range(1000))
    # SIGTERM after step stop - 5 (85 at a stop at 90): the test at the stop compares with a loss before it.
    with pytest.raises(errors.Interrupted):
        job.stylize_files(d / "photo.jpg", [d / "paint.png"], out, config, w, model=model, tolerance=tolerance,
                          stopped=lambda: signal.SIGTERM if next(calls) >= stop - 6 else None)
    code, _, err = run_main(["stylize", "--resume", str(checkpoint.path_for(out)), "-q"], monkeypatch, capsys)
    assert code == 0, err
    assert read_record(out)["stopped_at"] == stop


@pytest.mark.parametrize("value, says", [("-0.01", "negative"), ("nan", "not a finite number"),
                                         ("inf", "not a finite number"), ("1", "stops every run at once")])
def test_a_bad_tolerance_is_one_line_and_writes_nothing(value, says, files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out.png"
    code, _, err = run_main(stylize_argv(files, out, "--tolerance", value), monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 0 and says in err and "--tolerance 0.001" in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value, echoed", [("5", "5"), ("2.50", "2.5"), ("1e3", "1000")])
def test_a_bad_tolerance_is_echoed_as_typed_not_as_a_float(value, echoed, files, tmp_path, monkeypatch, capsys):
    """`--tolerance 5` was refused as "Invalid value for --tolerance: 5.0 stops every run at once"."""
    code, _, err = run_main(stylize_argv(files, tmp_path / "out.png", "--tolerance", value), monkeypatch, capsys)
    assert code == 2 and f"--tolerance: {echoed} stops every run at once:" in err, err


@pytest.mark.parametrize("field, value, says", [("tolerance", -1, "negative"), ("tolerance", "0.1", "not a finite"),
                                                ("stopped_at", 0, "stopped at step 0 of 2"),
                                                ("stopped_at", 7, "stopped at step 7 of 2")])
def test_info_command_of_a_record_with_an_edited_stop_is_one_line_and_no_command(field, value, says, files, tmp_path,
                                                                                 monkeypatch, capsys):
    """It printed --tolerance -1, which stylize refuses, or a command of more steps than the run took."""
    d, model = files
    config = jaxart.StyleConfig(size=32, steps=2)
    inputs = {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")], "background": [255] * 3}
    made = {"jaxart": "0.2.0", "model": "tiny", "model_path": model, "config": config.to_dict(), "inputs": inputs,
            field: value}
    save_image(tmp_path / "out.png", np.zeros((4, 4, 3)), made)
    code, out, err = run_main(["info", str(tmp_path / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 2 and out == "" and err.count("\n") == 0 and says in err and "edited or damaged" in err, err


@pytest.mark.parametrize("extra, fix, taken", [
    (["--steps", "20"], "give --steps 21 or more, or drop --tolerance", ["--steps", "21"]),  # 20 is the last step
    (["--scales", "24,32", "--steps", "5,15"], "give --steps 5,16 (or more in the last scale)",
     ["--scales", "24,32", "--steps", "5,16"]),
    (["--size", "96", "--start-size", "24", "--steps", "10"], "give --steps 14 or more",
     ["--size", "96", "--start-size", "24", "--steps", "14"]),
])  # 24, 48 and 96 px: more steps a scale put the last scale later too
@pytest.mark.parametrize("command", ["stylize", "sweep"])
def test_a_tolerance_that_can_never_stop_the_run_is_refused_naming_the_steps_that_let_it(
        command, extra, fix, taken, files, tmp_path, monkeypatch, capsys):
    """--steps 20 --tolerance 0.06 ran every step and said nothing: the test, every 10th step against the one 10
    before, is never made at the last step, so a last scale of 20 steps or fewer has no step to stop at."""
    argv = [command, *stylize_argv(files, tmp_path / "out.png", "--tolerance", "0.06", *extra)[1:], "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert (code, out, err.count("\n")) == (2, "", 0), err
    assert err.startswith("error: --tolerance 0.06 can never stop this run: ") and fix in err, err
    assert list(tmp_path.iterdir()) == []
    argv = [command, *stylize_argv(files, tmp_path / "out.png", "--tolerance", "0.06", *taken)[1:], "--dry-run"]
    code, out, err = run_main(argv, monkeypatch, capsys)
    assert code == 0 and "nothing ran" in out, err


def test_info_command_drops_a_tolerance_that_never_stopped_its_run(files, tmp_path, monkeypatch, capsys):
    """A record of such a run, made before it was refused, gave a command stylize now refuses."""
    d, model = files
    config = jaxart.StyleConfig(size=32, steps=20)
    made = {"jaxart": "0.2.0", "model": "tiny", "model_path": model, "config": config.to_dict(), "tolerance": 0.06,
            "inputs": {"content": str(d / "photo.jpg"), "styles": [str(d / "paint.png")], "background": [255] * 3}}
    save_image(tmp_path / "out.png", np.zeros((4, 4, 3)), made)
    code, out, err = run_main(["info", str(tmp_path / "out.png"), "--command"], monkeypatch, capsys)
    assert code == 0 and "--steps 20" in out and "--tolerance" not in out, (out, err)
